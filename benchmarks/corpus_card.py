"""Count the corpus and the blind second labelling; write the tables of ``docs/data.md``.

Run ``python -m benchmarks.corpus_card`` after changing ``seeds/``.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from benchmarks._report import replace_section, table

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("supportive", "conditional", "opposed", "neutral")
_TRUCE = re.compile(r"ceasefire|cease-fire|truce|armistice|talks|negotiat|pause|cessation|deal|accord", re.I)


#: Each blind second-labelling sample in ``seeds/agreement`` and what it was drawn from.
_PER_FILE = "drawn per file"
AGREEMENT_SAMPLES: tuple[tuple[str, str], ...] = (
    ("second_labels.jsonl", "A random 10% sample of files 00-07"),
    ("second_labels_contrast.jsonl", "A random 20% sample of the contrast groups (08)"),
    ("second_labels_new_conflicts.jsonl", "A random 10% sample of the new conflicts (09)"),
    ("second_labels_articles.jsonl", f"A random 12% sample of the whole articles (10), {_PER_FILE}"),
    ("second_labels_articles_11.jsonl", f"A random 12% sample of the second round of articles (11), {_PER_FILE}"),
    ("second_labels_articles_12.jsonl",
     f"A random 12% sample of the third round of articles (12, other news genres), {_PER_FILE}"),
    ("second_labels_articles_13.jsonl",
     f"A random 12% sample of the fourth round of articles (13, wire stories on new conflicts), {_PER_FILE}"),
    ("second_labels_articles_14.jsonl",
     f"A random 12% sample of the fifth round of articles (14, the border between neutral and a stance), {_PER_FILE}"),
    ("second_labels_articles_15.jsonl",
     f"A random 12% sample of the sixth round of articles (15, acts, rejected calls and speakers), {_PER_FILE}"),
    ("second_labels_articles_16.jsonl",
     "A random 12% sample of the seventh round of articles (16, explainers, timelines and long-form analysis), "
     f"{_PER_FILE}"),
    ("second_labels_articles_17.jsonl",
     "A random 12% sample of the eighth round of articles (17, live blogs, press briefings and reaction round-ups), "
     f"{_PER_FILE}"),
    ("second_labels_articles_18.jsonl",
     f"A random 12% sample of the ninth round of articles (18, editorials, interviews and news digests), {_PER_FILE}"),
    ("second_labels_articles_19.jsonl",
     "A random 12% sample of the tenth round of articles (19, press reviews, front-line dispatches and long-sentence "
     f"wire stories), {_PER_FILE}"),
    ("second_labels_articles_20.jsonl",
     "A random 12% sample of the eleventh round of articles (20, profiles, letters to the editor and \"what we know\" "
     f"explainers), {_PER_FILE}"),
    ("second_labels_articles_21.jsonl",
     "A random 12% sample of the twelfth round of articles (21, parliamentary debates, monitoring digests and news "
     f"analyses), {_PER_FILE}"),
    ("second_labels_articles_22.jsonl",
     "A random 12% sample of the thirteenth round of articles (22, markets reports, relief reports and trial or "
     f"inquiry reports), {_PER_FILE}"),
    ("second_labels_articles_23.jsonl",
     "A random 12% sample of the fourteenth round of articles (23, obituaries, picture captions and fact checks), "
     f"{_PER_FILE}"),
    ("second_labels_articles_24.jsonl",
     "A random 12% sample of the fifteenth round of articles (24, live blogs, interview Q&As and letters pages), "
     f"{_PER_FILE}"),
    ("second_labels_articles_25.jsonl",
     "A random 12% sample of the sixteenth round of articles (25, radio and TV transcripts, morning newsletters and "
     f"profiles), {_PER_FILE}"),
    ("second_labels_articles_26.jsonl",
     "A random 12% sample of the seventeenth round of articles (26, factboxes, \"five things to watch\" analyses and "
     f"local newspaper reports), {_PER_FILE}"),
    ("second_labels_articles_27.jsonl",
     "A random 12% sample of the eighteenth round of articles (27, correspondents' notebooks, week-in-review columns "
     f"and \"who's who\" sidebars), {_PER_FILE}"),
)


def main() -> int:
    rows = []
    for path in sorted((ROOT / "seeds" / "corpus").glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle)
    labels = Counter(r["label"] for r in rows)
    by_conflict: dict[str, Counter] = {}
    for r in rows:
        by_conflict.setdefault(r["conflict"], Counter())[r["label"]] += 1
    speakers = Counter(r.get("speaker", "unknown") for r in rows)
    neutral = [r for r in rows if r["label"] == "neutral"]
    neutral_truce = sum(bool(_TRUCE.search(r["text"])) for r in neutral)
    lengths = [len(r["text"].split()) for r in rows]
    headlines = sum(not r["text"].rstrip().endswith((".", "?", "!", '"', "”", "’", "'")) for r in rows)

    contrast = [r for r in rows if "phenomenon" in r]
    phenomena: dict[str, Counter] = {}
    for r in contrast:
        phenomena.setdefault(r["phenomenon"], Counter())[r["label"]] += 1
    n_groups = len({r["group"] for r in contrast})
    in_articles = [r for r in rows if "article" in r]
    article_labels = Counter(r["label"] for r in in_articles)
    article_sizes = Counter(r["article"] for r in in_articles).values()

    body = "\n".join([
        "## Counts",
        "",
        f"{len(rows):,} sentences in {len(by_conflict)} conflicts and settings, "
        f"{len(speakers)} speaker types. Sentence length: median {statistics.median(lengths):.0f} words "
        f"(range {min(lengths)}-{max(lengths)}); {headlines:,} headlines or other lines without final "
        f"punctuation. {neutral_truce:,} of the {len(neutral):,} neutral sentences "
        f"({neutral_truce / len(neutral):.0%}) mention a ceasefire, truce, talks or a deal "
        "(keyword count).",
        "",
        table(["label", "sentences", "share"],
              [[label, f"{labels[label]:,}", f"{labels[label] / len(rows):.1%}"] for label in LABELS]),
        "",
        table(["conflict", "total", *LABELS],
              [[name, sum(c.values()), *(c[label] for label in LABELS)]
               for name, c in sorted(by_conflict.items(), key=lambda item: -sum(item[1].values()))]),
        "",
        "Speaker types: " + ", ".join(f"{name} {n:,}" for name, n in speakers.most_common()) + ".",
        "",
        f"Contrast groups (`08_contrast_*.jsonl`): {len(contrast):,} sentences in {n_groups} groups of 2-4 "
        "sentences on one event whose labels differ by one structural change, tagged by phenomenon:",
        "",
        table(["phenomenon", "total", *LABELS],
              [[name, sum(c.values()), *(c[label] for label in LABELS)] for name, c in sorted(phenomena.items())]),
        "",
        f"Whole articles (`*_articles_*.jsonl`): {len(article_sizes)} news stories, {len(in_articles):,} "
        f"sentences ({min(article_sizes)}-{max(article_sizes)} each) in reading order, headline first. "
        "Label mix: " + ", ".join(f"{label} {article_labels[label]:,} ({article_labels[label] / len(in_articles):.0%})"
                                  for label in LABELS) + ".",
        "",
        "## Agreement",
        "",
        "\n\n".join(_agreement(name, what) for name, what in AGREEMENT_SAMPLES),
    ])
    replace_section(ROOT / "docs" / "data.md", body, name="counts", title="# Data card")
    print(body)
    return 0


def _agreement(name: str, what: str) -> str:
    second = [json.loads(line) for line in (ROOT / "seeds" / "agreement" / name).open()]
    first_labels = [s["first_label"] for s in second]
    second_labels = [s["second_label"] for s in second]
    agreement = sum(a == b for a, b in zip(first_labels, second_labels)) / len(second)
    kappa = cohen_kappa_score(first_labels, second_labels)
    confusion = Counter((a, b) for a, b in zip(first_labels, second_labels) if a != b)
    return (f"{what} ({len(second):,} sentences, `seeds/agreement/{name}`) was labelled again, blind, by a "
            "second labeller who saw only the labelling guide and the sentences. Raw agreement "
            f"{agreement:.1%}, Cohen's kappa **{kappa:.3f}**. Disagreements (first label → second label): "
            + (", ".join(f"{a} → {b} {n}" for (a, b), n in confusion.most_common()) or "none") + ".")


if __name__ == "__main__":
    sys.exit(main())
