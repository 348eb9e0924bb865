"""Read the labelled corpus, fit the pipeline, evaluate it by conflict, and save weights."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import InputError
from .evaluate import apply_temperature, evaluate_grouped, expected_calibration_error, fit_temperature
from .features import DEFAULT_PARAMS, make_pipeline
from .model import StanceModel
from .types import Label

__all__ = ["Corpus", "conflict_groups", "fit", "read_corpus", "train"]

_LABELS = frozenset(label.value for label in Label)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Labelled training sentences, each with the conflict it is about.

    ``sources`` (the file each sentence came from), ``phenomena`` (the hard
    case a sentence was written to test, or ``""``) and ``articles`` (the news
    story a sentence belongs to, or ``""`` for a sentence written on its own)
    are for breaking results down by slice; they are not part of :meth:`sha256`.
    """

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    conflicts: tuple[str, ...]
    sources: tuple[str, ...] = ()
    phenomena: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()

    def subset(self, indices: Iterable[int]) -> Corpus:
        """The sentences at ``indices``, in that order, with all their columns."""
        indices = list(indices)
        columns = (getattr(self, column.name) for column in fields(self))
        return Corpus(*(tuple(column[i] for i in indices) if column else () for column in columns))

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def groups(self) -> tuple[str, ...]:
        """The conflict of each sentence, with episodes folded in; see :func:`conflict_groups`."""
        return conflict_groups(self.conflicts)

    def sha256(self) -> str:
        """Hash of the exact training data, recorded in the model manifest."""
        digest = hashlib.sha256()
        for text, label, conflict in zip(self.texts, self.labels, self.conflicts):
            digest.update(json.dumps([text, label, conflict], ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()


def conflict_groups(conflicts: Sequence[str]) -> tuple[str, ...]:
    """Fold each episode into its conflict, for leave-conflicts-out evaluation.

    The corpus names some settings as an episode of a conflict it also names:
    "Syria-Idlib 2019-20" and "Syria", "Yemen-UN truce 2022" and "Yemen". Held
    out apart, an episode would be scored by a model trained on the rest of its
    war (its parties, places and phrases). A name that begins with another name
    of ``conflicts`` followed by "-" or " " is grouped under the shortest such
    name.

    Parameters
    ----------
    conflicts : sequence of str
        The conflict of each sentence.

    Returns
    -------
    tuple of str
        The group of each sentence, in the same order.

    Examples
    --------
    >>> conflict_groups(["Syria", "Syria-Idlib 2019-20", "Sri Lanka", "Yemen-UN truce 2022"])
    ('Syria', 'Syria', 'Sri Lanka', 'Yemen-UN truce 2022')
    """
    names = set(conflicts)
    parent = {}
    for name in names:
        cuts = (i for i, char in enumerate(name) if char in "- " and name[:i] in names)
        parent[name] = name[:next(cuts, len(name))]
    return tuple(parent[name] for name in conflicts)


def read_corpus(paths: Iterable[str | os.PathLike[str]]) -> Corpus:
    """Read labelled JSON Lines (``text``, ``label``, ``conflict``) from files or folders.

    Optional ``phenomenon`` and ``article`` fields fill :attr:`Corpus.phenomena`
    and :attr:`Corpus.articles`.

    Folders contribute their ``*.jsonl`` files in name order; files whose records
    lack a ``label`` (for example gold offsets of a held-out article) are refused.

    Parameters
    ----------
    paths : iterable of path-like
        Files and folders, read in the order given.

    Returns
    -------
    Corpus
        Texts, labels, conflicts and sources, in reading order.

    Raises
    ------
    InputError
        Naming file and line of the first malformed record.
    """
    texts: list[str] = []
    labels: list[str] = []
    conflicts: list[str] = []
    sources: list[str] = []
    phenomena: list[str] = []
    articles: list[str] = []
    for path in _corpus_files(paths):
        try:
            handle = open(path, "rb")
        except OSError as exc:
            raise InputError(f"Cannot read the corpus file: {exc.strerror or exc}.", source=str(path)) from None
        with handle:
            for line_no, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"Invalid UTF-8 at byte {exc.start} of the line.",
                                     source=str(path), line_no=line_no) from None
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"Malformed JSON ({exc.msg}).", source=str(path), line_no=line_no) from None
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise InputError("Expected an object with a string 'text'.", source=str(path), line_no=line_no)
                if record.get("label") not in _LABELS:
                    raise InputError(
                        f"Label {record.get('label')!r} is not one of {sorted(_LABELS)}.",
                        source=str(path), line_no=line_no,
                    )
                texts.append(record["text"])
                labels.append(record["label"])
                conflicts.append(str(record.get("conflict", "unknown")))
                sources.append(path.stem)
                phenomena.append(str(record.get("phenomenon", "")))
                articles.append(str(record.get("article", "")))
    return Corpus(*map(tuple, (texts, labels, conflicts, sources, phenomena, articles)))


def _corpus_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise InputError("No such corpus file or folder.", source=str(path))
    if not files:
        raise InputError("No corpus files found; give a folder of .jsonl files or the files themselves.")
    return files


def fit(texts: Sequence[str], labels: Sequence[str], **params: Any) -> StanceModel:
    """Fit a stance pipeline on labelled sentences.

    Parameters
    ----------
    texts : sequence of str
        Sentences.
    labels : sequence of str
        One label per sentence.
    **params
        Overrides of :data:`stance.features.DEFAULT_PARAMS`.

    Returns
    -------
    StanceModel
        In-memory; call :meth:`StanceModel.save` to write it.

    Raises
    ------
    InputError
        If the sentences hold fewer than two labels, or no feature occurs in
        enough of them to be kept (a corpus of a few dozen sentences).
    """
    if len(set(labels)) < 2:
        raise InputError(f"Training needs sentences of at least two labels; these {len(labels)} have "
                         f"{sorted(set(labels)) or 'none'}.")
    pipeline = make_pipeline(**params)
    try:
        pipeline.fit(list(texts), list(labels))
    except ValueError as exc:
        if "no terms remain" not in str(exc):
            raise
        settings = {**DEFAULT_PARAMS, **params}
        pairs = f" (word pairs: pairs_min_df={settings['pairs_min_df']})" if settings["word_pairs"] else ""
        raise InputError(
            f"Too few sentences ({len(texts)}) for the feature settings: no feature of one of the "
            f"vectorizers occurs in min_df={settings['min_df']}{pairs} of them. Train on more text, or "
            "lower those settings."
        ) from None
    return StanceModel(pipeline, manifest={"params": _jsonable_params(params)})


def train(corpus_paths: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str], *,
          evaluate: bool = True, **params: Any) -> Path:
    """Fit on a corpus, evaluate and calibrate by conflict, and save weights with a manifest.

    With ``evaluate=True`` (the default), leave-conflicts-out cross-validation
    measures the model and fits a softmax temperature on the out-of-fold scores;
    the temperature is folded into the classifier's weights, which changes the
    probabilities but never the predicted label. Training is deterministic: the
    same corpus and settings write the same bytes.

    Parameters
    ----------
    corpus_paths : iterable of path-like
        Labelled files or folders, as for :func:`read_corpus`.
    output : path-like
        Where to write the model, as for :meth:`stance.StanceModel.save`.
    evaluate : bool, default True
        Run the grouped cross-validation and calibrate; ``False`` fits only.
    **params
        Settings of :func:`stance.make_pipeline` that differ from
        :data:`stance.features.DEFAULT_PARAMS`.

    Returns
    -------
    pathlib.Path
        The manifest path.

    Raises
    ------
    InputError
        If a corpus file is missing or malformed (naming file and line), if the
        corpus is too small to fit, or if ``evaluate`` is set and every sentence
        belongs to one conflict.
    """
    corpus = read_corpus(corpus_paths)
    if not corpus.texts:
        raise InputError("The corpus files hold no labelled sentences.")
    n_groups = len(set(corpus.groups))
    if evaluate and n_groups < 2:
        raise InputError(
            "Leave-conflicts-out evaluation needs sentences from at least two conflicts, and every "
            f"sentence here belongs to {corpus.groups[0]!r} (an episode named after a conflict counts as "
            "that conflict). Give the records a 'conflict' "
            "field, or train without evaluation (--no-eval, or evaluate=False)."
        )
    model = fit(corpus.texts, corpus.labels, **params)
    metadata: dict[str, Any] = {
        "params": _jsonable_params({**DEFAULT_PARAMS, **params}),
        "training_data": {
            "sha256": corpus.sha256(),
            "n_sentences": len(corpus),
            "label_counts": dict(sorted(Counter(corpus.labels).items())),
            "n_conflicts": len(set(corpus.conflicts)),
            "n_groups": n_groups,
        },
    }
    if evaluate:
        scores = evaluate_grouped(corpus, **params)
        truth = scores["truth"]
        temperature = fit_temperature(scores["oof_decision"], truth)
        apply_temperature(model.pipeline, temperature)
        calibrated = _softmax(scores["oof_decision"] / temperature)
        metadata["evaluation"] = {
            "protocol": f"GroupKFold({scores['n_splits']}) by conflict, episodes folded in",
            "macro_f1": round(scores["macro_f1"], 4),
            "accuracy": round(scores["accuracy"], 4),
            "f1": {k: round(v, 4) for k, v in scores["f1"].items()},
            "ece_uncalibrated": round(expected_calibration_error(scores["oof_proba"], truth), 4),
            "ece": round(expected_calibration_error(calibrated, truth), 4),
            "temperature": round(temperature, 6),
        }
    return model.save(output, metadata=metadata)


def _softmax(scores):
    from scipy.special import softmax

    return softmax(scores, axis=1)


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())}
