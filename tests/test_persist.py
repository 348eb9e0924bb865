"""Saving and loading weights: round trips, determinism, and refusing bad files."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import shutil

import numpy as np
import pytest

import stance
from stance.persist import FORMAT_VERSION, model_paths, read_weights

from .conftest import edit_manifest


@pytest.fixture()
def saved(tmp_path, tiny_model):
    tiny_model.save(tmp_path / "m")
    return tmp_path / "m"


SENTENCES = ["The rebels rejected the truce.", "Talks resume on Monday.", "A ceasefire must come now."]


def test_round_trip_predicts_identically(saved, tiny_model):
    loaded = stance.load(saved)
    np.testing.assert_array_equal(loaded.predict_proba(SENTENCES), tiny_model.predict_proba(SENTENCES))
    assert loaded.labels == tiny_model.labels


@pytest.mark.parametrize("suffix", ["", ".npz", ".json"], ids=["base", "npz", "json"])
def test_any_of_the_paths_loads(saved, suffix):
    assert stance.load(str(saved) + suffix).labels


def test_saving_twice_gives_the_same_bytes(tmp_path, tiny_model):
    first, second = tmp_path / "a", tmp_path / "b"
    tiny_model.save(first)
    tiny_model.save(second)
    assert model_paths(first)[0].read_bytes() == model_paths(second)[0].read_bytes()


def test_loading_never_unpickles(monkeypatch, saved):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    assert stance.load(saved).predict(["The truce held."])


def _rewrite_manifest(path, **changes):
    edit_manifest(path, lambda manifest: manifest.update(changes))


def _word_params(manifest):
    return manifest["pipeline"]["vectorizers"][0]["params"]


@pytest.mark.parametrize("edit", [
    lambda m: _word_params(m).update(sublinear_tf=not _word_params(m)["sublinear_tf"]),
    lambda m: _word_params(m).update(ngram_range=[1, 1]),
    lambda m: _word_params(m).update(preprocessor="normalise"),
    lambda m: m["pipeline"]["classifier"].update(C=1.0),
    lambda m: m["labels"].reverse(),
], ids=["sublinear-tf", "ngram-range", "preprocessor", "C", "labels-reordered"])
def test_an_edited_setting_is_caught_by_the_settings_checksum(saved, edit):
    edit_manifest(saved, edit)
    with pytest.raises(stance.ModelLoadError, match=r"m\.json do not match their checksum"):
        stance.load(saved)


def test_the_settings_checksum_does_not_depend_on_key_order_or_spacing(saved, tiny_model):
    json_path = model_paths(saved)[1]
    manifest = json.loads(json_path.read_text())
    json_path.write_text(json.dumps(dict(reversed(list(manifest.items()))), indent=7))
    np.testing.assert_array_equal(stance.load(saved).predict_proba(SENTENCES), tiny_model.predict_proba(SENTENCES))


def test_format_2_models_without_a_settings_checksum_still_load(saved, tiny_model):
    def as_format_2(manifest):
        del manifest["settings_sha256"]
        manifest["format_version"] = 2

    edit_manifest(saved, as_format_2)
    np.testing.assert_array_equal(stance.load(saved).predict_proba(SENTENCES), tiny_model.predict_proba(SENTENCES))


def test_a_format_3_manifest_without_its_settings_checksum_is_refused(saved):
    edit_manifest(saved, lambda manifest: manifest.pop("settings_sha256"))
    with pytest.raises(stance.ModelLoadError, match="lacks the required key 'settings_sha256'"):
        stance.load(saved)


def test_truncated_weights(saved):
    npz = model_paths(saved)[0]
    npz.write_bytes(npz.read_bytes()[:1000])
    with pytest.raises(stance.ModelLoadError, match="checksum"):
        stance.load(saved)


def _write_weights_with_matching_checksum(path, data: bytes) -> None:
    """Replace the weights and their checksum, as a careless or hostile copy would."""
    model_paths(path)[0].write_bytes(data)
    _rewrite_manifest(path, weights_sha256=hashlib.sha256(data).hexdigest())


def test_truncated_weights_with_matching_checksum(saved):
    _write_weights_with_matching_checksum(saved, model_paths(saved)[0].read_bytes()[:1000])
    with pytest.raises(stance.ModelLoadError, match="not a valid stance model"):
        stance.load(saved)


def _arrays(path) -> dict[str, np.ndarray]:
    with np.load(model_paths(path)[0], allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _write_arrays(path, arrays, **manifest_changes) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    _write_weights_with_matching_checksum(path, buffer.getvalue())
    if manifest_changes:
        _rewrite_manifest(path, **manifest_changes)


def _terms(blob: np.ndarray) -> list[str]:
    """The terms of a format-2 vocabulary array."""
    return blob.tobytes().decode("utf-8").split("\n")


def _as_format_1(path, offsets=lambda o: o) -> None:
    """Rewrite a saved model in format 1: each vocabulary as one blob plus character offsets."""
    arrays = _arrays(path)
    for key in [k for k in arrays if k.endswith(".terms_utf8")]:
        terms = _terms(arrays[key])
        arrays[key] = np.frombuffer("".join(terms).encode("utf-8"), dtype=np.uint8)
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
        arrays[key.replace("utf8", "offsets")] = offsets(np.concatenate([[0], np.cumsum(lengths)]))
    _write_arrays(path, arrays, format_version=1)


def test_saved_vocabularies_are_newline_separated(saved, tiny_model):
    arrays = _arrays(saved)
    terms = _terms(arrays["word.terms_utf8"])
    assert terms == list(tiny_model.pipeline.steps[0][1].transformer_list[0][1].get_feature_names_out())
    assert not any(key.endswith("offsets") for key in arrays)
    assert json.loads(model_paths(saved)[1].read_text())["format_version"] == FORMAT_VERSION == 3


def test_format_1_models_still_load_and_predict_identically(saved, tiny_model):
    _as_format_1(saved)
    np.testing.assert_array_equal(stance.load(saved).predict_proba(SENTENCES), tiny_model.predict_proba(SENTENCES))


@pytest.mark.parametrize("offsets", [
    lambda o: o[::-1].copy(),                 # decreasing
    lambda o: o[:0],                          # empty
    lambda o: np.concatenate([[1], o[1:]]),   # does not start at 0
    lambda o: np.concatenate([o[:-1], [o[-1] + 5]]),  # runs past the text
], ids=["decreasing", "empty", "not-from-zero", "past-the-end"])
def test_format_1_offsets_that_do_not_fit_are_refused(saved, offsets):
    _as_format_1(saved, offsets)
    with pytest.raises(stance.ModelLoadError, match="offsets do not fit"):
        stance.load(saved)


@pytest.mark.parametrize("change,message", [
    (lambda terms: terms[:-1], "differ in length"),
    (lambda terms: terms[:-1] + terms[:1], "duplicate terms"),
], ids=["one-term-short", "duplicate-term"])
def test_vocabularies_that_do_not_fit_their_weights_are_refused(saved, change, message):
    arrays = _arrays(saved)
    terms = _terms(arrays["word.terms_utf8"])
    arrays["word.terms_utf8"] = np.frombuffer("\n".join(change(terms)).encode("utf-8"), dtype=np.uint8)
    _write_arrays(saved, arrays)
    with pytest.raises(stance.ModelLoadError, match=message):
        stance.load(saved)


@pytest.mark.parametrize("version", [0, -1, "2", 1.5, True], ids=repr)
def test_format_versions_no_stance_writes_are_refused(saved, version):
    _rewrite_manifest(saved, format_version=version)
    with pytest.raises(stance.ModelLoadError, match="no stance writes"):
        stance.load(saved)


def test_a_vocabulary_term_with_a_newline_cannot_be_saved(tmp_path):
    from stance.train import fit

    model = fit(["a truce now", "no truce ever"] * 4, ["supportive", "opposed"] * 4, char_ngram_range=None)
    vectorizer = model.pipeline.steps[0][1].transformer_list[0][1]
    vectorizer.vocabulary_ = {("bad\nterm" if i == 0 else t): i for t, i in vectorizer.vocabulary_.items()}
    with pytest.raises(TypeError, match="newline"):
        model.save(tmp_path / "m")


def test_tampered_weights(saved):
    npz = model_paths(saved)[0]
    data = bytearray(npz.read_bytes())
    data[len(data) // 2] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(stance.ModelLoadError, match="checksum"):
        stance.load(saved)


def test_newer_format_is_refused(saved):
    _rewrite_manifest(saved, format_version=FORMAT_VERSION + 1)
    with pytest.raises(stance.ModelLoadError, match="upgrade"):
        stance.load(saved)


def test_foreign_json_is_refused(saved):
    model_paths(saved)[1].write_text('{"hello": "world"}')
    with pytest.raises(stance.ModelLoadError, match="not a stance model manifest"):
        stance.load(saved)


def test_garbage_manifest_is_refused(saved):
    model_paths(saved)[1].write_bytes(b"\x80\x04\x95garbage")
    with pytest.raises(stance.ModelLoadError, match="not valid UTF-8 JSON"):
        stance.load(saved)


class Boom:
    def __reduce__(self):
        return (pytest.fail, ("the pickle was executed",))


def test_pickle_renamed_as_model_is_refused_and_not_executed(saved):
    payload = pickle.dumps(Boom())
    model_paths(saved)[0].write_bytes(payload)
    with pytest.raises(stance.ModelLoadError, match="checksum"):
        stance.load(saved)
    # Even with a forged checksum the pickle is refused, not executed.
    _write_weights_with_matching_checksum(saved, payload)
    with pytest.raises(stance.ModelLoadError, match="not a valid stance model"):
        stance.load(saved)


def test_missing_files(tmp_path, saved):
    with pytest.raises(stance.ModelLoadError, match="Cannot read model manifest"):
        stance.load(tmp_path / "nothing")
    model_paths(saved)[0].unlink()
    with pytest.raises(stance.ModelLoadError, match="Cannot read model weights"):
        stance.load(saved)
    assert issubclass(stance.ModelLoadError, OSError)


def test_unknown_preprocessor_is_refused(saved):
    edit_manifest(saved, lambda m: _word_params(m).update(preprocessor="os.system"), forge_settings_checksum=True)
    with pytest.raises(stance.ModelLoadError, match="preprocessor 'os.system'"):
        stance.load(saved)


def test_a_manifest_missing_a_setting_is_blamed_with_its_weights_not_the_weights_alone(saved):
    edit_manifest(saved, lambda m: _word_params(m).pop("ngram_range"), forge_settings_checksum=True)
    with pytest.raises(stance.ModelLoadError, match=r"\.json and its weights .*\.npz do not describe .*ngram_range"):
        stance.load(saved)


@pytest.mark.parametrize("part,key,value,message", [
    ("vectorizer", "input", "filename", "never writes"),
    ("vectorizer", "analyzer", "os.system", "not a valid value"),
    ("vectorizer", "ngram_range", [1, 10_000], "not a valid value"),
    ("classifier", "C", -1, "not a valid value"),
    ("classifier", "warm_start", True, "never writes"),
    ("vectorizer", "token_pattern", "(a)(b)", "not a valid value"),
    ("vectorizer", "token_pattern", "(", "not a valid value"),
    ("classifier", "solver", "os.system", "not a valid value"),
], ids=["input-filename", "analyzer", "ngram-range", "negative-C", "unknown-classifier-key", "token-pattern-groups",
        "token-pattern-broken", "solver"])
def test_manifest_settings_stance_never_writes_are_refused(saved, part, key, value, message):
    def edit(manifest):
        target = _word_params(manifest) if part == "vectorizer" else manifest["pipeline"]["classifier"]
        target[key] = value

    edit_manifest(saved, edit, forge_settings_checksum=True)
    with pytest.raises(stance.ModelLoadError, match=message):
        stance.load(saved)


def test_shipped_model_manifest(model):
    manifest = model.manifest
    for key in ("labels", "sklearn_version", "stance_version", "weights_sha256", "training_data", "evaluation"):
        assert key in manifest
    assert manifest["labels"] == list(model.labels)


def test_copied_model_loads_elsewhere(tmp_path, saved):
    for path in model_paths(saved):
        shutil.copy(path, tmp_path / path.name.replace("m.", "copy."))
    pipeline, manifest = read_weights(tmp_path / "copy")
    assert manifest["weights_file"] == "m.npz"
    assert len(pipeline.classes_) == 4


def test_only_stance_pipelines_can_be_saved(tmp_path):
    from sklearn.dummy import DummyClassifier

    with pytest.raises(TypeError, match="make_pipeline"):
        stance.StanceModel(DummyClassifier().fit([[0]], ["neutral"])).save(tmp_path / "x")


def test_a_two_label_model_round_trips(tmp_path):
    from stance.train import fit

    texts = ["we reject the truce", "no ceasefire ever", "we welcome the truce", "stop the war now"] * 3
    labels = ["opposed", "opposed", "supportive", "supportive"] * 3
    model = fit(texts, labels, char_ngram_range=None)
    model.save(tmp_path / "two")
    loaded = stance.load(tmp_path / "two")
    assert loaded.labels == ("opposed", "supportive")
    np.testing.assert_array_equal(loaded.predict_proba(texts), model.predict_proba(texts))
    why = loaded.explain("we reject the truce")
    assert why.label == "opposed" and why.features and why.features[0][1] > 0


def test_training_twice_writes_the_same_bytes(tmp_path, corpus):
    from stance.train import train

    source = tmp_path / "corpus.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for text, label, conflict in list(zip(corpus.texts, corpus.labels, corpus.conflicts))[::40]:
            handle.write(json.dumps({"text": text, "label": label, "conflict": conflict}) + "\n")
    first = train([source], tmp_path / "a", evaluate=False, char_ngram_range=None)
    second = train([source], tmp_path / "b", evaluate=False, char_ngram_range=None)
    assert model_paths(tmp_path / "a")[0].read_bytes() == model_paths(tmp_path / "b")[0].read_bytes()
    assert json.loads(first.read_text())["weights_sha256"] == json.loads(second.read_text())["weights_sha256"]


def _unserialisable_metadata(monkeypatch, model, path):
    model.save(path, metadata={"trained_on": object()})


def _disk_full_at_the_manifest(monkeypatch, model, path):
    real = type(path).write_bytes

    def write_bytes(self, data):
        if ".json.part-" in self.name:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(type(path), "write_bytes", write_bytes)
    model.save(path)


@pytest.mark.parametrize("failing_save", [_unserialisable_metadata, _disk_full_at_the_manifest])
def test_a_failed_save_leaves_the_old_pair(monkeypatch, saved, tiny_model, model, failing_save):
    before = {p.name: p.read_bytes() for p in saved.parent.iterdir()}
    with pytest.raises((TypeError, OSError)):
        failing_save(monkeypatch, model, saved)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in saved.parent.iterdir()} == before
    np.testing.assert_array_equal(stance.load(saved).predict_proba(SENTENCES), tiny_model.predict_proba(SENTENCES))


def test_weights_that_barely_compress_are_stored_and_the_rest_deflated(saved):
    import zipfile

    with zipfile.ZipFile(model_paths(saved)[0]) as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds["clf.coef.npy"] == zipfile.ZIP_STORED
    assert kinds["word.terms_utf8.npy"] == zipfile.ZIP_DEFLATED


def test_a_branch_weight_is_folded_into_the_saved_weights(tmp_path, corpus):
    from stance.train import fit

    texts, labels = list(corpus.texts[:400]), list(corpus.labels[:400])
    weighted = fit(texts, labels, word_ngram_range=(1, 1), char_ngram_range=(2, 3), char_weight=0.5)
    plain = fit(texts, labels, word_ngram_range=(1, 1), char_ngram_range=(2, 3), char_weight=1.0)
    assert weighted.pipeline.named_steps["features"].transformer_weights == {"char": 0.5}
    weighted.save(tmp_path / "w")
    loaded = stance.load(tmp_path / "w")
    assert loaded.pipeline.named_steps["features"].transformer_weights is None
    np.testing.assert_allclose(loaded.predict_proba(texts), weighted.predict_proba(texts), rtol=0, atol=1e-12)
    assert not np.allclose(plain.predict_proba(texts), weighted.predict_proba(texts), atol=1e-3)
    for sentence in SENTENCES:
        before, after = weighted.explain(sentence, top=5), loaded.explain(sentence, top=5)
        assert [name for name, _ in after.features] == [name for name, _ in before.features]
        np.testing.assert_allclose([v for _, v in after.features], [v for _, v in before.features], atol=1e-12)
