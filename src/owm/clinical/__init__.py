"""owm's clinical core: pure, deterministic, typed; no database, no HTTP, no clock.

`evaluate(parse_state(data, protocol), protocol)` is the whole decision; every
adapter (CLI, REST, CDS Hooks, FHIR) calls it.

The names below are imported on first use: a caller that needs only the
instruments (`owm score`, a printed form) does not pay for the state and protocol
models and their validation library.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from owm.clinical.decide import evaluate
    from owm.clinical.findings import Finding, Recommendation
    from owm.clinical.protocol import Protocol, ProtocolError, default_protocol, load_protocol
    from owm.clinical.state import PatientState, StateError, parse_state

__all__ = [
    "Finding",
    "PatientState",
    "Protocol",
    "ProtocolError",
    "Recommendation",
    "StateError",
    "default_protocol",
    "evaluate",
    "load_protocol",
    "parse_state",
]

_HOME = {
    "evaluate": "owm.clinical.decide",
    "Finding": "owm.clinical.findings",
    "Recommendation": "owm.clinical.findings",
    "Protocol": "owm.clinical.protocol",
    "ProtocolError": "owm.clinical.protocol",
    "default_protocol": "owm.clinical.protocol",
    "load_protocol": "owm.clinical.protocol",
    "PatientState": "owm.clinical.state",
    "StateError": "owm.clinical.state",
    "parse_state": "owm.clinical.state",
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
