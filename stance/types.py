"""Plain value types passed across the library's boundaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["Document", "DocumentSummary", "Explanation", "Label", "Record", "SentenceStance", "Span"]


class Label(str, Enum):
    """The four stances a sentence can carry toward a ceasefire."""

    SUPPORTIVE = "supportive"
    CONDITIONAL = "conditional"
    OPPOSED = "opposed"
    NEUTRAL = "neutral"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)`` into a text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """One input document: an optional identifier and its text."""

    id: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Record:
    """One input record as read from a file: a document, or why it cannot be one.

    Exactly one of ``document`` and ``error`` is set. ``line_no`` is 1-based: the
    line of a JSONL or text file, or the line a CSV row starts on.
    """

    source: str
    line_no: int
    document: Document | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class SentenceStance:
    """The stance of one sentence of a document.

    ``text`` is always ``document_text[start:end]``.
    """

    doc_id: str | None
    index: int
    start: int
    end: int
    text: str
    label: str
    probabilities: Mapping[str, float]

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict: plain ``str``, ``int`` and ``float`` values."""
        return {
            "doc_id": self.doc_id,
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "probabilities": {str(k): float(v) for k, v in self.probabilities.items()},
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """Counts and mean probabilities per label over the sentences of one document."""

    doc_id: str | None
    n_sentences: int
    counts: Mapping[str, int] = field(default_factory=dict)
    mean_probabilities: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict: plain ``str``, ``int`` and ``float`` values."""
        return {
            "doc_id": self.doc_id,
            "n_sentences": self.n_sentences,
            "counts": {str(k): int(v) for k, v in self.counts.items()},
            "mean_probabilities": {str(k): float(v) for k, v in self.mean_probabilities.items()},
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a sentence got its label: the n-grams that pushed it there.

    ``features`` pairs each n-gram (prefixed ``word__``, ``char__``, or ``pairs__`` for
    two words a few apart, written ``first~second``) with its
    contribution to the log-odds of ``label`` against the average label, largest first.
    """

    text: str
    label: str
    probabilities: Mapping[str, float]
    features: tuple[tuple[str, float], ...]

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict: plain ``str`` and ``float`` values."""
        return {
            "text": self.text,
            "label": self.label,
            "probabilities": {str(k): float(v) for k, v in self.probabilities.items()},
            "features": [[str(name), float(weight)] for name, weight in self.features],
        }
