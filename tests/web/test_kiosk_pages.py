"""The rating kiosk over HTTP on both databases: opening it ends the nurse's session on
that browser; the kiosk link shows only the rating form of its episode, records one
rating, and then, like any other key, opens nothing."""

from __future__ import annotations

import re

from sqlalchemy import text

from owm.http.sessions import SESSION_COOKIE
from owm.service.discharge import discharge

from .client import as_role


def _discharged(world, mrn: str, name: str) -> int:  # type: ignore[no-untyped-def]
    episode = world.admit(mrn, name=name)
    discharge(
        world.uow(),
        world.nurse,
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=True,
        psychotherapy_referral=False,
    )
    return episode


def _open_kiosk(app, world, episode: int):  # type: ignore[no-untyped-def]
    nurse = as_role(app, world, "nurse")
    handover = nurse.get(f"/episodes/{episode}/rating")
    assert handover.status_code == 200
    assert "Sign out and hand the device to the patient" in handover.text
    opened = nurse.client.post(
        f"/episodes/{episode}/rating/kiosk",
        data={"csrf_token": nurse.csrf},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    link = opened.headers["location"]
    assert re.fullmatch(r"/kiosk/[A-Za-z0-9_-]{40,}", link)
    return nurse, link, opened


def test_opening_the_kiosk_ends_the_nurses_session_on_that_browser(app, world):
    episode = _discharged(world, "K-1", "Kit Kiosk")
    nurse, _, opened = _open_kiosk(app, world, episode)
    assert SESSION_COOKIE in opened.headers.get("set-cookie", "")
    # Even with the old cookie sent again, the session was revoked in the database.
    for path in ("/due", f"/episodes/{episode}/rating", f"/episodes/{episode}/discharge"):
        response = nurse.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    root = nurse.client.get("/", follow_redirects=False)
    assert root.status_code == 200 and 'action="/login"' in root.text  # the sign-in page


def test_the_kiosk_shows_only_the_rating_form_and_records_one_rating(app, world, database):
    episode = _discharged(world, "K-1", "Kit Kiosk")
    world.admit("K-2", name="Someone Else")
    nurse, link, _ = _open_kiosk(app, world, episode)
    kiosk = nurse.client  # the same browser, now signed out

    form = kiosk.get(link)
    assert form.status_code == 200
    html = form.text
    assert "How was your stay?" in html
    assert "Kit Kiosk" not in html and "Someone Else" not in html and "A Nurse" not in html
    assert "<a " not in html and "<nav" not in html
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["referrer-policy"] == "no-referrer"

    missing = kiosk.post(link, data={"comment": "kind staff"})
    assert missing.status_code == 422 and 'id="err-stars"' in missing.text

    rated = kiosk.post(link, data={"stars": "5", "comment": "kind staff"})
    assert rated.status_code == 200 and "Your rating has been saved." in rated.text
    assert str(rated.url).endswith("/kiosk/thanks")

    again = kiosk.post(link, data={"stars": "1"})
    assert again.status_code == 410 and "This rating link is closed" in again.text
    reopened = kiosk.get(link)
    assert reopened.status_code == 410 and "<form" not in reopened.text
    with database.engine.connect() as c:
        assert c.execute(text("SELECT stars, comment FROM patient_rating")).all() == [
            (5, "kind staff")
        ]
    staff = as_role(app, world, "nurse").get(f"/episodes/{episode}/rating").text
    assert 'data-testid="rated"' in staff and "5 of 5 stars" in staff


def test_the_kiosk_token_is_no_key_to_anything_else(app, world):
    episode = _discharged(world, "K-1", "Kit Kiosk")
    nurse, link, _ = _open_kiosk(app, world, episode)
    token = link.rsplit("/", 1)[1]
    kiosk = nurse.client
    for path in ("/api/patients?ward_id=1", f"/api/episodes/{episode}", "/api/users/me"):
        response = kiosk.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, path
    for path in (f"/kiosk/{token}/../patients/1", f"/patients/1?token={token}"):
        response = kiosk.get(path, follow_redirects=False)
        assert response.status_code in (303, 404), path
    # The link still works for what it is for.
    assert kiosk.get(link).status_code == 200


def test_an_unknown_kiosk_link_is_closed(app, world):
    response = as_role(app, world, "nurse").get("/kiosk/" + "a" * 43)
    assert response.status_code == 410 and "This rating link is closed" in response.text


def test_a_rated_stay_opens_no_new_kiosk_and_other_roles_cannot_open_one(app, world):
    episode = _discharged(world, "K-1", "Kit Kiosk")
    pharmacist = as_role(app, world, "pharmacist")
    refused = pharmacist.post(f"/episodes/{episode}/rating/kiosk", {})
    assert refused.status_code == 403
    assert pharmacist.get("/due").status_code == 200  # still signed in: nothing was ended

    from owm.service.feedback import rate_stay

    rate_stay(world.uow(), world.nurse, episode_id=episode, stars=3)
    nurse = as_role(app, world, "nurse")
    assert "Sign out and hand the device" not in nurse.get(f"/episodes/{episode}/rating").text
    again = nurse.post(f"/episodes/{episode}/rating/kiosk", {})
    assert again.status_code == 409 and "already been rated" in again.text
