"""Set-up for the document end-to-end tests: patients admitted and charted through the
service functions (never SQL) on the running server's database, with unique MRNs so
that they share the session's server with every other end-to-end test."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

COWS_MODERATE = {
    "resting_pulse": 1,
    "sweating": 1,
    "restlessness": 3,
    "pupil_size": 1,
    "bone_joint_aches": 2,
    "runny_nose_tearing": 1,
    "gi_upset": 2,
    "tremor": 1,
    "yawning": 1,
    "anxiety_irritability": 2,
    "gooseflesh": 0,
}
GOOD_VITALS: dict[str, Any] = {
    "respiratory_rate": 16,
    "spo2": 98,
    "oxygen": False,
    "systolic_bp": 124,
    "pulse": 76,
    "consciousness": "alert",
    "temperature_c": "37.0",
}


def unique(prefix: str) -> str:
    """`prefix` and a short random word, so tests sharing the server never collide."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def admit(server: Any, name: str, *, bed: str | None = None, **details: Any) -> int:
    """Admit a patient as the nurse; returns the episode id."""
    from owm.service.admission import admit as admit_patient

    fields: dict[str, Any] = {
        "age_years": 36,
        "sex": "female",
        "weight_kg": "64",
        "first_line_offered": True,
        "first_line_choice": "declined",
    }
    fields.update(details)
    result = admit_patient(
        server.uow(),
        server.actor("nurse"),
        ward_id=server.ward_id,
        name=name,
        mrn=unique("MRN").replace(" ", "-"),
        bed=bed,
        **fields,
    )
    return result.episode.id


def ready_for_dose(server: Any, episode_id: int) -> None:
    """A moderate COWS, normal vital signs and POSS 1, recorded now."""
    from owm.service.assessments import record_assessment
    from owm.service.observations import record_sedation, record_vitals

    nurse = server.actor("nurse")
    record_assessment(
        server.uow(), nurse, episode_id=episode_id, instrument="COWS", items=COWS_MODERATE
    )
    record_vitals(server.uow(), nurse, episode_id=episode_id, **GOOD_VITALS)
    record_sedation(server.uow(), nurse, episode_id=episode_id, scale="POSS", level="1")


def pdf_text(data: bytes) -> str:
    """All the text of a PDF document."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Ligatures (ﬀ) back to letters, and line breaks to spaces: a name wrapped in a
    # narrow column is still found.
    return " ".join(unicodedata.normalize("NFKC", text).split())
