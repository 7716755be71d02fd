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

from owm.cli import app
from owm.clinical import default_protocol, parse_state
from owm.fhir import export_state
from owm.fhir.codes import SYSTEM

PROTOCOL = default_protocol()


def _write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _bundle(document: dict[str, Any]) -> dict[str, Any]:
    return export_state(parse_state(document, PROTOCOL))


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
        [sys.executable, "-m", "owm.cli", "evaluate", "--fhir", "-"],
        input=json.dumps(_bundle(document)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["action"] == "escalate"
    assert "opioid-benzodiazepine" in [f["code"] for f in answer["findings"]]
