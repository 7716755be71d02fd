"""Where the test data kept in the repository is (see tests/data/README.md)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CONFORMANCE", "DATA", "ROOT", "SHARED", "VIGNETTES"]

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root folder."""
DATA = ROOT / "tests" / "data"
VIGNETTES = DATA / "vignettes"
CONFORMANCE = DATA / "conformance" / "opioid-cds-rec11"
SHARED = ROOT.parent / "shared"
"""The project's shared folder beside the repository, where the data comes from (may be absent)."""
