"""The hazard log (`docs/hazard-log.md`): every hazard's control runs on a case of its own.

Why: a hazard log that points at a renamed or deleted test claims a control
nobody proves any more, and one that only checks that tests exist stays green
when a control is disconnected. So: every hazard of the log has a case in
`hazard_cases.py` that runs its control and asserts the action (removing the
control fails it); every `file::function` the log names is a test function in that
file, every [case id] after it a case id of that test's file, and every vignette
it names a file in the vignette folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .hazard_cases import CASES
from .support import VIGNETTES

ROOT = Path(__file__).resolve().parents[3]
LOG = ROOT / "docs" / "hazard-log.md"
TOKEN = re.compile(
    r"`(?P<ref>tests/[\w/]+\.py::\w+)`|\[(?P<case>[^\]]+)\]|vignettes? `(?P<vignette>[\w-]+)`"
)


def test_every_named_test_case_and_vignette_exists() -> None:
    text = LOG.read_text(encoding="utf-8")
    references = 0
    current: str | None = None
    for row in (line for line in text.splitlines() if line.startswith("| H")):
        current = None
        for token in TOKEN.finditer(row):
            if token["ref"]:
                path, _, function = token["ref"].partition("::")
                source = (ROOT / path).read_text(encoding="utf-8")
                assert re.search(rf"^def {function}\(", source, re.M), token["ref"]
                current, references = source, references + 1
            elif token["case"]:
                assert current is not None, f"case [{token['case']}] names no test"
                assert f'id="{token["case"]}"' in current, f"no case [{token['case']}]"
            elif token["vignette"]:
                assert (VIGNETTES / f"{token['vignette']}.json").is_file(), token["vignette"]
    assert references > 50


def test_every_hazard_names_a_control_and_a_test() -> None:
    rows = [line for line in LOG.read_text(encoding="utf-8").splitlines() if line.startswith("| H")]
    assert len(rows) >= 20
    for row in rows:
        number, hazard, control, proof = (cell.strip() for cell in row.strip("|").split("|"))
        assert hazard and control, number
        assert "::" in proof, f"{number} names no test"


def _hazards() -> list[str]:
    rows = [line for line in LOG.read_text(encoding="utf-8").splitlines() if line.startswith("| H")]
    return [row.strip("|").split("|")[0].strip() for row in rows]


def test_every_hazard_has_a_case_and_every_case_a_hazard() -> None:
    hazards = _hazards()
    assert len(hazards) == len(set(hazards)), "a hazard number is used twice"
    assert set(hazards) == set(CASES), (
        sorted(set(hazards) - set(CASES)),
        sorted(set(CASES) - set(hazards)),
    )


@pytest.mark.parametrize("number", sorted(CASES, key=lambda n: int(n[1:])))
def test_the_control_of_each_hazard_acts_on_its_case(number: str) -> None:
    CASES[number]()
