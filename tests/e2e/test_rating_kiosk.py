"""The patient rates the stay on the ward's device in a real Chromium, through the rating
kiosk: the nurse hands the device over (her session on it ends), the kiosk page shows
the rating form of that stay only and leads nowhere else, and its link works once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import USERS, screenshot, signed_in
from .docs_support import admit, unique


def _on_kiosk(page: Page, link: str) -> None:
    assert page.url == link
    expect(page.get_by_role("heading", name="How was your stay?")).to_be_visible()


def test_a_patient_rates_the_stay_through_the_kiosk_link(page: Page, owm_server):
    from owm.service.discharge import discharge
    from owm.service.queries import episode_record

    other = unique("Lou Other")
    admit(owm_server, other, bed="15")
    name = unique("Max Rater")
    episode = admit(owm_server, name, bed="16")
    discharge(
        owm_server.uow(),
        owm_server.actor("nurse"),
        episode_id=episode,
        moud_referral="buprenorphine",
        naloxone_supplied=True,
        psychotherapy_referral=True,
    )
    nurse_name = USERS["nurse"][1]
    signed_in(page, owm_server, "nurse")
    page.goto(owm_server.url(f"/episodes/{episode}/discharge"))
    page.get_by_role("link", name="Hand the device to the patient to rate the stay").click()
    page.get_by_role("button", name="Sign out and hand the device to the patient").click()

    page.wait_for_url("**/kiosk/**")
    link = page.url
    _on_kiosk(page, link)
    body = page.locator("body")
    for private in (name, other, nurse_name):
        expect(body).not_to_contain_text(private)
    assert page.get_by_role("navigation").count() == 0
    assert page.locator("a").count() == 0
    screenshot(page, "rating-kiosk")

    # Back stays on the kiosk page: the pages used before the hand-over are out of reach.
    page.go_back()
    _on_kiosk(page, link)

    # The patient chooses 4 stars with the keyboard: Tab into the group, arrows to move.
    page.get_by_role("radio", name="1 star").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="4 stars")).to_be_checked()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Kind night staff")
    page.get_by_role("button", name="Send my rating").click()

    expect(page.get_by_test_id("rating-thanks")).to_contain_text("Your rating has been saved.")
    record = episode_record(owm_server.uow(), owm_server.actor("nurse"), episode_id=episode)
    assert record.rating is not None
    assert (record.rating.stars, record.rating.comment) == (4, "Kind night staff")

    # The link cannot be used again: it opens nothing, and sending it records nothing.
    page.goto(link)
    expect(page.get_by_test_id("kiosk-closed")).to_be_visible()
    assert page.get_by_role("button", name="Send my rating").count() == 0
    again = page.request.post(link, form={"stars": "1"})
    assert again.status == 410
    record = episode_record(owm_server.uow(), owm_server.actor("nurse"), episode_id=episode)
    assert record.rating is not None and record.rating.stars == 4


def test_the_kiosk_token_opens_no_other_page(page: Page, owm_server):
    from owm.service.queries import get_episode

    episode = admit(owm_server, unique("Kim Kiosk"), bed="18")
    patient = get_episode(owm_server.uow(), owm_server.actor("nurse"), episode_id=episode)
    signed_in(page, owm_server, "nurse")
    page.goto(owm_server.url(f"/episodes/{episode}/rating"))
    page.get_by_role("button", name="Sign out and hand the device to the patient").click()
    page.wait_for_url("**/kiosk/**")
    link = page.url
    token = link.rsplit("/", 1)[1]

    # The nurse's session on this browser has ended: every ward page asks for a sign-in.
    for path in (
        "/",
        "/due",
        f"/patients/{patient.patient_id}",
        f"/episodes/{episode}/rating",
        f"/episodes/{episode}/patient-sheet",
        "/handoff",
    ):
        page.goto(owm_server.url(path))
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        # the sign-in page itself at /, a redirect to it everywhere else
        assert "/login" in page.url or path == "/", path
    # The token is no key to the API either.
    for path in ("/api/patients?ward_id=1", f"/api/episodes/{episode}"):
        response = page.request.get(
            owm_server.url(path), headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 401, path
    # And it still opens what it is for, and only that.
    page.goto(link)
    _on_kiosk(page, link)
