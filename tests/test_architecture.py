"""Data flows one way: the clinical core never imports the store, the services or a database."""

from __future__ import annotations

import ast
from pathlib import Path

CLINICAL = Path(__file__).resolve().parents[2] / "src" / "owm" / "clinical"
FORBIDDEN = ("owm.store", "owm.service", "owm.api", "owm.web", "owm.fhir", "sqlalchemy", "alembic")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_clinical_core_imports_nothing_from_the_store_or_the_services():
    offending = {
        str(path.relative_to(CLINICAL)): sorted(
            name for name in imports(path) if name.startswith(FORBIDDEN)
        )
        for path in CLINICAL.rglob("*.py")
    }
    assert {k: v for k, v in offending.items() if v} == {}
    assert len(offending) > 10
