"""Every page router of owm, in one list, for `owm.web.install`.

The ward pages of this package come first; the documents of `owm.web.docs`
(handoff, downtime forms, medication record, admission and discharge, patient
sheet, rating, governance reports) add theirs through `owm.web.docs.routers()`
when that package provides it.
"""

from __future__ import annotations

import importlib
import importlib.util

from fastapi import APIRouter

__all__ = ["routers"]

_PAGE_MODULES: tuple[str, ...] = ("auth", "board", "due", "patient", "wards", "kiosk")


def routers() -> list[APIRouter]:
    """The page routers to include, in order."""
    found: list[APIRouter] = []
    for name in _PAGE_MODULES:
        module = importlib.import_module(f"owm.web.{name}")
        found.append(module.router)
    if importlib.util.find_spec("owm.web.docs") is not None:
        docs = importlib.import_module("owm.web.docs")
        docs_routers = getattr(docs, "routers", None)
        if docs_routers is not None:
            found.extend(docs_routers())
    return found
