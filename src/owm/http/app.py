"""The app factory: `create_app(settings) -> FastAPI`, the whole HTTP side of owm.

Why a factory: the server (`owm serve`, one app per worker process), the tests
(one app per test database, with a fixed clock) and the benchmarks each build
their own app, with their own engine and login limiter. The factory does not
migrate the database; `owm serve` does that before it starts the workers.

What it assembles: one router per resource under `/api` (each route parses,
calls one service function and renders; services own their transactions), the
error handlers (one error shape, see `owm.http.errors`), the CDS Hooks service
(`owm.cds`, configured from the environment), the ward's pages (`owm.web`:
sign-in at `/login`, the board at `/`, patients, documents), the OpenAPI
document at `/openapi.json` and its documentation at `/docs`, served from
vendored files.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from owm import __version__
from owm.api.docs import install_docs
from owm.api.routes import ROUTERS
from owm.cds import audit_recorder, cds_config_from_env, cds_router
from owm.http.errors import install_error_handlers
from owm.http.json_body import GuardedJsonBodies
from owm.http.ratelimit import LoginLimiter
from owm.http.runtime import Runtime
from owm.http.sessions import SessionSigner
from owm.http.settings import ApiSettings, api_settings_from_env
from owm.http.write_gate import WriteGate
from owm.store.engine import make_engine
from owm.store.uow import Clock, session_factory, system_clock
from owm.web import install as install_web

__all__ = ["TITLE", "create_app"]

TITLE = "owm"
DESCRIPTION = """Opioid withdrawal management: what the unit's protocol allows now, and why.

**Decision support for licensed clinicians in a supervised setting. owm never doses by
itself: a clinician decides and acts.**

Authenticate with `Authorization: Bearer <token>` (get a token from `POST /api/tokens`
with a username and password, or `owm user token`). Bad input is answered with 422
naming the field, the value and what is allowed, and nothing is stored; a dose the
protocol does not allow now is refused with 409 and the findings.
"""


def create_app(
    settings: ApiSettings | None = None,
    *,
    engine: Engine | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The FastAPI app for `settings` (default: from the environment).

    `engine` (default: one made for `settings.database_url`) and `clock` (default:
    the system clock) let tests run the app on their own database and time.
    """
    settings = settings or api_settings_from_env()
    owns_engine = engine is None
    engine = engine or make_engine(settings.database_url)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=session_factory(engine),
        clock=clock or system_clock,
        limiter=LoginLimiter(settings.login_max_failures, settings.login_window),
        signer=SessionSigner(settings.secret_key, settings.session_max_age),
        write_gate=WriteGate() if engine.dialect.name == "sqlite" else None,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title=TITLE,
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.owm = runtime
    install_error_handlers(app)
    # Every JSON body through the guarded reader (clinical spec section 8), before any route.
    app.add_middleware(GuardedJsonBodies)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(
        cds_router(
            cds_config_from_env(),
            record_feedback=audit_recorder(runtime.uow),
            clock=runtime.clock,
            uow=runtime.uow,
        )
    )
    install_web(app)
    install_docs(app, title=TITLE)
    return app
