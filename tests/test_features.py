"""The text markers and masks that shape the word features."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stance.features import (
    PREPROCESSORS, anonymise, make_pipeline, mark_clauses, mark_scopes, normalise, pair_words, respell,
)

news_like = st.lists(
    st.sampled_from(["Although", "although", "while", "after", "not", "no", "until", "if", "Kyiv", "Hamas", "33",
                     "1,200", "truce", "said", ",", ".", ";", "“", "”", "the", "rebels", "U.S.", "e", "Ä", "x’y"])
    | st.text(max_size=8),
    max_size=40,
).map(" ".join)


@given(news_like)
def test_clause_marking_only_adds_prefixes(text):
    assert mark_clauses(text).replace("sub_", "") == mark_scopes(text).replace("sub_", "")


@given(news_like)
def test_anonymise_keeps_the_first_word_and_the_word_count(text):
    masked = anonymise(text)
    assert len(masked.split()) == len(text.split())
    if text.split():  # a sentence's first word is never taken for a name
        assert masked.split()[0].startswith("Xx") <= text.split()[0].startswith("Xx")


@pytest.mark.parametrize(("text", "marked"), [
    ("While welcoming the invitation, the army said it would keep fighting.",
     "while sub_welcoming sub_the sub_invitation, the army said it would keep fighting."),
    ("The truce held after both sides agreed to it.",
     "the truce held after sub_both sub_sides sub_agreed sub_to sub_it."),
    ("Despite calls for a truce, no pause came.", "despite sub_calls sub_for sub_a sub_truce, no neg_pause neg_came."),
])
def test_subordinate_clauses_are_marked_to_the_next_punctuation(text, marked):
    assert mark_clauses(text) == marked


def test_anonymise_masks_names_and_numbers_not_sentence_openers():
    assert anonymise("Kyiv said 1,200 Russian troops had left Kherson.") == "Kyiv said 0 Xx troops had left Xx."
    assert anonymise('"We will not stop," the Houthis said.') == '"We will not stop," the Xx said.'


@pytest.mark.parametrize("flags", [
    {}, {"anonymise": False}, {"clauses": False}, {"clauses": False, "conditions": False},
    {"clauses": False, "conditions": False, "negation": False, "anonymise": True},
    {"clauses": False, "conditions": False, "negation": False, "anonymise": False},
])
def test_every_flag_combination_uses_a_named_preprocessor(flags):
    vectorizers = dict(make_pipeline(**flags).named_steps["features"].transformer_list)
    assert vectorizers["word"].preprocessor in PREPROCESSORS.values()
    word_name = next(name for name, function in PREPROCESSORS.items() if function == vectorizers["word"].preprocessor)
    assert vectorizers["pairs"].preprocessor == PREPROCESSORS[f"{word_name}+pairs"]


def test_word_pairs_join_words_two_to_four_apart_without_function_words():
    assert pair_words("the rebels rejected the offer of a truce") == (
        "rebels~offer rebels~truce rejected~truce")
    marked = mark_scopes("No truce until the hostages are freed.")
    assert pair_words(marked) == ("no~until no~cond_hostages no~cond_freed neg_truce~cond_hostages "
                                  "neg_truce~cond_freed until~cond_freed")
    assert "pairs" not in dict(make_pipeline(word_pairs=False).named_steps["features"].transformer_list)


@given(news_like)
def test_word_pairs_keep_word_order_and_count(text):
    marked = mark_clauses(anonymise(text))
    words = [w for w in re.findall(r"\b\w+\b", marked)
             if w.rpartition("_")[2] not in {"the", "said", "xx", "0", "a", "of"} | set(
                 "an and are as at be been by for from in is it its on or says that this to was were with".split())]
    pairs = pair_words(marked).split()
    assert len(pairs) == sum(min(3, max(0, len(words) - i - 2)) for i in range(len(words)))
    expected = [f"{a}~{b}" for i, a in enumerate(words) for b in words[i + 2:i + 5]]
    assert pairs == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("A cease-fire took hold.", "A ceasefire took hold."),
    ("Cease-Fire talks resumed; two cease fires failed.", "Ceasefire talks resumed; two ceasefires failed."),
    ("They were told to cease firing.", "They were told to cease firing."),
    ("The ceasefire held.", "The ceasefire held."),
])
def test_respell_writes_cease_fire_as_one_word(text, expected):
    assert respell(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("The Defense Ministry signaled it would recognize the truce.",
     "The Defence Ministry signalled it would recognise the truce."),
    ("ORGANIZED LABOR CENTERS", "ORGANISED LABOUR CENTRES"),
    ("Talks moved toward a demilitarized zone, 40 percent or 40 per cent.",
     "Talks moved towards a demilitarised zone, 40 percent or 40 percent."),
    ("Skeptical neighbors analyzed the maneuvering.", "Sceptical neighbours analysed the manoeuvring."),
    ("They seized the prize; size and maize stay.", "They seized the prize; size and maize stay."),
    ("Totally equally fuelled; the citizens' horizon.", "Totally equally fuelled; the citizens' horizon."),
])
def test_respell_writes_american_spellings_as_british(text, expected):
    assert respell(text) == expected


spelled_and_quoted = st.lists(
    st.sampled_from(["cease-fire", "Cease fire", "cease\n-fire", "ceasefires", "ease", "CEASE-FIRE", "“", "”", "„",
                     "‘", "’", "‚", '"', "'", "İ", "ẞ", "truce", "defense", "Organized", "per cent", "per  cent",
                     "toward", "GRAY", "realize", "ANALYZE", "Skeptical", "PER CENT", "z", " ", "K", "ſ"])
    | st.text(max_size=6),
    max_size=30,
).map("".join)


@given(spelled_and_quoted)
def test_normalise_equals_its_plain_definition(text):
    """The substring shortcuts on the scoring path change nothing: regexes, lower-case, then a quote table."""
    from stance.features import _AMERICAN_WORD, _IZE, _PER_CENT, _britishise, _ise

    quotes = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'"})
    plain = _IZE.sub(_ise, text)
    plain = _PER_CENT.sub(r"\1\2", _AMERICAN_WORD.sub(_britishise, plain))
    plain = re.sub(r"\b([Cc])ease[\s-]+[Ff]ire(s?)\b", r"\1easefire\2", plain).lower().translate(quotes)
    assert normalise(text) == plain


def test_every_preprocessor_respells_and_the_char_features_see_it():
    for name, preprocess in PREPROCESSORS.items():
        assert "cease-fire" not in preprocess("Both sides accepted the cease-fire on Monday."), name
    char = dict(make_pipeline().named_steps["features"].transformer_list)["char"]
    assert char.build_preprocessor()("The Cease-Fire held.") == normalise("The ceasefire held.")


def test_anonymise_leaves_headline_case_unmasked_and_still_masks_sentences():
    assert anonymise("Army Rejects Truce Offer as Fighting Spreads to Omdurman") == (
        "Army Rejects Truce Offer as Fighting Spreads to Omdurman")
    assert anonymise("ARMY REJECTS 30-DAY TRUCE WITH RSF") == "ARMY REJECTS 0-DAY TRUCE WITH RSF"
    assert anonymise("The army rejected the truce offer in Omdurman.") == "The army rejected the truce offer in Xx."
    assert anonymise("Hamas met Putin.") == "Hamas met Xx."  # one long word is too little to call a headline


def test_the_character_weight_sits_on_the_union_and_must_be_positive():
    assert make_pipeline(char_weight=0.5).named_steps["features"].transformer_weights == {"char": 0.5}
    assert make_pipeline(char_weight=1).named_steps["features"].transformer_weights is None
    assert make_pipeline(char_ngram_range=None).named_steps["features"].transformer_weights is None
    for weight in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="char_weight"):
            make_pipeline(char_weight=weight)
