"""The programme report in words: scorecard, effect tables, sentences and caveats.

:func:`render_programme` writes a :class:`~advocacy_eval.analyses.programme.ProgrammeResults`
in one language. It computes no statistic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..analyses.programme import ProgrammeResults
from ..claims import PROGRAMME
from .i18n import (
    anticipation_text,
    check_lang,
    fmt_date,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_p,
    fmt_pct,
    t,
)
from .scorecard import claim_label, programme_scorecard_table, scorecard_summary, sensitivity_label

_OUTCOME_LOWER = {
    "posts": {"en": "the number of posts per month", "fr": "le nombre de publications par mois"},
    "members_reached": {
        "en": "the members reached per month",
        "fr": "le nombre de membres atteints par mois",
    },
    "impressions": {"en": "impressions per month", "fr": "le nombre d'impressions par mois"},
    "engagements": {"en": "engagements per month", "fr": "le nombre d'interactions par mois"},
    "followers": {"en": "followers", "fr": "le nombre d'abonnés"},
    "has_profile": {
        "en": "the share with a LinkedIn profile",
        "fr": "la part ayant un profil LinkedIn",
    },
}


def fmt_effect(x: float, outcome: str, lang: str = "en") -> str:
    """Format an effect in the outcome's unit (points for has_profile, 2 decimals for small counts)."""
    if x is None or not np.isfinite(x):
        return "–"
    if outcome == "has_profile":
        return f"{fmt_num(100 * x, lang, 1)} pts"
    digits = 2 if abs(x) < 10 else (1 if abs(x) < 100 else 0)
    return fmt_num(x, lang, digits)


def fmt_effect_ci(low: float, high: float, outcome: str, lang: str = "en") -> str:
    """Format a 95% interval in the outcome's unit (``low to high``)."""
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    sep = " à " if lang == "fr" else " to "
    return f"{fmt_effect(low, outcome, lang)}{sep}{fmt_effect(high, outcome, lang)}"


def fmt_breakdown(m: float, lang: str) -> str:
    """A breakdown value, rounded DOWN to 0.01 so that a sentence never claims more robustness than the table."""
    return fmt_num(math.floor(m * 100 + 1e-9) / 100, lang, 2)


@dataclass
class ProgrammeReport:
    """Everything the programme report shows, in one language.

    Attributes
    ----------
    results : ProgrammeResults
    lang : str
    title, subtitle : str
    tables : dict of pandas.DataFrame
        Formatted tables by section.
    summary : list of str
        Plain-language summary of the scorecard.
    sentences, caveats, appendix_sentences : list of str
        Findings on the onboarding effect, caveats, and the technical appendix's sentences.
    """

    results: ProgrammeResults = field(repr=False)
    lang: str
    title: str = ""
    subtitle: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    summary: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    appendix_sentences: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """Headline outcome."""
        return self.results.outcome


def _effect_sentence(o: str, row: pd.Series, lang: str) -> str:
    lower = _OUTCOME_LOWER[o][lang]
    est, lo, hi = row["estimate"], row["ci_low"], row["ci_high"]
    key = (
        "sent_effect_positive"
        if lo > 0
        else ("sent_effect_negative" if hi < 0 else "sent_effect_none")
    )
    shown = abs(est) if key != "sent_effect_none" else est
    lo_s, hi_s = (lo, hi) if key != "sent_effect_negative" else (-hi, -lo)
    return t(
        key,
        lang,
        outcome_lower=lower,
        effect=fmt_effect(shown, o, lang),
        low=fmt_effect(lo_s if key != "sent_effect_none" else lo, o, lang),
        high=fmt_effect(hi_s if key != "sent_effect_none" else hi, o, lang),
    )


def render_programme(res: ProgrammeResults, lang: str = "en") -> ProgrammeReport:
    """Write the programme's results in one language.

    Parameters
    ----------
    res : ProgrammeResults
        From :func:`advocacy_eval.analyses.programme.programme_results`.
    lang : str
        ``"en"`` or ``"fr"``.
    """
    lang = check_lang(lang)
    o, k = res.outcome, res.min_group_size
    rep = ProgrammeReport(results=res, lang=lang)
    panel, head = res.panel, res.headline
    rep.title = t("prog_title", lang)
    rep.subtitle = t(
        "prog_subtitle",
        lang,
        waves=fmt_int(len(res.wave_ids), lang),
        volunteers=fmt_int(res.n_volunteers, lang),
        controls=fmt_int(res.n_controls, lang),
        start=fmt_date(panel.months[0], lang, day=False),
        end=fmt_date(panel.months[-1], lang, day=False),
    )

    # 1. scorecard and its plain-language summary
    rep.tables["scorecard"] = programme_scorecard_table(
        res.scorecard, lang, k, anticipation=_sensitivity_months(res)
    )
    rep.summary = scorecard_summary(res.scorecard, lang)

    # 2. onboarding effect: findings
    out = res.outcomes.set_index("outcome")
    sentences = [_effect_sentence(o, out.loc[o], lang) + " " + t("label_overall_effect", lang)]
    base = out.loc[o, "baseline"]
    if o != "has_profile" and np.isfinite(base) and base > 0:
        sentences.append(
            t(
                "sent_relative",
                lang,
                baseline=fmt_effect(base, o, lang),
                relative=fmt_pct(out.loc[o, "estimate"] / base, lang, 0),
            )
        )
    if o != "members_reached" and "members_reached" in out.index:
        sentences.append(_effect_sentence("members_reached", out.loc["members_reached"], lang))
    es = head.event_study.set_index("event_time")
    if 0 in es.index and 6 in es.index:
        sentences.append(
            t(
                "sent_dynamics",
                lang,
                first=fmt_effect(es.loc[0, "estimate"], o, lang),
                later=fmt_effect(es.loc[6, "estimate"], o, lang),
            )
        )
    total = res.profiles[-1].counts
    if total.attributable is not None and total.attributable.finite and total.n_without >= k:
        a = total.attributable
        sentences.append(
            t(
                "sent_profiles",
                lang,
                count=fmt_int(a.estimate, lang),
                low=fmt_int(a.ci_low, lang),
                high=fmt_int(a.ci_high, lang),
                naive=fmt_int(total.n_created, lang),
            )
        )
    p = float(out.loc[o, "pretrend_p"])
    sentences.append(
        t(
            "sent_pretrend_ok" if not out.loc[o, "pretrend_failed"] else "sent_pretrend_bad",
            lang,
            outcome=t(f"outcome_{o}", lang).lower() if lang == "en" else t(f"outcome_{o}", lang),
            p=fmt_p(p, lang, 2),
        )
    )
    sentences.extend(anticipation_sentences(res, lang))
    rep.sentences = sentences

    # technical appendix sentences: TWFE, Bacon, honest bounds (each estimand labelled)
    appendix = []
    if res.twfe is not None and res.bacon is not None:
        tw = res.twfe.iloc[0]
        appendix.append(
            t(
                "sent_twfe",
                lang,
                twfe=fmt_effect(tw["estimate"], o, lang),
                low=fmt_effect(tw["ci_low"], o, lang),
                high=fmt_effect(tw["ci_high"], o, lang),
                cs=fmt_effect(head.att, o, lang),
                forbidden=fmt_pct(res.bacon.forbidden_weight, lang, 0),
            )
        )
    if res.honest is not None:
        appendix.append(
            t(
                "label_honest_target",
                lang,
                estimate=fmt_effect(res.honest.estimate, o, lang),
                overall=fmt_effect(head.att, o, lang),
                last=str(res.honest.window_post),
            )
        )
        bd = res.honest.breakdown_m
        if bd is None:
            appendix.append(t("sent_honest_robust", lang))
        elif bd <= 0:
            appendix.append(t("sent_honest_fragile", lang))
        else:
            appendix.append(t("sent_honest", lang, m=fmt_breakdown(bd, lang)))
    rep.appendix_sentences = appendix

    # caveats
    rep_sample = head.sample.set_index("key")["value"]
    left = int(rep_sample.get("units_unbalanced", 0))
    caveats = [
        t("caveat_selection", lang),
        t("caveat_population", lang),
        t("caveat_spillover", lang),
    ]
    if left:
        caveats.append(
            t(
                "caveat_attrition",
                lang,
                left=fmt_int(left, lang),
                volunteers=fmt_int(int(rep_sample.get("units_unbalanced_treated", 0)), lang),
            )
        )
    if res.effect("members_reached") is not None:
        caveats.append(t("caveat_reach", lang))
    if panel.source == "posts":
        caveats.append(t("caveat_posts_only", lang))
    caveats.append(t("caveat_proof", lang))
    if res.excluded_waves:
        caveats.insert(0, t("waves_left_out", lang, n=fmt_int(len(res.excluded_waves), lang), k=k))
    rep.caveats = caveats
    _tables(rep)
    return rep


def _sensitivity_months(res: ProgrammeResults) -> int:
    """Months of anticipation the sensitivity estimate declares (one more than the report's)."""
    return (
        res.sensitivity.anticipation
        if res.sensitivity is not None
        else res.headline.anticipation + 1
    )


def _p_equals(p: float, lang: str) -> str:
    """``p = 0.004``, or ``p < 0.001`` (never ``p = < 0.001``)."""
    text = fmt_p(p, lang)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def anticipation_sentences(res: ProgrammeResults, lang: str) -> list[str]:
    """The finding when volunteers may have reacted before enrolling (none when the effect is not at risk).

    Why the effect is at risk (the effect in the month before enrolment,
    the joint pre-enrolment test), the estimate declaring one month of
    anticipation, and the verdict of the claim on the effect, which uses the
    more conservative of the two.
    """
    check = res.anticipation
    if check is None or not check.at_risk:
        return []
    o = res.outcome
    why = []
    if check.pre_month_significant:
        why.append(
            t(
                "anticipation_why_month",
                lang,
                effect=fmt_effect(check.estimate, o, lang),
                p=_p_equals(check.p_value, lang),
            )
        )
    if check.pretrend_failed:
        why.append(t("anticipation_why_pretrend", lang, p=_p_equals(check.pretrend_p, lang)))
    reason = t("anticipation_why_and", lang).join(why)
    months = anticipation_text(_sensitivity_months(res), lang)
    if res.sensitivity is None:
        return [t("sent_anticipation_no_sensitivity", lang, why=reason, anticipation=months)]
    ov = res.sensitivity.overall.iloc[0]
    lines = [
        t(
            "sent_anticipation",
            lang,
            why=reason,
            anticipation=months,
            effect=fmt_effect(ov["estimate"], o, lang),
            low=fmt_effect(ov["ci_low"], o, lang),
            high=fmt_effect(ov["ci_high"], o, lang),
        )
    ]
    for r in res.scorecard.for_population(PROGRAMME):
        if r.measurement.flag and r.measurement.sensitivity is not None and r.measurement.measured:
            lines.append(
                t(
                    "sent_anticipation_verdict",
                    lang,
                    claim=claim_label(r.claim, lang),
                    verdict=t(f"verdict_{r.verdict}", lang),
                )
            )
    return lines


def _tables(rep: ProgrammeReport) -> None:
    res, lang = rep.results, rep.lang
    k, o = res.min_group_size, res.outcome
    out = res.outcomes
    rows: list[tuple[Any, ...]] = []  # one table after the other
    for r in out.itertuples(index=False):
        failed = " ⚠ " + t("pretrend_failed_short", lang) if r.pretrend_failed else ""
        pretrend = fmt_p(r.pretrend_p, lang, 2) + failed
        at_risk = r.outcome == o and res.at_risk
        rows.append(
            (
                t(f"outcome_{r.outcome}", lang),
                fmt_effect(r.estimate, r.outcome, lang),
                fmt_effect_ci(r.ci_low, r.ci_high, r.outcome, lang),
                f"{pretrend} {t('flag_anticipation_risk', lang)}" if at_risk else pretrend,
                fmt_int(r.n, lang),
            )
        )
        if (
            at_risk and res.sensitivity is not None
        ):  # the estimate declaring one month of anticipation, next to it
            sens = res.sensitivity
            sv = sens.overall.iloc[0]
            spt = sens.pretrend.set_index("test")
            sp = (
                float(spt.loc["event_study", "p_value"])
                if "event_study" in spt.index
                else float("nan")
            )
            rows.append(
                (
                    sensitivity_label(sens.anticipation, lang),
                    fmt_effect(sv["estimate"], o, lang),
                    fmt_effect_ci(sv["ci_low"], sv["ci_high"], o, lang),
                    fmt_p(sp, lang, 2)
                    + (" ⚠ " + t("pretrend_failed_short", lang) if sp < 0.05 else ""),
                    fmt_int(sv["n"], lang),
                )
            )
    rep.tables["outcomes"] = pd.DataFrame(
        rows,
        columns=[
            t("col_outcome", lang),
            t("col_effect", lang),
            t("col_ci", lang),
            t("col_pretrend", lang),
            t("col_volunteers_used", lang),
        ],
    )
    bw = res.by_wave
    rep.tables["by_wave"] = pd.DataFrame(
        {
            t("col_wave", lang): list(bw["wave_id"]) if len(bw) else [],
            t("col_enrolment_month", lang): list(bw["cohorts"]) if len(bw) else [],
            t("col_effect", lang): [fmt_effect(v, o, lang) for v in bw["estimate"]]
            if len(bw)
            else [],
            t("col_ci", lang): [
                fmt_effect_ci(a, b, o, lang)
                for a, b in zip(bw["ci_low"], bw["ci_high"], strict=True)
            ]
            if len(bw)
            else [],
            t("col_volunteers_used", lang): [fmt_int(v, lang) for v in bw["n"]] if len(bw) else [],
        }
    )

    # profiles: one reference date (start of the enrolment month) in every column; the cells hidden are
    # those of the release plan, hidden in every report of the run (privacy.release)
    rows = []
    for r in res.profiles:
        c, a = r.counts, r.counts.attributable
        why = t(r.hidden, lang, k=k) if r.hidden else ""
        shown = a is not None and a.finite
        rows.append(
            (
                t("total", lang) if r.wave_id == "total" else r.wave_id,
                why or fmt_int(c.n_without, lang),
                why or fmt_int(c.n_created, lang),
                why or (fmt_int(a.estimate, lang) if shown and a is not None else "–"),
                why
                or (
                    fmt_interval(a.ci_low, a.ci_high, fmt_int, lang)
                    if shown and a is not None
                    else "–"
                ),
            )
        )
    rep.tables["profiles"] = pd.DataFrame(
        rows,
        columns=[
            t("col_wave", lang),
            t("col_without_profile", lang),
            t("col_created_after", lang),
            t("col_profiles", lang),
            t("col_ci", lang),
        ],
    )

    # waves compared (no total row; hidden cells are the release plan's)
    prof_hidden = {r.wave_id: r.hidden for r in res.profiles}
    prof_attr = {r.wave_id: r.counts.attributable for r in res.profiles}
    rows = []
    for r in res.wave_comparison.itertuples(index=False):
        why = t(r.hidden, lang, k=k) if r.hidden else ""
        a = prof_attr.get(r.wave_id)
        why_prof = t(prof_hidden[r.wave_id], lang, k=k) if prof_hidden.get(r.wave_id) else ""
        rows.append(
            (
                r.wave_id,
                why or fmt_int(r.posts_n, lang),
                why or fmt_effect(r.posts_estimate, "posts", lang),
                why or fmt_effect_ci(r.posts_ci_low, r.posts_ci_high, "posts", lang),
                why or fmt_effect(r.reach_estimate, "members_reached", lang),
                why or fmt_effect_ci(r.reach_ci_low, r.reach_ci_high, "members_reached", lang),
                why_prof or (fmt_int(a.estimate, lang) if a is not None and a.finite else "–"),
            )
        )
    rep.tables["wave_comparison"] = pd.DataFrame(
        rows,
        columns=[
            t("col_wave", lang),
            t("col_volunteers_used", lang),
            t("col_effect_posts", lang),
            t("col_ci", lang),
            t("col_effect_reach", lang),
            t("col_ci", lang) + " ",
            t("col_profiles", lang),
        ],
    )

    # technical appendix: estimators compared (each aggregation labelled), Bacon, pre-trend tests, honest bounds
    head = res.headline
    ov = head.overall.iloc[0]
    rows = [
        (
            t("estimator_cs", lang),
            fmt_effect(ov["estimate"], o, lang),
            fmt_effect_ci(ov["ci_low"], ov["ci_high"], o, lang),
        )
    ]
    if res.sensitivity is not None:
        sv = res.sensitivity.overall.iloc[0]
        rows.append(
            (
                t(
                    "estimator_cs_anticipation",
                    lang,
                    anticipation=anticipation_text(res.sensitivity.anticipation, lang),
                ),
                fmt_effect(sv["estimate"], o, lang),
                fmt_effect_ci(sv["ci_low"], sv["ci_high"], o, lang),
            )
        )
    if res.honest is not None:
        hb = res.honest
        rows.append(
            (
                t("estimator_es_average", lang, last=str(hb.window_post)),
                fmt_effect(hb.estimate, o, lang),
                fmt_effect_ci(
                    hb.estimate - 1.959964 * hb.se, hb.estimate + 1.959964 * hb.se, o, lang
                ),
            )
        )
    if res.twfe is not None:
        tw = res.twfe.iloc[0]
        rows.append(
            (
                t("estimator_twfe", lang),
                fmt_effect(tw["estimate"], o, lang),
                fmt_effect_ci(tw["ci_low"], tw["ci_high"], o, lang),
            )
        )
    rep.tables["estimators"] = pd.DataFrame(
        rows, columns=[t("col_estimator", lang), t("col_effect", lang), t("col_ci", lang)]
    )
    if res.bacon is not None:
        bt = res.bacon.by_type
        rep.tables["bacon"] = pd.DataFrame(
            {
                t("col_comparison", lang): [t(f"comparison_{x}", lang) for x in bt["type"]],
                t("col_weight", lang): [fmt_pct(w, lang, 1) for w in bt["weight"]],
                t("col_estimate_2x2", lang): [fmt_effect(v, o, lang) for v in bt["estimate"]],
            }
        )
    pt = head.pretrend
    rep.tables["pretrend"] = pd.DataFrame(
        {
            t("col_test", lang): [t(f"test_{x}", lang) for x in pt["test"]],
            t("col_statistic", lang): [
                f"{fmt_num(v, lang, 1)} ({int(d)})"
                for v, d in zip(pt["statistic"], pt["df"], strict=True)
            ],
            t("col_p", lang): [fmt_p(v, lang) for v in pt["p_value"]],
        }
    )
    if res.honest is not None:
        ht = res.honest.table
        rep.tables["honest"] = pd.DataFrame(
            {
                t("col_m", lang): [fmt_num(m, lang, 1) for m in ht["M"]],
                t("col_bounds", lang): [
                    fmt_effect_ci(a, b, o, lang) for a, b in zip(ht["lb"], ht["ub"], strict=True)
                ],
                t("col_robust_ci", lang): [
                    fmt_effect_ci(a, b, o, lang)
                    for a, b in zip(ht["ci_low"], ht["ci_high"], strict=True)
                ],
            }
        )

    # appendix: the panel's build report and the estimation sample (control counts named once, consistently)
    c = res.panel.counts.set_index("key")["value"]
    rep_sample = head.sample.set_index("key")["value"]
    keep = [
        "employees",
        "enrolled",
        "never_enrolled",
        "units",
        "units_control",
        "periods",
        "rows",
        "units_left",
        "units_complete",
        "rows_dropped_leaving_month",
        "excluded_no_pre_period",
    ]
    keep = [x for x in keep if x in c.index]
    used = ["units_unbalanced", "units_used", "units_treated_used"]
    rep.tables["data"] = pd.DataFrame(
        {
            t("col_item", lang): [t(f"count_{x}", lang) for x in [*keep, *used]],
            t("col_count", lang): [fmt_int(v, lang) for v in [*c.loc[keep], *rep_sample.loc[used]]],
        }
    )
    import diff_diff

    rep.tables["methods"] = pd.DataFrame(
        {
            t("col_method", lang): [
                t("method_cs", lang, version=getattr(diff_diff, "__version__", "?")),
                t("method_profiles", lang),
                t("method_diagnostics", lang),
            ]
        }
    )
    rep.tables["definitions"] = pd.DataFrame(
        [
            (t(f"metric_{m}", lang), t(f"def_metric_{m}", lang))
            for m in dict.fromkeys(c.metric for c in res.claims)
        ],
        columns=[t("col_term", lang), t("col_definition", lang)],
    )
    src = res.sources
    rep.tables["sources"] = pd.DataFrame(
        {
            t("col_file", lang): src["file"],
            t("col_sha", lang): src["sha256"].astype(str).str[:16],
        }
    )
    rep.tables["parameters"] = pd.DataFrame(
        [
            ("outcome", o),
            ("control", res.control),
            *((f"claim {i + 1}", cl.key) for i, cl in enumerate(res.claims)),
            ("min_group_size", str(k)),
            ("lang", lang),
            ("advocacy-eval", __version__),
        ],
        columns=[t("col_parameter", lang), t("col_value", lang)],
    )


__all__ = [
    "PROGRAMME",
    "ProgrammeReport",
    "anticipation_sentences",
    "fmt_breakdown",
    "fmt_effect",
    "fmt_effect_ci",
    "render_programme",
]
