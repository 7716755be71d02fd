"""FHIR R4 in and out: a patient state as a Bundle, and a Bundle as a state.

`export_state(state)` writes a validated FHIR R4 `Bundle` (type collection) for
an owm-state/1 state (and, optionally, the DetectedIssues of its
recommendation); `import_bundle(bundle, protocol)` reads a Bundle back into an
owm-state/1 document, raising `BundleError` with one line per problem. The
models of fhir.resources (R4B) validate both directions. The code systems owm
writes are in `owm.fhir.codes` and `docs/fhir.md`.

Importing this package stays light (the CLI imports `owm.cli.import_folder` at
start-up, and `owm evaluate` must start fast): the names above are loaded on
first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from owm.fhir.export import export_state
    from owm.fhir.importer import BundleError, ImportResult, import_bundle

__all__ = ["BundleError", "ImportResult", "export_state", "import_bundle"]


def __getattr__(name: str) -> Any:
    if name == "export_state":
        from owm.fhir.export import export_state

        return export_state
    if name in ("BundleError", "ImportResult", "import_bundle"):
        from owm.fhir import importer

        return getattr(importer, name)
    raise AttributeError(f"module 'owm.fhir' has no attribute {name!r}")
