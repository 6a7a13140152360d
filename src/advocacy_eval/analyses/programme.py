"""Everything the programme report shows: the causal effect of onboarding across all waves.

:func:`programme_summary` builds the employee x month panel of a programme,
estimates the effect of enrolling (Callaway & Sant'Anna staggered
difference-in-differences, :mod:`advocacy_eval.effects`) on each monthly
outcome, the profiles attributable to onboarding, and the diagnostics (TWFE
contrast, Goodman-Bacon decomposition, pre-trend tests, Rambachan-Roth
bounds), and returns numeric tables, formatted tables in the report language
(small groups suppressed) and plain-language sentences and caveats. The
notebook ``notebooks/programme_report.ipynb`` only displays them.

:func:`wave_effect` gives one wave's own effect, for the wave report.

Its strings live with all the others in :data:`advocacy_eval.reports.i18n.STRINGS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__, metrics
from ..effects import (
    OnboardingEffect,
    bacon_decomposition,
    honest_bounds,
    onboarding_effect,
    profiles_attributable,
    twfe_estimate,
)
from ..errors import ReportError
from ..reports.i18n import check_lang, fmt_date, fmt_int, fmt_interval, fmt_num, fmt_pct, t
from ..panel import Panel, build_panel
from ..privacy import cells_to_hide, check_min_group_size
from ..schema import Programme
from ..stats._result import StatResult, make_result

OUTCOME_ORDER: tuple[str, ...] = ("posts", "members_reached", "impressions", "engagements", "followers", "has_profile")
"""Outcomes shown in the report, in order (those the panel can estimate)."""

PROFILE_COVARIATES: tuple[str, ...] = ("has_profile",)
"""Covariates of the profile-creation estimate: the profile status itself,
which diff-diff takes at each comparison's base period (the month before
enrolment for the post-enrolment effects). ``has_profile`` is an absorbing 0/1
state: an employee who already has a profile cannot gain one, so trends differ
by status, and volunteers include fewer employees without a profile. Parallel
trends are therefore assumed only among employees with the same status in the
month before enrolment (docs/onboarding-effect.md)."""

_OUTCOME_LOWER = {
    "posts": {"en": "the number of posts per month", "fr": "le nombre de publications par mois"},
    "members_reached": {"en": "the members reached per month", "fr": "le nombre de membres atteints par mois"},
    "impressions": {"en": "impressions per month", "fr": "le nombre d'impressions par mois"},
    "engagements": {"en": "engagements per month", "fr": "le nombre d'interactions par mois"},
    "followers": {"en": "followers", "fr": "le nombre d'abonnés"},
    "has_profile": {"en": "the share with a LinkedIn profile", "fr": "la part ayant un profil LinkedIn"},
}


def fmt_effect(x: float, outcome: str, lang: str = "en") -> str:
    """Format an effect in the outcome's unit (points for has_profile, 2 decimals for small counts)."""
    if outcome == "has_profile":
        if x is None or not np.isfinite(x):
            return "–"
        return f"{fmt_num(100 * x, lang, 1)} pts"
    if x is None or not np.isfinite(x):
        return "–"
    digits = 2 if abs(x) < 10 else (1 if abs(x) < 100 else 0)
    return fmt_num(x, lang, digits)


def fmt_effect_ci(low: float, high: float, outcome: str, lang: str = "en") -> str:
    """Format a 95% interval in the outcome's unit (``low to high``)."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    sep = " à " if lang == "fr" else " to "
    return f"{fmt_effect(low, outcome, lang)}{sep}{fmt_effect(high, outcome, lang)}"


# ----------------------------------------------------------------------------- summary


@dataclass
class ProgrammeSummary:
    """Numbers, tables and sentences of the programme report.

    Attributes
    ----------
    lang : str
        Report language.
    min_group_size : int
        k: no wave, cohort or event time with fewer volunteers is shown.
    outcome : str
        Headline outcome.
    control : str
        Control group used.
    panel : Panel
        The employee x month panel.
    effects : dict of OnboardingEffect
        Fitted effect per estimable outcome.
    outcomes : StatResult
        Overall effect per outcome: ``outcome``, estimate, ci, p_value, n,
        ``pretrend_p``, ``baseline`` (volunteers' mean before enrolment).
    event_study : StatResult
        Headline outcome by month since enrolment (rows with fewer than k
        volunteers removed).
    by_wave : StatResult
        Headline outcome per wave (waves with fewer than k volunteers removed).
    wave_comparison : pandas.DataFrame
        Per wave: volunteers, effect on posts and on reach, profiles attributable.
    profiles : StatResult or None
        Profiles attributable to onboarding, per wave and total.
    profiles_naive : pandas.DataFrame
        Volunteers without a profile at enrolment and those who created one
        after enrolling, per wave (descriptive).
    twfe : StatResult or None
        Two-way fixed-effects estimate (contrast only).
    bacon : dict or None
        Goodman-Bacon decomposition (:func:`advocacy_eval.effects.bacon_decomposition`).
    honest : dict or None
        Rambachan-Roth bounds (:func:`advocacy_eval.effects.honest_bounds`).
    pretrend : StatResult
        Pre-enrolment tests of the headline outcome.
    tables : dict of pandas.DataFrame
        Formatted tables (strings, report language).
    sentences, caveats : list of str
        Plain-language findings and caveats.
    title, subtitle : str
        Report heading.
    """

    lang: str
    min_group_size: int
    outcome: str
    control: str
    panel: Panel = field(repr=False)
    effects: dict[str, OnboardingEffect] = field(repr=False)
    outcomes: StatResult
    event_study: StatResult
    by_wave: StatResult
    wave_comparison: pd.DataFrame
    profiles: StatResult | None
    profiles_naive: pd.DataFrame
    twfe: StatResult | None
    bacon: dict | None
    honest: dict | None
    pretrend: StatResult
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    title: str = ""
    subtitle: str = ""

    @property
    def headline(self) -> OnboardingEffect:
        """The effect on the headline outcome."""
        return self.effects[self.outcome]


def _baseline(panel: Panel, outcome: str) -> float:
    """Volunteers' mean outcome in the months before their enrolment month."""
    d = panel.data
    pre = d.loc[(d[panel.first_period] > 0) & (d[panel.period] < d[panel.first_period]), outcome]
    return float(pre.mean()) if len(pre) else float("nan")


def programme_summary(
    programme: Programme,
    lang: str = "en",
    min_group_size: int = 5,
    outcome: str = "posts",
    control: str = "not_yet_treated",
    anticipation: int = 0,
    claimed_profiles: float | None = None,
    n_bootstrap: int = 0,
    seed: int = 20240101,
    panel: Panel | None = None,
) -> ProgrammeSummary:
    """Compute every figure of the programme report.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    lang : str
        ``"en"`` or ``"fr"``.
    min_group_size : int
        Minimum group size k (>= 3) for every breakdown.
    outcome : str
        Headline outcome (``"posts"`` by default; ``"has_profile"`` when the
        programme has no activity table).
    control : str
        ``"not_yet_treated"`` (default) or ``"never_treated"``.
    anticipation : int
        Months before enrolment in which behaviour may already change.
    claimed_profiles : float, optional
        A claimed number of profiles created (e.g. 500), checked against the
        interval.
    n_bootstrap : int
        0 (default): analytic standard errors; else multiplier-bootstrap draws.
    seed : int
        Seed of the bootstrap.
    panel : Panel, optional
        A panel already built from ``programme``.

    Returns
    -------
    ProgrammeSummary

    Raises
    ------
    ReportError
        If the effect on the headline outcome cannot be estimated (too few
        volunteers or controls with complete months).
    """
    lang = check_lang(lang)
    k = check_min_group_size(min_group_size)
    panel = panel if panel is not None else build_panel(programme)
    estimable = [o for o in OUTCOME_ORDER if o in panel.estimable]
    if outcome not in panel.estimable:
        outcome = "has_profile"
    kw: dict[str, Any] = dict(control=control, anticipation=anticipation, n_bootstrap=n_bootstrap, seed=seed)
    effects: dict[str, OnboardingEffect] = {}
    for o in estimable:
        covariates = list(PROFILE_COVARIATES) if o == "has_profile" else None
        try:
            effects[o] = onboarding_effect(panel, o, covariates=covariates, **kw)
        except (ValueError, np.linalg.LinAlgError) as exc:
            if o == outcome:
                raise ReportError(f"the effect of onboarding on {o} cannot be estimated from these data "
                                  f"({panel.count('units_enrolled')} volunteers and "
                                  f"{panel.count('units_control')} other employees in the panel): {exc}") from exc

    rows = []
    for o, e in effects.items():
        ov = e.overall.iloc[0]
        rows.append({"outcome": o, "estimate": ov["estimate"], "se": ov["se"], "ci_low": ov["ci_low"],
                     "ci_high": ov["ci_high"], "p_value": ov["p_value"], "n": ov["n"], "method": e.method,
                     "pretrend_p": float(e.pretrend.set_index("test").loc["event_study", "p_value"]),
                     "baseline": _baseline(panel, o)})
    outcomes = make_result(rows, first=["outcome"])
    head = effects[outcome]

    es = head.event_study
    es = es.loc[es["n"] >= k].reset_index(drop=True)
    by_wave = head.by_wave if head.by_wave is not None else make_result([])
    by_wave = by_wave.loc[by_wave["n"] >= k].reset_index(drop=True) if len(by_wave) else by_wave

    # profiles attributable (has_profile is estimable from posts-only data too)
    profiles = None
    if "has_profile" in effects:
        profiles = profiles_attributable(panel, effect=effects["has_profile"])
    naive = metrics.profiles_created(programme.employees, by="wave_id")

    # diagnostics on the headline outcome
    twfe = bacon = honest = None
    n_cohorts = int((panel.cohorts["n_units"] > 0).sum())
    twfe = twfe_estimate(panel, outcome)
    if n_cohorts >= 1:
        bacon = bacon_decomposition(panel, outcome)
    try:
        honest = honest_bounds(panel, outcome, control=control, anticipation=anticipation,
                               covariates=list(PROFILE_COVARIATES) if outcome == "has_profile" else None)
    except (ValueError, np.linalg.LinAlgError):  # too few pre-periods to bound anything
        honest = None

    # waves compared
    comp = []
    for wave in programme.wave_ids:
        row: dict[str, Any] = {"wave_id": wave}
        for o, key in (("posts", "posts"), ("members_reached", "reach")):
            bw = effects[o].by_wave if o in effects and effects[o].by_wave is not None else None
            r = bw.set_index("wave_id").loc[wave] if bw is not None and wave in set(bw["wave_id"]) else None
            row[f"{key}_n"] = int(r["n"]) if r is not None else 0
            for c in ("estimate", "ci_low", "ci_high"):
                row[f"{key}_{c}"] = float(r[c]) if r is not None else np.nan
        if profiles is not None and wave in set(profiles["wave_id"]):
            pr = profiles.set_index("wave_id").loc[wave]
            row.update(profiles_estimate=pr["estimate"], profiles_ci_low=pr["ci_low"],
                       profiles_ci_high=pr["ci_high"], volunteers=int(pr["n"]))
        comp.append(row)
    wave_comparison = pd.DataFrame(comp)

    summary = ProgrammeSummary(
        lang=lang, min_group_size=k, outcome=outcome, control=head.control, panel=panel, effects=effects,
        outcomes=outcomes, event_study=es, by_wave=by_wave, wave_comparison=wave_comparison, profiles=profiles,
        profiles_naive=naive, twfe=twfe, bacon=bacon, honest=honest, pretrend=head.pretrend,
    )
    _texts(summary, programme, claimed_profiles)
    return summary


def wave_effect(programme: Programme, wave: str, outcome: str = "posts", control: str = "not_yet_treated",
                panel: Panel | None = None, effect: OnboardingEffect | None = None) -> StatResult:
    """One wave's own effect of enrolling (for the wave report).

    The wave's average effect over its months after enrolment (Callaway &
    Sant'Anna group aggregation; cohorts of a wave spanning two months are
    weighted by size), estimated with all waves' data.

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
    panel : Panel, optional
        Panel already built from ``programme``.
    effect : OnboardingEffect, optional
        Effect already fitted on ``outcome`` (saves the fit).

    Returns
    -------
    StatResult
        One row: ``wave_id``, ``outcome``, estimate, se, ci_low, ci_high,
        p_value, n (volunteers in the estimate), method.

    Raises
    ------
    KeyError
        If the wave is unknown or has no volunteer in the estimation sample.
    """
    if wave not in programme.wave_ids:
        raise KeyError(f"unknown wave {wave!r}; known waves: {', '.join(programme.wave_ids)}")
    if effect is None:
        panel = panel if panel is not None else build_panel(programme)
        covariates = list(PROFILE_COVARIATES) if outcome == "has_profile" else None
        effect = onboarding_effect(panel, outcome, control=control, covariates=covariates)
    bw = effect.by_wave
    if bw is None or wave not in set(bw["wave_id"]):
        raise KeyError(f"wave {wave} has no volunteer with a complete panel: its effect cannot be estimated")
    row = bw.loc[bw["wave_id"] == wave].iloc[0].to_dict()
    row["outcome"] = outcome
    return make_result([row], first=["wave_id", "outcome"])


# ----------------------------------------------------------------------------- texts and tables


def _pretrend_p(effect: OnboardingEffect) -> float:
    return float(effect.pretrend.set_index("test").loc["event_study", "p_value"])


def _effect_sentence(o: str, row: pd.Series, lang: str) -> str:
    lower = _OUTCOME_LOWER[o][lang]
    est, lo, hi = row["estimate"], row["ci_low"], row["ci_high"]
    key = "sent_effect_positive" if lo > 0 else ("sent_effect_negative" if hi < 0 else "sent_effect_none")
    shown = abs(est) if key != "sent_effect_none" else est
    lo_s, hi_s = (lo, hi) if key != "sent_effect_negative" else (-hi, -lo)
    return t(key, lang, outcome_lower=lower, effect=fmt_effect(shown, o, lang),
             low=fmt_effect(lo_s if key != "sent_effect_none" else lo, o, lang),
             high=fmt_effect(hi_s if key != "sent_effect_none" else hi, o, lang))


def _profile_frame(s: ProgrammeSummary, programme: Programme) -> pd.DataFrame:
    """Per wave: volunteers, without a profile at enrolment, created after, attributable; which cells to hide."""
    k = s.min_group_size
    naive = s.profiles_naive.set_index("wave_id")
    prof = s.profiles.set_index("wave_id") if s.profiles is not None else None
    rows = []
    for wave in programme.wave_ids:
        has = wave in naive.index
        est = prof.loc[wave] if prof is not None and wave in prof.index else None
        rows.append({"wave_id": wave,
                     "volunteers": int(naive.loc[wave, "n_enrolled"]) if has else 0,
                     "n_without": int(naive.loc[wave, "n_without_profile"]) if has else 0,
                     "n_created": int(naive.loc[wave, "n_created"]) if has else 0,
                     "estimate": float(est["estimate"]) if est is not None else np.nan,
                     "ci_low": float(est["ci_low"]) if est is not None else np.nan,
                     "ci_high": float(est["ci_high"]) if est is not None else np.nan})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame.assign(hide_row=[], hide_without=[], hide_created=[])
    none = np.zeros(len(frame), dtype=bool)
    frame["hide_row"] = cells_to_hide(frame["volunteers"].to_numpy(), k, already=none)
    frame["hide_without"] = cells_to_hide(frame["n_without"].to_numpy(), k, already=frame["hide_row"].to_numpy())
    frame["hide_created"] = cells_to_hide(frame["n_created"].to_numpy(), k, already=frame["hide_without"].to_numpy())
    return frame


def _texts(s: ProgrammeSummary, programme: Programme, claimed_profiles: float | None) -> None:
    lang, o = s.lang, s.outcome
    panel = s.panel
    head = s.headline
    s.title = t("prog_title", lang)
    s.subtitle = t("prog_subtitle", lang, waves=fmt_int(len(programme.waves), lang),
                   volunteers=fmt_int(panel.count("units_enrolled"), lang),
                   controls=fmt_int(panel.count("units_control"), lang),
                   start=fmt_date(panel.months[0], lang, day=False), end=fmt_date(panel.months[-1], lang, day=False))

    # findings
    out = s.outcomes.set_index("outcome")
    sentences = [_effect_sentence(o, out.loc[o], lang)]
    base = out.loc[o, "baseline"]
    if o != "has_profile" and np.isfinite(base) and base > 0:
        sentences.append(t("sent_relative", lang, baseline=fmt_effect(base, o, lang),
                           relative=fmt_pct(out.loc[o, "estimate"] / base, lang, 0)))
    if o != "members_reached" and "members_reached" in out.index:
        sentences.append(_effect_sentence("members_reached", out.loc["members_reached"], lang))
    es = head.event_study.set_index("event_time")
    if 0 in es.index and 6 in es.index:
        sentences.append(t("sent_dynamics", lang, first=fmt_effect(es.loc[0, "estimate"], o, lang),
                           later=fmt_effect(es.loc[6, "estimate"], o, lang)))
    if s.profiles is not None:
        tot = s.profiles.set_index("wave_id").loc["total"]
        enrolled = programme.employees.loc[programme.employees["enrolled_on"].notna()]
        naive = metrics.profiles_created(enrolled, by=None)
        sentences.append(t("sent_profiles", lang, count=fmt_int(tot["estimate"], lang),
                           low=fmt_int(tot["ci_low"], lang), high=fmt_int(tot["ci_high"], lang),
                           naive=fmt_int(naive["n_created"].iloc[0], lang)))
        if claimed_profiles is not None:
            verdict = ("supported" if tot["ci_low"] >= claimed_profiles else
                       "contradicted" if tot["ci_high"] < claimed_profiles else "inconclusive")
            sentences.append(t("sent_profiles_claim", lang, claim=fmt_int(claimed_profiles, lang),
                               verdict=t(f"verdict_profiles_{verdict}", lang)))
    p = _pretrend_p(head)
    sentences.append(t("sent_pretrend_ok" if p >= 0.05 else "sent_pretrend_bad", lang,
                       outcome=t(f"outcome_{o}", lang).lower() if lang == "en" else t(f"outcome_{o}", lang),
                       p=fmt_num(p, lang, 2)))
    if s.twfe is not None and s.bacon is not None:
        tw = s.twfe.iloc[0]
        forbidden = float(s.bacon["by_type"].set_index("type").loc["later_vs_earlier", "weight"])
        sentences.append(t("sent_twfe", lang, twfe=fmt_effect(tw["estimate"], o, lang),
                           low=fmt_effect(tw["ci_low"], o, lang), high=fmt_effect(tw["ci_high"], o, lang),
                           cs=fmt_effect(head.att, o, lang), forbidden=fmt_pct(forbidden, lang, 0)))
    if s.honest is not None:
        bd = s.honest["breakdown_m"]
        if bd is None:
            sentences.append(t("sent_honest_robust", lang))
        elif bd <= 0:
            sentences.append(t("sent_honest_fragile", lang))
        else:
            sentences.append(t("sent_honest", lang, m=fmt_num(bd, lang, 1)))
    s.sentences = sentences

    # caveats
    rep = head.sample.set_index("key")["value"]
    left = int(rep.get("units_unbalanced", 0))
    caveats = [t("caveat_selection", lang), t("caveat_population", lang), t("caveat_spillover", lang)]
    if left:
        caveats.append(t("caveat_attrition", lang, left=fmt_int(left, lang),
                         volunteers=fmt_int(int(rep.get("units_unbalanced_treated", 0)), lang)))
    if "members_reached" in s.effects:
        caveats.append(t("caveat_reach", lang))
    if panel.source == "posts":
        caveats.append(t("caveat_posts_only", lang))
    caveats.append(t("caveat_proof", lang))
    s.caveats = caveats

    _tables(s, programme)


def _tables(s: ProgrammeSummary, programme: Programme) -> None:
    lang, k, o = s.lang, s.min_group_size, s.outcome
    hidden = t("suppressed", lang, k=k)
    out = s.outcomes
    s.tables["outcomes"] = pd.DataFrame({
        t("col_outcome", lang): [t(f"outcome_{x}", lang) for x in out["outcome"]],
        t("col_effect", lang): [fmt_effect(v, x, lang) for v, x in zip(out["estimate"], out["outcome"])],
        t("col_ci", lang): [fmt_effect_ci(a, b, x, lang) for a, b, x in zip(out["ci_low"], out["ci_high"], out["outcome"])],
        t("col_pretrend", lang): [fmt_num(v, lang, 2) for v in out["pretrend_p"]],
        t("col_volunteers_used", lang): [fmt_int(v, lang) for v in out["n"]],
    })
    bw = s.by_wave
    s.tables["by_wave"] = pd.DataFrame({
        t("col_wave", lang): list(bw["wave_id"]) if len(bw) else [],
        t("col_enrolment_month", lang): [c for c in bw["cohorts"]] if len(bw) else [],
        t("col_effect", lang): [fmt_effect(v, o, lang) for v in bw["estimate"]] if len(bw) else [],
        t("col_ci", lang): [fmt_effect_ci(a, b, o, lang) for a, b in zip(bw["ci_low"], bw["ci_high"])] if len(bw) else [],
        t("col_volunteers_used", lang): [fmt_int(v, lang) for v in bw["n"]] if len(bw) else [],
    })

    # profiles: people counts per wave with a total row -> primary and secondary suppression
    prof_frame = _profile_frame(s, programme)
    rows = []
    for r in prof_frame.itertuples(index=False):
        rows.append((
            r.wave_id,
            hidden if r.hide_without else fmt_int(r.n_without, lang),
            hidden if r.hide_created else fmt_int(r.n_created, lang),
            hidden if r.hide_without or not np.isfinite(r.estimate) else fmt_int(r.estimate, lang),
            hidden if r.hide_without or not np.isfinite(r.estimate) else fmt_interval(r.ci_low, r.ci_high, fmt_int, lang),
        ))
    if s.profiles is not None:
        tot = s.profiles.set_index("wave_id").loc["total"]
        n_without, n_created = int(prof_frame["n_without"].sum()), int(prof_frame["n_created"].sum())
        rows.append((t("total", lang), fmt_int(n_without, lang) if n_without >= k else hidden,
                     fmt_int(n_created, lang) if n_created >= k else hidden,
                     fmt_int(tot["estimate"], lang) if n_without >= k else hidden,
                     fmt_interval(tot["ci_low"], tot["ci_high"], fmt_int, lang) if n_without >= k else hidden))
    s.tables["profiles"] = pd.DataFrame(rows, columns=[t("col_wave", lang), t("col_without_profile", lang),
                                                       t("col_created_after", lang), t("col_profiles", lang),
                                                       t("col_ci", lang)])

    # waves compared (no total row: waves with fewer than k volunteers in the estimate are hidden)
    wc = s.wave_comparison
    prof_hidden = prof_frame.set_index("wave_id")["hide_without"]
    rows = []
    for r in wc.itertuples(index=False):
        small = getattr(r, "posts_n", 0) < k
        p_est = getattr(r, "profiles_estimate", np.nan)
        rows.append((
            r.wave_id,
            hidden if small else fmt_int(getattr(r, "posts_n", 0), lang),
            hidden if small else fmt_effect(getattr(r, "posts_estimate", np.nan), "posts", lang),
            hidden if small else fmt_effect_ci(getattr(r, "posts_ci_low", np.nan), getattr(r, "posts_ci_high", np.nan), "posts", lang),
            hidden if small else fmt_effect(getattr(r, "reach_estimate", np.nan), "members_reached", lang),
            hidden if small else fmt_effect_ci(getattr(r, "reach_ci_low", np.nan), getattr(r, "reach_ci_high", np.nan),
                                               "members_reached", lang),
            hidden if small or bool(prof_hidden.get(r.wave_id, True)) else
            (fmt_int(p_est, lang) if np.isfinite(p_est) else "–"),
        ))
    s.tables["wave_comparison"] = pd.DataFrame(rows, columns=[
        t("col_wave", lang), t("col_volunteers_used", lang), t("col_effect_posts", lang), t("col_ci", lang),
        t("col_effect_reach", lang), t("col_ci", lang) + " ", t("col_profiles", lang)])

    # robustness: CS vs TWFE, Bacon, pre-trend tests, honest bounds
    head = s.headline
    ov = head.overall.iloc[0]
    rows = [(t("estimator_cs", lang), fmt_effect(ov["estimate"], o, lang), fmt_effect_ci(ov["ci_low"], ov["ci_high"], o, lang))]
    if s.twfe is not None:
        tw = s.twfe.iloc[0]
        rows.append((t("estimator_twfe", lang), fmt_effect(tw["estimate"], o, lang),
                     fmt_effect_ci(tw["ci_low"], tw["ci_high"], o, lang)))
    s.tables["estimators"] = pd.DataFrame(rows, columns=[t("col_estimator", lang), t("col_effect", lang), t("col_ci", lang)])
    if s.bacon is not None:
        bt = s.bacon["by_type"]
        s.tables["bacon"] = pd.DataFrame({
            t("col_comparison", lang): [t(f"comparison_{x}", lang) for x in bt["type"]],
            t("col_weight", lang): [fmt_pct(w, lang, 1) for w in bt["weight"]],
            t("col_estimate_2x2", lang): [fmt_effect(v, o, lang) for v in bt["estimate"]],
        })
    pt = s.pretrend
    s.tables["pretrend"] = pd.DataFrame({
        t("col_test", lang): [t(f"test_{x}", lang) for x in pt["test"]],
        t("col_statistic", lang): [f"{fmt_num(v, lang, 1)} ({int(d)})" for v, d in zip(pt["statistic"], pt["df"])],
        t("col_p", lang): [fmt_num(v, lang, 3) for v in pt["p_value"]],
    })
    if s.honest is not None:
        ht = s.honest["table"]
        s.tables["honest"] = pd.DataFrame({
            t("col_m", lang): [fmt_num(m, lang, 1) for m in ht["M"]],
            t("col_bounds", lang): [fmt_effect_ci(a, b, o, lang) for a, b in zip(ht["lb"], ht["ub"])],
            t("col_robust_ci", lang): [fmt_effect_ci(a, b, o, lang) for a, b in zip(ht["ci_low"], ht["ci_high"])],
        })

    # appendix: the panel's build report and the estimation sample
    counts = s.panel.counts
    keep = ["employees", "enrolled", "never_enrolled", "units", "periods", "rows", "units_left", "units_complete",
            "rows_dropped_leaving_month", "excluded_no_pre_period"]
    c = counts.set_index("key")["value"]
    rep = head.sample.set_index("key")["value"]
    used = ["units_unbalanced", "units_used", "units_treated_used"]
    s.tables["data"] = pd.DataFrame({
        t("col_item", lang): [t(f"count_{k}", lang) for k in [*keep, *used]],
        t("col_count", lang): [fmt_int(v, lang) for v in [*c.loc[keep], *rep.loc[used]]],
    })
    import diff_diff

    s.tables["methods"] = pd.DataFrame({t("col_method", lang): [
        t("method_cs", lang, version=getattr(diff_diff, "__version__", "?")), t("method_profiles", lang),
        t("method_diagnostics", lang)]})
    src = programme.sources if programme.sources is not None else pd.DataFrame(columns=["file", "rows", "sha256"])
    s.tables["sources"] = pd.DataFrame({
        t("col_file", lang): src["file"], t("col_rows", lang): [fmt_int(v, lang) for v in src["rows"]],
        t("col_sha", lang): src["sha256"].str[:16],
    })
    s.tables["parameters"] = pd.DataFrame([
        ("outcome", o), ("control", s.control), ("min_group_size", str(k)), ("lang", lang),
        ("advocacy-eval", __version__)], columns=[t("col_parameter", lang), t("col_value", lang)])
