"""One router per resource; `ROUTERS` is the order they are included in the app."""

from __future__ import annotations

from fastapi import APIRouter

from owm.api.routes import (
    acknowledgements,
    administrations,
    alcohol,
    assessments,
    audit,
    discharge,
    episodes,
    holds,
    medications,
    patients,
    problem_reports,
    ratings,
    recommendation,
    reports,
    sedation,
    side_effects,
    symptoms,
    tokens,
    users,
    vitals,
    voids,
    wards,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    tokens.router,
    users.router,
    wards.router,
    patients.router,
    episodes.router,
    assessments.router,
    vitals.router,
    sedation.router,
    symptoms.router,
    side_effects.router,
    medications.router,
    alcohol.router,
    recommendation.router,
    administrations.router,
    holds.router,
    acknowledgements.router,
    voids.router,
    discharge.router,
    ratings.router,
    problem_reports.router,
    audit.router,
    reports.router,
)
