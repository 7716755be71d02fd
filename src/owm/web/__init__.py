"""The ward's pages: server-rendered HTML (Jinja2) with htmx for the parts that update.

Why server-rendered: the pages call the same service functions as the REST API
(never their own SQL), under the same session cookie and CSRF token, and work on
any ward computer with no internet (every front-end file is vendored under
`static/vendor/`, see `VENDORED.md`).

Conventions every page module follows (the board, the patient page, and the
documents in `owm.web.docs`):

- one `APIRouter` per module, with `include_in_schema=False`; handlers take
  `user: PageUserDep` (a redirect to /login when nobody is signed in) and answer
  with `owm.web.pages.page(request, "template.html", user=user, active="key", ...)`;
- templates extend `base.html` (blocks: title, head, content, scripts) and import
  `_macros.html` as `m` (csrf_field, time, action_badge, band_badge, field_error ...);
  documents live in `templates/docs/`;
- times are shown with the filters of `owm.web.templating` (`ward_time`,
  `ward_datetime`, `ward_date`, `duration`), never formatted by hand;
- every POST form carries `{{ m.csrf_field(csrf_token) }}` and, when it records
  something clinical, an idempotency key (`idempotency_key`, a fresh UUID rendered
  with the form) so that sending it twice records it once;
- bad input (the service's `InputError`) is rendered next to its field with what is
  allowed, status 422 (`errors` in the context: field name -> Problem).

`install(app)` mounts the static files and every page router on the application
made by `owm.http.app.create_app`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from owm.web.board import refresh_seconds_from_env
from owm.web.pages import (
    NotSignedIn,
    PageCsrfFailed,
    not_signed_in_response,
    page_csrf_failed_response,
)
from owm.web.routes import routers

__all__ = ["STATIC_DIR", "install"]

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount /static and the page routers on `app`."""
    app.state.board_refresh_seconds = refresh_seconds_from_env()

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(NotSignedIn, not_signed_in_response)  # type: ignore[arg-type]
    app.add_exception_handler(PageCsrfFailed, page_csrf_failed_response)  # type: ignore[arg-type]
    for router in routers():
        app.include_router(router)
