"""The README's Python example runs as written, from the repository root."""

from __future__ import annotations

import os
import re

from .conftest import ROOT


def test_readme_python_blocks_run(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README lost its Python example"
    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    finally:
        os.chdir(previous)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 22 and printed[0].split()[0] in {"supportive", "conditional", "opposed", "neutral"}
