"""Set-up for the document end-to-end tests: patients admitted and charted through the
service functions (never SQL) on the running server's database, with unique MRNs so
that they share the session's server with every other end-to-end test."""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

from support.records import ready_for_dose as record_ready


def unique(prefix: str) -> str:
    """`prefix` and a short random word, so tests sharing the server never collide."""
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def admit(server: Any, name: str, *, bed: str | None = None, **details: Any) -> int:
    """Admit a patient as the nurse; returns the episode id."""
    from owm.service.admission import admit as admit_patient

    fields: dict[str, Any] = {
        "age_years": 36,
        "sex": "female",
        "pregnant": False,
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
    record_ready(server.uow, server.actor("nurse"), episode_id)


def pdf_text(data: bytes) -> str:
    """All the text of a PDF document."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    # Ligatures (ﬀ) back to letters, and line breaks to spaces: a name wrapped in a
    # narrow column is still found.
    return " ".join(unicodedata.normalize("NFKC", text).split())
