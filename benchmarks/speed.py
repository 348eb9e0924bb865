"""Speed and memory of stance against the bare scikit-learn pipeline, measured in one run.

Run ``python -m benchmarks.speed`` from the repository root. It writes the speed
section of ``docs/benchmarks.md`` and ``docs/img/speed.png``. ``--quick`` shrinks
every input for a smoke run. ``--remeasure`` with some of ``sentence_level``,
``cold_start``, ``end_to_end``, ``dask`` and ``memory`` (comma-separated) measures
only those parts again and keeps the others from the last run's
``benchmarks/results/speed.json``; the section then says which figures were
re-measured, when, and what the earlier run had measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import stance
from benchmarks._report import PlotsUnavailable, _figure, _save, git_commit, replace_section, table
from stance.train import read_corpus

ROOT = Path(__file__).resolve().parent.parent
MB = 1_000_000
#: How much ``--quick`` shrinks every input.
QUICK_SCALE = 0.02


def machine() -> dict[str, object]:
    from threadpoolctl import threadpool_info

    import sklearn

    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "blas": ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)"
                          for i in threadpool_info() if i["user_api"] == "blas"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "unset"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "unset"),
        "processor": platform.machine(),
    }


def median_time(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sentence_level(model, sentences: list[str], repeats: int) -> dict[str, float]:
    bare = model.pipeline
    model.predict_proba(sentences[:100]), bare.predict_proba(sentences[:100])  # warm up
    bare_times, library_times = [], []
    for _ in range(repeats):  # interleaved, so drift on a shared machine hits both alike
        bare_times.append(median_time(lambda: bare.predict_proba(sentences), 1))
        library_times.append(median_time(lambda: model.predict_proba(sentences), 1))
    bare_s, library_s = statistics.median(bare_times), statistics.median(library_times)
    return {"n": len(sentences), "bare_s": bare_s, "library_s": library_s,
            "bare_per_s": len(sentences) / bare_s, "library_per_s": len(sentences) / library_s,
            "ratio": library_s / bare_s}


def make_documents(sentences: list[str], target_bytes: int, path: Path, seed: int = 0) -> tuple[int, int]:
    """Write JSONL news-like documents of 8 to 30 corpus sentences in 2 to 6 paragraphs."""
    rng = random.Random(seed)
    written = n_docs = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < target_bytes:
            picked = rng.choices(sentences, k=rng.randint(8, 30))
            cuts = sorted(rng.sample(range(1, len(picked)), k=min(len(picked) - 1, rng.randint(1, 5))))
            paragraphs = [" ".join(picked[a:b]) for a, b in zip([0, *cuts], [*cuts, len(picked)])]
            line = json.dumps({"id": f"doc-{n_docs}", "text": "\n\n".join(paragraphs)}, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            n_docs += 1
    return n_docs, written


def _tree_rss_kb(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def run_measured(command: list[str]) -> dict[str, float]:
    """Run a command; return wall seconds and the peak RSS summed over its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_kb(process.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr}")
    return {"seconds": elapsed, "peak_rss_mb": peak / 1024}


def end_to_end(path: Path, n_docs: int, n_sentences: int, jobs: int, repeats: int) -> dict[str, float]:
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as out:
            runs.append(run_measured([sys.executable, "-m", "stance", "score", str(path), "-q",
                                      "-o", f"{out}/out.jsonl", "--jobs", str(jobs)]))
    seconds = statistics.median(r["seconds"] for r in runs)
    return {"jobs": jobs, "seconds": seconds, "docs_per_s": n_docs / seconds,
            "sentences_per_s": n_sentences / seconds, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def count_sentences(path: Path) -> int:
    total = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            total += len(stance.split_sentences(json.loads(line)["text"]))
    return total


def cold_start(repeats: int, workdir: Path) -> dict[str, float]:
    """Wall time of ``import sklearn`` and of ``stance score`` on one sentence, run in turns.

    On a shared machine the time of a fresh interpreter drifts by half a second
    within minutes, so the two commands alternate and the overhead is the median of
    the paired differences, not the difference of two medians taken minutes apart.
    """
    short = workdir / "short.txt"
    short.write_text("The two sides agreed to a ceasefire on Sunday.", encoding="utf-8")
    commands = {"sklearn": [sys.executable, "-c", "import sklearn"],
                "score": [sys.executable, "-m", "stance", "score", str(short), "-q"]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            times[name].append(time.perf_counter() - started)
    load_s = median_time(stance.load, repeats)
    npz = stance.load().path
    size = sum(p.stat().st_size for p in Path(npz).parent.glob(Path(npz).name + ".*"))
    return {"import_sklearn_s": statistics.median(times["sklearn"]), "score_one_s": statistics.median(times["score"]),
            "overhead_s": statistics.median(b - a for a, b in zip(times["sklearn"], times["score"])),
            "repeats": repeats, "model_load_s": load_s, "model_size_mb": size / MB}


def segmentation(sentences: list[str], repeats: int) -> dict[str, float]:
    text = " ".join(sentences)
    seconds = median_time(lambda: stance.split_sentences(text), repeats)
    return {"chars": len(text), "chars_per_s": len(text) / seconds}


def dask_throughput(path_parts: list[Path], n_docs: int, n_sentences: int, workers: int) -> dict[str, float]:
    import distributed

    from stance.cluster import score_files

    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=50) as cluster, \
            distributed.Client(cluster) as client, tempfile.TemporaryDirectory() as out:
        client.run(lambda: stance.load())  # warm: the model is cached per worker after this
        started = time.perf_counter()
        score_files(client, path_parts, out)
        seconds = time.perf_counter() - started
    return {"workers": workers, "seconds": seconds, "docs_per_s": n_docs / seconds,
            "sentences_per_s": n_sentences / seconds}


def split_file(path: Path, parts: int) -> list[Path]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    paths = []
    for k in range(parts):
        part = path.with_name(f"{path.stem}-part{k}.jsonl")
        part.write_text("".join(lines[k::parts]), encoding="utf-8")
        paths.append(part)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small inputs, for a smoke run")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-1gb", action="store_true", help="skip the 1 GB memory input")
    parser.add_argument("--remeasure", metavar="PARTS",
                        help=f"comma-separated parts to measure again ({', '.join(REMEASURABLE)}), "
                             "keeping the other figures of the last full run")
    args = parser.parse_args(argv)
    parts = [part.strip() for part in (args.remeasure or "").split(",") if part.strip()]
    if args.remeasure is not None and (not parts or set(parts) - set(REMEASURABLE)):
        parser.error(f"--remeasure takes some of {', '.join(REMEASURABLE)}, got {args.remeasure!r}")
    scale = QUICK_SCALE if args.quick else 1.0
    repeats = 1 if args.quick else 3
    started = time.perf_counter()
    commit, date = git_commit(ROOT), time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    corpus_sentences = list(read_corpus([ROOT / "seeds" / "corpus"]).texts)
    saved = ROOT / "benchmarks" / "results" / ("speed-quick.json" if args.quick else "speed.json")
    if parts:
        return remeasure(parts, args, saved, corpus_sentences, commit=commit, date=date)
    results: dict[str, object] = {"machine": machine()}
    results["segmentation"] = segmentation(_sentence_sample(corpus_sentences, scale), repeats)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for part in REMEASURABLE:
            results[part] = measure_part(part, workdir, corpus_sentences, quick=args.quick, no_1gb=args.no_1gb)
            print(part, results[part], file=sys.stderr)
    results["benchmark_seconds"] = time.perf_counter() - started
    results["commit"] = commit
    results["date"] = date[:10]
    _publish(results, saved, args)
    return 0


#: Parts that ``--remeasure`` can measure again on their own.
REMEASURABLE = ("sentence_level", "cold_start", "end_to_end", "dask", "memory")


def _sentence_sample(corpus_sentences: list[str], scale: float) -> list[str]:
    return random.Random(0).choices(corpus_sentences, k=int(100_000 * scale))


def measure_part(part: str, workdir: Path, corpus_sentences: list[str], *, quick: bool,
                 no_1gb: bool = False) -> dict[str, object] | list[dict[str, float]]:
    """Measure one of :data:`REMEASURABLE`, the same way in a full run and in ``--remeasure``."""
    scale = QUICK_SCALE if quick else 1.0
    if part == "sentence_level":
        return sentence_level(stance.load(), _sentence_sample(corpus_sentences, scale), 1 if quick else 3)
    if part == "cold_start":
        return cold_start(1 if quick else 9, workdir)
    if part == "end_to_end":
        return end_to_end_part(corpus_sentences, scale, workdir)
    if part == "dask":
        return dask_part(corpus_sentences, scale, workdir)
    return memory_part(corpus_sentences, scale, workdir, sizes_mb=(10, 100) if no_1gb else (10, 100, 1000))


def dask_part(corpus_sentences: list[str], scale: float, workdir: Path) -> dict[str, object]:
    """``stance.cluster.score_files`` on 8 generated JSONL files, with one and two Dask workers."""
    dask_input = workdir / "news-dask.jsonl"
    try:
        dask_docs, dask_size = make_documents(corpus_sentences, int(20 * MB * scale), dask_input, seed=7)
        dask_sentences = count_sentences(dask_input)
        parts = split_file(dask_input, 8)
        return {"input_mb": dask_size / MB, "documents": dask_docs, "sentences": dask_sentences,
                "runs": [dask_throughput(parts, dask_docs, dask_sentences, workers) for workers in (1, 2)]}
    except ImportError as exc:
        return {"skipped": str(exc)}
    finally:
        for path in workdir.glob("news-dask*.jsonl"):
            path.unlink()


def memory_part(corpus_sentences: list[str], scale: float, workdir: Path,
                sizes_mb: tuple[int, ...]) -> list[dict[str, float]]:
    """Peak RSS of ``stance score --jobs 2`` on generated JSONL inputs of ``sizes_mb``."""
    memory = []
    for size_mb in sizes_mb:
        path = workdir / f"news-{size_mb}mb.jsonl"
        n, written = make_documents(corpus_sentences, int(size_mb * MB * scale), path, seed=size_mb)
        run = run_measured([sys.executable, "-m", "stance", "score", str(path), "-q",
                            "-o", str(workdir / "out.jsonl"), "--force", "--jobs", "2"])
        memory.append({"input_mb": written / MB, "documents": n, "seconds": run["seconds"],
                       "peak_rss_mb": run["peak_rss_mb"]})
        path.unlink()
        print("memory", memory[-1], file=sys.stderr)
    return memory


def end_to_end_part(corpus_sentences: list[str], scale: float, workdir: Path) -> dict[str, object]:
    """``stance score`` on a generated 100 MB JSONL file, with ``--jobs 1`` and ``--jobs 2``.

    Also measures the machine's own ceiling for the ``--jobs 2`` speed-up: see
    :func:`two_process_ceiling`.
    """
    main_input = workdir / "news-100mb.jsonl"
    n_docs, size = make_documents(corpus_sentences, int(100 * MB * scale), main_input)
    n_sentences = count_sentences(main_input)
    runs = [end_to_end(main_input, n_docs, n_sentences, jobs, 1) for jobs in (1, 2)]
    ceiling = two_process_ceiling(main_input, n_documents=max(20, int(2_000 * scale)), repeats=3)
    main_input.unlink()
    return {"input_mb": size / MB, "documents": n_docs, "sentences": n_sentences, "runs": runs,
            "ceiling": ceiling}


def two_process_ceiling(path: Path, n_documents: int, repeats: int) -> dict[str, float]:
    """How much faster two processes score than one on this machine, with no pipes between them.

    Each process loads the model, waits at a barrier, and scores the same first
    ``n_documents`` of ``path`` in-process (``model.score_documents``, one job).
    Throughput is work done over the slowest process's time. The ratio of two
    processes to one is the best ``--jobs 2`` could do here: two busy cores of a
    shared virtual machine rarely run as fast as one busy core.
    """
    import multiprocessing

    with open(path, encoding="utf-8") as handle:
        documents = [stance.Document(record["id"], record["text"])
                     for record in map(json.loads, (next(handle) for _ in range(n_documents)))]
    context = multiprocessing.get_context("spawn")
    ratios, single, double = [], [], []
    for _ in range(repeats):
        rates = {}
        for n in (1, 2):
            barrier, queue = context.Barrier(n), context.Queue()
            workers = [context.Process(target=_score_after_barrier, args=(documents, barrier, queue))
                       for _ in range(n)]
            for worker in workers:
                worker.start()
            seconds = max(queue.get() for _ in workers)
            for worker in workers:
                worker.join()
            rates[n] = n * len(documents) / seconds
        single.append(rates[1])
        double.append(rates[2])
        ratios.append(rates[2] / rates[1])
    return {"documents": len(documents), "one_docs_per_s": statistics.median(single),
            "two_docs_per_s": statistics.median(double), "ratio": statistics.median(ratios),
            "ratios": ratios}


def _score_after_barrier(documents, barrier, queue) -> None:
    model = stance.load()
    barrier.wait()
    started = time.perf_counter()
    for _ in model.score_documents(documents):
        pass
    queue.put(time.perf_counter() - started)


def remeasure(parts: list[str], args: argparse.Namespace, saved: Path, corpus_sentences: list[str], *,
              commit: str, date: str) -> int:
    """Measure ``parts`` again; keep every other figure of ``saved``."""
    if not saved.exists():
        print(f"--remeasure needs the results of a full run in {saved}; run without it first.", file=sys.stderr)
        return 2
    results = json.loads(saved.read_text(encoding="utf-8"))
    started = time.perf_counter()
    earlier = {part: results[part] for part in parts}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for part in parts:
            results[part] = measure_part(part, workdir, corpus_sentences, quick=args.quick, no_1gb=args.no_1gb)
            print(part, results[part], file=sys.stderr)
    results.setdefault("remeasured", []).append({
        "parts": parts, "date": date, "commit": commit,
        "seconds": time.perf_counter() - started, "earlier": earlier})
    _publish(results, saved, args)
    return 0


def _publish(results: dict, saved: Path, args: argparse.Namespace) -> None:
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(results, indent=2) + "\n")
    replace_section(args.out, render(results, quick=args.quick), name="speed")
    try:
        plot(results, ROOT / "docs" / "img" / "speed.png")
    except PlotsUnavailable as exc:
        print(f"plots skipped: {exc}", file=sys.stderr)


def render(results: dict, *, quick: bool) -> str:
    commit = results.get("commit") or git_commit(ROOT)
    m = results["machine"]
    s = results["sentence_level"]
    c = results["cold_start"]
    e = results["end_to_end"]
    mem = results["memory"]
    growth = _memory_growth(mem)
    lines = [
        "## Speed and memory",
        "",
        f"Measured {results.get('date') or time.strftime('%Y-%m-%d')} at commit `{commit}` with "
        f"`python -m benchmarks.speed{' --quick' if quick else ''}` "
        f"({results['benchmark_seconds'] / 60:.1f} min). Machine: {m['cores']} cores ({m['processor']}), "
        f"Python {m['python']}, scikit-learn {m['scikit-learn']}, numpy {m['numpy']}, BLAS {m['blas']}; "
        f"OPENBLAS_CORETYPE={m['OPENBLAS_CORETYPE']}, OPENBLAS_L2_SIZE={m['OPENBLAS_L2_SIZE']} "
        "(left as the machine sets them). Times are medians of several runs on a shared machine; "
        "the ratios, measured in the same run, are what to compare.",
        "",
        *_render_remeasured(results),
        table(["measure", "figure", "target", "met"], [
            ["sentence level: library / bare pipeline time", f"{s['ratio']:.3f}", "≤ 1.15", _yes(s["ratio"] <= 1.15)],
            ["end to end: `--jobs 2` / `--jobs 1` sentences per second",
             f"{_speedup(e):.2f}", "≥ 1.7", _yes(_speedup(e) >= 1.7)],
            [f"peak memory growth, {mem[0]['input_mb']:.0f} MB → {mem[-1]['input_mb']:.0f} MB input",
             f"{growth:+.1%}", "< 10%", _yes(growth < 0.10)],
            ["cold start above `import sklearn`"
             + (f" (median of {c['repeats']} paired runs)" if "repeats" in c else ""),
             f"{c['overhead_s']:.2f} s", "≤ 0.5 s", _yes(c["overhead_s"] <= 0.5)],
        ]),
        "",
        "### Sentence level",
        "",
        f"{s['n']:,} corpus sentences, already split, scored by `model.predict_proba` and by the bare "
        "scikit-learn `Pipeline` holding the same fitted vectorizers and classifier:",
        "",
        table(["scorer", "seconds", "sentences/s"], [
            ["bare `Pipeline.predict_proba`", f"{s['bare_s']:.2f}", f"{s['bare_per_s']:,.0f}"],
            ["`StanceModel.predict_proba`", f"{s['library_s']:.2f}", f"{s['library_per_s']:,.0f}"],
        ]),
        "",
        "### End to end",
        "",
        f"`stance score` on a generated JSONL file of {e['input_mb']:.0f} MB: {e['documents']:,} documents, "
        f"{e['sentences']:,} sentences (corpus sentences in 8-30 sentence documents), output to a file:",
        "",
        table(["jobs", "seconds", "documents/s", "sentences/s", "peak RSS (MB, all processes)"], [
            [r["jobs"], f"{r['seconds']:.1f}", f"{r['docs_per_s']:,.0f}", f"{r['sentences_per_s']:,.0f}",
             f"{r['peak_rss_mb']:.0f}"] for r in e["runs"]
        ]),
        "",
        *_render_ceiling(e),
    ]
    if "runs" in results["dask"]:
        d = results["dask"]
        lines += [
            "### Dask",
            "",
            f"{d['documents']:,} generated documents ({d['sentences']:,} sentences) in 8 JSONL files "
            f"({d['input_mb']:.0f} MB), scored by "
            "`stance.cluster.score_files` on a `distributed.LocalCluster` (one thread per worker process, "
            "model already loaded on each worker):",
            "",
            table(["workers", "seconds", "documents/s", "sentences/s"], [
                [r["workers"], f"{r['seconds']:.1f}", f"{r['docs_per_s']:,.0f}", f"{r['sentences_per_s']:,.0f}"]
                for r in d["runs"]
            ]),
            "",
        ]
    lines += [
        "### Memory against input size",
        "",
        "`stance score --jobs 2` on generated JSONL inputs (deleted after), peak RSS summed over the "
        "main process and its workers:",
        "",
        table(["input (MB)", "documents", "seconds", "peak RSS (MB)"], [
            [f"{r['input_mb']:.0f}", f"{r['documents']:,}", f"{r['seconds']:.1f}", f"{r['peak_rss_mb']:.0f}"]
            for r in mem
        ]),
        "",
        "### Cold start and segmentation",
        "",
        table(["measure", "figure"], [
            ["`python -c 'import sklearn'`", f"{c['import_sklearn_s']:.2f} s"],
            ["`stance score` on one short document", f"{c['score_one_s']:.2f} s"],
            ["`stance.load()` alone (in-process)", f"{c['model_load_s'] * 1000:.0f} ms"],
            ["shipped model files (.npz + .json)", f"{c['model_size_mb']:.2f} MB"],
            ["`split_sentences`", f"{results['segmentation']['chars_per_s'] / 1e6:.1f} M characters/s"],
        ]),
        "",
        "![Throughput and memory](img/speed.png)",
    ]
    return "\n".join(lines)


def _render_ceiling(e: dict) -> list[str]:
    if "ceiling" not in e:
        return []
    c = e["ceiling"]
    speedup = _speedup(e)
    return [
        f"**The machine's ceiling.** In the same run, one process and then two at once scored the first "
        f"{c['documents']:,} of these documents in-process (`model.score_documents`, no pipes, no reading "
        f"or writing), {len(c['ratios'])} times each: two processes did "
        f"{' / '.join(f'{r:.2f}' for r in c['ratios'])}× the work of one in the same time (median "
        f"**{c['ratio']:.2f}×**, {c['one_docs_per_s']:,.0f} → {c['two_docs_per_s']:,.0f} documents/s). "
        f"On this shared machine that is about as much as `--jobs 2` can gain; it reached {speedup:.2f}×, "
        f"{speedup / c['ratio']:.0%} of the median. The rest goes to the main process (reading, writing JSON) "
        "and to pickling chunks and records between processes.",
        "",
    ]


def _render_remeasured(results: dict) -> list[str]:
    lines = []
    entries = results.get("remeasured", [])
    for k, entry in enumerate(entries):
        earlier = "; ".join(_describe_part(part, figures) for part, figures in entry["earlier"].items())
        measured_later = {part for later in entries[k + 1:] for part in later["parts"]}
        superseded = [part for part in entry["parts"] if part in measured_later]
        current = [part for part in entry["parts"] if part not in measured_later]
        shown = "; ".join(
            ([f"{_names(superseded)} measured again since (below)"] if superseded else [])
            + ([f"the tables show its {_names(current)} figures, the rest are from the full run"] if current else []))
        lines += [
            f"**Re-measured:** {_names(entry['parts'])}, on {entry['date']} at "
            f"commit `{entry['commit']}` with `python -m benchmarks.speed --remeasure {','.join(entry['parts'])}` "
            f"({entry['seconds'] / 60:.1f} min); {shown}. Before this, they read: {earlier}.",
            "",
        ]
    return lines


def _names(parts: list[str]) -> str:
    return ", ".join(part.replace("_", " ") for part in parts)


def _describe_part(part: str, figures: dict) -> str:
    if part == "sentence_level":
        return (f"sentence level {figures['ratio']:.3f} (library {figures['library_per_s']:,.0f} sentences/s, "
                f"bare pipeline {figures['bare_per_s']:,.0f})")
    if part == "cold_start":
        return (f"cold start +{figures['overhead_s']:.2f} s (`stance score` {figures['score_one_s']:.2f} s, "
                f"`import sklearn` {figures['import_sklearn_s']:.2f} s, load {figures['model_load_s'] * 1000:.0f} ms)")
    if part == "end_to_end":
        one, two = figures["runs"]
        ceiling = f", machine ceiling {figures['ceiling']['ratio']:.2f}×" if "ceiling" in figures else ""
        return (f"end to end {one['sentences_per_s']:,.0f} sentences/s with `--jobs 1`, "
                f"{two['sentences_per_s']:,.0f} with `--jobs 2` ({_speedup(figures):.2f}×{ceiling})")
    if part == "dask":
        if "runs" not in figures:
            return f"Dask skipped ({figures['skipped']})"
        one, two = figures["runs"]
        return (f"Dask {one['sentences_per_s']:,.0f} sentences/s with one worker, "
                f"{two['sentences_per_s']:,.0f} with two ({_speedup(figures):.2f}×)")
    return (f"peak memory {figures[0]['peak_rss_mb']:.0f} MB at {figures[0]['input_mb']:.0f} MB input, "
            f"{figures[-1]['peak_rss_mb']:.0f} MB at {figures[-1]['input_mb']:.0f} MB "
            f"({_memory_growth(figures):+.1%})")


def _speedup(figures: dict) -> float:
    """Throughput of the second run over the first (``--jobs 2`` over 1, or two Dask workers over one)."""
    one, two = figures["runs"]
    return two["sentences_per_s"] / one["sentences_per_s"]


def _memory_growth(memory: list[dict]) -> float:
    return memory[-1]["peak_rss_mb"] / memory[0]["peak_rss_mb"] - 1


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def plot(results: dict, path: Path) -> None:
    fig = _figure(10, 4)
    left, right = fig.subplots(1, 2)
    names, rates = [], []
    for r in results["end_to_end"]["runs"]:
        names.append(f"score\n--jobs {r['jobs']}")
        rates.append(r["sentences_per_s"])
    for r in results.get("dask", {}).get("runs", []):
        names.append(f"Dask\n{r['workers']} worker{'s' if r['workers'] > 1 else ''}")
        rates.append(r["sentences_per_s"])
    s = results["sentence_level"]
    names[:0] = ["bare\npipeline", "predict\n_proba"]
    rates[:0] = [s["bare_per_s"], s["library_per_s"]]
    left.bar(names, rates, color="#0072B2")
    left.set_ylabel("sentences per second")
    left.set_title("Throughput")
    mem = results["memory"]
    left_x = [r["input_mb"] for r in mem]
    right.plot(left_x, [r["peak_rss_mb"] for r in mem], marker="o", color="#D55E00")
    right.set_xscale("log")
    right.set_ylim(bottom=0)
    right.set_xlabel("input size (MB, log scale)")
    right.set_ylabel("peak RSS, all processes (MB)")
    right.set_title("Memory against input size (--jobs 2)")
    _save(fig, path)


if __name__ == "__main__":
    sys.exit(main())
