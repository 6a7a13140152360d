"""A wave report in words: tables, sentences and figure inputs from :class:`~advocacy_eval.analyses.wave.WaveResults`.

:func:`render_wave` never computes a statistic: every number it writes comes
from the results object, formatted in the report language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import __version__
from ..analyses.wave import WaveResults
from ..claims import Measurement
from .display import plain
from .i18n import (
    STRINGS,
    anticipation_text,
    check_lang,
    fmt_date,
    fmt_int,
    fmt_interval,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_ratio,
    t,
)
from .scorecard import (
    claim_label,
    flag_text,
    fmt_interval_of,
    fmt_value,
    measured_on_text,
    sensitivity_label,
    verdict_text,
    wave_scorecard_table,
)
from .vocabulary import wave_label

__all__ = ["WaveReport", "render_wave"]


@dataclass
class WaveReport:
    """Everything a wave report shows, in one language.

    Attributes
    ----------
    results : WaveResults
        The numbers.
    lang : str
        Report language.
    title, subtitle : str
        Heading.
    tables : dict of pandas.DataFrame
        Formatted tables (strings), by section name.
    sentences : list of str
        Plain-language findings.
    profile_sentence : str
        The profiles section.
    """

    results: WaveResults = field(repr=False)
    lang: str
    title: str = ""
    subtitle: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    sentences: list[str] = field(default_factory=list)
    profile_sentence: str = ""

    @property
    def reach_for_plot(self) -> pd.DataFrame:
        """Reach rate by author type with its interval (company first)."""
        frame = self.results.reach[["level", "estimate", "ci_low", "ci_high"]].rename(
            columns={"level": "author_type"}
        )
        return frame.sort_values("author_type").reset_index(drop=True)

    @property
    def ratio_for_plot(self) -> dict[str, float]:
        """Amplification ratio and its interval."""
        m = self.results.measurement("amplification")
        if m is None:
            r = self.results.reach.set_index("level").loc["employee"]
            return {
                "estimate": r["rate_ratio"],
                "ci_low": r["rate_ratio_ci_low"],
                "ci_high": r["rate_ratio_ci_high"],
            }
        return {"estimate": m.estimate, "ci_low": m.ci_low, "ci_high": m.ci_high}

    @property
    def claimed_ratio(self) -> float:
        """The amplification claim's target (4 by default)."""
        return next((c.target for c in self.results.claims if c.metric == "amplification"), 4.0)

    @property
    def target_share(self) -> float:
        """The corporate-share claim's target (20% by default)."""
        return next((c.target for c in self.results.claims if c.metric == "corporate_share"), 0.20)

    @property
    def mix_for_plot(self) -> pd.DataFrame:
        """Corporate share with its interval, by the robust method (the others are in the appendix's table)."""
        mix = self.results.mix
        mix = mix.loc[mix["variant"] == "cluster"] if (mix["variant"] == "cluster").any() else mix
        return mix.assign(label=[t(f"mix_label_{v}", self.lang) for v in mix["variant"]])[
            ["label", "estimate", "ci_low", "ci_high"]
        ]


def _pretrend_flag(p: float, lang: str) -> str:
    return t("pretrend_flag", lang, p=fmt_p(p, lang)) if np.isfinite(p) and p < 0.05 else ""


def _sensitivity_months(results: WaveResults) -> int:
    """Months of anticipation the sensitivity estimate declares (one more than the effect's)."""
    check = results.effect_anticipation
    return check.anticipation + 1 if check is not None else 1


def render_wave(results: WaveResults, lang: str = "en") -> WaveReport:
    """Write a wave's results in one language.

    Parameters
    ----------
    results : WaveResults
        From :func:`advocacy_eval.analyses.wave.wave_results`.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    WaveReport
    """
    lang = check_lang(lang)
    s = results
    k = s.min_group_size
    rep = WaveReport(results=s, lang=lang)
    # titles and sentences are Markdown: data-derived text goes through plain() so it shows as text
    rep.title = t("title", lang, wave_name=plain(wave_label(s.waves, s.wave_id, lang)))
    rep.subtitle = t(
        "subtitle",
        lang,
        wave=plain(s.wave_id),
        start=fmt_date(s.start, lang),
        end=fmt_date(s.end, lang),
        data_end=fmt_date(s.data_end, lang),
    )
    rep.tables["scorecard"] = wave_scorecard_table(
        s.scorecard, lang, k, s.previous, s.previous_wave, anticipation=_sensitivity_months(s)
    )

    r = s.reach.set_index("level")
    posts_authors = t(
        "basis_posts_authors",
        lang,
        posts=fmt_int(r.loc["employee", "n_posts"], lang),
        authors=fmt_int(r.loc["employee", "n_clusters"], lang),
    )

    def est_row(label: str, e, fmt, basis: str, reading: str = "", digits: int = 1) -> tuple:
        return (
            label,
            fmt(e.estimate, lang, digits),
            fmt_interval(e.ci_low, e.ci_high, fmt, lang, digits=digits),
            basis,
            reading,
        )

    def claim_reading(metric: str) -> str:
        res = next((x for x in s.scorecard.results if x.claim.metric == metric), None)
        return (
            ""
            if res is None
            else f"{claim_label(res.claim, lang)} : {t(f'verdict_{res.verdict}', lang)}"
            if lang == "fr"
            else f"{claim_label(res.claim, lang)}: {t(f'verdict_{res.verdict}', lang)}"
        )

    rows = [
        (
            t("kpi_volunteers", lang),
            fmt_int(s.n_volunteers, lang),
            "",
            t("basis_people", lang, n=fmt_int(s.n_volunteers, lang)),
            "",
        ),
        est_row(
            t("kpi_active", lang),
            s.active,
            fmt_pct,
            t("basis_people", lang, n=fmt_int(s.active.n, lang)),
        ),
        (
            t("kpi_monthly_participation", lang),
            fmt_pct(s.monthly_participation.estimate, lang),
            fmt_interval_of(s.monthly_participation, lang),
            t("basis_person_months", lang, n=fmt_int(s.monthly_participation.n, lang)),
            claim_reading("monthly_participation"),
        ),
        est_row(
            t("kpi_employee_reach", lang), s.employee_reach_rate, fmt_pct, posts_authors, digits=2
        ),
        est_row(
            t("kpi_page_reach", lang),
            s.page_reach_rate,
            fmt_pct,
            t("basis_posts", lang, posts=fmt_int(r.loc["company", "n_posts"], lang)),
            digits=2,
        ),
    ]
    amp = s.measurement("amplification")
    if amp is not None and amp.measured:
        rows.append(
            (
                t("kpi_amplification", lang),
                fmt_ratio(amp.estimate, lang),
                fmt_interval(amp.ci_low, amp.ci_high, fmt_ratio, lang),
                posts_authors,
                claim_reading("amplification"),
            )
        )
    share = s.measurement("corporate_share")
    if share is not None and share.measured:
        rows.append(
            (
                t("kpi_corporate_share", lang),
                fmt_pct(share.estimate, lang),
                fmt_interval_of(share, lang),
                posts_authors,
                claim_reading("corporate_share"),
            )
        )
    rows.append(est_row(t("kpi_engagement", lang), s.engagement_rate, fmt_pct, posts_authors))
    effect = s.measurement("effect_posts")
    if effect is not None and effect.measured:
        if (
            effect.flag
        ):  # volunteers may have reacted before enrolling: the flag, and the conservative verdict
            reading = f"{flag_text(effect, lang)} — {claim_reading('effect_posts')}"
        else:
            reading = _pretrend_flag(s.effect_pretrend_p, lang) or claim_reading("effect_posts")
        rows.append(
            (
                t("kpi_wave_effect", lang),
                fmt_value(effect.estimate, "posts_per_month", lang, signed=True),
                fmt_interval_of(effect, lang),
                t("basis_wave_effect", lang, n=fmt_int(effect.n, lang)),
                reading,
            )
        )
        sens = effect.sensitivity
        if (
            sens is not None and sens.measured
        ):  # the estimate declaring one month of anticipation, next to it
            res = next(x for x in s.scorecard.results if x.claim.metric == "effect_posts")
            rows.append(
                (
                    sensitivity_label(_sensitivity_months(s), lang),
                    fmt_value(sens.estimate, "posts_per_month", lang, signed=True),
                    fmt_interval_of(sens, lang),
                    t("basis_wave_effect", lang, n=fmt_int(sens.n, lang)),
                    (
                        f"{claim_label(res.claim, lang)} : "
                        if lang == "fr"
                        else f"{claim_label(res.claim, lang)}: "
                    )
                    + t(f"verdict_{res.sensitivity_verdict}", lang),
                )
            )
    prof = s.profiles
    if s.profiles_hidden:  # hidden in every report of the release (privacy.release)
        label = t(s.profiles_hidden, lang, k=k)
        rows.append((t("kpi_profiles", lang), label, "", label, ""))
    elif prof.n_without:
        rows.append(
            (
                t("kpi_profiles", lang),
                fmt_int(prof.n_created, lang),
                t("descriptive_count", lang),
                t("basis_without_profile", lang, n=fmt_int(prof.n_without, lang)),
                "",
            )
        )
        rows.append(
            (
                t("kpi_profile_rate", lang),
                fmt_pct(prof.creation_rate.estimate, lang),
                fmt_interval(prof.creation_rate.ci_low, prof.creation_rate.ci_high, fmt_pct, lang),
                t("basis_without_profile", lang, n=fmt_int(prof.n_without, lang)),
                "",
            )
        )
        if prof.attributable is not None and prof.attributable.finite:
            a = prof.attributable
            rows.append(
                (
                    t("kpi_profiles_attributable", lang),
                    fmt_int(a.estimate, lang),
                    fmt_interval(a.ci_low, a.ci_high, fmt_int, lang),
                    t("basis_volunteers", lang, n=fmt_int(a.n, lang)),
                    "",
                )
            )
    rep.tables["kpis"] = pd.DataFrame(
        rows,
        columns=[
            t("col_indicator", lang),
            t("col_value", lang),
            t("col_ci", lang),
            t("col_basis", lang),
            t("col_reading", lang),
        ],
    )

    # sentences: every number is the scorecard's or the KPI table's, formatted the same way
    sentences = [
        t(
            "sentence_participation",
            lang,
            active=fmt_int(round(s.active.estimate * s.active.n), lang),
            n=fmt_int(s.n_volunteers, lang),
            share=fmt_pct(s.active.estimate, lang),
            monthly=fmt_pct(s.monthly_participation.estimate, lang),
        )
    ]
    for res in s.scorecard.results:
        sentences.append(_claim_sentence(res.claim, res.measurement, res.verdict, lang, k))
        sens = res.measurement.sensitivity
        if res.measurement.measured and sens is not None and sens.measured:
            sentences.append(
                t(
                    "sentence_claim_sensitivity",
                    lang,
                    flag=flag_text(res.measurement, lang),
                    anticipation=anticipation_text(_sensitivity_months(s), lang),
                    value=fmt_value(sens.estimate, sens.unit, lang, signed=True),
                    interval=fmt_interval_of(sens, lang),
                    verdict=t(f"verdict_{res.sensitivity_verdict}", lang),
                )
            )
    rep.profile_sentence = _profile_sentence(s, lang)
    sentences.append(rep.profile_sentence)
    if s.repost_rule_posts:
        sentences.append(t("caveat_repost_rule", lang, n=fmt_int(s.repost_rule_posts, lang)))
    sentences.append(t("caveat_causal", lang))
    rep.sentences = sentences

    # participation by department (k-suppressed, total shown)
    dept = s.participation_by_department
    why = [t(r, lang, k=k) if r else "" for r in dept["suppressed_reason"]]
    rep.tables["participation_by_department"] = pd.DataFrame(
        {
            t("col_department", lang): dept["department"].astype(str),
            t("col_enrolled", lang): [
                w if w else fmt_int(v, lang) for v, w in zip(dept["n"], why, strict=True)
            ],
            t("col_share_active", lang): [
                w if w else fmt_pct(v, lang) for v, w in zip(dept["share"], why, strict=True)
            ],
            t("col_ci", lang): [
                w if w else fmt_interval(a, b, fmt_pct, lang)
                for a, b, w in zip(dept["ci_low"], dept["ci_high"], why, strict=True)
            ],
        }
    )

    rep.tables["reach"] = pd.DataFrame(
        {
            t("col_group", lang): [t(f"author_{lvl}", lang) for lvl in s.reach["level"]],
            t("col_value", lang): [fmt_pct(v, lang, 2) for v in s.reach["estimate"]],
            t("col_ci", lang): [
                fmt_interval(a, b, fmt_pct, lang, digits=2)
                for a, b in zip(s.reach["ci_low"], s.reach["ci_high"], strict=True)
            ],
            t("col_posts", lang): [fmt_int(v, lang) for v in s.reach["n_posts"]],
            t("col_authors", lang): [fmt_int(v, lang) for v in s.reach["n_clusters"]],
        }
    )
    # the scorecard's ratios side by side (reach and engagement, per audience and per post)
    ratio_rows = [
        (
            claim_label(x.claim, lang),
            fmt_value(x.measurement.estimate, "ratio", lang),
            fmt_interval_of(x.measurement, lang),
            verdict_text(x.verdict, lang),
        )
        for x in s.scorecard.results
        if x.measurement.unit == "ratio" and x.measurement.measured
    ]
    rep.tables["ratios"] = pd.DataFrame(
        ratio_rows,
        columns=[
            t("col_claim", lang),
            t("col_value", lang),
            t("col_ci", lang),
            t("col_verdict", lang),
        ],
    )

    # content mix: the robust interval in the body; the posts-independent test goes to the appendix
    mix = s.mix
    body = mix.loc[mix["variant"] == "cluster"]
    rep.tables["mix"] = pd.DataFrame(
        {
            t("col_method", lang): [t(f"mix_variant_{v}", lang) for v in body["variant"]],
            t("col_value", lang): [fmt_pct(v, lang) for v in body["estimate"]],
            t("col_ci", lang): [
                fmt_interval(a, b, fmt_pct, lang)
                for a, b in zip(body["ci_low"], body["ci_high"], strict=True)
            ],
            t("col_p_target", lang, target=fmt_pct(rep.target_share, lang, 0)): [
                fmt_p(v, lang) for v in body["p_value"]
            ],
        }
    )
    rep.tables["mix_appendix"] = pd.DataFrame(
        {
            t("col_method", lang): [t(f"mix_variant_{v}", lang) for v in mix["variant"]],
            t("col_value", lang): [fmt_pct(v, lang) for v in mix["estimate"]],
            t("col_ci", lang): [
                fmt_interval(a, b, fmt_pct, lang)
                for a, b in zip(mix["ci_low"], mix["ci_high"], strict=True)
            ],
            t("col_p_target", lang, target=fmt_pct(rep.target_share, lang, 0)): [
                fmt_p(v, lang) for v in mix["p_value"]
            ],
        }
    )

    if len(s.wave_comparison):
        wc = s.wave_comparison
        current = wc.iloc[0]
        rep.tables["wave_comparison"] = pd.DataFrame(
            {
                t("col_wave", lang): [*wc["level"], current["compared_to"]],
                t("col_enrolled", lang): [
                    *(fmt_int(v, lang) for v in wc["n_level"]),
                    fmt_int(current["n_compared"], lang),
                ],
                t("col_share_active_window", lang, months=s.months_window): [
                    *(fmt_pct(v, lang) for v in wc["proportion"]),
                    fmt_pct(current["proportion_compared"], lang),
                ],
                t("col_difference", lang, ref=current["compared_to"]): [
                    *(
                        f"{fmt_num(100 * e, lang)} pts [{fmt_num(100 * a, lang)} ; {fmt_num(100 * b, lang)}]"
                        for e, a, b in zip(wc["estimate"], wc["ci_low"], wc["ci_high"], strict=True)
                    ),
                    "–",
                ],
                t("col_p_adjusted", lang, method="Holm"): [
                    *(fmt_p(v, lang) for v in wc["p_adjusted"]),
                    "–",
                ],
            }
        )

    terms = s.engagement_terms or "reactions+comments+reposts+clicks"
    definitions = [
        (t("def_reach", lang), t("def_reach_text", lang)),
        (
            t("def_engagement", lang),
            t(
                "def_engagement_text",
                lang,
                terms=" + ".join(
                    t(f"term_{x}", lang) if f"term_{x}" in STRINGS else x for x in terms.split("+")
                ),
            ),
        ),
        (t("def_participation", lang), t("def_participation_text", lang)),
        (t("def_profiles", lang), t("def_profiles_text", lang)),
    ]
    definitions += [
        (t(f"metric_{c.metric}", lang), t(f"def_metric_{c.metric}", lang))
        for c in dict.fromkeys(s.claims)
        if c.applies_to(s.wave_id)
    ]
    rep.tables["definitions"] = pd.DataFrame(
        list(dict.fromkeys(definitions)), columns=[t("col_term", lang), t("col_definition", lang)]
    )
    rep.tables["methods"] = pd.DataFrame(
        {
            t("col_method", lang): [
                t("method_rates", lang),
                t("method_claim", lang),
                t("method_participation", lang),
                t("method_wilson", lang),
                t("method_mix", lang),
                t("method_waves", lang),
            ]
        }
    )
    src = s.sources
    rep.tables["sources"] = pd.DataFrame(
        {
            t("col_file", lang): src["file"],
            t("col_sha", lang): src["sha256"].astype(str).str[:16],
        }
    )
    rep.tables["parameters"] = pd.DataFrame(
        [
            ("wave", s.wave_id),
            *((f"claim {i + 1}", c.key) for i, c in enumerate(s.claims)),
            ("min_group_size", str(k)),
            ("lang", lang),
            ("advocacy-eval", __version__),
        ],
        columns=[t("col_parameter", lang), t("col_value", lang)],
    )
    return rep


def _claim_sentence(claim, m: Measurement, verdict: str, lang: str, k: int) -> str:
    """One sentence per claim: the claim, what was measured (as in the scorecard) and the verdict."""
    label = plain(" ".join(p for p in (claim_label(claim, lang), measured_on_text(m, lang)) if p))
    if not m.measured:
        return t(
            "sentence_claim_missing",
            lang,
            claim=label,
            reason=t(f"missing_{m.missing_reason or 'not_estimable'}", lang, k=k),
        )
    return t(
        "sentence_claim",
        lang,
        claim=label,
        value=fmt_value(m.estimate, m.unit, lang, signed=True),
        interval=fmt_interval_of(m, lang),
        verdict=t(f"verdict_{verdict}", lang),
    )


def _profile_sentence(s: WaveResults, lang: str) -> str:
    prof = s.profiles
    if s.profiles_hidden:
        return t(
            "sentence_profiles_small"
            if s.profiles_hidden == "suppressed"
            else "sentence_profiles_secondary",
            lang,
            k=s.min_group_size,
        )
    if prof.n_without >= s.min_group_size:
        return t(
            "sentence_profiles",
            lang,
            created=fmt_int(prof.n_created, lang),
            without=fmt_int(prof.n_without, lang),
            rate=fmt_pct(prof.creation_rate.estimate, lang),
            bg_rate=fmt_pct(prof.background_rate, lang),
        )
    if prof.n_without > 0:
        return t("sentence_profiles_small", lang, k=s.min_group_size)
    return t("sentence_profiles_none", lang)
