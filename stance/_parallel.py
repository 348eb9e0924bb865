"""Order-preserving, chunked scoring of document streams, in-process or with joblib."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from joblib import Parallel, delayed

from .errors import ModelLoadError
from .persist import model_paths
from .types import Document, SentenceStance

if TYPE_CHECKING:
    from .model import StanceModel

__all__ = ["chunked", "load_saved", "score_in_chunks"]

Checksums = tuple[str, str | None]


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to ``size`` consecutive items."""
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}.")
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def score_in_chunks(model: StanceModel, documents: Iterable[Document], *, n_jobs: int,
                    batch_size: int, labels: Sequence[str] | None,
                    min_confidence: float) -> Iterator[list[SentenceStance]]:
    """Yield each document's records in input order, scoring chunks on ``n_jobs`` workers.

    Workers receive the model's path and the checksums of its weights and settings and
    load it once each (cached by all three), so the weights are not shipped with every
    chunk and a model saved again under the same path is never scored with the old
    weights, labels or settings. A model that was never saved, or whose files changed
    on disk since it was loaded, is sent as is.
    """
    chunks = chunked(documents, batch_size)
    if n_jobs == 1:
        for chunk in chunks:
            yield from model._score_batch(chunk, labels, min_confidence)
        return
    source = _saved_source(model)
    # pre_dispatch bounds how many chunks are read ahead, so memory stays flat.
    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
    jobs = (delayed(_score_chunk)(source, chunk, labels, min_confidence) for chunk in chunks)
    for chunk_records in parallel(jobs):
        yield from chunk_records


def load_saved(path: str) -> StanceModel:
    """Load the model saved at ``path``, cached per process by path and checksums."""
    checksums = _checksums_on_disk(path)
    if checksums is None:
        from .model import load

        return load(path)  # raises the load error that says what is wrong
    return _load_cached(path, checksums)


def _checksums(manifest: object) -> Checksums | None:
    """``(weights_sha256, settings_sha256)`` of a manifest; the second is None before format 3."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("weights_sha256"), str):
        return None
    settings = manifest.get("settings_sha256")
    return (manifest["weights_sha256"], settings if isinstance(settings, str) else None)


def _checksums_on_disk(path: str | os.PathLike[str]) -> Checksums | None:
    try:
        return _checksums(json.loads(model_paths(path)[1].read_bytes()))
    except (OSError, ValueError):
        return None


def _saved_source(model: StanceModel) -> tuple[str, Checksums] | StanceModel:
    """``(path, checksums)`` when the files on disk still hold ``model``, else ``model``."""
    checksums = _checksums(model.manifest)
    if model.path is None or checksums is None or _checksums_on_disk(model.path) != checksums:
        return model
    return (str(model.path), checksums)


def _score_chunk(source, chunk: list[Document], labels, min_confidence) -> list[list[SentenceStance]]:
    model = _load_cached(*source) if isinstance(source, tuple) else source
    return list(model._score_batch(chunk, labels, min_confidence))


@lru_cache(maxsize=2)
def _load_cached(path: str, checksums: Checksums) -> StanceModel:
    from .model import load

    model = load(path)
    if _checksums(model.manifest) != checksums:
        raise ModelLoadError(f"The model at {path} was replaced while it was scoring; score again.")
    return model

