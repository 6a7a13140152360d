"""Small typed results shared by the wave and programme analyses (numbers only)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics
from .._display import fmt_value, html_summary, interval
from ..effects import OnboardingEffect
from ..schema import Programme
from ..stats._result import StatResult
from ..stats.proportions import wilson_interval

__all__ = ["Estimate", "ProfileCounts", "pretrend_p", "profile_counts", "profile_totals"]


@dataclass(frozen=True)
class Estimate:
    """An estimate with its 95% interval.

    Attributes
    ----------
    estimate, ci_low, ci_high : float
        Point estimate and interval (NaN when absent).
    n : int
        Size of the basis.
    method : str
        How the interval was computed.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    method: str

    @property
    def finite(self) -> bool:
        """Whether the estimate and interval are finite."""
        return all(math.isfinite(x) for x in (self.estimate, self.ci_low, self.ci_high))

    def __repr__(self) -> str:
        return (
            f"Estimate({interval(self.estimate, self.ci_low, self.ci_high)}, n={fmt_value(self.n)})"
        )

    def _repr_html_(self) -> str:
        return html_summary(
            "Estimate",
            [
                ("estimate (95% CI)", interval(self.estimate, self.ci_low, self.ci_high)),
                ("n", self.n),
                ("method", self.method),
            ],
        )


@dataclass(frozen=True)
class ProfileCounts:
    """LinkedIn profiles of a group of volunteers, with ONE reference date.

    The reference date of every figure is the first day of each volunteer's
    enrolment month (:func:`advocacy_eval.metrics.profile_reference_date`),
    which is also the onboarding effect's comparison point (the month before
    enrolment). So the volunteers "created after enrolling" are the ones among
    whom the "attributable" profiles are counted, and the attributable count
    estimates how many of those creations are due to enrolling.

    Attributes
    ----------
    n_volunteers : int
        Volunteers.
    n_without : int
        Without a profile at the reference date.
    n_created : int
        Of those, created a profile after it (descriptive count, no interval).
    creation_rate : Estimate
        ``n_created / n_without`` with a Wilson interval.
    background_rate : float
        Profile creation rate of colleagues not enrolled over the same period (descriptive).
    attributable : Estimate or None
        Profiles attributable to enrolling (count with interval), when the effect is estimable.
    """

    n_volunteers: int
    n_without: int
    n_created: int
    creation_rate: Estimate
    background_rate: float
    attributable: Estimate | None

    def __repr__(self) -> str:
        attributable = "" if self.attributable is None else f", attributable {self.attributable!r}"
        return (
            f"ProfileCounts({self.n_volunteers} volunteers, {self.n_without} without a profile, "
            f"{self.n_created} created one{attributable})"
        )

    def _repr_html_(self) -> str:
        items = [
            ("volunteers", self.n_volunteers),
            ("without a profile", self.n_without),
            ("created one since", self.n_created),
            (
                "creation rate (95% CI)",
                interval(
                    self.creation_rate.estimate,
                    self.creation_rate.ci_low,
                    self.creation_rate.ci_high,
                ),
            ),
            ("colleagues' creation rate", self.background_rate),
        ]
        if self.attributable is not None:
            a = self.attributable
            items.append(("attributable to enrolling", interval(a.estimate, a.ci_low, a.ci_high)))
        return html_summary("Profiles", items)


def profile_totals(members: pd.DataFrame) -> tuple[int, int]:
    """Volunteers without a profile at the reference date, and those of them who created one since.

    Parameters
    ----------
    members : pandas.DataFrame
        The volunteers.

    Returns
    -------
    tuple of int
        ``(n_without, n_created)`` (see :class:`ProfileCounts`).
    """
    counts = metrics.profiles_created(members, by=None)
    return int(counts["n_without_profile"].iloc[0]), int(counts["n_created"].iloc[0])


def profile_counts(
    programme: Programme,
    members: pd.DataFrame,
    data_end: pd.Timestamp,
    attributable: StatResult | None,
    label: str,
    totals: tuple[int, int] | None = None,
) -> ProfileCounts:
    """Profile figures of a group of volunteers (:class:`ProfileCounts`).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    members : pandas.DataFrame
        The volunteers.
    data_end : pandas.Timestamp
        Last day of the data.
    attributable : StatResult or None
        :func:`~advocacy_eval.effects.profiles_attributable` (rows per wave and ``total``).
    label : str
        Row of ``attributable`` to use (a wave id or ``"total"``).
    totals : tuple of int, optional
        :func:`profile_totals` of ``members`` when already counted.
    """
    n_without, n_created = profile_totals(members) if totals is None else totals
    if n_without:
        lo, hi = wilson_interval(np.array([n_created]), np.array([n_without]))
        rate = Estimate(
            n_created / n_without, float(lo[0]), float(hi[0]), n_without, "Wilson score interval"
        )
    else:
        rate = Estimate(float("nan"), float("nan"), float("nan"), 0, "Wilson score interval")
    start = (
        metrics.profile_reference_date(members["enrolled_on"]).min() if len(members) else data_end
    )
    background = metrics.background_profile_creation(programme.employees, start, data_end)
    attr = None
    if attributable is not None and label in set(attributable["wave_id"]):
        r = attributable.loc[attributable["wave_id"] == label].iloc[0]
        attr = Estimate(
            float(r["estimate"]),
            float(r["ci_low"]),
            float(r["ci_high"]),
            int(r["n"]),
            str(r["method"]),
        )
    return ProfileCounts(
        len(members), n_without, n_created, rate, float(background["creation_rate"].iloc[0]), attr
    )


def pretrend_p(effect: OnboardingEffect) -> float:
    """p-value of the joint pre-enrolment (event-study placebo) test of an onboarding effect."""
    pt = effect.pretrend
    row = pt.loc[pt["test"] == "event_study", "p_value"]
    return float(row.iloc[0]) if len(row) else float("nan")
