"""Draw a blind second-labelling sample of corpus files, and score it against the first labels.

Every round of the corpus is labelled a second time, blind, on a random sample: the
second labeller sees the labelling guide, the grey-zone table, the sentence, the one
before it in the same news text, and the conflict, never the first label. Two steps:

``python -m benchmarks.blind_pass sample seeds/corpus/31_articles_*.jsonl --seed 31 --out DIR``
    draws 12% of each file's lines and splits them, shuffled, between two labellers:
    ``DIR/items_a.jsonl`` and ``DIR/items_b.jsonl`` are what each labeller sees,
    ``DIR/prompt_a.md`` and ``DIR/prompt_b.md`` their instructions, and
    ``DIR/key_a.jsonl`` and ``DIR/key_b.jsonl`` the first labels, kept apart.

``python -m benchmarks.blind_pass score DIR --second FILE``
    reads the labellers' ``DIR/labels_*.jsonl``, prints raw agreement and Cohen's kappa,
    lists the disagreements (``--disagreements FILE`` writes them, each to be resolved
    with a reason), and writes the sample in the format of ``seeds/agreement/`` that
    ``benchmarks.corpus_card`` reports.

``python -m benchmarks.blind_pass apply seeds/agreement/disagreements_articles_31.jsonl``
    once each disagreement has its ``resolution`` ("kept neutral: ..." or "relabelled
    opposed: ..."), writes every relabel into the corpus: the new label, and the reason as
    the line's note. Lines already relabelled are left as they are.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from benchmarks.corpus_card import LABELS, ROOT

__all__ = ["apply_resolutions", "draw_sample", "score_sample", "write_sample"]

_PROMPT = """# Blind labelling pass (second labeller)

You label sentences for a corpus about stance toward a ceasefire. Another person labelled them
first; you must NOT see their labels. Do not open the corpus ({sources}) or the `key_*` files
beside your items. Work only from the guide and the items.

1. Read `{guide}`: the labelling guide (the authority) and its section "How the corpus reads the
   grey zones" (how the corpus reads cases the guide does not settle).
2. Read `{items}`. Each line: `id`, `text` (the sentence to label), `previous_sentence` (context
   only, may be empty; do not label it), `conflict`.
3. Label every `text` with exactly one of `supportive`, `conditional`, `opposed`, `neutral`,
   following the guide. Label each sentence yourself, one by one, by reading it; do not write a
   program or keyword rules to assign labels.
4. Write `{labels}`, one line per item, same order:
   `{{"id": "...", "label": "...", "confidence": "high" or "low", "alt": "<second-choice label if low, else null>", "reason": "<short, only when low>"}}`
5. Check that the output has one line per item and valid labels, then reply with the counts per
   label and the number of low-confidence items.
"""


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def draw_sample(paths: Sequence[Path], seed: int, fraction: float = 0.12,
                labellers: Sequence[str] = ("a", "b")) -> dict[str, list[dict]]:
    """Draw ``fraction`` of each file's lines (at least one) and deal them out to the labellers.

    Files are taken in name order and lines drawn with :func:`random.sample` from one
    generator seeded with ``seed``, so the same files and seed give the same sample.
    Each item keeps the sentence before it when that sentence is in the same news text.

    Returns
    -------
    dict
        Per labeller, its items: ``id``, ``file``, ``line`` (1-based), ``text``,
        ``previous_sentence``, ``conflict`` and ``first_label``.
    """
    rng = random.Random(seed)
    items: list[dict] = []
    for path in sorted(paths, key=lambda p: Path(p).name):
        rows = _read_jsonl(Path(path))
        count = max(1, round(len(rows) * fraction))
        for index in sorted(rng.sample(range(len(rows)), count)):
            row = rows[index]
            before = rows[index - 1] if index > 0 else None
            same_text = before is not None and before.get("article") == row.get("article")
            items.append({"file": Path(path).name, "line": index + 1, "text": row["text"],
                          "previous_sentence": before["text"] if same_text else "",
                          "conflict": row["conflict"], "first_label": row["label"]})
    rng.shuffle(items)
    share = len(items) // len(labellers)
    dealt: dict[str, list[dict]] = {}
    for number, tag in enumerate(labellers):
        end = len(items) if number == len(labellers) - 1 else (number + 1) * share
        dealt[tag] = [{"id": f"{tag}{n:04d}", **item} for n, item in enumerate(items[number * share:end])]
    return dealt


def write_sample(dealt: dict[str, list[dict]], folder: Path, guide: Path = ROOT / "docs" / "labels.md",
                 corpus: Path = ROOT / "seeds") -> None:
    """Write each labeller's items, prompt and answer key into ``folder``.

    The prompt names ``guide`` (the labelling guide with the corpus's grey-zone
    table) and ``corpus``, the folder the labeller must not open.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for tag, items in dealt.items():
        with open(folder / f"key_{tag}.jsonl", "w", encoding="utf-8") as key, \
                open(folder / f"items_{tag}.jsonl", "w", encoding="utf-8") as shown:
            for item in items:
                key.write(json.dumps(item) + "\n")
                shown.write(json.dumps({k: item[k] for k in ("id", "text", "previous_sentence", "conflict")}) + "\n")
        (folder / f"prompt_{tag}.md").write_text(
            _PROMPT.format(items=folder / f"items_{tag}.jsonl", labels=folder / f"labels_{tag}.jsonl",
                           guide=guide, sources=f"`{corpus}`"),
            encoding="utf-8")


def score_sample(folder: Path) -> dict:
    """Pair each ``key_*.jsonl`` in ``folder`` with its ``labels_*.jsonl`` and measure agreement.

    Raises
    ------
    ValueError
        If a labeller's file misses an item or holds a label outside the four.

    Returns
    -------
    dict
        ``sentences``, ``agreement``, ``kappa``, ``second`` (the rows for
        ``seeds/agreement/``, in file and line order) and ``disagreements``.
    """
    keys: list[dict] = []
    answers: dict[str, dict] = {}
    for key_path in sorted(folder.glob("key_*.jsonl")):
        labels_path = folder / key_path.name.replace("key_", "labels_", 1)
        if not labels_path.exists():
            raise ValueError(f"{labels_path}: no labels for the items of {key_path.name}.")
        keys.extend(_read_jsonl(key_path))
        for number, answer in enumerate(_read_jsonl(labels_path), start=1):
            if answer.get("label") not in LABELS:
                raise ValueError(f"{labels_path}, line {number}: label {answer.get('label')!r} is not one of {LABELS}.")
            answers[answer["id"]] = answer
    if not keys:
        raise ValueError(f"{folder}: no key_*.jsonl files; draw a sample first.")
    missing = [key["id"] for key in keys if key["id"] not in answers]
    if missing:
        raise ValueError(f"{folder}: {len(missing)} items have no second label, e.g. {missing[:5]}.")
    keys.sort(key=lambda key: (key["file"], key["line"]))
    first = [key["first_label"] for key in keys]
    second = [answers[key["id"]]["label"] for key in keys]
    rows = [{"file": key["file"], "line": key["line"], "first_label": key["first_label"],
             "second_label": answers[key["id"]]["label"],
             "second_confidence": answers[key["id"]].get("confidence")} for key in keys]
    disagreements = [{"id": key["id"], "file": key["file"], "line": key["line"], "first": key["first_label"],
                      "second": answers[key["id"]]["label"], "second_conf": answers[key["id"]].get("confidence"),
                      "second_alt": answers[key["id"]].get("alt"), "text": key["text"],
                      "reason": answers[key["id"]].get("reason")}
                     for key in keys if answers[key["id"]]["label"] != key["first_label"]]
    return {"sentences": len(keys), "agreement": sum(a == b for a, b in zip(first, second)) / len(keys),
            "kappa": float(cohen_kappa_score(first, second)), "second": rows, "disagreements": disagreements}


_RELABEL = re.compile(r"relabelled (\w+):?\s*(.*)", re.S)


def apply_resolutions(disagreements: Path, corpus: Path = ROOT / "seeds" / "corpus") -> list[str]:
    """Write each "relabelled <label>: <reason>" resolution into its corpus line.

    Raises
    ------
    ValueError
        If a disagreement has no resolution, names a label outside the four, or no longer
        matches the text of its corpus line.

    Returns
    -------
    list of str
        ``file:line`` of each corpus line changed (none when all were applied before).
    """
    changes: dict[str, dict[int, tuple[str, str, str]]] = {}
    for number, row in enumerate(_read_jsonl(disagreements), start=1):
        if "resolution" not in row:
            raise ValueError(f"{disagreements}, line {number}: no resolution yet.")
        match = _RELABEL.match(row["resolution"])
        if match is None:
            continue
        label, reason = match.groups()
        if label not in LABELS:
            raise ValueError(f"{disagreements}, line {number}: label {label!r} is not one of {LABELS}.")
        changes.setdefault(row["file"], {})[row["line"]] = (label, reason.strip(), row["text"])
    changed = []
    for name, edits in changes.items():
        rows = _read_jsonl(corpus / name)
        relabelled = []
        for line, (label, reason, text) in edits.items():
            if rows[line - 1]["text"] != text:
                raise ValueError(f"{corpus / name}, line {line}: the text is not the one the blind pass saw.")
            if rows[line - 1]["label"] != label:
                rows[line - 1]["label"] = label
                rows[line - 1]["note"] = f"{reason} (relabelled after the blind pass)"
                relabelled.append(f"{name}:{line}")
        if relabelled:  # files with nothing to change keep their bytes
            _write_jsonl(rows, corpus / name)
            changed.extend(relabelled)
    return changed


def _write_jsonl(rows: Sequence[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.blind_pass", description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    sample = steps.add_parser("sample", help="draw the sample and write the labellers' items and prompts")
    sample.add_argument("files", nargs="+", type=Path, help="corpus files to sample, e.g. seeds/corpus/31_*.jsonl")
    sample.add_argument("--seed", type=int, required=True, help="seed of the draw (the round's number, by custom)")
    sample.add_argument("--fraction", type=float, default=0.12, help="share of each file's lines (default: %(default)s)")
    sample.add_argument("--out", type=Path, required=True, help="folder for items, prompts and keys")
    score = steps.add_parser("score", help="measure agreement once the labellers have answered")
    score.add_argument("folder", type=Path, help="the folder of the sample, holding key_* and labels_* files")
    score.add_argument("--second", type=Path, help="write the sample's labels here, in the format of seeds/agreement/")
    score.add_argument("--disagreements", type=Path, help="write the disagreements here, to be resolved")
    apply = steps.add_parser("apply", help="write the resolved relabels into the corpus")
    apply.add_argument("disagreements", type=Path, help="the disagreements file, each with its resolution")
    apply.add_argument("--corpus", type=Path, default=ROOT / "seeds" / "corpus",
                       help="corpus folder (default: seeds/corpus)")
    args = parser.parse_args(argv)
    if args.step == "sample":
        dealt = draw_sample(args.files, args.seed, args.fraction)
        write_sample(dealt, args.out)
        print(", ".join(f"{len(items)} items for labeller {tag}" for tag, items in dealt.items())
              + f"; prompts in {args.out}")
        return 0
    if args.step == "apply":
        try:
            changed = apply_resolutions(args.disagreements, args.corpus)
        except ValueError as error:
            print(f"blind_pass: {error}", file=sys.stderr)
            return 1
        print(f"{len(changed)} lines relabelled" + "".join(f"\n  {place}" for place in changed))
        return 0
    try:
        result = score_sample(args.folder)
    except ValueError as error:
        print(f"blind_pass: {error}", file=sys.stderr)
        return 1
    print(f"{result['sentences']} sentences, raw agreement {result['agreement']:.1%}, "
          f"Cohen's kappa {result['kappa']:.3f}, {len(result['disagreements'])} disagreements")
    for row in result["disagreements"]:
        print(f"  {row['file']}:{row['line']} {row['first']} -> {row['second']} ({row['second_conf']}): {row['text']}")
    if args.second:
        _write_jsonl(result["second"], args.second)
    if args.disagreements:
        _write_jsonl(result["disagreements"], args.disagreements)
    return 0


if __name__ == "__main__":
    sys.exit(main())
