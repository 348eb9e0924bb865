"""Shared fixtures and the hypothesis profiles."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import stance
from stance.persist import _settings_digest, model_paths
from stance.train import fit, read_corpus

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "seeds" / "000_985e532e1d3b25ad.txt"
SEED_LABELS = ROOT / "seeds" / "000_985e532e1d3b25ad.labels.jsonl"
CORPUS_DIR = ROOT / "seeds" / "corpus"

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "ci", max_examples=300, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def edit_manifest(path, edit, *, forge_settings_checksum=False) -> None:
    """Edit a saved manifest in place; forging the settings checksum, as a file made elsewhere would."""
    json_path = model_paths(path)[1]
    manifest = json.loads(json_path.read_text())
    edit(manifest)
    if forge_settings_checksum:
        manifest["settings_sha256"] = _settings_digest(manifest["labels"], manifest["pipeline"])
    json_path.write_text(json.dumps(manifest))


@pytest.fixture(scope="session")
def model() -> stance.StanceModel:
    return stance.load()


@pytest.fixture(scope="session")
def corpus():
    return read_corpus([CORPUS_DIR])


@pytest.fixture(scope="session")
def tiny_model(corpus) -> stance.StanceModel:
    """A small, fast model trained on 50 sentences per label of the corpus."""
    picked: dict[str, list[str]] = {}
    for text, label in zip(corpus.texts, corpus.labels):
        if len(picked.setdefault(label, [])) < 50:
            picked[label].append(text)
    texts = [t for label in sorted(picked) for t in picked[label]]
    labels = [label for label in sorted(picked) for _ in picked[label]]
    return fit(texts, labels, char_ngram_range=None, word_ngram_range=(1, 2))


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> list[dict]:
    with open(SEED_LABELS, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
