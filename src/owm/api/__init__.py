"""owm's HTTP side: the REST API, the sign-in machinery and the CDS Hooks service (FastAPI).

`owm.api.app.create_app()` builds the app; `owm serve` runs it with uvicorn.
Importing this package stays light (the CLI imports `owm.api.token_command` at
start-up): `create_app` is loaded on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from owm.api.app import create_app

        return create_app
    raise AttributeError(f"module 'owm.api' has no attribute {name!r}")
