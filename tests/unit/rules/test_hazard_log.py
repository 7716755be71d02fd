"""The hazard log (`docs/hazard-log.md`) names only tests and cases that exist.

Why: a hazard log that points at a renamed or deleted test claims a control
nobody proves any more. Every `file::function` it names must be a test function
in that file, every [case id] after it a case id of that test's file, and every
vignette it names a file in the vignette folder.
"""

from __future__ import annotations

import re
from pathlib import Path

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
