"""The forms real news prints a sentence in: headline case, capitals, spellings, quotes.

Each transform changes how a sentence looks, not what it says. The accuracy
benchmark scores held-out sentences again in every form of :data:`PRINT_FORMS`;
the behaviour suite writes its headline-case invariance cases with
:func:`headline_cases`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["PRINT_FORMS", "curly_quotes", "headline_cases", "hyphenated", "title_case"]

_MINOR_WORDS = frozenset("a an and as at but by for from in into nor of on or over the to with".split())
_WORD_START = re.compile(r"(?:^|(?<=[\s\"“‘(-])|(?<=\s'))([^\W\d_])")
_CEASEFIRE = re.compile(r"\b([Cc])easefire")
_OPENING_QUOTE = re.compile(r"(^|[\s(\[])([\"'])")


def title_case(text: str) -> str:
    """Capitalise every word, also after a quote mark or hyphen, but articles, conjunctions and prepositions inside.

    Examples
    --------
    >>> title_case("UN chief calls for a truce in the north")
    'UN Chief Calls for a Truce in the North'
    """
    return _WORD_START.sub(lambda m: m.group(1) if m.start() and _word_at(text, m.start()) in _MINOR_WORDS
                           else m.group(1).upper(), text)


def _word_at(text: str, start: int) -> str:
    end = start
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[start:end].lower()


def hyphenated(text: str) -> str:
    """Spell "ceasefire" as American wire style long did: "cease-fire"."""
    return _CEASEFIRE.sub(r"\1ease-fire", text)


def curly_quotes(text: str) -> str:
    """Typeset straight quotes and apostrophes as curly ones."""
    opened = _OPENING_QUOTE.sub(lambda m: m.group(1) + ("“" if m.group(2) == '"' else "‘"), text)
    return opened.replace('"', "”").replace("'", "’")


#: How real news may print the same sentence, by the name the benchmark tables use.
PRINT_FORMS: dict[str, Callable[[str], str]] = {
    "Title Case (headline style)": title_case,
    "CAPITALS": str.upper,
    '"cease-fire" (American wire spelling)': hyphenated,
    "“curly” quotes and ’ apostrophes (typeset text)": curly_quotes,
}


def headline_cases(headline: str) -> tuple[str, str, str]:
    """A headline in sentence case, title case and capitals, as papers print it."""
    return headline, title_case(headline), headline.upper()
