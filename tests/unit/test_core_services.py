"""The core's answers to the adapters: late charting, dose summaries, untreated time,
the CDC rec. 11 decision, explanations, same-time readings and medicine readings.

Why here: these functions are what keeps the pages, the services and the CDS Hooks
cards from computing clinical facts on their own (tests/unit/test_one_source_of_truth.py);
each is tested as a function of the core, case by case, either side of its edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from owm.clinical import default_protocol
from owm.clinical.charting import dose_summary, late_charting_window, later_dose_conflicts
from owm.clinical.concurrency import MOUD_INGREDIENTS, opioid_with_benzodiazepine
from owm.clinical.explain import alcohol_window_hours, sedation_form_notes, what_would_change
from owm.clinical.instruments import news2_points
from owm.clinical.medicines import is_clonazepam, is_known, read_medicine
from owm.clinical.readings import merge_vitals, news2_of
from owm.clinical.untreated import counts, time_since_last_dose, untreated_withdrawal

from .rules.support import BASE_AT, ago, build, decide, dose, poss, rass

PROTOCOL = default_protocol()
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


# -- late charting ---------------------------------------------------------------------


def test_the_late_charting_window_is_the_protocol_s() -> None:
    assert late_charting_window(PROTOCOL) == timedelta(hours=2)


@pytest.mark.parametrize(
    ("later", "codes"),
    [
        pytest.param([], [], id="nothing charted since"),
        pytest.param([(5, 59, "0.5")], ["min-interval"], id="next dose 5 h 59 min later"),
        pytest.param([(6, 0, "0.5")], [], id="next dose exactly 6 h later"),
        pytest.param([(6, 0, "2"), (12, 0, "1.5")], ["daily-limit"], id="24 h total above 4 mg"),
        pytest.param([(6, 0, "1"), (12, 0, "1")], [], id="24 h total 4 mg exactly"),
        pytest.param([(24, 0, "2"), (30, 0, "2")], [], id="later doses outside the 24 h"),
    ],
)
def test_later_dose_conflicts(later: list[tuple[int, int, str]], codes: list[str]) -> None:
    given = BASE_AT - timedelta(hours=40)
    state = build(at=given.isoformat(), administrations=[])
    charted = [(given + timedelta(hours=h, minutes=m), Decimal(mg)) for h, m, mg in later]
    found = later_dose_conflicts(state, PROTOCOL, given, Decimal("1"), charted)
    assert [f.code for f in found] == codes


def test_a_dose_summary_reads_the_24_h_total_the_last_dose_and_the_worst_sedation() -> None:
    state = build(
        administrations=[dose(ago(h=30), "1"), dose(ago(h=7), "0.5")],
        sedation=[poss(ago(m=30), "2"), poss(ago(m=30), "3"), rass(ago(h=2), "-3")],
    )
    summary = dose_summary(state, PROTOCOL)
    assert summary.given_24h_mg == Decimal("0.5")
    assert summary.last_dose_mg == Decimal("0.5")
    assert summary.course_day == 2
    assert (summary.sedation, summary.sedation_at) == ("POSS 3", BASE_AT - timedelta(minutes=30))
    only_rass = dose_summary(build(sedation=[rass(ago(m=5), "0"), rass(ago(m=5), "-2")]), PROTOCOL)
    assert only_rass.sedation == "RASS -2"
    nothing = dose_summary(build(sedation=[], administrations=[]), PROTOCOL)
    assert (nothing.sedation, nothing.last_dose_at, nothing.last_dose_mg) == (None, None, None)


# -- untreated withdrawal --------------------------------------------------------------


def test_counted_outcomes() -> None:
    assert [counts(o) for o in ("given", "partial", "vomited", "refused")] == [
        True,
        True,
        True,
        False,
    ]


def test_time_since_the_last_dose() -> None:
    assert time_since_last_dose([], T0) is None
    assert time_since_last_dose([T0 + timedelta(hours=1)], T0) is None  # a later one is ignored
    assert time_since_last_dose([T0 - timedelta(hours=3), T0 - timedelta(hours=1)], T0) == (
        timedelta(hours=1)
    )


def test_untreated_withdrawal_runs_from_a_moderate_score_to_a_dose_or_a_milder_score() -> None:
    h = timedelta(hours=1)
    scores = [
        (T0 - 10 * h, "COWS", "moderate"),  # starts a stretch
        (T0 - 9 * h, "COWS", "moderately-severe"),  # still in it
        (T0 - 6 * h, "SOWS", "mild"),  # ends it: 4 h
        (T0 - 5 * h, "OOWS", None),  # no bands: not read
        (T0 - 3 * h, "COWS", "severe"),  # starts another, still running
        (T0 + h, "COWS", "severe"),  # after now: not read
    ]
    doses = [T0 - 8 * h + timedelta(minutes=30), T0 + 2 * h]
    clock = untreated_withdrawal(scores, doses, T0)
    assert clock.current == 3 * h and clock.since == T0 - 3 * h
    assert clock.total == timedelta(hours=2, minutes=30) + 3 * h  # the dose ended the first
    settled = untreated_withdrawal(scores[:3], [], T0)
    assert (settled.total, settled.current, settled.since) == (4 * h, None, None)


# -- CDC rec. 11 -----------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    key: str
    is_opioid: bool = False
    is_benzodiazepine: bool = False
    is_moud: bool = False


OXY = Order("oxy", is_opioid=True)
METHADONE = Order("methadone", is_opioid=True, is_moud=True)
ALPRAZOLAM = Order("alprazolam", is_benzodiazepine=True)
SERTRALINE = Order("sertraline")


def test_patient_view_needs_a_current_opioid_and_a_current_benzodiazepine() -> None:
    both = opioid_with_benzodiazepine([OXY, ALPRAZOLAM], [], [], patient_view=True)
    assert both is not None and both.trigger == "benzodiazepine" and both.cancellable == ()
    assert opioid_with_benzodiazepine([OXY, SERTRALINE], [], [], patient_view=True) is None
    covered = opioid_with_benzodiazepine(
        [OXY, ALPRAZOLAM], [], [], patient_view=True, covered=frozenset({"alprazolam"})
    )
    assert covered is None


def test_a_draft_benzodiazepine_with_a_current_opioid_is_cancellable() -> None:
    found = opioid_with_benzodiazepine([OXY], [ALPRAZOLAM], [ALPRAZOLAM], patient_view=False)
    assert found is not None
    assert (found.trigger, found.cancellable, found.moud) == ("benzodiazepine", (ALPRAZOLAM,), ())


def test_a_draft_opioid_with_a_current_benzodiazepine_names_the_opioid() -> None:
    found = opioid_with_benzodiazepine([ALPRAZOLAM], [OXY], [OXY], patient_view=False)
    assert found is not None and found.trigger == "opioid" and found.cancellable == ()


def test_methadone_is_named_and_never_cancellable() -> None:
    found = opioid_with_benzodiazepine([METHADONE], [ALPRAZOLAM], [ALPRAZOLAM], patient_view=False)
    assert found is not None and found.moud == (METHADONE,)
    assert METHADONE not in found.cancellable
    assert {"methadone", "buprenorphine"} == MOUD_INGREDIENTS
    alone = opioid_with_benzodiazepine([], [SERTRALINE], [SERTRALINE], patient_view=False)
    assert alone is None


# -- explanations ----------------------------------------------------------------------


def test_every_blocking_finding_says_what_would_change_it() -> None:
    """Each code that can stop a dose has a sentence for the nurse (none falls through)."""
    from dataclasses import replace

    base = decide()
    for code, spec in PROTOCOL.findings.items():
        if spec.group == "none":
            continue
        finding = replace(base.findings[0], code=code, rule=spec.rule, group=spec.group)
        rec = replace(base, action=spec.group, findings=(finding,))
        said = dict(what_would_change(PROTOCOL, rec, lambda m: m.isoformat()))
        assert said.get(code, "").strip(), code


def test_a_give_says_what_would_stop_the_next_dose() -> None:
    said = what_would_change(PROTOCOL, decide(), lambda m: "14:00")
    assert said[0][0] == "give" and "6 h" in said[0][1]


def test_printed_sedation_forms_say_each_level_s_meaning() -> None:
    assert sedation_form_notes(PROTOCOL, "POSS") == [
        "POSS 3: hold clonazepam and call the physician (oversedation).",
        "POSS 4: EMERGENCY, overdose suspected: follow the checklist below.",
    ]
    assert sedation_form_notes(PROTOCOL, "RASS")[-1].startswith("RASS -4 or lower: EMERGENCY")
    assert sedation_form_notes(PROTOCOL, "OOWS") == []
    assert alcohol_window_hours(PROTOCOL) == "24"


# -- readings and instruments ----------------------------------------------------------


def test_news2_points_of_each_parameter() -> None:
    assert news2_points("oxygen", True) == 2 and news2_points("oxygen", False) == 0
    assert news2_points("consciousness", "voice") == 3
    assert news2_points("spo2", 97, spo2_scale=2, oxygen=True) == 3
    assert news2_points("temperature_c", "35.0") == 3
    with pytest.raises(ValueError, match="not a NEWS2 parameter"):
        news2_points("glucose", 5)


def test_a_single_set_is_its_own_merge_and_an_incomplete_set_has_no_news2() -> None:
    state = build()
    assert merge_vitals(state.vitals) is state.vitals[0]
    assert merge_vitals(()) is None
    assert news2_of(None) is None
    partial = build(vitals=[{"at": ago(m=5), "pulse": 80}]).vitals[0]
    assert news2_of(partial) is None


def test_the_latest_consciousness_of_a_moment_is_the_least_responsive() -> None:
    state = build(
        vitals=[
            {"at": ago(m=5), "consciousness": "confusion"},
            {"at": ago(m=5), "consciousness": "voice"},
        ]
    )
    merged = merge_vitals(state.vitals)
    assert merged is not None and merged.consciousness == "voice"


# -- medicines -------------------------------------------------------------------------


def test_what_the_terminology_knows() -> None:
    assert is_known(name="Lyrica 75 mg") and is_known(rxnorm="6813")
    assert not is_known(name="zolvenaxil") and not is_known()
    assert is_clonazepam(name="Klonopin") and not is_clonazepam(name="lorazepam")
    nameless = read_medicine("", None, "other")
    assert (nameless.classes, nameless.known, nameless.mismatch) == (
        frozenset({"other"}),
        False,
        False,
    )
    disagree = read_medicine("methadone", "187832", "opioid")  # name opioid, code pregabalin
    assert disagree.mismatch and disagree.classes == {"opioid", "gabapentinoid"}


# -- edges of reading, validating and deciding ----------------------------------------


def test_the_core_lists_what_it_exports() -> None:
    import owm.clinical as core

    assert {"evaluate", "parse_state", "Protocol"} <= set(dir(core))
    with pytest.raises(AttributeError):
        core.no_such_name  # noqa: B018


def test_a_night_that_does_not_cross_midnight() -> None:
    from .rules.support import context, protocol_with

    protocol = protocol_with(dosing__night_starts="01:00", dosing__night_ends="05:00")
    assert context(protocol=protocol, at="2026-11-25T03:00:00Z").is_night
    assert not context(protocol=protocol, at="2026-11-25T23:00:00Z").is_night


def test_latest_group_keeps_the_newest_whatever_the_order() -> None:
    from owm.clinical.readings import latest_group

    @dataclass(frozen=True)
    class At:
        at: datetime

    newer, older = At(T0), At(T0 - timedelta(hours=1))
    assert latest_group([newer, older], T0) == (newer,)


def test_a_target_symptom_needs_a_recent_cows_to_be_read_from_it() -> None:
    from owm.clinical.rules.indication import target_symptoms

    from .rules.support import context, cows

    assert target_symptoms(context(assessments=[cows(ago(h=5), 15)])) == ()


def test_context_facts_are_computed_once_per_decision() -> None:
    from owm.clinical.context import Context, cached_property

    assert isinstance(Context.freshness, cached_property)  # on the class: the descriptor


def test_printed_forms_of_a_protocol_with_fewer_levels() -> None:
    from .rules.support import protocol_with

    bare = protocol_with(
        thresholds__oversedation__poss_levels=[],
        thresholds__oversedation__rass_levels=[],
        thresholds__emergency__poss_levels=[],
    )
    assert sedation_form_notes(bare, "POSS") == []
    assert sedation_form_notes(bare, "RASS") == [
        "RASS -4 or lower: EMERGENCY, overdose suspected: follow the checklist below."
    ]


def test_the_terminology_refuses_data_with_unknown_classes() -> None:
    from owm.clinical.medicines import Terminology

    ingredient = {"name": "x", "classes": ["sedative"], "source": "test"}
    with pytest.raises(ValueError, match="unknown classes"):
        Terminology({"sets": []}, {"ingredients": [ingredient]})
    valueset = {"path": "vs.json", "class": "sedative", "concepts": []}
    with pytest.raises(ValueError, match="unknown class 'sedative'"):
        Terminology({"sets": [valueset]}, {"ingredients": []})


def test_classes_and_ingredients_by_code_or_name() -> None:
    from owm.clinical.medicines import classify, ingredient_name

    assert classify(rxnorm="6813") == {"opioid"}
    assert classify(rxnorm="99999999", name="gabapentin") == {"gabapentinoid"}
    assert classify() == frozenset()
    assert ingredient_name(rxnorm="6813") == "methadone"
    assert ingredient_name(name="Suboxone film") == "buprenorphine"
    assert ingredient_name(name="loperamide") == "loperamide"  # known, with no class
    assert ingredient_name(name="zolvenaxil") is None


def test_a_peak_long_after_the_doses_is_at_the_start_of_the_window() -> None:
    from owm.clinical import pk

    model = pk.Model.from_protocol(PROTOCOL.pharmacokinetics)
    doses = [(T0 - timedelta(hours=30), Decimal("1"))]
    peak = pk.peak_after(model, doses, T0)
    assert peak == pytest.approx(pk.level_at(model, doses, T0), rel=1e-9)


def test_an_ingredient_code_outside_the_value_sets_and_a_dose_still_to_come() -> None:
    from owm.clinical import pk
    from owm.clinical.medicines import classify

    assert classify(rxnorm="25480") == {"gabapentinoid"}  # gabapentin's ingredient code
    assert classify(rxnorm="197527") == {"benzodiazepine"}  # clonazepam 0.5 MG Oral Tablet
    model = pk.Model.from_protocol(PROTOCOL.pharmacokinetics)
    later = [(T0 + timedelta(hours=2), Decimal("1"))]
    assert pk.peak_after(model, later, T0) > 0 == pk.level_at(model, later, T0)
