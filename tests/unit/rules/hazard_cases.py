"""One case per hazard of `docs/hazard-log.md`: the hazard's control, run and checked.

Why: a hazard log that only names tests can stay green while a control is gone
(a test renamed, a rule disconnected from the decision). Each function below sets
up the hazard's situation, runs the control the log names, and asserts what the
control must do: the action of the answer, the finding, the refusal. Remove a
control and its case fails. `test_hazard_log.py` runs every case and checks that
every hazard of the log has one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from owm.clinical import StateError, default_protocol, evaluate, parse_state
from owm.clinical.document import DocumentError, read_document

from .support import (
    BASE,
    ack,
    after,
    ago,
    build,
    cows,
    decide,
    document,
    dose,
    med,
    poss,
    side_effect,
    vitals,
)

__all__ = ["CASES"]

CASES: dict[str, Callable[[], None]] = {}


def hazard(number: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(case: Callable[[], None]) -> Callable[[], None]:
        assert number not in CASES, number
        CASES[number] = case
        return case

    return register


def _action(expected: str, code: str | None = None, **changes: Any) -> Any:
    answer = decide(**changes)
    assert answer.action == expected, (answer.action, answer.codes)
    if code is not None:
        assert code in answer.codes, (code, answer.codes)
    return answer


@hazard("H1")
def oversedation() -> None:
    _action("hold", "oversedation", sedation=[poss(ago(m=10), "3")])
    _action("hold", "oversedation", sedation=[{"at": ago(m=10), "scale": "RASS", "level": "-2"}])


@hazard("H2")
def overdose() -> None:
    answer = _action(
        "emergency",
        "overdose-suspected",
        sedation=[poss(ago(m=10), "3")],
        vitals=[vitals(ago(m=10), respiratory_rate=11)],
    )
    assert answer.checklist and answer.dose_mg is None


@hazard("H3")
def deterioration() -> None:
    _action(
        "emergency",
        "news2-emergency",
        vitals=[vitals(ago(m=10), respiratory_rate=21, pulse=111, systolic_bp=100, spo2=94)],
    )
    _action("hold", "news2-urgent", vitals=[vitals(ago(m=10), respiratory_rate=25)])


@hazard("H4")
def double_dose() -> None:
    _action("hold", "min-interval", administrations=[dose(ago(h=5, m=59))])
    _action("hold", "min-interval", administrations=[dose(ago(h=1), outcome="vomited")])


@hazard("H5")
def late_charting() -> None:
    _action("hold", "min-interval", administrations=[dose(ago(h=5, m=59), recorded=after(h=1))])


@hazard("H6")
def daily_maximum() -> None:
    answer = _action(
        "hold",
        "daily-limit",
        administrations=[dose(ago(h=20), "2"), dose(ago(h=13), "1.5"), dose(ago(h=7), "0.5")],
    )
    assert answer.remaining_24h_mg == 0


@hazard("H7")
def wrong_single_dose() -> None:
    answer = _action(
        "give",
        "dose-reduced",
        at="2026-11-25T23:00:00Z",
        patient={"conditions": ["mild-liver-disease"]},
    )
    assert answer.dose_mg == Decimal("0.5")  # night 1 mg, halved once


@hazard("H8")
def opioid_co_use() -> None:
    answer = _action("escalate", "opioid-benzodiazepine", medications=[med("methadone", "opioid")])
    finding = answer.finding("opioid-benzodiazepine")
    assert finding is not None and "do not stop methadone" in finding.message


@hazard("H9")
def other_cns_depressants() -> None:
    _action(
        "escalate", "cns-depressant", add_administrations=[dose(ago(h=2), "1", drug="lorazepam")]
    )


@hazard("H10")
def stale_acknowledgement_after_a_change() -> None:
    _action(
        "escalate",
        "opioid-benzodiazepine",
        medications=[med("methadone", "opioid", changed_at=ago(h=1))],
        acknowledgements=[ack("opioid-benzodiazepine", ago(h=2))],
    )


@hazard("H11")
def acknowledging_away() -> None:
    with pytest.raises(StateError, match="cannot be acknowledged"):
        build(acknowledgements=[ack("min-interval", ago(h=1))])


@hazard("H12")
def alcohol() -> None:
    _action("contraindicated", "alcohol", alcohol={"last_drink_at": ago(h=24)})
    _action("contraindicated", "alcohol", alcohol={"breath_alcohol_mg_l": "0.01"})


@hazard("H13")
def other_contraindications() -> None:
    answer = _action(
        "contraindicated", "benzodiazepine-allergy", patient={"allergies": ["benzodiazepines"]}
    )
    assert "hydroxyzine" in [c["drug"] for c in answer.companions]


@hazard("H14")
def prolonged_course() -> None:
    _action("escalate", "course-limit", administrations=[dose(ago(d=4)), dose(ago(h=7))])


@hazard("H15")
def abrupt_stop() -> None:
    answer = decide(administrations=[dose(ago(d=8)), dose(ago(h=7))])
    assert "taper-needed" in answer.codes and answer.taper_plan


@hazard("H16")
def treatment_not_working() -> None:
    _action(
        "escalate",
        "not-improving",
        assessments=[cows(ago(h=30), 20), cows(ago(m=30), 20)],
        administrations=[dose(ago(h=29)), dose(ago(h=20)), dose(ago(h=8))],
    )


@hazard("H17")
def severe_withdrawal() -> None:
    _action("escalate", "severe-withdrawal", add_assessments=[cows(ago(m=5), 37)])


@hazard("H18")
def at_risk_patients() -> None:
    _action("escalate", "pregnancy", patient={"pregnant": True})
    _action("escalate", "older-adult", patient={"age_years": 65})
    _action("escalate", "cyp3a-inhibitor", medications=[med("clarithromycin", "cyp3a-inhibitor")])


@hazard("H19")
def dosing_without_an_indication() -> None:
    _action("not-indicated", "no-withdrawal", assessments=[cows(ago(m=30), 4)])


@hazard("H20")
def wrong_time_zone() -> None:
    # 21:00 UTC on 1 July is 22:00 in London (summer time): night there, not in UTC.
    night = decide(at="2026-07-01T21:00:00Z")
    assert night.action == "give" and "night-dose" in night.codes
    utc = decide(at="2026-07-01T21:00:00Z", ward={"timezone": "UTC"})
    assert "night-dose" not in utc.codes


@hazard("H21")
def stale_data() -> None:
    _action("hold", "assessment-stale", assessments=[cows(ago(h=4, m=1), 15)])
    _action("hold", "vitals-stale", vitals=[vitals(ago(h=4, m=1))])


@hazard("H22")
def records_after_the_decision_time() -> None:
    _action("give", None, add_sedation=[poss(after(m=10), "4")])


@hazard("H23")
def bad_input_decided_on() -> None:
    with pytest.raises(StateError, match="pulse"):
        build(vitals=[vitals(ago(m=10), pulse=400)])


@hazard("H24")
def missed_reassessment() -> None:
    answer = _action("give")
    assert answer.due["reassessment"] == answer.at + timedelta(minutes=60)


@hazard("H25")
def blocking_reason_hidden() -> None:
    answer = _action(
        "emergency",
        "overdose-suspected",
        sedation=[poss(ago(m=10), "4")],
        alcohol={"last_drink_at": ago(h=2)},
        medications=[med("methadone", "opioid")],
    )
    assert {"alcohol", "opioid-benzodiazepine"} <= set(answer.codes)
    assert answer.findings[0].code == "overdose-suspected"


@hazard("H26")
def non_reproducible() -> None:
    data = document(
        administrations=[dose(ago(h=30)), dose(ago(h=20)), dose(ago(h=8))],
        side_effects=[side_effect(ago(h=2), "diplopia"), side_effect(ago(h=3), "ataxia")],
    )
    first = evaluate(parse_state(data, default_protocol()), default_protocol()).to_json()
    shuffled = json.loads(json.dumps(data))
    random.Random(7).shuffle(shuffled["administrations"])
    random.Random(7).shuffle(shuffled["side_effects"])
    again = evaluate(parse_state(shuffled, default_protocol()), default_protocol()).to_json()
    assert first == again


@hazard("H27")
def harmful_companion() -> None:
    answer = decide(
        assessments=[cows(ago(m=30), 15, sweating=3, anxiety_irritability=2)],
        vitals=[vitals(ago(m=10), systolic_bp=89)],
    )
    drugs = [c["drug"] for c in answer.companions]
    assert "clonidine" not in drugs and "lofexidine" not in drugs


@hazard("H28")
def vignette_checked_in_part() -> None:
    from test_vignettes import check_answer  # tests/ is on the path (its conftest)

    answer = decide().to_json()
    assert check_answer({"action": "hold"}, answer)
    assert check_answer({"absent_findings": ["counselling"]}, answer)


# -- revision 2 (clinical spec section 8) -----------------------------------------------


@hazard("H29")
def same_time_records() -> None:
    _action(
        "emergency", "overdose-suspected", sedation=[poss(ago(m=30), "S"), poss(ago(m=30), "4")]
    )
    _action(
        "emergency",
        "overdose-suspected",
        vitals=[vitals(ago(m=20)), vitals(ago(m=20), respiratory_rate=6)],
    )


@hazard("H30")
def missing_data() -> None:
    _action("hold", "sedation-stale", sedation=[poss(ago(h=4, m=1), "4")])
    _action("hold", "alcohol-unknown", alcohol={"last_drink_at": None, "breath_alcohol_mg_l": None})
    _action("hold", "patient-details-missing", patient={"age_years": None})
    _action("escalate", "pregnancy-unknown", patient={"pregnant": None})


@hazard("H31")
def stale_acknowledgements() -> None:
    _action(
        "escalate",
        "older-adult",
        patient={"age_years": 70},
        acknowledgements=[ack("older-adult", "2019-03-01T10:00:00Z")],
    )
    _action(
        "escalate",
        "opioid-benzodiazepine",
        medications=[med("methadone", "opioid")],
        acknowledgements=[ack("opioid-benzodiazepine", ago(h=24))],
    )
    _action(
        "escalate",
        "severe-withdrawal",
        assessments=[cows(ago(h=1), 38), cows(ago(m=10), 44)],
        acknowledgements=[ack("severe-withdrawal", ago(m=30))],
    )


@hazard("H32")
def who_acknowledges() -> None:
    for role in ("nurse", "x"):
        with pytest.raises(StateError, match=r"acknowledgements\[0\]\.by"):
            build(
                medications=[med("methadone", "opioid")],
                acknowledgements=[ack("opioid-benzodiazepine", ago(h=1), by=role)],
            )


@hazard("H33")
def misclassified_medicines() -> None:
    _action("escalate", "opioid-benzodiazepine", medications=[med("methadone", "other")])
    _action(
        "escalate",
        "opioid-benzodiazepine",
        medications=[{**med("Dolophine", "other"), "rxnorm": "6813"}],
    )
    _action("escalate", "unknown-medicine", medications=[med("zolvenaxil", "other")])


@hazard("H34")
def unmapped_records() -> None:
    from owm.fhir.export import export_state
    from owm.fhir.importer import import_bundle
    from owm.terminology import TERMINOLOGY

    protocol = default_protocol()
    bundle = export_state(parse_state(BASE, protocol), terminology=TERMINOLOGY)
    patient = next(
        e["resource"]["id"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:3f1c6a55-8c1e-4bda-9a34-1b1cf1c0a001",
            "resource": {
                "resourceType": "Condition",
                "id": "sleep-disorder",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {
                    "coding": [
                        {
                            "system": "http://snomed.info/sct",
                            "code": "999999001",
                            "display": "Central sleep apnoea syndrome, unusual form",
                        }
                    ]
                },
                "subject": {"reference": f"Patient/{patient}"},
            },
        }
    )
    state = import_bundle(bundle, protocol, terminology=TERMINOLOGY).state
    answer = evaluate(state, protocol)
    assert answer.action == "escalate"
    finding = answer.finding("unmapped-record")
    assert finding is not None and "999999001" in finding.message


@hazard("H35")
def no_dose_wording() -> None:
    emergency = _action(
        "emergency", None, sedation=[poss(ago(m=10), "4")], administrations=[dose(ago(h=2))]
    )
    assert emergency.companions == () and "counselling" not in emergency.codes
    assert emergency.next_dose_not_before is None and not emergency.shows_next_dose
    contra = _action(
        "contraindicated",
        None,
        alcohol={"last_drink_at": ago(h=2)},
        administrations=[dose(ago(h=2))],
    )
    assert contra.next_dose_not_before is None and not contra.shows_remaining
    over = _action(
        "hold",
        "daily-limit",
        administrations=[dose(ago(h=20), "2"), dose(ago(h=14), "2"), dose(ago(h=7), "1")],
    )
    assert over.remaining_24h_mg == 0
    night = _action(
        "give",
        "night-dose",
        at="2026-11-25T23:00:00Z",
        patient={"conditions": ["mild-liver-disease"]},
    )
    finding = night.finding("night-dose")
    assert finding is not None and "reduced to 0.5 mg" in finding.message


@hazard("H36")
def malformed_documents() -> None:
    text = json.dumps(BASE)
    for bad in (
        text.replace('"age_years": 34', '"age_years": 70, "age_years": 34'),
        text.replace('"age_years": 34', '"age_years": ' + "9" * 5000),
        "[" * 100_000 + "]" * 100_000,
    ):
        with pytest.raises(DocumentError):
            read_document(bad)
    with pytest.raises(StateError, match="canonical IANA"):
        build(ward={"timezone": "localtime"})
    with pytest.raises(StateError, match="not a possible dose"):
        build(administrations=[dose(ago(h=7), "25")])


@hazard("H37")
def nurse_hold_unseen() -> None:
    held = {"holds": [{"at": ago(m=15), "reason": "asleep; held"}]}
    _action("hold", "nurse-hold", **held)
    _action("give", None, add_assessments=[cows(ago(m=5), 15)], **held)


@hazard("H38")
def respiratory_and_other_risks() -> None:
    _action(
        "contraindicated",
        "respiratory-insufficiency",
        patient={"conditions": ["hypercapnic-respiratory-failure"]},
    )
    _action("escalate", "respiratory-risk", patient={"conditions": ["copd"]})
    _action(
        "hold",
        "respiratory-depression-risk",
        medications=[med("methadone", "opioid")],
        vitals=[vitals(ago(m=10), respiratory_rate=10)],
        acknowledgements=[ack("opioid-benzodiazepine", ago(h=1))],
    )
    emergency = _action(
        "emergency", None, patient={"conditions": ["epilepsy"]}, sedation=[poss(ago(m=5), "4")]
    )
    assert any("Do NOT give flumazenil" in line for line in emergency.checklist)


@hazard("H39")
def adapters_computing_clinical_facts() -> None:
    from unit.test_one_source_of_truth import clinical_computations_outside_the_core

    assert clinical_computations_outside_the_core() == []
