"""The patient sheet's words and the blank forms' content: complete, plain, from the data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import get_args

import pytest

from owm.clinical import default_protocol
from owm.clinical.instruments import COWS, POSS, RASS, SOWS
from owm.clinical.state import SideEffect
from owm.clinical.taper import taper_plan
from owm.store.models import MOUD_REFERRALS
from owm.web.docs.blank_forms import FORM_CODES, blank_form
from owm.web.docs.patient_sheet import (
    MOUD_REFERRAL_WORDS,
    SIDE_EFFECT_WORDS,
    patient_sheet,
    taper_words,
)


def _sheet(**overrides):  # type: ignore[no-untyped-def]
    fields = {
        "ward_name": "Ward 7",
        "discharged_on": date(2026, 11, 28),
        "moud_referral": "methadone",
        "naloxone_supplied": True,
        "psychotherapy_referral": True,
        "psychotherapy_service": "Harbour talking therapies",
        "taper_plan": None,
    }
    fields.update(overrides)
    return patient_sheet(**fields)


def _all_text(sheet) -> str:  # type: ignore[no-untyped-def]
    return " ".join([s.heading + " " + s.lead + " " + " ".join(s.points) for s in sheet.sections])


def test_every_side_effect_group_of_the_state_format_has_plain_words():
    assert set(SIDE_EFFECT_WORDS) == set(get_args(SideEffect))
    assert len(SIDE_EFFECT_WORDS) == 11
    sheet = _sheet()
    side_effects = next(s for s in sheet.sections if s.heading.startswith("Side effects"))
    assert side_effects.points == tuple(SIDE_EFFECT_WORDS[c] for c in get_args(SideEffect))


def test_every_moud_referral_choice_has_words_for_the_patient():
    assert set(MOUD_REFERRALS) <= set(MOUD_REFERRAL_WORDS)


@pytest.mark.parametrize(
    "words",
    [
        "Clonazepam is a calming medicine",
        "Do not drink alcohol",
        "Do not drive",
        "do not stop it suddenly",
        "Call the emergency number",
        "You have been referred for methadone treatment.",
        "You have been given naloxone to take home.",
        "psychotherapy) with: Harbour talking therapies.",
        "Questions about your treatment: call Ward 7.",
    ],
)
def test_the_sheet_says_what_the_spec_asks_for(words):
    assert words in _all_text(_sheet())


def test_without_referrals_the_sheet_says_where_to_ask():
    text = _all_text(
        _sheet(moud_referral="declined", naloxone_supplied=False, psychotherapy_referral=False)
    )
    assert "You can ask for it at any time" in text
    assert "Ask any pharmacy or drug service for naloxone" in text
    assert "You can ask your doctor for a referral" in text


def test_a_draft_sheet_before_discharge_names_no_referral():
    sheet = _sheet(
        discharged_on=None, moud_referral="", naloxone_supplied=False, psychotherapy_referral=False
    )
    assert sheet.draft and sheet.discharged_on == ""
    assert "You have been referred" not in _all_text(sheet)


def test_the_taper_plan_reads_as_dated_steps_ending_with_stop():
    plan = taper_plan(default_protocol().taper, Decimal("1.0"), date(2026, 11, 29))
    steps = taper_words(plan)
    assert steps[0].dates == "29 November 2026 to 1 December 2026"
    assert steps[0].how_much == "0.375 mg clonazepam 2 times a day (0.75 mg a day in all)"
    assert steps[-1].stop and steps[-1].how_much == "Stop: no more clonazepam."
    sheet = _sheet(taper_plan=plan)
    assert sheet.taper == steps
    assert "follow the reducing plan on this sheet" in _all_text(sheet)


@pytest.mark.parametrize("instrument", [COWS, SOWS])
def test_a_blank_withdrawal_form_has_every_item_value_and_band(instrument):
    form = blank_form(instrument.code.lower(), default_protocol())
    assert [r.key for r in form.rows] == list(instrument.item_keys)
    for row, item in zip(form.rows, instrument.items, strict=True):
        assert row.anchors == tuple((str(v), text) for v, text in item.anchors)
    assert form.max_total == instrument.max_total
    assert [name for name, _ in form.bands] == [b.name.replace("-", " ") for b in instrument.bands]


def test_the_blank_poss_form_says_what_the_protocol_does_at_3_and_4():
    protocol = default_protocol()
    form = blank_form("POSS", protocol)
    assert form.rows[0].anchors == POSS.levels
    assert any(n.startswith("POSS 3: hold clonazepam") for n in form.notes)
    assert any(n.startswith("POSS 4: EMERGENCY") for n in form.notes)
    assert form.checklist == protocol.emergency_checklist
    assert blank_form("RASS", protocol).rows[0].anchors == RASS.levels


def test_an_unknown_form_code_is_refused():
    with pytest.raises(KeyError):
        blank_form("CIWA", default_protocol())
    assert FORM_CODES[:3] == ("COWS", "SOWS", "POSS")
