"""The ward in a real browser: sign in, admit, score, dose, board, refusal, escalation, emergency.

Every step goes through the pages a nurse or physician uses, on a real `owm serve`
process and a real headless Chromium (see conftest.py). Patients that only set
the scene for a later step are admitted through the service functions, as the
ward system would, then looked at and acted on through the pages.
"""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, Page, expect

from support.records import COWS_MODERATE, GOOD_VITALS
from support.records import ready_for_dose as record_ready

from .conftest import LiveServer, screenshot, signed_in

VITALS_TYPED = {
    name: str(GOOD_VITALS[name])
    for name in ("respiratory_rate", "spo2", "systolic_bp", "pulse", "temperature_c")
}
"""The normal vital signs as a nurse types them into the form's number fields."""


def admit_through_service(server: LiveServer, mrn: str, name: str, bed: str) -> tuple[int, int]:
    """Admit a patient as the nurse (service function); (patient id, episode id)."""
    from owm.service.admission import admit

    result = admit(
        server.uow(),
        server.actor("nurse"),
        ward_id=server.ward_id,
        name=name,
        mrn=mrn,
        bed=bed,
        age_years=40,
        first_line_offered=True,
        first_line_choice="declined",
    )
    return result.patient.id, result.episode.id


def ready_for_dose(server: LiveServer, episode_id: int, poss: str = "1") -> None:
    """A moderate COWS, normal vital signs and a POSS, recorded now by the nurse."""
    record_ready(server.uow, server.actor("nurse"), episode_id, poss=poss)


def assert_times_in_ward_zone(page: Page, tz: str) -> int:
    """Every <time> on the page shows its moment in the ward's zone, 24-hour clock."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    shown = page.evaluate(
        "() => [...document.querySelectorAll('main time[datetime]')]"
        ".map(t => [t.getAttribute('datetime'), t.textContent])"
    )
    for stamp, text in shown:
        local = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo(tz))
        assert text.endswith(local.strftime("%H:%M")), (stamp, text, tz)
    return len(shown)


def open_form(page: Page, form_id: str) -> None:
    details = page.locator(f"#{form_id}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def record_cows(page: Page, items: dict[str, int]) -> None:
    open_form(page, "form-COWS")
    form = page.locator("#form-COWS form")
    for key, value in items.items():
        form.locator(f'input[name="items.{key}"][value="{value}"]').check()
    form.get_by_role("button", name="Record COWS").click()


def record_vitals_form(page: Page) -> None:
    open_form(page, "form-vitals")
    for name, value in VITALS_TYPED.items():
        page.locator(f"#v-{name}").fill(value)
    page.get_by_label("Supplemental oxygen").select_option("no")
    page.get_by_label("Consciousness (ACVPU)").select_option("alert")
    page.get_by_role("button", name="Record vital signs").click()


def record_poss(page: Page, level: str) -> None:
    open_form(page, "form-POSS")
    page.locator(f'#form-POSS input[name="level"][value="{level}"]').check()
    page.get_by_role("button", name="Record POSS").click()


def record_no_alcohol(page: Page) -> None:
    open_form(page, "form-alcohol")
    page.locator('#form-alcohol input[name="none_reported"]').check()
    page.get_by_role("button", name="Record alcohol").click()


def test_a_nurse_admits_scores_and_doses_and_a_second_dose_is_refused(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    page = signed_in(context.new_page(), owm_server, "nurse")
    expect(page.get_by_test_id("who")).to_have_text("Nina Nurse")
    expect(page.locator("#ward-clock")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(page.locator(".disclaimer")).to_contain_text("decision support for licensed clinicians")

    # Admit through the admission page.
    page.goto(owm_server.url("/admit"))
    page.get_by_label("Full name").fill("Alex Example")
    page.get_by_label("Medical record number (MRN)").fill("E2E-1")
    page.get_by_label("Bed", exact=True).fill("1")
    page.get_by_label("Age in years").fill("34")
    page.locator('input[name="first_line_offered"][value="yes"]').check()
    page.locator('input[name="first_line_choice"][value="declined"]').check()
    page.get_by_role("button", name="Admit patient").click()
    page.get_by_role("link", name="Open the patient page").click()
    expect(page.locator("h1").first).to_contain_text("Alex Example")
    patient_url = page.url.split("?")[0]

    # COWS: the running total and band show while the nurse scores.
    open_form(page, "form-COWS")
    form = page.locator("#form-COWS form")
    for key, value in list(COWS_MODERATE.items())[:3]:
        form.locator(f'input[name="items.{key}"][value="{value}"]').check()
    expect(form.locator("[data-total]")).to_have_text("5")
    expect(form.locator("[data-band]")).to_contain_text("so far: mild")
    record_cows(page, COWS_MODERATE)
    expect(page.locator("#notice")).to_have_text("COWS recorded.")
    record_vitals_form(page)
    expect(page.locator("#notice")).to_have_text("Vital signs recorded.")
    record_poss(page, "1")
    expect(page.locator("#notice")).to_have_text("Sedation (POSS) recorded.")
    # Nothing about alcohol yet: the dose is held until the nurse asks (revision 2).
    expect(page.locator("#recommendation")).to_contain_text("alcohol-unknown")
    record_no_alcohol(page)
    expect(page.locator("#notice")).to_have_text("Alcohol recorded.")

    # The recommendation: give 0.5 mg, with its reasons (rule id and source for each).
    panel = page.locator("#recommendation")
    expect(panel).to_have_attribute("data-action", "give")
    expect(page.get_by_test_id("rec-dose")).to_have_text("give 0.5 mg")
    expect(panel.locator("#findings li").first).to_contain_text("rule")
    expect(panel.locator("#findings li").first).to_contain_text("source:")
    screenshot(page, "patient-page-give")

    # A second tab drawn now still shows Give: it will try a second dose later.
    stale = context.new_page()
    stale.goto(patient_url)
    expect(stale.get_by_role("button", name=re.compile("^Give 0.5 mg"))).to_be_visible()

    # Give, with the confirmation step.
    page.get_by_role("button", name=re.compile("^Give 0.5 mg")).click()
    expect(page.locator("h1")).to_contain_text("Confirm: give clonazepam 0.5 mg to Alex Example")
    page.get_by_role("button", name="Confirm: give 0.5 mg").click()
    expect(page.locator("#notice")).to_have_text("Dose recorded.")
    expect(panel).to_have_attribute("data-action", "hold")
    expect(page.get_by_test_id("next-dose")).to_contain_text("not before")
    expect(page.get_by_test_id("since-last-dose")).to_have_text(re.compile(r"^\d+ min$"))
    expect(page.locator("#due [data-kind=reassessment]")).to_contain_text("Reassess")
    expect(page.locator("#timeline")).to_contain_text("Clonazepam 0.5 mg oral")
    assert assert_times_in_ward_zone(page, owm_server.ward_tz) > 5
    next_dose = page.get_by_test_id("next-dose").inner_text()

    # The board shows the change and the next dose time.
    page.goto(owm_server.url("/"))
    row = page.locator("tr", has=page.get_by_role("link", name="Alex Example"))
    expect(row).to_have_attribute("data-action", "hold")
    expect(row).to_contain_text("Hold")
    expect(row).to_contain_text(next_dose.replace("not before ", "").strip())
    expect(row).to_contain_text("COWS 15 · moderate")
    assert assert_times_in_ward_zone(page, owm_server.ward_tz) >= 3
    screenshot(page, "ward-board")

    # The stale tab tries a second dose: refused, with the reason.
    stale.get_by_role("button", name=re.compile("^Give 0.5 mg")).click()
    stale.get_by_role("button", name="Confirm: give 0.5 mg").click()
    refusal = stale.locator("#refusal")
    expect(refusal).to_contain_text("Dose refused")
    expect(refusal).to_contain_text("min-interval")
    expect(refusal).to_contain_text("6 h must pass between doses")
    stale.close()

    # Only one dose is in the record.
    page.goto(patient_url)
    expect(page.locator('#timeline li[data-kind="dose"]')).to_have_count(1)


def test_a_physician_acknowledges_a_methadone_escalation(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    from owm.service.medications import record_medication

    patient_id, episode_id = admit_through_service(owm_server, "E2E-2", "Morgan Methadone", "2")
    ready_for_dose(owm_server, episode_id)
    record_medication(
        owm_server.uow(),
        owm_server.actor("nurse"),
        episode_id=episode_id,
        name="methadone",
        med_class="opioid",
        dose_text="60 mg daily",
    )

    nurse = signed_in(context.new_page(), owm_server, "nurse")
    nurse.goto(owm_server.url(f"/patients/{patient_id}"))
    expect(nurse.locator("#recommendation")).to_have_attribute("data-action", "escalate")
    expect(nurse.locator("#recommendation")).to_contain_text(
        "opioid-benzodiazepine: a physician must review"
    )
    expect(nurse.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)

    physician_context = context.browser.new_context()  # type: ignore[union-attr]
    try:
        doctor = signed_in(physician_context.new_page(), owm_server, "physician")
        doctor.goto(owm_server.url(f"/patients/{patient_id}"))
        button = doctor.get_by_role("button", name="Acknowledge opioid-benzodiazepine")
        # A reason is required: an empty one is refused beside the field.
        doctor.locator("#ack-opioid-benzodiazepine").evaluate(
            "el => el.removeAttribute('required')"
        )
        button.click()
        expect(doctor.locator(".field-error")).to_contain_text("Allowed:")
        doctor.get_by_label("Acknowledge opioid-benzodiazepine: your reason (required)").fill(
            "Methadone 60 mg stable; monitored bed, POSS hourly"
        )
        doctor.get_by_role("button", name="Acknowledge opioid-benzodiazepine").click()
        expect(doctor.locator("#notice")).to_have_text("Acknowledgement recorded.")
        panel = doctor.locator("#recommendation")
        expect(panel).to_have_attribute("data-action", "give")
        expect(panel.locator('li[data-code="opioid-benzodiazepine"]')).to_contain_text(
            "acknowledged"
        )
        expect(doctor.locator("#timeline")).to_contain_text(
            "Physician acknowledged opioid-benzodiazepine"
        )
    finally:
        physician_context.close()


def test_poss_4_shows_the_emergency_panel(owm_server: LiveServer, context: BrowserContext) -> None:
    patient_id, episode_id = admit_through_service(owm_server, "E2E-3", "Sam Sedated", "3")
    ready_for_dose(owm_server, episode_id)
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    expect(page.locator("#emergency")).to_have_count(0)
    record_poss(page, "4")
    emergency = page.locator("#emergency")
    expect(emergency).to_be_visible()
    expect(emergency).to_contain_text("EMERGENCY")
    expect(emergency.locator("ol.checklist li").first).to_be_visible()
    expect(emergency).to_contain_text("overdose-suspected")
    expect(page.locator("#recommendation")).to_have_attribute("data-action", "emergency")
    # The panel spans the page: as wide as the main column.
    main_width = page.locator("main").evaluate("el => el.clientWidth")
    panel_width = emergency.evaluate("el => el.getBoundingClientRect().width")
    assert panel_width >= main_width * 0.9
    screenshot(page, "patient-page-emergency")
    page.goto(owm_server.url("/"))
    row = page.locator("tr", has=page.get_by_role("link", name="Sam Sedated"))
    expect(row).to_have_attribute("data-action", "emergency")
    expect(row).to_contain_text("EMERGENCY")


def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, _ = admit_through_service(owm_server, "E2E-4", "Robin Retry", "4")
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    open_form(page, "form-vitals")
    page.locator("#v-respiratory_rate").fill("fast")
    page.locator("#v-pulse").fill("400")
    page.get_by_role("button", name="Record vital signs").click()
    expect(page.locator("#err-respiratory_rate")).to_contain_text("fast is not allowed")
    expect(page.locator("#err-respiratory_rate")).to_contain_text("a whole number")
    expect(page.locator("#v-respiratory_rate")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#v-pulse")).to_have_value("400")
    # Letters are refused by the page; the service then judges the numbers.
    page.locator("#v-respiratory_rate").fill("16")
    page.get_by_role("button", name="Record vital signs").click()
    expect(page.locator("#err-pulse")).to_contain_text("400 is not allowed")
    expect(page.locator('#timeline li[data-kind="vitals"]')).to_have_count(0)

    # A COWS with an item left out is refused beside that item, never scored as 0.
    open_form(page, "form-COWS")
    items = dict(COWS_MODERATE)
    items.pop("tremor")
    form = page.locator("#form-COWS form")
    for key, value in items.items():
        form.locator(f'input[name="items.{key}"][value="{value}"]').check()
    form.get_by_role("button", name="Record COWS").click()
    expect(page.locator("#err-items-tremor")).to_contain_text("Not filled in")
    expect(page.locator("#err-items-tremor")).to_contain_text("unable to assess")
    expect(page.locator('#timeline li[data-kind="assessment"]')).to_have_count(0)

    # "Unable to assess" is kept with its reason.
    open_form(page, "form-unable")
    page.get_by_label("Which score").select_option("COWS")
    page.get_by_label("Reason (required)").fill("asleep, not woken")
    page.get_by_role("button", name="Record unable to assess").click()
    expect(page.locator("#notice")).to_contain_text("unable to assess")
    expect(page.locator("#timeline")).to_contain_text("COWS: unable to assess (asleep, not woken)")


def test_a_form_sent_twice_is_recorded_once(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, _ = admit_through_service(owm_server, "E2E-5", "Kim Twice", "5")
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    open_form(page, "form-POSS")
    page.locator('#form-POSS input[name="level"][value="2"]').check()
    statuses = page.evaluate(
        """async () => {
            const form = document.querySelector('#form-POSS form');
            const body = new URLSearchParams(new FormData(form));
            const first = await fetch(form.action, {method: 'POST', body, redirect: 'manual'});
            const second = await fetch(form.action, {method: 'POST', body, redirect: 'manual'});
            return [first.type, second.type];
        }"""
    )
    assert statuses == ["opaqueredirect", "opaqueredirect"]
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    expect(page.locator('#timeline li[data-kind="sedation"]')).to_have_count(1)


def test_pages_need_a_session_and_sign_out_ends_it(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(owm_server.url("/due"))
    expect(page).to_have_url(re.compile(r"/login\?next=/due$"))
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_contain_text("wrong username or password")
    signed_in(page, owm_server, "nurse")
    page.goto(owm_server.url("/due"))
    expect(page.locator("h1")).to_contain_text("What is due")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".notice")).to_have_text("You have signed out.")
    page.goto(owm_server.url("/"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # the sign-in page at /


def test_the_board_is_usable_by_keyboard_and_at_200_percent_zoom(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, _ = admit_through_service(owm_server, "E2E-6", "Lee Labels", "6")
    page = signed_in(context.new_page(), owm_server, "nurse")
    # 200 % zoom of a 1280 px screen: the layout gets 640 CSS px and must not scroll sideways.
    page.set_viewport_size({"width": 640, "height": 900})
    for path in ("/", "/due", f"/patients/{patient_id}"):
        page.goto(owm_server.url(path))
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 640 px wide"
    # On the board, the recommendation of each patient is in sight, not scrolled away.
    page.goto(owm_server.url("/"))
    row = page.locator("tr", has=page.get_by_role("link", name="Lee Labels"))
    cell = row.locator('td[data-label="Recommendation"]')
    expect(cell).to_contain_text("Hold")
    box = cell.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 640
    # Every visible form control has a label.
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden')
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name || el.id)"""
    )
    assert unlabelled == []
    # The skip link is the first stop of the keyboard, and goes to the content.
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Skip to main content"


def test_the_board_refreshes_by_itself(owm_server: LiveServer, context: BrowserContext) -> None:
    from owm.service.observations import record_sedation

    _, episode_id = admit_through_service(owm_server, "E2E-7", "Jo Refresh", "7")
    ready_for_dose(owm_server, episode_id)
    page = signed_in(context.new_page(), owm_server, "nurse")
    row = page.locator("tr", has=page.get_by_role("link", name="Jo Refresh"))
    expect(row).to_have_attribute("data-action", "give")
    page.evaluate("() => { window.__notReloaded = true; }")
    # Another nurse records POSS 3 elsewhere: the board holds the dose without a reload.
    record_sedation(
        owm_server.uow(), owm_server.actor("nurse"), episode_id=episode_id, scale="POSS", level="3"
    )
    expect(row).to_have_attribute("data-action", "hold", timeout=20_000)
    expect(row).to_contain_text("POSS 3")
    assert page.evaluate("() => window.__notReloaded === true")


def test_hold_asks_a_reason_and_a_confirmation(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, episode_id = admit_through_service(owm_server, "E2E-8", "Pat Hold", "8")
    ready_for_dose(owm_server, episode_id)
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    page.get_by_role("button", name="Hold the dose…").click()
    expect(page.locator("#err-reason")).to_contain_text("Not filled in")
    page.get_by_label("Reason for holding (required)").fill("patient asleep, comfortable")
    page.get_by_role("button", name="Hold the dose…").click()
    expect(page.locator("h1")).to_contain_text("Confirm: hold the dose for Pat Hold")
    page.get_by_role("button", name="Confirm: hold the dose").click()
    expect(page.locator("#notice")).to_have_text("Dose held, with the reason.")
    expect(page.locator('#timeline li[data-kind="hold"]')).to_contain_text(
        "Dose held: patient asleep, comfortable"
    )


def test_a_form_can_be_filled_with_the_keyboard_alone(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, _ = admit_through_service(owm_server, "E2E-9", "Kai Keys", "9")
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    page.locator("#form-POSS summary").focus()
    page.keyboard.press("Enter")  # opens the form
    page.keyboard.press("Tab")  # the first level: S
    page.keyboard.press("ArrowDown")  # 1
    page.keyboard.press("ArrowDown")  # 2
    expect(page.locator('#form-POSS input[name="level"][value="2"]')).to_be_checked()
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent") == "Record POSS":
            break
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_have_text("Sedation (POSS) recorded.")
    expect(page.locator('#timeline li[data-kind="sedation"]')).to_contain_text("Sedation POSS 2")


def test_a_form_from_an_earlier_session_is_refused_with_a_page(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    patient_id, _ = admit_through_service(owm_server, "E2E-10", "Ash Session", "10")
    page = signed_in(context.new_page(), owm_server, "nurse")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    open_form(page, "form-POSS")
    page.locator('#form-POSS input[name="level"][value="1"]').check()
    page.locator('#form-POSS input[name="csrf_token"]').evaluate("el => { el.value = 'stale'; }")
    page.get_by_role("button", name="Record POSS").click()
    expect(page.locator("h1")).to_have_text("Form expired")
    expect(page.locator("main")).to_contain_text("nothing was recorded")
    page.goto(owm_server.url(f"/patients/{patient_id}"))
    expect(page.locator('#timeline li[data-kind="sedation"]')).to_have_count(0)


def test_an_admin_is_told_that_patients_records_are_not_theirs(
    owm_server: LiveServer, context: BrowserContext
) -> None:
    page = signed_in(context.new_page(), owm_server, "admin")
    expect(page.get_by_test_id("who")).to_have_text("Adam Admin")
    expect(page.locator("main")).to_contain_text("you do not see patients' records")
    expect(page.get_by_role("link", name="What is due")).to_have_count(0)
