"""Score one corpus round before any model has trained on it.

Each round of the corpus (``seeds/corpus/NN_*.jsonl``) adds conflicts the earlier
rounds do not have. Trained on the rounds before it, a model meets that round as it
meets real news: conflicts, writers and forms it has never seen. Run
``python -m benchmarks.fresh_check 28`` to fit the shipped settings, scikit-learn's
defaults and the keyword rules on rounds ``00`` to ``27`` and score round ``28``. The
``neutral`` lines whose writers left a ``note`` (in the later rounds, mostly lines that
carry stance words about something else, or truce words described) are scored apart,
as they are where precision on real text is lost. The data card (``docs/data.md``)
reports this check for each round of articles, with this command from round 28 on.
``--weights models/stance-v1``, run before the round is trained on, also scores the
weights shipped then, as they are: what the rounds since those weights taught.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from benchmarks._report import fit_predict, fmt, table
from benchmarks.baselines import KeywordStanceClassifier, sklearn_default_baseline
from stance.features import make_pipeline
from stance.model import load
from stance.train import read_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "seeds" / "corpus"


def round_files(folder: Path, number: int) -> tuple[list[Path], list[Path]]:
    """The corpus files of the rounds before ``number``, and those of round ``number``.

    A file's round is the number its name starts with (``27_articles_a.jsonl`` is
    round 27); files whose names do not start with a number are left out of both.
    """
    before, new = [], []
    for path in sorted(folder.glob("*.jsonl")):
        prefix = path.name.split("_", 1)[0]
        if not prefix.isdigit():
            continue
        if int(prefix) < number:
            before.append(path)
        elif int(prefix) == number:
            new.append(path)
    return before, new


def _annotated(paths: Sequence[Path]) -> np.ndarray:
    flags = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            flags.extend(bool(json.loads(line).get("note")) for line in handle if line.strip())
    return np.array(flags, dtype=bool)


def fresh_check(folder: Path, number: int, weights: Path | None = None) -> dict:
    """Fit three models on the rounds before ``number`` and score round ``number``.

    ``weights``, if given, are saved weights (``models/stance-v1`` before the round
    is trained on) scored on the round as they are, without fitting: the difference
    from the first model is what the rounds between them taught.

    Returns
    -------
    dict
        Sentence counts, and per model its macro-F1, accuracy, accuracy on the
        ``neutral`` lines with and without a writer's note, and the warnings its fit
        raised (scikit-learn's defaults stop ``lbfgs`` at 100 iterations).
    """
    before, new = round_files(folder, number)
    if not before or not new:
        raise SystemExit(f"fresh_check: round {number} needs files of its own and of earlier rounds in {folder}.")
    train, test = read_corpus(before), read_corpus(new)
    truth = np.array(test.labels)
    noted = _annotated(new)
    neutral = truth == "neutral"
    models = {
        "stance (shipped settings)": make_pipeline(),
        "sklearn defaults": sklearn_default_baseline(),
        "keyword cues": KeywordStanceClassifier(),
    }
    results: dict = {"round": number, "train_sentences": len(train), "test_sentences": len(test),
                     "train_conflicts": len(set(train.conflicts)), "test_conflicts": len(set(test.conflicts)),
                     "neutral_noted": int((neutral & noted).sum()), "neutral_other": int((neutral & ~noted).sum()),
                     "models": {}}

    def scores(predicted: np.ndarray, started: float, messages: list[str]) -> dict:
        right = predicted == truth
        return {
            "macro_f1": f1_score(truth, predicted, average="macro"),
            "accuracy": accuracy_score(truth, predicted),
            "neutral_noted_right": float(right[neutral & noted].mean()) if (neutral & noted).any() else None,
            "neutral_other_right": float(right[neutral & ~noted].mean()) if (neutral & ~noted).any() else None,
            "seconds": time.perf_counter() - started,
            "warnings": messages,
        }

    for name, model in models.items():
        started = time.perf_counter()
        predicted, messages = fit_predict(model, list(train.texts), list(train.labels), list(test.texts))
        results["models"][name] = scores(predicted, started, messages)
    if weights is not None:
        started = time.perf_counter()
        predicted = np.array(load(weights).predict(list(test.texts)))
        results["models"][f"saved weights ({Path(weights).name})"] = scores(predicted, started, [])
    return results


def render(results: dict) -> str:
    """A markdown summary of :func:`fresh_check`'s results."""
    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    rows = [(name, fmt(m["macro_f1"]), fmt(m["accuracy"]), share(m["neutral_noted_right"]),
             share(m["neutral_other_right"])) for name, m in results["models"].items()]
    warned = [f"{name}: {message}" for name, m in results["models"].items() for message in m["warnings"]]
    return (
        f"Round {results['round']}: {results['test_sentences']:,} sentences on {results['test_conflicts']} "
        f"conflicts, scored by models fitted on the {results['train_sentences']:,} sentences "
        f"({results['train_conflicts']} conflicts) of the rounds before it.\n\n"
        + table(("model", "macro-F1", "accuracy",
                 f"neutral with a note ({results['neutral_noted']})",
                 f"other neutral ({results['neutral_other']})"), rows)
        + ("\n\n" + "\n".join(f"Warning while fitting {line}" for line in warned) if warned else "")
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fresh_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("round", type=int, help="the round to score, e.g. 28 for seeds/corpus/28_*.jsonl")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of corpus files (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--weights", type=Path,
                        help="also score these saved weights as they are, e.g. models/stance-v1 before the round "
                             "is trained on")
    args = parser.parse_args(argv)
    results = fresh_check(args.corpus, args.round, args.weights)
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
