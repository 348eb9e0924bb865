"""``python -m benchmarks.blind_pass``: the draw that made the recorded samples, and the scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.blind_pass import apply_resolutions, draw_sample, main, score_sample

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "seeds" / "corpus"


@pytest.mark.parametrize("number", [29, 30, 31])
def test_draw_reproduces_the_recorded_sample_of_a_round(number):
    dealt = draw_sample(sorted(CORPUS.glob(f"{number}_articles_*.jsonl")), seed=number)
    drawn = {(item["file"], item["line"]) for items in dealt.values() for item in items}
    recorded_path = ROOT / "seeds" / "agreement" / f"second_labels_articles_{number}.jsonl"
    recorded = {(row["file"], row["line"]) for row in map(json.loads, recorded_path.read_text(encoding="utf-8").splitlines())}
    assert drawn == recorded


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _corpus_file(folder: Path) -> Path:
    rows = [{"text": f"Sentence {n} of the story.", "label": ("neutral", "supportive", "opposed")[n % 3],
             "conflict": "Testland", "article": f"t-{n // 10}"} for n in range(40)]
    path = folder / "90_articles_a.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _answer(sample: Path, flip: str | None = None) -> None:
    for key_path in sample.glob("key_*.jsonl"):
        answers = []
        for key in map(json.loads, key_path.read_text(encoding="utf-8").splitlines()):
            label = "conditional" if key["id"] == flip else key["first_label"]
            answers.append({"id": key["id"], "label": label, "confidence": "high", "alt": None, "reason": None})
        labels_path = sample / key_path.name.replace("key_", "labels_")
        labels_path.write_text("".join(json.dumps(a) + "\n" for a in answers), encoding="utf-8")


def test_labellers_see_the_sentence_and_its_context_but_not_the_first_label(tmp_path):
    source = _corpus_file(tmp_path)
    assert main(["sample", str(source), "--seed", "3", "--fraction", "0.25", "--out", str(tmp_path / "s")]) == 0
    shown = [json.loads(line) for tag in "ab" for line in _lines(tmp_path / "s" / f"items_{tag}.jsonl")]
    assert len(shown) == 10 and all(set(item) == {"id", "text", "previous_sentence", "conflict"} for item in shown)
    assert "items_a.jsonl" in (tmp_path / "s" / "prompt_a.md").read_text(encoding="utf-8")
    source_rows = [json.loads(line) for line in _lines(source)]
    for key in (json.loads(line) for tag in "ab" for line in _lines(tmp_path / "s" / f"key_{tag}.jsonl")):
        row = source_rows[key["line"] - 1]
        assert key["text"] == row["text"] and key["first_label"] == row["label"]
        before = source_rows[key["line"] - 2] if key["line"] > 1 else None
        same_text = before is not None and before["article"] == row["article"]
        assert key["previous_sentence"] == (before["text"] if same_text else "")


def test_score_measures_agreement_and_lists_each_disagreement(tmp_path, capsys):
    sample = tmp_path / "s"
    main(["sample", str(_corpus_file(tmp_path)), "--seed", "5", "--fraction", "0.25", "--out", str(sample)])
    _answer(sample, flip="b0001")
    second, disagreements = tmp_path / "second.jsonl", tmp_path / "disagree.jsonl"
    assert main(["score", str(sample), "--second", str(second), "--disagreements", str(disagreements)]) == 0
    assert "10 sentences, raw agreement 90.0%" in capsys.readouterr().out
    rows = [json.loads(line) for line in _lines(second)]
    assert [(r["file"], r["line"]) for r in rows] == sorted((r["file"], r["line"]) for r in rows)
    assert sum(r["first_label"] != r["second_label"] for r in rows) == 1
    flipped = [json.loads(line) for line in _lines(disagreements)]
    assert [(d["id"], d["second"]) for d in flipped] == [("b0001", "conditional")]
    assert score_sample(sample)["kappa"] < 1.0


def test_score_names_the_file_and_line_of_a_bad_label(tmp_path, capsys):
    sample = tmp_path / "s"
    main(["sample", str(_corpus_file(tmp_path)), "--seed", "5", "--fraction", "0.25", "--out", str(sample)])
    _answer(sample)
    labels_b = sample / "labels_b.jsonl"
    lines = labels_b.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"label": "', '"label": "x', 1)
    labels_b.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["score", str(sample)]) == 1
    assert f"{labels_b}, line 3" in capsys.readouterr().err


def test_score_refuses_a_sample_with_unanswered_items(tmp_path):
    sample = tmp_path / "s"
    main(["sample", str(_corpus_file(tmp_path)), "--seed", "5", "--fraction", "0.25", "--out", str(sample)])
    _answer(sample)
    labels_a = sample / "labels_a.jsonl"
    labels_a.write_text("".join(labels_a.read_text(encoding="utf-8").splitlines(keepends=True)[1:]), encoding="utf-8")
    with pytest.raises(ValueError, match="have no second label"):
        score_sample(sample)


def test_every_recorded_relabel_is_in_the_corpus(tmp_path):
    recorded = sorted((ROOT / "seeds" / "agreement").glob("disagreements_*.jsonl"))
    assert recorded
    assert all(apply_resolutions(path, CORPUS) == [] for path in recorded)


def _resolved(tmp_path, resolution, text=None):
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True)
    lines = [{"text": "Kyiv accepted the truce.", "label": "supportive", "conflict": "X"},
             {"text": "Talks resumed on Monday.", "label": "supportive", "conflict": "X"}]
    (corpus / "r.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    disagreements = corpus.parent / "d.jsonl"
    disagreements.write_text(json.dumps({"file": "r.jsonl", "line": 2, "first": "supportive", "second": "neutral",
                                         "text": text or lines[1]["text"], "resolution": resolution}) + "\n",
                             encoding="utf-8")
    return corpus, disagreements


def test_apply_writes_a_relabel_and_its_reason_once(tmp_path, capsys):
    corpus, disagreements = _resolved(tmp_path, "relabelled neutral: reporting that talks happened")
    first_line = _lines(corpus / "r.jsonl")[0]
    assert main(["apply", str(disagreements), "--corpus", str(corpus)]) == 0
    assert "1 lines relabelled" in capsys.readouterr().out
    rows = [json.loads(line) for line in _lines(corpus / "r.jsonl")]
    assert (rows[1]["label"], rows[1]["note"]) == ("neutral", "reporting that talks happened (relabelled after the blind pass)")
    assert _lines(corpus / "r.jsonl")[0] == first_line
    assert apply_resolutions(disagreements, corpus) == []


def test_apply_leaves_kept_labels_and_refuses_a_changed_line(tmp_path):
    corpus, disagreements = _resolved(tmp_path, "kept supportive: the talks are the stance")
    before = (corpus / "r.jsonl").read_bytes()
    assert apply_resolutions(disagreements, corpus) == []
    assert (corpus / "r.jsonl").read_bytes() == before
    corpus, disagreements = _resolved(tmp_path / "other", "relabelled neutral: x", text="Another sentence.")
    with pytest.raises(ValueError, match=r"r\.jsonl, line 2: the text is not the one"):
        apply_resolutions(disagreements, corpus)
