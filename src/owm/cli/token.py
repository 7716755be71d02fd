"""`owm user token USERNAME`: issue an API token for a user from the server's shell.

Why a command: a program that calls the API (an interface engine, a script) needs a
token without anyone typing a password into it. Whoever can run `owm` on the
server already controls the database, so the command acts as the system (an
admin); the token is printed once and only its hash is stored, and the issue is
in the audit trail. Only typer is imported at the top: `owm evaluate` starts fast.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

__all__ = ["user_token"]


def user_token(
    username: Annotated[str, typer.Argument(help="The user the token is for.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help="Days until it expires.")
    ] = 90,
) -> None:
    """Issue an API token for USERNAME and print it (shown once; send it as
    `Authorization: Bearer <token>`). The database is migrated first."""
    from datetime import timedelta

    from owm.cli.database import open_database
    from owm.service.errors import Conflict, InputError
    from owm.service.users import issue_token

    with open_database("owm user token") as database:
        user = database.user(username)
        if user is None:
            sys.stderr.write(f"username: {username!r} is not a user of this database\n")
            raise typer.Exit(1)
        try:
            issued = issue_token(
                database.uow(),
                database.system,
                user_id=user.id,
                name=name,
                expires_in=timedelta(days=days),
            )
        except InputError as error:
            sys.stderr.write(f"{error}\n")
            raise typer.Exit(2) from None
        except Conflict as error:
            sys.stderr.write(f"{error}\n")
            raise typer.Exit(1) from None
    sys.stdout.write(issued.token + "\n")
    sys.stderr.write(
        f"token {issued.info.prefix!r} ({issued.info.name}) for {username}, "
        f"expires {issued.info.expires_at.isoformat()}\n"
    )
