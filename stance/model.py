"""The StanceModel facade: sentences and documents in, stance records out."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.pipeline import Pipeline

from ._records import build_records, decide, summarize
from ._resources import default_model_path
from .errors import InputError
from .persist import read_weights, write_weights
from .segment import split_sentences
from .types import Document, DocumentSummary, Explanation, SentenceStance

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["StanceModel", "load"]


def load(path: str | os.PathLike[str] | None = None) -> StanceModel:
    """Load a stance model without unpickling anything.

    Parameters
    ----------
    path : str or path-like, optional
        A model saved by :meth:`StanceModel.save` or ``stance train``: the base
        name, or either of its ``.npz`` / ``.json`` files. ``None`` loads the
        weights shipped with the package.

    Returns
    -------
    StanceModel

    Raises
    ------
    ModelLoadError
        If the files are missing, damaged, tampered with, foreign or of a newer
        format.

    Examples
    --------
    >>> import stance
    >>> model = stance.load()
    >>> model.labels
    ('conditional', 'neutral', 'opposed', 'supportive')
    """
    resolved = default_model_path() if path is None else Path(path)
    pipeline, manifest = read_weights(resolved)
    return StanceModel(pipeline, manifest=manifest, path=resolved)


class StanceModel:
    """A fitted stance pipeline with sentence- and document-level scoring.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline from :func:`stance.make_pipeline`.
    manifest : dict, optional
        The metadata saved alongside the weights.
    path : path-like, optional
        Where the weights were loaded from; parallel workers reload from it.

    See Also
    --------
    load : Load the shipped or a saved model.
    stance.train.fit : Train a model on labelled sentences.
    """

    def __init__(self, pipeline: Pipeline, *, manifest: dict[str, Any] | None = None,
                 path: str | os.PathLike[str] | None = None):
        self.pipeline = pipeline
        self.manifest = manifest if manifest is not None else {}
        self.path = path

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path is not None else ""
        return f"StanceModel(labels={self.labels!r}{where})"

    @property
    def labels(self) -> tuple[str, ...]:
        """Label order of every probability row, taken from the fitted ``classes_``."""
        return tuple(str(label) for label in self.pipeline.classes_)

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Return the probability of each label for each text, scored as one unit.

        Parameters
        ----------
        texts : iterable of str
            Sentences (or any strings); a bare ``str`` is refused.

        Returns
        -------
        ndarray of shape (n_texts, n_labels)
            Columns follow :attr:`labels`; rows sum to 1.

        Raises
        ------
        InputError
            If ``texts`` is a ``str`` or holds a non-string item.
        """
        batch = _as_text_list(texts)
        if not batch:
            return np.zeros((0, len(self.labels)))
        return self.pipeline.predict_proba(batch)

    def predict(self, texts: Iterable[str], *, labels: Sequence[str] | None = None,
                min_confidence: float = 0.0) -> list[str]:
        """Return the most probable label of each text.

        Parameters
        ----------
        texts : iterable of str
            Sentences; a bare ``str`` is refused.
        labels : sequence of str, optional
            Restrict the decision to these labels, for example the three stances
            without ``"neutral"``. ``None`` allows every label.
        min_confidence : float, default 0.0
            Abstain: a text whose top probability is below this is labelled
            ``"neutral"``, as in :meth:`score_document`.

        Returns
        -------
        list of str
        """
        probabilities = self.predict_proba(texts)
        chosen, _ = decide(probabilities, self.labels, allowed=labels, min_confidence=min_confidence)
        return [self.labels[i] for i in chosen]

    def score_document(self, text: str, *, doc_id: str | None = None,
                       labels: Sequence[str] | None = None,
                       min_confidence: float = 0.0) -> list[SentenceStance]:
        """Split a text into sentences and score each one.

        Parameters
        ----------
        text : str
            The document.
        doc_id : str, optional
            Copied into every record.
        labels : sequence of str, optional
            Restrict the decision to these labels; probabilities are renormalised
            over them and the others are 0.
        min_confidence : float, default 0.0
            Abstain: a sentence whose top probability is below this is labelled
            ``"neutral"`` (its probabilities are kept).

        Returns
        -------
        list of SentenceStance
            One per sentence, in order; ``text[r.start:r.end] == r.text``.
            ``[]`` for empty or whitespace-only text.

        Examples
        --------
        >>> import stance
        >>> model = stance.load()
        >>> records = model.score_document("The truce collapsed. Both sides must stop now.")
        >>> [(r.start, r.end) for r in records]
        [(0, 20), (21, 46)]
        """
        return next(self._score_batch([Document(doc_id, text)], labels, min_confidence))

    def score_documents(self, documents: Iterable[Document | str], *, n_jobs: int = 1,
                        batch_size: int = 256, labels: Sequence[str] | None = None,
                        min_confidence: float = 0.0) -> Iterator[list[SentenceStance]]:
        """Score many documents lazily, in input order, optionally in parallel.

        Parameters
        ----------
        documents : iterable of Document or str
            A bare ``str`` is refused (wrap it in a list).
        n_jobs : int, default 1
            Worker processes; ``-1`` uses every core. ``1`` runs in this process.
        batch_size : int, default 256
            Documents per chunk handed to a worker.
        labels, min_confidence
            As in :meth:`score_document`.

        Yields
        ------
        list of SentenceStance
            The records of each document, in the order the documents came.
        """
        if isinstance(documents, str):
            raise InputError("Iterable over raw text documents expected, string object received.")
        from ._parallel import score_in_chunks

        docs = (d if isinstance(d, Document) else Document(None, d) for d in documents)
        yield from score_in_chunks(self, docs, n_jobs=n_jobs, batch_size=batch_size,
                                   labels=labels, min_confidence=min_confidence)

    def summarize(self, records: Sequence[SentenceStance], *, doc_id: str | None = None) -> DocumentSummary:
        """Return counts and mean probabilities per label for one document's records.

        Parameters
        ----------
        records : sequence of SentenceStance
            The records of one document, as :meth:`score_document` returns them.
        doc_id : str, optional
            The summary's id; by default that of the first record.

        Returns
        -------
        DocumentSummary
            ``n_sentences`` 0, zero counts and zero means for a document without
            sentences.
        """
        return summarize(records, self.labels, doc_id=doc_id)

    def explain(self, text: str, *, top: int = 10, labels: Sequence[str] | None = None,
                min_confidence: float = 0.0) -> Explanation:
        """Return the label of one sentence and the n-grams that pushed it there.

        Parameters
        ----------
        text : str
            One sentence.
        top : int, default 10
            How many n-grams to return.
        labels, min_confidence
            As in :meth:`score_document`; the label, probabilities and n-grams are
            those of the decision they make.

        Returns
        -------
        Explanation

        See Also
        --------
        explain_many : The same for many sentences, in one pass.

        Examples
        --------
        >>> import stance
        >>> why = stance.load().explain("The rebels rejected any truce.", top=3)
        >>> why.label
        'opposed'
        """
        if not isinstance(text, str):
            raise InputError(f"explain() expects one sentence as a str, got {type(text).__name__}.")
        return self.explain_many([text], top=top, labels=labels, min_confidence=min_confidence)[0]

    def explain_many(self, texts: Iterable[str], *, top: int = 10, labels: Sequence[str] | None = None,
                     min_confidence: float = 0.0) -> list[Explanation]:
        """Explain many sentences with one vectorizer pass; see :meth:`explain`.

        Parameters
        ----------
        texts : iterable of str
            Sentences; a bare ``str`` is refused.
        top : int, default 10
            How many n-grams to return per sentence.
        labels, min_confidence
            As in :meth:`explain`.

        Returns
        -------
        list of Explanation
            One per text, in order.
        """
        batch = _as_text_list(texts)
        if not batch:
            return []
        matrix, probabilities = self._features_and_proba(batch)
        chosen, probabilities = decide(probabilities, self.labels, allowed=labels, min_confidence=min_confidence)
        return self._explanations(batch, matrix, chosen, probabilities, top)

    def save(self, path: str | os.PathLike[str], *, metadata: dict[str, Any] | None = None) -> Path:
        """Write the model as ``<path>.npz`` and ``<path>.json``, without pickle.

        Parameters
        ----------
        path : path-like
            Where to write, without suffix (a ``.npz`` or ``.json`` suffix is dropped).
        metadata : dict, optional
            JSON-serialisable fields added to the manifest, beside those the model
            already carries (training data, evaluation).

        Returns
        -------
        pathlib.Path
            The manifest path. A failed save leaves any model already at ``path``
            as it was.
        """
        extra = {k: v for k, v in self.manifest.items() if k not in _OWN_MANIFEST_KEYS}
        return write_weights(self.pipeline, path, metadata={**extra, **(metadata or {})})

    @cached_property
    def _feature_names(self) -> np.ndarray:
        return self.pipeline.steps[0][1].get_feature_names_out()

    @cached_property
    def _relative_coef(self) -> np.ndarray:
        # Softmax is shift-invariant, so weights relative to the label mean say
        # what pushes toward one label rather than toward all of them.
        coef = self.pipeline.steps[-1][1].coef_
        if coef.shape[0] == 1:  # binary: sigmoid(w.x) is softmax([-w.x / 2, w.x / 2])
            return np.vstack([-coef / 2, coef / 2])
        return coef - coef.mean(axis=0, keepdims=True)

    def _features_and_proba(self, sentences: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        matrix = self.pipeline.steps[0][1].transform(sentences).tocsr()
        return matrix, self.pipeline.steps[-1][1].predict_proba(matrix)

    def _explanations(self, sentences: list[str], matrix: sparse.csr_matrix, chosen: np.ndarray,
                      probabilities: np.ndarray, top: int) -> list[Explanation]:
        relative, names = self._relative_coef, self._feature_names
        explained = []
        for row, (text, best, row_proba) in enumerate(zip(sentences, chosen.tolist(), probabilities)):
            lo, hi = matrix.indptr[row], matrix.indptr[row + 1]
            indices = matrix.indices[lo:hi]
            contributions = matrix.data[lo:hi] * relative[best, indices]
            order = np.argsort(-contributions, kind="stable")[:top]
            features = tuple((str(names[indices[i]]), float(contributions[i]))
                             for i in order if contributions[i] > 0)
            explained.append(Explanation(text=text, label=self.labels[best],
                                         probabilities=dict(zip(self.labels, map(float, row_proba))),
                                         features=features))
        return explained

    def _score_batch(self, documents: Sequence[Document], labels: Sequence[str] | None,
                     min_confidence: float) -> Iterator[list[SentenceStance]]:
        for records, _ in self._score_and_explain(documents, labels, min_confidence, top=None):
            yield records

    def _score_and_explain(self, documents: Sequence[Document], labels: Sequence[str] | None,
                           min_confidence: float, *, top: int | None
                           ) -> Iterator[tuple[list[SentenceStance], list[Explanation | None]]]:
        """Yield each document's records and, if ``top`` is set, their explanations, from one feature pass."""
        documents = list(documents)
        spans_per_doc = []
        for document in documents:
            if not isinstance(document.text, str):
                raise InputError(
                    f"Document {document.id!r} has text of type {type(document.text).__name__}; "
                    "expected str."
                )
            spans_per_doc.append(split_sentences(document.text))
        sentences = [d.text[s.start:s.end] for d, spans in zip(documents, spans_per_doc) for s in spans]
        explanations: list[Explanation | None] = [None] * len(sentences)
        if sentences:
            matrix, probabilities = self._features_and_proba(sentences)
        else:
            probabilities = np.zeros((0, len(self.labels)))
        chosen, probabilities = decide(probabilities, self.labels, allowed=labels,
                                       min_confidence=min_confidence)
        if sentences and top is not None:
            explanations = self._explanations(sentences, matrix, chosen, probabilities, top)
        offset = 0
        for document, spans in zip(documents, spans_per_doc):
            stop = offset + len(spans)
            yield (build_records(document, spans, sentences[offset:stop], chosen[offset:stop],
                                 probabilities[offset:stop], self.labels), explanations[offset:stop])
            offset = stop


_OWN_MANIFEST_KEYS = frozenset({
    "format", "format_version", "labels", "pipeline", "settings_sha256", "weights_file", "weights_sha256",
    "stance_version", "sklearn_version", "numpy_version",
})


def _as_text_list(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise InputError("Iterable over raw text documents expected, string object received.")
    batch = list(texts)
    for index, text in enumerate(batch):
        if not isinstance(text, str):
            raise InputError(f"Item {index} is of type {type(text).__name__}; every text must be a str.")
    return batch
