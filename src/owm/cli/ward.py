"""The ward commands of the `owm` CLI: `owm audit verify`, `owm user add`, `owm demo`.

Why a module of their own: `owm evaluate` must start fast, so this module imports
only typer at the top; each command imports the database code when it runs. The
database is the one named by `OWM_DATABASE_URL` (default `./var/owm.db`, or under
`OWM_DATA_DIR`). Exit status: 0 done, 1 refused or broken (a taken username, a
broken audit chain), 2 bad input.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

__all__ = ["audit_app", "demo", "user_app"]

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
user_app = typer.Typer(help="Users of the ward system.", no_args_is_help=True)

PROGRESS_FROM = 5_000
"""Chains at least this long get a progress bar while they are verified."""


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the audit chain; name the first entry that was changed, removed or inserted."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from sqlalchemy.exc import SQLAlchemyError

    from owm.cli.database import open_database
    from owm.service.audit_check import count_audit_entries, verify_audit

    console = Console(stderr=True)
    try:
        with open_database("owm audit verify", migrated=False) as database:
            total = count_audit_entries(database.uow(), database.system)
            if total >= PROGRESS_FROM:
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    console=console,
                ) as bar:
                    task = bar.add_task("verifying the audit chain", total=total)
                    result = verify_audit(
                        database.uow(),
                        database.system,
                        progress=lambda done, _total: bar.update(task, completed=done),
                    )
            else:
                result = verify_audit(database.uow(), database.system)
    except SQLAlchemyError as error:
        sys.stderr.write(f"cannot read the audit trail: {error.__class__.__name__}: {error}\n")
        raise typer.Exit(2) from None
    if result.problem is None:
        sys.stdout.write(
            f"audit chain intact: {result.entries} entries; last entry {result.head_seq}, "
            f"hash {result.head_hash}\n"
        )
        return
    sys.stdout.write(
        f"audit chain BROKEN at entry {result.problem.seq} ({result.problem.kind}): "
        f"{result.problem.message}\n"
        f"entries checked: {result.entries}; last good entry {result.head_seq}\n"
    )
    raise typer.Exit(1)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Sign-in name: a-z 0-9 . _ -")],
    role: Annotated[str, typer.Option("--role", help="nurse, physician, pharmacist or admin")],
    full_name: Annotated[
        str | None, typer.Option("--full-name", help="Name shown on screens (default: username)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Add a user (the database is migrated first). The password is asked for, or read
    from standard input with --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    from owm.cli.database import open_database
    from owm.service.errors import Conflict, InputError
    from owm.service.users import create_user

    with open_database("owm user add") as database:
        try:
            user = create_user(
                database.uow(),
                database.system,
                username=username,
                full_name=full_name or username,
                role=role,
                password=password,
            )
        except InputError as error:
            sys.stderr.write(f"{error}\n")
            raise typer.Exit(2) from None
        except Conflict as error:
            sys.stderr.write(f"{error}\n")
            raise typer.Exit(1) from None
    sys.stdout.write(f"user {user.username!r} ({user.role}) added, id {user.id}\n")


def demo() -> None:
    """Fill the database with a demo ward: users for each role and about ten patients whose
    histories cover every action. Running it again adds nothing twice."""
    from owm.cli.database import database_url
    from owm.cli.demo import DEMO_USERS, populate

    url = database_url()
    report = populate(url)
    sys.stdout.write(f"demo ward {report.ward!r} in {url}\n")
    sys.stdout.write(
        f"patients added: {report.patients_added}; already there: {report.patients_existing}\n"
    )
    sys.stdout.write("demo users (passwords for the demo only):\n")
    for username, role, password, _name in DEMO_USERS:
        sys.stdout.write(f"  {username:<12} {role:<11} {password}\n")
