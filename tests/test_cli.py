"""The `owm` command as a user runs it: a real process, its output, its exit status.

Bad input exits with status 2, prints nothing on standard output, and says on
standard error what is wrong: the field, the value and what is allowed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from owm.clinical.instruments import OOWS, SOWS, Instrument

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "state-moderate-withdrawal.json"
COWS_15 = [
    "resting_pulse=1",
    "sweating=1",
    "restlessness=3",
    "pupil_size=1",
    "bone_joint_aches=2",
    "runny_nose_tearing=1",
    "gi_upset=2",
    "tremor=1",
    "yawning=1",
    "anxiety_irritability=2",
    "gooseflesh=0",
]


def owm(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m owm` in a fresh process, as a script or a person would."""
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "owm", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=60,
    )


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def refused(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


# -- owm evaluate ---------------------------------------------------------------------


def test_evaluate_a_file_prints_the_recommendation() -> None:
    result = owm("evaluate", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["format"] == "owm-recommendation/1"
    assert answer["protocol"] == {"id": "clonazepam-adjunct", "version": "2"}
    assert (answer["action"], answer["dose_mg"], answer["route"]) == ("give", "0.5", "oral")
    assert answer["next_dose_not_before"] == "2026-11-25T20:00:00Z"
    assert answer["remaining_24h_mg"] == "3.0"
    assert answer["withdrawal"]["score"] == 15
    assert answer["disclaimer"]
    assert result.stderr == ""


def test_evaluate_reads_standard_input_for_a_dash() -> None:
    from_file = owm("evaluate", str(EXAMPLE))
    from_stdin = owm("evaluate", "-", stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout == from_file.stdout


def test_the_installed_script_runs_too() -> None:
    script = Path(sys.executable).parent / "owm"
    if not script.exists():  # pragma: no cover - only when run outside the project's venv
        pytest.skip("no owm script beside this Python")
    result = subprocess.run(
        [str(script), "evaluate", str(EXAMPLE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "give"


def test_evaluate_as_text_for_a_person() -> None:
    result = owm("evaluate", str(EXAMPLE), "--format", "text")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0] == "GIVE  clonazepam 0.5 mg oral"
    assert "at 2026-11-25 14:00 GMT" in text  # ward time, Europe/London in November
    assert "protocol clonazepam-adjunct v2" in text
    assert "next dose not before: 2026-11-25 20:00 GMT" in text
    assert "COWS 15 (moderate)" in text
    assert "NEWS2 1 (low)" in text
    assert "info  counselling  (counselling.patient)" in text  # findings with their rule
    assert "source: Clonazepam (Klonopin) in opioid withdrawal" in text  # and their source
    assert "ondansetron for nausea" in text
    assert "never doses by itself" in text


def test_text_shows_the_checklist_and_times_in_the_ward_s_zone() -> None:
    data = example()
    data["ward"]["timezone"] = "America/New_York"
    data["sedation"][0]["level"] = "4"
    result = owm("evaluate", "-", "--format", "text", stdin=json.dumps(data))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("EMERGENCY")
    assert "at 2026-11-25 09:00 EST" in result.stdout
    assert "Overdose checklist" in result.stdout
    assert "  [ ] Give naloxone if opioids may be involved." in result.stdout
    assert "critical  overdose-suspected  (emergency.overdose)" in result.stdout


def test_evaluate_with_a_units_protocol(tmp_path: Path) -> None:
    shown = owm("protocol", "show")
    data = yaml.safe_load(shown.stdout)
    data["version"] = "7"
    data["dosing"]["standard_mg"] = "0.25"
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = owm("evaluate", str(EXAMPLE), "--protocol", str(path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["protocol"]["version"], answer["dose_mg"]) == ("7", "0.25")


def test_bad_json_is_refused() -> None:
    refused(
        owm("evaluate", "-", stdin='{"format": "owm-state/1",\n "at": }'),
        "standard input is not valid JSON: Expecting value at line 2 column 8",
    )


def test_a_json_document_that_is_not_an_object_is_refused() -> None:
    refused(owm("evaluate", "-", stdin="[1, 2, 3]"), "must be a JSON object")


def test_an_empty_input_is_refused() -> None:
    refused(owm("evaluate", "-", stdin=""), "standard input is empty")


def _malformed(tmp_path: Path) -> list[tuple[str, bytes, str]]:
    base = json.dumps(example())
    return [
        (
            "huge number",
            base.replace('"age_years": 34', '"age_years": ' + "9" * 5000).encode(),
            "an integer of 5000 digits",
        ),
        ("1e999", base.replace('"age_years": 34', '"age_years": 1e999').encode(), "too large"),
        ("NaN", base.replace('"age_years": 34', '"age_years": NaN').encode(), "NaN"),
        ("deep nesting", b"[" * 100_000 + b"]" * 100_000, "nested deeper than 64 levels"),
        (
            "duplicate key",
            base.replace('"age_years": 34', '"age_years": 70, "age_years": 34').encode(),
            "patient.age_years: the key 'age_years' is given twice",
        ),
        ("non-UTF-8", b"\xff\xfe" + base.encode(), "is not UTF-8 text"),
        ("empty", b"", "is empty"),
        (
            "6 MB",
            base.replace('"sex"', '"pad": "' + "x" * 6_000_000 + '", "sex"').encode(),
            "larger than 5 MB",
        ),
        ("lone surrogate", base.replace('"female"', '"\\ud800"').encode(), "lone surrogate"),
        (
            "host time zone",
            base.replace('"Europe/London"', '"localtime"').encode(),
            "not a canonical IANA time zone name",
        ),
    ]


@pytest.mark.parametrize(
    "case",
    [
        "huge number",
        "1e999",
        "NaN",
        "deep nesting",
        "duplicate key",
        "non-UTF-8",
        "empty",
        "6 MB",
        "lone surrogate",
        "host time zone",
    ],
)
def test_malformed_documents_exit_2_with_a_message_and_no_traceback(
    case: str, tmp_path: Path
) -> None:
    """Through the real `owm evaluate` (its plain start-up path) and the Typer command."""
    ((name, data, says),) = [c for c in _malformed(tmp_path) if c[0] == case]
    path = tmp_path / "state.json"
    path.write_bytes(data)
    for args in (("evaluate", str(path)), ("evaluate", str(path), "--format", "text", "--fhir")):
        result = owm(*args)
        if "--fhir" in args and case == "host time zone":
            continue  # a Bundle has no ward block; the zone check is the state's
        assert result.returncode == 2, (name, result.returncode, result.stderr[-500:])
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        if "--fhir" not in args:
            assert says in result.stderr, (says, result.stderr[:500])


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    refused(owm("evaluate", str(path)), f"{path} is not UTF-8 text")


def test_a_bad_state_is_refused_naming_field_value_and_allowed() -> None:
    data = example()
    data["vitals"][0]["pulse"] = 400
    data["patient"]["conditions"] = ["flu"]
    refused(
        owm("evaluate", "-", stdin=json.dumps(data)),
        "invalid owm-state/1",
        "vitals[0].pulse: value 400 is outside the possible range; allowed: 0 to 300",
        "patient.conditions[0]:",
        "'flu'",
        "'sleep-apnoea'",
    )


def test_the_bad_cows_vignette_is_refused() -> None:
    data = example()
    data["assessments"][1]["items"]["restlessness"] = 2
    refused(
        owm("evaluate", "-", stdin=json.dumps(data)),
        "assessments[1].items.restlessness",
        "value 2 is not allowed; allowed: 0, 1, 3, 5",
    )


def test_a_time_without_a_timezone_is_refused() -> None:
    data = example()
    data["at"] = "2026-11-25T14:00:00"
    refused(owm("evaluate", "-", stdin=json.dumps(data)), "at: Input should have timezone info")


def test_acknowledging_a_hold_is_refused() -> None:
    data = example()
    data["acknowledgements"] = [
        {"finding": "min-interval", "by": "physician", "at": "2026-11-25T13:00:00Z", "reason": "x"}
    ]
    refused(
        owm("evaluate", "-", stdin=json.dumps(data)),
        "acknowledgements[0].finding: finding 'min-interval' cannot be acknowledged",
    )


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    refused(owm("evaluate", str(path)), f"cannot read {path}: No such file or directory")


def test_a_missing_protocol_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    refused(
        owm("evaluate", str(EXAMPLE), "--protocol", str(path)),
        f"cannot read protocol {path}: No such file or directory",
    )


def test_a_broken_protocol_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(owm("protocol", "show").stdout)
    data["dosing"]["night_mg"] = "3"
    del data["version"]
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    refused(
        owm("evaluate", str(EXAMPLE), "--protocol", str(path)),
        f"invalid protocol {path}:",
        "version: required field is missing",
        "dosing.night_mg: 3 mg is above max_single_mg (2 mg)",
    )


def test_a_protocol_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text("dosing: [\n", encoding="utf-8")
    refused(owm("evaluate", str(EXAMPLE), "--protocol", str(path)), "is not valid YAML at line")


def test_a_state_for_another_protocol_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(owm("protocol", "show").stdout)
    data["id"] = "unit-7"
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    refused(
        owm("evaluate", str(EXAMPLE), "--protocol", str(path)),
        "protocol: protocol 'clonazepam-adjunct' is not the protocol in force; allowed: 'unit-7'",
    )


def test_an_unknown_format_is_refused() -> None:
    refused(
        owm("evaluate", str(EXAMPLE), "--format", "xml"),
        "--format: 'xml' is not allowed; allowed: json, text",
    )


# -- owm protocol show ----------------------------------------------------------------


def test_protocol_show_prints_the_protocol_in_force() -> None:
    result = owm("protocol", "show")
    assert result.returncode == 0, result.stderr
    shown = yaml.safe_load(result.stdout)
    assert (shown["id"], shown["version"]) == ("clonazepam-adjunct", "2")
    assert shown["dosing"]["standard_mg"] == "0.5"
    assert shown["dosing"]["daily_max_mg"] == "4"
    assert shown["findings"]["alcohol"]["source"] == ["seed", "fda-label"]
    assert shown["companions"][0]["for"] == "autonomic"


def test_protocol_show_with_a_units_protocol(tmp_path: Path) -> None:
    data = yaml.safe_load(owm("protocol", "show").stdout)
    data["version"] = "2026-12"
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = owm("protocol", "show", "--protocol", str(path))
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["version"] == "2026-12"


# -- owm score ------------------------------------------------------------------------


def test_score_cows() -> None:
    result = owm("score", "cows", *COWS_15)
    assert (result.returncode, result.stdout, result.stderr) == (0, "COWS 15 (moderate)\n", "")


@pytest.mark.parametrize(
    ("instrument", "value", "expected"),
    [(SOWS, 1, "SOWS 16 (moderate)\n"), (OOWS, 0, "OOWS 0\n")],
    ids=["SOWS", "OOWS"],
)
def test_score_sows_and_oows(instrument: Instrument, value: int, expected: str) -> None:
    pairs = [f"{key}={value}" for key in instrument.item_keys]
    result = owm("score", instrument.code.lower(), *pairs)
    assert (result.returncode, result.stdout) == (0, expected), result.stderr


def test_score_refuses_a_value_not_on_the_form() -> None:
    items = [i if not i.startswith("restlessness") else "restlessness=2" for i in COWS_15]
    refused(
        owm("score", "cows", *items),
        "COWS item 'restlessness' value 2 is not allowed; allowed: 0, 1, 3, 5",
    )


def test_score_refuses_missing_items() -> None:
    refused(owm("score", "cows", "tremor=1"), "COWS items resting_pulse, sweating,", "are missing")


def test_score_refuses_an_unknown_item() -> None:
    refused(owm("score", "cows", *COWS_15, "sneezing=1"), "COWS has no item 'sneezing'")


def test_score_refuses_an_item_given_twice() -> None:
    refused(owm("score", "cows", *COWS_15, "tremor=2"), "item 'tremor' is given twice")


@pytest.mark.parametrize("pair", ["tremor", "tremor=", "tremor=high", "tremor=1.5"])
def test_score_refuses_what_is_not_item_equals_number(pair: str) -> None:
    others = [i for i in COWS_15 if not i.startswith("tremor")]
    refused(owm("score", "cows", *others, pair), f"{pair!r} is not ITEM=VALUE")


def test_score_refuses_an_unknown_instrument() -> None:
    refused(
        owm("score", "ciwa", "tremor=1"),
        "instrument 'ciwa' is not allowed; allowed: COWS, SOWS, OOWS",
    )


def test_text_shows_the_taper_plan() -> None:
    data = example()
    data["administrations"] = [
        {"drug": "clonazepam", "dose_mg": "0.5", "at": f"2026-11-{day:02d}T{hour}:00:00Z"}
        for day in range(16, 26)
        for hour in ("08", "14", "20")
        if f"2026-11-{day:02d}T{hour}" < "2026-11-25T14"
    ]
    result = owm("evaluate", "-", "--format", "text", stdin=json.dumps(data))
    assert result.returncode == 0, result.stderr
    assert "warning  taper-needed  (course.taper_needed)" in result.stdout
    assert "Taper plan:" in result.stdout
    # the regimen is 1.5 mg/day (0.5 mg three times a day), although only 1 mg falls in
    # the 24 h before the decision (20:00 and 08:00): one step down, to 1.25 mg/day
    assert "  from 2026-11-26: 0.625 mg 2 times a day (1.25 mg/day)" in result.stdout
    assert "  from 2026-12-11: stop" in result.stdout


# -- the plain `owm evaluate` runs without Typer, and answers as the Typer command does ---


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["evaluate", "s.json"], ("s.json", None, "json")),
        (["evaluate", "-"], ("-", None, "json")),
        (["evaluate", "s.json", "--format", "text"], ("s.json", None, "text")),
        (["evaluate", "--format=text", "s.json"], ("s.json", None, "text")),
        (["evaluate", "s.json", "--protocol", "u.yaml"], ("s.json", Path("u.yaml"), "json")),
        (["evaluate", "--protocol=u.yaml", "-", "--format", "xml"], ("-", Path("u.yaml"), "xml")),
    ],
)
def test_plain_evaluate_command_lines(args: list[str], expected: tuple[Any, ...]) -> None:
    from owm.cli.launch import plain_evaluate

    assert plain_evaluate(args) == expected


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["score", "cows"],
        ["evaluate"],
        ["evaluate", "a.json", "b.json"],
        ["evaluate", "a.json", "--fhir"],
        ["evaluate", "a.json", "--help"],
        ["evaluate", "--help"],
        ["evaluate", "a.json", "--format"],
        ["evaluate", "a.json", "--format="],
        ["evaluate", "a.json", "--format", "json", "--format", "text"],
        ["evaluate", "a.json", "--colour"],
        ["evaluate", "-x"],
        ["evaluate", "a.json", "--"],
    ],
)
def test_anything_else_goes_to_the_typer_application(args: list[str]) -> None:
    from owm.cli.launch import plain_evaluate

    assert plain_evaluate(args) is None


def test_the_plain_evaluate_loads_no_command_line_framework() -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['owm', 'evaluate', {str(EXAMPLE)!r}]\n"
        "from owm.cli.launch import main\n"
        "main()\n"
        "loaded = sorted(m for m in ('typer', 'click', 'rich', 'numpy', 'sqlalchemy', 'fastapi')"
        " if m in sys.modules)\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "give"
    assert result.stderr == "[]"


def _state_with(change: str) -> str:
    data = example()
    if change == "bad pulse":
        data["vitals"][0]["pulse"] = 400
    elif change == "not an object":
        return "[1]"
    elif change == "bad json":
        return "{"
    return json.dumps(data)


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["evaluate", str(EXAMPLE)], None),
        (["evaluate", "-", "--format", "text"], _state_with("")),
        (["evaluate", "-"], _state_with("bad pulse")),
        (["evaluate", "-"], _state_with("not an object")),
        (["evaluate", "-"], _state_with("bad json")),
        (["evaluate", str(EXAMPLE), "--format", "xml"], None),
        (["evaluate", "/nowhere/state.json"], None),
        (["evaluate", str(EXAMPLE), "--protocol", "/nowhere/unit.yaml"], None),
    ],
    ids=[
        "json",
        "text",
        "bad state",
        "not an object",
        "bad json",
        "bad format",
        "no file",
        "no protocol",
    ],
)
def test_the_plain_path_and_the_typer_command_answer_alike(
    args: list[str], stdin: str | None
) -> None:
    from typer.testing import CliRunner

    from owm.cli.app import app

    plain = owm(*args, stdin=stdin)
    typer_run = CliRunner().invoke(app, args, input=stdin, env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert (typer_run.exit_code, typer_run.stdout, typer_run.stderr) == (
        plain.returncode,
        plain.stdout,
        plain.stderr,
    )
