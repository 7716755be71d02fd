"""The `owm` command.

Why heavy imports live inside the commands: `owm evaluate` is run by scripts and
other programs once per decision, so its start-up must stay short; the web
server, the database and FHIR code are imported only by the commands that use them.
Bad input exits with status 2 and a message on stderr that names the field, the
value and what is allowed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from owm.cli import evaluate as evaluate_command
from owm.cli.import_folder import import_folder
from owm.cli.token import user_token
from owm.cli.ward import audit_app, demo, user_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="owm",
    help="owm: opioid withdrawal management. Decision support for licensed clinicians; "
    "it never doses by itself.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
protocol_app = typer.Typer(help="The protocol in force.", no_args_is_help=True)
app.add_typer(protocol_app, name="protocol")
# Ward commands (owm.cli.ward imports only typer at the top; each command
# imports the database code when it runs).
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
user_app.command("token")(user_token)
app.command("demo")(demo)
app.command("import")(import_folder)

BAD_INPUT = evaluate_command.BAD_INPUT


def fail(message: str) -> NoReturn:
    """Print a bad-input message on stderr and exit with status 2."""
    sys.stderr.write(message.rstrip() + "\n")
    raise typer.Exit(BAD_INPUT)


def read_json(source: str) -> Any:
    """A JSON document from a file path, or standard input for '-'."""
    try:
        return evaluate_command.read_json(source)
    except evaluate_command.BadInput as error:
        fail(str(error))


def protocol_from(path: Path | None) -> Any:
    try:
        return evaluate_command.protocol_from(path)
    except evaluate_command.BadInput as error:
        fail(str(error))


ProtocolOption = Annotated[
    Path | None,
    typer.Option("--protocol", help="A unit's own protocol YAML instead of the shipped one."),
]


@app.command()
def evaluate(
    state: Annotated[str, typer.Argument(help="owm-state/1 JSON file, or - for standard input.")],
    protocol: ProtocolOption = None,
    output: Annotated[
        str, typer.Option("--format", help="json (owm-recommendation/1) or text (for a person).")
    ] = "json",
    fhir: Annotated[
        bool, typer.Option("--fhir", help="The input is a FHIR R4 Bundle instead of owm-state/1.")
    ] = False,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="With --fhir: the ward's IANA time zone, for a Bundle without owm's "
            "ward-time-zone extension.",
        ),
    ] = None,
) -> None:
    """What the protocol allows now for one patient's state, and why."""
    # the same work as the plain forms that owm.cli.launch runs without Typer
    try:
        evaluate_command.run(state, protocol, output, fhir, timezone)
    except evaluate_command.BadInput as error:
        fail(str(error))


@protocol_app.command("show")
def protocol_show(protocol: ProtocolOption = None) -> None:
    """Print the protocol in force (id, version, every value and its source)."""
    import yaml

    rules = protocol_from(protocol)
    sys.stdout.write(
        yaml.safe_dump(
            rules.model_dump(mode="json", by_alias=True), sort_keys=False, allow_unicode=True
        )
    )


@app.command()
def score(
    instrument: Annotated[str, typer.Argument(help="COWS, SOWS or OOWS.")],
    items: Annotated[
        list[str], typer.Argument(help="ITEM=VALUE for every item of the instrument.")
    ],
) -> None:
    """Score one instrument from the command line: total and band."""
    from owm.clinical.instruments import INSTRUMENTS, band_for
    from owm.clinical.instruments import score as total_of

    chosen = INSTRUMENTS.get(instrument.upper())
    if chosen is None:
        fail(f"instrument {instrument!r} is not allowed; allowed: {', '.join(INSTRUMENTS)}")
    values: dict[str, int] = {}
    for pair in items:
        key, sep, value = pair.partition("=")
        if not sep or not value.lstrip("-").isdigit():
            fail(
                f"{pair!r} is not ITEM=VALUE with a whole number; items: {', '.join(chosen.item_keys)}"
            )
        if key in values:
            fail(f"item {key!r} is given twice; give each item once")
        values[key] = int(value)
    try:
        total = total_of(chosen, values)
    except ValueError as error:
        fail(str(error))
    band = band_for(chosen, total)
    sys.stdout.write(f"{chosen.code} {total}" + (f" ({band})" if band else "") + "\n")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (PostgreSQL for more than 1).")
    ] = 1,
    log_level: Annotated[
        str, typer.Option("--log-level", help="critical, error, warning, info or debug.")
    ] = "info",
) -> None:
    """Migrate the database (OWM_DATABASE_URL, default SQLite in ./var) and run the server."""
    from owm.cli.serve import run_server

    run_server(host=host, port=port, workers=workers, log_level=log_level, fail=fail)


def main() -> None:
    """Entry point of the `owm` script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
