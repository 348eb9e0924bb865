"""Baselines the shipped pipeline must beat: majority class, keyword cues, sklearn defaults."""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["KeywordStanceClassifier", "baselines", "majority_baseline", "sklearn_default_baseline"]


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")", re.IGNORECASE)


_TRUCE = (r"(?:cease-?fire|truce|armistice|cessation of hostilities|pause in (?:the )?fighting"
          r"|halt to (?:the )?fighting|peace|talks|negotiations?)")

#: A truce is refused outright, or held off until the enemy is beaten.
_OPPOSED = _cues(
    rf"reject\w*\s+(?:\w+\s+){{0,3}}{_TRUCE}", r"dismiss\w*", r"rul\w+ out", r"refus\w+",
    r"(?:fight|fighting|battle|war) (?:on|until|to the end)", r"keep fighting",
    r"continue (?:the )?(?:fight|war|offensive|operations)",
    r"until (?:victory|the (?:last|final)|every|all (?:our|occupied))", r"destroyed", r"surrender\w*",
    r"annihilat\w+", r"crush\w*",
    r"premature", r"a trap", r"reward (?:for|to)", r"regroup", r"no (?:cease-?fire|truce|pause|talks|negotiations)",
    r"will not stop", r"won't stop", r"never (?:agree|accept|negotiate)", r"not ready", r"no intention",
)

#: Yes, but: a truce tied to a concrete term, guarantee or sequence.
_CONDITIONAL = _cues(
    r"only if", r"provided (?:that)?", r"on (?:the )?condition", r"condition\w*", r"as long as", r"in exchange for",
    r"in return for", r"must first", r"first (?:withdraw|release|free|hand)", r"guarantee\w*", r"assurances?",
    r"unless", r"once the", r"requires?", r"precondition\w*", r"demands?", r"terms",
    r"hostages? (?:are|is|were) (?:freed|released)",
    r"withdraw\w*", r"pull\w* back", r"monitors?", r"lift\w* the (?:siege|blockade)", r"reflect\w*",
)

#: A call for, welcome of, or acceptance of a ceasefire, with no terms.
_SUPPORTIVE = _cues(
    rf"call\w* for (?:\w+\s+){{0,3}}(?:{_TRUCE}|end|halt|stop)", r"urg\w+", r"appeal\w*", r"welcom\w+", r"plea\w*",
    r"demand\w* (?:an? )?(?:immediate )?(?:cease-?fire|truce)", r"lay down", r"must stop",
    r"stop the (?:fighting|killing|war|bloodshed)",
    rf"(?:accept|agree|back|support|endors|declar|commit)\w* (?:to )?(?:\w+\s+){{0,3}}{_TRUCE}",
    r"end (?:to )?the (?:war|fighting|violence|bloodshed)",
    r"de-?escalat\w*", r"(?:push|press)\w* for", r"immediate (?:cease-?fire|truce)", r"ready (?:for|to)", r"willing",
)

_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|can't|won't|wouldn't|isn't|aren't|don't|doesn't|didn't|refus\w+|reject\w*|unwilling)\b",
    re.IGNORECASE,
)


class KeywordStanceClassifier(ClassifierMixin, BaseEstimator):
    """Label a sentence by hand-written cue lexicons, in the order of LABELING.md's hard cases.

    1. A victory condition or an outright refusal ("until victory", "rejected calls
       for a truce", "no pause") is ``opposed``, unless a concrete term follows
       ("no truce until the hostages are freed" is ``conditional``).
    2. Otherwise a term or guarantee ("only if", "provided", "guarantees") is ``conditional``.
    3. Otherwise a call, welcome or acceptance is ``supportive`` when no negation
       comes within ``negation_window`` words before it, and ``opposed`` when one does.
    4. Otherwise ``neutral``.

    Nothing is learned: ``fit`` records ``classes_`` only.

    Parameters
    ----------
    negation_window : int, default 4
        How many words before a supportive cue a negator may stand to flip it.

    Examples
    --------
    >>> rules = KeywordStanceClassifier().fit(["a", "b", "c", "d"],
    ...                                       ["conditional", "neutral", "opposed", "supportive"])
    >>> rules.predict(["The UN called for an immediate ceasefire.",
    ...                "Kyiv will accept a truce only if troops withdraw.",
    ...                "The army rejected calls for a truce.",
    ...                "The two leaders met in Paris."]).tolist()
    ['supportive', 'conditional', 'opposed', 'neutral']
    """

    def __init__(self, *, negation_window: int = 4):
        self.negation_window = negation_window

    def fit(self, X: Iterable[str], y: Iterable[str]):
        """Record the label set; the rules learn nothing."""
        self.classes_ = np.array(sorted(set(map(str, y))))
        return self

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Return one label per sentence."""
        check_is_fitted(self, "classes_")
        return np.array([self._rule(text) for text in X], dtype=object)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Return one-hot rows over ``classes_``: the rules are sure or silent."""
        predicted = self.predict(X)
        return (predicted[:, None] == self.classes_[None, :]).astype(float)

    def _rule(self, text: str) -> str:
        opposed = _OPPOSED.search(text)
        conditional = _CONDITIONAL.search(text)
        if opposed and not (conditional and conditional.start() > opposed.start()
                            and not re.search(r"destroy|surrender|victory|every|disband", text, re.I)):
            return "opposed"
        if conditional:
            return "conditional"
        supportive = _SUPPORTIVE.search(text)
        if supportive:
            before = text[:supportive.start()].split()[-self.negation_window:]
            if _NEGATION.search(" ".join(before)):
                return "opposed"
            return "supportive"
        return "neutral"


def majority_baseline() -> DummyClassifier:
    """Always predict the most frequent training label."""
    return DummyClassifier(strategy="most_frequent")


def sklearn_default_baseline() -> Pipeline:
    """``TfidfVectorizer()`` + ``LogisticRegression()``, every setting at scikit-learn's default."""
    return Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())])


def baselines() -> dict[str, BaseEstimator]:
    """Return the unfitted baselines by report name, in report order."""
    return {
        "majority class": majority_baseline(),
        "keyword cues": KeywordStanceClassifier(),
        "sklearn defaults (TfidfVectorizer + LogisticRegression)": sklearn_default_baseline(),
    }
