"""Benchmarks of the stance model: grouped accuracy, baselines and behaviour (not pytest)."""
