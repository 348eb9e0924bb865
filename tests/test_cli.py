"""The command line, called in-process through ``main(argv)`` and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import stance
from stance.cli import main

from .conftest import SEED_TEXT


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_score_seed_article(capsys, seed_text, seed_gold):
    code, out, err = run(capsys, "score", str(SEED_TEXT))
    assert code == 0
    rows = jsonl(out)
    assert [(r["start"], r["end"]) for r in rows] == [(g["start"], g["end"]) for g in seed_gold]
    assert all(seed_text[r["start"]:r["end"]] == r["text"] for r in rows)
    assert "1 document, 22 records written, 0 failed" in err


def test_bad_records_are_reported_and_the_rest_scored(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "a", "text": "The truce collapsed."}\n{"id": "b"\n'
                       b'{"id": "c", "text": 5}\n{"id": "d", "text": "We demand a ceasefire now."}\n')
    errors = tmp_path / "errors.jsonl"
    code, out, err = run(capsys, "score", str(source), "--errors", str(errors), "-q")
    assert code == 1
    assert [r["doc_id"] for r in jsonl(out)] == ["a", "d"]
    assert f"{source}:2: malformed JSON" in err and f"{source}:3: text field 'text' is int" in err
    assert [(e["line"], e["source"]) for e in jsonl(errors.read_text())] == [(2, str(source)), (3, str(source))]
    code, out, err = run(capsys, "score", str(source), "--errors", str(errors), "-q")
    assert code == 1 and out == "" and "already exists" in err  # the error report follows -o's --force rule
    code, out, _ = run(capsys, "score", str(source), "--errors", str(errors), "--force", "-q")
    assert code == 1 and [r["doc_id"] for r in jsonl(out)] == ["a", "d"]


def test_csv_in_csv_out(capsys, tmp_path, model):
    source = tmp_path / "in.csv"
    source.write_text('id,body\n1,"Both sides agreed to a truce. Shelling stopped."\n', encoding="utf-8")
    code, out, _ = run(capsys, "score", str(source), "--text-field", "body", "--output-format", "csv", "-q")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "doc_id,index,start,end,label," + ",".join(f"p_{l}" for l in model.labels) + ",text"
    assert len(lines) == 3 and lines[1].startswith("1,0,0,29,")


def test_output_file_is_refused_without_force(capsys, tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("keep me")
    code, _, err = run(capsys, "score", str(SEED_TEXT), "-o", str(target))
    assert code == 1 and "--force" in err and target.read_text() == "keep me"
    code, _, _ = run(capsys, "score", str(SEED_TEXT), "-o", str(target), "--force", "-q")
    assert code == 0 and len(jsonl(target.read_text())) == 22
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_unwritable_output_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "score", str(SEED_TEXT), "-o", str(tmp_path / "missing-dir" / "out.jsonl"))
    assert code == 1 and "Cannot write output file" in err


@pytest.mark.parametrize("output,extra,message", [
    ("folder", ["--force"], "names a folder"),
    ("new-folder/", [], "names a folder"),
    ("", ["--force"], "output path is empty"),
    ("out.parquet", [], "parquet needs --scheduler"),
    ("same.jsonl", ["--errors", "same.jsonl"], "--errors and -o both name"),
], ids=["existing-folder", "trailing-slash", "empty", "parquet-suffix", "same-as-errors"])
def test_output_paths_that_cannot_work_are_refused_before_scoring(capsys, tmp_path, monkeypatch, output, extra,
                                                                  message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    code, out, err = run(capsys, "score", str(SEED_TEXT), "-o", output, *extra, "-q")
    assert code == 1 and out == "" and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_standard_input_named_twice_is_refused(capsys):
    code, out, err = run(capsys, "score", "-", "-", "-q")
    assert code == 1 and out == "" and "named more than once" in err


def test_per_document_summaries(capsys, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": "One. Two. Three."}\n', encoding="utf-8")
    code, out, _ = run(capsys, "score", str(source), "--per-document", "-q")
    [summary] = jsonl(out)
    assert summary["doc_id"] == "x" and summary["n_sentences"] == 3
    assert sum(summary["counts"].values()) == 3


def test_exclude_neutral_and_abstain(capsys):
    code, out, _ = run(capsys, "score", str(SEED_TEXT), "--exclude-neutral", "-q")
    assert code == 0 and "neutral" not in {r["label"] for r in jsonl(out)}
    code, out, _ = run(capsys, "score", str(SEED_TEXT), "--min-confidence", "1", "-q")
    records = jsonl(out)
    assert all(r["label"] == "neutral" or max(r["probabilities"].values()) == 1.0 for r in records)
    assert any(r["label"] == "neutral" and max(r["probabilities"].values()) > 0.9 for r in records)
    code, _, err = run(capsys, "score", str(SEED_TEXT), "--exclude-neutral", "--min-confidence", "0.5", "-q")
    assert code == 1 and "--exclude-neutral" in err and err.count("\n") == 1


def test_explain_decides_as_score_does(capsys, model):
    sentence = "Talks resume on Monday."
    code, out, _ = run(capsys, "explain", sentence, "--json", "--exclude-neutral")
    explained = jsonl(out)[0]
    expected = model.score_document(sentence, labels=["supportive", "conditional", "opposed"])[0]
    assert code == 0 and explained["label"] == expected.label != "neutral"
    assert explained["probabilities"]["neutral"] == 0
    code, out, _ = run(capsys, "explain", "The rebels accepted the truce.", "--json", "--min-confidence", "1")
    unsure = jsonl(out)[0]
    assert code == 0 and (unsure["label"] == "neutral" or max(unsure["probabilities"].values()) == 1.0)
    code, _, err = run(capsys, "explain", sentence, "--exclude-neutral", "--min-confidence", "0.5")
    assert code == 1 and "--exclude-neutral" in err


def test_jobs_two_equals_jobs_one(capsys, tmp_path, seed_text):
    source = tmp_path / "in.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for i in range(40):
            handle.write(json.dumps({"id": i, "text": seed_text[i * 50:]}) + "\n")
    _, one, _ = run(capsys, "score", str(source), "-j", "1", "-q")
    _, two, _ = run(capsys, "score", str(source), "-j", "2", "-b", "7", "-q")
    assert one == two and len(jsonl(one)) > 40


def test_stdin(monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The guns must fall silent now.")))
    code, out, _ = run(capsys, "score", "-", "-q")
    assert code == 0 and jsonl(out)[0]["doc_id"] == "<stdin>"


def test_explain_info_version(capsys, model):
    code, out, _ = run(capsys, "explain", "The army rejected the truce.", "--json")
    assert code == 0 and jsonl(out)[0]["label"] in model.labels
    code, out, _ = run(capsys, "explain", "The army rejected the truce.")
    assert code == 0 and "word__" in out
    code, out, _ = run(capsys, "info")
    assert code == 0 and "macro-F1" in out and "conditional" in out
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and stance.__version__ in capsys.readouterr().out


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    for bad, expected in ((["--jobs", "many"], "--jobs: expected a whole number, got 'many'"),
                          (["--batch-size", "x"], "--batch-size: expected a whole number, got 'x'"),
                          (["--min-confidence", "x"], "expected a probability from 0 to 1, got 'x'")):
        with pytest.raises(SystemExit) as exit_info:
            main(["score", *bad])
        assert exit_info.value.code == 2 and expected in capsys.readouterr().err
    for bad in (["--batch-size", "0"], ["--jobs", "0"], ["--min-confidence", "1.5"], ["--min-confidence", "-0.1"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["score", *bad])
        assert exit_info.value.code == 2, bad


def test_jobs_are_capped_at_one_process_per_core(capsys, monkeypatch, tmp_path):
    import stance.cli

    monkeypatch.setattr(stance.cli, "cpu_count", lambda: 2)
    used = []
    real = stance.StanceModel.score_documents

    def spy(self, documents, **kwargs):
        used.append(kwargs["n_jobs"])
        return real(self, documents, **kwargs)

    monkeypatch.setattr(stance.StanceModel, "score_documents", spy)
    source = tmp_path / "in.txt"
    source.write_text("The truce collapsed.\n")
    code, out, err = run(capsys, "score", str(source), "--jobs", "64")
    assert code == 0 and len(jsonl(out)) == 1
    assert "--jobs 64 is more than this machine's 2 cores; using 2." in err
    assert run(capsys, "score", str(source), "--jobs", "-1", "-q")[0] == 0
    assert used == [2, 2]
    code, out, err = run(capsys, "score", str(source), "--jobs", "-3")
    assert code == 1 and out == "" and "--jobs -3 leaves no worker on this machine's 2 cores" in err


def test_bad_model_is_one_line(capsys, tmp_path):
    (tmp_path / "m.json").write_text("{}")
    code, _, err = run(capsys, "info", "--model", str(tmp_path / "m"))
    assert code == 1 and err.startswith("stance: ModelLoadError:") and err.count("\n") == 1


def test_train_command(capsys, tmp_path, corpus):
    source = tmp_path / "corpus.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for text, label, conflict in list(zip(corpus.texts, corpus.labels, corpus.conflicts))[::20]:
            handle.write(json.dumps({"text": text, "label": label, "conflict": conflict}) + "\n")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 0 and "macro-F1" in err
    assert stance.load(tmp_path / "m").manifest["training_data"]["n_sentences"] == len(corpus.texts[::20])


def test_train_errors_name_the_file_and_line(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--seeds", str(tmp_path / "absent"), "-o", str(tmp_path / "m"))
    assert code == 1 and "absent" in err and err.count("\n") == 1
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b'{"text": "ok", "label": "neutral", "conflict": "a"}\n{"text": "caf\xe9"}\n')
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 1 and "bad.jsonl:2:" in err and "UTF-8" in err


def test_train_on_one_conflict_or_too_few_sentences_says_why(capsys, tmp_path):
    source = tmp_path / "one.jsonl"
    # Every word is in both sentences, but no pair of words two apart is.
    texts = ("shelling stopped overnight", "overnight stopped shelling")
    lines = [{"text": text, "label": label, "conflict": "only"} for text, label in zip(texts, ("neutral", "supportive"))]
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 1 and "at least two conflicts" in err and "--no-eval" in err and err.count("\n") == 1
    episodes = [{**line, "conflict": conflict} for line, conflict in zip(lines, ("Syria", "Syria-Idlib 2019-20"))]
    source.write_text("".join(json.dumps(line) + "\n" for line in episodes), encoding="utf-8")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 1 and "at least two conflicts" in err and "'Syria'" in err
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"), "--no-eval")
    assert code == 1 and "Too few sentences (2)" in err and "pairs_min_df=2" in err and err.count("\n") == 1
    assert not (tmp_path / "m.json").exists()
    source.write_text(json.dumps({**lines[0], "conflict": "other"}) + "\n" + json.dumps(lines[0]) + "\n",
                      encoding="utf-8")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 1 and "at least two labels" in err and "['neutral']" in err
    source.write_text("\n", encoding="utf-8")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 1 and "no labelled sentences" in err


def test_train_on_two_labels(capsys, tmp_path):
    source = tmp_path / "two.jsonl"
    texts = ["we reject the truce", "no ceasefire ever", "we welcome the truce", "stop the war now"]
    with open(source, "w", encoding="utf-8") as handle:
        for i in range(40):
            label = "opposed" if i % 4 < 2 else "supportive"
            handle.write(json.dumps({"text": f"{texts[i % 4]} {i}", "label": label, "conflict": f"c{i % 5}"}) + "\n")
    code, _, err = run(capsys, "train", "--seeds", str(source), "-o", str(tmp_path / "m"))
    assert code == 0, err
    assert stance.load(tmp_path / "m").labels == ("opposed", "supportive")


def test_python_dash_m(tmp_path):
    result = subprocess.run([sys.executable, "-m", "stance", "score", str(SEED_TEXT), "-q"],
                            capture_output=True, text=True, cwd=tmp_path, env={**os.environ}, timeout=120)
    assert result.returncode == 0 and len(jsonl(result.stdout)) == 22


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_command_exits_with_everything_written_and_its_code(tmp_path, jobs):
    # One job ends the process without interpreter teardown, two wait for their workers:
    # either way every record is out, in files and on pipes, and the exit code is main's.
    documents = [{"id": str(i), "text": f"Talks resumed on day {i}. Both sides want a truce now."} for i in range(300)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in documents) + "{broken\n", encoding="utf-8")
    command = [sys.executable, "-m", "stance", "score", str(source), "-q", "-j", jobs, "-b", "16"]
    piped = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    written = subprocess.run([*command, "-o", "out.jsonl", "--errors", "errors.jsonl"], capture_output=True,
                             text=True, cwd=tmp_path, timeout=300)
    assert piped.returncode == written.returncode == 1
    assert len(jsonl(piped.stdout)) == len(jsonl((tmp_path / "out.jsonl").read_text())) == 600
    assert f"{source}:301: malformed JSON" in piped.stderr
    assert [e["line"] for e in jsonl((tmp_path / "errors.jsonl").read_text())] == [301]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["errors.jsonl", "in.jsonl", "out.jsonl"]
