"""Run the command line: ``python -m stance``."""

from .cli import run

run()
