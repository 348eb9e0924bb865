"""Split news text into sentences with character offsets into the original string."""

from __future__ import annotations

import re

from .errors import InputError
from .types import Span

__all__ = ["MAX_SENTENCE_CHARS", "split_sentences"]

#: Longer runs without a boundary are cut at whitespace, so one pathological line
#: (a scraped page with no punctuation) costs bounded time and memory downstream.
MAX_SENTENCE_CHARS = 2000

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev hon pres
    st jr sr no nos vol art sec fig jan feb mar apr jun jul aug sep sept oct nov dec
    approx est vs etc inc ltd co corp dept univ ft mt ave rd blvd
    """.split()
)

# Words that open a sentence often enough to override the "U.S. President" rule.
_SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you this that these those there his her their its our
    but and yet so in on at for after before as when while if since meanwhile however
    officials some many most both all one two three no earlier later asked
    """.split()
)

_REPORTING_VERBS = (
    "said|says|added|adds|told|tells|wrote|writes|asked|asks|insisted|insists|stressed|"
    "stresses|declared|declares|warned|warns|replied|replies|continued|continues|noted|"
    "notes|tweeted|posted|shouted|argued|argues|explained|explains|vowed|vows|according"
)
_REPORTING_CLAUSE = re.compile(
    rf"(?:[\w'’.\-]+\s+){{0,5}}(?:{_REPORTING_VERBS})\b", re.IGNORECASE
)

# A candidate end: terminal punctuation, any closing quotes or brackets, then
# whitespace. A bare line break (\n, \r\n or a lone \r) is a candidate too (headlines,
# paragraphs). A match starts only at the first mark of a run and never gives marks
# back, so a run of ten thousand dots costs one pass, not one pass per dot.
_CANDIDATE = re.compile(r"(?:(?<![.!?…])[.!?…]++[\"'”’»)\]]*+|(?<=\S)(?=\s*[\n\r]))(\s+)")
_CLOSERS = "\"'”’»)]"
_WORD_BEFORE = re.compile(r"([\w.\-]+)[\"'”’»)\]]*$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}$")
_WHITESPACE_END = re.compile(r"\s*$")


def split_sentences(text: str) -> list[Span]:
    """Split ``text`` into sentences.

    Each span is half-open, has no surrounding whitespace, and together the spans
    cover every non-whitespace character of ``text`` exactly once. A sentence never
    exceeds :data:`MAX_SENTENCE_CHARS` characters.

    Parameters
    ----------
    text : str
        Any text. News prose is what the rules are written for: abbreviations
        ("U.S.", "Gen.", "No. 2"), initials, decimals, quotes holding several
        sentences and a reporting clause after a closing quote.

    Returns
    -------
    list of Span
        In text order; ``[]`` for empty or whitespace-only text.

    Raises
    ------
    InputError
        If ``text`` is not a ``str``, as for every other entry point that reads text.

    Examples
    --------
    >>> text = 'Gen. Smith spoke in the U.S. Senate. "Stop now!" he said. Talks resume.'
    >>> [text[s.start:s.end] for s in split_sentences(text)]
    ['Gen. Smith spoke in the U.S. Senate.', '"Stop now!" he said.', 'Talks resume.']
    """
    if not isinstance(text, str):
        raise InputError(f"split_sentences expects a str, got {type(text).__name__}.")
    spans: list[Span] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        end = match.start(1)
        if end <= start or not _is_boundary(text, start, end, match.end(1)):
            continue
        _emit(text, start, end, spans)
        start = match.end(1)
    _emit(text, start, len(text), spans)
    return spans


def _is_boundary(text: str, start: int, end: int, next_start: int) -> bool:
    if next_start >= len(text):
        return True
    gap = text[end:next_start]
    following = text[next_start]
    line_breaks = gap.count("\n") + gap.count("\r") - gap.count("\r\n")
    if line_breaks and (line_breaks > 1 or not following.islower()):
        return True
    last = text[end - 1]
    if last not in ".!?…" and last not in _CLOSERS:
        return False  # a bare line break followed by lowercase: a wrapped line
    if following.islower() or following in ",;:)]–—-":
        return False
    if last in _CLOSERS and _REPORTING_CLAUSE.match(text, next_start):
        return False  # '"We will fight on!" the commander said.'
    before_closers = end  # not text[start:end].rstrip(): a copy per candidate is quadratic in a long run
    while before_closers > start and text[before_closers - 1] in _CLOSERS:
        before_closers -= 1
    if before_closers == start or text[before_closers - 1] != ".":
        return True
    word_match = _WORD_BEFORE.search(text, max(start, end - 40), end)
    if word_match is None:
        return True
    word = word_match.group(1)
    bare = word.rstrip(".").lower()
    if bare in _ABBREVIATIONS:
        return False
    if len(bare) == 1 and bare.isalpha() and following.isalpha():
        return False  # an initial: "Robert F. Kennedy"
    if _INITIALISM.search(word):
        next_word = re.match(r"[\w’']+", text[next_start : next_start + 30])
        return next_word is not None and next_word.group(0).lower() in _SENTENCE_STARTERS
    return True


def _emit(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        piece_end = cut if cut > start else start + MAX_SENTENCE_CHARS
        _emit(text, start, piece_end, spans)
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append(Span(start, end))
