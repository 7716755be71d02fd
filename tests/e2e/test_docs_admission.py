"""Admission in a real Chromium: the offer of methadone or buprenorphine is recorded with
the patient's choice; bad input is shown beside its field, by keyboard as by mouse."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import signed_in
from .docs_support import unique


def test_admission_records_the_moud_offer_and_the_choice(page: Page, owm_server):
    from owm.service.queries import get_episode

    name = unique("Ira Admitted")
    mrn = unique("ADM").replace(" ", "-")
    signed_in(page, owm_server, "nurse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admit").click()
    expect(
        page.get_by_role("heading", name="First-line treatment: methadone or buprenorphine")
    ).to_be_visible()

    page.get_by_label("Full name").fill(name)
    page.get_by_label("Medical record number (MRN)").fill(mrn)
    page.get_by_label("Bed", exact=True).fill("12")
    page.get_by_label("Age in years").fill("29")
    page.get_by_role("radio", name="Yes, offered").check()
    page.get_by_role("radio", name="Buprenorphine").check()
    page.get_by_role("button", name="Admit patient").click()

    expect(page.get_by_role("status").first).to_contain_text(f"{name} is admitted")
    expect(page.get_by_test_id("first-line-offered")).to_have_text("Yes")
    expect(page.get_by_test_id("first-line-choice")).to_contain_text("Buprenorphine")
    episode_id = int(page.url.split("/episodes/")[1].split("/")[0])
    stored = get_episode(owm_server.uow(), owm_server.actor("nurse"), episode_id=episode_id)
    assert stored.first_line_offered is True
    assert stored.first_line_choice == "buprenorphine"


def test_admission_errors_are_beside_the_field_and_the_form_works_by_keyboard(
    page: Page, owm_server
):
    signed_in(page, owm_server, "physician")
    page.goto(owm_server.url("/admit"))
    page.get_by_label("Full name").focus()
    page.keyboard.type(unique("Kit Keyboard"))
    page.keyboard.press("Tab")
    page.keyboard.type(unique("KBD").replace(" ", "-"))
    page.get_by_label("Age in years").fill("forty")
    page.get_by_role("radio", name="No, not offered").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Admit patient").focus()
    page.keyboard.press("Enter")

    age_error = page.locator("#err-age_years")
    expect(age_error).to_contain_text("forty")
    expect(age_error).to_contain_text("a whole number")
    expect(page.get_by_label("Age in years")).to_have_attribute("aria-describedby", "err-age_years")
    expect(page.get_by_role("alert").first).to_be_visible()

    # Corrected, it is refused by the ward system for the missing reason, again beside it.
    page.get_by_label("Age in years").fill("40")
    page.get_by_role("button", name="Admit patient").click()
    expect(page.locator("#err-first_line_note")).to_contain_text(
        "a reason why methadone/buprenorphine was not offered"
    )


def test_admission_is_readable_at_200_percent_zoom(browser, owm_server):
    # 200 % zoom of a 1280 px window: 640 CSS pixels wide, every pixel doubled.
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    try:
        page = signed_in(context.new_page(), owm_server, "nurse")
        page.goto(owm_server.url("/admit"))
        expect(page.get_by_role("button", name="Admit patient")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        context.close()
