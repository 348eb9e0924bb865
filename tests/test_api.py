"""The public API: exports, label order, batch and document scoring, explanations."""

from __future__ import annotations

import types

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import stance
from stance.types import Label

from .conftest import edit_manifest


def test_all_is_sorted_and_complete():
    assert stance.__all__ == sorted(stance.__all__)
    public = {
        name for name in dir(stance)
        if not name.startswith("_") and not isinstance(getattr(stance, name), types.ModuleType)
    }
    assert public <= set(stance.__all__) | {"__version__"}
    for name in stance.__all__:
        assert hasattr(stance, name)


def test_labels_come_from_classes(model):
    assert model.labels == tuple(str(c) for c in model.pipeline.classes_)
    assert set(model.labels) == {label.value for label in Label}


def test_predict_proba_shape_and_rows(model):
    texts = ["The army rejected the truce.", "Talks resumed in Doha.", "Both sides must stop firing now."]
    proba = model.predict_proba(texts)
    assert proba.shape == (3, len(model.labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict(texts) == [model.labels[i] for i in proba.argmax(axis=1)]


def test_predict_empty_batch(model):
    assert model.predict_proba([]).shape == (0, len(model.labels))
    assert model.predict([]) == []


@pytest.mark.parametrize("bad", ["a bare string", "x"], ids=["sentence", "one-char"])
def test_batch_methods_refuse_a_bare_string(model, bad):
    with pytest.raises(stance.InputError, match="string object received"):
        model.predict(bad)
    with pytest.raises(ValueError):
        model.predict_proba(bad)
    with pytest.raises(stance.InputError):
        list(model.score_documents(bad))


def test_non_string_item_is_named(model):
    with pytest.raises(stance.InputError, match="Item 1 is of type int"):
        model.predict(["fine", 3])


def test_exclude_neutral(model):
    texts = ["The ceasefire took effect at midnight.", "Officials counted 40 dead."]
    labels = model.predict(texts, labels=["supportive", "conditional", "opposed"])
    assert "neutral" not in labels
    with pytest.raises(ValueError, match="subset"):
        model.predict(texts, labels=["peace"])


def test_score_document_offsets_and_summary(model, seed_text, seed_gold):
    records = model.score_document(seed_text, doc_id="seed")
    assert [(r.start, r.end) for r in records] == [(g["start"], g["end"]) for g in seed_gold]
    for index, record in enumerate(records):
        assert record.index == index and record.doc_id == "seed"
        assert seed_text[record.start:record.end] == record.text
        assert record.label == max(record.probabilities, key=record.probabilities.get)
    summary = model.summarize(records)
    assert summary.n_sentences == len(records) == sum(summary.counts.values())
    assert summary.doc_id == "seed"
    assert abs(sum(summary.mean_probabilities.values()) - 1) < 1e-9


def test_empty_document_scores_to_nothing(model):
    assert model.score_document("") == []
    assert model.score_document("  \n\t ") == []
    assert model.summarize([]).n_sentences == 0


def test_min_confidence_cannot_send_sentences_to_an_excluded_neutral(model):
    with pytest.raises(ValueError, match="min_confidence"):
        model.score_document("Talks resume on Monday.", labels=["supportive", "conditional", "opposed"],
                             min_confidence=0.9)


_WORKER_TEXTS = ["we reject the truce", "no ceasefire ever", "we welcome the truce", "stop the war now"] * 3
_WORKER_LABELS = ["opposed", "opposed", "supportive", "supportive"] * 3


def _scored_by_workers(model, n_jobs):
    """Every record of the worker texts, scored in chunks of two documents on ``n_jobs`` workers."""
    documents = [stance.Document(str(i), text) for i, text in enumerate(_WORKER_TEXTS)]
    return [r for rs in model.score_documents(documents, n_jobs=n_jobs, batch_size=2) for r in rs]


def test_workers_never_score_with_weights_replaced_on_disk(tmp_path):
    from stance.train import fit

    swapped = ["supportive", "supportive", "opposed", "opposed"] * 3

    def labels_of(model, n_jobs):
        return [r.label for r in _scored_by_workers(model, n_jobs)]

    fit(_WORKER_TEXTS, _WORKER_LABELS, char_ngram_range=None).save(tmp_path / "m")
    first = stance.load(tmp_path / "m")
    assert labels_of(first, 2) == labels_of(first, 1)
    fit(_WORKER_TEXTS, swapped, char_ngram_range=None).save(tmp_path / "m")
    second = stance.load(tmp_path / "m")
    assert labels_of(second, 1) != labels_of(first, 1)
    assert labels_of(second, 2) == labels_of(second, 1)
    assert labels_of(first, 2) == labels_of(first, 1)  # its files changed on disk: sent as it is


def test_workers_never_score_with_settings_replaced_on_disk(tmp_path):
    from stance.train import fit

    def scores_of(model, n_jobs):
        return [r.probabilities for r in _scored_by_workers(model, n_jobs)]

    fit(_WORKER_TEXTS, _WORKER_LABELS, char_ngram_range=None).save(tmp_path / "m")
    first = stance.load(tmp_path / "m")
    assert scores_of(first, 2) == scores_of(first, 1)
    # Same weights, another valid setting, as a file saved elsewhere with its own checksums.
    edit_manifest(tmp_path / "m", lambda m: m["pipeline"]["vectorizers"][0]["params"].update(norm="l1"),
                  forge_settings_checksum=True)
    second = stance.load(tmp_path / "m")
    assert second.manifest["weights_sha256"] == first.manifest["weights_sha256"]
    assert scores_of(second, 1) != scores_of(first, 1)
    assert scores_of(second, 2) == scores_of(second, 1)


def test_min_confidence_abstains(model):
    text = "The two delegations met in Cairo. They will meet again."
    records = model.score_document(text, min_confidence=1.0)
    assert {r.label for r in records} == {"neutral"}


def test_records_serialise_to_plain_types(model):
    record = model.score_document("Hamas said it accepted the truce proposal.")[0]
    data = record.to_dict()
    assert type(data["probabilities"]["neutral"]) is float
    assert all(type(k) is str for k in data["probabilities"])


def test_explain_points_at_ngrams_in_the_sentence(model):
    why = model.explain("The militia rejected any ceasefire and vowed to fight on.", top=5)
    assert why.label in model.labels
    assert 0 < len(why.features) <= 5
    weights = [w for _, w in why.features]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    for name, _ in why.features:
        kind, gram = name.split("__", 1)
        assert kind in ("word", "char")


def test_make_pipeline_is_a_plain_estimator(corpus):
    pipeline = stance.make_pipeline(char_ngram_range=None, C=1.0)
    clone(pipeline)
    rows = sorted(zip(corpus.labels, corpus.texts))
    rows = [row for label in set(corpus.labels) for row in [r for r in rows if r[0] == label][:40]]
    labels, texts = map(list, zip(*rows))
    search = GridSearchCV(pipeline, {"clf__C": [0.5, 2.0]}, cv=2).fit(texts, labels)
    assert search.best_params_["clf__C"] in (0.5, 2.0)
    with pytest.raises(TypeError, match="unknown parameters"):
        stance.make_pipeline(bogus=1)


def test_models_are_thread_safe(model, seed_text):
    from concurrent.futures import ThreadPoolExecutor

    expected = model.score_document(seed_text)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: model.score_document(seed_text), range(16)))
    assert all(result == expected for result in results)


def test_explain_many_equals_explain_one_by_one(model, seed_text):
    texts = [r.text for r in model.score_document(seed_text)]
    batched = model.explain_many(texts, top=5)
    assert [why.text for why in batched] == texts
    for why in batched:
        single = model.explain(why.text, top=5)
        assert why.label == single.label
        assert [name for name, _ in why.features] == [name for name, _ in single.features]
        assert [w for _, w in why.features] == pytest.approx([w for _, w in single.features])
    assert model.explain_many([]) == []
    with pytest.raises(stance.InputError):
        model.explain_many("one string")


@pytest.mark.parametrize("decision", [{"labels": ["supportive", "conditional", "opposed"]},
                                      {"min_confidence": 0.9}, {}], ids=["labels", "min_confidence", "none"])
def test_predict_and_explain_decide_as_score_document_does(model, seed_text, decision):
    records = model.score_document(seed_text, **decision)
    texts = [r.text for r in records]
    assert model.predict(texts, **decision) == [r.label for r in records]
    explained = model.explain_many(texts, top=5, **decision)
    assert [why.label for why in explained] == [r.label for r in records]
    for why, record in zip(explained, records):
        assert why.probabilities == pytest.approx(record.probabilities)
    single = model.explain(texts[0], top=5, **decision)
    assert single.label == records[0].label
    if "labels" in decision:
        assert {why.label for why in explained} <= set(decision["labels"])
        assert all(why.probabilities["neutral"] == 0 for why in explained)


def test_explanations_follow_the_decided_label(model):
    text = "Talks resume on Monday."
    free, restricted = model.explain(text, top=20), model.explain(text, top=20, labels=["supportive", "opposed"])
    assert free.label == "neutral" and restricted.label in ("supportive", "opposed")
    assert [name for name, _ in restricted.features] != [name for name, _ in free.features]


@pytest.mark.parametrize("threshold", [-0.1, 1.01])
def test_min_confidence_outside_zero_to_one_is_refused(model, threshold):
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.score_document("Talks resume on Monday.", min_confidence=threshold)
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.predict(["Talks resume on Monday."], min_confidence=threshold)
