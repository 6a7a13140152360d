"""Release-set privacy: the reports of one run are checked and suppressed as ONE release.

A run publishes several documents (one report per wave, the programme report,
in two languages, with their scorecard files). A cell hidden in one of them
must not be recoverable from the others: the programme's total minus the
other waves' reports, a weighted mean with known weights, or a hidden group
whose members all share one value.

The approach is the statistical offices' *complementary suppression*, decided
once for the whole release and applied by every report:

1. **Waves with fewer than k volunteers are left out of the release** (every
   figure of every report: the pooled programme figures, the panel behind the
   onboarding effect, the roster counts), so no published total includes them.
   Their volunteers are removed from the data before any analysis; the reports
   say how many *waves* were left out, never how many people.
2. **Every per-wave quantity that is also published as a total** (volunteers
   without a profile and profiles created, volunteers in the effect estimate)
   is suppressed with :func:`~advocacy_eval.privacy.suppression.cells_to_hide`
   across the waves: primary cells (fewer than k people) and complementary ones
   (the next smallest waves until the hidden cells hold at least k people, are
   at least two, and are not homogeneous). A hidden cell is hidden in *every*
   report of the release, the wave's own report included, so that subtracting
   one report from another recovers nothing. With two or more waves' effects
   hidden, a published overall mean gives only a combination of them, not any
   one of them.

The plan is a pure function of the data and k: every report of a run computes
the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .suppression import cells_to_hide, check_min_group_size, hidden_label_keys

__all__ = [
    "ReleasePlan",
    "plan_release",
]


@dataclass(frozen=True)
class ReleasePlan:
    """What every report of one release hides.

    Attributes
    ----------
    k : int
        Minimum group size.
    excluded_waves : tuple of str
        Waves with fewer than k volunteers, left out of every figure.
    hidden : dict
        ``(quantity, wave_id) -> label key`` (``"suppressed"`` or
        ``"suppressed_secondary"``) for every hidden per-wave cell.
    """

    k: int
    excluded_waves: tuple[str, ...] = ()
    hidden: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def hides(self, quantity: str, wave: str) -> bool:
        """Whether the per-wave ``quantity`` of ``wave`` is hidden in every report."""
        return wave in self.excluded_waves or (quantity, wave) in self.hidden

    def label_key(self, quantity: str, wave: str) -> str:
        """The i18n key saying why the cell is hidden (``""`` when shown)."""
        if wave in self.excluded_waves:
            return "suppressed"
        return self.hidden.get((quantity, wave), "")


def plan_release(
    k: int,
    wave_sizes: Mapping[str, float],
    quantities: Mapping[str, Mapping[str, float]] | None = None,
    successes: Mapping[str, Mapping[str, float]] | None = None,
) -> ReleasePlan:
    """Decide the suppression of a release.

    Parameters
    ----------
    k : int
        Minimum group size (>= 3).
    wave_sizes : mapping
        Volunteers per wave; waves below k are excluded from the release.
    quantities : mapping, optional
        ``quantity -> {wave: people}`` for each per-wave count that is also
        published as a total (over the waves kept).
    successes : mapping, optional
        ``quantity -> {wave: people with the attribute}`` for the homogeneity rule.

    Returns
    -------
    ReleasePlan
    """
    k = check_min_group_size(k)
    excluded = tuple(w for w, n in wave_sizes.items() if n < k)
    hidden: dict[tuple[str, str], str] = {}
    for quantity, cells in (quantities or {}).items():
        waves: Sequence[str] = [w for w in cells if w not in excluded]
        if not waves:
            continue
        n = np.array([float(cells[w]) for w in waves])
        x = None
        if successes is not None and quantity in successes:
            x = np.array([float(successes[quantity].get(w, 0.0)) for w in waves])
        hide = cells_to_hide(n, k, successes=x)
        for w, key in zip(waves, hidden_label_keys(n, hide, k), strict=True):
            if key:
                hidden[(quantity, w)] = str(key)
    return ReleasePlan(k, excluded, hidden)
