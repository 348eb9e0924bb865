"""Read documents from text, JSON Lines and CSV; write sentence records as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from .types import Document, DocumentSummary, Record, SentenceStance

__all__ = [
    "FORMATS",
    "detect_format",
    "read_csv",
    "read_jsonl",
    "read_records",
    "read_text",
    "write_csv",
    "write_jsonl",
    "write_records",
]

FORMATS = ("jsonl", "csv", "text")
STDIN = "-"
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def detect_format(path: str | os.PathLike[str]) -> str:
    """Return ``"jsonl"``, ``"csv"`` or ``"text"`` from a file name's suffix."""
    return _SUFFIXES.get(Path(path).suffix.lower(), "text")


def read_records(path: str | os.PathLike[str], *, format: str = "auto", text_field: str = "text",
                 id_field: str = "id", encoding_errors: str = "strict",
                 name: str | None = None) -> Iterator[Record]:
    """Stream the records of one input, never raising for a bad record.

    Parameters
    ----------
    path : str or path-like
        A file, or ``"-"`` for standard input.
    format : {"auto", "jsonl", "csv", "text"}, default "auto"
        ``"auto"`` picks by suffix (``.jsonl``, ``.csv``, anything else is text).
    text_field, id_field : str
        The JSONL key or CSV column holding the text and the document id.
    encoding_errors : {"strict", "replace"}, default "strict"
        ``"strict"`` reports invalid UTF-8 as a record error; ``"replace"``
        substitutes U+FFFD and scores the record.
    name : str, optional
        What records call their source, in default document ids and errors; by
        default ``path`` as given (``"<stdin>"`` for standard input).

    Yields
    ------
    Record
        One per input record, with ``document`` set or ``error`` explaining why not.
        A file that cannot be opened yields a single error record (line 0).
    """
    if format == "auto":
        format = "text" if str(path) == STDIN else detect_format(path)
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS} or 'auto', got {format!r}.")
    if encoding_errors not in ("strict", "replace"):
        raise ValueError(f"encoding_errors must be 'strict' or 'replace', got {encoding_errors!r}.")
    source = name if name is not None else "<stdin>" if str(path) == STDIN else _replace_surrogates(os.fspath(path), "backslashreplace")
    try:
        stream = sys.stdin.buffer if str(path) == STDIN else open(path, "rb")
    except OSError as exc:
        yield Record(source, 0, error=f"cannot open file: {exc.strerror or exc}")
        return
    try:
        if format == "jsonl":
            yield from read_jsonl(stream, source=source, text_field=text_field, id_field=id_field,
                                  encoding_errors=encoding_errors)
        elif format == "csv":
            yield from read_csv(stream, source=source, text_field=text_field, id_field=id_field,
                                encoding_errors=encoding_errors)
        else:
            yield from read_text(stream, source=source, encoding_errors=encoding_errors)
    except OSError as exc:
        yield Record(source, 0, error=f"read failed: {exc.strerror or exc}")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def read_text(stream: BinaryIO, *, source: str, encoding_errors: str = "strict") -> Iterator[Record]:
    """Yield the whole stream as one document whose id is ``source``."""
    data = stream.read()
    text, error = _decode(data, encoding_errors)
    if error is not None:
        line_no = data[: error].count(b"\n") + 1
        yield Record(source, line_no, error=f"invalid UTF-8 at byte {error}; use --encoding-errors replace")
    elif not text.strip():
        yield Record(source, 1, error="empty document")
    else:
        yield Record(source, 1, document=Document(source, text))


def read_jsonl(stream: BinaryIO, *, source: str, text_field: str = "text", id_field: str = "id",
               encoding_errors: str = "strict") -> Iterator[Record]:
    """Yield one record per non-blank line of a JSON Lines stream."""
    for line_no, raw in enumerate(_lines(stream), start=1):
        line, error = _decode(raw, encoding_errors)
        if error is not None:
            yield Record(source, line_no, error=f"invalid UTF-8 at byte {error} of the line")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(source, line_no, error=f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield Record(source, line_no, error="malformed JSON: arrays or objects nested too deeply")
            continue
        except ValueError as exc:  # the json module's other refusals, such as an integer of 5,000 digits
            yield Record(source, line_no, error=f"malformed JSON: {str(exc).split(';')[0]}")
            continue
        if not isinstance(obj, dict):
            yield Record(source, line_no, error=f"expected a JSON object, got {type(obj).__name__}")
            continue
        text, doc_id = obj.get(text_field, _MISSING), obj.get(id_field)
        # JSON may escape a lone UTF-16 surrogate ("\ud83d"), which no UTF-8 writer can encode;
        # only a \u escape can make one, so most lines skip the scan.
        if "\\u" in line and any(isinstance(value, str) and _LONE_SURROGATE.search(value)
                                  for value in (text, doc_id)):
            if encoding_errors == "strict":
                yield Record(source, line_no, error="an unpaired surrogate escape (such as \\ud83d) in the text "
                             "or id; use --encoding-errors replace")
                continue
            text, doc_id = (_LONE_SURROGATE.sub("\ufffd", value) if isinstance(value, str) else value
                            for value in (text, doc_id))
        yield _make_record(text, doc_id, source, line_no, text_field, default_id=f"{source}:{line_no}")


def read_csv(stream: BinaryIO, *, source: str, text_field: str = "text", id_field: str = "id",
             encoding_errors: str = "strict") -> Iterator[Record]:
    """Yield one record per CSV row; the first row is the header."""
    _allow_large_csv_fields()
    # Decode line by line with surrogateescape so one bad byte spoils one row, not the file.
    lines = (_strip_bom(raw.decode("utf-8", "surrogateescape"), i) for i, raw in enumerate(_lines(stream)))
    # strict: a quote left open must be an error, not a field that swallows the rest of the file.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield Record(source, 1, error=f"malformed CSV header: {exc}")
        return
    columns = {name: index for index, name in enumerate(header)}
    line_no = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            spanned = (f" (lines {line_no}-{reader.line_num} were read as this one record)"
                       if reader.line_num > line_no else "")
            yield Record(source, line_no, error=f"malformed CSV: {exc}{spanned}")
            line_no = reader.line_num + 1
            continue
        start, line_no = line_no, reader.line_num + 1
        if not row:
            continue
        if text_field not in columns:
            yield Record(source, start, error=f"no column {text_field!r} in the header {header}")
            continue
        if len(row) != len(header):
            yield Record(source, start, error=f"row has {len(row)} fields, the header has {len(header)}")
            continue
        text = row[columns[text_field]]
        doc_id = row[columns[id_field]] if id_field in columns else None
        if _has_surrogates(text) or (doc_id is not None and _has_surrogates(doc_id)):
            if encoding_errors == "strict":
                yield Record(source, start, error="invalid UTF-8 in the row; use --encoding-errors replace")
                continue
            text = _replace_surrogates(text)
            doc_id = _replace_surrogates(doc_id) if doc_id is not None else None
        yield _make_record(text, doc_id, source, start, text_field, default_id=f"{source}:{start}")


_MISSING = object()
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_AFTER_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a byte stream, each with its end: ``\n``, ``\r\n`` or a lone ``\r`` (old Mac exports)."""
    for raw in stream:
        if b"\r" in raw:
            yield from (piece for piece in _AFTER_LONE_CR.split(raw) if piece)
        else:
            yield raw



def _make_record(text: object, doc_id: object, source: str, line_no: int, text_field: str, *,
                 default_id: str) -> Record:
    if text is _MISSING:
        return Record(source, line_no, error=f"missing text field {text_field!r}")
    if not isinstance(text, str):
        kind = "null" if text is None else type(text).__name__
        return Record(source, line_no, error=f"text field {text_field!r} is {kind}, expected a string")
    if not text.strip():
        return Record(source, line_no, error="empty document")
    if doc_id is None or doc_id == "":
        doc_id = default_id
    # A JSON id that is not a string keeps its JSON spelling (true, {"a": 1}), not Python's.
    doc_id = doc_id if isinstance(doc_id, str) else json.dumps(doc_id, ensure_ascii=False)
    return Record(source, line_no, document=Document(doc_id, text))


def _decode(data: bytes, errors: str) -> tuple[str, int | None]:
    """Return ``(text, None)``, or ``("", byte_offset)`` for invalid UTF-8 under strict."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if errors == "replace":
            return data[bom:].decode("utf-8", "replace"), None
        return "", bom + exc.start


def _strip_bom(line: str, index: int) -> str:
    return line[1:] if index == 0 and line.startswith("\ufeff") else line


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _replace_surrogates(value: str, errors: str = "replace") -> str:
    """Undo ``surrogateescape``: the bytes it kept become U+FFFD (or ``\\xff`` with ``backslashreplace``)."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", errors)
    except UnicodeEncodeError:  # a surrogate that no decoding with surrogateescape makes
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _allow_large_csv_fields() -> None:
    limit = sys.maxsize
    while True:  # sys.maxsize overflows a C long on some platforms
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def write_jsonl(items: Iterable[SentenceStance | DocumentSummary], stream: TextIO) -> int:
    """Write one JSON object per line; return how many were written."""
    count = 0
    for item in items:
        stream.write(json.dumps(item.to_dict(), ensure_ascii=False))
        stream.write("\n")
        count += 1
    return count


def write_csv(items: Iterable[SentenceStance | DocumentSummary], stream: TextIO, *,
              labels: Sequence[str], per_document: bool = False) -> int:
    """Write a header and one row per item; return how many rows were written.

    Sentence columns: ``doc_id,index,start,end,label,p_<label>...,text``. Summary
    columns: ``doc_id,n_sentences,n_<label>...,mean_p_<label>...``. The first item
    decides which; with no item at all, ``per_document`` does, so that an empty
    result is still a CSV file with its header.
    """
    # RFC 4180 line ends: the writer then quotes any field holding a CR or LF.
    writer = csv.writer(stream, lineterminator="\r\n")
    count = 0
    header_written = False
    for item in items:
        if not header_written:
            writer.writerow(_csv_header(isinstance(item, DocumentSummary), labels))
            header_written = True
        if isinstance(item, SentenceStance):
            writer.writerow([item.doc_id, item.index, item.start, item.end, item.label,
                             *(repr(float(item.probabilities[label])) for label in labels), item.text])
        else:
            writer.writerow([item.doc_id, item.n_sentences, *(item.counts[label] for label in labels),
                             *(repr(float(item.mean_probabilities[label])) for label in labels)])
        count += 1
    if not header_written:
        writer.writerow(_csv_header(per_document, labels))
    return count


def _csv_header(summaries: bool, labels: Sequence[str]) -> list[str]:
    if not summaries:
        return ["doc_id", "index", "start", "end", "label", *(f"p_{label}" for label in labels), "text"]
    return ["doc_id", "n_sentences", *(f"n_{label}" for label in labels),
            *(f"mean_p_{label}" for label in labels)]


def write_records(items: Iterable[SentenceStance | DocumentSummary], stream: TextIO, *,
                  format: str = "jsonl", labels: Sequence[str], per_document: bool = False) -> int:
    """Write sentence records or document summaries to a text stream.

    Parameters
    ----------
    items : iterable of SentenceStance or DocumentSummary
        Written as they come, so an endless iterable streams.
    stream : text file
        Opened with ``newline=""`` for CSV.
    format : {"jsonl", "csv"}, default "jsonl"
        One JSON object per line, or a header and one row per item.
    labels : sequence of str
        The model's labels, which name the CSV probability columns.
    per_document : bool, default False
        Whether the items are document summaries: names the CSV columns when there
        is no item to take them from.

    Returns
    -------
    int
        How many items were written.
    """
    if format == "jsonl":
        return write_jsonl(items, stream)
    if format == "csv":
        return write_csv(items, stream, labels=labels, per_document=per_document)
    raise ValueError(f"output format must be 'jsonl' or 'csv', got {format!r}.")
