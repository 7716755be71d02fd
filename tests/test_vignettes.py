"""Every clinical vignette in ../shared/vignettes, run exactly as `owm evaluate` runs it.

Why one parametrised test over a folder of data (as httpx's `tests/models/test_whatwg.py`
runs over `whatwg.json`): the vignettes are the clinical team's cases, written
outside the code. A vignette added to the folder is tested without touching this
file, and a vignette this file cannot fully check fails instead of passing half
checked: every `expect` key must be one this file knows how to compare
(`../shared/vignettes/README.md`).

A bad-input vignette (`exit_status`) runs the real CLI in-process and checks its
exit status and stderr. Every other vignette goes through `parse_state` and
`evaluate` (what `owm evaluate` calls), and the CLI must print the same answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from owm.cli.app import app
from owm.clinical import default_protocol, evaluate, parse_state
from owm.clinical.document import read_document

VIGNETTES = Path(__file__).resolve().parent / "data" / "vignettes"


def _vignette_files() -> list[Path]:
    # Fail at collection, loudly: a missing or empty folder must never look like a pass.
    if not VIGNETTES.is_dir():
        raise FileNotFoundError(f"the vignette folder {VIGNETTES} is missing")
    files = sorted(VIGNETTES.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"the vignette folder {VIGNETTES} has no *.json vignettes")
    return files


FILES = _vignette_files()

# expect key -> how it is read from the owm-recommendation/1 answer
ANSWER_FIELDS: dict[str, tuple[str, ...]] = {
    "action": ("action",),
    "dose_mg": ("dose_mg",),
    "next_dose_not_before": ("next_dose_not_before",),
    "remaining_24h_mg": ("remaining_24h_mg",),
    "course_day": ("course_day",),
    "withdrawal_score": ("withdrawal", "score"),
    "withdrawal_band": ("withdrawal", "band"),
    "news2_score": ("news2", "score"),
    "due_reassessment": ("due", "reassessment"),
    "due_assessment": ("due", "assessment"),
    "due_observations": ("due", "observations"),
}
DECIMALS = frozenset({"dose_mg", "remaining_24h_mg"})
TIMES = frozenset(
    {"next_dose_not_before", "due_reassessment", "due_assessment", "due_observations"}
)
LISTS = frozenset(
    {"findings", "absent_findings", "acknowledged", "companions", "companions_empty", "checklist"}
)
BAD_INPUT = frozenset({"exit_status", "mentions"})
KNOWN = frozenset(ANSWER_FIELDS) | LISTS | BAD_INPUT


def _field(answer: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = answer
    for part in path:
        if value is None:
            return None
        if part not in value:
            raise AssertionError(f"the answer has no {'.'.join(path)}")
        value = value[part]
    return value


def _same(key: str, expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if key in DECIMALS:
        return Decimal(str(expected)) == Decimal(str(actual))
    if key in TIMES:
        return datetime.fromisoformat(expected) == datetime.fromisoformat(actual)
    return bool(expected == actual)


Check = Callable[[Any, dict[str, Any]], list[str]]


def _answer_field(key: str) -> Check:
    def check(expected: Any, answer: dict[str, Any]) -> list[str]:
        if key == "dose_mg" and "dose_mg" not in answer:
            return [f"dose_mg: expected {expected}, the answer has no dose"]
        actual = _field(answer, ANSWER_FIELDS[key])
        return (
            []
            if _same(key, expected, actual)
            else [f"{key}: expected {expected!r}, got {actual!r}"]
        )

    return check


def _codes(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for f in answer["findings"]}


def _findings(expected: Any, answer: dict[str, Any]) -> list[str]:
    present = _codes(answer)
    missing = [c for c in expected if c not in present]
    return [f"findings {missing} missing; present {sorted(present)}"] if missing else []


def _absent_findings(expected: Any, answer: dict[str, Any]) -> list[str]:
    present = [c for c in expected if c in _codes(answer)]
    return [f"findings {present} must be absent"] if present else []


def _acknowledged(expected: Any, answer: dict[str, Any]) -> list[str]:
    problems = []
    for code in expected:
        finding = _codes(answer).get(code)
        if finding is None:
            problems.append(f"acknowledged {code}: finding absent")
        elif finding["severity"] != "warning" or finding.get("acknowledged") is not True:
            problems.append(
                f"acknowledged {code}: severity {finding['severity']}, "
                f"acknowledged {finding.get('acknowledged')}"
            )
    return problems


def _companions(expected: Any, answer: dict[str, Any]) -> list[str]:
    drugs = [c["drug"] for c in answer["companions"]]
    missing = [d for d in expected if d not in drugs]
    return [f"companions {missing} missing; present {drugs}"] if missing else []


def _companions_empty(expected: Any, answer: dict[str, Any]) -> list[str]:
    drugs = [c["drug"] for c in answer["companions"]]
    if bool(expected) and drugs:
        return [f"companions_empty: expected none, present {drugs}"]
    if not expected and not drugs:
        return ["companions_empty: expected some companions, there are none"]
    return []


def _checklist(expected: Any, answer: dict[str, Any]) -> list[str]:
    if bool(answer["checklist"]) is not bool(expected):
        return [f"checklist: expected {'non-' if expected else ''}empty"]
    return []


CHECKS: dict[str, Check] = {
    **{key: _answer_field(key) for key in ANSWER_FIELDS},
    "findings": _findings,
    "absent_findings": _absent_findings,
    "acknowledged": _acknowledged,
    "companions": _companions,
    "companions_empty": _companions_empty,
    "checklist": _checklist,
}


def check_answer(expect: dict[str, Any], answer: dict[str, Any]) -> list[str]:
    """Every difference between `expect` and the answer, one line each (empty: all match)."""
    problems: list[str] = []
    for key, expected in expect.items():
        problems += CHECKS[key](expected, answer)
    return problems


def test_every_answer_key_has_a_check() -> None:
    assert set(CHECKS) == KNOWN - BAD_INPUT


def state_text(vignette: dict[str, Any]) -> str:
    """The state document as `owm evaluate` gets it: `raw_state` exactly as written (a key
    given twice must reach the reader), else the `state` written as JSON."""
    if "raw_state" in vignette:
        raw: str = vignette["raw_state"]
        return raw
    return json.dumps(vignette["state"])


def run_cli(text: str, tmp_path: Path) -> Any:
    path = tmp_path / "state.json"
    path.write_bytes(text.encode("utf-8"))
    return CliRunner().invoke(app, ["evaluate", str(path)])


def verify(vignette: dict[str, Any], name: str, tmp_path: Path) -> None:
    """Run one vignette as `owm evaluate` would and compare every expect key."""
    assert vignette.get("format") == "owm-vignette/1", f"{name}: not an owm-vignette/1"
    expect: dict[str, Any] = vignette["expect"]
    assert expect, f"{name}: expects nothing"
    unknown = sorted(set(expect) - KNOWN)
    assert not unknown, f"{name}: expect keys {unknown} are not known to this test"

    if "exit_status" in expect or "mentions" in expect:
        assert "exit_status" in expect, f"{name}: mentions without exit_status"
        others = sorted(set(expect) - BAD_INPUT)
        assert not others, f"{name}: a bad-input vignette cannot also expect {others}"
        result = run_cli(state_text(vignette), tmp_path)
        assert result.exit_code == expect["exit_status"], result.output
        assert result.stdout == "", "bad input must not print an answer"
        for text in expect.get("mentions", []):
            assert text in result.stderr, f"{text!r} not in stderr: {result.stderr}"
        return

    protocol = default_protocol()
    document = read_document(state_text(vignette), name=name)
    answer = evaluate(parse_state(document, protocol), protocol).to_json()
    problems = check_answer(expect, answer)
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)

    result = run_cli(state_text(vignette), tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == answer, "owm evaluate printed a different answer"


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_vignette(path: Path, tmp_path: Path) -> None:
    verify(json.loads(path.read_text(encoding="utf-8")), path.name, tmp_path)


def _base_vignette() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VIGNETTES / "01-base-give.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize(
    ("expect", "why"),
    [
        pytest.param({"action": "give", "dose": "0.5"}, "not known", id="misspelt key"),
        pytest.param({"due_next_dose": "2026-11-25T20:00:00Z"}, "not known", id="invented key"),
        pytest.param(
            {"exit_status": 2, "action": "give"}, "cannot also", id="bad input and answer"
        ),
        pytest.param({"mentions": ["restlessness"]}, "without exit_status", id="mentions alone"),
    ],
)
def test_a_vignette_that_cannot_be_fully_checked_fails(
    expect: dict[str, Any], why: str, tmp_path: Path
) -> None:
    """A new vignette with a key this test does not compare fails rather than half passes."""
    vignette = {**_base_vignette(), "expect": expect}
    with pytest.raises(AssertionError, match=why):
        verify(vignette, "new.json", tmp_path)


def test_every_key_of_the_readme_table_is_compared() -> None:
    """The README's table is the contract: each key in it has a comparison here."""
    readme = (VIGNETTES / "README.md").read_text(encoding="utf-8")
    keys: set[str] = set()
    for line in readme.splitlines():
        if not line.startswith("|"):
            continue
        first = line.strip().strip("|").split("|")[0].strip()
        if first != "expect key" and set(first) - set("-"):
            keys.update(k.strip() for k in first.split(","))
    assert {"action", "dose_mg", "exit_status", "mentions"} <= keys, keys
    assert keys <= KNOWN, sorted(keys - KNOWN)


@pytest.mark.parametrize(
    ("expect", "wrong"),
    [
        ({"action": "hold"}, "action"),
        ({"dose_mg": "1"}, "dose_mg"),
        ({"remaining_24h_mg": "3.5"}, "remaining_24h_mg"),
        ({"next_dose_not_before": "2026-11-25T20:01:00Z"}, "next_dose_not_before"),
        ({"course_day": 3}, "course_day"),
        ({"withdrawal_score": 14}, "withdrawal_score"),
        ({"withdrawal_band": "mild"}, "withdrawal_band"),
        ({"news2_score": 0}, "news2_score"),
        ({"due_reassessment": "2026-11-25T15:01:00Z"}, "due_reassessment"),
        ({"due_assessment": None}, "due_assessment"),
        ({"due_observations": "2026-11-25T17:29:00Z"}, "due_observations"),
        ({"findings": ["night-dose"]}, "findings"),
        ({"absent_findings": ["counselling"]}, "findings"),
        ({"acknowledged": ["counselling"]}, "acknowledged"),
        ({"companions": ["hydroxyzine"]}, "companions"),
        ({"companions_empty": True}, "companions_empty"),
        ({"checklist": True}, "checklist"),
    ],
)
def test_each_comparison_can_fail(expect: dict[str, Any], wrong: str) -> None:
    """Each comparison catches a wrong answer (on the base vignette's answer)."""
    protocol = default_protocol()
    answer = evaluate(parse_state(_base_vignette()["state"], protocol), protocol).to_json()
    problems = check_answer(expect, answer)
    assert len(problems) == 1 and wrong in problems[0], problems


def test_equal_values_written_differently_match() -> None:
    """Decimals and times compare by value: "1" equals "1.0", Z equals +00:00."""
    answer = {
        "dose_mg": "1.0",
        "remaining_24h_mg": "3.0",
        "next_dose_not_before": "2026-11-25T20:00:00Z",
        "findings": [],
    }
    expect = {
        "dose_mg": "1",
        "remaining_24h_mg": "3",
        "next_dose_not_before": "2026-11-25T20:00:00+00:00",
    }
    assert check_answer(expect, answer) == []
