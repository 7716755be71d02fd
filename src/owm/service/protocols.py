"""Which protocol a ward runs: its id (stored on the ward) to the validated Protocol.

The shipped protocol is always known; a unit's own protocol file can be
registered at start-up (`register(load_protocol(path))`). A ward naming a
protocol that is not registered cannot be decided on: `NotFound`.
"""

from __future__ import annotations

from owm.clinical import Protocol, default_protocol
from owm.service.errors import NotFound

__all__ = ["known_ids", "protocol_for", "register"]

_REGISTERED: dict[str, Protocol] = {}


def register(protocol: Protocol) -> None:
    """Make `protocol` available to wards that name its id (replacing one of the same id)."""
    _REGISTERED[protocol.id] = protocol


def known_ids() -> tuple[str, ...]:
    return tuple(sorted({default_protocol().id, *_REGISTERED}))


def protocol_for(protocol_id: str) -> Protocol:
    """The protocol in force for `protocol_id`."""
    if protocol_id in _REGISTERED:
        return _REGISTERED[protocol_id]
    shipped = default_protocol()
    if protocol_id == shipped.id:
        return shipped
    raise NotFound("protocol", protocol_id)
