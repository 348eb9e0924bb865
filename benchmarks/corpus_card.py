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


def _article_round(number: int, ordinal: str, forms: str) -> tuple[str, str]:
    return (f"second_labels_articles_{number}.jsonl",
            f"A random 12% sample of the {ordinal} round of articles ({number}, {forms}), drawn per file")


#: Each blind second-labelling sample in ``seeds/agreement`` and what it was drawn from.
AGREEMENT_SAMPLES: tuple[tuple[str, str], ...] = (
    ("second_labels.jsonl", "A random 10% sample of files 00-07"),
    ("second_labels_contrast.jsonl", "A random 20% sample of the contrast groups (08)"),
    ("second_labels_new_conflicts.jsonl", "A random 10% sample of the new conflicts (09)"),
    ("second_labels_articles.jsonl", "A random 12% sample of the whole articles (10), drawn per file"),
    ("second_labels_articles_11.jsonl", "A random 12% sample of the second round of articles (11), drawn per file"),
    _article_round(12, "third", "other news genres"),
    _article_round(13, "fourth", "wire stories on new conflicts"),
    _article_round(14, "fifth", "the border between neutral and a stance"),
    _article_round(15, "sixth", "acts, rejected calls and speakers"),
    _article_round(16, "seventh", "explainers, timelines and long-form analysis"),
    _article_round(17, "eighth", "live blogs, press briefings and reaction round-ups"),
    _article_round(18, "ninth", "editorials, interviews and news digests"),
    _article_round(19, "tenth", "press reviews, front-line dispatches and long-sentence wire stories"),
    _article_round(20, "eleventh", "profiles, letters to the editor and \"what we know\" explainers"),
    _article_round(21, "twelfth", "parliamentary debates, monitoring digests and news analyses"),
    _article_round(22, "thirteenth", "markets reports, relief reports and trial or inquiry reports"),
    _article_round(23, "fourteenth", "obituaries, picture captions and fact checks"),
    _article_round(24, "fifteenth", "live blogs, interview Q&As and letters pages"),
    _article_round(25, "sixteenth", "radio and TV transcripts, morning newsletters and profiles"),
    _article_round(26, "seventeenth", "factboxes, \"five things to watch\" analyses and local newspaper reports"),
    _article_round(27, "eighteenth", "correspondents' notebooks, week-in-review columns and \"who's who\" sidebars"),
    _article_round(28, "nineteenth", "breaking-news alert streams, statements in full and human-interest features"),
    _article_round(29, "twentieth", "government read-outs, embassy security alerts and risk consultancy updates"),
    _article_round(30, "twenty-first", "sermon reports, human-rights report summaries and \"What they said\" quote boxes"),
    _article_round(31, "twenty-second", "diaries, stories with updates and corrections, and reports of televised addresses"),
    _article_round(32, "twenty-third", "anniversary retrospectives, inside-the-talks reconstructions and round-ups of what people read and heard"),
    _article_round(33, "twenty-fourth", "glossaries of key terms, \"as told to\" accounts and reports of leaked memos"),
    _article_round(34, "twenty-fifth", "meeting reports, opinion poll reports and reviews of books and films"),
    _article_round(35, "twenty-sixth", "press round-ups, relief reports and history explainers for students"),
    _article_round(36, "twenty-seventh", "open letters and replies, annotated speeches and point-counterpoint columns"),
    _article_round(37, "twenty-eighth", "radio bulletins, readers' question-and-answer guides and one-week chronologies"),
    _article_round(38, "twenty-ninth", "aid agency press releases, radio phone-in programmes and social media round-ups"),
    _article_round(39, "thirtieth", "UN Security Council meeting coverage, think-tank policy briefs and news planners"),
    _article_round(40, "thirty-first", "news agency video scripts, podcast write-ups and diaspora community newspaper reports"),
    _article_round(41, "thirty-second", "negotiation transcripts, news magazine cover stories and readers' editor columns"),
    _article_round(42, "thirty-third", "wire stories in the manner of the seed article, \"what each side wants\" explainers and press briefing write-ups on conflicts already in the corpus"),
    _article_round(43, "thirty-fourth", "the same three forms on eleven conflicts already in the corpus"),
    _article_round(44, "thirty-fifth", "the same three forms on twelve conflicts already in the corpus, in 2020-24"),
    _article_round(45, "thirty-sixth", "the same three forms in American spelling and US wire usage, on twelve conflicts already in the corpus"),
    _article_round(46, "thirty-seventh", "the same three forms in American spelling and US wire usage, on twelve smaller conflicts of 2020-25"),
    _article_round(47, "thirty-eighth", "the same three forms in the register of the region's English-language press, "
                   "on sixteen conflicts already in the corpus"),
    _article_round(48, "thirty-ninth", "the same three forms in the register of the region's English-language press, "
                   "on twelve conflicts of 2024-25"),
    _article_round(49, "fortieth", "the same three forms in the region's English-language press of the day, "
                   "on sixteen episodes of 1988-2014"),
    _article_round(50, "forty-first", "the same three forms in the register of the foreign-language press in English "
                   "translation, on sixteen episodes of 1992-2025"),
    _article_round(51, "forty-second", "the same three forms in the register of the foreign-language press in English "
                   "translation, on sixteen more episodes of 1992-2025"),
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
