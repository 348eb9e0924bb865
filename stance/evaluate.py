"""Measure a stance pipeline on conflicts it never saw, and calibrate its probabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from .features import make_pipeline

if TYPE_CHECKING:
    from .train import Corpus

__all__ = ["apply_temperature", "evaluate_grouped", "expected_calibration_error", "fit_temperature"]


def evaluate_grouped(corpus: Corpus, *, n_splits: int = 5, pipeline: Pipeline | None = None,
                     **params: Any) -> dict[str, Any]:
    """Leave-conflicts-out cross-validation of a pipeline on a corpus.

    Every sentence is scored by a model that saw no sentence of its conflict,
    nor of another episode of it (:attr:`Corpus.groups <stance.train.Corpus.groups>`).

    Parameters
    ----------
    corpus : Corpus
        Texts, labels and conflicts.
    n_splits : int, default 5
        Folds of :class:`~sklearn.model_selection.GroupKFold`, grouped by conflict.
    pipeline : Pipeline, optional
        An unfitted pipeline to evaluate; default ``make_pipeline(**params)``.

    Returns
    -------
    dict
        ``macro_f1``, ``accuracy``, per-class ``f1``, ``labels`` (sorted), ``truth``
        (label index per sentence), out-of-fold ``oof_proba`` and ``oof_decision``
        of shape (n_sentences, n_labels), and ``fold`` (fold index per sentence).
    """
    texts = np.asarray(corpus.texts, dtype=object)
    y = np.asarray(corpus.labels)
    groups = np.asarray(corpus.groups)
    n_splits = min(n_splits, len(set(groups)))
    template = pipeline if pipeline is not None else make_pipeline(**params)
    labels = sorted(set(corpus.labels))
    proba = np.zeros((len(y), len(labels)))
    decision = np.zeros_like(proba)
    fold = np.zeros(len(y), dtype=int)
    for k, (train_idx, test_idx) in enumerate(GroupKFold(n_splits=n_splits).split(texts, y, groups)):
        fitted = clone(template).fit(list(texts[train_idx]), y[train_idx])
        columns = [labels.index(str(c)) for c in fitted.classes_]
        test_texts = list(texts[test_idx])
        proba[np.ix_(test_idx, columns)] = fitted.predict_proba(test_texts)
        scores = fitted.decision_function(test_texts)
        if scores.ndim == 1:  # two labels: one score, positive toward classes_[1]
            scores = np.column_stack([-scores, scores]) / 2
        decision[np.ix_(test_idx, columns)] = scores
        fold[test_idx] = k
    predicted = np.asarray(labels)[proba.argmax(axis=1)]
    return {
        "macro_f1": float(f1_score(y, predicted, average="macro")),
        "accuracy": float(accuracy_score(y, predicted)),
        "f1": dict(zip(labels, map(float, f1_score(y, predicted, average=None, labels=labels)))),
        "n_splits": n_splits,
        "labels": labels,
        "truth": np.searchsorted(labels, y),
        "oof_proba": proba,
        "oof_decision": decision,
        "fold": fold,
    }


def expected_calibration_error(proba: np.ndarray, truth: np.ndarray, *, n_bins: int = 15) -> float:
    """Top-label expected calibration error with equal-width confidence bins.

    Examples
    --------
    >>> expected_calibration_error(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1]))
    0.35
    """
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    error = 0.0
    for b in np.unique(bins):
        members = bins == b
        error += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return round(float(error), 12)


def fit_temperature(decision: np.ndarray, truth: np.ndarray) -> float:
    """Return the softmax temperature that minimises the log-loss of ``decision`` scores."""
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        return -float(log_softmax(decision / np.exp(log_t), axis=1)[rows, truth].mean())

    result = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def apply_temperature(pipeline: Pipeline, temperature: float) -> None:
    """Divide a fitted logistic regression's weights by ``temperature``, in place.

    Softmax of ``(x @ W + b) / T`` is softmax of ``x @ (W / T) + b / T``, so the
    calibrated model is still a plain logistic regression with the same arg-max.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature}.")
    clf = pipeline.steps[-1][1]
    clf.coef_ = clf.coef_ / temperature
    clf.intercept_ = clf.intercept_ / temperature
