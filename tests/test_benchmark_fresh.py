"""A small run of ``python -m benchmarks.fresh_check`` on slices of the corpus, so the check cannot rot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.fresh_check import main, round_files

CORPUS = Path(__file__).resolve().parent.parent / "seeds" / "corpus"


def _slice(source: str, target: Path, count: int) -> None:
    lines = (CORPUS / source).read_text(encoding="utf-8").splitlines()[:count]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    _slice("00_pilot.jsonl", folder / "00_pilot.jsonl", 400)
    _slice("27_articles_a.jsonl", folder / "01_articles.jsonl", 60)
    _slice("27_articles_b.jsonl", folder / "02_articles.jsonl", 30)
    (folder / "notes.jsonl").write_text('{"text": "x", "label": "neutral"}\n', encoding="utf-8")
    return folder


def test_rounds_split_by_the_number_a_name_starts_with(small_corpus):
    before, new = round_files(small_corpus, 1)
    assert [path.name for path in before] == ["00_pilot.jsonl"]
    assert [path.name for path in new] == ["01_articles.jsonl"]


def test_run_scores_the_round_with_every_model(small_corpus, tmp_path, capsys):
    figures = tmp_path / "fresh.json"
    assert main(["1", "--corpus", str(small_corpus), "--json", str(figures)]) == 0
    results = json.loads(figures.read_text(encoding="utf-8"))
    assert results["train_sentences"] == 400 and results["test_sentences"] == 60
    records = [json.loads(line) for line in (small_corpus / "01_articles.jsonl").read_text(encoding="utf-8").splitlines()]
    neutral_notes = [bool(record.get("note")) for record in records if record["label"] == "neutral"]
    assert results["neutral_noted"] == sum(neutral_notes) > 0
    assert results["neutral_other"] == len(neutral_notes) - sum(neutral_notes) > 0
    assert set(results["models"]) == {"stance (shipped settings)", "sklearn defaults", "keyword cues"}
    for model in results["models"].values():
        assert 0.0 <= model["macro_f1"] <= 1.0 and 0.0 <= model["accuracy"] <= 1.0
        assert all(isinstance(message, str) for message in model["warnings"])
    assert "| stance (shipped settings) |" in capsys.readouterr().out


def test_saved_weights_are_scored_as_they_are(small_corpus, tmp_path):
    figures = tmp_path / "fresh.json"
    weights = CORPUS.parent.parent / "models" / "stance-v1"
    assert main(["1", "--corpus", str(small_corpus), "--json", str(figures), "--weights", str(weights)]) == 0
    scored = json.loads(figures.read_text(encoding="utf-8"))["models"]["saved weights (stance-v1)"]
    assert 0.5 < scored["macro_f1"] <= 1.0 and scored["warnings"] == []


def test_a_round_without_files_is_refused(small_corpus):
    with pytest.raises(SystemExit, match="round 9"):
        main(["9", "--corpus", str(small_corpus)])
