"""Render scored documents as one self-contained, accessible HTML page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import islice

from ._parallel import chunked
from ._version import __version__
from .errors import InputError
from .model import StanceModel
from .types import Document, SentenceStance

__all__ = ["render_report"]

# Documents scored and explained together: one feature pass per chunk, shared by the
# labels and the explanations, keeps 1,000 documents within seconds (see docs/report.md).
_CHUNK = 64


@dataclass(frozen=True, slots=True)
class _Look:
    """How one label is drawn: never by colour alone.

    ``colour`` draws the underline, ``fill`` the sentence background, ``paper`` and
    ``ink`` the letter marker, ``bar`` (a CSS background) the summary bars.
    """

    colour: str
    fill: str
    underline: str
    marker: str
    paper: str
    ink: str
    bar: str
    meaning: str


_STRIPES = "repeating-linear-gradient({angle},transparent 0 {gap}px,rgba(0,0,0,.3) {gap}px {end}px)"
# Okabe-Ito colours stay apart under the common colour-vision deficiencies; each
# label also has its own underline style, bar pattern and letter marker.
_LOOKS = {
    "supportive": _Look("#0072B2", "rgba(0,114,178,.13)", "solid", "S", "#0072B2", "#fff", "#0072B2",
                        "calls for, welcomes or backs a ceasefire"),
    "conditional": _Look("#E69F00", "rgba(230,159,0,.2)", "dashed", "C", "#E69F00", "#000",
                         _STRIPES.format(angle="45deg", gap=3, end=5) + ",#E69F00",
                         "backs a ceasefire only on conditions or guarantees"),
    "opposed": _Look("#D55E00", "rgba(213,94,0,.15)", "wavy", "O", "#D55E00", "#000",
                     _STRIPES.format(angle="-45deg", gap=2, end=3) + ",#D55E00",
                     "rejects, dismisses or argues against a ceasefire"),
    "neutral": _Look("#767676", "transparent", "dotted", "N", "#fff", "#333",
                     _STRIPES.format(angle="90deg", gap=3, end=4) + ",#c8c8c8",
                     "expresses no stance toward a ceasefire: events, figures, background"),
}
_SPARE_COLOURS = ("#009E73", "#CC79A7", "#56B4E9", "#F0E442")
# The order a reader scans in: support, then its qualified and contrary forms,
# then neutral. Probabilities stay keyed by ``model.labels``; this is layout only.
_READING_ORDER = ("supportive", "conditional", "opposed", "neutral")
_SORT_VIEWS = ("opposed", "conditional")
_LINE_BREAKS = re.compile(r"(?:\r\n|\r|\n)+")


def render_report(model: StanceModel, documents: Iterable[Document | str], *,
                  max_documents: int = 1000, title: str = "Ceasefire stance report",
                  top: int = 5) -> str:
    """Score documents and return one self-contained HTML page showing every sentence's stance.

    Each sentence is highlighted by its label with a colour-blind-safe fill, a
    per-label underline style and a letter marker, so colour is never the only
    cue. Hovering a sentence, or focusing it with the keyboard (every sentence is
    a tab stop), shows the probability of each label and the n-grams that pushed
    it toward its label. Each document opens with its stance summary; several
    documents also get a table of contents that can be read sorted by share of
    opposed or conditional sentences. The page needs no JavaScript and makes no
    network request: the CSS is inline and a Content-Security-Policy forbids
    scripts and remote resources. All text and ids are escaped, so markup in the
    input is shown, never run.

    Parameters
    ----------
    model : StanceModel
        The model that scores and explains the sentences.
    documents : iterable of Document or str
        Consumed lazily, once; a bare ``str`` is refused (wrap it in a list).
        Documents past ``max_documents`` are counted but neither scored nor shown.
    max_documents : int, default 1000
        How many documents the page shows at most; the page states how many were
        left out.
    title : str, default "Ceasefire stance report"
        The page title and heading.
    top : int, default 5
        How many n-grams each sentence's explanation lists.

    Returns
    -------
    str
        A complete HTML document (UTF-8 text), ready to be written to a file.

    Raises
    ------
    InputError
        If ``documents`` is a ``str`` or a document's text is not a ``str``.
    ValueError
        If ``max_documents`` or ``top`` is below 1.

    See Also
    --------
    StanceModel.score_documents : The records behind the page.
    StanceModel.explain : The n-grams behind one sentence's label.

    Notes
    -----
    In a Jupyter notebook, display the page inline; its CSS is scoped to the
    report, so the notebook's own styles are left alone::

        from IPython.display import HTML
        HTML(render_report(model, documents, max_documents=20))

    Examples
    --------
    >>> import stance
    >>> from stance.report import render_report
    >>> page = render_report(stance.load(), [stance.Document("a1", "The rebels rejected any truce.")])
    >>> page.startswith("<!DOCTYPE html>")
    True
    >>> 'data-label="opposed"' in page
    True
    """
    if isinstance(documents, str):
        raise InputError("Iterable over raw text documents expected, string object received.")
    for name, value in (("max_documents", max_documents), ("top", top)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")

    order = _reading_order(model.labels)
    css_class = {label: f"l{i}" for i, label in enumerate(order)}
    looks = _looks(order)

    stream = (item if isinstance(item, Document) else Document(None, item) for item in documents)
    sections: list[str] = []
    rows: list[_Row] = []
    for chunk in chunked(islice(stream, max_documents), _CHUNK):
        scored = model._score_and_explain(chunk, None, 0.0, top=top)
        for document, (records, why) in zip(chunk, scored):
            summary = model.summarize(records)
            doc_id = None if document.id is None else str(document.id)
            row = _Row(len(rows) + 1, doc_id, summary.n_sentences, dict(summary.counts))
            rows.append(row)
            features = [explanation.features for explanation in why]
            sections.append(_document(row, document.text, records, features, order, css_class, looks))
    left_out = sum(1 for _ in stream)

    parts = [
        _HEAD.format(title=escape(title, quote=True), css=_css(order, css_class, looks)),
        f'<div class="stance-report"><header id="st-top"><h1>{escape(title, quote=True)}</h1>',
        _overview(rows, left_out, max_documents, order, css_class, looks),
        _legend(order, css_class, looks),
        "</header>",
        _contents(rows, order, css_class, looks) if len(rows) > 1 else "",
        "<main>", *sections, "</main>",
        f"<footer>Made by stance {escape(__version__)}. Labels are a model's guesses, not "
        "facts: read the sentence before you quote its label.</footer></div></body></html>\n",
    ]
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class _Row:
    """What the contents table needs to know about one shown document."""

    number: int
    doc_id: str | None
    n_sentences: int
    counts: dict[str, int]

    @property
    def name(self) -> str:
        return self.doc_id if self.doc_id is not None else f"Document {self.number}"

    def share(self, label: str) -> float:
        return self.counts.get(label, 0) / self.n_sentences if self.n_sentences else 0.0


def _reading_order(labels: Sequence[str]) -> tuple[str, ...]:
    rank = {label: i for i, label in enumerate(_READING_ORDER)}
    return tuple(sorted(labels, key=lambda label: (rank.get(label, len(rank)), labels.index(label))))


def _looks(order: Sequence[str]) -> dict[str, _Look]:
    looks: dict[str, _Look] = {}
    spare = iter(_SPARE_COLOURS * (len(order) // len(_SPARE_COLOURS) + 1))
    for label in order:
        if label in _LOOKS:
            looks[label] = _LOOKS[label]
        else:  # a model trained on other labels still gets a readable page
            colour = next(spare)
            marker = (label[:1] or "?").upper()
            looks[label] = _Look(colour, "rgba(0,0,0,.06)", "double", marker, colour, "#000", colour,
                                 "a label of this model")
    return looks


def _percent(share: float) -> str:
    if 0 < share < 0.005:
        return "&lt;1%"
    return f"{share:.0%}"


def _bar(counts: dict[str, int], total: int, order: Sequence[str], css_class: dict[str, str]) -> str:
    if not total:
        return '<span class="bar empty" aria-hidden="true"></span>'
    segments = "".join(
        f'<i class="{css_class[label]}" style="width:{100 * counts.get(label, 0) / total:.2f}%"></i>'
        for label in order if counts.get(label, 0)
    )
    return f'<span class="bar" aria-hidden="true">{segments}</span>'


def _overview(rows: Sequence[_Row], left_out: int, max_documents: int, order: Sequence[str],
              css_class: dict[str, str], looks: dict[str, _Look]) -> str:
    n_sentences = sum(row.n_sentences for row in rows)
    counts = {label: sum(row.counts.get(label, 0) for row in rows) for label in order}
    noun = "document" if len(rows) == 1 else "documents"
    parts = [f'<p class="meta">{len(rows)} {noun} shown, {n_sentences} sentences.</p>']
    if left_out:
        were = "was" if left_out == 1 else "were"
        parts.append(f'<p class="omitted" role="note"><strong>{left_out} more '
                     f'{"document" if left_out == 1 else "documents"} {were} left out</strong>: '
                     f"this report shows at most {max_documents} (<code>max_documents</code>). "
                     "Split the input to see the rest.</p>")
    if len(rows) > 1:
        parts.append(_summary(counts, n_sentences, order, css_class, looks, heading="All shown documents"))
    return "".join(parts)


def _summary(counts: dict[str, int], total: int, order: Sequence[str], css_class: dict[str, str],
             looks: dict[str, _Look], *, heading: str) -> str:
    if not total:
        return f'<div class="sum"><span class="sh">{heading}:</span> no sentences.</div>'
    items = "".join(
        f'<li class="{css_class[label]}"><span class="mk" aria-hidden="true">{escape(looks[label].marker)}'
        f'</span> {escape(label)} <b>{counts.get(label, 0)}</b> '
        f'<span class="pc">({_percent(counts.get(label, 0) / total)})</span></li>'
        for label in order
    )
    return (f'<div class="sum"><span class="sh">{heading}:</span> {_bar(counts, total, order, css_class)}'
            f'<ul class="counts">{items}</ul></div>')


def _legend(order: Sequence[str], css_class: dict[str, str], looks: dict[str, _Look]) -> str:
    items = "".join(
        f'<li><span class="s {css_class[label]}"><span class="mk" aria-hidden="true">'
        f'{escape(looks[label].marker)}</span><span class="tx">{escape(label)}</span></span> '
        f'{escape(looks[label].underline)} underline, marker {escape(looks[label].marker)}: '
        f"{escape(looks[label].meaning)}</li>"
        for label in order
    )
    return ('<section class="legend" aria-label="Legend"><h2>How to read this page</h2>'
            f"<ul>{items}</ul><p>Hover over a sentence, or move to it with the Tab key, to see the "
            "probability of each label and the words (<em>word</em> n-grams) or letter sequences "
            "(<em>chars</em> n-grams, spaces shown as ␣) and pairs of words a few words apart "
            "(<em>word pair</em>, “backed … truce”) that pushed it toward its label; "
            "<code>neg_</code> marks a word inside the scope of a negation and <code>cond_</code> "
            "one inside a condition (after “if”, “until”, “once”...), <code>sub_</code> one in a "
            "subordinate clause (after “although”, “while”, “after”...); <code>xx</code> stands for "
            "a name and <code>0</code> for a number.</p></section>")


def _contents(rows: Sequence[_Row], order: Sequence[str], css_class: dict[str, str],
              looks: dict[str, _Look]) -> str:
    head = "".join(
        f'<th scope="col" class="{css_class[label]}"><span class="mk" aria-hidden="true">'
        f"{escape(looks[label].marker)}</span> {escape(label)}</th>"
        for label in order
    )
    body = "".join(
        f'<tr><td>{row.number}</td><td><a href="#st-d{row.number}">{escape(row.name, quote=True)}</a></td>'
        f"<td>{row.n_sentences}</td>"
        + "".join(f"<td>{_percent(row.share(label))}</td>" for label in order)
        + f"<td>{_bar(row.counts, row.n_sentences, order, css_class)}</td></tr>"
        for row in rows
    )
    parts = [
        '<nav class="toc" id="st-toc" aria-labelledby="st-toc-h"><h2 id="st-toc-h">Contents</h2>',
        '<table><caption>In input order; share of sentences per label.</caption><thead><tr>'
        f'<th scope="col">#</th><th scope="col">Document</th><th scope="col">Sentences</th>{head}'
        f'<th scope="col">Stance mix</th></tr></thead><tbody>{body}</tbody></table>',
    ]
    for label in (label for label in _SORT_VIEWS if label in order):
        # Pre-sorted copies inside <details> give sorting without any script.
        ranked = sorted(rows, key=lambda row: -row.share(label))
        other = next(other for other in (*_SORT_VIEWS, *order) if other != label)
        lines = "".join(
            f'<tr><td>{rank}</td><td><a href="#st-d{row.number}">{escape(row.name, quote=True)}</a></td>'
            f"<td>{_percent(row.share(label))}</td><td>{_percent(row.share(other))}</td>"
            f"<td>{row.n_sentences}</td></tr>"
            for rank, row in enumerate(ranked, start=1)
        )
        parts.append(
            f'<details class="{css_class[label]}" data-sort="{escape(label, quote=True)}"><summary>'
            f'Sorted by share of <span class="mk" aria-hidden="true">{escape(looks[label].marker)}</span> '
            f"{escape(label)}, highest first"
            f'</summary><table><thead><tr><th scope="col">Rank</th><th scope="col">Document</th>'
            f'<th scope="col">{escape(label)}</th><th scope="col">{escape(other)}</th>'
            f'<th scope="col">Sentences</th></tr></thead><tbody>{lines}</tbody></table></details>'
        )
    parts.append("</nav>")
    return "".join(parts)


def _document(row: _Row, text: str, records: Sequence[SentenceStance],
              why: Sequence[tuple[tuple[str, float], ...]], order: Sequence[str],
              css_class: dict[str, str], looks: dict[str, _Look]) -> str:
    anchor = f"st-d{row.number}"
    doc_id = "" if row.doc_id is None else f' data-doc-id="{escape(row.doc_id, quote=True)}"'
    paragraphs = _paragraphs(anchor, text, records, why, order, css_class, looks) or \
        '<p class="none">No sentences.</p>'
    return "".join([
        f'<section class="doc" id="{anchor}"{doc_id} aria-labelledby="{anchor}-h">',
        f'<h2 id="{anchor}-h"><span class="dn">{row.number}.</span> {escape(row.name, quote=True)}</h2>',
        _summary(row.counts, row.n_sentences, order, css_class, looks, heading="Stance"),
        f'<div class="text">{paragraphs}</div>',
        '<p class="up"><a href="#st-top">Back to top</a></p></section>',
    ])


def _paragraphs(anchor: str, text: str, records: Sequence[SentenceStance],
                why: Sequence[tuple[tuple[str, float], ...]], order: Sequence[str],
                css_class: dict[str, str], looks: dict[str, _Look]) -> str:
    """Lay out sentences with the original text between them; line breaks start paragraphs."""
    paragraphs: list[list[str]] = [[]]
    with_sentence: list[bool] = [False]

    def gap(between: str) -> None:
        first, *rest = _LINE_BREAKS.split(between)
        paragraphs[-1].append(escape(first, quote=True))
        for piece in rest:
            paragraphs.append([escape(piece, quote=True)])
            with_sentence.append(False)

    position = 0
    for record, features in zip(records, why):
        gap(text[position:record.start])
        paragraphs[-1].append(_sentence(anchor, record, len(records), features, order, css_class, looks))
        with_sentence[-1] = True
        position = record.end
    gap(text[position:])
    # A paragraph without a sentence holds only whitespace: the segmenter covers
    # every other character.
    return "".join(f"<p>{''.join(p)}</p>" for p, keep in zip(paragraphs, with_sentence) if keep)


def _sentence(anchor: str, record: SentenceStance, n_sentences: int,
              features: tuple[tuple[str, float], ...], order: Sequence[str], css_class: dict[str, str],
              looks: dict[str, _Look]) -> str:
    label = record.label
    look = looks[label]
    node = f"{anchor}-s{record.index}"
    # Grid cells come from the label text, the empty <i> bar and the percentage,
    # which keeps the markup small: a page holds one of these per sentence.
    probabilities = "".join(
        f'<span class="pr {css_class[other]}" style="--p:{100 * record.probabilities[other]:.1f}%">'
        f"{escape(other)}<i></i><b>{_percent(record.probabilities[other])}</b></span>"
        for other in order
    )
    if features:
        grams = "".join(_ngram(name, weight) for name, weight in features)
        reasons = f'<span class="why">Pushed toward {escape(label)} by: {grams}</span>'
    else:
        reasons = f'<span class="why">No n-gram of this sentence pushes toward {escape(label)}.</span>'
    return (
        f'<span class="s {css_class[label]}" id="{node}" tabindex="0" '
        f'data-label="{escape(label, quote=True)}" aria-describedby="{node}-t">'
        f'<span class="mk" aria-hidden="true">{escape(look.marker)}</span>'
        f'<span class="tx">{escape(record.text, quote=True)}</span>'
        f'<span class="tip" role="tooltip" id="{node}-t"><span class="th"><b>{escape(label)}</b> · '
        f"sentence {record.index + 1} of {n_sentences}</span>{probabilities}{reasons}</span></span>"
    )


def _ngram(name: str, weight: float) -> str:
    kind, _, gram = name.partition("__")
    if not gram:
        kind, gram = "n-gram", name
    elif kind == "char":
        # Character n-grams often start or end with a space; make it visible.
        kind, gram = "chars", gram.replace(" ", "\u2423")
    elif kind == "pairs":
        kind, gram = "word pair", gram.replace("~", " \u2026 ")
    return (f'<span class="g"><code>{escape(gram, quote=True)}</code><small>{escape(kind)}</small>'
            f"+{weight:.2f}</span>")


def _css(order: Sequence[str], css_class: dict[str, str], looks: dict[str, _Look]) -> str:
    rules = [_BASE_CSS]
    for label in order:
        c, look = css_class[label], looks[label]
        rules.append(
            f".stance-report .s.{c} .tx{{background:{look.fill};text-decoration-color:{look.colour};"
            f"text-decoration-style:{look.underline}}}"
            f".stance-report .{c} .mk{{background:{look.paper};color:{look.ink}}}"
            f".stance-report .bar .{c},.stance-report .pr.{c} i::after{{background:{look.bar}}}"
        )
    return "".join(rules)


_BASE_CSS = (
    ".stance-report{color:#1b1b1b;background:#fff;max-width:50rem;margin:0 auto;"
    'padding:1.25rem 1.25rem 3rem;font:16px/1.7 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",'
    '"DejaVu Sans",sans-serif}'
    ".stance-report h1{font-size:1.65rem;line-height:1.25;margin:0 0 .2rem}"
    ".stance-report h2{font-size:1.2rem;line-height:1.3;margin:1.2rem 0 .4rem}"
    ".stance-report a{color:#0b57a4}"
    ".stance-report code{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;font-size:.92em}"
    ".stance-report .meta{color:#555;margin:0 0 .4rem}"
    ".stance-report .omitted{background:#fff4d6;border-left:4px solid #E69F00;padding:.4rem .75rem;"
    "margin:.5rem 0}"
    ".stance-report .legend{border:1px solid #d0d0d0;border-radius:6px;background:#fafafa;"
    "padding:0 1rem .2rem;margin:.8rem 0 1rem;font-size:.9rem;line-height:1.5}"
    ".stance-report .legend h2{font-size:1rem;margin:.6rem 0 .3rem}"
    ".stance-report .legend ul{list-style:none;margin:0;padding:0}"
    ".stance-report .legend li{margin:.3rem 0}"
    ".stance-report .legend .s{display:inline-block;min-width:7.6rem}"
    ".stance-report .legend p{margin:.5rem 0}"
    ".stance-report .sum{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem .9rem;"
    "margin:.2rem 0 .9rem;font-size:.9rem}"
    ".stance-report .sh{font-weight:600}"
    ".stance-report .counts{display:flex;flex-wrap:wrap;gap:.2rem .9rem;list-style:none;margin:0;"
    "padding:0}"
    ".stance-report .pc{color:#555}"
    ".stance-report .bar{display:inline-flex;width:11rem;height:.85rem;border:1px solid #444;"
    "border-radius:2px;overflow:hidden;vertical-align:middle;background:#fff}"
    ".stance-report .bar i{display:block;height:100%}"
    ".stance-report .doc{border-top:2px solid #1b1b1b;margin-top:1.6rem}"
    ".stance-report .dn{color:#555;font-weight:400}"
    ".stance-report .text p{position:relative;white-space:pre-wrap;margin:0 0 .9rem}"
    ".stance-report .up{font-size:.85rem;margin:0}"
    ".stance-report .s{cursor:help;border-radius:2px}"
    ".stance-report .s .tx{text-decoration-line:underline;text-decoration-thickness:2px;"
    "text-underline-offset:.22em;text-decoration-skip-ink:none;box-decoration-break:clone;"
    "-webkit-box-decoration-break:clone;border-radius:2px}"
    ".stance-report .s:hover .tx{box-shadow:inset 0 0 0 1px #666}"
    ".stance-report .s:focus{outline:3px solid #1b1b1b;outline-offset:2px}"
    ".stance-report .mk{display:inline-block;min-width:1.15em;margin:0 .25em 0 .1em;padding:0 .15em;"
    'border-radius:3px;font:700 .66em/1.45 ui-monospace,"DejaVu Sans Mono",monospace;text-align:center;'
    "vertical-align:.2em;user-select:none;-webkit-user-select:none;border:1px solid rgba(0,0,0,.35)}"
    ".stance-report .tip{display:none;position:absolute;left:0;z-index:10;width:min(27rem,100%);"
    "box-sizing:border-box;margin-top:.35rem;padding:.55rem .75rem .6rem;background:#fff;color:#1b1b1b;"
    "border:1px solid #777;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.2);white-space:normal;"
    "font-size:.86rem;line-height:1.45;pointer-events:none;cursor:auto}"
    ".stance-report .s:hover>.tip,.stance-report .s:focus-within>.tip,"
    ".stance-report .s:target>.tip{display:block}"
    ".stance-report .th{display:block;margin-bottom:.3rem}"
    ".stance-report .pr{display:grid;grid-template-columns:6.5rem 1fr 2.8rem;align-items:center;gap:.5rem}"
    ".stance-report .pr b{font-weight:400;text-align:right;font-variant-numeric:tabular-nums}"
    ".stance-report .pr i{display:block;position:relative;height:.6rem;background:#eee;border:1px solid #bbb;"
    "border-radius:2px;overflow:hidden}"
    ".stance-report .pr i::after{content:\"\";position:absolute;inset:0 auto 0 0;width:var(--p)}"
    ".stance-report .why{display:block;margin-top:.45rem}"
    ".stance-report .g{display:inline-block;margin:.2rem .3rem 0 0;padding:0 .35rem;border:1px solid #d0d0d0;"
    "border-radius:4px;background:#f5f5f5;white-space:nowrap}"
    ".stance-report .g code{white-space:pre}"
    ".stance-report .g small{color:#555;margin:0 .3em}"
    ".stance-report .toc table{border-collapse:collapse;width:100%;font-size:.86rem;line-height:1.4}"
    ".stance-report .toc caption{text-align:left;color:#555;padding:.2rem 0}"
    ".stance-report .toc th,.stance-report .toc td{padding:.2rem .45rem;border-bottom:1px solid #ddd;"
    "text-align:left;vertical-align:middle}"
    ".stance-report .toc details{margin:.6rem 0}"
    ".stance-report .toc th{white-space:nowrap}"
    ".stance-report .toc summary{cursor:pointer;font-weight:600}"
    ".stance-report .toc .bar{width:8rem}"
    ".stance-report footer{margin-top:2rem;color:#555;font-size:.85rem}"
    "@media print{.stance-report .tip{display:none!important}}"
)

_HEAD = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
         '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
         "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"
         '<meta name="viewport" content="width=device-width, initial-scale=1">'
         '<meta name="generator" content="stance">'
         "<title>{title}</title><style>{css}</style></head><body>")
