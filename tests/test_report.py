"""Tests for the HTML report: escaping, no network, structure, limits, and a real browser."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

import stance
from stance.cli import main
from stance.report import render_report

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "seeds" / "000_985e532e1d3b25ad.txt"

HOSTILE = "<script>alert(1)</script>"
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})


class _Page(HTMLParser):
    """Collect what the tests look at: sentences, paragraphs, scripts, styles and links."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.sentences: list[dict[str, str]] = []
        self.paragraphs: list[str] = []
        self.details: list[tuple[str, list[str]]] = []
        self.headings: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._stack: list[tuple[str, set[str]]] = []
        self._paragraph: list[str] | None = None
        self._heading: list[str] | None = None
        self.feed(markup)
        self.close()

    def _inside(self, css_class: str) -> bool:
        return any(css_class in classes for _, classes in self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        classes = set((attributes.get("class") or "").split())
        if tag == "span" and "data-label" in attributes:
            self.sentences.append({"label": attributes["data-label"], "id": attributes.get("id"),
                                   "tabindex": attributes.get("tabindex"),
                                   "describedby": attributes.get("aria-describedby"), "text": ""})
        if tag == "p" and self._inside("text"):
            self._paragraph = []
        if tag == "details":
            self.details.append((attributes.get("data-sort"), []))
        if tag == "h2":
            self._heading = []
        if tag not in _VOID:
            self._stack.append((tag, classes))

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _ = self._stack.pop()
            if open_tag == tag:
                break
        if tag == "p" and self._paragraph is not None:
            self.paragraphs.append("".join(self._paragraph))
            self._paragraph = None
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._stack and self._stack[-1][0] == "style":
            self.styles.append(data)
        if self._inside("tx") and self.sentences:
            self.sentences[-1]["text"] += data
        hidden = self._inside("mk") or self._inside("tip")
        if self._paragraph is not None and not hidden:
            self._paragraph.append(data)
        if self._heading is not None:
            self._heading.append(data)
        tags = {tag for tag, _ in self._stack}
        if "details" in tags and "a" in tags:
            self.details[-1][1].append(data)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.elements if name == tag)

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def seed_page(model, seed_text) -> str:
    return render_report(model, [stance.Document("seed", seed_text)])


@pytest.fixture(scope="module")
def several(seed_text) -> list[stance.Document]:
    paragraphs = seed_text.split("\n")
    return [stance.Document(f"part-{i}", "\n".join(paragraphs[i:i + 3]))
            for i in range(0, len(paragraphs), 2)]


def test_seed_sentences_appear_in_order_with_their_labels(model, seed_text, seed_page):
    records = model.score_document(seed_text, doc_id="seed")
    page = _Page(seed_page)
    assert [(s["label"], s["text"]) for s in page.sentences] == [(r.label, r.text) for r in records]
    ids = [element[1]["id"] for element in page.elements if "id" in element[1]]
    assert len(ids) == len(set(ids))
    for sentence in page.sentences:
        assert sentence["tabindex"] == "0"
        assert sentence["describedby"] in ids


def test_each_tooltip_explains_its_own_sentence(model, seed_text, seed_page):
    records = model.score_document(seed_text)
    expected = model.explain_many([r.text for r in records], top=5)
    chunks = re.split(r'(?=<span class="s [^"]*" id="st-d1-s\d+")', seed_page)[1:]
    assert len(chunks) == len(records)
    for chunk, why in zip(chunks, expected):
        shown = re.findall(r'<code>(.*?)</code><small>[^<]*</small>\+([\d.]+)</span>', chunk)
        assert [weight for _, weight in shown] == [f"{weight:.2f}" for _, weight in why.features]
        assert f'data-label="{why.label}"' in chunk


def test_seed_sentences_match_the_gold_regions(model, seed_text, seed_gold):
    # The browser test looks for exactly the gold sentences in the page.
    records = model.score_document(seed_text)
    expected = [(g["start"], g["end"], g["text"]) for g in seed_gold]
    assert [(r.start, r.end, r.text) for r in records] == expected


@pytest.mark.parametrize("text", [
    "  First one.  Second one.\n\n\tThird one.\nFourth one.  ",
    "One sentence without a break.",
    "\n\nLeading breaks. Then text.\r\nA Windows break.\n",
], ids=["spaces-and-tabs", "single", "leading-and-crlf"])
def test_paragraphs_keep_the_text_between_sentences(model, text):
    page = _Page(render_report(model, [stance.Document("t", text)]))
    expected = re.sub(r"(?:\r\n|\r|\n)+", "\n", text).strip("\n")
    assert "\n".join(page.paragraphs) == expected


def test_seed_paragraphs_rebuild_the_article(seed_text, seed_page):
    expected = re.sub(r"\n+", "\n", seed_text).strip("\n")
    assert "\n".join(_Page(seed_page).paragraphs) == expected


def test_markup_in_text_ids_and_title_is_shown_not_run(model):
    documents = [
        stance.Document(HOSTILE, f'He wrote "{HOSTILE}" & left. The truce must hold &amp; talks go on.'),
        stance.Document("\"q\" 'single' </style> &amp;", "O'Brien said </style><b>no</b> ceasefire today."),
    ]
    markup = render_report(model, documents, title=f"Report {HOSTILE}")
    assert "<script" not in markup.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&amp;amp;" in markup
    assert "&lt;/style&gt;&lt;b&gt;no&lt;/b&gt;" in markup
    assert markup.count("</style>") == 1
    page = _Page(markup)
    assert page.count("script") == 0
    assert "&lt;script&gt;" in markup.split("<title>", 1)[1].split("</title>", 1)[0]
    texts = "".join(s["text"] for s in page.sentences)
    assert HOSTILE in texts and "&amp;" in texts and "</style><b>no</b>" in texts
    assert [h.split(" ", 1)[1] for h in page.headings if h[:1].isdigit()] == [d.id for d in documents]
    assert [attrs["data-doc-id"] for tag, attrs in page.elements if "data-doc-id" in attrs] == \
        [d.id for d in documents]
    assert f"Report {HOSTILE}" in page.visible_text


def test_page_makes_no_network_request(model, several):
    markup = render_report(model, several)
    page = _Page(markup)
    for tag, attrs in page.elements:
        assert "src" not in attrs, tag
        assert not (tag == "link"), attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
        assert "url(" not in (attrs.get("style") or "")
    css = "".join(page.styles)
    assert css and "@import" not in css and "url(" not in css and "@font-face" not in css
    assert "http://" not in markup and "https://" not in markup
    policy = [attrs["content"] for tag, attrs in page.elements
              if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy and policy[0].startswith("default-src 'none'")


def test_labels_differ_by_more_than_colour(model, seed_page):
    page = _Page(seed_page)
    css = "".join(page.styles)
    underlines = dict(re.findall(r"\.s\.(l\d+) \.tx\{[^}]*text-decoration-style:(\w+)", css))
    assert len(underlines) == len(model.labels) == len(set(underlines.values()))
    markers = {}
    for _, attrs in page.elements:
        if "data-label" in attrs:
            markers.setdefault(attrs["data-label"], set()).add(attrs["class"])
    assert all(len(classes) == 1 for classes in markers.values())
    legend = page.visible_text.split("How to read this page", 1)[1]
    assert all(label in legend for label in model.labels)


def test_left_out_documents_are_counted_not_shown(model, several):
    pulled = []

    def documents():
        for document in [*several, *several][:5]:
            pulled.append(document)
            yield document

    page = _Page(render_report(model, documents(), max_documents=2))
    assert len(pulled) == 5
    assert sum(1 for tag, attrs in page.elements if tag == "section" and attrs.get("class") == "doc") == 2
    assert "3 more documents were left out" in page.visible_text


def test_nothing_is_left_out_under_the_limit(model, several):
    page = _Page(render_report(model, several, max_documents=len(several)))
    assert "left out" not in page.visible_text


def test_contents_lists_documents_sorted_by_share(model, several):
    page = _Page(render_report(model, several))
    shares = {}
    for document in several:
        records = model.score_document(document.text)
        shares[document.id] = {label: sum(r.label == label for r in records) / len(records)
                               for label in model.labels}
    views = dict(page.details)
    assert set(views) == {"opposed", "conditional"} & set(model.labels)
    for label, names in views.items():
        # Highest share first; ties keep the input order (sorted() is stable).
        assert names == sorted((d.id for d in several), key=lambda name: -shares[name][label])


def test_a_document_without_sentences_still_gets_a_section(model):
    page = _Page(render_report(model, [stance.Document("empty", "   \n "), stance.Document("b", "Stop.")]))
    assert "No sentences." in page.visible_text
    assert [h.split(" ", 1)[1] for h in page.headings if h[:1].isdigit()] == ["empty", "b"]


def test_bad_arguments_are_refused(model):
    with pytest.raises(stance.InputError, match="string object received"):
        render_report(model, "a bare string")
    with pytest.raises(ValueError, match="max_documents"):
        render_report(model, [], max_documents=0)


def test_cli_writes_the_report(tmp_path, capsys):
    output = tmp_path / "report.html"
    assert main(["report", str(SEED_TEXT), "-o", str(output)]) == 0
    page = _Page(output.read_text(encoding="utf-8"))
    assert len(page.sentences) > 0
    assert "wrote" in capsys.readouterr().err


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "chromium is not installed (apt-get install chromium); the browser test needs it"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI must install it.")
        pytest.skip(reason)
    return found


def _run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [browser, *BROWSER_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def test_browser_renders_the_seed_report(model, seed_text, seed_gold, tmp_path):
    browser = _chromium()
    report = tmp_path / "report.html"
    assert main(["report", str(SEED_TEXT), "-o", str(report)]) == 0

    dom = _run_browser(browser, tmp_path / "profile-dom", "--dump-dom", report.as_uri()).stdout
    page = _Page(dom)
    labels = {r.text: r.label for r in model.score_document(seed_text)}
    assert [s["text"] for s in page.sentences] == [g["text"] for g in seed_gold]
    for sentence in page.sentences:
        assert sentence["label"] == labels[sentence["text"]]

    shot = tmp_path / "shot.png"
    _run_browser(browser, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,1600",
                 report.as_uri())
    assert shot.stat().st_size > 20_000
    width, height, pixels, pixel_bytes = _decode_png(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    sample = {pixels[i:i + pixel_bytes] for i in range(0, len(pixels), pixel_bytes * 97)}
    assert len(sample) > 10, "the screenshot is (nearly) one colour"


def _decode_png(data: bytes) -> tuple[int, int, bytes, int]:
    """Return width, height, unfiltered pixel bytes and bytes per pixel of an 8-bit, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, []
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position:position + 4]), data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed.append(body)
    assert depth == 8 and interlace == 0 and colour_type in (0, 2, 4, 6)
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    raw = zlib.decompress(b"".join(compressed))
    stride = width * bpp
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        _unfilter(kind, line, previous, bpp)
        rows.append(bytes(line))
        previous = line
    return width, height, b"".join(rows), bpp


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    if kind == 1:
        for i in range(bpp, len(line)):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, previous))
    elif kind == 3:
        for i in range(len(line)):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + (left + previous[i]) // 2) & 0xFF
    elif kind == 4:
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b, c = previous[i], previous[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else b if pb <= pc else c
            line[i] = (line[i] + predictor) & 0xFF
