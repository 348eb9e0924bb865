"""Shared parts of the benchmark reports: markdown tables, the docs section between markers, PNG
plots, the commit a run started from, and fits that hand back their warnings."""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "PlotsUnavailable",
    "fit_predict",
    "fmt",
    "git_commit",
    "plot_abstain",
    "plot_confusion",
    "plot_learning_curve",
    "plot_reliability",
    "replace_section",
    "table",
]


def git_commit(root: str | os.PathLike[str]) -> str:
    """The short hash of the checkout at ``root``, or ``"unknown"`` outside git.

    Benchmarks take it when they start: a commit made during a long run did not
    produce its figures.
    """
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() or "unknown"


def fit_predict(estimator, train_texts: Sequence[str], train_labels: Sequence[str],
                test_texts: Sequence[str] | None = None) -> tuple[np.ndarray | None, list[str]]:
    """Fit ``estimator``, predict ``test_texts`` if given, and return the warnings raised.

    The warnings come back as one sorted line per distinct warning, so a report can
    print them (and a worker process can send them back) instead of stderr.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(train_texts, train_labels)
        predicted = np.asarray(estimator.predict(test_texts)) if test_texts is not None else None
    return predicted, sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0]}" for w in caught})


class PlotsUnavailable(ImportError):
    """matplotlib is not installed; the text report is written without plots."""


def fmt(value: float, digits: int = 3) -> str:
    """Format a figure for a table: fixed digits, or an en dash for a missing value."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]], *, align: str | None = None) -> str:
    """Return a GitHub markdown table; ``align`` is one of ``l``/``r`` per column (default: left, then right)."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(path: str | os.PathLike[str], body: str, *, name: str = "accuracy",
                    title: str = "# Benchmarks") -> Path:
    """Write ``body`` between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``.

    Everything outside the markers is kept. A file without the markers gets the
    section appended; a missing file is created with ``title`` on top. A file with
    one marker but not the other, or either twice, is refused (``ValueError``).

    Examples
    --------
    >>> import tempfile
    >>> doc = Path(tempfile.mkdtemp()) / "b.md"
    >>> _ = doc.write_text("# B\\n\\n<!-- speed:start -->\\nfast\\n<!-- speed:end -->\\n")
    >>> _ = replace_section(doc, "good")
    >>> _ = replace_section(doc, "better")
    >>> print(doc.read_text())
    # B
    <BLANKLINE>
    <!-- speed:start -->
    fast
    <!-- speed:end -->
    <BLANKLINE>
    <!-- accuracy:start -->
    better
    <!-- accuracy:end -->
    <BLANKLINE>
    """
    path = Path(path)
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{body.strip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    if old.count(start) > 1 or old.count(end) > 1 or (start in old) != (end in old) or (
            start in old and old.index(start) > old.index(end)):
        # A marker lost in a hand edit would otherwise add a second section.
        raise ValueError(f"{path} must hold {start} and {end} once each, in that order, or neither.")
    if start in old:
        new = old[:old.index(start)] + section + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return path


def _figure(width: float = 6.0, height: float = 4.5):
    # Figure + the Agg canvas, never pyplot: no global backend state, no GUI, no
    # warnings when another library already picked a backend.
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlotsUnavailable("matplotlib is not installed (pip install 'ceasefire-stance[plot]').") from exc
    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    return path


def plot_confusion(matrix: np.ndarray, labels: Sequence[str], path: str | os.PathLike[str]) -> Path:
    """Confusion matrix: counts in the cells, colour by share of the true label's row."""
    fig = _figure(5.6, 4.8)
    ax = fig.add_subplot()
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{matrix[i, j]}\n{shares[i, j]:.0%}", ha="center", va="center", fontsize=9,
                    color="white" if shares[i, j] > 0.6 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix, out-of-fold")
    fig.colorbar(image, ax=ax, label="share of true label")
    return _save(fig, path)


def _reliability_bins(proba: np.ndarray, truth: np.ndarray, n_bins: int, min_count: int):
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == truth
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    keep = [b for b in range(n_bins) if (bins == b).sum() >= min_count]
    return (np.array([confidence[bins == b].mean() for b in keep]),
            np.array([correct[bins == b].mean() for b in keep]))


def plot_reliability(curves: dict[str, np.ndarray], truth: np.ndarray, path: str | os.PathLike[str],
                     *, n_bins: int = 15, min_count: int = 20) -> Path:
    """Reliability diagram: accuracy against mean top-label confidence per bin, one line per curve.

    Bins with fewer than ``min_count`` sentences are left out of the lines (their
    accuracy is noise); the histogram below still counts them.
    """
    fig = _figure(6.0, 6.0)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 1], sharex=True)
    top.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    edges = np.linspace(0, 1, n_bins + 1)
    for name, proba in curves.items():
        confidence, accuracy = _reliability_bins(proba, truth, n_bins, min_count)
        top.plot(confidence, accuracy, marker="o", label=name)
        bottom.hist(proba.max(axis=1), bins=edges, histtype="step", linewidth=1.5, label=name)
    top.set_ylabel("accuracy in bin")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1.02)
    top.legend(loc="upper left", fontsize=8)
    top.set_title(f"Reliability of the top label, out-of-fold (bins with >= {min_count} sentences)")
    bottom.set_yscale("log")
    bottom.set_xlabel("confidence (top probability)")
    bottom.set_ylabel("sentences")
    return _save(fig, path)


def plot_learning_curve(sizes: Sequence[float], scores: dict[str, Sequence[float]],
                        path: str | os.PathLike[str]) -> Path:
    """Macro-F1 on held-out conflicts against training-set size.

    A series with one value is a reference drawn as a dashed line; references far
    below the curve are named in a note instead, so the curve keeps its resolution.
    """
    fig = _figure()
    ax = fig.add_subplot()
    curves = {name: v for name, v in scores.items() if len(v) > 1}
    floor = min(min(v) for v in curves.values()) - 0.08
    off_chart = []
    for name, values in scores.items():
        if len(values) > 1:
            ax.plot(sizes, values, marker="o", label=name)
        elif values[0] >= floor:
            ax.axhline(values[0], linestyle="--", linewidth=1, color="grey")
            ax.annotate(f"{name}: {values[0]:.3f}", (sizes[-1], values[0]), textcoords="offset points",
                        xytext=(0, -11), ha="right", fontsize=8)
        else:
            off_chart.append(f"{name}: {values[0]:.3f}")
    if off_chart:
        ax.text(0.98, 0.03, "below the chart:\n" + "\n".join(off_chart), transform=ax.transAxes,
                ha="right", va="bottom", fontsize=8, color="grey")
    ax.set_ylim(floor, 1.0)
    ax.set_xscale("log", base=2)
    ax.set_xticks(list(sizes), [f"{s:,.0f}" for s in sizes])
    ax.minorticks_off()
    ax.set_xlabel("training sentences (mean over outer folds)")
    ax.set_ylabel("macro-F1 on held-out conflicts")
    ax.set_title("Learning curve (leave conflicts out)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def plot_abstain(thresholds: Sequence[float], coverage: Sequence[float], precision: Sequence[float],
                 path: str | os.PathLike[str], *, overall: Sequence[float] | None = None) -> Path:
    """Coverage and accuracy of the sentences kept (and, optionally, of all with unsure → neutral)."""
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(thresholds, precision, marker="o", label="accuracy of kept sentences")
    ax.plot(thresholds, coverage, marker="s", label="coverage (share kept)")
    if overall is not None:
        ax.plot(thresholds, overall, marker="^", label="accuracy of all, unsure → neutral")
    values = [v for series in (precision, coverage, overall or []) for v in series if not np.isnan(v)]
    ax.set_ylim(max(0.0, min(values) - 0.05), 1.01)
    ax.set_xlabel("min_confidence (top calibrated probability)")
    ax.set_title("Abstaining below a confidence threshold")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, path)
