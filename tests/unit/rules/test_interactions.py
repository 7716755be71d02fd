"""Interactions (clinical spec section 3 step 4 and the findings that never block).

Opioids (methadone and buprenorphine included) and other CNS depressants
escalate to a physician; another benzodiazepine given on the ward in the 24 h
before the decision counts as an active one (section 7); alpha-2 agonists and
CYP3A inducers are shown without changing the action.
"""

from __future__ import annotations

from typing import Any

import pytest

from owm.clinical.rules import interactions

from .support import ago, codes, decide, dose, med

RULES = [
    interactions.opioid,
    interactions.cns_depressant,
    interactions.cyp3a_inhibitor,
    interactions.alpha2_agonist,
    interactions.cyp3a_inducer,
]


def found(**changes: Any) -> list[str]:
    return [code for rule in RULES for code in codes(rule, **changes)]


@pytest.mark.parametrize(
    ("medications", "expected"),
    [
        pytest.param([], [], id="none"),
        pytest.param([med("methadone", "opioid")], ["opioid-benzodiazepine"], id="methadone"),
        pytest.param(
            [med("buprenorphine", "opioid")], ["opioid-benzodiazepine"], id="buprenorphine"
        ),
        pytest.param([med("oxycodone", "opioid")], ["opioid-benzodiazepine"], id="oxycodone"),
        pytest.param([med("methadone", "opioid", active=False)], [], id="methadone stopped"),
        pytest.param([med("pregabalin", "gabapentinoid")], ["cns-depressant"], id="gabapentinoid"),
        pytest.param([med("zopiclone", "z-drug")], ["cns-depressant"], id="z-drug"),
        pytest.param(
            [med("baclofen", "muscle-relaxant")], ["cns-depressant"], id="muscle relaxant"
        ),
        pytest.param(
            [med("promethazine", "sedating-antihistamine")],
            ["cns-depressant"],
            id="sedating antihistamine",
        ),
        pytest.param([med("quetiapine", "antipsychotic")], ["cns-depressant"], id="antipsychotic"),
        pytest.param([med("butalbital", "barbiturate")], ["cns-depressant"], id="barbiturate"),
        pytest.param(
            [med("diazepam", "benzodiazepine")], ["cns-depressant"], id="active benzodiazepine"
        ),
        pytest.param(
            [med("pregabalin", "gabapentinoid", active=False)], [], id="gabapentinoid stopped"
        ),
        pytest.param(
            [med("pregabalin", "gabapentinoid"), med("zopiclone", "z-drug")],
            ["cns-depressant"],
            id="two CNS depressants: one finding",
        ),
        pytest.param(
            [med("clarithromycin", "cyp3a-inhibitor")], ["cyp3a-inhibitor"], id="CYP3A inhibitor"
        ),
        pytest.param([med("clonidine", "alpha2-agonist")], ["alpha2-agonist"], id="clonidine"),
        pytest.param([med("lofexidine", "alpha2-agonist")], ["alpha2-agonist"], id="lofexidine"),
        pytest.param(
            [med("carbamazepine", "cyp3a-inducer")], ["cyp3a-inducer"], id="CYP3A inducer"
        ),
        pytest.param([med("omeprazole", "other")], [], id="other"),
        pytest.param(
            [med("methadone", "opioid"), med("pregabalin", "gabapentinoid")],
            ["opioid-benzodiazepine", "cns-depressant"],
            id="opioid and gabapentinoid",
        ),
    ],
)
def test_active_medicines(medications: list[dict[str, Any]], expected: list[str]) -> None:
    assert found(medications=medications) == expected


@pytest.mark.parametrize(
    ("given", "fires"),
    [
        pytest.param([dose(ago(h=23, m=59), "1", drug="lorazepam")], True, id="23 h 59 min ago"),
        pytest.param([dose(ago(h=24), "1", drug="lorazepam")], False, id="exactly 24 h ago"),
        pytest.param([dose(ago(m=30), "10", drug="diazepam")], True, id="diazepam 30 min ago"),
        pytest.param(
            [dose(ago(h=2), "1", drug="lorazepam", outcome="refused")], False, id="refused"
        ),
        pytest.param(
            [dose(ago(h=2), "1", drug="lorazepam", outcome="vomited")], True, id="vomited"
        ),
        pytest.param(
            [dose(ago(h=2), "0.5", drug="lorazepam", outcome="partial")], True, id="partial"
        ),
        pytest.param([dose(ago(h=2), "2", drug="midazolam")], True, id="midazolam"),
        pytest.param([dose(ago(h=2), "15", drug="oxazepam")], True, id="oxazepam"),
        pytest.param([dose(ago(h=2), "10", drug="temazepam")], True, id="temazepam"),
        pytest.param([dose(ago(h=2), "0.5", drug="alprazolam")], True, id="alprazolam"),
        pytest.param([dose(ago(h=2), "25", drug="chlordiazepoxide")], True, id="chlordiazepoxide"),
        pytest.param([dose(ago(h=2), "0.1", drug="clonidine")], False, id="a companion medicine"),
        pytest.param([dose(ago(h=7))], False, id="clonazepam itself"),
    ],
)
def test_another_benzodiazepine_given_on_the_ward(given: list[dict[str, Any]], fires: bool) -> None:
    found_codes = codes(interactions.cns_depressant, add_administrations=given)
    assert (found_codes == ["cns-depressant"]) is fires


@pytest.mark.parametrize(
    ("medications", "action", "severity"),
    [
        pytest.param([med("methadone", "opioid")], "escalate", "critical", id="methadone"),
        pytest.param(
            [med("pregabalin", "gabapentinoid")], "escalate", "critical", id="gabapentinoid"
        ),
        pytest.param(
            [med("clarithromycin", "cyp3a-inhibitor")], "escalate", "critical", id="inhibitor"
        ),
        pytest.param([med("clonidine", "alpha2-agonist")], "give", "warning", id="alpha-2 agonist"),
        pytest.param([med("carbamazepine", "cyp3a-inducer")], "give", "info", id="inducer"),
    ],
)
def test_what_each_interaction_does_to_the_action(
    medications: list[dict[str, Any]], action: str, severity: str
) -> None:
    answer = decide(medications=medications)
    assert answer.action == action
    (code,) = found(medications=medications)
    finding = answer.finding(code)
    assert finding is not None and finding.severity == severity


def test_the_opioid_finding_says_not_to_stop_methadone() -> None:
    """FDA 2017: never withhold methadone or buprenorphine because of a benzodiazepine."""
    finding = decide(medications=[med("methadone", "opioid")]).finding("opioid-benzodiazepine")
    assert finding is not None
    assert "do not stop methadone or buprenorphine" in finding.message


@pytest.mark.parametrize(
    ("medications", "says"),
    [
        pytest.param(
            [med("clonazepam", "benzodiazepine")],
            "already listed as a current medicine",
            id="clonazepam listed: a duplicate prescription",
        ),
        pytest.param(
            [med("clonazepam", "benzodiazepine"), med("pregabalin", "gabapentinoid")],
            "Another sedating medicine (pregabalin)",
            id="clonazepam and pregabalin listed",
        ),
    ],
)
def test_clonazepam_listed_as_a_current_medicine_escalates_as_a_duplicate(
    medications: list[dict[str, Any]], says: str
) -> None:
    """A listed clonazepam is never called 'another sedating medicine', yet still escalates."""
    answer = decide(medications=medications)
    assert answer.action == "escalate"
    finding = answer.finding("cns-depressant")
    assert finding is not None
    assert says in finding.message
    assert "(clonazepam" not in finding.message
