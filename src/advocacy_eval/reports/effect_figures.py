"""Figures of the programme report: event study, effect per wave, sensitivity bounds.

Like :mod:`advocacy_eval.reports.figures`, functions draw what they are given (tidy
frames with ``estimate``, ``ci_low`` and ``ci_high``) and compute nothing
else; each returns a :class:`~advocacy_eval.reports.figures.ReportFigure`
(figure, title, description, caption). Words come from
:func:`advocacy_eval.reports.i18n.t`; axes use the report's number format.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .figures import FIGURE_WIDTH, PALETTE, ReportFigure, _label, _number_axis, set_theme
from .i18n import fmt_num, t

__all__ = [
    "POST_COLOUR",
    "PRE_COLOUR",
    "event_study_figure",
    "honest_figure",
    "wave_effects_figure",
]

PRE_COLOUR = PALETTE[7]
POST_COLOUR = PALETTE[0]


def _outcome_label(outcome: str, lang: str) -> str:
    """The outcome inside a sentence (``le nombre de publications par mois``)."""
    return t(f"outcome_phrase_{outcome}", lang)


def _scale(outcome: str) -> float:
    return 100.0 if outcome == "has_profile" else 1.0


def _effect_label(outcome: str, lang: str) -> str:
    """The effect axis: ``Effect per volunteer`` (``(points)`` for the share with a profile)."""
    label = t("fig_es_y", lang)
    return _label(label + (f" ({t('fig_points', lang)})" if outcome == "has_profile" else ""), lang)


def _value(x: float, outcome: str, lang: str) -> str:
    """An effect in words: two decimals below 10, one below 100, none above (points for profiles)."""
    x = float(x)
    if outcome == "has_profile":
        return f"{fmt_num(x, lang, 1)} {t('fig_points', lang)}"
    return fmt_num(x, lang, 2 if abs(x) < 10 else 1 if abs(x) < 100 else 0)


def event_study_figure(event_study: pd.DataFrame, outcome: str, lang: str = "en") -> ReportFigure:
    """Effect by month since enrolment with 95% intervals (placebo months before 0 in grey).

    Parameters
    ----------
    event_study : pandas.DataFrame
        Columns event_time, estimate, ci_low, ci_high.
    outcome : str
        Outcome key (for labels; ``has_profile`` is shown in points).
    lang : str
        Report language.

    Returns
    -------
    ReportFigure
    """
    set_theme()
    k = _scale(outcome)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.6))
    e = event_study["event_time"].to_numpy(dtype=float)
    est = event_study["estimate"].to_numpy(dtype=float) * k
    lo = event_study["ci_low"].to_numpy(dtype=float) * k
    hi = event_study["ci_high"].to_numpy(dtype=float) * k
    for mask, colour, label in (
        (e < 0, PRE_COLOUR, t("fig_es_pre", lang)),
        (e >= 0, POST_COLOUR, t("fig_es_post", lang)),
    ):
        if mask.any():
            ax.errorbar(
                e[mask],
                est[mask],
                yerr=[est[mask] - lo[mask], hi[mask] - est[mask]],
                fmt="o",
                color=colour,
                ecolor=colour,
                elinewidth=1.2,
                capsize=2,
                markersize=4,
                label=_label(label, lang),
            )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="black", linewidth=0.8, linestyle=":")
    ax.set_xlabel(_label(t("fig_es_x", lang), lang))
    ax.set_ylabel(_effect_label(outcome, lang))
    _number_axis(ax, "x", lang)
    _number_axis(ax, "y", lang)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    name = _outcome_label(outcome, lang)
    pre, post = e < 0, e >= 0
    unscaled = event_study["estimate"].to_numpy(dtype=float)
    if post.any() and pre.any():
        alt = t(
            "alt_event_study",
            lang,
            outcome=name,
            pre_low=_value(unscaled[pre].min(), outcome, lang),
            pre_high=_value(unscaled[pre].max(), outcome, lang),
            post_low=_value(unscaled[post].min(), outcome, lang),
            post_high=_value(unscaled[post].max(), outcome, lang),
        )
    elif post.any():
        alt = t(
            "alt_event_study_no_pre",
            lang,
            outcome=name,
            post_low=_value(unscaled[post].min(), outcome, lang),
            post_high=_value(unscaled[post].max(), outcome, lang),
        )
    else:
        alt = t("fig_es_title", lang, outcome=name)
    return ReportFigure(fig, t("fig_es_title", lang, outcome=name), alt, t("fig_es_caption", lang))


def wave_effects_figure(
    by_wave: pd.DataFrame, overall: pd.Series | dict, outcome: str, lang: str = "en"
) -> ReportFigure:
    """Effect per wave with 95% intervals, against the all-waves effect (dashed).

    Parameters
    ----------
    by_wave : pandas.DataFrame
        Columns wave_id, estimate, ci_low, ci_high.
    overall : mapping
        estimate (and ci_low, ci_high) of the all-waves effect.
    outcome : str
        Outcome key.
    lang : str
        Report language.

    Returns
    -------
    ReportFigure
    """
    set_theme()
    k = _scale(outcome)
    n = len(by_wave)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 1.3 + 0.6 * max(n, 1)))
    y = np.arange(n)[::-1]
    est = by_wave["estimate"].to_numpy(dtype=float) * k
    lo = by_wave["ci_low"].to_numpy(dtype=float) * k
    hi = by_wave["ci_high"].to_numpy(dtype=float) * k
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=POST_COLOUR, capsize=3)
    ax.axvline(
        float(overall["estimate"]) * k,
        color=PALETTE[3],
        linestyle="--",
        linewidth=1.2,
        label=_label(t("all_waves", lang), lang),
    )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([str(w) for w in by_wave["wave_id"]])
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(_effect_label(outcome, lang))
    _number_axis(ax, "x", lang)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    name = _outcome_label(outcome, lang)
    waves = "; ".join(
        t(
            "alt_wave_item",
            lang,
            wave=str(w),
            estimate=_value(a, outcome, lang),
            low=_value(b, outcome, lang),
            high=_value(c, outcome, lang),
        )
        for w, a, b, c in zip(
            by_wave["wave_id"],
            by_wave["estimate"],
            by_wave["ci_low"],
            by_wave["ci_high"],
            strict=True,
        )
    )
    alt = t(
        "alt_waves",
        lang,
        outcome=name,
        waves=waves,
        overall=_value(overall["estimate"], outcome, lang),
    )
    return ReportFigure(
        fig, t("fig_waves_title", lang, outcome=name), alt, t("fig_waves_caption", lang)
    )


def honest_figure(
    table: pd.DataFrame, estimate: float, outcome: str, lang: str = "en"
) -> ReportFigure:
    """Robust 95% intervals of the average post-enrolment effect as allowed violations grow.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns M, ci_low, ci_high (from :func:`advocacy_eval.effects.honest_bounds`).
    estimate : float
        The average post-enrolment effect under parallel trends.
    outcome : str
        Outcome key.
    lang : str
        Report language.

    Returns
    -------
    ReportFigure
    """
    set_theme()
    k = _scale(outcome)
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.4))
    m = table["M"].to_numpy(dtype=float)
    lo = table["ci_low"].to_numpy(dtype=float) * k
    hi = table["ci_high"].to_numpy(dtype=float) * k
    mid = (lo + hi) / 2
    ax.errorbar(
        m, mid, yerr=[mid - lo, hi - mid], fmt="none", ecolor=POST_COLOUR, elinewidth=6, alpha=0.6
    )
    ax.axhline(
        estimate * k,
        color=PALETTE[3],
        linestyle="--",
        linewidth=1.2,
        label=_label(t("estimate_label", lang), lang),
    )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(m)
    ax.set_xlabel(_label(t("fig_honest_x", lang), lang))
    ax.set_ylabel(_effect_label(outcome, lang))
    _number_axis(ax, "x", lang)
    _number_axis(ax, "y", lang)
    ax.legend(loc="upper right", frameon=False)
    fig.tight_layout()
    lo_raw, hi_raw = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    alt = t(
        "alt_honest",
        lang,
        first=t(
            "interval_to",
            lang,
            low=_value(lo_raw[0], outcome, lang),
            high=_value(hi_raw[0], outcome, lang),
        ),
        last=t(
            "interval_to",
            lang,
            low=_value(lo_raw[-1], outcome, lang),
            high=_value(hi_raw[-1], outcome, lang),
        ),
        m=fmt_num(m[-1], lang, 1),
    )
    return ReportFigure(fig, t("fig_honest_title", lang), alt, t("fig_honest_caption", lang))
