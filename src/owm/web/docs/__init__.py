"""The ward's documents: handoff, downtime forms, admission and discharge, governance.

Pages (each module has one router, mounted by `owm.web.routes` through `routers()`):

- `handoff`    the shift handoff, printable, and as a PDF file (`pdf`);
- `downtime`   blank COWS, SOWS and POSS forms with every anchor text, and the current
               medication administration record of each patient, to print before the
               system goes down;
- `admission`  admit a patient with the offer of methadone or buprenorphine and the
               patient's choice;
- `discharge`  the discharge (taper plan, referrals), the plain-language patient sheet
               (`patient_sheet`) and the patient's own 1-5 star rating page;
- `governance` "report a problem with this recommendation", the admins' list of
               reports, and acknowledgements and overrides per rule and per prescriber.

Every page calls service functions (never SQL) and renders through `owm.web.pages`.
"""

from __future__ import annotations

from fastapi import APIRouter

from owm.web.docs import admission, discharge, downtime, governance, handoff

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """The routers of the document pages, in order."""
    return [m.router for m in (handoff, downtime, admission, discharge, governance)]
