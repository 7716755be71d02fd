"""The `owm` script's entry point: plain `owm evaluate` runs before any framework loads.

    owm evaluate STATE [--protocol FILE] [--format json|text]

in exactly that shape (options before or after STATE, `--opt value` or
`--opt=value`, each at most once) goes straight to `owm.cli.evaluate.run`:
Typer and its dependencies cost more start-up time than the decision itself.
Everything else (other commands, --help, --fhir, anything unusual) goes to the
Typer application in `owm.cli.app`, which calls the same `run`.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["main", "plain_evaluate"]

_OPTIONS = {"--protocol": "protocol", "--format": "output"}


def plain_evaluate(args: list[str]) -> tuple[str, Path | None, str] | None:
    """(STATE, protocol path, output) for a plain `evaluate` command line, else None."""
    if not args or args[0] != "evaluate":
        return None
    given: dict[str, str] = {}
    sources: list[str] = []
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name in _OPTIONS:
            if not equals:
                value = next(rest, "")
            if not value or _OPTIONS[name] in given:
                return None
            given[_OPTIONS[name]] = value
        elif arg == "-" or not arg.startswith("-"):
            sources.append(arg)
        else:
            return None
    if len(sources) != 1:
        return None
    protocol = given.get("protocol")
    return sources[0], Path(protocol) if protocol is not None else None, given.get("output", "json")


def main() -> None:
    """Run `owm` with the command line in sys.argv."""
    plain = plain_evaluate(sys.argv[1:])
    if plain is None:
        from owm.cli.app import main as full

        full()
        return
    from owm.cli.evaluate import BAD_INPUT, BadInput, run

    try:
        run(*plain)
    except BadInput as error:
        sys.stderr.write(str(error).rstrip() + "\n")
        sys.exit(BAD_INPUT)
