"""GET /api/reports/overrides: the governance report of the overrides page, as JSON."""

from __future__ import annotations

from owm.service.acknowledgements import acknowledge_finding

from .conftest import Api


def test_the_overrides_report_counts_acknowledgements_per_rule_and_prescriber(api: Api) -> None:
    world = api.world
    for mrn in ("R-1", "R-2"):
        acknowledge_finding(
            world.uow(),
            world.physician,
            episode_id=world.admit(mrn),
            finding="opioid-benzodiazepine",
            reason="stable methadone dose; monitored bed",
        )
    response = api.get("/api/reports/overrides?days=7", "pharmacist")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["days"], body["total_acknowledgements"]) == (7, 2)
    rule = next(r for r in body["rules"] if r["code"] == "opioid-benzodiazepine")
    assert rule["rule"] == "interactions.opioid"
    assert (rule["acknowledgements"], rule["acknowledged_episodes"]) == (2, 2)
    (prescriber,) = body["prescribers"]
    assert prescriber["user_id"] == world.physician.user_id
    assert prescriber["by_code"] == {"opioid-benzodiazepine": 2}
    assert body["holds_when_allowed"] == []


def test_a_period_outside_1_to_3650_days_is_422_naming_days(api: Api) -> None:
    response = api.get("/api/reports/overrides?days=0", "pharmacist")
    assert response.status_code == 422
    (item,) = [i for i in response.json()["detail"] if i["field"] == "days"]
    assert item["value"] in (0, "0")
