"""What every ward page shares: who is signed in, the ward clock, the navigation, the response.

A page handler asks for the signed-in person with the `PageUserDep` dependency
(not signed in: a redirect to the sign-in page, `HX-Redirect` for htmx requests),
calls service functions with `user.actor`, and answers with `page(...)`, which
renders the template with the shared context the base layout needs:

    user          PageUser (id, username, full_name, role, actor, csrf_token)
    csrf_token    the session's CSRF token: `{{ m.csrf_field(csrf_token) }}` in every
                  POST form; htmx requests send it as the X-CSRF-Token header (base.html)
    ward_tz       the ward's IANA time zone, read by the time filters
    ward_name     the ward's name
    now           timezone-aware UTC, from the application's clock
    nav, active   the main navigation and the key of the current page
    disclaimer    decision support for licensed clinicians; owm never doses by itself
    version       owm's version

Other routers add their pages to the navigation with `add_nav(...)` at import time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.service.actor import Actor
from owm.web.templating import render

__all__ = [
    "DISCLAIMER",
    "NAV",
    "NavItem",
    "NotSignedIn",
    "PageUser",
    "PageUserDep",
    "add_nav",
    "not_signed_in_response",
    "page",
    "page_context",
    "require_page_user",
]

DISCLAIMER = (
    "owm is decision support for licensed clinicians. It never doses by itself: "
    "a clinician decides and acts on every recommendation."
)


@dataclass(frozen=True, slots=True)
class PageUser:
    """The person signed in to the pages, and what the service layer needs to act for them."""

    id: int
    username: str
    full_name: str
    role: str
    actor: Actor
    csrf_token: str


@dataclass(frozen=True, slots=True)
class NavItem:
    """One link of the main navigation; `roles` limits who sees it (None: everyone)."""

    key: str
    label: str
    href: str
    order: int = 100
    roles: frozenset[str] | None = None


NAV: list[NavItem] = []


def add_nav(item: NavItem) -> None:
    """Add (or replace, by key) a link of the main navigation."""
    NAV[:] = [n for n in NAV if n.key != item.key]
    NAV.append(item)
    NAV.sort(key=lambda n: (n.order, n.label))


def _version() -> str:
    try:
        return package_version("owm")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "dev"


_VERSION = _version()


class NotSignedIn(Exception):
    """Raised by `require_page_user`; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path
        super().__init__(next_path)


def not_signed_in_response(request: Request, exc: NotSignedIn) -> Response:
    """Send the browser to the sign-in page, keeping where it wanted to go."""
    from urllib.parse import quote

    target = "/login"
    if exc.next_path and exc.next_path not in ("/", "/login"):
        target += "?next=" + quote(exc.next_path, safe="/")
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


SessionResolver = Callable[[Request], PageUser | None]


def require_page_user(request: Request) -> PageUser:
    """The signed-in person, or `NotSignedIn` (a redirect to /login).

    The session cookie is read by the ward API's session machinery (the same
    cookie, the same CSRF token as the REST API), installed on the application as
    `app.state.page_user_resolver` by `owm.web.install`.
    """
    resolver: SessionResolver | None = getattr(request.app.state, "page_user_resolver", None)
    user = resolver(request) if resolver is not None else None
    if user is None:
        path = request.url.path
        if request.url.query:
            path += "?" + request.url.query
        if request.headers.get("HX-Request"):
            path = request.headers.get("HX-Current-URL", path)
        raise NotSignedIn(path)
    return user


PageUserDep = Annotated[PageUser, Depends(require_page_user)]


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return (clock() if clock is not None else datetime.now(UTC)).astimezone(UTC)


def _ward(request: Request) -> tuple[str, str]:
    """(name, time zone) of the ward shown in the top bar."""
    finder: Callable[[Request], tuple[str, str] | None] | None = getattr(
        request.app.state, "page_ward", None
    )
    found = finder(request) if finder is not None else None
    return found if found is not None else ("owm", "UTC")


def page_context(
    request: Request, *, user: PageUser | None, active: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The context every template gets (see the module docstring), plus `extra`.

    `extra` may override any shared key (a patient page sets `ward_tz` and
    `ward_name` to the patient's ward).
    """
    ward_name, ward_tz = _ward(request)
    nav = [n for n in NAV if user is not None and (n.roles is None or user.role in n.roles)]
    context: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": user.csrf_token if user is not None else "",
        "ward_tz": ward_tz,
        "ward_name": ward_name,
        "now": _now(request),
        "nav": nav,
        "active": active,
        "disclaimer": DISCLAIMER,
        "version": _VERSION,
    }
    context.update(extra)
    return context


def page(
    request: Request,
    template: str,
    *,
    user: PageUser | None,
    active: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    """Render `template` with the shared page context plus `extra`."""
    html = render(template, page_context(request, user=user, active=active, **extra))
    return HTMLResponse(html, status_code=status_code, headers=headers)
