"""Read the labelled corpus, fit the pipeline, evaluate it by conflict, and save weights."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

from .errors import InputError
from .features import DEFAULT_PARAMS, make_pipeline
from .model import StanceModel
from .types import Label

__all__ = ["Corpus", "evaluate_grouped", "fit", "read_corpus", "train"]

_LABELS = frozenset(label.value for label in Label)


@dataclass(frozen=True, slots=True)
class Corpus:
    """Labelled training sentences, each with the conflict it is about."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    conflicts: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)

    def sha256(self) -> str:
        """Hash of the exact training data, recorded in the model manifest."""
        digest = hashlib.sha256()
        for text, label, conflict in zip(self.texts, self.labels, self.conflicts):
            digest.update(json.dumps([text, label, conflict], ensure_ascii=False).encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()


def read_corpus(paths: Iterable[str | os.PathLike[str]]) -> Corpus:
    """Read labelled JSON Lines (``text``, ``label``, ``conflict``) from files or folders.

    Folders contribute their ``*.jsonl`` files in name order; files whose records
    lack a ``label`` (for example gold offsets of a held-out article) are refused.

    Raises
    ------
    InputError
        Naming file and line of the first malformed record.
    """
    texts: list[str] = []
    labels: list[str] = []
    conflicts: list[str] = []
    for path in _corpus_files(paths):
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
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
    return Corpus(tuple(texts), tuple(labels), tuple(conflicts))


def _corpus_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        else:
            files.append(path)
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
    """
    pipeline = make_pipeline(**params)
    pipeline.fit(list(texts), list(labels))
    return StanceModel(pipeline, manifest={"params": _jsonable_params(params)})


def evaluate_grouped(corpus: Corpus, *, n_splits: int = 5, **params: Any) -> dict[str, Any]:
    """Leave-conflicts-out cross-validation: macro-F1 and accuracy on unseen conflicts.

    Returns a dict with ``macro_f1``, ``accuracy``, per-class ``f1`` and the
    out-of-fold probabilities (``oof_proba``, ``labels``) for further analysis.
    """
    texts = np.asarray(corpus.texts, dtype=object)
    y = np.asarray(corpus.labels)
    groups = np.asarray(corpus.conflicts)
    n_splits = min(n_splits, len(set(corpus.conflicts)))
    template = make_pipeline(**params)
    labels = sorted(set(corpus.labels))
    oof = np.zeros((len(y), len(labels)))
    for train_idx, test_idx in GroupKFold(n_splits=n_splits).split(texts, y, groups):
        pipeline = clone(template).fit(list(texts[train_idx]), y[train_idx])
        columns = [labels.index(str(c)) for c in pipeline.classes_]
        oof[np.ix_(test_idx, columns)] = pipeline.predict_proba(list(texts[test_idx]))
    predicted = np.asarray(labels)[oof.argmax(axis=1)]
    return {
        "macro_f1": float(f1_score(y, predicted, average="macro")),
        "accuracy": float(accuracy_score(y, predicted)),
        "f1": dict(zip(labels, map(float, f1_score(y, predicted, average=None, labels=labels)))),
        "n_splits": n_splits,
        "labels": labels,
        "oof_proba": oof,
    }


def train(corpus_paths: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str], *,
          evaluate: bool = True, **params: Any) -> Path:
    """Fit on a corpus, optionally evaluate by conflict, and save weights with a manifest.

    Returns the manifest path. Training is deterministic: the same corpus and
    settings write the same bytes.
    """
    corpus = read_corpus(corpus_paths)
    model = fit(corpus.texts, corpus.labels, **params)
    metadata: dict[str, Any] = {
        "params": _jsonable_params({**DEFAULT_PARAMS, **params}),
        "training_data": {
            "sha256": corpus.sha256(),
            "n_sentences": len(corpus),
            "label_counts": dict(sorted(Counter(corpus.labels).items())),
            "n_conflicts": len(set(corpus.conflicts)),
        },
    }
    if evaluate:
        scores = evaluate_grouped(corpus, **params)
        metadata["evaluation"] = {
            "protocol": f"GroupKFold({scores['n_splits']}) by conflict",
            "macro_f1": round(scores["macro_f1"], 4),
            "accuracy": round(scores["accuracy"], 4),
            "f1": {k: round(v, 4) for k, v in scores["f1"].items()},
        }
    return model.save(output, metadata=metadata)


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())}
