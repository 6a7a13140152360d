"""The numbers of the programme report (no language, no formatting).

:func:`programme_results` evaluates every claim on all waves pooled and on
each wave (the programme scorecard), estimates the effect of enrolling
(Callaway & Sant'Anna staggered difference-in-differences,
:mod:`advocacy_eval.effects`) on each monthly outcome, the profiles
attributable to enrolling, and the diagnostics (TWFE contrast, Goodman-Bacon
decomposition, pre-enrolment tests, Rambachan-Roth bounds). The words come
from :mod:`advocacy_eval.reports.programme`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._display import html_summary, interval
from ..claims import PROGRAMME, Claim, Scorecard, default_claims, evaluate
from ..effects import (
    AnticipationCheck,
    BaconResult,
    HonestBounds,
    OnboardingEffect,
    bacon_decomposition,
    honest_bounds,
    twfe_estimate,
)
from ..errors import ReportError
from ..panel import Panel
from ..privacy import check_min_group_size
from ..schema import Programme
from ..stats._result import StatResult, make_result
from .measures import _LEAN_OUTCOMES, PROFILE_COVARIATES, MeasureContext, measure_all
from .planning import Settlement, settle_claims
from .results import ProfileCounts, pretrend_p

__all__ = [
    "OUTCOME_ORDER",
    "ProfileRow",
    "ProgrammeResults",
    "prefetch_effects",
    "programme_results",
    "wave_effect",
]

OUTCOME_ORDER: tuple[str, ...] = (
    "posts",
    "members_reached",
    "impressions",
    "engagements",
    "followers",
    "has_profile",
)
"""Outcomes shown in the report, in order (those the panel can estimate)."""


@dataclass(frozen=True)
class ProfileRow:
    """Profile figures of one wave (or the total) and which cells privacy hides.

    Attributes
    ----------
    wave_id : str
        Wave id or ``"total"``.
    counts : ProfileCounts
        The figures (one reference date: the start of the enrolment month).
    hidden : str
        ``""`` when shown; else the label key of why it is hidden in every report
        of the release (``"suppressed"`` or ``"suppressed_secondary"``).
    """

    wave_id: str
    counts: ProfileCounts
    hidden: str

    @property
    def hide(self) -> bool:
        """Whether the row's figures are hidden."""
        return bool(self.hidden)


@dataclass(frozen=True)
class ProgrammeResults:
    """Numbers of the programme report.

    Attributes
    ----------
    min_group_size : int
        k: no wave, cohort or event time with fewer volunteers is shown.
    waves : pandas.DataFrame
        The waves table (names are data, rendered as text).
    wave_ids : tuple of str
        Waves in order.
    claims : tuple of Claim
        Claims evaluated.
    scorecard : Scorecard
        Every claim on each wave and on the programme.
    outcome : str
        Headline outcome.
    control : str
        Control group used.
    panel : Panel
        The employee x month panel's description: months, counts, cohorts,
        notes (its ``data`` holds no rows, to keep results small; rebuild the
        rows with :func:`~advocacy_eval.panel.build_panel`).
    effects : tuple of OnboardingEffect
        Fitted effect per estimable outcome, in :data:`OUTCOME_ORDER`.
    outcomes : StatResult
        Overall effect per outcome: ``outcome``, estimate, ci, p_value, n, ``pretrend_p``,
        ``pretrend_failed`` (p < 0.05), ``baseline`` (volunteers' mean before enrolment).
    event_study : StatResult
        Headline outcome by month since enrolment (rows with fewer than k volunteers removed).
    by_wave : StatResult
        Headline outcome per wave (waves with fewer than k volunteers removed).
    profiles : tuple of ProfileRow
        Per wave, then ``total``.
    wave_comparison : pandas.DataFrame
        Per wave: effect on posts and on reach (estimate, interval, n).
    twfe : StatResult or None
        Two-way fixed-effects estimate (contrast only).
    bacon : BaconResult or None
    honest : HonestBounds or None
    n_volunteers, n_controls : int
        Volunteers and never-enrolled colleagues in the monthly panel.
    excluded_waves : tuple of str
        Waves with fewer than k volunteers, left out of every figure (:mod:`advocacy_eval.privacy.release`).
    sources : pandas.DataFrame
        Input files.
    anticipation : AnticipationCheck or None
        Signs that volunteers reacted before enrolling, in the effect on the
        headline outcome (:func:`~advocacy_eval.effects.anticipation_check`):
        ``anticipation.at_risk`` when the effect in the month before enrolment
        is significant or the joint pre-enrolment test fails.
    sensitivity : OnboardingEffect or None
        When at risk, the effect on the headline outcome declaring one month
        of anticipation (one more than the report's), shown next to it.
    settlements : tuple of Settlement
        For each claim on the whole programme, what would settle it
        (:func:`~advocacy_eval.analyses.planning.settle_claims`).
    """

    min_group_size: int
    waves: pd.DataFrame = field(repr=False)
    wave_ids: tuple[str, ...]
    claims: tuple[Claim, ...]
    scorecard: Scorecard
    outcome: str
    control: str
    panel: Panel = field(repr=False)
    effects: tuple[OnboardingEffect, ...] = field(repr=False)
    outcomes: StatResult = field(repr=False)
    event_study: StatResult = field(repr=False)
    by_wave: StatResult = field(repr=False)
    profiles: tuple[ProfileRow, ...] = field(repr=False)
    wave_comparison: pd.DataFrame = field(repr=False)
    twfe: StatResult | None = field(repr=False)
    bacon: BaconResult | None = field(repr=False)
    honest: HonestBounds | None = field(repr=False)
    n_volunteers: int
    n_controls: int
    sources: pd.DataFrame = field(repr=False)
    excluded_waves: tuple[str, ...] = ()
    anticipation: AnticipationCheck | None = None
    sensitivity: OnboardingEffect | None = field(default=None, repr=False)
    settlements: tuple[Settlement, ...] = ()

    @property
    def at_risk(self) -> bool:
        """Whether the effect on the headline outcome is at risk: volunteers may have reacted before enrolling."""
        return self.anticipation is not None and self.anticipation.at_risk

    def effect(self, outcome: str) -> OnboardingEffect | None:
        """The fitted effect on ``outcome`` (None when it was not estimable)."""
        return next((e for e in self.effects if e.outcome == outcome), None)

    @property
    def headline(self) -> OnboardingEffect:
        """The effect on the headline outcome."""
        effect = self.effect(self.outcome)
        assert effect is not None
        return effect

    def __repr__(self) -> str:
        verdicts = ", ".join(
            f"{r.claim.key}: {r.verdict}" for r in self.scorecard.for_population(PROGRAMME)
        )
        return (
            f"ProgrammeResults({len(self.wave_ids)} waves, {self.n_volunteers} volunteers, "
            f"{self.n_controls} controls; {verdicts})"
        )

    def _repr_html_(self) -> str:
        head = self.headline.overall.iloc[0]
        items: list[tuple[str, object]] = [
            (
                f"onboarding effect on {self.outcome} (ATT, 95% interval)",
                interval(head["estimate"], head["ci_low"], head["ci_high"]),
            ),
            ("volunteers (estimation)", self.n_volunteers),
            ("not-yet-enrolled controls", self.n_controls),
            ("control group", self.control),
            ("volunteers may have reacted before enrolling", "yes" if self.at_risk else "no"),
        ]
        if self.excluded_waves:
            items.append(
                ("waves left out (fewer than k volunteers)", ", ".join(self.excluded_waves))
            )
        items += [
            (f"{r.claim.key}", f"{r.verdict}: {r.measurement.summary()}")
            for r in self.scorecard.for_population(PROGRAMME)
        ]
        return html_summary(
            f"Programme: {len(self.wave_ids)} waves ({', '.join(self.wave_ids)}), "
            f"minimum group size {self.min_group_size}",
            items,
            tables=[
                ("scorecard", self.scorecard.to_summary()),
                ("effects by outcome", self.outcomes),
                ("effect by wave", self.by_wave),
                ("event study", self.event_study),
                ("waves compared", self.wave_comparison),
            ],
        )


def programme_results(
    programme: Programme,
    claims: Sequence[Claim] | None = None,
    min_group_size: int = 5,
    outcome: str = "posts",
    control: str = "not_yet_treated",
    anticipation: int = 0,
    context: MeasureContext | None = None,
) -> ProgrammeResults:
    """Compute every number of the programme report.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    claims : sequence of Claim, optional
        Claims to evaluate (default :func:`~advocacy_eval.claims.default_claims`).
    min_group_size : int
        Minimum group size k (>= 3) for every breakdown.
    outcome : str
        Headline outcome (``"posts"``; ``"has_profile"`` when the programme has no activity table).
    control : str
        ``"not_yet_treated"`` (default) or ``"never_treated"``.
    anticipation : int
        Months before enrolment in which behaviour may already change.
    context : MeasureContext, optional
        Shared fits (built when absent).

    Returns
    -------
    ProgrammeResults

    Raises
    ------
    ReportError
        If the effect on the headline outcome cannot be estimated.
    """
    k = check_min_group_size(min_group_size)
    claims = tuple(default_claims() if claims is None else claims)
    own_context = context is None
    ctx = context if context is not None else MeasureContext(programme, k, control, anticipation)
    programme = (
        ctx.programme
    )  # the release: waves with fewer than k volunteers left out of every figure
    # every estimate first, each fitted once, in the order that holds one outcome's panel at a time and serves
    # the wave reports early (they wait for the fits running here, see effect_cache.fit_turn): the wave reports'
    # outcomes on their shared lean panel, the headline's sensitivity and diagnostics while its panel is held,
    # then every other outcome on a panel holding it alone
    estimable = ctx.estimable
    if outcome not in estimable:
        outcome = "has_profile"
    fitted: dict[str, OnboardingEffect] = {}
    baselines: dict[str, float] = {}

    def fit(o: str) -> None:
        if o not in fitted and (effect := ctx.effect(o)) is not None:
            fitted[o] = effect
            baselines[o] = ctx.baseline(o)  # while the outcome's panel is held

    for o in (*(o for o in OUTCOME_ORDER if o in estimable and o in _LEAN_OUTCOMES), outcome):
        fit(o)
    if ctx.effect(outcome) is None:
        described = ctx.described_panel()
        raise ReportError(
            f"the effect of onboarding on {outcome} cannot be estimated from these data "
            f"({described.count('units_enrolled')} volunteers and "
            f"{described.count('units_control')} other employees in the panel): "
            f"{ctx.effect_error(outcome)}"
        )
    # volunteers may have reacted before enrolling: when the headline effect (or the effect on posts, which the
    # effect_posts claim uses) is at risk, the estimate declaring one month of anticipation, fitted while the
    # panel is held
    check = ctx.effect_check(outcome)
    sensitivity = ctx.anticipation_sensitivity(outcome)
    twfe, bacon, honest = _diagnostics(ctx, outcome, control, anticipation)
    if programme.activity is not None and "posts" in estimable:
        ctx.anticipation_sensitivity("posts")
    for o in OUTCOME_ORDER:
        if o in estimable:
            fit(o)
    effects = [fitted[o] for o in OUTCOME_ORDER if o in fitted]
    # what the report describes (months, counts, cohorts, notes: the full panel's, see lean_panel), without its
    # rows: building the full panel again only for this cost 5 s and 0.5 GB held to the end at 200,000 employees
    panel = ctx.described_panel()
    if own_context:
        ctx.release_panel()

    plan = ctx.release_plan
    keys = [*programme.wave_ids, PROGRAMME]
    metric_names = list(dict.fromkeys(c.metric for c in claims))
    by_key = {}
    for key in keys:  # one population's posts at a time
        by_key[key] = measure_all(metric_names, ctx, [key])
        if own_context:
            ctx.release_posts()
    scorecard = evaluate(
        claims, [by_key[key][i] for i in range(len(metric_names)) for key in keys], keys
    )
    settlements = settle_claims(
        ctx, scorecard, [PROGRAMME]
    )  # what would settle each inconclusive claim

    rows = []
    for e in effects:
        ov = e.overall.iloc[0]
        p = pretrend_p(e)
        rows.append(
            {
                "outcome": e.outcome,
                "estimate": ov["estimate"],
                "se": ov["se"],
                "ci_low": ov["ci_low"],
                "ci_high": ov["ci_high"],
                "p_value": ov["p_value"],
                "n": ov["n"],
                "method": e.method,
                "pretrend_p": p,
                "pretrend_failed": bool(np.isfinite(p) and p < 0.05),
                "baseline": baselines[e.outcome],
            }
        )
    outcomes = make_result(rows, first=["outcome"])
    head = ctx.effect(outcome)
    assert head is not None
    es = head.event_study
    es = es.loc[es["n"] >= k].reset_index(drop=True)
    by_wave = head.by_wave if head.by_wave is not None else make_result([])
    if len(
        by_wave
    ):  # waves whose effect is hidden in every report of the release (primary or complementary)
        by_wave = by_wave.loc[
            [not plan.hides("estimate", str(w)) for w in by_wave["wave_id"]]
        ].reset_index(drop=True)

    # profiles per wave and in total, one reference date, suppression decided once for the release
    per_wave = [ctx.profile_counts(w) for w in programme.wave_ids]
    total = ctx.profile_counts(PROGRAMME)
    profiles = (
        *tuple(
            ProfileRow(w, c, plan.label_key("profiles", w))
            for w, c in zip(programme.wave_ids, per_wave, strict=True)
        ),
        ProfileRow("total", total, "suppressed" if total.n_without < k else ""),
    )

    comp = []
    for wave in programme.wave_ids:
        row: dict[str, object] = {"wave_id": wave, "hidden": plan.label_key("estimate", wave)}
        for o, key in (("posts", "posts"), ("members_reached", "reach")):
            eff = ctx.effect(o) if o in panel.estimable else None
            bw = eff.by_wave if eff is not None else None
            match = bw.loc[bw["wave_id"] == wave] if bw is not None else pd.DataFrame()
            r = match.iloc[0] if len(match) else None
            row[f"{key}_n"] = int(r["n"]) if r is not None else 0
            for c in ("estimate", "ci_low", "ci_high"):
                row[f"{key}_{c}"] = float(r[c]) if r is not None else np.nan
        comp.append(row)

    return ProgrammeResults(
        min_group_size=k,
        waves=programme.waves,
        wave_ids=tuple(programme.wave_ids),
        claims=claims,
        scorecard=scorecard,
        outcome=outcome,
        control=head.control,
        panel=panel,
        effects=tuple(effects),
        outcomes=outcomes,
        event_study=es,
        by_wave=by_wave,
        profiles=profiles,
        wave_comparison=pd.DataFrame(comp),
        twfe=twfe,
        bacon=bacon,
        honest=honest,
        n_volunteers=panel.count("units_enrolled"),
        n_controls=panel.count("units_control"),
        sources=programme.sources
        if programme.sources is not None
        else pd.DataFrame(columns=["file", "rows", "sha256"]),
        excluded_waves=ctx.excluded_waves,
        anticipation=check,
        sensitivity=sensitivity,
        settlements=settlements,
    )


def _diagnostics(
    ctx: MeasureContext, outcome: str, control: str, anticipation: int
) -> tuple[StatResult, BaconResult | None, HonestBounds | None]:
    """Diagnostics of the headline effect: TWFE, Bacon decomposition, honest bounds (each fitted once).

    Each is stored in the effect cache (:mod:`~advocacy_eval.analyses.effect_cache`)
    like the effects, under the context's settings and the outcome; the
    panel is asked for only when one is fitted.
    """

    def bacon() -> BaconResult | None:
        estimation = ctx._panel_for(outcome)
        if int((estimation.cohorts["n_units"] > 0).sum()) < 1:
            return None
        return bacon_decomposition(estimation, outcome)

    def honest() -> HonestBounds | None:
        try:
            return honest_bounds(
                ctx._panel_for(outcome),
                outcome,
                control=control,
                anticipation=anticipation,
                covariates=list(PROFILE_COVARIATES) if outcome == "has_profile" else None,
            )
        except (ValueError, np.linalg.LinAlgError):  # too few pre-periods to bound anything
            return None

    settings = {"bounds_control": control, "bounds_anticipation": anticipation}
    return (
        ctx._cached("twfe", outcome, lambda: twfe_estimate(ctx._panel_for(outcome), outcome)),
        ctx._cached("bacon", outcome, bacon),
        ctx._cached("honest", outcome, honest, **settings),
    )


def wave_effect(
    programme: Programme,
    wave: str,
    outcome: str = "posts",
    control: str = "not_yet_treated",
    context: MeasureContext | None = None,
) -> StatResult:
    """One wave's own effect of enrolling (Callaway & Sant'Anna group aggregation).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    wave : str
        Wave id.
    outcome : str
        Monthly outcome (default ``"posts"``).
    control : str
        Control group.
    context : MeasureContext, optional
        Shared fits.

    Returns
    -------
    StatResult
        One row: ``wave_id``, ``outcome``, estimate, se, ci_low, ci_high, p_value, n, method.

    Raises
    ------
    KeyError
        If the wave is unknown or has no volunteer in the estimation sample.
    """
    programme.check_wave(wave)
    ctx = context if context is not None else MeasureContext(programme, control=control)
    effect = ctx.effect(outcome)
    bw = effect.by_wave if effect is not None else None
    if bw is None or wave not in set(bw["wave_id"]):
        raise KeyError(
            f"wave {wave} has no volunteer with a complete panel: its effect cannot be estimated"
        )
    row = bw.loc[bw["wave_id"] == wave].iloc[0].to_dict()
    row["outcome"] = outcome
    return make_result([row], first=["wave_id", "outcome"])


def prefetch_effects(
    programme: Programme,
    min_group_size: int = 5,
    control: str = "not_yet_treated",
    anticipation: int = 0,
    headline: str = "posts",
) -> list[str]:
    """Fit the programme report's effects in reverse order into the effect cache (for an idle report worker).

    :func:`programme_results` fits one effect per outcome of
    :data:`OUTCOME_ORDER`, in that order, and is the longest report of an
    all-wave run. A worker whose wave reports are done calls this in its own
    kernel while the programme report runs: it fits the same effects (same
    context, same lean panel, hence the same keys of
    :mod:`~advocacy_eval.analyses.effect_cache`) from the last outcome
    backwards, so that the programme report finds the last ones stored when
    it gets there. An effect already stored is read, not fitted; the two meet
    in the middle. Nothing is fitted when the programme has no snapshot (the
    cache is off).

    Parameters
    ----------
    programme : Programme
        As loaded by :func:`~advocacy_eval.io.load_programme`.
    min_group_size, control, anticipation
        As given to :func:`programme_results`.
    headline : str
        The report's headline outcome (``outcome`` of :func:`programme_results`):
        its diagnostics (TWFE, Bacon decomposition, honest bounds), which the
        report computes after every effect, are computed first.

    Returns
    -------
    list of str
        The outcomes whose effect is now stored (in the order handled).
    """
    ctx = MeasureContext(programme, check_min_group_size(min_group_size), control, anticipation)
    if ctx._effects_folder is None:
        return []
    estimable = ctx.estimable
    done = []
    if headline in estimable and ctx.effect(headline) is not None:
        # what the programme report computes last: the diagnostics, then the sensitivities
        _diagnostics(ctx, headline, control, anticipation)
        ctx.anticipation_sensitivity(headline)
        if programme.activity is not None and "posts" in estimable:
            ctx.anticipation_sensitivity("posts")
    for outcome in reversed(OUTCOME_ORDER):
        if outcome in estimable:
            ctx.effect(outcome)
            if ctx.effect(outcome) is not None:
                ctx.baseline(outcome)
            done.append(outcome)
    return done
