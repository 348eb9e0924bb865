"""Turn probability rows into labelled sentence records and per-document summaries."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .types import Document, DocumentSummary, SentenceStance, Span

__all__ = ["build_records", "decide", "summarize"]

_NEUTRAL = "neutral"


def decide(probabilities: np.ndarray, labels: Sequence[str], *, allowed: Sequence[str] | None = None,
           min_confidence: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Pick a label index per row; return ``(indices, probabilities)``.

    With ``allowed``, probabilities outside it are zeroed and the rest renormalised,
    so the chosen label is still the arg-max of the returned rows. With
    ``min_confidence``, rows whose top probability falls below it go to neutral;
    the two cannot be combined when ``allowed`` leaves neutral out.
    """
    if not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be between 0 and 1; got {min_confidence}.")
    if allowed is not None:
        allowed = list(allowed)
        unknown = sorted(set(allowed) - set(labels))
        if unknown or not allowed:
            raise ValueError(f"labels must be a non-empty subset of {list(labels)}; got {allowed}.")
        if min_confidence > 0 and _NEUTRAL not in allowed:
            raise ValueError("min_confidence sends unsure sentences to 'neutral', which labels leaves out; "
                             "use one or the other.")
        mask = np.isin(np.asarray(labels), allowed)
        probabilities = probabilities * mask
        totals = probabilities.sum(axis=1, keepdims=True)
        uniform = mask / mask.sum()
        probabilities = np.where(totals > 0, probabilities / np.where(totals > 0, totals, 1.0), uniform)
    chosen = probabilities.argmax(axis=1) if len(probabilities) else np.zeros(0, dtype=int)
    if min_confidence > 0 and _NEUTRAL in labels:
        unsure = probabilities.max(axis=1, initial=0.0) < min_confidence
        chosen = np.where(unsure, list(labels).index(_NEUTRAL), chosen)
    return chosen, probabilities


def build_records(document: Document, spans: Sequence[Span], sentences: Sequence[str],
                  chosen: np.ndarray, probabilities: np.ndarray,
                  labels: Sequence[str]) -> list[SentenceStance]:
    """Return one :class:`SentenceStance` per span of ``document``."""
    rows = probabilities.tolist()
    return [
        SentenceStance(doc_id=document.id, index=i, start=span.start, end=span.end, text=sentence,
                       label=labels[label_index], probabilities=dict(zip(labels, row)))
        for i, (span, sentence, label_index, row) in enumerate(zip(spans, sentences, chosen.tolist(), rows))
    ]


def summarize(records: Sequence[SentenceStance], labels: Sequence[str], *,
              doc_id: str | None = None) -> DocumentSummary:
    """Return counts and mean probability per label over one document's records."""
    counts = {label: 0 for label in labels}
    totals = dict.fromkeys(labels, 0.0)
    for record in records:
        counts[record.label] += 1
        for label in labels:
            totals[label] += record.probabilities[label]
    n = len(records)
    if doc_id is None and records:
        doc_id = records[0].doc_id
    means = {label: (totals[label] / n if n else 0.0) for label in labels}
    return DocumentSummary(doc_id=doc_id, n_sentences=n, counts=counts, mean_probabilities=means)
