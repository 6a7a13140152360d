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

Inside a context, ids are integer codes or categoricals: the programme's ids
are factorised once (:class:`ProgrammeCodes`), so selecting a population's
posts or person-months never hashes text row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from .. import metrics
from ..claims import METRICS, PROGRAMME, Measurement
from ..effects import (
    AnticipationCheck,
    OnboardingEffect,
    anticipation_check,
    onboarding_effect,
    profiles_attributable,
)
from ..errors import ReportError
from ..panel import Panel, build_panel, estimable_outcomes, with_outcomes
from ..privacy import check_min_group_size
from ..privacy.release import ReleasePlan, plan_release
from ..schema import TEXT_DTYPE, Programme
from ..stats._result import StatResult, as_float_array
from ..stats.proportions import content_mix, wilson_interval
from ..stats.rates import compare_engagement, compare_rates
from .comparability import ReachBasis, reach_basis, repost_rule_posts
from .effect_cache import cached, data_digest, effect_key, effects_folder

T = TypeVar("T")

__all__ = [
    "ENGAGEMENT_TERMS",
    "MEASURES",
    "PROFILE_COVARIATES",
    "VCE",
    "MeasureContext",
    "Population",
    "ProgrammeCodes",
    "add_engagements",
    "data_end",
    "is_in",
    "measure",
    "measure_all",
    "person_months",
    "population",
    "positions",
    "pre_enrolment_mean",
    "volunteer_posts",
    "wave_sizes",
    "window_posts",
    "without_waves",
]

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


# ----------------------------------------------------------------------------- ids as codes


def is_in(values: pd.Series, allowed: Collection) -> np.ndarray:
    """``values.isin(allowed)`` as a boolean array, looking up each distinct value once.

    The values are factorised first (a dictionary encoding for Arrow strings,
    the codes of a categorical), so millions of rows are never hashed as text.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return np.zeros(len(codes), dtype=bool)
    hit = np.asarray(pd.Index(uniques).isin(list(allowed)), dtype=bool)
    return (codes >= 0) & hit[np.maximum(codes, 0)]


def positions(values: pd.Series, ids: pd.Index) -> np.ndarray:
    """Position of each value in ``ids`` (unique), -1 when missing or absent; each distinct value looked up once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return np.full(len(codes), -1, dtype=np.int64)
    lookup = ids.get_indexer(uniques)
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1).astype(np.int64)


def _bool(mask: pd.Series) -> np.ndarray:
    """A comparison's result as a plain boolean array (missing = False)."""
    return np.asarray(mask.fillna(False), dtype=bool)


def _members_mask(employees: pd.DataFrame, wave_ids: Collection[str]) -> np.ndarray:
    """The volunteers of some waves: employees of those waves with an enrolment date."""
    return is_in(employees["wave_id"], wave_ids) & employees["enrolled_on"].notna().to_numpy()


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
    members = emp.loc[_members_mask(emp, ids)]
    return Population(key, ids, members, start, reach_end, first, end)


class ProgrammeCodes:
    """A programme's ids as integer codes and categoricals, factorised once.

    Parameters
    ----------
    programme : Programme
        Validated programme (post ids unique, as the schema requires).

    Attributes
    ----------
    employee_ids : pandas.Index
        The employees' ids; an employee's code is its position here.
    enrolled_on, left_on : numpy.ndarray
        The employees' dates (datetime64, NaT when missing).
    post_author : numpy.ndarray
        Code of each employee post's author among the employees (-1 for the
        page's posts and authors not in the roster).
    is_page, is_employee : numpy.ndarray
        Whether each post is the page's (``author_type == "company"``) or an
        employee's.
    published_at : numpy.ndarray
        Publication times (datetime64).
    author_type, author_id, content_type : pandas.Categorical
        The posts' columns as categoricals (``author_id`` clusters the posts).
    """

    def __init__(self, programme: Programme) -> None:
        emp, posts = programme.employees, programme.posts
        self.posts = posts
        self.employee_ids = pd.Index(emp["employee_id"])
        self.enrolled_on = emp["enrolled_on"].to_numpy()
        self.left_on = emp["left_on"].to_numpy()
        author_codes, authors = pd.factorize(posts["author_id"], use_na_sentinel=True)
        # the distinct values as plain text: a CategoricalIndex given as ``categories`` would stand for its
        # own (sorted) categories, not for its values in the order of the codes
        authors = pd.Index(np.asarray(authors, dtype=object), dtype=TEXT_DTYPE)
        self.author_id = pd.Categorical.from_codes(author_codes, categories=authors)
        self.is_page = _bool(posts["author_type"] == "company")
        self.is_employee = _bool(posts["author_type"] == "employee")
        lookup = (
            self.employee_ids.get_indexer(authors) if len(authors) else np.zeros(0, dtype=np.int64)
        )
        known = self.is_employee & (author_codes >= 0)
        self.post_author = np.where(
            known, lookup[np.maximum(author_codes, 0)] if len(lookup) else -1, -1
        )
        self.published_at = posts["published_at"].to_numpy()
        self.author_type = pd.Categorical(posts["author_type"])
        self.content_type = (
            pd.Categorical(posts["content_type"]) if "content_type" in posts.columns else None
        )

    def volunteer_rows(self, member: np.ndarray) -> np.ndarray:
        """Rows of the employees' posts written by members (a mask over employees) since their own enrolment."""
        author = self.post_author
        ok = author >= 0
        safe = np.maximum(author, 0)
        ok &= member[safe] & (self.published_at >= self.enrolled_on[safe])  # NaT compares False
        return np.flatnonzero(ok)

    def page_rows(self, start: pd.Timestamp) -> np.ndarray:
        """Rows of the page's posts published on or after ``start``."""
        return np.flatnonzero(
            self.is_page & (self.published_at >= np.datetime64(pd.Timestamp(start)))
        )

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        """The posts of ``rows`` as the measures use them, with ``engagements`` (:func:`add_engagements`).

        Columns: ``author_type``, ``author_id`` and ``content_type`` (categoricals),
        ``post_id`` (the post's row in the posts table: post ids are unique), the
        counts as floats (NaN when missing) and ``engagements``.

        The counts and ``engagements`` are written, one column at a time, into
        the single float block the frame holds: pandas does not copy them
        again to consolidate, nor :func:`add_engagements` stack them (at
        200,000 employees the programme's frame has 2 million rows, and those
        copies were 0.2 GB).
        """
        posts = self.posts
        counts = [
            c
            for c in ("audience_size", "impressions", "members_reached", *ENGAGEMENT_TERMS)
            if c in posts.columns
        ]
        block = np.empty((len(counts) + 1, len(rows)))  # a column per row: the frame's own layout
        for values, col in zip(block[:-1], counts, strict=True):
            values[:] = as_float_array(posts[col].array.take(rows))
        terms = [
            block[i]
            for i, c in enumerate(counts)
            if c in ENGAGEMENT_TERMS and not np.isnan(block[i]).all()
        ]
        _sum_engagements(terms, out=block[-1])
        out = pd.DataFrame(block.T, columns=[*counts, "engagements"], copy=False)
        front = {
            "author_type": pd.Categorical.from_codes(
                self.author_type.codes[rows], dtype=self.author_type.dtype
            ),
            "author_id": pd.Categorical.from_codes(
                self.author_id.codes[rows], dtype=self.author_id.dtype
            ),
            "post_id": rows.astype(np.int64),
        }
        if self.content_type is not None:
            front["content_type"] = pd.Categorical.from_codes(
                self.content_type.codes[rows], dtype=self.content_type.dtype
            )
        for at, (name, values) in enumerate(front.items()):
            out.insert(at, name, values)
        return out


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
    return posts.iloc[_volunteer_rows(posts, members)].reset_index(drop=True)


def _volunteer_rows(posts: pd.DataFrame, members: pd.DataFrame) -> np.ndarray:
    """Rows of ``posts`` written by ``members`` on or after their own enrolment date, in table order."""
    author = positions(posts["author_id"], pd.Index(members["employee_id"]))
    ok = _bool(posts["author_type"] == "employee") & (author >= 0)
    enrolled = members["enrolled_on"].to_numpy()
    safe = np.maximum(author, 0)
    if len(enrolled):
        ok &= posts["published_at"].to_numpy() >= enrolled[safe]  # NaT compares False
    return np.flatnonzero(ok)


def window_posts(programme: Programme, pop: Population) -> pd.DataFrame:
    """The population's posts since each volunteer's enrolment, and the page's over the same period."""
    posts = programme.posts
    page = np.flatnonzero(
        _bool(posts["author_type"] == "company") & _bool(posts["published_at"] >= pop.start)
    )
    rows = np.concatenate([page, _volunteer_rows(posts, pop.members)])
    return posts.iloc[rows].reset_index(drop=True)


def _sum_engagements(terms: Sequence[np.ndarray], out: np.ndarray) -> np.ndarray:
    """``numpy.nansum`` of the terms, row by row, into ``out`` (NaN when there is no term).

    Added one term at a time, left to right, as ``nansum`` adds the few
    values of a row; the terms are counts (whole numbers), whose sums are
    exact in floating point whatever the order.
    """
    if not terms:
        out[:] = np.nan
        return out
    np.copyto(out, terms[0])
    out[np.isnan(out)] = 0.0
    for values in terms[1:]:
        np.add(out, values, out=out, where=~np.isnan(values))
    return out


def add_engagements(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts with an ``engagements`` column: the sum of the available :data:`ENGAGEMENT_TERMS` (missing = 0)."""
    terms = [c for c in ENGAGEMENT_TERMS if c in posts.columns and not posts[c].isna().all()]
    values = [
        pd.to_numeric(posts[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for c in terms
    ]
    return posts.assign(engagements=_sum_engagements(values, np.empty(len(posts))))


def wave_sizes(programme: Programme) -> dict[str, int]:
    """Volunteers per wave (every wave of the waves table, 0 when empty); see :meth:`Programme.wave_sizes`."""
    return programme.wave_sizes()


def without_waves(programme: Programme, waves: Sequence[str]) -> Programme:
    """The programme without some waves: their volunteers, their posts and activity, and the waves themselves.

    Used to leave waves with fewer than k volunteers out of every figure of a
    release (:mod:`advocacy_eval.privacy.release`).
    """
    if not waves:
        return programme
    emp = programme.employees
    gone = is_in(emp["wave_id"], waves)
    ids = pd.Index(emp["employee_id"])
    posts = programme.posts
    author = positions(posts["author_id"], ids)
    keep_posts = ~(
        _bool(posts["author_type"] == "employee") & (author >= 0) & gone[np.maximum(author, 0)]
    )
    activity = programme.activity
    if activity is not None:
        who = positions(activity["employee_id"], ids)
        activity = activity.loc[~((who >= 0) & gone[np.maximum(who, 0)])].reset_index(drop=True)
    return replace(
        programme,
        waves=programme.waves.loc[~is_in(programme.waves["wave_id"], waves)].reset_index(drop=True),
        employees=emp.loc[~gone].reset_index(drop=True),
        posts=posts.loc[keep_posts].reset_index(drop=True),
        activity=activity,
    )


def person_months(programme: Programme, pop: Population) -> pd.DataFrame:
    """Volunteer x month rows from each volunteer's enrolment month while employed, with ``active`` (0/1).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    pop : Population
        The population.

    Returns
    -------
    pandas.DataFrame
        ``employee_id`` (categorical), ``month``, ``wave_id``, ``department``,
        ``region`` (categoricals), ``active`` (0/1), ``one`` (1) and ``group``
        (``"all"``), by volunteer (in the members' order) then month.
    """
    codes = ProgrammeCodes(replace(programme, employees=pop.members))
    return _person_months(codes, pop, np.ones(len(pop.members), dtype=bool))


def _person_months(codes: ProgrammeCodes, pop: Population, member: np.ndarray) -> pd.DataFrame:
    """:func:`person_months` from the programme's codes (``member``: the population, a mask over employees)."""
    months = metrics.month_range(pop.start, pop.data_end)
    where = np.flatnonzero(member)
    n_months = len(months)
    starts = months.to_numpy()
    ends = (months + pd.offsets.MonthEnd(0)).to_numpy()
    # enrolled on or before the month's last day, and not left before its first day (roster as of the month)
    keep = (codes.enrolled_on[where][:, None] <= ends[None, :]) & ~(
        codes.left_on[where][:, None] < starts[None, :]
    )
    r, c = np.nonzero(keep)  # by volunteer, then month
    del keep
    # active: a post since the volunteer's own enrolment in that month
    rows = codes.volunteer_rows(member)
    local = np.full(len(codes.employee_ids), -1, dtype=np.int64)
    local[where] = np.arange(len(where))
    month = (
        codes.published_at[rows].astype("datetime64[M]") - starts[0].astype("datetime64[M]")
    ).astype(np.int64)
    inside = (month >= 0) & (month < n_months)
    active = np.zeros(len(where) * n_months, dtype=bool)
    active[local[codes.post_author[rows[inside]]] * n_months + month[inside]] = True
    members = pop.members

    def categorical(column: str) -> pd.Categorical:
        cat = pd.Categorical(members[column])
        return pd.Categorical.from_codes(cat.codes[r], dtype=cat.dtype)

    return pd.DataFrame(
        {
            "employee_id": pd.Categorical.from_codes(
                r, categories=pd.Index(members["employee_id"])
            ),
            "month": months[c],
            "wave_id": categorical("wave_id"),
            "department": categorical("department"),
            "region": categorical("region"),
            "active": active[r * n_months + c].astype(np.int64),
            "one": np.ones(len(r), dtype=np.int64),
            "group": pd.Categorical.from_codes(np.zeros(len(r), dtype=np.int8), categories=["all"]),
        }
    )


# ----------------------------------------------------------------------------- shared fits


def pre_enrolment_mean(panel: Panel, outcome: str) -> float:
    """Volunteers' mean ``outcome`` in the months before their enrolment month (NaN when there is none).

    Parameters
    ----------
    panel : Panel
        Employee x month panel holding ``outcome``.
    outcome : str
        Outcome column.
    """
    d = panel.data
    pre = d.loc[(d[panel.first_period] > 0) & (d[panel.period] < d[panel.first_period]), outcome]
    return float(pre.mean()) if len(pre) else float("nan")


_LEAN_OUTCOMES: tuple[str, ...] = ("posts", "has_profile")
"""Outcomes a wave report estimates: a context that needs no other builds a lean panel of these only."""

_POST_COMPARISONS: tuple[str, ...] = (
    "reach",
    "reach_per_post",
    "engagement_per_post",
    "engagement_rate",
)
"""Comparisons of a population's posts with the page's that the context keeps (see :meth:`MeasureContext.comparison`)."""


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

    Notes
    -----
    Everything is computed on first use and kept: the ids as codes
    (:attr:`codes`), the populations, each population's posts and person-months,
    every comparison and measurement, the profile counts, the release plan and
    the fitted effects. Effects keep their tables; the underlying diff-diff
    result and the per-cell influence functions (hundreds of megabytes on a
    large programme) are released once the context has taken what it needs
    from them (call :func:`~advocacy_eval.effects.onboarding_effect` for a
    full fit). Until :attr:`panel` is asked for, the effects are fitted on a
    lean panel holding only their outcomes, with the same values
    (:meth:`lean_panel`). :meth:`release_panel` and :meth:`release_posts` drop
    the lean panel and the populations' posts once what depends on them is
    computed (the reports do so when they built the context themselves).
    """

    def __init__(
        self,
        programme: Programme,
        min_group_size: int = 5,
        control: str = "not_yet_treated",
        anticipation: int = 0,
        panel: Panel | None = None,
    ) -> None:
        self.k = check_min_group_size(min_group_size)
        self.source_programme = programme
        self.wave_sizes = wave_sizes(programme)
        self.excluded_waves = tuple(w for w, n in self.wave_sizes.items() if n < self.k)
        if len(self.excluded_waves) == len(self.wave_sizes):
            raise ReportError(
                f"every wave has fewer than {self.k} volunteers: nothing can be reported "
                "without exposing individuals"
            )
        self.programme = without_waves(programme, self.excluded_waves)
        if self.excluded_waves:
            panel = None  # a panel built from the whole programme would hold the waves left out
        self.control = control
        self.anticipation = anticipation
        self._panel_given = panel is not None
        self._panel = panel
        self._lean_panel: Panel | None = None
        self._effects: dict[str, OnboardingEffect | None] = {}
        self._sensitivities: dict[str, OnboardingEffect | None] = {}
        self._errors: dict[str, str] = {}
        self._profiles: StatResult | None = None
        self._wave_profiles: dict[str, StatResult | None] = {}
        self._frames: dict[str, tuple[pd.DataFrame, int]] = {}
        self._comparisons: dict[tuple, StatResult] = {}
        self._reach_bases: dict[str, ReachBasis] = {}
        self._person_months: dict[str, pd.DataFrame] = {}
        self._profile_counts: dict[str, object] = {}
        self._profile_totals: dict[str, tuple[int, int]] = {}
        self._active: dict[str, np.ndarray] = {}
        self._members: dict[str, np.ndarray] = {}

    # -- ids, populations ----------------------------------------------------------------------

    @cached_property
    def codes(self) -> ProgrammeCodes:
        """The release programme's ids as codes (factorised once)."""
        return ProgrammeCodes(self.programme)

    @cached_property
    def populations(self) -> dict[str, Population]:
        """Every wave's population and the programme's, by key."""
        keys = [*self.programme.wave_ids, PROGRAMME]
        return {key: population(self.programme, key) for key in keys}

    def _member(self, key: str) -> np.ndarray:
        """The population's volunteers as a mask over the employees (the same rows as its ``members``)."""
        if key not in self._members:
            self._members[key] = _members_mask(
                self.programme.employees, self.populations[key].wave_ids
            )
        return self._members[key]

    # -- panel and effects ---------------------------------------------------------------------

    @property
    def panel(self) -> Panel:
        """The employee x month panel (built on first use)."""
        if self._panel is None:
            self._panel = build_panel(self.programme)
            self._lean_panel = None  # the full panel serves every estimate from now on
        return self._panel

    def lean_panel(self, outcomes: Sequence[str] = _LEAN_OUTCOMES) -> Panel:
        """A panel holding only these outcomes besides the columns every estimate uses (the full one once built).

        Its values, counts and cohorts are the full panel's
        (:func:`~advocacy_eval.panel.build_panel` with ``columns``): estimates
        fitted on it are the same, for a fraction of the memory.
        """
        if self._panel is not None:
            return self._panel
        if self._lean_panel is None or not set(outcomes) <= set(self._lean_panel.data.columns):
            held, self._lean_panel = self._lean_panel, None
            if held is not None and held.activity_rows is not None:
                # the same panel structure, other outcomes: no new build (with_outcomes)
                self._lean_panel = with_outcomes(held, self.programme, outcomes)
            else:
                held = None  # released before the build
                self._lean_panel = build_panel(self.programme, columns=tuple(outcomes))
        return self._lean_panel

    def _panel_for(self, outcome: str) -> Panel:
        """The panel an estimate uses: the full one once built, else a lean one holding the outcome.

        The wave reports' outcomes (:data:`_LEAN_OUTCOMES`) share one lean
        panel; any other outcome gets a panel of its own, which replaces the
        previous lean panel: one outcome's column at a time is held (at
        200,000 employees 0.12 GB instead of 0.36 GB for every outcome).
        """
        if self._panel is not None:
            return self._panel
        if self._lean_panel is not None and outcome in self._lean_panel.data.columns:
            return self._lean_panel
        return self.lean_panel(_LEAN_OUTCOMES if outcome in _LEAN_OUTCOMES else (outcome,))

    @cached_property
    def estimable(self) -> tuple[str, ...]:
        """Outcomes whose effect the programme's panel can estimate (:func:`~advocacy_eval.panel.estimable_outcomes`)."""
        if self._panel is not None:
            return tuple(self._panel.estimable)
        return estimable_outcomes(self.programme)

    def described_panel(self) -> Panel:
        """The panel's description without its rows: months, counts, cohorts, notes, and every estimable outcome.

        Any lean panel has the full panel's description; the one held is
        used, else the wave reports' lean panel is built.
        """
        held = self._panel if self._panel is not None else self._lean_panel
        if held is None:
            held = self.lean_panel(_LEAN_OUTCOMES)
        return replace(held, data=held.data.iloc[:0], estimable=self.estimable)

    def baseline(self, outcome: str) -> float:
        """Volunteers' mean ``outcome`` in the months before their enrolment month (computed once, stored).

        Stored with the effects (:meth:`_cached`), so that a report reading
        its effects from the store builds no panel for its baselines.
        """
        return self._cached(
            "baseline", outcome, lambda: pre_enrolment_mean(self._panel_for(outcome), outcome)
        )

    def release_panel(self) -> None:
        """Forget the lean panel (memory); the effects fitted on it are kept."""
        self._lean_panel = None

    def effect(self, outcome: str) -> OnboardingEffect | None:
        """The onboarding effect on ``outcome`` (fitted once), or None when it cannot be estimated.

        The effect's tables are kept; its diff-diff result and influence
        functions are released (see the class notes).
        """
        if outcome not in self._effects:

            def fit() -> tuple[OnboardingEffect | None, str, StatResult | None]:
                try:
                    panel = self._panel_for(outcome)
                    if outcome not in panel.estimable:
                        raise ValueError(f"{outcome} is not estimable from these data")
                    covariates = list(PROFILE_COVARIATES) if outcome == "has_profile" else None
                    effect = onboarding_effect(
                        panel,
                        outcome,
                        control=self.control,
                        anticipation=self.anticipation,
                        covariates=covariates,
                    )
                except (ValueError, KeyError, np.linalg.LinAlgError) as exc:
                    return None, str(exc), None
                profiles = None
                if outcome == "has_profile":  # the only use of its influence functions
                    profiles = profiles_attributable(panel, effect=effect)
                return replace(effect, result=None, _agg=None), "", profiles

            effect, error, profiles = self._cached("effect", outcome, fit)
            self._effects[outcome] = effect
            if error:
                self._errors[outcome] = error
            if outcome == "has_profile" and effect is not None:
                self._profiles = profiles
        return self._effects[outcome]

    @cached_property
    def _effects_folder(self) -> Path | None:
        # a panel given by the caller is not the one the programme's digest describes: never stored
        return None if self._panel_given else effects_folder()

    @cached_property
    def _data_digest(self) -> str:
        return data_digest(self.programme)  # the release's tables: waves left out change it

    def _cached(self, kind: str, outcome: str, fit: Callable[[], T], **more: object) -> T:
        """``fit()``, stored beside the programme's snapshot (:mod:`~advocacy_eval.analyses.effect_cache`)."""
        folder = self._effects_folder
        if folder is None:
            return fit()
        key = effect_key(
            data=self._data_digest,
            kind=kind,
            outcome=outcome,
            control=self.control,
            anticipation=self.anticipation,
            **more,
        )
        return cached(folder, key, fit)

    def effect_check(self, outcome: str) -> AnticipationCheck | None:
        """Signs that volunteers reacted before enrolling, in the effect on ``outcome`` (None when not estimated).

        See :func:`~advocacy_eval.effects.anticipation_check`: ``at_risk`` when
        the effect in the month before enrolment is significant or the joint
        pre-enrolment test fails.
        """
        effect = self.effect(outcome)
        return None if effect is None else anticipation_check(effect)

    def effect_sensitivity(self, outcome: str) -> OnboardingEffect | None:
        """The effect on ``outcome`` declaring one more month of anticipation than the context (fitted once).

        With the default ``anticipation=0``, the estimate that declares one
        month of anticipation: the base period moves back to two months before
        enrolment and the month before enrolment is an anticipation effect,
        outside the overall effect (R ``did``'s rule). None when the effect
        cannot be estimated. Fit it while the panel is held (the reports do,
        see :meth:`anticipation_sensitivity`).
        """
        if outcome not in self._sensitivities:

            def fit() -> OnboardingEffect | None:
                try:
                    panel = self._panel_for(outcome)
                    covariates = list(PROFILE_COVARIATES) if outcome == "has_profile" else None
                    fitted = onboarding_effect(
                        panel,
                        outcome,
                        control=self.control,
                        anticipation=self.anticipation + 1,
                        covariates=covariates,
                    )
                except (ValueError, KeyError, np.linalg.LinAlgError):
                    return None
                return replace(fitted, result=None, _agg=None)

            sensitivity = None
            if self.effect(outcome) is not None:
                sensitivity = self._cached("sensitivity", outcome, fit)
            self._sensitivities[outcome] = sensitivity
        return self._sensitivities[outcome]

    def anticipation_sensitivity(self, outcome: str) -> OnboardingEffect | None:
        """:meth:`effect_sensitivity` when the effect on ``outcome`` is at risk (:meth:`effect_check`), else None."""
        check = self.effect_check(outcome)
        return self.effect_sensitivity(outcome) if check is not None and check.at_risk else None

    def effect_error(self, outcome: str) -> str:
        """Why the effect on ``outcome`` could not be estimated (empty if it was)."""
        self.effect(outcome)
        return self._errors.get(outcome, "")

    @property
    def profiles(self) -> StatResult | None:
        """Profiles attributable to enrolment, per wave and ``total`` (None when not estimable)."""
        return None if self.effect("has_profile") is None else self._profiles

    def _attributable(self, label: str) -> StatResult | None:
        """The rows of :attr:`profiles` a population needs (a wave's: estimated from its own cells only)."""
        if label == "total" or "has_profile" in self._effects:
            return self.profiles
        if label not in self._wave_profiles:

            def fit() -> StatResult | None:
                try:
                    panel = self._panel_for("has_profile")
                    if "has_profile" not in panel.estimable:
                        raise ValueError("has_profile is not estimable from these data")
                    return profiles_attributable(
                        panel,
                        control=self.control,
                        anticipation=self.anticipation,
                        covariates=PROFILE_COVARIATES,
                        waves=[label],
                    )
                except (ValueError, KeyError, np.linalg.LinAlgError):
                    return None

            self._wave_profiles[label] = self._cached(
                "wave_profiles", "has_profile", fit, waves=[label]
            )
        return self._wave_profiles[label]

    # -- profiles --------------------------------------------------------------------------------

    def profile_totals(self, key: str) -> tuple[int, int]:
        """:func:`~advocacy_eval.analyses.results.profile_totals` of a population (counted once)."""
        from .results import profile_totals

        if key not in self._profile_totals:
            self._profile_totals[key] = profile_totals(self.populations[key].members)
        return self._profile_totals[key]

    def profile_counts(self, key: str):
        """:func:`~advocacy_eval.analyses.results.profile_counts` of a population (computed once)."""
        from .results import profile_counts

        if key not in self._profile_counts:
            pop = self.populations[key]
            label = "total" if key == PROGRAMME else key
            self._profile_counts[key] = profile_counts(
                self.programme,
                pop.members,
                pop.data_end,
                self._attributable(label),
                label,
                totals=self.profile_totals(key),
            )
        return self._profile_counts[key]

    @cached_property
    def release_plan(self) -> ReleasePlan:
        """What every report of the release hides (computed once from the data and k).

        It needs each wave's profile totals (counts, no estimate) and the
        number of volunteers in each wave's effect on posts (the effect every
        report shows).
        """
        prog = self.programme
        quantities: dict[str, dict[str, float]] = {}
        successes: dict[str, dict[str, float]] = {}
        prof = {w: self.profile_totals(w) for w in prog.wave_ids}
        quantities["profiles"] = {w: n_without for w, (n_without, _) in prof.items()}
        successes["profiles"] = {w: n_created for w, (_, n_created) in prof.items()}
        effect = self.effect("posts") if prog.activity is not None else None
        if effect is not None and effect.by_wave is not None:
            bw = effect.by_wave
            quantities["estimate"] = {
                str(w): int(n) for w, n in zip(bw["wave_id"], bw["n"], strict=True)
            }
        return plan_release(self.k, self.wave_sizes, quantities, successes)

    # -- posts and person-months ---------------------------------------------------------------

    def _frame(self, key: str) -> tuple[pd.DataFrame, int]:
        """The population's posts (:meth:`window_posts`) and how many of them are the page's (first)."""
        if key not in self._frames:
            codes = self.codes
            page = codes.page_rows(self.populations[key].start)
            volunteers = codes.volunteer_rows(self._member(key))
            self._frames[key] = (codes.frame(np.concatenate([page, volunteers])), len(page))
        return self._frames[key]

    def window_posts(self, key: str) -> pd.DataFrame:
        """:func:`window_posts` of a population with ``engagements``, as the measures use it (kept).

        The page's posts come first, then the volunteers'; ids are categoricals
        and ``post_id`` is the post's row in the posts table
        (:meth:`ProgrammeCodes.frame`).
        """
        return self._frame(key)[0]

    def release_posts(self, keep: Sequence[str] = ()) -> None:
        """Forget the populations' posts but those of ``keep`` (memory); what was computed from them is kept."""
        for key in [k for k in self._frames if k not in keep]:
            del self._frames[key]

    def comparison(self, key: str, kind: str) -> StatResult:
        """A comparison of the population's posts with the page's (computed once).

        ``kind``: ``"reach"`` (reach rates, :func:`~advocacy_eval.stats.compare_rates`),
        ``"reach_per_post"``, ``"engagement_per_post"`` (per post) or
        ``"engagement_rate"`` (:func:`~advocacy_eval.stats.compare_engagement`).
        """
        if kind not in _POST_COMPARISONS:
            raise KeyError(f"unknown comparison {kind!r}; known: {', '.join(_POST_COMPARISONS)}")
        if (key, kind) not in self._comparisons:
            posts = self.window_posts(key)
            if (
                kind == "reach"
            ):  # like for like: unique reach only if both sides have it (analyses.comparability)
                res = compare_rates(
                    posts,
                    numerator=self.reach_basis(key).numerator,
                    by="author_type",
                    reference="company",
                    vce=VCE,
                )
            elif kind == "engagement_rate":
                res = compare_engagement(
                    posts, by="author_type", reference="company", terms=ENGAGEMENT_TERMS, vce=VCE
                )
            else:
                numerator = (
                    self.reach_basis(key).numerator if kind == "reach_per_post" else "engagements"
                )
                res = compare_rates(
                    posts.assign(_one_post=1.0),
                    numerator=numerator,
                    exposure="_one_post",
                    by="author_type",
                    reference="company",
                    vce=VCE,
                )
            self._comparisons[(key, kind)] = res
        return self._comparisons[(key, kind)]

    def reach_basis(self, key: str) -> ReachBasis:
        """The reach metric both the page's and the population's posts have (:func:`~.comparability.reach_basis`)."""
        if key not in self._reach_bases:
            self._reach_bases[key] = reach_basis(self.window_posts(key))
        return self._reach_bases[key]

    def repost_rule_posts(self, key: str) -> int:
        """The population's reshares LinkedIn may credit to the page (:func:`~.comparability.repost_rule_posts`)."""
        posts, table = self.window_posts(key), self.codes.posts
        if "origin" not in table.columns:
            return 0
        rows = posts[
            "post_id"
        ].to_numpy()  # the post's row in the posts table (ProgrammeCodes.frame)
        return repost_rule_posts(
            pd.DataFrame(
                {
                    "author_type": posts["author_type"].to_numpy(),
                    "published_at": table["published_at"].to_numpy()[rows],
                    "origin": table["origin"].to_numpy()[rows],
                }
            )
        )

    def content_mix(self, key: str, target: float = 0.20) -> StatResult:
        """:func:`~advocacy_eval.stats.content_mix` of the volunteers' posts against ``target`` (computed once)."""
        if ("mix", key, target) not in self._comparisons:
            posts, n_page = self._frame(key)
            self._comparisons[("mix", key, target)] = content_mix(
                posts.iloc[n_page:], target=target
            )
        return self._comparisons[("mix", key, target)]

    def post_counts(self, key: str) -> tuple[int, int, int]:
        """The population's page posts, volunteers' posts and volunteers who posted."""
        posts, n_page = self._frame(key)
        return n_page, len(posts) - n_page, int(self.active(key).sum())

    def active(self, key: str) -> np.ndarray:
        """Whether each volunteer (in the members' order) posted since their own enrolment."""
        if key not in self._active:
            codes = self.codes
            member = self._member(key)
            posted = np.zeros(len(member), dtype=bool)
            posted[codes.post_author[codes.volunteer_rows(member)]] = True
            self._active[key] = posted[member]
        return self._active[key]

    def person_months(self, key: str) -> pd.DataFrame:
        """:func:`person_months` of a population (computed once)."""
        if key not in self._person_months:
            self._person_months[key] = _person_months(
                self.codes, self.populations[key], self._member(key)
            )
        return self._person_months[key]


# ----------------------------------------------------------------------------- metrics


def _from_row(
    metric: str,
    key: str,
    estimate: float,
    low: float,
    high: float,
    n: int,
    basis: str,
    method: str,
    n_people: int,
) -> Measurement:
    return Measurement(
        metric,
        key,
        float(estimate),
        float(low),
        float(high),
        int(n),
        basis,
        str(method),
        int(n_people),
    )


_RATIO_COMPARISON: dict[str, str] = {
    "amplification": "reach",
    "reach_per_post_ratio": "reach_per_post",
    "engagement_per_post_ratio": "engagement_per_post",
    "engagement_rate_ratio": "engagement_rate",
}


def _ratio(metric: str, ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    n_page, n_volunteer_posts, _ = ctx.post_counts(key)
    if not n_page:
        return Measurement.missing(metric, key, "no_page_posts", pop.n_volunteers)
    if not n_volunteer_posts:
        return Measurement.missing(metric, key, "no_posts", pop.n_volunteers)
    res = ctx.comparison(key, _RATIO_COMPARISON[metric])
    row = res.set_index("level").loc["employee"]
    n_authors = int(row["n_clusters"])
    m = _from_row(
        metric,
        key,
        row["rate_ratio"],
        row["rate_ratio_ci_low"],
        row["rate_ratio_ci_high"],
        int(row["n_posts"]),
        "posts",
        str(row["method"]).replace("_one_post", "posts"),
        n_authors,
    )
    if _RATIO_COMPARISON[metric] in ("reach", "reach_per_post"):
        m = replace(m, measured_on=ctx.reach_basis(key).measured_on)
    return m


def _corporate_share(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    _, n_posts, n_authors = ctx.post_counts(key)
    if not n_posts:
        return Measurement.missing("corporate_share", key, "no_posts", pop.n_volunteers)
    try:
        mix = ctx.content_mix(key, target=0.2)
    except ValueError:  # every post is unclassified: no share to measure
        return Measurement.missing("corporate_share", key, "not_estimable", pop.n_volunteers)
    row = mix.loc[mix["variant"] == "cluster"].iloc[0]
    return _from_row(
        "corporate_share",
        key,
        row["estimate"],
        row["ci_low"],
        row["ci_high"],
        int(row["n"]),
        "posts",
        row["method"],
        n_authors,
    )


def _monthly_participation(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    pm = ctx.person_months(key)
    if pm.empty:
        return Measurement.missing("monthly_participation", key, "no_posts", pop.n_volunteers)
    res = compare_rates(
        pm,
        numerator="active",
        exposure="one",
        by="group",
        cluster="employee_id",
        post_id=None,
        min_clusters=1,
        vce=VCE,
    ).iloc[0]
    return _from_row(
        "monthly_participation",
        key,
        res["estimate"],
        res["ci_low"],
        res["ci_high"],
        len(pm),
        "person_months",
        res["method"],
        pm["employee_id"].nunique(),
    )


def _staff_reached(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    counts = metrics.staff_reached(
        ctx.programme.employees, pop.programme_start, pop.reach_end
    ).iloc[0]
    touched, eligible = int(counts["n_touched"]), int(counts["n_eligible"])
    if eligible == 0:
        return Measurement.missing("staff_reached_share", key, "too_few_people", 0)
    lo, hi = wilson_interval(np.array([touched]), np.array([eligible]))
    return _from_row(
        "staff_reached_share",
        key,
        touched / eligible,
        lo[0],
        hi[0],
        eligible,
        "people",
        "Wilson score interval",
        eligible,
    )


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
    return _from_row(
        "profiles_attributable",
        key,
        r["estimate"],
        r["ci_low"],
        r["ci_high"],
        int(r["n"]),
        "volunteers",
        r["method"],
        int(r["n"]),
    )


def _effect_posts(ctx: MeasureContext, key: str) -> Measurement:
    pop = ctx.populations[key]
    if ctx.programme.activity is None:
        return Measurement.missing("effect_posts", key, "no_activity", pop.n_volunteers)
    effect = ctx.effect("posts")
    if effect is None:
        return Measurement.missing("effect_posts", key, "not_estimable", pop.n_volunteers)
    r = _effect_row(effect, key)
    if r is None:
        return Measurement.missing("effect_posts", key, "not_estimable", pop.n_volunteers)
    m = _from_row(
        "effect_posts",
        key,
        r["estimate"],
        r["ci_low"],
        r["ci_high"],
        int(r["n"]),
        "volunteers",
        r["method"],
        int(r["n"]),
    )
    # volunteers may have reacted before enrolling: flag it, and carry the estimate declaring one month of
    # anticipation (the claim's verdict is then the more conservative of the two, claims.evaluate)
    sensitivity = ctx.anticipation_sensitivity("posts")
    if sensitivity is None:
        check = ctx.effect_check("posts")
        return replace(m, flag="anticipation_risk") if check is not None and check.at_risk else m
    s = _effect_row(sensitivity, key)
    sens = (
        Measurement.missing("effect_posts", key, "not_estimable", pop.n_volunteers)
        if s is None
        else _from_row(
            "effect_posts",
            key,
            s["estimate"],
            s["ci_low"],
            s["ci_high"],
            int(s["n"]),
            "volunteers",
            f"{s['method']}, one month of anticipation declared",
            int(s["n"]),
        )
    )
    return replace(m, flag="anticipation_risk", sensitivity=sens)


def _effect_row(effect: OnboardingEffect, key: str) -> pd.Series | None:
    """The overall effect (the programme) or a wave's row of ``by_wave`` (None when the wave has none)."""
    if key == PROGRAMME:
        return effect.overall.iloc[0]
    bw = effect.by_wave
    if bw is None or key not in set(bw["wave_id"]):
        return None
    return bw.loc[bw["wave_id"] == key].iloc[0]


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
        reason = (
            "too_few_people"
            if ctx.release_plan.label_key(quantity, key) == "suppressed"
            else "suppressed_secondary"
        )
        return Measurement.missing(metric, key, reason, pop.n_volunteers)
    cache = ctx.__dict__.setdefault("_measurements", {})
    if (
        metric,
        key,
    ) not in cache:  # each measurement once per context (scorecard, KPIs, next wave's change)
        cache[(metric, key)] = MEASURES[metric](ctx, key)
    return cache[(metric, key)]


_RELEASE_QUANTITY: dict[str, str] = {
    "profiles_attributable": "profiles",
    "effect_posts": "estimate",
}
"""Metrics whose per-wave values are also pooled into a published total, and the
release quantity that decides whether a wave's value is hidden."""


def measure_all(
    metrics_: Sequence[str], ctx: MeasureContext, keys: Sequence[str]
) -> list[Measurement]:
    """Measure several metrics on several populations (each fit shared through ``ctx``)."""
    return [measure(m, ctx, key) for m in dict.fromkeys(metrics_) for key in keys]
