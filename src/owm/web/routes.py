"""Every page router of owm, in one list, for `owm.web.install`.

The ward pages of this package come first, then the documents of `owm.web.docs`
(handoff, downtime forms, medication record, admission and discharge, patient
sheet, rating, governance reports). Each router is imported by name, so the
import contract (tests/test_architecture.py) sees every page the app serves.
"""

from __future__ import annotations

from fastapi import APIRouter

from owm.web import auth, board, due, kiosk, patient, wards
from owm.web import docs as documents

__all__ = ["routers"]


def routers() -> list[APIRouter]:
    """The page routers to include, in order."""
    pages = [m.router for m in (auth, board, due, patient, wards, kiosk)]
    return pages + documents.routers()
