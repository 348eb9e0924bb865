"""Behavioural tests in the spirit of CheckList: plain case data and a runner.

Three test types (Ribeiro et al., 2020, "Beyond Accuracy: Behavioral Testing of
NLP Models with CheckList"):

- **MFT** (minimum functionality): one sentence, one expected label. A handful per
  label and per hard case of ``LABELING.md``.
- **INV** (invariance): a set of sentences that differ only by names, places,
  numbers or conflict; it passes when every sentence gets the same label.
- **DIR** (directional): a base sentence and an edited one; it passes when the
  probability of a named label moves the expected way.

The cases were written from the labelling guide before the model was run on
them, and are not edited to fit the model. ``must=True`` marks the cases any
reasonable model has to get right; ``tests/test_behaviour.py`` runs those against
the shipped weights. The rest measure, and are allowed to fail.

Examples
--------
>>> import stance
>>> report = run_behaviour(stance.load())
>>> sorted(report.pass_rates)
['DIR', 'INV', 'MFT']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .print_forms import headline_cases

__all__ = [
    "BehaviourReport",
    "DIRECTIONAL",
    "Directional",
    "Failure",
    "INVARIANCE",
    "Invariance",
    "MINIMUM_FUNCTIONALITY",
    "MinimumFunctionality",
    "run_behaviour",
]


@dataclass(frozen=True, slots=True)
class MinimumFunctionality:
    """One sentence that must get ``label``; ``capability`` names what it probes."""

    capability: str
    text: str
    label: str
    must: bool = False


@dataclass(frozen=True, slots=True)
class Invariance:
    """Sentences that differ only in what ``capability`` names; all must share a label.

    ``label``, when set, is the label every member should get; the benchmark
    counts a set as passed when the labels agree, the must-tests also check that
    they equal ``label``.
    """

    capability: str
    texts: tuple[str, ...]
    label: str | None = None
    must: bool = False


@dataclass(frozen=True, slots=True)
class Directional:
    """Editing ``base`` into ``edited`` must move p(``label``) in ``direction`` (+1 up, -1 down)."""

    capability: str
    base: str
    edited: str
    label: str
    direction: int
    must: bool = False


def _fill(template: str, values: Sequence[str]) -> tuple[str, ...]:
    return tuple(template.format(v) for v in values)


def _mft(capability: str, label: str, text: str, *, must: bool = False) -> MinimumFunctionality:
    return MinimumFunctionality(capability, text, label, must)


# --------------------------------------------------------------------------------------
# MFT: plain cases per label, then the hard cases of LABELING.md, in its order.
# --------------------------------------------------------------------------------------
MINIMUM_FUNCTIONALITY: tuple[MinimumFunctionality, ...] = (
    # supportive: calls for, welcomes, backs a ceasefire with no terms
    _mft("supportive: call", "supportive",
         "The UN Secretary-General called for an immediate ceasefire in Gaza.", must=True),
    _mft("supportive: call", "supportive",
         "European leaders urged both sides to lay down their arms and agree to a truce.", must=True),
    _mft("supportive: welcome", "supportive",
         "The foreign minister welcomed the truce announced on Sunday.", must=True),
    _mft("supportive: call", "supportive", "The pope appealed for an end to the fighting in Sudan.", must=True),
    _mft("supportive: call", "supportive", "The killing must stop now, the aid chief said."),
    _mft("supportive: call", "supportive", "Thousands marched through London demanding a ceasefire."),
    _mft("supportive: push", "supportive",
         "Washington is pushing hard for a cessation of hostilities in eastern Congo."),
    _mft("supportive: back", "supportive", "The African Union said it fully backs the truce proposal."),
    # conditional: yes, but
    _mft("conditional: only if", "conditional",
         "Israel said it would agree to a ceasefire only if all the hostages are released.", must=True),
    _mft("conditional: guarantees", "conditional",
         "Kyiv said any truce requires firm security guarantees from the West.", must=True),
    _mft("conditional: provided", "conditional",
         "The rebels said they would accept a ceasefire provided that government troops withdraw "
         "to their barracks.", must=True),
    _mft("conditional: on condition", "conditional",
         "A truce is possible on condition that international monitors are deployed along the front line.", must=True),
    _mft("conditional: must first", "conditional",
         "The government said the militias must first hand over their heavy weapons before any ceasefire."),
    _mft("conditional: sequencing", "conditional",
         "Any pause in the fighting must be tied to the reopening of the border crossings, the minister said."),
    # opposed: rejects, vows to fight, truce a trap
    _mft("opposed: reject", "opposed", "The government rejected calls for a ceasefire.", must=True),
    _mft("opposed: fight on", "opposed", "The militia vowed to keep fighting until victory.", must=True),
    _mft("opposed: regroup", "opposed",
         "The defence minister said a truce now would only allow the enemy to regroup.", must=True),
    _mft("opposed: no pause", "opposed", "There will be no pause in the fighting, the commander declared.", must=True),
    _mft("opposed: trap", "opposed", "The junta dismissed the ceasefire proposal as a trap."),
    _mft("opposed: reward", "opposed", "A ceasefire would be a reward for terrorism, the spokesman said."),
    _mft("opposed: premature", "opposed", "The general called talk of a truce premature."),
    # neutral: events, figures, logistics
    _mft("neutral: meeting", "neutral", "The two leaders met for an hour in Paris.", must=True),
    _mft("neutral: figures", "neutral", "Officials said 43,000 soldiers had died since the war began.", must=True),
    _mft("neutral: logistics", "neutral", "Aid trucks crossed into the north on Wednesday morning.", must=True),
    _mft("neutral: event", "neutral", "Heavy rain flooded several roads in the capital on Monday.", must=True),
    _mft("neutral: event", "neutral", "The minister arrived in Cairo late on Sunday evening."),
    _mft("neutral: figures", "neutral",
         "More than two million people have fled their homes, the UN refugee agency said."),
    # hard case: a condition that amounts to winning is opposed; a concrete term is conditional
    _mft("hard: winning condition", "opposed",
         "We will not stop fighting until Hamas is destroyed, the prime minister said."),
    _mft("hard: winning condition", "opposed",
         "The army will fight on until every occupied inch is returned, the general said."),
    _mft("hard: concrete term", "conditional",
         "The government said it would halt its offensive once the hostages are released."),
    _mft("hard: concrete term", "conditional",
         "The rebels said they would sign a truce with international guarantees."),
    # hard case: openness to talks framed with demands
    _mft("hard: talks with demands", "conditional",
         "Moscow said it was open to talks, but Ukraine must drop its NATO bid."),
    _mft("hard: talks with demands", "conditional",
         "The junta is ready to negotiate, but the rebels must first leave the cities they hold."),
    # hard case: reporting talks, calling them productive
    _mft("hard: talks reported", "neutral", "Delegations held a second round of talks in Doha on Monday."),
    _mft("hard: talks reported", "neutral", "Both delegations described the talks as productive."),
    # hard case: the word ceasefire alone
    _mft("hard: ceasefire word", "neutral", "The ceasefire collapsed on Tuesday."),
    _mft("hard: ceasefire word", "neutral", "Both sides accused each other of violating the truce."),
    # hard case: negation
    _mft("hard: negation", "opposed", "The president said his country is not ready for a ceasefire."),
    _mft("hard: negation", "conditional",
         "We cannot accept a ceasefire without guarantees, the foreign minister said."),
    _mft("hard: negation", "opposed", "The rebels refused to even discuss a truce."),
    # hard case: accepting / declaring is supportive; taking effect, expiring is neutral
    _mft("hard: accepting", "supportive", "Both governments accepted the proposal for a 60-day truce."),
    _mft("hard: accepting", "supportive", "The rebels declared a unilateral ceasefire for the holidays."),
    _mft("hard: truce event", "neutral", "The truce took effect at midnight."),
    _mft("hard: truce event", "neutral", "The ceasefire was extended for another week and expires on Friday."),
    # hard case: accepting with a right to strike back; third party with penalties
    _mft("hard: reserve right", "conditional",
         "The army said it would observe the truce but would respond forcefully to any breach."),
    _mft("hard: third-party penalties", "supportive",
         "The United States urged both sides to accept a truce and threatened sanctions against whoever refused."),
    # hard case: doubt, accusations, plan contents, optimism are neutral
    _mft("hard: doubt", "neutral", "The rebels questioned whether the government was sincere about the talks."),
    _mft("hard: plan contents", "neutral",
         "The plan includes a prisoner exchange and the reopening of border crossings."),
    _mft("hard: optimism", "neutral", "Mediators said they were optimistic that a deal could be reached within days."),
    # hard case: no truce until X
    _mft("hard: no truce until", "conditional",
         "There will be no truce until the hostages are freed, the minister said."),
    _mft("hard: no truce until", "conditional",
         "There will be no truce until the blockade is lifted, the rebel leader said."),
    _mft("hard: no truce until", "opposed", "There will be no truce until the enemy surrenders, the general said."),
    _mft("hard: no truce until", "opposed",
         "There will be no ceasefire until the militia is disbanded, and no talks either."),
    # hard case: relative, when- and though-clauses do not set the label
    _mft("hard: main clause", "neutral", "The minister, who has called for a ceasefire, arrived in Cairo on Monday."),
    _mft("hard: main clause", "opposed",
         "Though he once backed a truce, the general now vows to fight until the enemy surrenders."),
    _mft("hard: main clause", "neutral",
         "When the rebels rejected the truce last year, the city was under siege for months."),
)

# --------------------------------------------------------------------------------------
# INV: only names, places, numbers or the conflict change within a set.
# --------------------------------------------------------------------------------------
INVARIANCE: tuple[Invariance, ...] = (
    Invariance("names: clear call", _fill("{} called for an immediate ceasefire.", [
        "The UN chief", "Pope Francis", "The Egyptian foreign minister", "Emmanuel Macron", "Cyril Ramaphosa",
    ]), label="supportive", must=True),
    Invariance("names: clear rejection", _fill("{} rejected calls for a ceasefire.", [
        "The prime minister", "Vladimir Putin", "General Burhan", "The Houthi leadership", "The junta chief",
    ]), label="opposed", must=True),
    Invariance("names: clear condition", _fill(
        "{} said it would accept a truce only if the other side withdrew its troops.", [
        "Hamas", "Moscow", "The M23", "The Sudanese army", "Azerbaijan",
    ]), label="conditional", must=True),
    Invariance("numbers: plain figures", _fill("Officials said {} soldiers had died since the war began.", [
        "43,000", "12", "1,500", "250,000", "about 800",
    ]), label="neutral", must=True),
    Invariance("places: plain event", _fill("Aid convoys reached {} on Monday.", [
        "Khartoum", "Gaza City", "Goma", "Aden", "Kharkiv",
    ]), label="neutral", must=True),
    Invariance("conflict: clear call", _fill("The Security Council called for an immediate ceasefire in {}.", [
        "Gaza", "Ukraine", "Sudan", "Yemen", "Myanmar", "Lebanon",
    ]), label="supportive", must=True),
    Invariance("conflict: rejection", _fill("The government rejected calls for a truce in {}.", [
        "Gaza", "Ukraine", "Darfur", "Tigray", "the east",
    ]), label="opposed"),
    Invariance("names: fight on", _fill("{} vowed to keep fighting until victory.", [
        "Israel", "Russia", "The Sudanese army", "The junta", "The rebels",
    ]), label="opposed"),
    Invariance("names and places: talks held", tuple(
        f"Negotiators from {parties} met in {city} for three hours."
        for parties, city in [("both sides", "Geneva"), ("Kyiv and Moscow", "Istanbul"),
                              ("Armenia and Azerbaijan", "Washington"), ("the army and the RSF", "Jeddah"),
                              ("Israel and Hamas", "Doha")]
    ), label="neutral"),
    Invariance("numbers: casualties", _fill("{} people were killed in overnight shelling, local officials said.", [
        "Seven", "Twenty-three", "At least 40", "More than 100", "Two",
    ]), label="neutral"),
    Invariance("numbers: truce length", _fill("Both governments accepted the proposal for a {} truce.", [
        "60-day", "three-day", "two-week", "72-hour", "30-day",
    ]), label="supportive"),
    Invariance("names: concrete condition", _fill("{} said there would be no truce until the hostages are freed.", [
        "Israel", "The prime minister", "Netanyahu's office", "The war cabinet",
    ]), label="conditional"),
    Invariance("names: guarantees", _fill("{} said any ceasefire requires international guarantees.", [
        "Zelenskiy", "The Ukrainian president", "Kyiv", "Ukraine's foreign minister",
    ]), label="conditional"),
    Invariance("dates: truce event", _fill("The truce took effect at midnight on {}.", [
        "Sunday", "March 3", "New Year's Eve", "the 14th",
    ]), label="neutral"),
    Invariance("places: welcome", _fill("Officials in {} welcomed the ceasefire.", [
        "Beirut", "Kinshasa", "Baku", "Bogota", "Manila",
    ]), label="supportive"),
    # Live blogs, briefings and wire copy put a timestamp, speaker tag or dateline in
    # front of a sentence; none of them carries a stance.
    Invariance("genre surface: call", _fill("{}The foreign minister urged both sides to stop the fighting.", [
        "", "09:42 GMT: ", "UPDATE 3: ", "BREAKING: ", "SPOKESPERSON: ", "GENEVA (Wire) -- ",
    ]), label="supportive"),
    Invariance("genre surface: rejection", _fill("{}The army said it would not accept any truce.", [
        "", "14:05 GMT: ", "UPDATE 7: ", "BREAKING: ", "MINISTER: ", "KHARTOUM (Wire) -- ",
    ]), label="opposed"),
    Invariance("genre surface: event", _fill("{}Shelling resumed in the south after the truce expired.", [
        "", "21:30 GMT: ", "UPDATE 2: ", "BREAKING: ", "QUESTION: ", "KYIV (Wire) -- ",
    ]), label="neutral"),
    # American wire style writes "cease-fire"; some writers "cease fire".
    Invariance("spelling: truce event", _fill("The {} held through the night along the border.", [
        "ceasefire", "cease-fire", "cease fire",
    ]), label="neutral"),
    Invariance("spelling: rejection", _fill("The militia turned down the {} offer within hours.", [
        "ceasefire", "cease-fire", "cease fire",
    ]), label="opposed"),
    Invariance("spelling: terms", _fill("Kyiv said any {} would need foreign troops to police it.", [
        "ceasefire", "cease-fire", "cease fire",
    ]), label="conditional"),
    # Headlines come in sentence case, title case or capitals.
    Invariance("headline case: rejection", headline_cases("Army rejects truce offer as fighting spreads"),
               label="opposed"),
    Invariance("headline case: call", headline_cases("UN chief calls for immediate ceasefire in the north"),
               label="supportive"),
    Invariance("headline case: terms", headline_cases("Rebels say truce only if troops pull back"),
               label="conditional"),
    Invariance("headline case: event", headline_cases("Truce takes effect at midnight after week of clashes"),
               label="neutral"),
)

# --------------------------------------------------------------------------------------
# DIR: a concrete condition raises p(conditional); negating a call lowers p(supportive).
# --------------------------------------------------------------------------------------
_SUPPORTIVE_CALLS = (
    "The foreign minister called for a ceasefire in Gaza",
    "The president said he would accept a truce",
    "The UN envoy urged both sides to agree to a cessation of hostilities",
    "The rebels said they are ready for a ceasefire",
    "Moscow said it supports a pause in the fighting",
    "The government agreed to a 30-day truce",
)
_CONDITIONS = (
    "once the hostages are freed",
    "provided monitors are deployed",
    "on condition that troops pull back to their earlier lines",
    "as long as the blockade is lifted",
)
_NEGATIONS = (
    ("The government is ready for a ceasefire.", "The government is not ready for a ceasefire."),
    ("The rebels accepted the truce.", "The rebels did not accept the truce."),
    ("Moscow supports a truce.", "Moscow does not support a truce."),
    ("The army will agree to a ceasefire.", "The army will never agree to a ceasefire."),
    ("The minister called for a ceasefire.", "The minister refused to call for a ceasefire."),
    ("We want a truce now, the commander said.", "We do not want a truce now, the commander said."),
    ("The prime minister backed calls for a truce.", "The prime minister rejected calls for a truce."),
    ("The junta is willing to halt the fighting.", "The junta is unwilling to halt the fighting."),
)

DIRECTIONAL: tuple[Directional, ...] = tuple(
    Directional("add a concrete condition: p(conditional) up", f"{call}.", f"{call} {condition}.",
                "conditional", +1)
    # Every call meets two conditions, rotating, so each condition is used three times.
    for i, call in enumerate(_SUPPORTIVE_CALLS)
    for condition in (_CONDITIONS[i % 4], _CONDITIONS[(i + 1) % 4])
) + tuple(
    Directional("negate a call: p(supportive) down", base, edited, "supportive", -1)
    for base, edited in _NEGATIONS
)


# --------------------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Failure:
    """One failed case: its type, capability, and what the model did."""

    test_type: str
    capability: str
    detail: str


@dataclass(frozen=True, slots=True)
class BehaviourReport:
    """Pass counts per test type (``MFT``, ``INV``, ``DIR``) and every failure."""

    passed: dict[str, int]
    total: dict[str, int]
    failures: tuple[Failure, ...] = field(default=())

    @property
    def pass_rates(self) -> dict[str, float]:
        """Share of passed cases per test type."""
        return {k: self.passed[k] / self.total[k] for k in self.total if self.total[k]}


def run_behaviour(model, *, must_only: bool = False) -> BehaviourReport:
    """Run every case against ``model`` and count passes per test type.

    Parameters
    ----------
    model : StanceModel
        Anything with ``labels`` and ``predict_proba(texts)``.
    must_only : bool, default False
        Run only the ``must=True`` cases.

    Returns
    -------
    BehaviourReport
    """
    labels = list(model.labels)

    def keep(case) -> bool:
        return case.must or not must_only

    mft = [c for c in MINIMUM_FUNCTIONALITY if keep(c)]
    inv = [c for c in INVARIANCE if keep(c)]
    dirs = [c for c in DIRECTIONAL if keep(c)]
    texts = sorted({c.text for c in mft} | {t for c in inv for t in c.texts}
                   | {t for c in dirs for t in (c.base, c.edited)})
    proba = dict(zip(texts, np.asarray(model.predict_proba(texts))))

    def label_of(text: str) -> str:
        return labels[int(np.argmax(proba[text]))]

    passed = {"MFT": 0, "INV": 0, "DIR": 0}
    total = {"MFT": len(mft), "INV": len(inv), "DIR": len(dirs)}
    failures: list[Failure] = []
    for case in mft:
        got = label_of(case.text)
        if got == case.label:
            passed["MFT"] += 1
        else:
            failures.append(Failure("MFT", case.capability,
                                    f"{case.text!r}: expected {case.label}, got {got} "
                                    f"({proba[case.text].max():.2f})"))
    for case in inv:
        got = [label_of(t) for t in case.texts]
        if len(set(got)) == 1:
            passed["INV"] += 1
        else:
            odd = [f"{t!r} -> {g}" for t, g in zip(case.texts, got)]
            failures.append(Failure("INV", case.capability, "; ".join(odd)))
    for case in dirs:
        column = labels.index(case.label)
        delta = float(proba[case.edited][column] - proba[case.base][column])
        if np.sign(delta) == case.direction:
            passed["DIR"] += 1
        else:
            failures.append(Failure("DIR", case.capability,
                                    f"{case.base!r} -> {case.edited!r}: p({case.label}) "
                                    f"{proba[case.base][column]:.2f} -> {proba[case.edited][column]:.2f}"))
    return BehaviourReport(passed=passed, total=total, failures=tuple(failures))
