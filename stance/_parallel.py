"""Order-preserving, chunked scoring of document streams, in-process or with joblib."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from joblib import Parallel, delayed

from .types import Document, SentenceStance

if TYPE_CHECKING:
    from .model import StanceModel

__all__ = ["chunked", "score_in_chunks"]


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

    Workers receive the model's path and load it once each (cached), so the weights
    are not shipped with every chunk; a model that was never saved is sent as is.
    """
    chunks = chunked(documents, batch_size)
    if n_jobs == 1:
        for chunk in chunks:
            yield from model._score_batch(chunk, labels, min_confidence)
        return
    source = str(model.path) if model.path is not None else model
    # pre_dispatch bounds how many chunks are read ahead, so memory stays flat.
    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
    jobs = (delayed(_score_chunk)(source, chunk, labels, min_confidence) for chunk in chunks)
    for chunk_records in parallel(jobs):
        yield from chunk_records


def _score_chunk(source, chunk: list[Document], labels, min_confidence) -> list[list[SentenceStance]]:
    model = _load_cached(source) if isinstance(source, str) else source
    return list(model._score_batch(chunk, labels, min_confidence))


@lru_cache(maxsize=2)
def _load_cached(path: str) -> StanceModel:
    from .model import load

    return load(path)

