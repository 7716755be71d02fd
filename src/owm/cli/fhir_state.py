"""`owm evaluate --fhir`: a Bundle read as a state, with what was not read said out loud.

Why apart from the importer: the command line has two duties the importer does
not. It warns, on stderr, about every resource it did not read (above all an
active Condition or AllergyIntolerance whose codes owm cannot map: owm decided
without it, and the clinician must know), and it takes the ward's time zone
from `--timezone` for a Bundle that does not carry owm's ward-time-zone
extension, saying plainly what is missing when neither gives one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from owm.clinical.protocol import Protocol
from owm.clinical.state import PatientState

__all__ = ["FhirInputError", "state_from_bundle"]


class FhirInputError(ValueError):
    """The Bundle (or --timezone) cannot give a state; the message names what and why."""


def state_from_bundle(
    document: Any,
    protocol: Protocol,
    *,
    timezone: str | None = None,
    warn: Callable[[str], object] | None = None,
) -> PatientState:
    """The state of a FHIR Bundle; each resource not read is passed to `warn` as one line."""
    from owm.fhir.codes import EXT
    from owm.fhir.importer import BundleError, import_bundle
    from owm.terminology import TERMINOLOGY

    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise FhirInputError(
                f"--timezone: {timezone!r} is not allowed; allowed: an IANA time zone "
                "such as Europe/London"
            ) from None
    try:
        result = import_bundle(document, protocol, terminology=TERMINOLOGY, timezone=timezone)
    except BundleError as error:
        message = str(error)
        if any("no ward time zone" in p for p in error.problems):
            message += (
                f"\nthe ward's time zone is missing: the Bundle's Encounter has no {EXT.ward_timezone} "
                "extension and no --timezone was given; give it as --timezone ZONE "
                "(an IANA name such as Europe/London)"
            )
        raise FhirInputError(message) from None
    if warn is not None:
        for line in result.unmapped:
            warn(f"warning: not read, owm decided without it (check it yourself): {line}")
        unmapped = set(result.unmapped)
        for line in result.ignored:
            if not any(line.startswith(u) for u in unmapped):
                warn(f"warning: not read: {line}")
    return result.state
