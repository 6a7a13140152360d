"""Planning the next wave: how many volunteers are needed to see what?

Uses the programme's observed variability (intra-author correlation, design
effects, the page's own uncertainty), not i.i.d. formulas, through the tested
functions of :mod:`advocacy_eval.stats.power`.

:func:`plan_next_wave` gives the planning tables of ``notebooks/plan_next_wave.ipynb``;
:func:`what_would_settle` and :func:`settle_claims` say, for each inconclusive
claim of a report, what would settle it (the "what we can say" box above the
scorecard): how many volunteers, or, when the company page's own uncertainty
dominates, that more volunteers cannot and how many months of data would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics
from .._display import html_summary
from ..claims import Claim, ClaimResult, Measurement, Scorecard
from ..schema import Programme
from ..stats.power import (
    _z_alpha,
    _z_beta,
    estimate_icc,
    mde_proportion,
    mde_rate_ratio,
    n_authors_for_rate_ratio,
    n_for_proportion,
    n_to_exclude,
    rate_design,
)
from ..stats.rates import compare_rates

__all__ = [
    "SETTLE_KINDS",
    "NextWavePlan",
    "Settlement",
    "deciding_measurement",
    "plan_next_wave",
    "settle_claims",
    "what_would_settle",
]


@dataclass
class NextWavePlan:
    """Inputs observed on the programme and the planning tables.

    Attributes
    ----------
    observed : pandas.DataFrame
        One row per observed input (name, value, meaning); counts of people
        are whole numbers.
    participation : pandas.DataFrame
        By next-wave size: minimal detectable change of monthly participation.
    reach : pandas.DataFrame
        By next-wave size (and the whole number of them expected to post):
        minimal detectable amplification ratio against the claim (above and
        below it).
    required : pandas.DataFrame
        ``goal``, ``volunteers`` (a whole number; missing when no number of
        volunteers would do, e.g. the page's own uncertainty dominates) and
        ``note``, which says in words what the number means or why there is none.
    """

    observed: pd.DataFrame
    participation: pd.DataFrame
    reach: pd.DataFrame
    required: pd.DataFrame

    def __repr__(self) -> str:
        needs = "; ".join(
            f"{g}: {'no number would do' if pd.isna(v) else f'{int(v):,} volunteers'}"
            for g, v in zip(self.required["goal"], self.required["volunteers"], strict=True)
        )
        return f"NextWavePlan({len(self.participation)} wave sizes; {needs})"

    def _repr_html_(self) -> str:
        return html_summary(
            "Next-wave plan",
            list(zip(self.required["goal"], self.required["note"], strict=True)),
            tables=[
                ("observed so far", self.observed),
                ("participation", self.participation),
                ("amplification", self.reach),
            ],
        )


def plan_next_wave(
    programme: Programme,
    sizes: Sequence[int] = (100, 200, 300, 500, 800),
    months: int = 6,
    participation_change: float = 0.10,
    claimed_ratio: float = 4.0,
    alpha: float = 0.05,
    power: float = 0.80,
) -> NextWavePlan:
    """Detectable effects and required volunteers for the next wave.

    Parameters
    ----------
    programme : Programme
        Validated programme (all waves so far).
    sizes : sequence of int
        Next-wave sizes (volunteers) to evaluate.
    months : int
        Months each new volunteer will be observed.
    participation_change : float
        Change of monthly participation (absolute, e.g. 0.10 = 10 points) to
        be able to detect against the waves so far.
    claimed_ratio : float
        Claimed amplification the next wave should confirm or refute.
    alpha, power : float
        Two-sided significance level and power.

    Returns
    -------
    NextWavePlan
    """
    employees, posts = programme.employees, programme.posts
    months_idx = metrics.month_range(
        programme.waves["start_date"].min(), posts["published_at"].max()
    )
    grid = metrics.enrolled_months(employees, months_idx)
    active = metrics.add_month(posts.loc[posts["author_type"] == "employee"])[
        ["author_id", "month"]
    ]
    active = active.drop_duplicates().rename(columns={"author_id": "employee_id"}).assign(active=1)
    grid = grid.merge(active, on=["employee_id", "month"], how="left")
    grid["active"] = grid["active"].fillna(0).astype("float64")
    p0 = float(grid["active"].mean())
    icc_part = float(estimate_icc(grid, "active", "employee_id")["estimate"].iloc[0])
    deff_part = 1 + (months - 1) * max(icc_part, 0.0)
    n_so_far = int(grid["employee_id"].nunique())

    emp = posts.loc[posts["author_type"] == "employee"]
    design = rate_design(posts, by="author_type").set_index("level")
    e = design.loc["employee"]
    share_active = float(emp["author_id"].nunique() / max(n_so_far, 1))
    reach = compare_rates(posts, by="author_type", reference="company", vce="cr3").set_index(
        "level"
    )
    page_se = float(reach.loc["company", "se_log_rate"])
    posts_per_author_month = float(e["posts_per_author"]) / max(len(months_idx), 1)
    m_next = max(posts_per_author_month * months, 1.0)
    icc_reach = float(e["icc"]) if np.isfinite(e["icc"]) else 0.0
    observed_ratio = float(reach.loc["employee", "rate_ratio"])

    observed = pd.DataFrame(
        [
            ("monthly_participation", p0, "active person-months / enrolled person-months so far"),
            ("icc_participation", icc_part, "intra-employee correlation of monthly activity"),
            (
                "design_effect_participation",
                deff_part,
                f"1 + ({months} - 1) x ICC over {months} months",
            ),
            ("volunteers_so_far", n_so_far, "volunteers enrolled so far"),
            ("share_posting", share_active, "share of volunteers who posted at least once"),
            (
                "posts_per_author_month",
                posts_per_author_month,
                "posts per posting author and month",
            ),
            ("cv_post_reach", float(e["cv_post"]), "coefficient of variation of post-level reach"),
            ("icc_reach", icc_reach, "intra-author correlation of reach"),
            ("page_se_log_rate", page_se, "standard error of the page's log reach rate"),
            ("observed_amplification", observed_ratio, "volunteers' reach rate / page's so far"),
        ],
        columns=["name", "value", "meaning"],
    )
    observed["value"] = observed["value"].astype(object)  # people stay whole numbers next to rates
    observed.loc[observed["name"] == "volunteers_so_far", "value"] = n_so_far

    rows_p, rows_r = [], []
    for size in sizes:
        units = size * months
        past_units = float(len(grid))
        res = mde_proportion(
            past_units, p0, alpha=alpha, power=power, deff=deff_part, ratio=units / past_units
        )
        rows_p.append(
            {
                "volunteers": size,
                "person_months": units,
                "detectable_participation": float(res["p1"].iloc[0]),
                "detectable_change": float(res["estimate"].iloc[0]),
            }
        )
        authors = max(round(size * share_active), 2)  # people: a whole number
        up = mde_rate_ratio(
            authors,
            m_next,
            float(e["cv_post"]),
            icc=icc_reach,
            ref_se_log=page_se,
            null_ratio=claimed_ratio,
            alpha=alpha,
            power=power,
        )
        rows_r.append(
            {
                "volunteers": size,
                "posting_authors": authors,
                "ratio_detectably_above_claim": float(up["estimate"].iloc[0]),
                "ratio_detectably_below_claim": claimed_ratio**2 / float(up["estimate"].iloc[0]),
            }
        )
    need_p = n_for_proportion(
        p0,
        min(p0 + participation_change, 0.999),
        alpha=alpha,
        power=power,
        deff=deff_part,
        ratio=1.0,
    )
    need_r = n_authors_for_rate_ratio(
        observed_ratio,
        m_next,
        float(e["cv_post"]),
        icc=icc_reach,
        ref_se_log=page_se,
        null_ratio=claimed_ratio,
        alpha=alpha,
        power=power,
    )
    authors_needed = float(need_r["estimate"].iloc[0])
    volunteers_p = math.ceil(float(need_p["estimate"].iloc[0]) / months)
    volunteers_r = math.ceil(authors_needed / share_active) if np.isfinite(authors_needed) else None
    required = pd.DataFrame(
        [
            {
                "goal": f"detect a {100 * participation_change:+.0f}-point change of monthly participation "
                "between two waves of equal size",
                "volunteers": volunteers_p,
                "note": f"{volunteers_p:,} volunteers per wave, each observed {months} months",
            },
            {
                "goal": f"tell the observed {observed_ratio:.2f}x from the {claimed_ratio:g}x claim",
                "volunteers": volunteers_r,
                "note": _ratio_requirement(
                    observed_ratio, claimed_ratio, page_se, volunteers_r, alpha
                ),
            },
        ]
    )
    required["volunteers"] = required["volunteers"].astype("Int64")
    return NextWavePlan(
        observed=observed,
        participation=pd.DataFrame(rows_p),
        reach=pd.DataFrame(rows_r),
        required=required,
    )


def _ratio_requirement(
    observed: float, claimed: float, page_se: float, volunteers: int | None, alpha: float
) -> str:
    """In words: the volunteers needed to tell an observed ratio from a claim, or why no number would."""
    if volunteers is not None:
        return f"{volunteers:,} volunteers, with the share who post so far"
    if math.isclose(observed, claimed, rel_tol=1e-12):
        return (
            f"no number of volunteers would: the observed ratio equals the {claimed:g}x claim, so no "
            "interval can exclude it"
        )
    page_pct = 100 * (math.exp(_z_alpha(alpha, "two-sided") * page_se) - 1)
    gap_pct = 100 * abs(observed / claimed - 1)
    return (
        f"no number of volunteers would: the observed {observed:.2f}x is only {gap_pct:.1f}% from the "
        f"{claimed:g}x claim, too close for the company page's own uncertainty (its reach rate is known to "
        f"about ±{page_pct:.0f}%), which more volunteers do not reduce; more months of page posts would"
    )


# ----------------------------------------------------------------------------- settling inconclusive claims

SETTLE_KINDS: tuple[str, ...] = ("settled", "volunteers", "page", "too_close", "not_measured")
"""What a :class:`Settlement` says: the claim is already settled (supported or contradicted); about
``volunteers_needed`` volunteers would settle it; more volunteers cannot because the page's own
uncertainty dominates (``months_needed`` months of data might, when finite); the estimate is too close to
the claimed value for any realistic number of volunteers; or the metric could not be measured."""


@dataclass(frozen=True)
class Settlement:
    """What would settle one claim on one population (numbers only; the report words them).

    Attributes
    ----------
    claim : Claim
        The claim.
    population : str
        Wave id or :data:`~advocacy_eval.claims.PROGRAMME`.
    kind : str
        One of :data:`SETTLE_KINDS`.
    volunteers_now : int
        Volunteers of the population.
    volunteers_needed : float
        Volunteers with which the 95% interval would exclude the claim's boundary with probability ``power``
        if the estimate is the truth (``kind == "volunteers"``; NaN otherwise).
    months_now : float
        Months of data behind the estimate (from the population's first enrolment to the data's end).
    months_needed : float
        Months of data that would settle it (``kind == "page"``; ``inf`` when none realistically would,
        NaN otherwise).
    """

    claim: Claim
    population: str
    kind: str
    volunteers_now: int
    volunteers_needed: float = float("nan")
    months_now: float = float("nan")
    months_needed: float = float("nan")

    def __post_init__(self) -> None:
        if self.kind not in SETTLE_KINDS:
            raise ValueError(
                f"unknown settlement kind {self.kind!r}; valid kinds: {', '.join(SETTLE_KINDS)}"
            )


def deciding_measurement(result: ClaimResult) -> Measurement:
    """The estimate behind the verdict: the sensitivity estimate when it is the more conservative one."""
    m, sens = result.measurement, result.measurement.sensitivity
    if (
        sens is not None
        and sens.measured
        and m.measured
        and result.claim.verdict(m.ci_low, m.ci_high) != result.verdict
    ):
        return sens
    return m


def _boundary_distance(claim: Claim, estimate: float, log_scale: bool) -> float:
    """Distance from the estimate to the nearest boundary deciding the claim (on the log scale for ratios)."""
    bounds = (
        [claim.target]
        if claim.op != "=="
        else [claim.target - claim.tolerance, claim.target + claim.tolerance]
    )
    if log_scale:
        if estimate <= 0 or min(bounds) <= 0:
            return 0.0
        return min(abs(math.log(estimate) - math.log(b)) for b in bounds)
    return min(abs(estimate - b) for b in bounds)


_NOT_BY_VOLUNTEERS: frozenset[str] = frozenset({"staff_reached_share"})
"""Metrics measured on all staff: more volunteers change the share itself, not its precision."""


def what_would_settle(
    result: ClaimResult,
    volunteers_now: int,
    months_now: float,
    page_se_log: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.80,
    max_factor: float = 20.0,
) -> Settlement:
    """What would settle a claim's verdict, taking its current estimate as the truth.

    The standard error is read from the claim's 95% interval (on the log
    scale for ratios) and shrinks as 1/sqrt(volunteers), except for the
    page's own part (``page_se_log``, ratios against the company page),
    which more volunteers do not reduce (:func:`~advocacy_eval.stats.power.n_to_exclude`).
    A count (profiles attributable) grows with the volunteers at its
    current rate per volunteer. When the page's part alone is too wide, more
    months of data (page posts included) are what would help: all variance
    is then taken to shrink as 1/months. The share of staff reached is a
    share of all staff, which volunteers do not make more precise: an
    inconclusive one is ``too_close``.

    Parameters
    ----------
    result : ClaimResult
        The claim on one population.
    volunteers_now : int
        Volunteers of the population.
    months_now : float
        Months of data behind the estimate.
    page_se_log : float
        Standard error of the page's log rate (ratio metrics; 0 otherwise).
    alpha, power : float
        Level of the interval and the wanted probability of settling (80% as in the planning notebook).
    max_factor : float
        Beyond this multiple of today's volunteers (or months), the number is not realistic: ``too_close``.

    Returns
    -------
    Settlement
    """
    claim = result.claim
    base: dict[str, Any] = {
        "claim": claim,
        "population": result.population,
        "volunteers_now": int(volunteers_now),
        "months_now": float(months_now),
    }
    m = deciding_measurement(result)
    if not m.measured:
        return Settlement(kind="not_measured", **base)
    if result.verdict != "inconclusive":
        return Settlement(kind="settled", **base)
    if not (math.isfinite(m.ci_low) and math.isfinite(m.ci_high)) or volunteers_now <= 0:
        return Settlement(kind="too_close", **base)
    if (
        claim.metric in _NOT_BY_VOLUNTEERS
    ):  # a share of all staff: its precision does not come from volunteers
        return Settlement(kind="too_close", **base)
    z = _z_alpha(alpha, "two-sided")
    if (
        m.unit == "count"
    ):  # a count grows with the volunteers: N a - (z + z_power) s1 sqrt(N) reaches the target
        bound = claim.target + (claim.tolerance if claim.op == "==" else 0.0)
        rate = m.estimate / volunteers_now
        s1 = (m.ci_high - m.ci_low) / (2 * z) / math.sqrt(volunteers_now)
        zz = z + _z_beta(power)
        if rate <= 0:
            return Settlement(kind="too_close", **base)
        root = (zz * s1 + math.sqrt((zz * s1) ** 2 + 4 * rate * max(bound, 0.0))) / (2 * rate)
        needed = max(root**2, volunteers_now + 1.0)
        if needed > max_factor * volunteers_now:
            return Settlement(kind="too_close", **base)
        return Settlement(kind="volunteers", volunteers_needed=float(math.ceil(needed)), **base)
    log_scale = m.unit == "ratio"
    if log_scale and m.ci_low <= 0:
        return Settlement(kind="too_close", **base)
    se = ((math.log(m.ci_high) - math.log(m.ci_low)) if log_scale else (m.ci_high - m.ci_low)) / (
        2 * z
    )
    distance = _boundary_distance(claim, m.estimate, log_scale)
    if se <= 0 or distance <= 0:
        return Settlement(kind="too_close", **base)
    fixed = min(max(page_se_log, 0.0), se) if log_scale else 0.0
    needed = n_to_exclude(volunteers_now, se, distance, fixed_se=fixed, alpha=alpha, power=power)
    if math.isfinite(needed) and needed <= max_factor * volunteers_now:
        return Settlement(
            kind="volunteers",
            volunteers_needed=float(math.ceil(max(needed, volunteers_now + 1))),
            **base,
        )
    if fixed > 0 and not math.isfinite(needed):  # the page's own uncertainty alone is too wide
        months = (
            n_to_exclude(max(months_now, 1.0), se, distance, alpha=alpha, power=power)
            if months_now > 0
            else float("inf")
        )
        months = (
            float(math.ceil(months))
            if months <= max_factor * max(months_now, 1.0)
            else float("inf")
        )
        return Settlement(kind="page", months_needed=months, **base)
    return Settlement(kind="too_close", **base)


_PAGE_COMPARISON: dict[str, str] = {
    "amplification": "reach",
    "reach_per_post_ratio": "reach_per_post",
    "engagement_per_post_ratio": "engagement_per_post",
    "engagement_rate_ratio": "engagement_rate",
}
"""Ratio metrics against the company page, and the comparison of :class:`MeasureContext` they come from."""


def settle_claims(
    context,
    scorecard: Scorecard,
    populations: Sequence[str] | None = None,
    alpha: float = 0.05,
    power: float = 0.80,
) -> tuple[Settlement, ...]:
    """:func:`what_would_settle` for every claim of a scorecard on the given populations.

    The page's own uncertainty comes from the context's comparisons (computed
    once, when the ratios were measured); volunteers and months from its
    populations.

    Parameters
    ----------
    context : advocacy_eval.analyses.measures.MeasureContext
        The fits behind the scorecard.
    scorecard : Scorecard
        The claims evaluated.
    populations : sequence of str, optional
        Populations to settle (default: all of the scorecard's).
    alpha, power : float
        As in :func:`what_would_settle`.

    Returns
    -------
    tuple of Settlement
        In the scorecard's order.
    """
    keys = list(scorecard.populations if populations is None else populations)
    out = []
    for r in scorecard.results:
        if r.population not in keys:
            continue
        pop = context.populations[r.population]
        months = max((pop.data_end - pop.start).days / 30.4375, 0.0)
        page_se = 0.0
        kind = _PAGE_COMPARISON.get(r.claim.metric)
        if kind is not None and r.verdict == "inconclusive" and r.measurement.measured:
            rows = context.comparison(r.population, kind).set_index("level")
            if "company" in rows.index and "se_log_rate" in rows.columns:
                value = float(rows.loc["company", "se_log_rate"])
                page_se = value if math.isfinite(value) else 0.0
        out.append(what_would_settle(r, pop.n_volunteers, round(months, 1), page_se, alpha, power))
    return tuple(out)
