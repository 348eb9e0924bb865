"""The ``stance`` command: a thin shell over the library."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from joblib import cpu_count

from ._files import replaced_on_success
from ._version import __version__
from .errors import StanceError
from .io import FORMATS, STDIN, read_records, write_records
from .model import StanceModel, load
from .types import Document, Record

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_STANCE_LABELS = ("conditional", "opposed", "supportive")


class _Interrupted(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def run() -> NoReturn:
    """The ``stance`` command: :func:`main`, then exit.

    When nothing else runs (no worker process, no other thread), the process ends
    without tearing the interpreter down: freeing the model's half a million
    vocabulary strings and every module one by one took 0.2 s of a one-sentence run
    (docs/benchmarks.md, "Cold start back under 0.5 s"), after its output was written.
    Everything the command writes is flushed first and output files are already in
    place, so nothing is lost.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        _discard_stdout()
    if threading.active_count() == 1 and not multiprocessing.active_children():
        os._exit(code)
    sys.exit(code)


def _discard_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so later flushes cannot fail."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        with _signals_raise():
            return args.handler(args)
    except _Interrupted as exc:
        print(f"stance: interrupted by signal {exc.signum}; partial output files were removed.", file=sys.stderr)
        return 128 + exc.signum
    except StanceError as exc:
        print(f"stance: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (`stance score ... | head`): not an error of ours.
        _discard_stdout()
        return EXIT_OK


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance",
        description="Label each sentence of news text with its stance toward a ceasefire: "
        "supportive, conditional, opposed or neutral.",
        epilog="Run `stance COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    score = commands.add_parser(
        "score", help="score text, JSONL or CSV files sentence by sentence",
        description="Split documents into sentences and label each one. Text files are one "
        "document each; JSONL and CSV hold one document per record. Writes one JSON object "
        "(or CSV row) per sentence, in input order. Bad records are reported on stderr with "
        "file and line, and every other record is still scored.",
    )
    score.add_argument("inputs", nargs="*", default=[STDIN], metavar="INPUT",
                       help="files to score, or - for standard input (default: -)")
    score.add_argument("-o", "--output", default=STDIN, metavar="FILE",
                       help="write here instead of standard output; written atomically")
    score.add_argument("-F", "--force", action="store_true", help="overwrite an existing output file")
    score.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                       help="input format (default: from the file suffix; stdin is text)")
    score.add_argument("--output-format", choices=("jsonl", "csv", "parquet"), default=None,
                       help="output format (default: from the output suffix, else jsonl; "
                       "parquet only with --scheduler and pyarrow)")
    score.add_argument("--text-field", default="text", help="JSONL key or CSV column of the text")
    score.add_argument("--id-field", default="id", help="JSONL key or CSV column of the document id")
    score.add_argument("--per-document", action="store_true",
                       help="write one summary per document (counts and mean probabilities)")
    _add_decision_options(score)
    score.add_argument("--encoding-errors", choices=("strict", "replace"), default="strict",
                       help="invalid UTF-8: report the record (strict) or replace bad bytes")
    score.add_argument("--errors", metavar="FILE",
                       help="also write one JSON line per failed record to FILE")
    score.add_argument("-j", "--jobs", type=_jobs, default=1,
                       help="worker processes, at most one per core; -1 = all cores")
    score.add_argument("-b", "--batch-size", type=_positive_int, default=256,
                       help="documents per chunk of work (default: 256)")
    score.add_argument("--scheduler", metavar="ADDRESS",
                       help="score on this Dask scheduler, one task per input file, writing one "
                       "file per input into the folder given by -o (needs ceasefire-stance[dask])")
    score.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    _add_model_option(score)
    score.set_defaults(handler=_score_command)

    explain = commands.add_parser("explain", help="show the label, probabilities and n-grams of sentences",
                                  description="Score each sentence as one unit and show why.")
    explain.add_argument("sentences", nargs="+", metavar="SENTENCE")
    explain.add_argument("-n", "--top", type=_positive_int, default=8, help="n-grams to show (default: 8)")
    explain.add_argument("--json", action="store_true", help="print JSON lines instead of text")
    _add_decision_options(explain)
    _add_model_option(explain)
    explain.set_defaults(handler=_explain_command)

    train = commands.add_parser("train", help="train a model on a labelled corpus",
                                description="Fit the pipeline on JSONL records with 'text', 'label' and "
                                "'conflict', evaluate it by leaving conflicts out, and write "
                                "OUTPUT.npz and OUTPUT.json.")
    train.add_argument("--seeds", nargs="+", default=["seeds/corpus"], metavar="PATH",
                       help="corpus files or folders (default: seeds/corpus)")
    train.add_argument("-o", "--output", required=True, help="model base path, e.g. models/stance-v2")
    train.add_argument("--no-eval", action="store_true", help="skip the grouped cross-validation")
    train.set_defaults(handler=_train_command)

    info = commands.add_parser("info", help="show the model card: labels, data, figures, versions")
    info.add_argument("--json", action="store_true", help="print the manifest as JSON")
    _add_model_option(info)
    info.set_defaults(handler=_info_command)

    report = commands.add_parser("report", help="write a self-contained HTML report of scored documents",
                                 description="Score documents and write one HTML file that shows every "
                                 "sentence highlighted by its stance, with probabilities and reasons.")
    report.add_argument("inputs", nargs="+", metavar="INPUT")
    report.add_argument("-o", "--output", required=True, metavar="FILE")
    report.add_argument("-F", "--force", action="store_true", help="overwrite an existing output file")
    report.add_argument("--format", choices=("auto", *FORMATS), default="auto")
    report.add_argument("--text-field", default="text")
    report.add_argument("--id-field", default="id")
    report.add_argument("--encoding-errors", choices=("strict", "replace"), default="strict")
    report.add_argument("--max-documents", type=_positive_int, default=1000,
                        help="documents shown at most; the rest are counted (default: 1000)")
    _add_model_option(report)
    report.set_defaults(handler=_report_command)
    return parser


def _add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="a saved model (default: the shipped one)")


def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None


def _positive_int(value: str) -> int:
    number = _whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value}")
    return number


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a probability from 0 to 1, got {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a probability from 0 to 1, got {value}")
    return number


def _add_decision_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exclude-neutral", action="store_true",
                        help="choose among the three stances only; never label a sentence neutral")
    parser.add_argument("--min-confidence", type=_probability, default=0.0, metavar="P",
                        help="label a sentence neutral when its top probability is below P (0 to 1; "
                        "not with --exclude-neutral)")


def _decision(args: argparse.Namespace) -> dict[str, Any]:
    if args.exclude_neutral and args.min_confidence > 0:
        raise StanceError("--min-confidence labels unsure sentences neutral, which --exclude-neutral "
                          "forbids; use one or the other.")
    return {"labels": _STANCE_LABELS if args.exclude_neutral else None, "min_confidence": args.min_confidence}


def _jobs(value: str) -> int:
    number = _whole_number(value)
    if number == 0:
        raise argparse.ArgumentTypeError("expected a number of workers: 1 or more, or -1 for all cores")
    return number


def _workers(jobs: int, quiet: bool) -> int:
    """Resolve --jobs to a number of processes, at most one per core.

    More processes than cores only cost memory (each loads its own model), so the
    count is capped; negative counts follow joblib (-1 all cores, -2 all but one).
    """
    cores = cpu_count()
    workers = cores + 1 + jobs if jobs < 0 else jobs
    if workers < 1:
        raise StanceError(f"--jobs {jobs} leaves no worker on this machine's {cores} cores.")
    if workers > cores:
        if not quiet:
            print(f"stance: --jobs {jobs} is more than this machine's {cores} cores; using {cores}.",
                  file=sys.stderr)
        workers = cores
    return workers


_FORMAT_OF_SUFFIX = {".csv": "csv", ".parquet": "parquet"}


def _score_command(args: argparse.Namespace) -> int:
    decision = _decision(args)
    if args.inputs.count(STDIN) > 1:
        raise StanceError("Standard input (-) is named more than once; it can be read only once.")
    if args.errors is not None and args.errors != STDIN and args.output != STDIN and \
            Path(args.errors).resolve() == Path(args.output).resolve():
        raise StanceError(f"--errors and -o both name {args.output}; give the error report a file of its own.")
    if args.scheduler:
        return _score_on_cluster(args, decision)
    output_format = args.output_format or _FORMAT_OF_SUFFIX.get(Path(args.output).suffix.lower(), "jsonl")
    if output_format == "parquet":
        raise StanceError("--output-format parquet needs --scheduler (partitioned output); use jsonl or csv.")
    workers = _workers(args.jobs, args.quiet)
    model = load(args.model)
    tally = _Tally(quiet=args.quiet)
    records = _all_records(args.inputs, args)
    with _output(args.output, force=args.force) as out, _error_sink(args.errors, force=args.force) as errors_out:
        documents = tally.documents(records, errors_out)
        results = model.score_documents(documents, n_jobs=workers, batch_size=args.batch_size,
                                        **decision)
        items = _summaries(model, results) if args.per_document else _flatten(results)
        write_records(tally.sentences(items), out, format=output_format, labels=model.labels,
                      per_document=args.per_document)
    tally.finish()
    return EXIT_FAILED if tally.failed else EXIT_OK


def _score_on_cluster(args: argparse.Namespace, decision: dict[str, Any]) -> int:
    """Each input file is one task on the Dask cluster; -o names the output folder."""
    from .cluster import score_files

    if args.output == STDIN or STDIN in args.inputs:
        raise StanceError("--scheduler reads and writes files: give input files and -o OUTPUT_FOLDER.")
    started = time.perf_counter()
    output_format = args.output_format or "jsonl"
    failed = 0
    # Opened first, as in local scoring, so an existing error file is refused before any work.
    with _error_sink(args.errors, force=args.force) as errors_out:
        try:
            results = score_files(args.scheduler, args.inputs, args.output, model_path=args.model,
                                  format=args.format, output_format=output_format, text_field=args.text_field,
                                  id_field=args.id_field, encoding_errors=args.encoding_errors,
                                  per_document=args.per_document, batch_size=args.batch_size,
                                  **decision)
        except ImportError as exc:
            raise StanceError(f"--scheduler needs the dask extra, pip install 'ceasefire-stance[dask]' "
                              f"(and pyarrow for parquet): {exc}.") from None
        except OSError as exc:  # the scheduler unreachable, or the output folder not writable
            raise StanceError(f"The Dask run on {args.scheduler} failed: {exc}") from None
        for result in results:
            for line_no, error in result.errors:
                failed += 1
                _report_error(result.source, line_no, error, errors_out)
    if not args.quiet:
        print(f"stance: {_count(sum(r.n_documents for r in results), 'document')}, "
              f"{_count(sum(r.n_records for r in results), 'record')} written to "
              f"{_count(len(results), 'file')} in "
              f"{args.output}, {failed} failed, {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _report_error(source: str, line_no: int, error: str, errors_out: TextIO | None) -> None:
    print(f"stance: error: {source}:{line_no}: {error}", file=sys.stderr)
    if errors_out is not None:
        errors_out.write(json.dumps({"source": source, "line": line_no, "error": error}, ensure_ascii=False) + "\n")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _all_records(inputs: Iterable[str], args: argparse.Namespace) -> Iterator[Record]:
    for path in inputs:
        yield from read_records(path, format=args.format, text_field=args.text_field,
                                id_field=args.id_field, encoding_errors=args.encoding_errors)


def _flatten(results):
    for records in results:
        yield from records


def _summaries(model: StanceModel, results):
    for records in results:
        yield model.summarize(records)


class _Tally:
    """Counts what flows through, reports failures, and draws progress on a terminal."""

    def __init__(self, *, quiet: bool):
        self.quiet = quiet
        self.progress = not quiet and sys.stderr.isatty()
        self.n_documents = self.n_sentences = self.failed = 0
        self.started = self._last_draw = time.perf_counter()

    def documents(self, records: Iterable[Record], errors_out: TextIO | None) -> Iterator[Document]:
        for record in records:
            if record.document is None:
                self.failed += 1
                if self.progress:
                    print("\r\033[K", end="", file=sys.stderr)  # the error gets a line of its own
                _report_error(record.source, record.line_no, record.error, errors_out)
                continue
            self.n_documents += 1
            yield record.document

    def sentences(self, items):
        for item in items:
            self.n_sentences += 1
            if self.progress and self.n_sentences % 512 == 0:
                self._draw()
            yield item

    def _draw(self) -> None:
        now = time.perf_counter()
        if now - self._last_draw >= 0.25:
            self._last_draw = now
            rate = self.n_sentences / max(now - self.started, 1e-9)
            print(f"\r{self.n_documents} documents, {self.n_sentences} records, {rate:,.0f}/s ",
                  end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.progress:
            print("\r\033[K", end="", file=sys.stderr)
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            print(f"stance: {_count(self.n_documents, 'document')}, {_count(self.n_sentences, 'record')} "
                  f"written, {self.failed} failed, {elapsed:.2f} s", file=sys.stderr)


@contextmanager
def _output(path: str, *, force: bool):
    """Yield a text stream; a file appears under its name only once it is complete."""
    if path == STDIN:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not path:
        raise StanceError("The output path is empty; give a file name, or - for standard output.")
    if path.endswith(("/", os.sep)) or target.is_dir():
        raise StanceError(f"Output path {path!r} names a folder, not a file; give a file name.")
    if target.exists() and not force:
        raise StanceError(f"Output file {target} already exists; use --force to overwrite it.")
    with replaced_on_success(target) as temporary:
        try:
            handle = open(temporary, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise StanceError(f"Cannot write output file {target}: {exc.strerror or exc}.") from None
        with handle:
            yield handle


@contextmanager
def _error_sink(path: str | None, *, force: bool):
    if path is None:
        yield None
        return
    with _output(path, force=force) as handle:
        yield handle


@contextmanager
def _signals_raise():
    """Turn SIGINT and SIGTERM into an exception, so output files are cleaned up."""
    def handler(signum, frame):
        raise _Interrupted(signum)

    try:
        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _explain_command(args: argparse.Namespace) -> int:
    decision = _decision(args)
    model = load(args.model)
    for sentence in args.sentences:
        why = model.explain(sentence, top=args.top, **decision)
        if args.json:
            print(json.dumps(why.to_dict(), ensure_ascii=False))
            continue
        probabilities = "  ".join(f"{label} {p:.2f}" for label, p in why.probabilities.items())
        print(f"{why.label.upper():<12} {sentence}\n  {probabilities}")
        for name, weight in why.features:
            print(f"    {weight:+.3f}  {name}")
    return EXIT_OK


def _train_command(args: argparse.Namespace) -> int:
    from .train import train

    started = time.perf_counter()
    manifest_path = train(args.seeds, args.output, evaluate=not args.no_eval)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    data = manifest["training_data"]
    print(f"stance: trained on {data['n_sentences']} sentences ({data['n_conflicts']} conflicts) "
          f"in {time.perf_counter() - started:.1f} s; wrote {manifest_path}", file=sys.stderr)
    if "evaluation" in manifest:
        evaluation = manifest["evaluation"]
        print(f"stance: {evaluation['protocol']}: macro-F1 {evaluation['macro_f1']:.3f}, "
              f"accuracy {evaluation['accuracy']:.3f}", file=sys.stderr)
    return EXIT_OK


def _info_command(args: argparse.Namespace) -> int:
    model = load(args.model)
    manifest = model.manifest
    if args.json:
        print(json.dumps(manifest, indent=2, sort_keys=True))
        return EXIT_OK
    data = manifest.get("training_data", {})
    evaluation = manifest.get("evaluation", {})
    lines = [
        f"stance {__version__}",
        f"weights:      {model.path}",
        f"labels:       {', '.join(model.labels)}",
        f"trained with: stance {manifest.get('stance_version')}, scikit-learn {manifest.get('sklearn_version')}",
        f"data:         {data.get('n_sentences', '?')} sentences, {data.get('n_conflicts', '?')} conflicts, "
        f"sha256 {str(data.get('sha256', '?'))[:16]}",
    ]
    if evaluation:
        per_class = ", ".join(f"{k} {v:.3f}" for k, v in evaluation.get("f1", {}).items())
        lines.append(f"evaluation:   {evaluation.get('protocol')}: macro-F1 {evaluation.get('macro_f1'):.3f}, "
                     f"accuracy {evaluation.get('accuracy'):.3f}")
        lines.append(f"per-class F1: {per_class}")
    print("\n".join(lines))
    return EXIT_OK


def _report_command(args: argparse.Namespace) -> int:
    from .report import render_report

    model = load(args.model)
    tally = _Tally(quiet=True)
    records = _all_records(args.inputs, args)
    started = time.perf_counter()
    with _output(args.output, force=args.force) as out:
        html = render_report(model, tally.documents(records, None), max_documents=args.max_documents)
        out.write(html)
    size = len(html.encode("utf-8"))
    shown = min(tally.n_documents, args.max_documents)
    print(f"stance: wrote {args.output} ({size / 1024:.1f} KiB): {_count(shown, 'document')} shown, "
          f"{tally.n_documents - shown} left out, {tally.failed} failed, "
          f"in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return EXIT_FAILED if tally.failed else EXIT_OK
