"""Readers and writers: every input record becomes a document or an error naming its line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance import Document, SentenceStance, read_records, write_records
from stance.io import detect_format, read_csv, read_jsonl


def records_of(tmp_path, name: str, data: bytes, **kwargs):
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_records(path, **kwargs))


@pytest.mark.parametrize("name,expected", [("a.jsonl", "jsonl"), ("a.CSV", "csv"), ("a.txt", "text"),
                                           ("a", "text"), ("a.ndjson", "jsonl")],
                         ids=["jsonl", "csv-upper", "txt", "no-suffix", "ndjson"])
def test_detect_format(name, expected):
    assert detect_format(name) == expected


JSONL_CASES = [
    (b'{"id": "a", "text": "Truce now."}\n', None),
    (b'{"text": "No id here."}\n', None),
    (b'{"id": "a", "text": "Truce now."\n', "malformed JSON"),
    (b'["not", "an", "object"]\n', "expected a JSON object, got list"),
    (b'{"id": "a"}\n', "missing text field 'text'"),
    (b'{"text": null}\n', "is null"),
    (b'{"text": 42}\n', "is int"),
    (b'{"text": ["a"]}\n', "is list"),
    (b'{"text": "   "}\n', "empty document"),
    (b'{"text": "caf\xe9"}\n', "invalid UTF-8"),
    (b'{"text": "deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n", "nested too deeply"),
    (b'{"text": "big", "n": ' + b"9" * 5_000 + b"}\n", "malformed JSON: Exceeds the limit"),
]


@pytest.mark.parametrize("data,error", JSONL_CASES, ids=[
    "ok", "no-id", "malformed", "array", "missing-text", "null-text", "number-text", "list-text",
    "blank-text", "bad-utf8", "nested-too-deep", "huge-integer",
])
def test_jsonl_records(tmp_path, data, error):
    [record] = records_of(tmp_path, "in.jsonl", data)
    assert record.line_no == 1 and record.source.endswith("in.jsonl")
    if error is None:
        assert record.document is not None and record.error is None
    else:
        assert record.document is None and error in record.error


def test_jsonl_line_numbers_skip_blank_lines_but_count_them(tmp_path):
    data = b'{"text": "one"}\n\n\r\n{"text": 1}\n{"text": "three"}\r\n'
    records = records_of(tmp_path, "in.jsonl", data)
    assert [r.line_no for r in records] == [1, 4, 5]
    assert records[2].document.text == "three"
    assert records[0].document.id.endswith("in.jsonl:1")


def test_ids_that_are_not_strings_keep_their_json_spelling(tmp_path):
    data = b"".join(json.dumps({"id": value, "text": "Truce now."}).encode() + b"\n"
                    for value in (7, 1.5, False, {"a": 1}, ["x"]))
    assert [r.document.id for r in records_of(tmp_path, "ids.jsonl", data)] == [
        "7", "1.5", "false", '{"a": 1}', '["x"]']


def test_lone_cr_line_ends_split_jsonl_and_csv_records(tmp_path):
    jsonl = records_of(tmp_path, "mac.jsonl", b'{"text": "One."}\r{"text": "Two."}\r\r{broken\r{"text": "Four."}\r\n')
    assert [(r.line_no, r.document.text if r.document else r.error[:14]) for r in jsonl] == [
        (1, "One."), (2, "Two."), (4, "malformed JSON"), (5, "Four.")]
    rows = records_of(tmp_path, "mac.csv", b'id,text\ra,"Both sides\ragreed."\rb,Talks resume.\r')
    assert [(r.line_no, r.document.id, r.document.text) for r in rows] == [
        (2, "a", "Both sides\ragreed."), (4, "b", "Talks resume.")]


def test_bom_and_invalid_utf8_replace(tmp_path):
    [record] = records_of(tmp_path, "in.jsonl", b'\xef\xbb\xbf{"text": "ok"}\n')
    assert record.document.text == "ok"
    [record] = records_of(tmp_path, "in.jsonl", b'{"text": "caf\xe9"}\n', encoding_errors="replace")
    assert record.document.text == "caf\ufffd"
    [record] = records_of(tmp_path, "in.txt", b"caf\xe9 truce.", encoding_errors="replace")
    assert record.document.text == "caf\ufffd truce."


def test_invalid_utf8_after_a_bom_is_placed_in_the_file_not_in_the_stripped_text(tmp_path):
    [record] = records_of(tmp_path, "bom.txt", b"\xef\xbb\xbfa\n\xffTalks resume.\n")
    assert record.line_no == 2 and "at byte 5;" in record.error
    [record] = records_of(tmp_path, "bom.jsonl", b'\xef\xbb\xbf{"text": "caf\xe9"}\n')
    assert "at byte 16 of the line" in record.error


def test_text_files(tmp_path):
    [record] = records_of(tmp_path, "doc.txt", b"\xef\xbb\xbfLine one.\r\nLine two.\rEnd.")
    assert record.document.text == "Line one.\r\nLine two.\rEnd."
    assert record.document.id.endswith("doc.txt")
    [record] = records_of(tmp_path, "empty.txt", b"")
    assert record.error == "empty document"
    [record] = records_of(tmp_path, "bad.txt", b"ok\nstill ok\n\xff")
    assert "invalid UTF-8" in record.error and record.line_no == 3
    [record] = records_of(tmp_path, "nul.txt", b"Truce\x00 now.")
    assert record.document.text == "Truce\x00 now."


def test_missing_file_is_one_error(tmp_path):
    [record] = list(read_records(tmp_path / "absent.jsonl"))
    assert record.line_no == 0 and "cannot open" in record.error


def test_csv_records(tmp_path):
    big = "x " * 200_000  # larger than Python's default CSV field limit
    rows = [["id", "text"], ["a", "Line one.\nLine two, with \"quotes\"."], ["b", big], ["c"], ["d", ""]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    records = records_of(tmp_path, "in.csv", buffer.getvalue().encode())
    assert [r.line_no for r in records] == [2, 4, 5, 6]
    assert records[0].document == Document("a", "Line one.\nLine two, with \"quotes\".")
    assert records[1].document.text == big
    assert "fields" in records[2].error
    assert records[3].error == "empty document"


def test_csv_missing_column_fails_each_row(tmp_path):
    records = records_of(tmp_path, "in.csv", b"id,body\n1,hello\n2,there\n")
    assert [r.line_no for r in records] == [2, 3]
    assert all("no column 'text'" in r.error for r in records)


def test_csv_quote_left_open_is_an_error_naming_the_lines_it_swallowed(tmp_path):
    data = b'id,text\n1,"The UN called for a truce.\n2,Hamas rejected it.\n3,Talks resume.\n'
    [record] = records_of(tmp_path, "in.csv", data)
    assert record.line_no == 2 and record.document is None
    assert "unexpected end of data" in record.error and "lines 2-4" in record.error


def test_jsonl_lone_surrogate_escape_is_reported_or_replaced(tmp_path):
    data = b'{"id": "a", "text": "A truce \\ud83d now."}\n{"text": "fine"}\n'
    first, second = records_of(tmp_path, "in.jsonl", data)
    assert first.line_no == 1 and "surrogate" in first.error and second.document.text == "fine"
    first, _ = records_of(tmp_path, "in.jsonl", data, encoding_errors="replace")
    assert first.document.text == "A truce \ufffd now."
    first.document.text.encode("utf-8")


def test_csv_bad_utf8_spoils_one_row(tmp_path):
    records = records_of(tmp_path, "in.csv", b"text\ngood\nbad \xff\nfine\n")
    assert [r.error is None for r in records] == [True, False, True]
    records = records_of(tmp_path, "in.csv", b"text\nbad \xff\n", encoding_errors="replace")
    assert records[0].document.text == "bad \ufffd"


def _stance(doc_id, text, index=0):
    return SentenceStance(doc_id=doc_id, index=index, start=0, end=len(text), text=text, label="neutral",
                          probabilities={"conditional": 0.1, "neutral": 0.7, "opposed": 0.1, "supportive": 0.1})


LABELS = ("conditional", "neutral", "opposed", "supportive")
unicode_text = st.text(min_size=1, max_size=60).filter(lambda t: t.strip())


@given(st.lists(unicode_text, min_size=1, max_size=8))
def test_jsonl_round_trip(texts):
    buffer = io.StringIO()
    write_records([_stance(f"d{i}", t) for i, t in enumerate(texts)], buffer, format="jsonl", labels=LABELS)
    stream = io.BytesIO(buffer.getvalue().encode("utf-8"))
    back = list(read_jsonl(stream, source="mem", id_field="doc_id"))
    assert [r.document.text for r in back] == texts
    assert [r.document.id for r in back] == [f"d{i}" for i in range(len(texts))]


@given(st.lists(unicode_text.filter(lambda t: "\x00" not in t), min_size=1, max_size=8))
def test_csv_round_trip(texts):
    buffer = io.StringIO()
    write_records([_stance(f"d{i}", t) for i, t in enumerate(texts)], buffer, format="csv", labels=LABELS)
    stream = io.BytesIO(buffer.getvalue().encode("utf-8"))
    back = list(read_csv(stream, source="mem", id_field="doc_id"))
    assert [r.document.text for r in back] == texts


def test_csv_header_follows_labels():
    buffer = io.StringIO()
    write_records([_stance("d", "t")], buffer, format="csv", labels=LABELS)
    header = buffer.getvalue().split("\r\n")[0]
    assert header == "doc_id,index,start,end,label,p_conditional,p_neutral,p_opposed,p_supportive,text"


@pytest.mark.parametrize("per_document,first_column", [(False, "index"), (True, "n_sentences")])
def test_csv_with_no_records_still_has_its_header(per_document, first_column):
    buffer = io.StringIO()
    assert write_records([], buffer, format="csv", labels=LABELS, per_document=per_document) == 0
    assert buffer.getvalue().split(",")[:2] == ["doc_id", first_column] and buffer.getvalue().count("\r\n") == 1


def test_jsonl_is_plain_json():
    buffer = io.StringIO()
    write_records([_stance("d", "Ceasefire “now”")], buffer, labels=LABELS)
    data = json.loads(buffer.getvalue())
    assert data["text"] == "Ceasefire “now”" and data["probabilities"]["neutral"] == 0.7


def test_unknown_formats_are_refused(tmp_path):
    with pytest.raises(ValueError, match="format"):
        list(read_records(tmp_path / "x", format="xml"))
    with pytest.raises(ValueError, match="output format"):
        write_records([], io.StringIO(), format="xml", labels=LABELS)
