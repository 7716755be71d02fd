"""owm's clinical core: pure, deterministic, typed; no database, no HTTP, no clock.

`evaluate(parse_state(data, protocol), protocol)` is the whole decision; every
adapter (CLI, REST, CDS Hooks, FHIR) calls it.
"""

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
