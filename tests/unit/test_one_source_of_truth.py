"""One source of clinical truth: no adapter computes what the core computes.

Why: a copy of a rule in a page, a service, a card or a FHIR mapping drifts from
the core (the revision-2 audit found dose counting with a literal 24 h in the
service, NEWS2 scored again in a page, untreated time in another, the CDS card's
decision in the card). Every clinical computation lives in `owm.clinical` and is
called from there; this test reads the source of every other package and fails on:

- a read of the protocol's clinical numbers (`.dosing`, `.windows`, `.thresholds`,
  `.taper`, `.physiological_limits`, `.companion_triggers`, and the protocol's
  `due` and `acknowledgements` settings): the core reads them, adapters show
  what the core answers;
- an import of the core's working parts (`owm.clinical.context`, the rule
  modules, `instruments.news2`, `news2_points`): adapters call the core's
  functions, they do not rebuild a decision's facts;
- a literal copy of a clinical vocabulary (outcomes, counted outcomes, routes,
  consciousness levels, settings, ...): adapters import `owm.clinical.vocab`.
"""

from __future__ import annotations

import ast
from pathlib import Path

from owm.clinical import vocab
from owm.clinical.protocol import Acknowledgements, Due

SRC = Path(__file__).resolve().parents[2] / "src" / "owm"
CORE = SRC / "clinical"

PROTOCOL_SECTIONS = frozenset(
    {"dosing", "windows", "thresholds", "taper", "physiological_limits", "companion_triggers"}
)
# Sections whose name other objects share (`Recommendation.due`, `PatientState.acknowledgements`):
# only their protocol fields are looked for.
SHARED_NAME_FIELDS = {
    "due": frozenset(Due.model_fields),
    "acknowledgements": frozenset(Acknowledgements.model_fields),
}
CORE_INTERNALS = ("owm.clinical.context", "owm.clinical.rules")
CORE_INTERNAL_NAMES = frozenset({"news2", "news2_points", "Context"})
VOCABULARIES = {
    name: frozenset(value)
    for name, value in vars(vocab).items()
    if name.isupper() and isinstance(value, tuple | frozenset) and len(value) >= 3
}


def _adapter_files() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("*.py")
        if CORE not in p.parents and "migrations" not in p.parts and p.parent != SRC / "protocols"
    )


def _literal_strings(node: ast.AST) -> frozenset[str] | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        if node.func.id in ("frozenset", "set", "tuple") and len(node.args) == 1:
            return _literal_strings(node.args[0])
        return None
    if (
        isinstance(node, ast.Tuple | ast.List | ast.Set)
        and node.elts
        and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
    ):
        return frozenset(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


def _copies_in(tree: ast.AST, where: str) -> list[str]:
    """What one module computes that the core computes."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in PROTOCOL_SECTIONS:
                found.append(f"{where}:{node.lineno}: reads the protocol's .{node.attr}")
            elif (
                isinstance(node.value, ast.Attribute)
                and node.value.attr in SHARED_NAME_FIELDS
                and node.attr in SHARED_NAME_FIELDS[node.value.attr]
            ):
                found.append(
                    f"{where}:{node.lineno}: reads the protocol's .{node.value.attr}.{node.attr}"
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(CORE_INTERNALS):
                found.append(f"{where}:{node.lineno}: imports {node.module}")
            elif node.module.startswith("owm.clinical"):
                names = {a.name for a in node.names} & CORE_INTERNAL_NAMES
                if names:
                    found.append(f"{where}:{node.lineno}: imports {sorted(names)}")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Call):
            strings = _literal_strings(node)
            for name, words in VOCABULARIES.items():
                if strings is not None and strings == words:
                    found.append(f"{where}:{node.lineno}: a copy of owm.clinical.vocab.{name}")
    return found


def clinical_computations_outside_the_core() -> list[str]:
    """Every place outside `owm.clinical` that computes clinical facts itself."""
    found: list[str] = []
    for path in _adapter_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += _copies_in(tree, str(path.relative_to(SRC.parent)))
    return found


def test_no_adapter_computes_what_the_core_computes() -> None:
    found = clinical_computations_outside_the_core()
    assert found == [], "\n".join(found)


def test_the_check_finds_each_kind_of_copy() -> None:
    """The check is not blind: each kind of copy in an adapter is reported."""
    samples = {
        "protocol number": "def f(p):\n    return p.dosing.daily_max_mg\n",
        "protocol due": "def f(p):\n    return p.due.reassessment_minutes\n",
        "core internals": "from owm.clinical.context import Context\n",
        "news2 copy": "from owm.clinical.instruments import news2\n",
        "vocabulary": 'OUTCOMES = ("given", "partial", "vomited", "refused")\n',
        "counted outcomes": 'C = frozenset({"given", "partial", "vomited"})\n',
    }
    for label, source in samples.items():
        assert _copies_in(ast.parse(source), label), label
    fine = "def f(rec):\n    return rec.due['assessment'], rec.dose_mg\n"
    assert _copies_in(ast.parse(fine), "fine") == []
