"""Properties of scoring, persistence and the command, over generated input."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import stance
from stance.cli import main
from stance.train import fit

any_text = st.text(max_size=300)
words = st.sampled_from("the army rebels truce ceasefire talks reject accept only if must now never "
                        "guarantees hostages fight on calls for halt war peace no until".split())
sentence = st.lists(words, min_size=1, max_size=15).map(" ".join)


@given(st.lists(any_text, max_size=12))
def test_probabilities_are_a_distribution(model, texts):
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), len(model.labels))
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0) and np.all(proba <= 1)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert model.predict(texts) == [model.labels[i] for i in proba.argmax(axis=1)]


@given(st.lists(any_text, min_size=1, max_size=8))
def test_batch_equals_one_by_one_and_is_deterministic(model, texts):
    together = model.predict_proba(texts)
    alone = np.vstack([model.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(together, model.predict_proba(texts))


@given(any_text)
def test_document_records_match_spans(model, text):
    records = model.score_document(text, doc_id="d")
    spans = stance.split_sentences(text)
    assert [(r.start, r.end) for r in records] == [(s.start, s.end) for s in spans]
    for record in records:
        assert text[record.start:record.end] == record.text
        assert abs(sum(record.probabilities.values()) - 1) < 1e-9
        assert record.label == max(record.probabilities, key=record.probabilities.get)


@settings(max_examples=5, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=30), st.integers(1, 7))
def test_two_jobs_equal_one_job(model, texts, batch_size):
    one = list(model.score_documents(texts, n_jobs=1))
    two = list(model.score_documents(texts, n_jobs=2, batch_size=batch_size))
    assert one == two


labelled = st.lists(st.tuples(sentence, st.sampled_from(["supportive", "conditional", "opposed", "neutral"])),
                    min_size=8, max_size=40).filter(lambda rows: len({label for _, label in rows}) >= 2)


@settings(max_examples=15, deadline=None)
@given(labelled, st.booleans(), st.sampled_from([1, 2]), st.booleans())
def test_save_then_load_predicts_identically(rows, use_chars, min_df, anonymise):
    texts, labels = zip(*rows)
    try:
        model = fit(texts, labels, char_ngram_range=(2, 4) if use_chars else None, min_df=min_df,
                    anonymise=anonymise)
    except ValueError:  # min_df can prune every term of a tiny vocabulary: nothing to save
        return
    with tempfile.TemporaryDirectory() as tmp:
        model.save(Path(tmp) / "m")
        loaded = stance.load(Path(tmp) / "m")
    probe = list(texts) + ["an unseen sentence about a truce", ""]
    np.testing.assert_array_equal(loaded.predict_proba(probe), model.predict_proba(probe))
    assert loaded.labels == model.labels


GOOD, MALFORMED, NOT_OBJECT, NO_TEXT, NUMBER_TEXT, EMPTY_TEXT, BAD_UTF8 = range(7)


def jsonl_line(kind: int, index: int, text: str) -> bytes:
    return {
        GOOD: lambda: json.dumps({"id": f"r{index}", "text": text}).encode(),
        MALFORMED: lambda: b'{"id": "r%d", "text": ' % index,
        NOT_OBJECT: lambda: json.dumps([index, text]).encode(),
        NO_TEXT: lambda: json.dumps({"id": f"r{index}"}).encode(),
        NUMBER_TEXT: lambda: json.dumps({"id": f"r{index}", "text": index}).encode(),
        EMPTY_TEXT: lambda: json.dumps({"id": f"r{index}", "text": "  "}).encode(),
        BAD_UTF8: lambda: b'{"id": "r%d", "text": "bad \xff byte"}' % index,
    }[kind]()


record_kinds = st.lists(st.tuples(st.integers(0, 6), st.text(min_size=1, max_size=80).filter(str.strip)),
                        min_size=1, max_size=25)


def _accounted(tmp: Path, source: Path, extra: list[str]) -> tuple[list[str], list[int]]:
    errors = tmp / "errors.jsonl"
    out = tmp / "out.jsonl"
    main(["score", str(source), "-q", "--per-document", "-o", str(out), "--errors", str(errors), "--force", *extra])
    scored = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    failed = [json.loads(line)["line"] for line in errors.read_text(encoding="utf-8").splitlines()]
    return scored, failed


@settings(max_examples=30, deadline=None)
@given(record_kinds)
def test_every_jsonl_record_is_accounted_for_once(kinds):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "in.jsonl"
        source.write_bytes(b"\n".join(jsonl_line(kind, i, text) for i, (kind, text) in enumerate(kinds)) + b"\n")
        scored, failed = _accounted(tmp, source, [])
    assert scored == [f"r{i}" for i, (kind, _) in enumerate(kinds) if kind == GOOD]
    assert failed == [i + 1 for i, (kind, _) in enumerate(kinds) if kind != GOOD]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.text(min_size=1, max_size=80).filter(str.strip)),
                min_size=1, max_size=25))
def test_every_csv_record_is_accounted_for_once(kinds):
    # 0: good, 1: empty text, 2: a missing field, 3: invalid UTF-8
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "text"])
    for i, (kind, text) in enumerate(kinds):
        writer.writerow([f"r{i}", {0: text.replace("\x00", ""), 1: " ", 2: None, 3: "BAD"}[kind]]
                        if kind != 2 else [f"r{i}"])
    data = buffer.getvalue().encode("utf-8").replace(b"BAD", b"bad \xff")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "in.csv"
        source.write_bytes(data)
        scored, failed = _accounted(tmp, source, [])
    good = [f"r{i}" for i, (kind, text) in enumerate(kinds) if kind == 0 and text.replace("\x00", "").strip()]
    assert scored == good
    assert len(scored) + len(failed) == len(kinds)


spelling = st.sampled_from(["ceasefire", "cease-fire", "cease fire", "Ceasefire", "Cease-fire", "Cease-Fire"])


@given(st.lists(st.one_of(words, st.just("CEASEFIRE")), min_size=1, max_size=12), st.data())
def test_cease_fire_spellings_score_like_ceasefire(model, tokens, data):
    """American "cease-fire" and "cease fire" get exactly the probabilities of "ceasefire"."""
    spelled = [data.draw(spelling) if token == "CEASEFIRE" else token for token in tokens]
    plain = ["Ceasefire" if token[0] == "C" and token.lower().startswith("cease") else
             "ceasefire" if token.lower().startswith("cease") else token for token in spelled]
    texts = [" ".join(spelled) + ".", "Officials said " + " ".join(spelled) + "."]
    expected = [" ".join(plain) + ".", "Officials said " + " ".join(plain) + "."]
    np.testing.assert_array_equal(model.predict_proba(texts), model.predict_proba(expected))


american_and_british = st.sampled_from([
    ("defense", "defence"), ("Defense", "Defence"), ("recognized", "recognised"), ("emphasizes", "emphasises"),
    ("signaled", "signalled"), ("toward", "towards"), ("labor", "labour"), ("Centers", "Centres"),
    ("percent", "per cent"), ("skeptical", "sceptical"), ("maneuvering", "manoeuvring"), ("ANALYZED", "ANALYSED"),
    ("neighboring", "neighbouring"), ("demilitarization", "demilitarisation"), ("gray", "grey"),
])


@given(st.lists(st.one_of(words.map(lambda word: (word, word)), american_and_british), min_size=1, max_size=12))
def test_american_spellings_score_like_british_ones(model, pairs):
    """"Defense", "recognized", "signaled" and "toward" get exactly the probabilities of the corpus's spellings."""
    american, british = (" ".join(side) for side in zip(*pairs))
    texts = [american + ".", "Officials said " + american + "."]
    expected = [british + ".", "Officials said " + british + "."]
    np.testing.assert_array_equal(model.predict_proba(texts), model.predict_proba(expected))


@given(sentence)
def test_a_line_in_capitals_scores_like_the_same_line_in_lower_case(model, text):
    """Capitals do not mark names in a headline, so "ARMY REJECTS TRUCE" reads as "army rejects truce"."""
    long_words = [word for word in text.split()[1:] if len(word) >= 4]
    assume(len(long_words) >= 2)
    np.testing.assert_array_equal(model.predict_proba([text.upper()]), model.predict_proba([text]))


@given(sentence, sentence)
def test_curly_quotes_score_like_straight_ones(model, quoted, rest):
    """Typeset “quotes” and ’ apostrophes read as the straight ones the corpus is typed with."""
    straight = f"\"{quoted},\" the army's spokesman said of the '{rest}'."
    curly = f"“{quoted},” the army’s spokesman said of the ‘{rest}’."
    np.testing.assert_array_equal(model.predict_proba([curly]), model.predict_proba([straight]))
