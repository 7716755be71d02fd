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

    from owm.service.actor import Actor
    from owm.service.errors import Conflict, InputError
    from owm.service.users import issue_token, list_users
    from owm.store.engine import make_engine, settings_from_env
    from owm.store.migrate import migrate
    from owm.store.uow import UnitOfWork, session_factory

    url = settings_from_env().database_url
    migrate(url)
    engine = make_engine(url, pool_size=1)
    system = Actor.system("owm user token")
    try:
        sessions = session_factory(engine)
        found = [u for u in list_users(UnitOfWork(sessions), system) if u.username == username]
        if not found:
            sys.stderr.write(f"username: {username!r} is not a user of this database\n")
            raise typer.Exit(1)
        issued = issue_token(
            UnitOfWork(sessions),
            system,
            user_id=found[0].id,
            name=name,
            expires_in=timedelta(days=days),
        )
    except InputError as error:
        sys.stderr.write(f"{error}\n")
        raise typer.Exit(2) from None
    except Conflict as error:
        sys.stderr.write(f"{error}\n")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    sys.stdout.write(issued.token + "\n")
    sys.stderr.write(
        f"token {issued.info.prefix!r} ({issued.info.name}) for {username}, "
        f"expires {issued.info.expires_at.isoformat()}\n"
    )
