"""What the document pages share: the ward a document is about.

The ward comes from the signed-in person's page session (`PageUser.ward`: the
`ward` query parameter, else the ward they last looked at, else the first ward),
so the handoff, the downtime pack and the board always agree on the ward, and
every time on the page is in that ward's zone. Errors are shown with
`owm.web.errors` (`error_page`, `field_errors`), like every other page.
"""

from __future__ import annotations

from typing import Any

from owm.service.errors import NotFound
from owm.service.results import WardView
from owm.web.pages import PageUser

__all__ = ["ward_context", "ward_of"]


def ward_of(user: PageUser) -> WardView:
    """The ward the person is looking at; NotFound when no ward exists yet."""
    if user.ward is None:
        raise NotFound("ward", "(none created yet)")
    return user.ward


def ward_context(ward: WardView) -> dict[str, Any]:
    """The page context keys that make the top bar and the time filters use `ward`."""
    return {"ward_tz": ward.timezone, "ward_name": ward.name, "ward": ward}
