"""The forms real news prints a sentence in: headline case, capitals, spellings, quotes.

Each transform changes how a sentence looks, not what it says. The accuracy
benchmark scores held-out sentences again in every form of :data:`PRINT_FORMS`;
the behaviour suite writes its headline-case invariance cases with
:func:`headline_cases`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stance.features import _in_case_of

__all__ = ["PRINT_FORMS", "american_spelling", "curly_quotes", "headline_cases", "hyphenated", "title_case"]

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


_ISE_VERBS = ("recogn organ critic emphas mobil author demilitar stabil destabil apolog real normal priorit character "
               "legitim summar jeopard final util minim maxim scrutin neutral formal central decentral harmon symbol "
               "sympath terror penal special capital custom subsid incentiv visual hospital modern democrat "
               "militar polar radical marginal civil").split()
_ISE_ENDINGS = ("ise", "ises", "ised", "ising", "isation", "isations", "iser", "isers")
_AMERICAN_FORMS = {
    **{f"{stem}{end}": f"{stem}{end.replace('is', 'iz', 1)}" for stem in _ISE_VERBS for end in _ISE_ENDINGS},
    **{f"{stem}{end}": f"{stem}{end.replace('ys', 'yz', 1)}" for stem in ("anal", "paral")
       for end in ("yse", "yses", "ysed", "ysing")},
    **{f"{stem}our{end}": f"{stem}or{end}" for stem in ("hon", "fav", "lab", "neighb", "col", "behavi", "rum",
                                                        "harb", "arm", "endeav", "vig", "val", "savi", "hum")
       for end in ("", "s", "ed", "ing", "able", "ably", "ite", "ites", "ful", "ers")},
    **{f"{stem}ll{end}": f"{stem}l{end}" for stem in ("signa", "cance", "trave", "labe", "mode", "fue", "leve",
                                                      "counse", "marsha", "channe", "quarre", "tota", "riva",
                                                      "equa", "tunne", "initia", "dia")
       for end in ("ed", "ing", "er", "ers", "or", "ors")},
    "defence": "defense", "defences": "defenses", "offence": "offense", "offences": "offenses",
    "towards": "toward", "grey": "gray", "programme": "program", "programmes": "programs",
    "judgement": "judgment", "ageing": "aging", "centre": "center", "centres": "centers", "centred": "centered",
    "theatre": "theater", "metre": "meter", "metres": "meters", "kilometre": "kilometer",
    "kilometres": "kilometers", "calibre": "caliber", "sombre": "somber", "spectre": "specter",
    "manoeuvre": "maneuver", "manoeuvres": "maneuvers", "manoeuvred": "maneuvered", "manoeuvring": "maneuvering",
    "sceptical": "skeptical", "sceptic": "skeptic", "sceptics": "skeptics", "scepticism": "skepticism",
}
_BRITISH_WORD = re.compile(rf"\b(?:{'|'.join(sorted(_AMERICAN_FORMS, key=len, reverse=True))}|per cent)\b",
                           re.IGNORECASE | re.ASCII)


def american_spelling(text: str) -> str:
    """Spell common British forms of news copy the American way ("defence" as "defense", "per cent" as "percent").

    Examples
    --------
    >>> american_spelling("The Defence Ministry signalled it would recognise the truce, 40 per cent said.")
    'The Defense Ministry signaled it would recognize the truce, 40 percent said.'
    """
    def american(match: re.Match[str]) -> str:
        found = match.group(0)
        return _in_case_of(found, "percent" if found.lower().startswith("per ") else _AMERICAN_FORMS[found.lower()])

    return _BRITISH_WORD.sub(american, text)


#: How real news may print the same sentence, by the name the benchmark tables use.
PRINT_FORMS: dict[str, Callable[[str], str]] = {
    "Title Case (headline style)": title_case,
    "CAPITALS": str.upper,
    '"cease-fire" (American wire spelling)': hyphenated,
    "American spelling (defense, recognize, signaled, percent)": american_spelling,
    "“curly” quotes and ’ apostrophes (typeset text)": curly_quotes,
}


def headline_cases(headline: str) -> tuple[str, str, str]:
    """A headline in sentence case, title case and capitals, as papers print it."""
    return headline, title_case(headline), headline.upper()
