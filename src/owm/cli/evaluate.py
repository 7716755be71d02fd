"""`owm evaluate`, the work itself, without the command-line framework.

Why apart from `owm.cli.app`: scripts and other programs run `owm evaluate` once per
decision, so its start-up time is the decision's latency. The plain forms of the
command (see `owm.cli.launch`) run this module directly and never load Typer; the
Typer command in `owm.cli.app` calls the same `run`, so both give the same output,
exit status and messages.

Bad input raises `BadInput`; the caller prints its message on stderr and exits
with status 2 (`BAD_INPUT`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from owm.clinical import Protocol

__all__ = ["BAD_INPUT", "OUTPUTS", "BadInput", "protocol_from", "read_json", "run"]

BAD_INPUT = 2
OUTPUTS = ("json", "text")


class BadInput(Exception):
    """Input owm cannot decide on; the message names the field, the value and what is allowed."""


def read_json(source: str) -> Any:
    """A JSON document from a file path, or standard input for '-', read by the guarded
    reader every entrance shares (`owm.clinical.document`: size, depth, number length,
    duplicate keys, text); a file larger than the limit is not read past it."""
    from owm.clinical.document import MAX_BYTES, DocumentError, read_document

    name = "standard input" if source == "-" else source
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with Path(source).open("rb") as file:
                data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise BadInput(f"cannot read {source}: {error.strerror or error}") from None
    try:
        return read_document(data, name=name)
    except DocumentError as error:
        raise BadInput(str(error)) from None


def protocol_from(path: Path | None) -> Protocol:
    """The protocol in force: a unit's file, or the shipped one."""
    from owm.clinical.protocol import ProtocolError, default_protocol, load_protocol

    try:
        return load_protocol(path) if path is not None else default_protocol()
    except ProtocolError as error:
        raise BadInput(str(error)) from None


def run(
    source: str,
    protocol: Path | None,
    output: str,
    fhir: bool = False,
    timezone: str | None = None,
) -> None:
    """Decide on one state (or FHIR Bundle) and print the answer as `output` (json or text).

    With `fhir`, resources the Bundle holds that owm did not read are printed on stderr as
    warnings, and `timezone` is the ward's time zone for a Bundle without owm's extension.
    """
    from owm.clinical import StateError, parse_state
    from owm.clinical import evaluate as decide

    if output not in OUTPUTS:
        raise BadInput(f"--format: {output!r} is not allowed; allowed: {', '.join(OUTPUTS)}")
    if timezone is not None and not fhir:
        raise BadInput(
            f"--timezone: {timezone!r} is not allowed without --fhir; "
            "an owm-state/1 document names its ward's time zone itself"
        )
    rules = protocol_from(protocol)
    document = read_json(source)
    if fhir:
        from owm.cli.fhir_state import FhirInputError, state_from_bundle

        try:
            parsed = state_from_bundle(
                document, rules, timezone=timezone, warn=lambda line: sys.stderr.write(line + "\n")
            )
        except FhirInputError as error:
            raise BadInput(str(error)) from None
    elif not isinstance(document, dict):
        raise BadInput("the state must be a JSON object (owm-state/1)")
    else:
        try:
            parsed = parse_state(document, rules)
        except StateError as error:
            raise BadInput(str(error)) from None
    recommendation = decide(parsed, rules)
    if output == "json":
        sys.stdout.write(json.dumps(recommendation.to_json(), indent=2) + "\n")
    else:
        from owm.cli.textreport import print_recommendation

        print_recommendation(recommendation, parsed.ward.timezone)
