"""The model card and the README state the figures of the weights that ship, not of earlier ones."""

from __future__ import annotations

import json
import re

from .conftest import ROOT

CARD = (ROOT / "docs" / "model-card.md").read_text(encoding="utf-8")
MANIFEST = json.loads((ROOT / "models" / "stance-v1.json").read_text(encoding="utf-8"))


def _row(name: str) -> str:
    match = re.search(rf"^\| {re.escape(name)} \| ([^|]+) \|$", CARD, flags=re.M)
    assert match, f"the model card lost its {name!r} row"
    return match.group(1).strip()


def test_evaluation_table_matches_the_manifest():
    evaluation = MANIFEST["evaluation"]
    assert _row("macro-F1") == f"{evaluation['macro_f1']:.3f}"
    assert _row("accuracy") == f"{evaluation['accuracy']:.3f}"
    f1 = " / ".join(f"{evaluation['f1'][label]:.3f}" for label in MANIFEST["labels"])
    assert _row("F1 " + " / ".join(MANIFEST["labels"])) == f1
    assert _row("ECE before → after temperature scaling") == (
        f"{evaluation['ece_uncalibrated']:.3f} → {evaluation['ece']:.3f}")


def test_training_data_and_temperature_match_the_manifest():
    data = MANIFEST["training_data"]
    counts = f"{data['n_sentences']:,} synthetic, hand-written news sentences over {data['n_conflicts']} conflicts"
    assert counts in CARD
    for label, count in data["label_counts"].items():
        assert f"{label} {count:,}" in CARD
    assert f"(T = {MANIFEST['evaluation']['temperature']:.3f} for these weights)" in CARD
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"{data['n_sentences']:,} news sentences from {data['n_conflicts']} conflicts" in readme
