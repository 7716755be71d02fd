"""The import contract: data flows one way, adapter -> service -> core -> service -> store.

Each package of owm is a layer, and a layer may import only the layers below it
(docs/architecture.md draws them):

    clinical     nothing of owm (and no database or web framework)
    store        clinical's types
    service      clinical, store, fhir, terminology
    fhir         clinical
    terminology  clinical
    http         service, and the store's unit of work and engine (owm.store.uow,
                 owm.store.engine); its app factory (owm.http.app) is the composition
                 root, the one module that puts the adapters together: api, web, cds
    api, web, cds  http, service, clinical, fhir
    cli          anything; nothing imports it (owm.__main__ runs it, as the owm script does)

Every import counts: at the top of a module or inside a function, under
TYPE_CHECKING or not, relative or absolute, and a module named in a string (a
uvicorn factory "owm.x.y:name", `importlib.import_module("owm.x")`). The root
package `owm` (its version) may be imported by any layer and imports nothing.
There are no exceptions listed here: a new import that breaks a rule fails this test.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SOURCE / "owm"

ALLOWED: dict[str, frozenset[str]] = {
    "clinical": frozenset(),
    "protocols": frozenset(),
    "store": frozenset({"clinical"}),
    "service": frozenset({"clinical", "store", "fhir", "terminology"}),
    "fhir": frozenset({"clinical"}),
    "terminology": frozenset({"clinical"}),
    "http": frozenset({"service", "owm.store.uow", "owm.store.engine"}),
    "api": frozenset({"http", "service", "clinical", "fhir"}),
    "web": frozenset({"http", "service", "clinical", "fhir"}),
    "cds": frozenset({"http", "service", "clinical", "fhir"}),
    "cli": frozenset(
        {"clinical", "store", "service", "fhir", "terminology", "http", "api", "web", "cds"}
    ),
}
"""Layer -> what it may import besides itself: a layer, or one module of a layer."""

COMPOSITION_ROOT = "owm.http.app"
ROOT_ALLOWED = frozenset({"api", "web", "cds"})
"""What the composition root may import besides what every http module may."""

ENTRY_POINTS = {"owm.__main__": frozenset({"owm.cli.launch"})}
"""Modules outside the layers, with exactly what each may import."""

THIRD_PARTY_FORBIDDEN: dict[str, tuple[str, ...]] = {
    "clinical": ("sqlalchemy", "alembic", "fastapi", "starlette", "httpx", "typer", "jinja2"),
    "fhir": ("sqlalchemy", "alembic", "fastapi", "starlette", "typer"),
    "terminology": ("sqlalchemy", "alembic", "fastapi", "starlette", "typer"),
    "store": ("fastapi", "starlette", "typer", "jinja2", "fhir"),
}
"""Libraries a layer must not use: the core knows no database, web framework or clock source."""

_NAMED_MODULE = re.compile(r"^(owm(?:\.[A-Za-z_]\w*)*)(?::[A-Za-z_]\w*)?$")


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} (line {self.line}) imports {self.imported}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _absolute(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(name: str, path: Path) -> Iterator[Import]:
    """Every module `name` imports (owm's and others), with the line that does it."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, is_package, node)
            yield Import(name, base, node.lineno)
            for alias in node.names:
                # `from owm.fhir import importer` imports the module owm.fhir.importer
                candidate = f"{base}.{alias.name}"
                if candidate in MODULES:
                    yield Import(name, candidate, node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _NAMED_MODULE.match(node.value)
            if match and match.group(1) in MODULES:
                yield Import(name, match.group(1), node.lineno)


MODULES = modules()


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "owm" else None


def allowed(importer: str, imported: str) -> bool:
    """Whether the contract lets `importer` import the owm module `imported`."""
    if imported == "owm" or imported == importer:
        return True
    if importer in ENTRY_POINTS:
        return imported in ENTRY_POINTS[importer]
    mine, theirs = layer_of(importer), layer_of(imported)
    if mine is None or theirs is None:
        return False
    if mine == theirs:
        return True
    permitted = ALLOWED[mine] | (ROOT_ALLOWED if importer == COMPOSITION_ROOT else frozenset())
    return theirs in permitted or any(
        imported == module or imported.startswith(module + ".")
        for module in permitted
        if "." in module
    )


@cache
def all_imports(name: str) -> tuple[Import, ...]:
    """Every import of the owm module `name`, read once per test session."""
    return tuple(imports_of(name, MODULES[name]))


def owm_imports() -> list[Import]:
    return [
        found
        for name in MODULES
        for found in all_imports(name)
        if found.imported == "owm" or found.imported.startswith("owm.")
    ]


def test_every_module_of_owm_belongs_to_a_layer_or_is_an_entry_point() -> None:
    stray = [
        name
        for name in MODULES
        if name != "owm" and name not in ENTRY_POINTS and layer_of(name) not in ALLOWED
    ]
    assert stray == []
    assert len(MODULES) > 150


def test_every_import_between_layers_follows_the_contract() -> None:
    broken = [str(found) for found in owm_imports() if not allowed(found.importer, found.imported)]
    assert broken == []


def test_nobody_imports_the_cli_but_the_cli_and_the_entry_point() -> None:
    into_cli = [
        str(found)
        for found in owm_imports()
        if layer_of(found.imported) == "cli"
        and layer_of(found.importer) != "cli"
        and found.importer not in ENTRY_POINTS
    ]
    assert into_cli == []


def test_the_root_package_imports_nothing_of_owm() -> None:
    assert [str(f) for f in all_imports("owm")] == []


@pytest.mark.parametrize("layer", sorted(THIRD_PARTY_FORBIDDEN))
def test_the_inner_layers_use_no_database_or_web_framework_they_should_not(layer: str) -> None:
    forbidden = THIRD_PARTY_FORBIDDEN[layer]
    offending = [
        str(found)
        for name in MODULES
        if layer_of(name) == layer
        for found in all_imports(name)
        if found.imported.split(".")[0] in forbidden
    ]
    assert offending == []


# -- the checker itself: each rule can fail ---------------------------------------------


@pytest.mark.parametrize(
    ("importer", "imported", "expected"),
    [
        ("owm.clinical.decide", "owm.clinical.state", True),
        ("owm.clinical.decide", "owm.store.models", False),
        ("owm.store.models", "owm.clinical.state", True),
        ("owm.store.models", "owm.service.errors", False),
        ("owm.fhir.importer", "owm.terminology", False),
        ("owm.service.dosing", "owm.terminology.lookup", True),
        ("owm.http.deps", "owm.store.uow", True),
        ("owm.http.deps", "owm.store.models", False),
        ("owm.http.deps", "owm.clinical", False),
        ("owm.http.deps", "owm.web.pages", False),
        ("owm.http.app", "owm.web", True),
        ("owm.web.patient", "owm.store.models", False),
        ("owm.cds.router", "owm.store.uow", False),
        ("owm.cds.router", "owm.terminology", False),
        ("owm.api.routes.users", "owm.cli.app", False),
        ("owm.cli.app", "owm.store.models", True),
        ("owm.__main__", "owm.cli.launch", True),
        ("owm.__main__", "owm.service", False),
        ("owm.web.pages", "owm", True),
    ],
)
def test_the_rules_say_what_the_contract_says(importer: str, imported: str, expected: bool) -> None:
    assert allowed(importer, imported) is expected


def test_imports_are_found_wherever_they_are_written(tmp_path: Path) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from owm.store.uow import UnitOfWork\n"
        "def f():\n"
        "    import owm.service.errors\n"
        "    from . import deps\n"
        "    return 'owm.http.app:create_app'\n",
        encoding="utf-8",
    )
    found = {i.imported for i in imports_of("owm.http.example", source)}
    assert {"owm.store.uow", "owm.service.errors", "owm.http.deps", "owm.http.app"} <= found
