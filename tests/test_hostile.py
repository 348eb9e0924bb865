"""Hostile input from docs/reliability.md: each row of its table has a test here or is named there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest

from stance import split_sentences
from stance.cli import main
from stance.segment import MAX_SENTENCE_CHARS


def score(tmp_path, capsys, name: str, data: bytes, *extra: str):
    source = tmp_path / name
    source.write_bytes(data)
    code = main(["score", str(source), *extra])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_50mb_line_without_punctuation_is_cut_into_bounded_pieces():
    text = "ceasefire " * 5_000_000  # 50 MB, one line, no punctuation
    tracemalloc.start()
    spans = split_sentences(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert max(s.end - s.start for s in spans) <= MAX_SENTENCE_CHARS
    assert len(spans) >= len(text) // MAX_SENTENCE_CHARS
    assert peak < 40 * len(spans) * 8 + 10_000_000  # spans only, no copies of the text


def test_a_long_line_is_scored_in_pieces(tmp_path, capsys):
    code, rows, _ = score(tmp_path, capsys, "long.txt", b"truce talks " * 100_000, "-q")
    assert code == 0
    assert len(rows) >= 1_200_000 // MAX_SENTENCE_CHARS
    assert all(len(r["text"]) <= MAX_SENTENCE_CHARS for r in rows)


@pytest.mark.parametrize("name,data", [
    ("empty.txt", b""), ("blank.txt", b" \n\t\r\n "), ("empty.jsonl", b""), ("blank.jsonl", b"\n \n\r\n"),
    ("empty.csv", b""), ("header-only.csv", b"id,text\n"),
], ids=["empty-text", "blank-text", "empty-jsonl", "blank-jsonl", "empty-csv", "header-only-csv"])
def test_empty_inputs(tmp_path, capsys, name, data):
    code, rows, err = score(tmp_path, capsys, name, data)
    assert rows == []
    if name.endswith(".txt"):  # a text file is one document, so an empty one is a failed record
        assert code == 1 and "empty document" in err
    else:  # no records at all: nothing failed
        assert code == 0 and "0 documents" in err


def test_nul_bytes_and_control_characters_are_scored(tmp_path, capsys):
    record = json.dumps({"id": "n", "text": "Truce\x00 now\x07. Talks\x1b resume."}).encode() + b"\n"
    code, rows, _ = score(tmp_path, capsys, "nul.jsonl", record, "-q")
    assert code == 0 and [r["text"] for r in rows] == ["Truce\x00 now\x07.", "Talks\x1b resume."]


def test_crlf_and_lone_cr(tmp_path, capsys):
    code, rows, _ = score(tmp_path, capsys, "crlf.txt", b"Truce holds\r\nThe guns fell silent.\rTalks go on.", "-q")
    text = "Truce holds\r\nThe guns fell silent.\rTalks go on."
    assert code == 0
    assert [r["text"] for r in rows] == ["Truce holds", "The guns fell silent.", "Talks go on."]
    assert all(text[r["start"]:r["end"]] == r["text"] for r in rows)


def test_a_file_name_that_is_not_utf8_is_escaped_in_ids_and_error_reports(tmp_path, capsys):
    name = os.fsdecode(b"bad\xffname.txt")
    (tmp_path / name).write_bytes(b"We call for a ceasefire.")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    code = main(["score", str(tmp_path / name), str(tmp_path / os.fsdecode(b"gone\xff.txt")),
                 "-o", str(out), "--errors", str(errors), "-q"])
    assert code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["doc_id"] == str(tmp_path / "bad\\xffname.txt")
    assert json.loads(errors.read_text(encoding="utf-8"))["source"] == str(tmp_path / "gone\\xff.txt")
    assert "gone\\xff.txt:0: cannot open file" in capsys.readouterr().err


def test_invalid_utf8_can_be_replaced(tmp_path, capsys):
    code, rows, err = score(tmp_path, capsys, "bad.txt", b"Caf\xe9 talks failed.", "-q")
    assert code == 1 and rows == [] and "invalid UTF-8 at byte 3" in err
    code, rows, _ = score(tmp_path, capsys, "bad.txt", b"Caf\xe9 talks failed.", "-q", "--encoding-errors", "replace")
    assert code == 0 and rows[0]["text"] == "Caf\ufffd talks failed."


def test_binary_junk_is_reported_not_crashed_on(tmp_path, capsys):
    junk = bytes(range(256)) * 50
    code, rows, err = score(tmp_path, capsys, "junk.jsonl", junk)
    assert code == 1 and rows == [] and "junk.jsonl:" in err


def test_unreadable_input_is_one_error_and_others_still_score(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("We call for an immediate ceasefire.", encoding="utf-8")
    code = main(["score", str(tmp_path / "absent.txt"), str(good)])
    out, err = capsys.readouterr()
    assert code == 1 and "absent.txt:0: cannot open file" in err and len(out.splitlines()) == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupted_runs_leave_no_file(tmp_path, seed_text, sig):
    source = tmp_path / "big.jsonl"
    source.write_text((json.dumps({"text": seed_text}) + "\n") * 20000, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "stance", "score", str(source), "-o", "out.jsonl"],
                               stderr=subprocess.PIPE, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.jsonl.part") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + sig and b"interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]


def test_a_reader_that_goes_away_is_not_an_error(tmp_path, seed_text):
    source = tmp_path / "many.jsonl"
    source.write_text((json.dumps({"text": seed_text}) + "\n") * 2000, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "stance", "score", str(source), "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = process.stdout.readline()
    process.stdout.close()  # like `stance score ... | head -1`
    _, err = process.communicate(timeout=120)
    assert json.loads(first)["index"] == 0
    assert process.returncode == 0 and b"Traceback" not in err
