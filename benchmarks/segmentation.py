"""Compare sentence segmenters on the seed article's gold sentences, news hard cases, and speed.

Run ``python -m benchmarks.segmentation``; it prints a markdown table (also written to
the segmentation section of ``docs/benchmarks.md``). Candidates that are not installed
are reported as such: ``pip install syntok pysbd blingfire`` to compare them all.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import stance
from benchmarks._report import replace_section, table
from stance.train import read_corpus

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_985e532e1d3b25ad"

# Each case: a text and its sentences, written for this comparison (tests/test_segment.py runs them).
HARD_CASES = [
    ("The U.S. envoy arrived. He met Gen. Haftar.", ["The U.S. envoy arrived.", "He met Gen. Haftar."]),
    ("Resolution No. 2728 passed. Russia abstained.", ["Resolution No. 2728 passed.", "Russia abstained."]),
    ("Growth was 3.5 percent. Prices rose.", ["Growth was 3.5 percent.", "Prices rose."]),
    ("Talks with John F. Kerry went on. Nothing changed.", ["Talks with John F. Kerry went on.", "Nothing changed."]),
    ('"We will fight on!" the commander said. Shelling resumed.',
     ['"We will fight on!" the commander said.', "Shelling resumed."]),
    ("“Stop now. Lay down arms,” the envoy said.", ["“Stop now.", "Lay down arms,” the envoy said."]),
    ("He spoke in the U.S. The talks ended.", ["He spoke in the U.S.", "The talks ended."]),
    ("Truce holds in Gaza\nThe ceasefire took effect at 8 a.m. local time.",
     ["Truce holds in Gaza", "The ceasefire took effect at 8 a.m. local time."]),
    ("Is a truce near? Nobody knows!", ["Is a truce near?", "Nobody knows!"]),
    ("The truce, signed in\nthe Qatari capital, held.", ["The truce, signed in\nthe Qatari capital, held."]),
    ("Wait... the guns fell silent.", ["Wait... the guns fell silent."]),
    ("First paragraph ends.\n\nSecond starts.", ["First paragraph ends.", "Second starts."]),
    ("Lt. Col. Dmitri Ivanov said the U.N. monitors left. Fighting resumed.",
     ["Lt. Col. Dmitri Ivanov said the U.N. monitors left.", "Fighting resumed."]),
    ("Sen. Graham spoke on Jan. 5. He opposed the deal.", ["Sen. Graham spoke on Jan. 5.", "He opposed the deal."]),
    ("“The world is watching!” he added. Markets fell.", ["“The world is watching!” he added.", "Markets fell."]),
]


def _stance(text: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in stance.split_sentences(text)]


def _by_search(pieces: list[str], text: str) -> list[tuple[int, int]]:
    # Benchmark-only: recover offsets of segmenters that return strings.
    spans, position = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        start = text.find(piece, position)
        if start < 0:
            start = position
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    return spans


def _naive(text: str) -> list[tuple[int, int]]:
    return _by_search(re.split(r"(?<=[.!?])\s+", text), text)


def _candidates() -> dict[str, Callable[[str], list[tuple[int, int]]] | str]:
    found: dict[str, Callable | str] = {"stance (own rules)": _stance, "naive regex": _naive}
    try:
        from syntok import segmenter

        def syntok(text: str) -> list[tuple[int, int]]:
            spans = []
            for paragraph in segmenter.analyze(text):
                for sentence in paragraph:
                    first, last = sentence[0], sentence[-1]
                    spans.append((first.offset, last.offset + len(last.value)))
            return spans

        found["syntok"] = syntok
    except ImportError:
        found["syntok"] = "not installed"
    try:
        import pysbd

        segmenter_en = pysbd.Segmenter(language="en", clean=False, char_span=True)
        found["pysbd"] = lambda text: [(s.start, s.start + len(s.sent.rstrip())) for s in segmenter_en.segment(text)]
    except ImportError:
        found["pysbd"] = "not installed"
    try:
        import blingfire

        found["blingfire"] = lambda text: [tuple(o) for o in blingfire.text_to_sentences_and_offsets(text)[1]]
    except ImportError:
        found["blingfire"] = "not installed"
    return found


def _boundaries(spans: list[tuple[int, int]], text: str) -> set[int]:
    """Sentence starts after the first, moved to the next non-space character."""
    starts = set()
    for start, _ in spans[1:]:
        while start < len(text) and text[start].isspace():
            start += 1
        starts.add(start)
    return starts


def errors(segment, text: str, gold: list[tuple[int, int]]) -> int:
    predicted = _boundaries(segment(text), text)
    return len(predicted ^ _boundaries(gold, text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args(argv)
    seed_text = SEED.with_suffix(".txt").read_text(encoding="utf-8")
    gold = [json.loads(line) for line in SEED.with_suffix(".labels.jsonl").open(encoding="utf-8")]
    seed_gold = [(g["start"], g["end"]) for g in gold]
    corpus = read_corpus([ROOT / "seeds" / "corpus"]).texts
    sample = " ".join(corpus)[:200_000]
    rows = []
    for name, segment in _candidates().items():
        if isinstance(segment, str):
            rows.append([name, "–", "–", "–", segment])
            continue
        seed_errors = errors(segment, seed_text, seed_gold)
        hard_errors = 0
        for text, sentences in HARD_CASES:
            hard_gold = _by_search(sentences, text)
            hard_errors += errors(segment, text, hard_gold)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            segment(sample)
            times.append(time.perf_counter() - started)
        rows.append([name, seed_errors, hard_errors, f"{len(sample) / statistics.median(times) / 1e6:.2f}", ""])
        print(name, rows[-1], file=sys.stderr)
    body = "\n".join([
        "## Sentence segmentation",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.segmentation`. Boundary errors "
        f"are missed plus spurious sentence starts against the {len(gold)} gold sentences of the seed "
        f"article and the {len(HARD_CASES)} news hard cases in `benchmarks/segmentation.py`; speed is on "
        "200 kB of corpus sentences joined by spaces (median of 3; pysbd slows down sharply on longer "
        "single-paragraph inputs).",
        "",
        table(["segmenter", "seed errors", "hard-case errors", "M chars/s", "note"], rows),
        "",
        "The hard cases were written alongside stance's rules, so that column favours stance; the seed "
        "article is the independent check. Speeds come from a shared 2-core machine.",
    ])
    print(body)
    replace_section(args.out, body, name="segmentation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
