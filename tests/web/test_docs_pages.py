"""The document pages over HTTP: the real app on a real database (SQLite and PostgreSQL),
a signed-in session per role, a fixed clock (fixtures `app` and `world` in conftest.py).
What a browser gets, without the browser (the end-to-end tests in tests/e2e drive
Chromium)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from .client import as_role


def test_handoff_page_lists_patients_with_tasks_and_prints_landscape(app, world):
    episode = world.admit("P-1", name="Alex Handoff", bed="4")
    world.ready_for_dose(episode)
    world.admit("P-2", name="Blair Waiting", bed="5")
    nurse = as_role(app, world, "nurse")

    response = nurse.get("/handoff")

    assert response.status_code == 200
    html = response.text
    assert "Alex Handoff" in html and "Blair Waiting" in html
    assert html.index("Alex Handoff") < html.index("Blair Waiting")
    assert "Give 0.5 mg" in html
    assert "overdue since" in html
    assert "/static/docs.css" in html
    assert "Report a problem with this recommendation" in html


def test_handoff_pdf_is_a_pdf_with_every_patient(app, world):
    world.admit("P-1", name="Zoë Łukasiewicz", bed="1")
    world.admit("P-2", name="Blair Waiting", bed="2")
    nurse = as_role(app, world, "nurse")

    response = nurse.get("/handoff.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="handoff-')
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    words = "".join(page.extract_text() for page in reader.pages)
    assert "Zoë Łukasiewicz" in words and "Blair Waiting" in words
    assert "Shift handoff" in words and "Decision support for licensed clinicians" in words


def test_handoff_is_refused_to_an_admin_with_a_page_not_json(app, world):
    admin = as_role(app, world, "admin")
    response = admin.get("/handoff")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("code", ["COWS", "SOWS", "POSS", "oows", "RASS"])
def test_blank_forms_print_every_anchor_text(app, world, code):
    from owm.clinical.instruments import INSTRUMENTS, POSS, RASS

    admin = as_role(app, world, "admin")
    response = admin.get(f"/downtime/forms/{code}")
    assert response.status_code == 200
    html = response.text
    upper = code.upper()
    if upper in INSTRUMENTS:
        for item in INSTRUMENTS[upper].items:
            for _, anchor in item.anchors:
                assert anchor.replace("'", "&#39;") in html
    else:
        for _, anchor in (POSS if upper == "POSS" else RASS).levels:
            assert anchor in html
        assert "Emergency checklist" in html


def test_an_unknown_blank_form_is_not_found_and_names_the_forms(app, world):
    response = as_role(app, world, "nurse").get("/downtime/forms/CIWA")
    assert response.status_code == 404
    assert "COWS, SOWS, POSS, OOWS, RASS" in response.text


def test_medication_records_of_the_ward_and_of_one_patient(app, world):
    from owm.service.dosing import give_dose

    episode = world.admit("P-1", name="Morgan Mar", bed="1")
    world.ready_for_dose(episode)
    give_dose(world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key="k1")
    world.admit("P-2", name="Other Patient", bed="2")
    nurse = as_role(app, world, "nurse")

    ward = nurse.get("/downtime/mar").text
    assert ward.count('data-testid="mar"') == 2
    one = nurse.get(f"/downtime/mar/{episode}").text
    assert one.count('data-testid="mar"') == 1
    assert "Morgan Mar" in one and "Other Patient" not in one
    assert "0.5 mg" in one and "clonazepam" in one
    pack = nurse.get("/downtime").text
    assert f"/downtime/mar/{episode}" in pack and "/downtime/forms/COWS" in pack


def _admission_form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "name": "Sam Admitted",
        "mrn": "ADM-1",
        "bed": "7",
        "age_years": "41",
        "sex": "male",
        "weight_kg": "80",
        "setting": "inpatient",
        "first_line_offered": "yes",
        "first_line_choice": "buprenorphine",
        "conditions": ["epilepsy"],
    }
    form.update(overrides)
    return form


def test_admission_records_the_first_line_offer_and_the_choice(app, world, database):
    nurse = as_role(app, world, "nurse")
    assert nurse.get("/admit").status_code == 200

    response = nurse.post("/admit", _admission_form())

    assert response.status_code == 200
    assert "/episodes/" in str(response.url) and str(response.url).endswith("/admission")
    assert "Buprenorphine" in response.text
    with database.engine.connect() as c:
        row = c.execute(text("SELECT first_line_offered, first_line_choice FROM episode")).one()
    assert bool(row[0]) is True and row[1] == "buprenorphine"


def test_admission_sent_twice_admits_once(app, world, database):
    nurse = as_role(app, world, "nurse")
    form = nurse.get("/admit").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form)
    assert key is not None
    first = nurse.post("/admit", _admission_form(idempotency_key=key.group(1)))
    world.advance(hours=1)
    second = nurse.post("/admit", _admission_form(idempotency_key=key.group(1)))
    assert second.status_code == 200
    assert str(second.url).split("?")[0] == str(first.url)
    assert "already recorded" in second.text
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM episode")).scalar_one() == 1
        assert c.execute(text("SELECT idempotency_key FROM episode")).scalar_one() == key.group(1)


def test_a_second_admission_form_for_a_patient_already_admitted_is_refused(app, world, database):
    nurse = as_role(app, world, "nurse")
    nurse.post("/admit", _admission_form(idempotency_key="form-a"))
    other = nurse.post("/admit", _admission_form(idempotency_key="form-b"))
    assert other.status_code == 409 and "open episode" in other.text
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM episode")).scalar_one() == 1


def test_admission_errors_sit_beside_their_fields_and_store_nothing(app, world, database):
    nurse = as_role(app, world, "nurse")
    response = nurse.post(
        "/admit",
        _admission_form(age_years="forty", first_line_offered="", first_line_choice="maybe"),
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="err-age_years"' in html and "a whole number" in html
    assert 'id="err-first_line_offered"' in html
    assert 'aria-describedby="err-age_years"' in html
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM episode")).scalar_one() == 0


def test_admission_not_offered_needs_a_reason(app, world):
    nurse = as_role(app, world, "nurse")
    response = nurse.post("/admit", _admission_form(first_line_offered="no", first_line_choice=""))
    assert response.status_code == 422
    assert 'id="err-first_line_note"' in response.text


def test_discharge_shows_referrals_and_makes_the_patient_sheet(app, world):
    episode = world.admit("D-1", name="Dana Discharge")
    nurse = as_role(app, world, "nurse")
    form = nurse.get(f"/episodes/{episode}/discharge").text
    assert 'name="moud_referral"' in form and "No taper needed" in form

    done = nurse.post(
        f"/episodes/{episode}/discharge",
        {
            "moud_referral": "methadone",
            "naloxone_supplied": "yes",
            "psychotherapy_referral": "yes",
            "psychotherapy_service": "Community talking therapies, 0100 000 000",
        },
    )
    assert done.status_code == 200
    assert "Referred to a methadone programme." in done.text
    assert "Community talking therapies" in done.text

    sheet = nurse.get(f"/episodes/{episode}/patient-sheet").text
    for words in (
        "What clonazepam does",
        "Do not drink alcohol",
        "Do not drive",
        "do not stop it suddenly",
        "Where to get help",
        "Seeing double".lower(),
        "You have been referred for methadone treatment.",
    ):
        assert words in sheet or words in sheet.lower()
    again = nurse.post(
        f"/episodes/{episode}/discharge",
        {"moud_referral": "methadone", "naloxone_supplied": "yes", "psychotherapy_referral": "yes"},
    )
    assert again.status_code == 200 and "Discharged" in again.text


def test_discharge_errors_name_what_is_allowed(app, world):
    episode = world.admit("D-2")
    nurse = as_role(app, world, "nurse")
    response = nurse.post(f"/episodes/{episode}/discharge", {"moud_referral": "heroin"})
    assert response.status_code == 422
    assert "methadone, buprenorphine, declined, already-on-moud" in response.text
    assert 'id="err-naloxone_supplied"' in response.text


def test_a_problem_report_reaches_the_admins_list_with_the_protocol_version(app, world, database):
    episode = world.admit("G-1")
    world.ready_for_dose(episode)
    nurse = as_role(app, world, "nurse")
    nurse.get("/handoff")
    with database.engine.connect() as c:
        log_id = c.execute(text("SELECT max(id) FROM recommendation_log")).scalar_one()

    form = nurse.get(f"/problems/new?recommendation_id={log_id}&back=/handoff").text
    assert "clonazepam-adjunct version 2" in form
    key = form.split('name="key" value="')[1].split('"')[0]
    sent = {"key": key, "recommendation_id": str(log_id), "text": "Dose too high for her weight"}
    stored = nurse.post("/problems/new", sent)
    assert stored.status_code == 200 and "is stored" in stored.text
    world.advance(hours=1)
    again = nurse.post("/problems/new", sent)
    assert again.status_code == 200 and "is stored" in again.text
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM problem_report")).scalar_one() == 1
        assert c.execute(text("SELECT idempotency_key FROM problem_report")).scalar_one() == key
    # Another form (another key) is another report, however alike its words.
    nurse.post("/problems/new", {**sent, "key": "another-form"})
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM problem_report")).scalar_one() == 2

    admin = as_role(app, world, "admin")
    listing = admin.get("/governance/problems").text
    assert "Dose too high for her weight" in listing
    assert "version <strong>2</strong>" in listing
    assert nurse.get("/governance/problems").status_code == 403


def test_an_empty_problem_report_is_refused_beside_the_field(app, world):
    nurse = as_role(app, world, "nurse")
    response = nurse.post("/problems/new", {"key": "k", "text": "  "})
    assert response.status_code == 422
    assert 'id="err-text"' in response.text and "a non-empty text" in response.text


def test_overrides_report_counts_an_acknowledgement(app, world):
    from owm.service.acknowledgements import acknowledge_finding
    from owm.service.medications import record_medication

    episode = world.admit("O-1")
    record_medication(
        world.uow(), world.nurse, episode_id=episode, name="methadone", med_class="opioid"
    )
    world.ready_for_dose(episode)
    acknowledge_finding(
        world.uow(),
        world.physician,
        episode_id=episode,
        finding="opioid-benzodiazepine",
        reason="stable methadone; monitored bed",
    )
    html = as_role(app, world, "admin").get("/governance/overrides?days=7").text
    row = html.split('data-code="opioid-benzodiazepine"')[1].split("</tr>")[0]
    assert 'data-testid="acks-opioid-benzodiazepine">1<' in row
    assert "A Physician" in html

    bad = as_role(app, world, "admin").get("/governance/overrides?days=0")
    assert bad.status_code == 422 and "1 to 3650" in bad.text


def test_before_discharge_the_patient_sheet_is_a_draft_without_referrals(app, world):
    episode = world.admit("S-1", name="Sky Draft")
    html = as_role(app, world, "nurse").get(f"/episodes/{episode}/patient-sheet").text
    assert 'data-testid="sheet-draft"' in html
    assert "Do not drink alcohol" in html and "You have been referred" not in html


def test_after_a_long_course_discharge_carries_the_taper_plan_to_the_sheet(app, world):
    from integration.helpers import COWS_MODERATE
    from owm.service.acknowledgements import acknowledge_finding
    from owm.service.dosing import give_dose

    better = {**COWS_MODERATE, "gi_upset": 0, "tremor": 0, "yawning": 0, "runny_nose_tearing": 0}
    episode = world.admit("T-1", name="Tay Taper")
    for day in range(1, 9):
        if day > 1:
            world.advance(hours=24)
        # Improving (COWS 15, then 10, still with target symptoms): no not-improving.
        world.ready_for_dose(episode, COWS_MODERATE if day == 1 else better)
        if day > 4:  # past the course limit: a physician decides each day
            acknowledge_finding(
                world.uow(),
                world.physician,
                episode_id=episode,
                finding="course-limit",
                reason="still symptomatic; reviewed daily",
            )
        give_dose(
            world.uow(), world.nurse, episode_id=episode, dose_mg="0.5", idempotency_key=f"d{day}"
        )
    nurse = as_role(app, world, "nurse")
    form = nurse.get(f"/episodes/{episode}/discharge").text
    assert 'data-testid="taper-plan"' in form and "Stop: no more clonazepam." in form

    nurse.post(
        f"/episodes/{episode}/discharge",
        {
            "moud_referral": "buprenorphine",
            "naloxone_supplied": "yes",
            "psychotherapy_referral": "no",
        },
    )
    sheet = nurse.get(f"/episodes/{episode}/patient-sheet").text
    assert "Your reducing plan for clonazepam" in sheet
    assert "Stop: no more clonazepam." in sheet
    assert "follow the reducing plan on this sheet" in sheet


def test_the_admin_sets_the_ward_contact_and_the_sheet_and_handoff_print_it(app, world):
    admin = as_role(app, world, "admin")
    settings = admin.get("/wards")
    assert settings.status_code == 200 and "Ward phone / contact" in settings.text
    refused = admin.post(f"/wards/{world.ward_id}/contact", {"contact": "ask at reception"})
    assert refused.status_code == 422 and 'id="err-contact"' in refused.text
    saved = admin.post(f"/wards/{world.ward_id}/contact", {"contact": "020 7946 0321"})
    assert saved.status_code == 200 and "Contact saved." in saved.text
    assert as_role(app, world, "nurse").get("/wards").status_code == 403

    episode = world.admit("C-1", name="Casey Contact")
    nurse = as_role(app, world, "nurse")
    sheet = nurse.get(f"/episodes/{episode}/patient-sheet").text
    assert "Call the ward on 020 7946 0321" in sheet
    assert "call the ward (Ward 7) on 020 7946 0321" in sheet
    assert "Ward contact: 020 7946 0321" in nurse.get("/handoff").text
    pdf = nurse.get("/handoff.pdf")
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ward contact: 020 7946 0321" in words


def test_without_a_ward_contact_the_sheet_names_the_ward(app, world):
    episode = world.admit("C-2")
    sheet = as_role(app, world, "nurse").get(f"/episodes/{episode}/patient-sheet").text
    assert "call Ward 7." in sheet and "Call the ward on" not in sheet
