"""Label each sentence of news text with its stance toward a ceasefire."""

from ._version import __version__
from .errors import InputError, ModelLoadError, StanceError
from .features import make_pipeline
from .io import read_records, write_records
from .model import StanceModel, load
from .segment import split_sentences
from .types import Document, DocumentSummary, Explanation, Label, Record, SentenceStance, Span

__all__ = [
    "Document",
    "DocumentSummary",
    "Explanation",
    "InputError",
    "Label",
    "ModelLoadError",
    "Record",
    "SentenceStance",
    "Span",
    "StanceError",
    "StanceModel",
    "__version__",
    "load",
    "make_pipeline",
    "read_records",
    "split_sentences",
    "write_records",
]
