"""The training corpus meets its data card: size, balance, breadth, validity, no duplicates."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance.evaluate import evaluate_grouped
from stance.train import conflict_groups
from stance.types import Label

from .conftest import CORPUS_DIR, SEED_TEXT

_NUMBER = re.compile(r"\d[\d,.]*")
_NAME = re.compile(r"\b[A-Z][\w'’-]*")


def skeleton(text: str) -> str:
    """Lower-cased text with capitalised words and numbers replaced by placeholders."""
    return _NAME.sub("<name>", _NUMBER.sub("<num>", text)).lower().strip()


@pytest.fixture(scope="module")
def records():
    rows = []
    for path in sorted(CORPUS_DIR.glob("*.jsonl")):
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                rows.append((path.name, line_no, json.loads(line)))
    return rows


def test_every_record_is_valid(records):
    allowed = {label.value for label in Label}
    for name, line_no, record in records:
        where = f"{name}:{line_no}"
        assert isinstance(record.get("text"), str) and record["text"].strip(), where
        assert record.get("label") in allowed, where
        assert isinstance(record.get("conflict"), str) and record["conflict"], where
        assert set(record) <= {"text", "label", "conflict", "speaker", "note", "phenomenon", "group",
                               "article"}, where
        assert record.get("phenomenon", PHENOMENA[0]) in PHENOMENA, where


PHENOMENA = ("negation", "clause", "winning_vs_term", "implicit_term", "event_vs_stance", "reported_speech",
             "no_keyword", "keyword_neutral", "third_party")


def test_contrast_groups_differ_in_label(records):
    groups = {}
    for name, _, record in records:
        if "group" in record:
            groups.setdefault((name, record["group"]), set()).add(record["label"])
    assert len(groups) >= 100
    assert [key for key, labels in groups.items() if len(labels) < 2] == []


def test_size_and_balance(records):
    counts = Counter(record["label"] for _, _, record in records)
    assert sum(counts.values()) >= 10_000
    for label in ("supportive", "conditional", "opposed"):
        assert counts[label] >= 2_000, label
    # Single sentences are balanced on purpose; whole news texts keep the mostly
    # neutral mix of real coverage. Each part must stay in its own band.
    def neutral_share(in_articles: bool) -> float:
        labels = [record["label"] for _, _, record in records if bool(record.get("article")) == in_articles]
        return labels.count("neutral") / len(labels)

    assert 0.28 <= neutral_share(False) <= 0.38
    assert 0.40 <= neutral_share(True) <= 0.55


def test_breadth(records):
    conflicts = Counter(record["conflict"] for _, _, record in records)
    assert len(conflicts) >= 20
    assert max(conflicts.values()) / sum(conflicts.values()) < 0.25


def test_no_exact_duplicates(records):
    texts = Counter(record["text"] for _, _, record in records)
    assert [text for text, n in texts.items() if n > 1] == []


def test_near_duplicates_under_two_percent(records):
    skeletons = Counter(skeleton(record["text"]) for _, _, record in records)
    repeated = sum(n - 1 for n in skeletons.values() if n > 1)
    assert repeated / len(records) < 0.02


def test_the_seed_article_is_not_trained_on(records):
    seed = SEED_TEXT.read_text(encoding="utf-8")
    assert not [record["text"] for _, _, record in records if record["text"] in seed]


def test_skeleton_catches_name_and_number_swaps():
    assert skeleton("Kyiv said 40 soldiers died.") == skeleton("Moscow said 7 soldiers died.")
    assert skeleton("Kyiv said 40 soldiers died.") != skeleton("Kyiv said 40 soldiers fled.")


def test_articles_read_like_real_news(records):
    articles = {}
    for name, _, record in records:
        if "article" in record:
            articles.setdefault(record["article"], []).append((name, record["label"]))
    assert len(articles) >= 50
    for article, rows in articles.items():
        assert len({name for name, _ in rows}) == 1, article
        assert len(rows) >= 15, article
        labels = Counter(label for _, label in rows)
        assert labels["neutral"] >= 3 and len(labels) >= 2, article
    shares = Counter(label for rows in articles.values() for _, label in rows)
    assert 0.35 <= shares["neutral"] / sum(shares.values()) <= 0.6


def test_read_corpus_carries_slice_columns(corpus, records):
    assert len(corpus.articles) == len(corpus.phenomena) == len(corpus) == len(records)
    in_articles = [i for i, article in enumerate(corpus.articles) if article]
    assert len(in_articles) == sum("article" in record for _, _, record in records)
    part = corpus.subset(in_articles[:3])
    assert part.articles == tuple(corpus.articles[i] for i in in_articles[:3]) and all(part.articles)


def test_episodes_are_grouped_with_their_conflict(corpus):
    groups = dict(zip(corpus.conflicts, corpus.groups))
    assert groups["Syria-Idlib 2019-20"] == groups["Syria"] == "Syria"
    assert groups["Yemen-UN truce 2022"] == "Yemen"
    assert groups["Sri Lanka"] == "Sri Lanka"
    assert groups["Israel-Gaza"] == "Israel-Gaza"  # no conflict is named "Israel"


conflict_names = st.lists(st.text(alphabet="ab -", min_size=1, max_size=6), min_size=1, max_size=12)


@given(conflict_names)
def test_conflict_groups_are_names_that_prefix_their_members(names):
    groups = conflict_groups(names)
    assert len(groups) == len(names)
    for name, group in zip(names, groups):
        assert group in names and name.startswith(group)
        assert group == name or name[len(group)] in "- "
        if any(name.startswith(other + separator) for other in names for separator in "- "):
            assert group != name
    assert conflict_groups(groups) == groups


def test_grouped_evaluation_holds_out_a_conflict_with_its_episodes(corpus):
    wanted = ["Syria", "Syria-Idlib 2019-20", "Yemen", "Yemen-UN truce 2022", "Sri Lanka", "Israel-Gaza", "Colombia"]
    picked = [i for name in wanted for i in [j for j, c in enumerate(corpus.conflicts) if c == name][:40]]
    small = corpus.subset(picked)
    scores = evaluate_grouped(small, n_splits=3, C=1.0, char_ngram_range=None, word_pairs=False)
    fold_of = {}
    for group, fold in zip(small.groups, scores["fold"]):
        assert fold_of.setdefault(group, fold) == fold
    assert len(set(fold_of)) == 5 and len(set(scores["fold"])) == 3
