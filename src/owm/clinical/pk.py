"""Predicted clonazepam concentration: a one-compartment oral model.

Source: clinical spec section 5 (Yukawa 2002; J Clin Pharmacol 2005;45:1288;
Crevoisier 2003): ka 1.7/h, CL/F 4.3 L/h, V/F 250 L for a 70 kg adult, half-life
about 40 h. CL/F and V/F are apparent values: bioavailability is already inside
them and is not applied a second time.

    C(t) = sum over doses D_i given at t_i <= t of
           D_i * ka / (V/F * (ka - k)) * (exp(-k (t - t_i)) - exp(-ka (t - t_i))),
    k = (CL/F) / (V/F)

Why two implementations: one decision needs two numbers for one patient
(`level_at`, `peak_after`) in microseconds, with the standard library; a ward's
chart needs whole curves for many patients, which `ward_curves` computes with
numpy by stepping the exact linear solution on a regular grid (cost grows with
patients x steps, not with patients x steps x doses). The levels are shown, never
dosed from: 20-70 ng/mL is an anticonvulsant range, not a sedation target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from owm.clinical.protocol import Pharmacokinetics

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["Model", "level_at", "peak_after", "ward_curves"]

_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Model:
    """Rate constants of the model (per hour) and the amount-to-ng/mL factor."""

    ka: float
    k: float
    scale: float  # ng/mL per mg of dose: 1000 / V * ka / (ka - k)

    @classmethod
    @lru_cache(maxsize=16)
    def from_protocol(cls, pk: Pharmacokinetics) -> Model:
        k = pk.clearance_l_per_hour / pk.volume_l
        ka = pk.ka_per_hour
        return cls(ka=ka, k=k, scale=1000.0 / pk.volume_l * ka / (ka - k))

    def unit_level(self, hours_after: float) -> float:
        """Concentration (ng/mL) per mg dose, `hours_after` the dose (0 before it)."""
        if hours_after <= 0:
            return 0.0
        return self.scale * (math.exp(-self.k * hours_after) - math.exp(-self.ka * hours_after))


def level_at(model: Model, doses: Sequence[tuple[datetime, Decimal]], moment: datetime) -> float:
    """Predicted concentration (ng/mL) at `moment` from the doses given before it."""
    return sum(
        float(mg) * model.unit_level((moment - when).total_seconds() / _HOUR) for when, mg in doses
    )


def peak_after(
    model: Model,
    doses: Sequence[tuple[datetime, Decimal]],
    start: datetime,
    horizon_hours: float = 24.0,
) -> float:
    """The highest predicted concentration between `start` and `start + horizon`.

    Exact, not searched: between two dose times the curve is
    a e^(-k u) - b e^(-ka u) (u hours into the stretch), which has one turning point,
    at u = ln(ka b / (k a)) / (ka - k). The peak is the highest of the stretch ends
    and the turning points that fall inside their stretch.
    """
    ka, k = model.ka, model.k
    given = sorted(((when - start).total_seconds() / _HOUR, float(mg)) for when, mg in doses)
    ends = [0.0, *(t for t, _ in given if 0.0 < t < horizon_hours), horizon_hours]
    best = 0.0
    for low, high in pairwise(ends):
        a = sum(mg * math.exp(-k * (low - t)) for t, mg in given if t <= low)
        b = sum(mg * math.exp(-ka * (low - t)) for t, mg in given if t <= low)
        span = high - low
        moments = [0.0, span]
        if a > 0 and b > 0:
            turn = math.log(ka * b / (k * a)) / (ka - k)
            if 0.0 < turn < span:
                moments.append(turn)
        best = max(best, *(a * math.exp(-k * u) - b * math.exp(-ka * u) for u in moments))
    return best * model.scale


def ward_curves(
    model: Model,
    patient_index: npt.NDArray[np.int64],
    dose_hours: npt.NDArray[np.float64],
    dose_mg: npt.NDArray[np.float64],
    patients: int,
    step_hours: float,
    steps: int,
) -> npt.NDArray[np.float64]:
    """Concentration curves (patients x steps+1) on the grid 0, step, 2*step, ... (hours).

    Doses are flat arrays (one entry per dose: patient, time in hours from the grid's
    start, mg). Between grid points the gut and central amounts follow the exact
    solution; a dose inside a step enters with its exact elapsed time, so results do
    not depend on the step size (beyond float rounding).
    """
    import numpy as np

    ka, k = model.ka, model.k
    gut = np.zeros(patients)
    central = np.zeros(patients)  # in "scaled" units: ng/mL contributed
    moved = np.empty(patients)
    out = np.empty((steps + 1, patients))  # one contiguous row per grid point
    decay_g, decay_c = math.exp(-ka * step_hours), math.exp(-k * step_hours)
    transfer = decay_c - decay_g  # gut -> central over one step, per unit in gut (scaled)

    order = np.argsort(dose_hours, kind="stable")
    idx, when, mg = patient_index[order], dose_hours[order], dose_mg[order]
    step_of = np.ceil(when / step_hours - 1e-12).astype(np.int64)
    # doses at or before the grid start enter at step 0 with their elapsed time
    step_of = np.clip(step_of, 0, steps + 1)
    bounds = np.searchsorted(step_of, np.arange(steps + 2), side="left")
    # what each dose has put in the gut and the central compartment by its grid point
    elapsed = step_of * step_hours - when
    into_gut = mg * np.exp(-ka * elapsed)
    into_central = mg * (np.exp(-k * elapsed) - np.exp(-ka * elapsed))

    for s in range(steps + 1):
        if s > 0:
            np.multiply(gut, transfer, out=moved)
            central *= decay_c
            central += moved
            gut *= decay_g
        lo, hi = bounds[s], bounds[s + 1]
        if hi > lo:
            np.add.at(gut, idx[lo:hi], into_gut[lo:hi])
            np.add.at(central, idx[lo:hi], into_central[lo:hi])
        out[s] = central
    out *= model.scale
    return out.T  # patients x (steps + 1), a view: no copy of the whole ward
