"""The built-in metrics of :data:`advocacy_eval.claims.METRICS`, measured on a population.

A *population* is one wave's volunteers, or the programme's (all waves pooled).
Every measurement uses the same windows:

- a volunteer's posts count from **their own enrolment date** (not the wave's
  start), until the end of the data;
- the company page is compared over the same period: its posts from the
  population's first enrolment date (the wave's start date; the first wave's for
  the programme);
- staff reached, for a wave: from the programme's start to the wave's end date
  (the cumulative reach of the roll-out by then); for the programme: to the end
  of the data.

Numbers only: each function returns a :class:`~advocacy_eval.claims.Measurement`
(no wording, no formatting). Fitted effects are shared through a
:class:`MeasureContext` so that they are estimated once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .. import metrics
from ..claims import METRICS, PROGRAMME, Measurement
from ..effects import OnboardingEffect, onboarding_effect, profiles_attributable
from ..panel import Panel, build_panel
from ..errors import ReportError
from ..privacy import check_min_group_size
from ..privacy.release import ReleasePlan, plan_release
from ..schema import Programme
from ..stats._result import StatResult
from ..stats.proportions import content_mix, wilson_interval
from ..stats.rates import compare_engagement, compare_rates

VCE = "cr3"
"""Cluster-robust variance used in reports: the delete-one-cluster jackknife (CR3),
better calibrated than CR1 when a few large, prolific authors dominate the sums
(docs/methods.md, calibration)."""

ENGAGEMENT_TERMS: tuple[str, ...] = ("reactions", "comments", "reposts", "clicks")
"""LinkedIn's engagement terms used by the engagement metrics (those present are summed)."""

PROFILE_COVARIATES: tuple[str, ...] = ("has_profile",)
"""Covariates of the profile-creation estimate: the profile status itself, taken at
each comparison's base period (the month before enrolment), so that parallel trends
are assumed only among employees with the same status then (docs/onboarding-effect.md)."""


# ----------------------------------------------------------------------------- populations


@dataclass(frozen=True)
class Population:
    """Who a measurement is about.

    Attributes
    ----------
    key : str
        Wave id, or :data:`~advocacy_eval.claims.PROGRAMME`.
    wave_ids : tuple of str
        Waves pooled (one for a wave).
    members : pandas.DataFrame
        The volunteers (rows of the employees table).
    start : pandas.Timestamp
        First enrolment date of the population (its first wave's start date).
    reach_end : pandas.Timestamp
        End of the staff-reached window (the wave's end date, or the data's end).
    programme_start : pandas.Timestamp
        The first wave's start date.
    data_end : pandas.Timestamp
        Last day covered by the posts.
    """

    key: str
    wave_ids: tuple[str, ...]
    members: pd.DataFrame
    start: pd.Timestamp
    reach_end: pd.Timestamp
    programme_start: pd.Timestamp
    data_end: pd.Timestamp

    @property
    def n_volunteers(self) -> int:
        """Number of volunteers."""
        return len(self.members)


def data_end(programme: Programme) -> pd.Timestamp:
    """Last day covered by the data (the last post's day)."""
    return pd.Timestamp(programme.posts["published_at"].max()).normalize()


def population(programme: Programme, key: str) -> Population:
    """The population of one wave, or of the programme (``key="programme"``).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    key : str
        Wave id or ``"programme"``.

    Raises
    ------
    KeyError
        If ``key`` is neither a known wave nor ``"programme"``.
    """
    waves = programme.waves.set_index("wave_id")
    order = programme.wave_ids
    end = data_end(programme)
    first = pd.Timestamp(waves.loc[order[0], "start_date"])
    if key == PROGRAMME:
        ids = tuple(order)
        start, reach_end = first, end
    else:
        programme.check_wave(key)
        ids = (key,)
        start = pd.Timestamp(waves.loc[key, "start_date"])
        reach_end = min(pd.Timestamp(waves.loc[key, "end_date"]), end)
    emp = programme.employees
    members = emp.loc[emp["wave_id"].isin(ids) & emp["enrolled_on"].notna()]
    return Population(key, ids, members, start, reach_end, first, end)


def volunteer_posts(programme: Programme, members: pd.DataFrame) -> pd.DataFrame:
    """Posts of the given volunteers published on or after their own enrolment date.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    members : pandas.DataFrame
        Volunteers (employees rows with ``enrolled_on``).
    """
    posts = programme.posts
    emp = posts.loc[posts["author_type"] == "employee"]
    enrolled = members[["employee_id", "enrolled_on"]].rename(columns={"employee_id": "author_id"})
    merged = emp.merge(enrolled, on="author_id", how="inner", validate="many_to_one")
    kept = merged.loc[merged["published_at"] >= merged["enrolled_on"]].drop(columns="enrolled_on")
    return kept.reset_index(drop=True)


def window_posts(programme: Programme, pop: Population) -> pd.DataFrame:
    """The population's posts since each volunteer's enrolment, and the page's over the same period."""
    posts = programme.posts
    page = posts.loc[(posts["author_type"] == "company") & (posts["published_at"] >= pop.start)]
    out = pd.concat([page, volunteer_posts(programme, pop.members)], ignore_index=True)
    return out


def add_engagements(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts with an ``engagements`` column: the sum of the available :data:`ENGAGEMENT_TERMS` (missing = 0)."""
    terms = [c for c in ENGAGEMENT_TERMS if c in posts.columns and not posts[c].isna().all()]
    if not terms:
        return posts.assign(engagements=np.nan)
    values = np.column_stack([pd.to_numeric(posts[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                              for c in terms])
    return posts.assign(engagements=np.nansum(values, axis=1))


def wave_sizes(programme: Programme) -> dict[str, int]:
    """Volunteers per wave (every wave of the waves table, 0 when empty)."""
    emp = programme.employees
    counts = emp.loc[emp["enrolled_on"].notna()].groupby("wave_id", observed=True).size()
    return {w: int(counts.get(w, 0)) for w in programme.wave_ids}


def without_waves(programme: Programme, waves: Sequence[str]) -> Programme:
    """The programme without some waves: their volunteers, their posts and activity, and the waves themselves.

    Used to leave waves with fewer than k volunteers out of every figure of a
    release (:mod:`advocacy_eval.privacy.release`).
    """
    from dataclasses import replace

    if not waves:
        return programme
    emp = programme.employees
    gone = emp.loc[emp["wave_id"].isin(list(waves)), "employee_id"]
    posts = programme.posts
    keep_posts = ~((posts["author_type"] == "employee") & posts["author_id"].isin(gone))
    activity = programme.activity
    if activity is not None:
        activity = activity.loc[~activity["employee_id"].isin(gone)].reset_index(drop=True)
    return replace(programme, waves=programme.waves.loc[~programme.waves["wave_id"].isin(list(waves))]
                   .reset_index(drop=True), employees=emp.loc[~emp["employee_id"].isin(gone)].reset_index(drop=True),
                   posts=posts.loc[keep_posts].reset_index(drop=True), activity=activity)


# ----------------------------------------------------------------------------- shared fits


class MeasureContext:
    """What several measurements share, computed once: the panel and the fitted effects.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    min_group_size : int
        k: a population with fewer volunteers is not measured.
    control : str
        Control group of the onboarding effects.
    anticipation : int
        Months before enrolment in which behaviour may already change.
    panel : Panel, optional
        A panel already built from ``programme`` (without the waves left out).

    Attributes
    ----------
    source_programme : Programme
        The programme as loaded.
    programme : Programme
        The programme of the release: waves with fewer than k volunteers left
        out (:mod:`advocacy_eval.privacy.release`).
    excluded_waves : tuple of str
        Those waves.
    """

    def __init__(self, programme: Programme, min_group_size: int = 5, control: str = "not_yet_treated",
                 anticipation: int = 0, panel: Panel | None = None) -> None:
        self.k = check_min_group_size(min_group_size)
        self.source_programme = programme
        self.wave_sizes = wave_sizes(programme)
        self.excluded_waves = tuple(w for w, n in self.wave_sizes.items() if n < self.k)
        if len(self.excluded_waves) == len(self.wave_sizes):
            raise ReportError(f"every wave has fewer than {self.k} volunteers: nothing can be reported "
                              "without exposing individuals")
        self.programme = without_waves(programme, self.excluded_waves)
        if self.excluded_waves:
            panel = None  # a panel built from the whole programme would hold the waves left out
        self.control = control
        self.anticipation = anticipation
        self._panel = panel
        self._effects: dict[str, OnboardingEffect | None] = {}
        self._errors: dict[str, str] = {}

    @property
    def panel(self) -> Panel:
        """The employee x month panel (built on first use)."""
        if self._panel is None:
            self._panel = build_panel(self.programme)
        return self._panel

    def effect(self, outcome: str) -> OnboardingEffect | None:
        """The onboarding effect on ``outcome`` (fitted once), or None when it cannot be estimated."""
        if outcome not in self._effects:
            try:
                if outcome not in self.panel.estimable:
                    raise ValueError(f"{outcome} is not estimable from these data")
                covariates = list(PROFILE_COVARIATES) if outcome == "has_profile" else None
                self._effects[outcome] = onboarding_effect(self.panel, outcome, control=self.control,
                                                           anticipation=self.anticipation, covariates=covariates)
            except (ValueError, KeyError, np.linalg.LinAlgError) as exc:
                self._effects[outcome] = None
                self._errors[outcome] = str(exc)
        return self._effects[outcome]

    def effect_error(self, outcome: str) -> str:
        """Why the effect on ``outcome`` could not be estimated (empty if it was)."""
        self.effect(outcome)
        return self._errors.get(outcome, "")

    @cached_property
    def profiles(self) -> StatResult | None:
        """Profiles attributable to enrolment, per wave and ``total`` (None when not estimable)."""
        effect = self.effect("has_profile")
        return None if effect is None else profiles_attributable(self.panel, effect=effect)

    def profile_counts(self, key: str):
        """:func:`~advocacy_eval.analyses.results.profile_counts` of a population (computed once)."""
        from .results import profile_counts

        cache = self.__dict__.setdefault("_profile_counts", {})
        if key not in cache:
            pop = self.populations[key]
            cache[key] = profile_counts(self.programme, pop.members, pop.data_end, self.profiles,
                                        "total" if key == PROGRAMME else key)
        return cache[key]

    def person_months(self, key: str) -> pd.DataFrame:
        """:func:`person_months` of a population (computed once)."""
        cache = self.__dict__.setdefault("_person_months", {})
        if key not in cache:
            cache[key] = person_months(self.programme, self.populations[key])
        return cache[key]

    @cached_property
    def release_plan(self) -> ReleasePlan:
        """What every report of the release hides (computed once from the data and k)."""
        prog = self.programme
        quantities: dict[str, dict[str, float]] = {}
        successes: dict[str, dict[str, float]] = {}
        prof = {w: self.profile_counts(w) for w in prog.wave_ids}
        quantities["profiles"] = {w: c.n_without for w, c in prof.items()}
        successes["profiles"] = {w: c.n_created for w, c in prof.items()}
        effect = self.effect("posts") if prog.activity is not None else None
        if effect is not None and effect.by_wave is not None:
            bw = effect.by_wave
            quantities["estimate"] = {str(w): int(n) for w, n in zip(bw["wave_id"], bw["n"])}
        return plan_release(self.k, self.wave_sizes, quantities, successes)

    @cached_property
    def populations(self) -> dict[str, Population]:
        """Every wave's population and the programme's, by key."""
        keys = [*self.programme.wave_ids, PROGRAMME]
        return {key: population(self.programme, key) for key in keys}

    def window_posts(self, key: str) -> pd.DataFrame:
        """:func:`window_posts` of a population, with ``engagements`` (cached)."""
        cache = self.__dict__.setdefault("_window_posts", {})
        if key not in cache:
            cache[key] = add_engagements(window_posts(self.programme, self.populations[key]))
        return cache[key]


# ----------------------------------------------------------------------------- metrics


def _from_row(metric: str, key: str, estimate: float, low: float, high: float, n: int, basis: str, method: str,
              n_people: int) -> Measurement:
    return Measurement(metric, key, float(estimate), float(low), float(high), int(n), basis, str(method),
                       int(n_people))


def _ratio(metric: str, ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    posts = ctx.window_posts(key)
    is_page = posts["author_type"] == "company"
    if not is_page.any():
        return Measurement.missing(metric, key, "no_page_posts", pop.n_volunteers)
    if is_page.all():
        return Measurement.missing(metric, key, "no_posts", pop.n_volunteers)
    if metric == "engagement_rate_ratio":
        res = compare_engagement(posts, by="author_type", reference="company", terms=ENGAGEMENT_TERMS, vce=VCE)
    else:
        numerator = {"amplification": "members_reached", "reach_per_post_ratio": "members_reached",
                     "engagement_per_post_ratio": "engagements"}[metric]
        exposure = "audience_size" if metric == "amplification" else "_one_post"
        res = compare_rates(posts.assign(_one_post=1.0), numerator=numerator, exposure=exposure,
                            by="author_type", reference="company", vce=VCE)
    row = res.set_index("level").loc["employee"]
    n_authors = int(row["n_clusters"])
    return _from_row(metric, key, row["rate_ratio"], row["rate_ratio_ci_low"], row["rate_ratio_ci_high"],
                     int(row["n_posts"]), "posts", str(row["method"]).replace("_one_post", "posts"), n_authors)


def _corporate_share(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    posts = ctx.window_posts(key)
    emp = posts.loc[posts["author_type"] == "employee"]
    if emp.empty:
        return Measurement.missing("corporate_share", key, "no_posts", pop.n_volunteers)
    mix = content_mix(emp, target=0.2)
    row = mix.loc[mix["variant"] == "cluster"].iloc[0]
    return _from_row("corporate_share", key, row["estimate"], row["ci_low"], row["ci_high"], len(emp), "posts",
                     row["method"], emp["author_id"].nunique())


def person_months(programme: Programme, pop: Population) -> pd.DataFrame:
    """Volunteer x month rows from each volunteer's enrolment month while employed, with ``active`` (0/1).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    pop : Population
        The population.
    """
    months = metrics.month_range(pop.start, pop.data_end)
    grid = metrics.enrolled_months(pop.members, months)
    posts = volunteer_posts(programme, pop.members)
    active = metrics.add_month(posts)[["author_id", "month"]].drop_duplicates()
    grid = grid.merge(active.rename(columns={"author_id": "employee_id"}).assign(active=1),
                      on=["employee_id", "month"], how="left")
    return grid.assign(active=grid["active"].fillna(0).astype("int64"), one=1, group="all")


def _monthly_participation(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    pm = ctx.person_months(key)
    if pm.empty:
        return Measurement.missing("monthly_participation", key, "no_posts", pop.n_volunteers)
    res = compare_rates(pm, numerator="active", exposure="one", by="group", cluster="employee_id", post_id=None,
                        min_clusters=1, vce=VCE).iloc[0]
    return _from_row("monthly_participation", key, res["estimate"], res["ci_low"], res["ci_high"], len(pm),
                     "person_months", res["method"], pm["employee_id"].nunique())


def _staff_reached(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    counts = metrics.staff_reached(ctx.programme.employees, pop.programme_start, pop.reach_end).iloc[0]
    touched, eligible = int(counts["n_touched"]), int(counts["n_eligible"])
    if eligible == 0:
        return Measurement.missing("staff_reached_share", key, "too_few_people", 0)
    lo, hi = wilson_interval(np.array([touched]), np.array([eligible]))
    return _from_row("staff_reached_share", key, touched / eligible, lo[0], hi[0], eligible, "people",
                     "Wilson score interval", eligible)


def _profiles(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    table = ctx.profiles
    label = "total" if key == PROGRAMME else key
    if table is None:
        return Measurement.missing("profiles_attributable", key, "not_estimable", pop.n_volunteers)
    rows = table.loc[table["wave_id"] == label]
    if rows.empty:
        return Measurement.missing("profiles_attributable", key, "not_estimable", pop.n_volunteers)
    r = rows.iloc[0]
    return _from_row("profiles_attributable", key, r["estimate"], r["ci_low"], r["ci_high"], int(r["n"]),
                     "volunteers", r["method"], int(r["n"]))


def _effect_posts(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    if ctx.programme.activity is None:
        return Measurement.missing("effect_posts", key, "no_activity", pop.n_volunteers)
    effect = ctx.effect("posts")
    if effect is None:
        return Measurement.missing("effect_posts", key, "not_estimable", pop.n_volunteers)
    if key == PROGRAMME:
        r = effect.overall.iloc[0]
    else:
        bw = effect.by_wave
        if bw is None or key not in set(bw["wave_id"]):
            return Measurement.missing("effect_posts", key, "not_estimable", pop.n_volunteers)
        r = bw.loc[bw["wave_id"] == key].iloc[0]
    return _from_row("effect_posts", key, r["estimate"], r["ci_low"], r["ci_high"], int(r["n"]), "volunteers",
                     r["method"], int(r["n"]))


MEASURES: dict[str, Callable[[MeasureContext, str], Measurement]] = {
    "amplification": lambda ctx, key: _ratio("amplification", ctx, key),
    "reach_per_post_ratio": lambda ctx, key: _ratio("reach_per_post_ratio", ctx, key),
    "engagement_per_post_ratio": lambda ctx, key: _ratio("engagement_per_post_ratio", ctx, key),
    "engagement_rate_ratio": lambda ctx, key: _ratio("engagement_rate_ratio", ctx, key),
    "corporate_share": _corporate_share,
    "monthly_participation": _monthly_participation,
    "staff_reached_share": _staff_reached,
    "profiles_attributable": _profiles,
    "effect_posts": _effect_posts,
}
"""How each built-in metric is measured (one function per name of :data:`~advocacy_eval.claims.METRICS`)."""

assert set(MEASURES) == set(METRICS), "every registered metric needs a measure"


def measure(metric: str, ctx: MeasureContext, key: str) -> Measurement:
    """Measure one built-in metric on one population.

    Populations with fewer than k volunteers are not measured (privacy):
    the result is missing with reason ``"too_few_people"`` (except
    ``staff_reached_share``, which is about all staff).

    Parameters
    ----------
    metric : str
        Name in :data:`~advocacy_eval.claims.METRICS`.
    ctx : MeasureContext
        Shared fits of the programme.
    key : str
        Wave id or ``"programme"``.

    Returns
    -------
    Measurement
    """
    if metric not in METRICS:
        raise KeyError(f"unknown metric {metric!r}; valid metrics: {', '.join(METRICS)}")
    if key in ctx.excluded_waves:
        return Measurement.missing(metric, key, "too_few_people")
    if key not in ctx.populations:
        ctx.programme.check_wave(key)
    pop = ctx.populations[key]
    if metric != "staff_reached_share" and pop.n_volunteers < ctx.k:
        return Measurement.missing(metric, key, "too_few_people", pop.n_volunteers)
    quantity = _RELEASE_QUANTITY.get(metric)
    if quantity is not None and key != PROGRAMME and ctx.release_plan.hides(quantity, key):
        reason = "too_few_people" if ctx.release_plan.label_key(quantity, key) == "suppressed" \
            else "suppressed_secondary"
        return Measurement.missing(metric, key, reason, pop.n_volunteers)
    cache = ctx.__dict__.setdefault("_measurements", {})
    if (metric, key) not in cache:  # each measurement once per context (scorecard, KPIs, next wave's change)
        cache[(metric, key)] = MEASURES[metric](ctx, key)
    return cache[(metric, key)]


_RELEASE_QUANTITY: dict[str, str] = {"profiles_attributable": "profiles", "effect_posts": "estimate"}
"""Metrics whose per-wave values are also pooled into a published total, and the
release quantity that decides whether a wave's value is hidden."""


def measure_all(metrics_: Sequence[str], ctx: MeasureContext, keys: Sequence[str]) -> list[Measurement]:
    """Measure several metrics on several populations (each fit shared through ``ctx``)."""
    return [measure(m, ctx, key) for m in dict.fromkeys(metrics_) for key in keys]
