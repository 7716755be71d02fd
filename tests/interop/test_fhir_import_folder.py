"""`owm import FOLDER`: many Bundles into the ward, each in one transaction, on both databases.

The Bundles are the vignettes exported with owm's own FHIR export (moved 52 weeks
into the past, so that no record lies in the future of the machine's clock), each
given an MRN and a name as an EHR's Patient carries them. What is stored is
checked with plain SQL; the imported patient's recommendation is compared with
`owm evaluate --fhir` of the same Bundle at the same time.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir_cases import vignette_state, vignette_states
from sqlalchemy import text
from typer.testing import CliRunner

from owm.cli.app import app
from owm.clinical import default_protocol, parse_state
from owm.fhir import export_state
from owm.fhir.codes import SYSTEM
from owm.fhir.identity import IDENTIFIER_TYPE
from owm.service.errors import Conflict, InputError, PermissionDenied
from owm.service.fhir_import import import_fhir_bundle
from owm.service.recommendation import get_recommendation
from owm.store.uow import FixedClock
from owm.terminology import TERMINOLOGY
from support.wards import staffed_ward

PROTOCOL = default_protocol()
SHIFT = timedelta(weeks=-52)
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
runner = CliRunner()


def _shifted(value: Any) -> Any:
    """Every date and time in a state moved by SHIFT (whole weeks keep the local clock time)."""
    if isinstance(value, dict):
        return {k: _shifted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shifted(v) for v in value]
    if isinstance(value, str) and _MOMENT.match(value):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + SHIFT
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def ward_bundle(stem: str, mrn: str | None, name: str = "Test Patient") -> dict[str, Any]:
    """Vignette `stem` as an EHR's Bundle: owm's export with an MRN and a name on the Patient."""
    bundle = export_state(
        parse_state(_shifted(vignette_state(stem)), PROTOCOL), terminology=TERMINOLOGY
    )
    patient = bundle["entry"][0]["resource"]
    assert patient["resourceType"] == "Patient"
    if mrn is not None:
        patient["identifier"] = [
            {
                "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR"}]},
                "system": "https://hospital.example/mrn",
                "value": mrn,
            }
        ]
    patient["name"] = [{"use": "official", "family": name.split()[-1], "given": name.split()[:-1]}]
    return bundle


def bundle_time(bundle: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(bundle["timestamp"].replace("Z", "+00:00"))


def make_ward(database: Any) -> dict[str, Any]:
    """A ward in Europe/London (the vignettes' zone) with a nurse and a physician."""
    staffed = staffed_ward(database.uow, roles=("nurse", "physician", "pharmacist"))
    return {"ward": staffed.ward, **staffed.actors}


def write(folder: Path, name: str, document: Any) -> None:
    folder.mkdir(exist_ok=True)
    text_ = document if isinstance(document, str) else json.dumps(document)
    (folder / name).write_text(text_, encoding="utf-8")


def owm(database: Any, *args: str) -> Any:
    return runner.invoke(app, list(args), env={"OWM_DATABASE_URL": database.url})


def scalar(database: Any, sql: str, **params: Any) -> Any:
    with database.engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def rows(database: Any, sql: str, **params: Any) -> list[Any]:
    with database.engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def _bad_cows(bundle: dict[str, Any]) -> dict[str, Any]:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        codes = resource.get("code", {}).get("coding", [{}])
        if codes[0].get("system") == SYSTEM.observation and codes[0].get("code") == "COWS":
            resource["component"][2]["valueInteger"] = 2  # restlessness: 0, 1, 3 or 5
    return bundle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good Bundles and four bad ones (for a nurse)."""
    path = tmp_path / "bundles"
    write(path, "a-base.json", ward_bundle("01-base-give", "MRN-A", "Ann Able"))
    write(path, "b-methadone.json", ward_bundle("07-methadone-escalate", "MRN-B", "Ben Baker"))
    write(path, "c-bad-cows.json", _bad_cows(ward_bundle("01-base-give", "MRN-C")))
    write(path, "d-no-mrn.json", ward_bundle("01-base-give", None))
    write(path, "e-acknowledged.json", ward_bundle("08-methadone-acknowledged", "MRN-E"))
    write(path, "f-broken.json", '{"resourceType": "Bundle", ')
    return path


def test_good_bundles_are_stored_and_bad_ones_listed_with_nothing_of_them_stored(
    database: Any, folder: Path
) -> None:
    make_ward(database)
    result = owm(database, "import", str(folder), "--ward", "Ward 7", "--as", "nurse1")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "imported 2 of 6 Bundles into ward 'Ward 7' as nurse1" in out
    assert "a-base.json: MRN MRN-A: patient added, episode opened" in out
    assert "rejected 4 (nothing of them was stored)" in out
    rejected = out.split("rejected 4")[1]
    assert "c-bad-cows.json" in rejected and "restlessness" in rejected
    assert "allowed: 0, 1, 3, 5" in rejected
    assert "d-no-mrn.json" in rejected and "no medical record number" in rejected
    assert "e-acknowledged.json" in rejected and "may not acknowledge" in rejected
    assert "import it as a user who may (physician)" in rejected
    assert "f-broken.json" in rejected and "not valid JSON" in rejected

    assert [r.mrn for r in rows(database, "SELECT mrn FROM patient ORDER BY mrn")] == [
        "MRN-A",
        "MRN-B",
    ]
    assert scalar(database, "SELECT count(*) FROM episode") == 2
    state = vignette_state("01-base-give")
    episode = scalar(
        database,
        "SELECT e.id FROM episode e JOIN patient p ON p.id = e.patient_id WHERE p.mrn = 'MRN-A'",
    )
    stored = {
        table: scalar(database, f"SELECT count(*) FROM {table} WHERE episode_id = :e", e=episode)
        for table in ("assessment", "vital_signs", "sedation", "administration", "alcohol")
    }
    assert stored == {
        "assessment": len(state["assessments"]),
        "vital_signs": len(state["vitals"]),
        "sedation": len(state["sedation"]),
        "administration": len(state["administrations"]),
        "alcohol": 2,  # the last drink and the breath reading
    }
    patient = rows(
        database,
        "SELECT name, age_years, sex, weight_kg, ward_id FROM patient WHERE mrn = 'MRN-A'",
    )[0]
    assert (patient.name, patient.age_years, patient.sex) == ("Ann Able", 34, "female")
    assert float(patient.weight_kg) == 62.0
    nurse = scalar(database, "SELECT id FROM app_user WHERE username = 'nurse1'")
    actors = {
        r.user_id
        for r in rows(
            database, "SELECT DISTINCT user_id FROM audit_log WHERE action LIKE '%import'"
        )
    }
    assert actors == {nurse}
    assert (
        scalar(database, "SELECT count(*) FROM audit_log WHERE action = 'fhir_bundle.import'") == 2
    )
    # Nothing of the rejected Bundles: no other patient, no records outside the two episodes.
    assert (
        scalar(
            database,
            "SELECT count(*) FROM assessment WHERE episode_id NOT IN (SELECT id FROM episode)",
        )
        == 0
    )
    verify = owm(database, "audit", "verify")
    assert verify.exit_code == 0, verify.output


def test_importing_again_adds_nothing_twice(database: Any, folder: Path) -> None:
    make_ward(database)
    first = owm(database, "import", str(folder), "--as", "nurse1")
    assert first.exit_code == 1, first.output
    counts = {
        table: scalar(database, f"SELECT count(*) FROM {table}")
        for table in (
            "patient",
            "episode",
            "assessment",
            "vital_signs",
            "sedation",
            "administration",
            "alcohol",
            "medication",
        )
    }
    again = owm(database, "import", str(folder), "--as", "nurse1")
    assert again.exit_code == 1, again.output
    assert "MRN MRN-A: patient known, episode continued" in again.stdout
    assert "0 records added" in again.stdout and "already imported" in again.stdout
    assert {t: scalar(database, f"SELECT count(*) FROM {t}") for t in counts} == counts


def test_a_later_bundle_of_the_same_episode_adds_only_what_is_new(database: Any) -> None:
    actors = make_ward(database)
    ward_id = actors["ward"].id
    earlier = ward_bundle("01-base-give", "MRN-A")
    later = json.loads(json.dumps(earlier))
    cows = next(
        e
        for e in later["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "COWS"
    )
    extra = json.loads(json.dumps(cows))
    extra["fullUrl"] = "urn:uuid:4b2c7a52-2f9c-4c1e-9a51-7c3f8a1e0001"
    extra["resource"]["id"] = "4b2c7a52-2f9c-4c1e-9a51-7c3f8a1e0001"
    moment = bundle_time(earlier) - timedelta(minutes=20)
    extra["resource"]["effectiveDateTime"] = moment.isoformat().replace("+00:00", "Z")
    later["entry"].append(extra)
    clock = FixedClock(bundle_time(earlier) + timedelta(hours=1))
    first = import_fhir_bundle(
        database.uow(clock), actors["nurse"], ward_id=ward_id, bundle=earlier
    )
    second = import_fhir_bundle(database.uow(clock), actors["nurse"], ward_id=ward_id, bundle=later)
    assert second.episode_id == first.episode_id
    assert dict(second.added) == {"assessment": 1}
    assert second.already == sum(first.added.values())


def test_a_record_changed_since_its_import_is_a_conflict_and_nothing_is_stored(
    database: Any,
) -> None:
    actors = make_ward(database)
    ward_id = actors["ward"].id
    bundle = ward_bundle("01-base-give", "MRN-A")
    clock = FixedClock(bundle_time(bundle) + timedelta(hours=1))
    import_fhir_bundle(database.uow(clock), actors["nurse"], ward_id=ward_id, bundle=bundle)
    before = scalar(database, "SELECT count(*) FROM audit_log")
    changed = json.loads(json.dumps(bundle))
    for entry in changed["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "MedicationAdministration":
            resource["dosage"]["dose"]["value"] = 1.0
    with pytest.raises(Conflict, match=r"MedicationAdministration/.*differs in dose_mg"):
        import_fhir_bundle(database.uow(clock), actors["nurse"], ward_id=ward_id, bundle=changed)
    assert scalar(database, "SELECT count(*) FROM audit_log") == before


def test_who_may_import(database: Any) -> None:
    actors = make_ward(database)
    ward_id = actors["ward"].id
    bundle = ward_bundle("08-methadone-acknowledged", "MRN-E")
    clock = FixedClock(bundle_time(bundle) + timedelta(hours=1))
    for role in ("pharmacist", "nurse"):
        with pytest.raises(PermissionDenied):
            import_fhir_bundle(database.uow(clock), actors[role], ward_id=ward_id, bundle=bundle)
    assert scalar(database, "SELECT count(*) FROM patient") == 0
    done = import_fhir_bundle(
        database.uow(clock), actors["physician"], ward_id=ward_id, bundle=bundle
    )
    assert done.added["acknowledgement"] == 1
    reason = scalar(database, "SELECT reason FROM acknowledgement")
    assert "acknowledged by" in reason


def test_a_bundle_in_another_time_zone_or_in_the_future_is_refused(database: Any) -> None:
    actors = make_ward(database)
    ward_id = actors["ward"].id
    bundle = ward_bundle("01-base-give", "MRN-A")
    elsewhere = json.loads(json.dumps(bundle))
    elsewhere["entry"][1]["resource"]["extension"][0]["valueCode"] = "America/New_York"
    clock = FixedClock(bundle_time(bundle) + timedelta(hours=1))
    with pytest.raises(InputError, match="Europe/London"):
        import_fhir_bundle(database.uow(clock), actors["nurse"], ward_id=ward_id, bundle=elsewhere)
    early = FixedClock(bundle_time(bundle) - timedelta(hours=1))
    with pytest.raises(InputError, match="not in the future"):
        import_fhir_bundle(database.uow(early), actors["nurse"], ward_id=ward_id, bundle=bundle)
    assert scalar(database, "SELECT count(*) FROM patient") == 0


VIGNETTES = [stem for stem, _ in vignette_states()]


def test_the_imported_patients_recommendation_is_owm_evaluate_fhir_of_the_bundle(
    database: Any, tmp_path: Path
) -> None:
    actors = make_ward(database)
    folder = tmp_path / "vignettes"
    bundles = {}
    for number, stem in enumerate(VIGNETTES):
        bundles[stem] = ward_bundle(stem, f"MRN-{number}")
        write(folder, f"{stem}.json", bundles[stem])
    result = owm(database, "import", str(folder), "--as", "physician1")
    assert result.exit_code == 0, result.output
    assert f"imported {len(VIGNETTES)} of {len(VIGNETTES)} Bundles" in result.stdout
    for number, stem in enumerate(VIGNETTES):
        evaluated = owm(database, "evaluate", "--fhir", str(folder / f"{stem}.json"))
        assert evaluated.exit_code == 0, evaluated.output
        episode = scalar(
            database,
            "SELECT e.id FROM episode e JOIN patient p ON p.id = e.patient_id WHERE p.mrn = :m",
            m=f"MRN-{number}",
        )
        clock = FixedClock(bundle_time(bundles[stem]))
        stored = get_recommendation(
            database.uow(clock), actors["physician"], episode_id=episode, record_shown=False
        )
        assert stored.document == json.loads(evaluated.stdout), stem
