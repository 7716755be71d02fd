"""The handoff PDF from a report built by hand: every patient and every line reaches the
paper, names print as written, a row taller than a page goes on over the next page."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal

from pypdf import PdfReader

from owm.service.handoff import HandoffAlert, HandoffPatient, HandoffReport, HandoffTask
from owm.service.results import WardView
from owm.web.docs.pdf import handoff_pdf

AT = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
WARD = WardView(id=1, name="Ward 7", timezone="Europe/London", protocol_id="clonazepam-adjunct")


def _patient(i: int, name: str, *, alerts: int = 1, action: str = "hold") -> HandoffPatient:
    return HandoffPatient(
        patient_id=i,
        episode_id=i,
        bed=str(i),
        name=name,
        mrn=f"M{i}",
        age_years=40,
        allergies=(),
        conditions=("sleep-apnoea",),
        admitted_at=AT,
        first_line_choice="methadone",
        course_day=2,
        action=action,
        dose_mg=Decimal("0.5") if action == "give" else None,
        next_dose_not_before=AT,
        remaining_24h_mg=Decimal("3.5"),
        given_24h_mg=Decimal("0.5"),
        last_dose_at=AT,
        last_dose_mg=Decimal("0.5"),
        withdrawal_instrument="COWS",
        withdrawal_score=15,
        withdrawal_band="moderate",
        withdrawal_at=AT,
        news2_score=1,
        news2_response="low",
        sedation="POSS 2",
        sedation_at=AT,
        active_medications=("methadone (opioid)",),
        alerts=tuple(
            HandoffAlert(
                code="opioid-benzodiazepine",
                severity="critical",
                group="escalate",
                message=f"Alert {n}: an opioid is active; a physician must decide first.",
                acknowledged=False,
            )
            for n in range(alerts)
        ),
        tasks=(
            HandoffTask(kind="assessment", text="Withdrawal score (COWS)", due=AT, overdue=True),
        ),
        protocol="clonazepam-adjunct 1",
    )


def _text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split())


def test_every_patient_prints_with_the_name_as_written():
    names = ["Zoë Łukasiewicz", "Ørjan Ødegård", "Ana María Núñez", "Дмитрий Иванов"]
    report = HandoffReport(
        ward=WARD, at=AT, patients=tuple(_patient(i + 1, n) for i, n in enumerate(names))
    )
    data = handoff_pdf(report)
    assert data.startswith(b"%PDF-")
    _, text = _text(data)
    for name in names:
        assert name in text
    assert "OVERDUE since 14:00" in text
    assert "page 1 of 1" in text


def test_the_action_is_printed_as_a_word_with_the_dose():
    report = HandoffReport(ward=WARD, at=AT, patients=(_patient(1, "Give Me", action="give"),))
    _, text = _text(handoff_pdf(report))
    assert "Give 0.5 mg" in text
    assert "Next dose not before" not in text


def test_a_row_taller_than_a_page_goes_on_over_the_next_page():
    report = HandoffReport(ward=WARD, at=AT, patients=(_patient(1, "Long Alerts", alerts=60),))
    pages, text = _text(handoff_pdf(report))
    assert pages >= 2
    for n in (0, 30, 59):
        assert f"Alert {n}:" in text


def test_a_ward_of_many_patients_fills_pages_with_headings_on_each():
    report = HandoffReport(
        ward=WARD, at=AT, patients=tuple(_patient(i, f"Patient {i:03d}") for i in range(1, 61))
    )
    data = handoff_pdf(report)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "Outstanding tasks" in page.extract_text()
    _, text = _text(data)
    assert all(f"Patient {i:03d}" in text for i in range(1, 61))


def test_an_empty_ward_prints_a_sentence():
    _, text = _text(handoff_pdf(HandoffReport(ward=WARD, at=AT, patients=())))
    assert "No patients on the ward." in text
