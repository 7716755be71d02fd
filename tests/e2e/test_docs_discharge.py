"""Discharge in a real Chromium: the referrals, the printable patient sheet, and the
rating pages at 200 % zoom (the rating itself: `test_rating_kiosk.py`)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import screenshot, signed_in
from .docs_support import admit, pdf_text, unique


def test_discharge_shows_the_referrals_and_the_patient_sheet(page: Page, owm_server):
    name = unique("Jo Discharged")
    episode = admit(owm_server, name, bed="14")
    signed_in(page, owm_server, "nurse")
    page.goto(owm_server.url(f"/episodes/{episode}/discharge"))
    expect(page.get_by_test_id("no-taper")).to_be_visible()

    page.get_by_role("radio", name="Methadone Referred to a methadone programme.").check()
    page.get_by_role("group", name="Naloxone to take home").get_by_role("radio", name="Yes").check()
    page.get_by_role("group", name="Psychotherapy referral").get_by_role(
        "radio", name="Yes"
    ).check()
    page.get_by_label("Psychotherapy service (name and how to reach it)").fill(
        "Harbour talking therapies, 0100 000 000"
    )
    page.get_by_role("button", name="Discharge patient").click()

    referrals = page.get_by_test_id("referrals")
    expect(referrals).to_contain_text("Referred to a methadone programme.")
    expect(referrals).to_contain_text("Supplied")
    expect(referrals).to_contain_text("Harbour talking therapies")

    page.get_by_role("link", name="Patient sheet (print)").click()
    sheet = page.get_by_test_id("patient-sheet")
    for words in (
        "What clonazepam does",
        "Do not drink alcohol",
        "Do not drive",
        "do not stop it suddenly",
        "Seeing double",
        "Trouble passing urine",
        "Where to get help",
        "Harbour talking therapies",
    ):
        expect(sheet).to_contain_text(words, ignore_case=True)
    screenshot(page, "patient-sheet")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print the sheet")).to_be_hidden()
    printed = pdf_text(page.pdf(format="A4"))
    assert "Do not drink alcohol" in printed and name in printed


def test_rating_and_patient_sheet_are_readable_at_200_percent_zoom(browser, owm_server):
    from owm.service.discharge import discharge
    from owm.service.rating_kiosk import open_rating_kiosk

    episode = admit(owm_server, unique("Pat Zoom"), bed="17")
    discharge(
        owm_server.uow(),
        owm_server.actor("nurse"),
        episode_id=episode,
        moud_referral="declined",
        naloxone_supplied=False,
        psychotherapy_referral=False,
    )
    # 200 % zoom of a 1280 px window: 640 CSS pixels wide, every pixel doubled.
    link = open_rating_kiosk(owm_server.uow(), owm_server.actor("nurse"), episode_id=episode)
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    try:
        page = signed_in(context.new_page(), owm_server, "nurse")
        for path in (
            f"/episodes/{episode}/rating",
            f"/episodes/{episode}/patient-sheet",
            f"/kiosk/{link.token}",
        ):
            page.goto(owm_server.url(path))
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, path
        page.goto(owm_server.url(f"/kiosk/{link.token}"))
        star = page.locator('label[for="star-5"]').bounding_box()
        assert star is not None and star["width"] >= 44 and star["height"] >= 44
    finally:
        context.close()
