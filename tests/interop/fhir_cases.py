"""Shared inputs of the FHIR tests: the vignettes' states and a state with every field."""

from __future__ import annotations

import json
from typing import Any

from owm.clinical.instruments import INSTRUMENTS
from support.data import VIGNETTES
from support.records import COWS_MODERATE


def vignette_states() -> list[tuple[str, dict[str, Any]]]:
    """Every vignette whose state is valid (the bad-input ones have nothing to export)."""
    if not VIGNETTES.is_dir():
        raise FileNotFoundError(f"the vignette folder {VIGNETTES} is missing")
    cases = []
    for path in sorted(VIGNETTES.glob("*.json")):
        vignette = json.loads(path.read_text(encoding="utf-8"))
        if "exit_status" not in vignette["expect"]:
            cases.append((path.stem, vignette["state"]))
    if not cases:
        raise FileNotFoundError(f"the vignette folder {VIGNETTES} has no valid states")
    return cases


def vignette_state(stem: str) -> dict[str, Any]:
    return dict(vignette_states())[stem]


COWS = COWS_MODERATE
SOWS = dict.fromkeys(INSTRUMENTS["SOWS"].item_keys, 1)
OOWS = dict.fromkeys(INSTRUMENTS["OOWS"].item_keys, 0)


def full_state() -> dict[str, Any]:
    """A state that uses every part of owm-state/1 (not one consistent patient)."""
    return {
        "format": "owm-state/1",
        "at": "2026-11-25T14:00:00Z",
        "ward": {"timezone": "Europe/London"},
        "protocol": "clonazepam-adjunct",
        "patient": {
            "age_years": 67,
            "sex": "male",
            "weight_kg": "81.5",
            "pregnant": False,
            "conditions": ["copd", "mild-liver-disease"],
            "allergies": [],
            "history": ["alcohol-use-disorder"],
        },
        "episode": {"started_at": "2026-11-22T09:00:00Z", "setting": "residential"},
        "alcohol": {"last_drink_at": "2026-11-20T20:00:00Z", "breath_alcohol_mg_l": "0.0"},
        "medications": [
            {
                "name": "methadone 1 mg/ml oral solution",
                "class": "opioid",
                "active": True,
                "changed_at": "2026-11-24T08:00:00Z",
                "rxnorm": "6813",
            },
            {"name": "phenobarbital", "class": "barbiturate", "active": False},
            {"name": "phenobarbital", "class": "cyp3a-inducer", "active": False},
            {"name": "lofexidine", "class": "alpha2-agonist", "active": True},
            {"name": "omeprazole", "class": "other", "active": True},
        ],
        "assessments": [
            {"instrument": "COWS", "at": "2026-11-24T09:30:00Z", "items": COWS},
            {"instrument": "SOWS", "at": "2026-11-25T13:00:00Z", "items": SOWS},
            {"instrument": "OOWS", "at": "2026-11-25T13:05:00Z", "items": OOWS},
            {"instrument": "COWS", "at": "2026-11-25T13:30:00Z", "items": COWS},
        ],
        "vitals": [
            {
                "at": "2026-11-25T09:30:00Z",
                "respiratory_rate": 18,
                "spo2": 95,
                "oxygen": True,
                "systolic_bp": 104,
                "pulse": 92,
                "consciousness": "confusion",
                "temperature_c": "37.9",
            },
            {"at": "2026-11-25T13:30:00Z", "respiratory_rate": 16, "consciousness": "voice"},
        ],
        "sedation": [
            {"at": "2026-11-25T09:30:00Z", "scale": "RASS", "level": "+1"},
            {"at": "2026-11-25T13:30:00Z", "scale": "POSS", "level": "S"},
        ],
        "symptoms": [
            {"at": "2026-11-25T13:30:00Z", "code": "restless-legs"},
            {"at": "2026-11-25T13:30:00Z", "code": "diarrhoea"},
        ],
        "administrations": [
            {
                "drug": "clonazepam",
                "dose_mg": "0.5",
                "route": "oral",
                "at": "2026-11-23T10:00:00Z",
                "recorded_at": "2026-11-23T10:20:00Z",
            },
            {
                "drug": "clonazepam",
                "dose_mg": "0.25",
                "route": "sublingual",
                "at": "2026-11-24T10:00:00Z",
                "outcome": "partial",
            },
            {
                "drug": "clonazepam",
                "dose_mg": "0.5",
                "at": "2026-11-24T18:00:00Z",
                "outcome": "vomited",
            },
            {
                "drug": "clonazepam",
                "dose_mg": "0.5",
                "at": "2026-11-25T02:00:00Z",
                "outcome": "refused",
            },
            {"drug": "loperamide", "dose_mg": "4", "at": "2026-11-25T08:00:00Z"},
            {"drug": "diazepam", "dose_mg": "5", "route": "rectal", "at": "2026-11-22T09:00:00Z"},
        ],
        "side_effects": [{"at": "2026-11-25T10:00:00Z", "code": "diplopia"}],
        "acknowledgements": [
            {
                "finding": "opioid-benzodiazepine",
                "by": "physician",
                "at": "2026-11-24T09:30:00Z",
                "reason": "methadone taper; monitored bed",
            },
            {
                "finding": "older-adult",
                "by": "physician",
                "at": "2026-11-24T09:31:00Z",
                "reason": "fit and well",
            },
        ],
    }
