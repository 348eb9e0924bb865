"""The speed report says which figures were re-measured, and refuses parts it cannot re-measure."""

from __future__ import annotations

import pytest

from benchmarks.speed import cold_start, main, make_documents, render, two_process_ceiling

RUN = {
    "machine": {"cores": 2, "processor": "x86_64", "python": "3.11", "scikit-learn": "1.7", "numpy": "2.0",
                "blas": "openblas", "OPENBLAS_CORETYPE": "unset", "OPENBLAS_L2_SIZE": "unset"},
    "commit": "abc1234", "date": "2026-11-26", "benchmark_seconds": 600.0,
    "sentence_level": {"n": 100, "bare_s": 1.0, "library_s": 1.05, "bare_per_s": 100.0, "library_per_s": 95.2,
                       "ratio": 1.05},
    "segmentation": {"chars_per_s": 5e6},
    "cold_start": {"import_sklearn_s": 1.0, "score_one_s": 1.4, "overhead_s": 0.4, "model_load_s": 0.1,
                   "model_size_mb": 4.9},
    "end_to_end": {"input_mb": 100.0, "documents": 10, "sentences": 1000, "runs": [
        {"jobs": 1, "seconds": 10.0, "docs_per_s": 1.0, "sentences_per_s": 100.0, "peak_rss_mb": 300.0},
        {"jobs": 2, "seconds": 5.0, "docs_per_s": 2.0, "sentences_per_s": 200.0, "peak_rss_mb": 800.0}]},
    "dask": {"skipped": "no dask"},
    "memory": [{"input_mb": 10.0, "documents": 5, "seconds": 1.0, "peak_rss_mb": 790.0},
               {"input_mb": 1000.0, "documents": 500, "seconds": 100.0, "peak_rss_mb": 820.0}],
}


def test_a_full_run_names_its_commit_and_meets_targets():
    text = render(RUN, quick=False)
    assert "at commit `abc1234`" in text and "Re-measured" not in text
    assert "| 2.00 | ≥ 1.7 | yes |" in text


def test_remeasured_parts_are_named_with_the_earlier_figures():
    earlier = dict(RUN["cold_start"], overhead_s=0.98, score_one_s=2.5)
    results = dict(RUN, remeasured=[{"parts": ["cold_start"], "date": "2026-11-27 00:20 UTC",
                                     "commit": "def5678", "seconds": 60.0, "earlier": {"cold_start": earlier}}])
    text = render(results, quick=False)
    assert "**Re-measured:** cold start, on 2026-11-27 00:20 UTC at commit `def5678`" in text
    assert "Before this, they read: cold start +0.98 s" in text
    assert "| 0.40 s | ≤ 0.5 s | yes |" in text


@pytest.mark.parametrize("parts", ["segmentation", "", "cold_start,plots"])
def test_remeasure_refuses_other_parts(parts, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--remeasure", parts])
    assert stop.value.code == 2
    assert "--remeasure takes some of sentence_level, cold_start, end_to_end, dask, memory" in capsys.readouterr().err


def test_remeasured_memory_and_dask_show_what_they_replaced():
    earlier_dask = {"input_mb": 20.0, "documents": 8, "sentences": 400, "runs": [
        {"workers": 1, "seconds": 4.0, "docs_per_s": 2.0, "sentences_per_s": 100.0},
        {"workers": 2, "seconds": 2.5, "docs_per_s": 3.2, "sentences_per_s": 160.0}]}
    results = dict(RUN, remeasured=[{"parts": ["dask", "memory"], "date": "2026-11-27 12:00 UTC",
                                     "commit": "fed4321", "seconds": 1800.0,
                                     "earlier": {"dask": earlier_dask, "memory": RUN["memory"]}}])
    text = render(results, quick=False)
    assert "**Re-measured:** dask, memory, on 2026-11-27 12:00 UTC" in text
    assert "Dask 100 sentences/s with one worker, 160 with two (1.60×)" in text
    assert "peak memory 790 MB at 10 MB input, 820 MB at 1000 MB (+3.8%)" in text


def test_the_jobs_speed_up_is_set_against_the_machine_ceiling():
    end_to_end = dict(RUN["end_to_end"], ceiling={"documents": 40, "one_docs_per_s": 10.0, "two_docs_per_s": 16.0,
                                                  "ratio": 1.6, "ratios": [1.5, 1.6, 1.7]})
    text = render(dict(RUN, end_to_end=end_to_end), quick=False)
    assert "1.50 / 1.60 / 1.70× the work of one" in text
    assert "it reached 2.00×, 125% of the median" in text
    assert "machine's ceiling" in text and "machine's ceiling" not in render(RUN, quick=False)


def test_two_process_ceiling_measures_both_runs(tmp_path):
    path = tmp_path / "docs.jsonl"
    make_documents(["The two sides agreed to a truce on Sunday.", "Shelling went on overnight."], 3_000, path)
    figures = two_process_ceiling(path, n_documents=5, repeats=1)
    assert figures["documents"] == 5 and len(figures["ratios"]) == 1
    assert figures["one_docs_per_s"] > 0 and figures["two_docs_per_s"] > 0
    assert figures["ratio"] == pytest.approx(figures["two_docs_per_s"] / figures["one_docs_per_s"])


def test_an_entry_measured_again_later_points_forward():
    first = {"parts": ["cold_start", "end_to_end"], "date": "2026-11-27 00:20 UTC", "commit": "def5678",
             "seconds": 60.0, "earlier": {"cold_start": RUN["cold_start"], "end_to_end": RUN["end_to_end"]}}
    second = dict(first, parts=["end_to_end"], commit="0123abc", earlier={"end_to_end": RUN["end_to_end"]})
    text = render(dict(RUN, remeasured=[first, second]), quick=False)
    assert ("(1.0 min); end to end measured again since (below); the tables show its cold start figures, "
            "the rest are from the full run." in text)
    assert text.count("the tables show its end to end figures") == 1


def test_cold_start_pairs_its_runs(tmp_path):
    figures = cold_start(1, tmp_path)
    assert figures["repeats"] == 1 and figures["model_size_mb"] > 0
    assert figures["overhead_s"] == pytest.approx(figures["score_one_s"] - figures["import_sklearn_s"])
    assert "(median of 1 paired runs)" in render(dict(RUN, cold_start=figures), quick=False)
