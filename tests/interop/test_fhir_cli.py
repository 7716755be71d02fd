"""`owm evaluate --fhir BUNDLE.json` gives the same answer as the owm-state/1 file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fhir_cases import vignette_state, vignette_states
from typer.testing import CliRunner

from owm.cli.app import app
from owm.clinical import default_protocol, parse_state
from owm.fhir import export_state
from owm.fhir.codes import SYSTEM
from owm.terminology import TERMINOLOGY

PROTOCOL = default_protocol()


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _bundle(document: dict[str, Any]) -> dict[str, Any]:
    return export_state(parse_state(document, PROTOCOL), terminology=TERMINOLOGY)


@pytest.mark.parametrize(("name", "document"), vignette_states(), ids=lambda v: str(v)[:30])
def test_evaluate_fhir_answers_as_evaluate_on_the_state(
    name: str, document: dict[str, Any], tmp_path: Path
) -> None:
    runner = CliRunner()
    plain = runner.invoke(app, ["evaluate", _write(tmp_path, "state.json", document)])
    fhir = runner.invoke(
        app, ["evaluate", "--fhir", _write(tmp_path, "bundle.json", _bundle(document))]
    )
    assert plain.exit_code == 0, plain.output
    assert fhir.exit_code == 0, fhir.output
    assert fhir.stdout == plain.stdout
    assert json.loads(fhir.stdout)["format"] == "owm-recommendation/1"


def test_evaluate_fhir_prints_text_too(tmp_path: Path) -> None:
    bundle = _bundle(vignette_state("01-base-give"))
    result = CliRunner().invoke(
        app, ["evaluate", "--fhir", "--format", "text", _write(tmp_path, "b.json", bundle)]
    )
    assert result.exit_code == 0, result.output
    assert "0.5" in result.stdout


def test_a_bad_bundle_exits_2_naming_the_resource(tmp_path: Path) -> None:
    bundle = _bundle(vignette_state("01-base-give"))
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Observation" and resource["code"]["coding"][0] == {
            "system": SYSTEM.observation,
            "code": "COWS",
            "display": "Clinical Opiate Withdrawal Scale",
        }:
            resource["component"][2]["valueInteger"] = 2  # restlessness: 0, 1, 3 or 5
    result = CliRunner().invoke(app, ["evaluate", "--fhir", _write(tmp_path, "b.json", bundle)])
    assert result.exit_code == 2
    assert "Observation/" in result.stderr
    assert "restlessness" in result.stderr
    assert "allowed: 0, 1, 3, 5" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "document", [{"format": "owm-state/1"}, [1, 2], "text"], ids=["state", "list", "string"]
)
def test_a_document_that_is_not_a_bundle_exits_2(document: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["evaluate", "--fhir", _write(tmp_path, "b.json", document)])
    assert result.exit_code == 2
    assert "Bundle" in result.stderr


def test_the_installed_command_reads_a_bundle_from_standard_input() -> None:
    document = vignette_state("07-methadone-escalate")
    done = subprocess.run(
        [sys.executable, "-m", "owm.cli.app", "evaluate", "--fhir", "-"],
        input=json.dumps(_bundle(document)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["action"] == "escalate"
    assert "opioid-benzodiazepine" in [f["code"] for f in answer["findings"]]


def _without_ward_timezone(bundle: dict[str, Any]) -> dict[str, Any]:
    from owm.fhir.codes import EXT

    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Encounter":
            resource["extension"] = [
                e for e in resource.get("extension", []) if e["url"] != EXT.ward_timezone
            ]
    return bundle


def test_timezone_gives_the_wards_zone_to_a_bundle_without_the_extension(tmp_path: Path) -> None:
    document = vignette_state("02-night-dose")  # a night dose: the zone changes the answer
    runner = CliRunner()
    plain = runner.invoke(app, ["evaluate", _write(tmp_path, "state.json", document)])
    bare = _write(tmp_path, "bundle.json", _without_ward_timezone(_bundle(document)))
    given = runner.invoke(app, ["evaluate", "--fhir", "--timezone", "Europe/London", bare])
    assert given.exit_code == 0, given.output
    assert given.stdout == plain.stdout
    elsewhere = runner.invoke(app, ["evaluate", "--fhir", "--timezone", "Asia/Tokyo", bare])
    assert elsewhere.exit_code == 0, elsewhere.output
    assert json.loads(elsewhere.stdout)["dose_mg"] != json.loads(plain.stdout)["dose_mg"]


def test_without_extension_or_timezone_the_error_names_what_is_missing(tmp_path: Path) -> None:
    bare = _write(
        tmp_path, "b.json", _without_ward_timezone(_bundle(vignette_state("01-base-give")))
    )
    result = CliRunner().invoke(app, ["evaluate", "--fhir", bare])
    assert result.exit_code == 2
    assert "ward's time zone is missing" in result.stderr
    assert "--timezone ZONE" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fhir", "--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus' is not allowed"),
        (["--timezone", "Europe/London"], "not allowed without --fhir"),
    ],
)
def test_a_bad_timezone_exits_2(args: list[str], message: str, tmp_path: Path) -> None:
    bundle = _write(tmp_path, "b.json", _bundle(vignette_state("01-base-give")))
    result = CliRunner().invoke(app, ["evaluate", *args, bundle])
    assert result.exit_code == 2
    assert message in result.stderr


def test_resources_not_read_are_warned_about_on_stderr(tmp_path: Path) -> None:
    bundle = _bundle(vignette_state("01-base-give"))
    patient = bundle["entry"][0]["fullUrl"]
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:7d1f1f7e-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "Condition",
                "id": "htn",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "code": {"text": "Essential hypertension"},
                "subject": {"reference": patient},
            },
        }
    )
    bundle["entry"].append(
        {"resource": {"resourceType": "Practitioner", "id": "dr1", "gender": "female"}}
    )
    result = CliRunner().invoke(app, ["evaluate", "--fhir", _write(tmp_path, "b.json", bundle)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    # The unmapped condition is in the answer itself, not only on stderr (section 8).
    assert answer["action"] == "escalate"
    unmapped = next(f for f in answer["findings"] if f["code"] == "unmapped-record")
    assert "Condition/htn" in unmapped["message"]
    lines = result.stderr.splitlines()
    assert any(
        line.startswith("warning: not read, owm decided without it")
        and "Condition/htn" in line
        and "Essential hypertension" in line
        for line in lines
    )
    assert any(
        line.startswith("warning: not read: Practitioner/dr1") and "resource type" in line
        for line in lines
    )
    assert sum("Condition/htn" in line for line in lines) == 1
