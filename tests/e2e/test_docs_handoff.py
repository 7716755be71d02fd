"""The shift handoff and the downtime pack in a real Chromium: the page prints, the PDF
download is a real PDF with the patients, the blank forms carry every anchor text."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import screenshot, signed_in
from .docs_support import admit, pdf_text, ready_for_dose, unique


def test_the_handoff_page_prints_every_patient_and_its_tasks(page: Page, owm_server):
    ready = unique("Ash Handoff")
    waiting = unique("Bo Waiting")
    episode = admit(owm_server, ready, bed="1")
    ready_for_dose(owm_server, episode)
    admit(owm_server, waiting, bed="2")
    signed_in(page, owm_server, "nurse")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Handoff").click()
    expect(page.get_by_role("heading", name="Shift handoff")).to_be_visible()
    row = page.locator('[data-testid="handoff-row"]', has_text=ready)
    expect(row).to_contain_text("Give 0.5 mg")
    other = page.locator('[data-testid="handoff-row"]', has_text=waiting)
    expect(other).to_contain_text("overdue since")
    screenshot(page, "handoff")

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print handoff")).to_be_hidden()
    expect(page.locator(".mainnav")).to_be_hidden()
    expect(row).to_be_visible()
    printed = pdf_text(page.pdf(format="A4", print_background=True))
    assert ready in printed and waiting in printed
    assert "Outstanding tasks" in printed
    assert "decision support for licensed clinicians" in printed.lower()
    screenshot(page, "handoff-print")


def test_the_handoff_pdf_download_is_a_pdf_with_the_patients(page: Page, owm_server):
    name = unique("Cy Pdf")
    admit(owm_server, name, bed="3")
    signed_in(page, owm_server, "physician")
    page.goto(owm_server.url("/handoff"))

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("handoff-")
    assert download.suggested_filename.endswith(".pdf")
    data = download.path().read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert name in text
    assert "Shift handoff" in text


def test_blank_downtime_forms_show_every_anchor_and_print(page: Page, owm_server):
    from owm.clinical.instruments import COWS, POSS, SOWS

    signed_in(page, owm_server, "nurse")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Downtime forms").click()
    page.get_by_role("link", name="Blank COWS form").click()
    expect(
        page.get_by_role("heading", name="Clinical Opiate Withdrawal Scale (COWS)")
    ).to_be_visible()
    screenshot(page, "downtime-cows")
    body = page.locator("main").inner_text()
    for item in COWS.items:
        for _, anchor in item.anchors:
            assert anchor in body
    page.emulate_media(media="print")
    printed = pdf_text(page.pdf(format="A4"))
    assert "gooseflesh" in printed.lower() and "prominent piloerection" in printed

    page.emulate_media(media="screen")
    for code, scale_words in (("SOWS", SOWS.items[0].label), ("POSS", POSS.levels[-1][1])):
        page.goto(owm_server.url(f"/downtime/forms/{code}"))
        expect(page.locator("main")).to_contain_text(scale_words)
    expect(
        page.get_by_role("heading", name="Emergency checklist (overdose suspected)")
    ).to_be_visible()


def test_the_medication_record_of_a_patient_prints_for_downtime(page: Page, owm_server):
    from owm.service.dosing import give_dose

    name = unique("Di Mar")
    episode = admit(owm_server, name, bed="4")
    ready_for_dose(owm_server, episode)
    give_dose(
        owm_server.uow(),
        owm_server.actor("nurse"),
        episode_id=episode,
        dose_mg="0.5",
        idempotency_key=unique("dose"),
    )
    signed_in(page, owm_server, "nurse")
    page.goto(owm_server.url("/downtime"))
    page.get_by_role("link", name=name).click()
    record = page.locator('[data-testid="mar"]')
    expect(record).to_have_count(1)
    expect(record).to_contain_text(name)
    expect(record).to_contain_text("clonazepam")
    expect(record).to_contain_text("Next dose not before")
    page.emulate_media(media="print")
    assert name in pdf_text(page.pdf(format="A4"))
