"""The numbers of a wave report, computed by tested library functions (no language, no formatting).

:func:`wave_results` takes a validated programme and a wave id and returns a
:class:`WaveResults`: the claims scorecard of the wave (and the previous
wave's measurements, for the change column), the headline estimates with
their 95% intervals, and the result tables behind each section. The words,
tables and figures of the report come from :mod:`advocacy_eval.reports.wave`.

The wave's *cohort* is its volunteers. Each volunteer's posts count from
their own enrolment date; the company page is compared from the wave's start
date (see :mod:`advocacy_eval.analyses.measures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._display import html_summary, interval
from ..claims import Claim, Measurement, Scorecard, default_claims, evaluate
from ..effects import AnticipationCheck
from ..errors import ReportError
from ..privacy import check_min_group_size, suppress_small_groups
from ..schema import Programme
from ..stats._result import StatResult
from ..stats.proportions import compare_proportions, wilson_interval
from .measures import MeasureContext, is_in, measure_all, population, positions, volunteer_posts
from .planning import Settlement, settle_claims
from .results import Estimate, ProfileCounts, pretrend_p

__all__ = ["WaveResults", "posted_within", "volunteers_posts", "wave_results"]


@dataclass(frozen=True)
class WaveResults:
    """Numbers of one wave report.

    Attributes
    ----------
    wave_id : str
        The wave.
    waves : pandas.DataFrame
        The programme's waves table (names and labels are data, rendered as text).
    start, end, data_end : pandas.Timestamp
        The wave's enrolment window and the last day of the data.
    min_group_size : int
        k used for every breakdown.
    claims : tuple of Claim
        The claims evaluated.
    scorecard : Scorecard
        The claims on this wave.
    previous_wave : str or None
        The previous wave, when it could be measured.
    previous : Scorecard or None
        The same claims on the previous wave (descriptive change column).
    n_volunteers : int
        Volunteers of the wave.
    active : Estimate
        Share of volunteers who posted at least once since their own enrolment (Wilson).
    monthly_participation : Measurement
        Share of volunteer-months with a post.
    employee_reach_rate, page_reach_rate, engagement_rate : Estimate
        Reach rates of volunteers' and the page's posts, volunteers' engagement rate.
    reach, engagement, mix : StatResult
        Result tables of :func:`~advocacy_eval.stats.compare_rates`,
        :func:`~advocacy_eval.stats.compare_engagement` and :func:`~advocacy_eval.stats.content_mix`.
    participation_monthly : pandas.DataFrame
        By calendar month: n_enrolled, n_active, estimate, ci_low, ci_high
        (months with fewer than k volunteers blanked).
    participation_by_department : pandas.DataFrame
        department, n, active, share, ci_low, ci_high, suppressed (primary and secondary suppression applied).
    wave_comparison : StatResult
        Earlier waves vs this one: share who posted within ``months_window`` months of enrolling (Holm).
    months_window : int
        Months after enrolment used by ``wave_comparison``.
    profiles : ProfileCounts
        Profiles of the wave's volunteers, one reference date (the start of the enrolment month).
    profiles_hidden : str
        ``""`` when the profile figures may be shown; else why they are hidden in
        every report of the release (``"suppressed"``: fewer than k people without a
        profile; ``"suppressed_secondary"``: hidden to protect a smaller group).
    effect_pretrend_p : float
        p-value of the pre-enrolment test of the onboarding effect on posts (NaN when not estimated).
    effect_anticipation : AnticipationCheck or None
        Signs that volunteers reacted before enrolling, in the effect on posts
        (the programme's fit, which the wave's effect is part of). When at
        risk, the scorecard's ``effect_posts`` measurement is flagged and
        carries the estimate declaring one month of anticipation.
    engagement_terms : str
        Engagement terms available (``reactions+comments+...``).
    sources : pandas.DataFrame
        Input files (file, rows, sha256).
    settlements : tuple of Settlement
        For each claim on the wave, what would settle it (:func:`~advocacy_eval.analyses.planning.settle_claims`).
    repost_rule_posts : int
        The volunteers' reshares of programme content that LinkedIn may credit
        to the page since April 2024 (:func:`~advocacy_eval.analyses.comparability.repost_rule_posts`).
    """

    wave_id: str
    waves: pd.DataFrame = field(repr=False)
    start: pd.Timestamp
    end: pd.Timestamp
    data_end: pd.Timestamp
    min_group_size: int
    claims: tuple[Claim, ...]
    scorecard: Scorecard
    previous_wave: str | None
    previous: Scorecard | None
    n_volunteers: int
    active: Estimate
    monthly_participation: Measurement
    employee_reach_rate: Estimate
    page_reach_rate: Estimate
    engagement_rate: Estimate
    reach: StatResult = field(repr=False)
    engagement: StatResult = field(repr=False)
    mix: StatResult = field(repr=False)
    participation_monthly: pd.DataFrame = field(repr=False)
    participation_by_department: pd.DataFrame = field(repr=False)
    wave_comparison: StatResult = field(repr=False)
    months_window: int
    profiles: ProfileCounts
    profiles_hidden: str
    effect_pretrend_p: float
    engagement_terms: str
    sources: pd.DataFrame = field(repr=False)
    effect_anticipation: AnticipationCheck | None = None
    settlements: tuple[Settlement, ...] = ()
    repost_rule_posts: int = 0

    @property
    def effect_at_risk(self) -> bool:
        """Whether the effect on posts is at risk: volunteers may have reacted before enrolling."""
        return self.effect_anticipation is not None and self.effect_anticipation.at_risk

    def measurement(self, metric: str) -> Measurement | None:
        """This wave's measurement of a claimed metric (None when no claim uses it)."""
        for r in self.scorecard.results:
            if r.claim.metric == metric:
                return r.measurement
        return None

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{r.claim.key}: {r.verdict}" for r in self.scorecard.results)
        return f"WaveResults({self.wave_id}, {self.n_volunteers} volunteers; {verdicts})"

    def _repr_html_(self) -> str:
        def est(e: Estimate) -> str:
            return interval(e.estimate, e.ci_low, e.ci_high)

        return html_summary(
            f"Wave {self.wave_id}: {self.n_volunteers} volunteers, {self.start:%Y-%m-%d} to {self.data_end:%Y-%m-%d}",
            [
                ("posted at least once", est(self.active)),
                ("volunteers' reach rate", est(self.employee_reach_rate)),
                ("page's reach rate", est(self.page_reach_rate)),
                ("volunteers' engagement rate", est(self.engagement_rate)),
            ],
            tables=[
                ("scorecard", self.scorecard.to_summary()),
                ("reach", self.reach),
                ("content mix", self.mix),
                ("participation by department", self.participation_by_department),
            ],
        )


def posted_within(
    employees: pd.DataFrame, posts: pd.DataFrame, months: int, data_end: pd.Timestamp
) -> pd.DataFrame:
    """Whether each enrolled employee posted within ``months`` months of their own enrolment.

    Employees enrolled less than ``months`` months before the end of the data
    are left out (their window is not complete).

    Returns
    -------
    pandas.DataFrame
        One row per enrolled employee with a complete window: employee_id,
        wave_id, department, posted (0/1).
    """
    author = positions(posts["author_id"], pd.Index(employees["employee_id"]))
    author = np.where(
        np.asarray((posts["author_type"] == "employee").fillna(False), dtype=bool), author, -1
    )
    return _posted_within(employees, author, posts["published_at"].to_numpy(), months, data_end)


def _posted_within(
    employees: pd.DataFrame,
    author: np.ndarray,
    published: np.ndarray,
    months: int,
    data_end: pd.Timestamp,
) -> pd.DataFrame:
    """:func:`posted_within` from each post's author as a position in ``employees`` (-1: none of them)."""
    enrolled_on = employees["enrolled_on"]
    window_end = enrolled_on + pd.DateOffset(months=months)
    complete = (
        enrolled_on.notna() & (window_end <= pd.Timestamp(data_end) + pd.Timedelta(days=1))
    ).to_numpy()
    start, end = enrolled_on.to_numpy(), window_end.to_numpy()
    safe = np.maximum(author, 0)
    inside = (author >= 0) & complete[safe] & (published >= start[safe]) & (published < end[safe])
    posted = np.zeros(len(employees), dtype=bool)
    posted[safe[inside]] = True
    out = employees.loc[complete, ["employee_id", "wave_id", "department"]]
    return out.assign(posted=posted[complete].astype("int64")).reset_index(drop=True)


def _estimate(
    row: pd.Series, n: int, ci: tuple[str, str] = ("ci_low", "ci_high"), value: str = "estimate"
) -> Estimate:
    return Estimate(
        float(row[value]), float(row[ci[0]]), float(row[ci[1]]), int(n), str(row["method"])
    )


def wave_results(
    programme: Programme,
    wave: str,
    claims: Sequence[Claim] | None = None,
    min_group_size: int = 5,
    months_window: int = 3,
    context: MeasureContext | None = None,
    with_previous: bool = True,
) -> WaveResults:
    """Compute every number of a wave report.

    Parameters
    ----------
    programme : Programme
        Validated programme (see :func:`advocacy_eval.io.load_programme`).
    wave : str
        Wave id.
    claims : sequence of Claim, optional
        Claims to evaluate (default :func:`~advocacy_eval.claims.default_claims`);
        programme-level claims are left to the programme report.
    min_group_size : int
        Minimum group size k for breakdowns (>= 3).
    months_window : int
        Months after enrolment used to compare waves' activation.
    context : MeasureContext, optional
        Shared fits (panel, onboarding effects); built when absent. Pass the
        same context to several calls to fit each effect once.
    with_previous : bool
        Whether to measure the previous wave too, for the change column.

    Returns
    -------
    WaveResults

    Raises
    ------
    KeyError
        If the wave is unknown.
    ReportError
        If the wave has fewer than k volunteers (it cannot be reported
        without exposing individuals).
    """
    k = check_min_group_size(min_group_size)
    programme.check_wave(wave)
    claims = tuple(default_claims() if claims is None else claims)
    own_context = context is None
    ctx = context if context is not None else MeasureContext(programme, k)
    if wave in ctx.excluded_waves or ctx.wave_sizes.get(wave, 0) < k:
        raise ReportError(
            f"wave {wave} has fewer than {k} volunteers: it cannot be reported "
            "without exposing individuals"
        )
    programme = ctx.programme  # the release: waves with fewer than k volunteers left out
    # the estimates first (the release plan needs the effect on posts; the profiles, this wave's own cells)
    plan = ctx.release_plan
    effect = ctx.effect("posts") if programme.activity is not None else None
    check = ctx.effect_check("posts") if effect is not None else None
    if effect is not None:
        ctx.anticipation_sensitivity(
            "posts"
        )  # when at risk: declaring one month of anticipation (panel held)
    profiles = ctx.profile_counts(wave)
    if own_context:
        ctx.release_panel()  # nothing else needs it: free it before the posts are compared
    pop = ctx.populations[wave]
    members = pop.members
    waves = programme.waves.set_index("wave_id")
    wave_claims = tuple(c for c in claims if c.applies_to(wave))
    scorecard = evaluate(
        wave_claims, measure_all([c.metric for c in wave_claims], ctx, [wave]), [wave]
    )
    settlements = settle_claims(ctx, scorecard)  # what would settle each inconclusive claim

    order = programme.wave_ids
    previous_wave = order[order.index(wave) - 1] if order.index(wave) > 0 else None
    previous = None
    if with_previous and previous_wave is not None:
        # the previous wave's measurements: the context's (measured once, whichever report asks first)
        previous = evaluate(
            wave_claims,
            measure_all([c.metric for c in wave_claims], ctx, [previous_wave]),
            [previous_wave],
        )
        if own_context:
            ctx.release_posts(keep=[wave])
    elif not with_previous:
        previous_wave = None

    # participation: since each volunteer's own enrolment
    ever = ctx.active(wave)
    n_ever = int(ever.sum())
    lo, hi = wilson_interval(np.array([n_ever]), np.array([len(members)]))
    active = Estimate(
        n_ever / len(members), float(lo[0]), float(hi[0]), len(members), "Wilson score interval"
    )
    pm = ctx.person_months(wave)
    monthly = (
        pm.groupby("month")
        .agg(n_enrolled=("employee_id", "size"), n_active=("active", "sum"))
        .reset_index()
    )
    # the count has the dtype a count of the roster's ids has (nullable for NA-valued strings)
    monthly["n_enrolled"] = monthly["n_enrolled"].astype(_count_dtype(members["employee_id"]))
    lo, hi = wilson_interval(monthly["n_active"].to_numpy(), monthly["n_enrolled"].to_numpy())
    monthly = monthly.assign(
        participation_rate=monthly["n_active"] / monthly["n_enrolled"],
        estimate=monthly["n_active"] / monthly["n_enrolled"],
        ci_low=lo,
        ci_high=hi,
    )
    small_month = monthly["n_enrolled"] < k  # late months thinned by attrition: not shown
    monthly.loc[
        small_month, ["n_active", "participation_rate", "estimate", "ci_low", "ci_high"]
    ] = np.nan
    monthly_measure = next((m for m in measure_all(["monthly_participation"], ctx, [wave])), None)
    assert monthly_measure is not None

    dept = (
        members.assign(active=ever.astype("int64"))
        .groupby("department", observed=True)
        .agg(n=("active", "size"), active=("active", "sum"))
        .reset_index()
    )
    lo, hi = wilson_interval(dept["active"].to_numpy(), dept["n"].to_numpy())
    dept = dept.assign(share=dept["active"] / dept["n"], ci_low=lo, ci_high=hi)
    dept = suppress_small_groups(
        dept, count="n", k=k, values=["active", "share", "ci_low", "ci_high"], successes="active"
    )

    # reach and engagement: the scorecard's comparisons (computed once per population)
    reach = ctx.comparison(wave, "reach")
    r = reach.set_index("level")
    engagement = ctx.comparison(wave, "engagement_rate")
    e = engagement.set_index("level")
    mix = ctx.content_mix(wave, target=_target_share(claims))

    # waves compared (activation within the first months after each person's enrolment)
    earlier = order[: order.index(wave) + 1]
    codes = ctx.codes
    among = is_in(programme.employees["wave_id"], earlier)
    local = np.full(len(among), -1, dtype=np.int64)
    local[among] = np.arange(int(among.sum()))
    author = np.where(codes.post_author >= 0, local[np.maximum(codes.post_author, 0)], -1)
    activation = _posted_within(
        programme.employees.loc[among], author, codes.published_at, months_window, pop.data_end
    )
    per_wave = activation.groupby("wave_id", observed=True).agg(
        posted=("posted", "sum"), n=("posted", "size")
    )
    per_wave = per_wave.reindex([w for w in earlier if w in per_wave.index]).reset_index()
    if len(per_wave) >= 2 and (per_wave["n"] >= k).all():
        wave_comparison = compare_proportions(
            per_wave, success="posted", n="n", by="wave_id", reference=wave, adjust="holm"
        )
    else:
        wave_comparison = StatResult(pd.DataFrame())

    return WaveResults(
        wave_id=wave,
        waves=programme.waves,
        start=pd.Timestamp(waves.loc[wave, "start_date"]),
        end=pd.Timestamp(waves.loc[wave, "end_date"]),
        data_end=pop.data_end,
        min_group_size=k,
        claims=claims,
        scorecard=scorecard,
        previous_wave=previous_wave,
        previous=previous,
        n_volunteers=len(members),
        active=active,
        monthly_participation=monthly_measure,
        employee_reach_rate=_estimate(r.loc["employee"], r.loc["employee", "n_posts"]),
        page_reach_rate=_estimate(r.loc["company"], r.loc["company", "n_posts"]),
        engagement_rate=_estimate(e.loc["employee"], e.loc["employee", "n_posts"]),
        reach=reach,
        engagement=engagement,
        mix=mix,
        participation_monthly=monthly,
        participation_by_department=dept,
        wave_comparison=wave_comparison,
        months_window=months_window,
        profiles=profiles,
        profiles_hidden=plan.label_key("profiles", wave),
        effect_pretrend_p=pretrend_p(effect) if effect is not None else float("nan"),
        engagement_terms=str(engagement["terms"].iloc[0]) if "terms" in engagement else "",
        sources=programme.sources
        if programme.sources is not None
        else pd.DataFrame(columns=["file", "rows", "sha256"]),
        effect_anticipation=check,
        settlements=settlements,
        repost_rule_posts=ctx.repost_rule_posts(wave),
    )


def _count_dtype(ids: pd.Series):
    """The dtype of a groupby ``size`` of a column like ``ids`` (``Int64`` for NA-valued strings, else int64)."""
    probe = pd.DataFrame(
        {"g": np.zeros(min(len(ids), 1), dtype=np.int64), "v": ids.iloc[:1].to_numpy()}
    )
    probe["v"] = probe["v"].astype(ids.dtype)
    return probe.groupby("g").agg(n=("v", "size"))["n"].dtype


def _target_share(claims: Sequence[Claim]) -> float:
    """The corporate-share target of the claims (0.20 when no claim sets one)."""
    return next((c.target for c in claims if c.metric == "corporate_share"), 0.20)


def volunteers_posts(programme: Programme, wave: str) -> pd.DataFrame:
    """Posts of one wave's volunteers since their own enrolment (for analysts)."""
    return volunteer_posts(programme, population(programme, wave).members)
