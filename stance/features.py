"""Build the scikit-learn pipeline that turns sentences into stance probabilities."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = ["DEFAULT_PARAMS", "PREPROCESSORS", "make_pipeline", "mark_negation", "mark_scopes"]

_NEGATORS = re.compile(
    r"\b(?:not|no|never|nor|without|cannot|unwilling|unable|unprepared|unready|"
    r"refuse[sd]?|refusing|reject(?:s|ed|ing)?|"
    r"rule[sd]? out|won't|wouldn't|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|"
    r"can't|couldn't|shouldn't|will not|would not)\b"
)
_SCOPE_END = re.compile(r"[.,;:!?\"“”()]|\b(?:but|until|unless|while|although|though|and)\b")


def mark_negation(text: str) -> str:
    """Lower-case ``text`` and prefix the words in a negation's scope with ``neg_``.

    The scope runs from a negator ("not", "no", "never", "without", "rejected",
    "n't", ...) to the next punctuation mark or clause word ("but", "until", ...),
    so "is not ready for a truce" yields the token ``neg_truce``, which the model
    can weigh apart from "ready for a truce".

    Examples
    --------
    >>> mark_negation("He is not ready for a truce, but talks go on.")
    'he is not neg_ready neg_for neg_a neg_truce, but talks go on.'
    """
    return _mark(text, _NEGATORS)


_SCOPE_OPENERS = re.compile(
    _NEGATORS.pattern + r"|\b(?P<cond>if|unless|until|till|once|provided|providing|as long as|"
    r"so long as|on condition|in exchange for|in return for)\b"
)
_CONDITION_END = re.compile(r"[.,;:!?\"“”()]|\bbut\b")


def mark_scopes(text: str) -> str:
    """Like :func:`mark_negation`, and also prefix words after a condition with ``cond_``.

    A condition ("if", "until", "once", "provided", "in exchange for", ...) scopes to
    the next punctuation mark or "but". A linear model cannot combine "until" with
    what follows it; ``cond_disbanded`` and ``cond_hostages`` can carry different
    stances ("no truce until they are disbanded" is opposed, "... until the hostages
    are freed" is conditional).

    Examples
    --------
    >>> mark_scopes("No truce until the militias are disbanded, he said.")
    'no neg_truce until cond_the cond_militias cond_are cond_disbanded, he said.'
    """
    return _mark(text, _SCOPE_OPENERS)


def _mark(text: str, openers: re.Pattern[str]) -> str:
    text = text.lower().replace("’", "'")
    pieces: list[str] = []
    position = 0
    while (opener := openers.search(text, position)) is not None:
        condition = opener.groupdict().get("cond") is not None
        scope_start = opener.end()
        stop = (_CONDITION_END if condition else _SCOPE_END).search(text, scope_start)
        scope_end = stop.start() if stop else len(text)
        inner = openers.search(text, scope_start, scope_end)
        if not condition and inner is not None and inner.groupdict().get("cond") is not None:
            scope_end = inner.start()  # a condition inside a negation's scope opens its own scope
        pieces.append(text[position:scope_start])
        pieces.append(re.sub(r"\b(\w)", r"cond_\1" if condition else r"neg_\1", text[scope_start:scope_end]))
        position = scope_end
    pieces.append(text[position:])
    return "".join(pieces)


#: Named text preprocessors a saved model may refer to. Weights name one of these
#: by key; they never carry code.
PREPROCESSORS: dict[str, Callable[[str], str]] = {"mark_negation": mark_negation, "mark_scopes": mark_scopes}

#: The settings of the shipped model, chosen by the grouped search in
#: ``benchmarks/accuracy.py``: the most common pick of its nested search
#: (``C``: 30 in 3 of 5 outer folds, tied with 10 on mean inner macro-F1).
DEFAULT_PARAMS: dict[str, Any] = {
    "word_ngram_range": (1, 3),
    "char_ngram_range": (2, 5),
    "min_df": 2,
    "sublinear_tf": True,
    "negation": True,
    "conditions": True,
    "C": 30.0,
    "class_weight": "balanced",
}


def make_pipeline(**params: Any) -> Pipeline:
    """Return an unfitted stance pipeline with the shipped settings.

    The result is a plain :class:`sklearn.pipeline.Pipeline`: ``features`` (a
    :class:`~sklearn.pipeline.FeatureUnion` of a word and a character
    :class:`~sklearn.feature_extraction.text.TfidfVectorizer`) followed by ``clf``
    (a multinomial :class:`~sklearn.linear_model.LogisticRegression`). Fit, clone
    or tune it like any estimator.

    Parameters
    ----------
    **params
        Overrides of :data:`DEFAULT_PARAMS`: ``word_ngram_range``,
        ``char_ngram_range`` (``None`` drops the character features), ``min_df``,
        ``sublinear_tf``, ``negation`` (mark negation scope in word features),
        ``conditions`` (also mark condition scope, see :func:`mark_scopes`),
        ``C`` and ``class_weight``.

    Returns
    -------
    Pipeline
        Unfitted.

    Raises
    ------
    TypeError
        If a parameter name is unknown.

    Examples
    --------
    >>> pipe = make_pipeline(C=1.0)
    >>> [name for name, _ in pipe.steps]
    ['features', 'clf']
    """
    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise TypeError(
            f"make_pipeline() got unknown parameters {unknown}; expected some of "
            f"{sorted(DEFAULT_PARAMS)}."
        )
    settings = {**DEFAULT_PARAMS, **params}
    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=tuple(settings["word_ngram_range"]),
        min_df=settings["min_df"],
        sublinear_tf=settings["sublinear_tf"],
        preprocessor=_preprocessor(settings["negation"], settings["conditions"]),
        token_pattern=r"(?u)\b\w+\b",
        dtype=np.float64,
    )
    transformers = [("word", word)]
    if settings["char_ngram_range"] is not None:
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(settings["char_ngram_range"]),
            min_df=settings["min_df"],
            sublinear_tf=settings["sublinear_tf"],
            dtype=np.float64,
        )
        transformers.append(("char", char))
    clf = LogisticRegression(
        C=settings["C"],
        class_weight=settings["class_weight"],
        max_iter=2000,
        solver="lbfgs",
    )
    return Pipeline([("features", FeatureUnion(transformers)), ("clf", clf)])


def _preprocessor(negation: bool, conditions: bool) -> Callable[[str], str] | None:
    if conditions:
        return mark_scopes
    return mark_negation if negation else None
