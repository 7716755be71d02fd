"""What every ward page shares: who is signed in, the ward clock, the navigation, the response.

A page handler asks for the signed-in person with the `PageUserDep` dependency
(not signed in: a redirect to the sign-in page, `HX-Redirect` for htmx requests),
calls service functions with `user.actor`, and answers with `page(...)`, which
renders the template with the shared context the base layout needs:

    user          PageUser (id, username, full_name, role, actor, csrf_token, ward, wards)
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

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from owm.http.csrf import SAFE_METHODS, check_csrf
from owm.http.errors import CsrfFailed
from owm.http.runtime import Runtime
from owm.http.sessions import SESSION_COOKIE
from owm.service.actor import Actor
from owm.service.errors import AuthenticationFailed
from owm.service.results import WardView
from owm.service.users import authenticate_token, get_user
from owm.service.wards import list_wards
from owm.web.templating import render

__all__ = [
    "DISCLAIMER",
    "NAV",
    "WARD_COOKIE",
    "NavItem",
    "NotSignedIn",
    "PageCsrfFailed",
    "PageUser",
    "PageUserDep",
    "add_nav",
    "not_signed_in_response",
    "page",
    "page_context",
    "page_csrf_failed_response",
    "page_now",
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
    ward: WardView | None = None
    wards: tuple[WardView, ...] = ()


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


class PageCsrfFailed(Exception):
    """A page form without this session's CSRF token (sent from an older page or another
    site): answered with a page that says so, status 403; nothing was recorded."""


def page_csrf_failed_response(request: Request, exc: PageCsrfFailed) -> Response:
    """The 403 page for a form that does not carry this session's CSRF token."""
    html = render(
        "error.html",
        page_context(
            request,
            user=None,
            title="Form expired",
            status=403,
            message=(
                "This form came from an earlier session or another page, so nothing was "
                f"recorded ({exc}). Go back, reload the page and send it again."
            ),
        ),
    )
    return HTMLResponse(html, status_code=403)


def not_signed_in_response(request: Request, exc: NotSignedIn) -> Response:
    """The sign-in page for a visitor at `/`; elsewhere a redirect to it, keeping the target."""
    from urllib.parse import quote

    if (
        request.url.path == "/"
        and request.method == "GET"
        and not request.headers.get("HX-Request")
    ):
        from owm.web.auth import login_page_for_visitor

        return login_page_for_visitor(request)
    target = "/login"
    if exc.next_path and exc.next_path not in ("/", "/login"):
        target += "?next=" + quote(exc.next_path, safe="/")
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


WARD_COOKIE = "owm_ward"
"""Remembers which ward's board a person looks at (a ward id; the first ward by default)."""


def _chosen_ward(request: Request, wards: list[WardView]) -> WardView | None:
    wanted = request.query_params.get("ward") or request.cookies.get(WARD_COOKIE) or ""
    for ward in wards:
        if wanted.isdigit() and ward.id == int(wanted):
            return ward
    return wards[0] if wards else None


async def require_page_user(request: Request) -> PageUser:
    """The signed-in person, or `NotSignedIn` (answered with a redirect to /login).

    The same session as the REST API (`owm.http.sessions`): the signed cookie's
    token is checked in the database on every request, so signing out or a
    deactivated user ends the session at once. A change (POST) must present the
    session's CSRF token (`csrf_token` form field or X-CSRF-Token header), else 403.
    """
    runtime: Runtime = request.app.state.owm
    cookie = request.cookies.get(SESSION_COOKIE)
    data = runtime.signer.loads(cookie) if cookie else None
    if data is None:
        raise NotSignedIn(_wanted_path(request))
    if request.method not in SAFE_METHODS:
        try:
            await check_csrf(request, data.csrf)
        except CsrfFailed as failed:
            raise PageCsrfFailed(str(failed)) from None
    address = request.client.host if request.client else None
    try:
        actor = authenticate_token(runtime.uow(), token=data.token, client_address=address)
    except AuthenticationFailed:
        raise NotSignedIn(_wanted_path(request)) from None
    assert actor.user_id is not None
    person = get_user(runtime.uow(), actor, user_id=actor.user_id)
    wards = list_wards(runtime.uow(), actor)
    return PageUser(
        id=person.id,
        username=person.username,
        full_name=person.full_name,
        role=person.role,
        actor=actor,
        csrf_token=data.csrf,
        ward=_chosen_ward(request, wards),
        wards=tuple(wards),
    )


def _wanted_path(request: Request) -> str:
    if request.headers.get("HX-Request"):
        current = request.headers.get("HX-Current-URL", "")
        return "/" + current.split("/", 3)[3] if current.count("/") >= 3 else "/"
    path = request.url.path
    if request.url.query:
        path += "?" + request.url.query
    return path


PageUserDep = Annotated[PageUser, Depends(require_page_user)]


def page_now(request: Request) -> datetime:
    """Now, from the application's clock (timezone-aware UTC)."""
    runtime: Runtime | None = getattr(request.app.state, "owm", None)
    moment = runtime.clock() if runtime is not None else datetime.now(UTC)
    return moment.astimezone(UTC)


def _ward(request: Request, user: PageUser | None) -> tuple[str, str]:
    """(name, time zone) of the ward shown in the top bar.

    Signed in: the ward the person looks at. On the sign-in page: the first ward
    (read as owm itself), so the clock shows ward time before anyone signs in.
    """
    ward = user.ward if user is not None else None
    if ward is None and user is None:
        runtime: Runtime | None = getattr(request.app.state, "owm", None)
        if runtime is not None:
            wards = list_wards(runtime.uow(), Actor.system("owm-web"))
            ward = _chosen_ward(request, wards)
    return (ward.name, ward.timezone) if ward is not None else ("owm", "UTC")


def page_context(
    request: Request, *, user: PageUser | None, active: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The context every template gets (see the module docstring), plus `extra`.

    `extra` may override any shared key (a patient page sets `ward_tz` and
    `ward_name` to the patient's ward).
    """
    ward_name, ward_tz = _ward(request, user)
    nav = [n for n in NAV if user is not None and (n.roles is None or user.role in n.roles)]
    context: dict[str, Any] = {
        "request": request,
        "user": user,
        "csrf_token": user.csrf_token if user is not None else "",
        "ward_tz": ward_tz,
        "ward_name": ward_name,
        "now": page_now(request),
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
    """Render `template` with the shared page context plus `extra`.

    A page drawn for someone signed in is sent `Cache-Control: no-store`: patients'
    records are never kept by the browser, so once a session ends (signing out,
    handing the device to a patient for the rating) Back cannot show them again.
    """
    html = render(template, page_context(request, user=user, active=active, **extra))
    sent = dict(headers or {})
    if user is not None:
        sent.setdefault("Cache-Control", "no-store")
    return HTMLResponse(html, status_code=status_code, headers=sent or None)
