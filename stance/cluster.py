"""Score documents on a Dask cluster: dataframes, bags, and partitioned files.

Needs the ``dask`` extra: ``pip install "ceasefire-stance[dask]"``. Every worker
loads the model once (from a path it can read) and keeps it for later tasks, keyed by
the checksum of its weights, so weights never travel with tasks and a model saved again
under the same path is reloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import replaced_on_success
from ._parallel import chunked
from .io import read_records, write_records
from .types import Document, DocumentSummary, SentenceStance

__all__ = ["PartitionResult", "score_bag", "score_dataframe", "score_files"]


def _model_path(model_path: str | os.PathLike[str] | None) -> str | None:
    # Resolved on the client: a worker's working directory is not the caller's.
    return None if model_path is None else str(Path(model_path).resolve())


def _model(model_path: str | None):
    from ._parallel import load_saved
    from ._resources import default_model_path

    return load_saved(str(model_path) if model_path is not None else str(default_model_path()))


def _labels(model_path: str | None) -> tuple[str, ...]:
    return _model(model_path).labels


def _sentence_row(record: SentenceStance) -> dict[str, Any]:
    row: dict[str, Any] = {"doc_id": record.doc_id, "index": record.index, "start": record.start,
                           "end": record.end, "label": record.label}
    row.update({f"p_{label}": float(p) for label, p in record.probabilities.items()})
    row["text"] = record.text
    return row


def _summary_row(summary: DocumentSummary) -> dict[str, Any]:
    row: dict[str, Any] = {"doc_id": summary.doc_id, "n_sentences": summary.n_sentences}
    row.update({f"n_{label}": int(n) for label, n in summary.counts.items()})
    row.update({f"mean_p_{label}": float(p) for label, p in summary.mean_probabilities.items()})
    return row


def _scored_items(model, documents: Sequence[Document], labels, min_confidence,
                  per_document: bool) -> Iterator[SentenceStance | DocumentSummary]:
    for document, records in zip(documents, model._score_batch(documents, labels, min_confidence)):
        if per_document:
            yield model.summarize(records, doc_id=document.id)
        else:
            yield from records


def _rows(model, documents: Sequence[Document], labels, min_confidence, per_document: bool) -> list[dict]:
    flatten = _summary_row if per_document else _sentence_row
    return [flatten(item) for item in _scored_items(model, documents, labels, min_confidence, per_document)]


def _meta(model_labels: Sequence[str], per_document: bool):
    import pandas as pd

    if per_document:
        columns = {"doc_id": "object", "n_sentences": "int64"}
        columns.update({f"n_{label}": "int64" for label in model_labels})
        columns.update({f"mean_p_{label}": "float64" for label in model_labels})
    else:
        columns = {"doc_id": "object", "index": "int64", "start": "int64", "end": "int64", "label": "object"}
        columns.update({f"p_{label}": "float64" for label in model_labels})
        columns["text"] = "object"
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def score_dataframe(frame, *, text_column: str = "text", id_column: str | None = None,
                    per_document: bool = False, model_path: str | os.PathLike[str] | None = None,
                    labels: Sequence[str] | None = None, min_confidence: float = 0.0):
    """Score a text column of a Dask DataFrame, partition by partition.

    Parameters
    ----------
    frame : dask.dataframe.DataFrame
        One document per row.
    text_column : str, default "text"
        The column holding the text.
        Missing texts (``None``, ``NaN``) are empty documents: no sentence rows,
        and a summary row with ``n_sentences`` 0.
    id_column : str, optional
        The column holding document ids; by default the row index, as a string.
    per_document : bool, default False
        Return one summary row per document instead of one row per sentence.
    model_path : path-like, optional
        A model every worker can read (a relative path is resolved here, against
        the caller's working directory); ``None`` uses the weights shipped with the
        package installed on the workers.
    labels, min_confidence
        As in :meth:`stance.StanceModel.score_document`.

    Returns
    -------
    dask.dataframe.DataFrame
        Sentence rows (``doc_id, index, start, end, label, p_<label>..., text``) or
        summary rows (``doc_id, n_sentences, n_<label>..., mean_p_<label>...``), in
        partition order.
    """
    path = _model_path(model_path)
    meta = _meta(_labels(path), per_document)

    def score_partition(partition):
        import pandas as pd

        ids = partition[id_column] if id_column else partition.index
        texts = partition[text_column].fillna("")  # None and NaN: empty documents, not failed partitions
        documents = [Document(str(i), t) for i, t in zip(ids, texts)]
        rows = _rows(_model(path), documents, labels, min_confidence, per_document)
        return pd.DataFrame(rows, columns=list(meta.columns)).astype(meta.dtypes.to_dict())

    return frame.map_partitions(score_partition, meta=meta)


def score_bag(bag, *, per_document: bool = False, model_path: str | os.PathLike[str] | None = None,
              labels: Sequence[str] | None = None, min_confidence: float = 0.0):
    """Score a Dask Bag of :class:`~stance.Document` (or ``str``) into a bag of row dicts.

    Parameters
    ----------
    bag : dask.bag.Bag
        Documents, or texts without ids.
    per_document : bool, default False
        Return one summary dict per document instead of one per sentence.
    model_path, labels, min_confidence
        As in :func:`score_dataframe`.

    Returns
    -------
    dask.bag.Bag
        Dicts with the fields of the command's JSONL output (flattened probabilities
        ``p_<label>``), or the summary fields with ``per_document=True``.
    """
    path = _model_path(model_path)

    def score_partition(items):
        documents = [d if isinstance(d, Document) else Document(None, d) for d in items]
        return _rows(_model(path), documents, labels, min_confidence, per_document)

    return bag.map_partitions(score_partition)


@dataclass(frozen=True, slots=True)
class PartitionResult:
    """What one input file became on the cluster."""

    source: str
    output: str
    n_documents: int
    n_records: int
    errors: tuple[tuple[int, str], ...]


def _score_file(source: str, name: str, output: str, options: dict[str, Any]) -> PartitionResult:
    model = _model(options["model_path"])
    errors: list[tuple[int, str]] = []
    counts = {"documents": 0}

    def documents():
        for record in read_records(source, format=options["format"], text_field=options["text_field"],
                                   id_field=options["id_field"], encoding_errors=options["encoding_errors"],
                                   name=name):
            if record.document is None:
                errors.append((record.line_no, record.error))
            else:
                counts["documents"] += 1
                yield record.document

    def items():
        for chunk in chunked(documents(), options["batch_size"]):
            yield from _scored_items(model, chunk, options["labels"], options["min_confidence"],
                                     options["per_document"])

    with replaced_on_success(output) as temporary:
        if options["output_format"] == "parquet":
            n_records = _write_parquet(items(), temporary, options["per_document"])
        else:
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                n_records = write_records(items(), handle, format=options["output_format"], labels=model.labels,
                                          per_document=options["per_document"])
    return PartitionResult(name, output, counts["documents"], n_records, tuple(errors))


def _write_parquet(items: Iterable[SentenceStance | DocumentSummary], path: Path, per_document: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flatten = _summary_row if per_document else _sentence_row
    rows = [flatten(item) for item in items]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return len(rows)


def score_files(address_or_client, inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str], *,
                model_path: str | os.PathLike[str] | None = None, format: str = "auto",
                output_format: str = "jsonl", text_field: str = "text", id_field: str = "id",
                encoding_errors: str = "strict", per_document: bool = False, batch_size: int = 256,
                labels: Sequence[str] | None = None, min_confidence: float = 0.0) -> list[PartitionResult]:
    """Score each input file as one task on a Dask cluster; write one output file per input.

    Workers read the inputs and write ``<output_dir>/<input name>.scored.<format>``
    themselves, so every path must be visible to every worker (a shared
    filesystem); relative paths are resolved here, against the caller's working
    directory. Default document ids and error reports name each input as given
    (``part-01.jsonl:7``), as local scoring does. Each output appears only once
    complete. Failed tasks (a worker dies) are retried by Dask; a result reports
    every bad record by line, so input records are all accounted for.

    Parameters
    ----------
    address_or_client : str or distributed.Client
        A scheduler address, or a client to reuse (left open).
    inputs : sequence of path-like
        Input files, one task each.
    output_dir : path-like
        Created if missing.
    model_path, labels, min_confidence
        As in :func:`score_dataframe`.
    format, text_field, id_field, encoding_errors
        As in :func:`stance.io.read_records`.
    output_format : {"jsonl", "csv", "parquet"}, default "jsonl"
        Parquet needs ``pyarrow``.
    per_document : bool, default False
        Write one summary row per document instead of one per sentence.
    batch_size : int, default 256
        Documents scored together on a worker.

    Returns
    -------
    list of PartitionResult
        In input order.
    """
    from distributed import Client

    if output_format == "parquet":
        import pyarrow  # noqa: F401  (fail early, on the client, with a clear ImportError)
    client = address_or_client if isinstance(address_or_client, Client) else Client(address_or_client)
    try:
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        options = {
            "model_path": _model_path(model_path), "format": format,
            "output_format": output_format, "text_field": text_field, "id_field": id_field,
            "encoding_errors": encoding_errors, "per_document": per_document, "batch_size": batch_size,
            "labels": tuple(labels) if labels else None, "min_confidence": min_confidence,
        }
        names = _output_names([Path(p).name for p in inputs], output_format)
        futures = [
            client.submit(_score_file, str(Path(source).resolve()), os.fspath(source), str((out / name).resolve()),
                          options, key=f"stance-score-{index}-{name}", pure=False)
            for index, (source, name) in enumerate(zip(inputs, names))
        ]
        return client.gather(futures)
    finally:
        if client is not address_or_client:
            client.close()


def _output_names(names: Sequence[str], output_format: str) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        stem = name if count == 0 else f"{name}.{count}"
        result.append(f"{stem}.scored.{output_format}")
    return result

