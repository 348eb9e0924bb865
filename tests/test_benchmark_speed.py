"""The speed report says which figures were re-measured, and refuses parts it cannot re-measure."""

from __future__ import annotations

import pytest

from benchmarks.speed import main, render

RUN = {
    "machine": {"cores": 2, "processor": "x86_64", "python": "3.11", "scikit-learn": "1.7", "numpy": "2.0",
                "blas": "openblas", "OPENBLAS_CORETYPE": "unset", "OPENBLAS_L2_SIZE": "unset"},
    "commit": "abc1234", "date": "2026-11-26", "benchmark_seconds": 600.0,
    "sentence_level": {"n": 100, "bare_s": 1.0, "library_s": 1.05, "bare_per_s": 100.0, "library_per_s": 95.2,
                       "ratio": 1.05},
    "segmentation": {"chars_per_s": 5e6},
    "cold_start": {"import_sklearn_s": 1.0, "score_one_s": 1.4, "overhead_s": 0.4, "model_load_s": 0.1,
                   "model_size_mb": 4.9},
    "end_to_end": {"input_mb": 100.0, "documents": 10, "sentences": 1000, "runs": [
        {"jobs": 1, "seconds": 10.0, "docs_per_s": 1.0, "sentences_per_s": 100.0, "peak_rss_mb": 300.0},
        {"jobs": 2, "seconds": 5.0, "docs_per_s": 2.0, "sentences_per_s": 200.0, "peak_rss_mb": 800.0}]},
    "dask": {"skipped": "no dask"},
    "memory": [{"input_mb": 10.0, "documents": 5, "seconds": 1.0, "peak_rss_mb": 790.0},
               {"input_mb": 1000.0, "documents": 500, "seconds": 100.0, "peak_rss_mb": 820.0}],
}


def test_a_full_run_names_its_commit_and_meets_targets():
    text = render(RUN, quick=False)
    assert "at commit `abc1234`" in text and "Re-measured" not in text
    assert "| 2.00 | ≥ 1.7 | yes |" in text


def test_remeasured_parts_are_named_with_the_earlier_figures():
    earlier = dict(RUN["cold_start"], overhead_s=0.98, score_one_s=2.5)
    results = dict(RUN, remeasured=[{"parts": ["cold_start"], "date": "2026-11-27 00:20 UTC",
                                     "commit": "def5678", "seconds": 60.0, "earlier": {"cold_start": earlier}}])
    text = render(results, quick=False)
    assert "**Re-measured:** cold start, on 2026-11-27 00:20 UTC at commit `def5678`" in text
    assert "Before this, they read: cold start +0.98 s" in text
    assert "| 0.40 s | ≤ 0.5 s | yes |" in text


@pytest.mark.parametrize("parts", ["memory", "", "cold_start,dask"])
def test_remeasure_refuses_other_parts(parts, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--remeasure", parts])
    assert stop.value.code == 2
    assert "--remeasure takes some of cold_start, end_to_end" in capsys.readouterr().err
