"""Figures of the programme report: event study, effect per wave, sensitivity bounds.

Like :mod:`advocacy_eval.reports.figures`, functions draw what they are given (tidy
frames with ``estimate``, ``ci_low`` and ``ci_high``) and compute nothing
else; each returns a :class:`matplotlib.figure.Figure`. Words come from
:func:`advocacy_eval.reports.i18n.t`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .figures import PALETTE, set_theme
from .i18n import t

PRE_COLOUR = PALETTE[7]
POST_COLOUR = PALETTE[0]


def _outcome_label(outcome: str, lang: str) -> str:
    label = t(f"outcome_{outcome}", lang)
    return label.lower() if lang == "en" else label


def _scale(outcome: str) -> float:
    return 100.0 if outcome == "has_profile" else 1.0


def event_study_figure(event_study: pd.DataFrame, outcome: str, lang: str = "en") -> Figure:
    """Effect by month since enrolment with 95% intervals (placebo months before 0 in grey).

    Parameters
    ----------
    event_study : pandas.DataFrame
        Columns event_time, estimate, ci_low, ci_high.
    outcome : str
        Outcome key (for labels; ``has_profile`` is shown in points).
    lang : str
        Report language.
    """
    set_theme()
    k = _scale(outcome)
    fig, ax = plt.subplots(figsize=(9, 4))
    e = event_study["event_time"].to_numpy(dtype=float)
    est = event_study["estimate"].to_numpy(dtype=float) * k
    lo = event_study["ci_low"].to_numpy(dtype=float) * k
    hi = event_study["ci_high"].to_numpy(dtype=float) * k
    for mask, colour, label in ((e < 0, PRE_COLOUR, t("fig_es_pre", lang)), (e >= 0, POST_COLOUR, t("fig_es_post", lang))):
        if mask.any():
            ax.errorbar(e[mask], est[mask], yerr=[est[mask] - lo[mask], hi[mask] - est[mask]], fmt="o",
                        color=colour, ecolor=colour, elinewidth=1.2, capsize=2, markersize=4, label=label)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="black", linewidth=0.8, linestyle=":")
    ax.set_title(t("fig_es_title", lang, outcome=_outcome_label(outcome, lang)))
    ax.set_xlabel(t("fig_es_x", lang))
    ax.set_ylabel(t("fig_es_y", lang) + (" (pts)" if outcome == "has_profile" else ""))
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def wave_effects_figure(by_wave: pd.DataFrame, overall: pd.Series | dict, outcome: str, lang: str = "en") -> Figure:
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
    """
    set_theme()
    k = _scale(outcome)
    n = len(by_wave)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.6 * max(n, 1)))
    y = np.arange(n)[::-1]
    est = by_wave["estimate"].to_numpy(dtype=float) * k
    lo = by_wave["ci_low"].to_numpy(dtype=float) * k
    hi = by_wave["ci_high"].to_numpy(dtype=float) * k
    ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="o", color=POST_COLOUR, capsize=3)
    ax.axvline(float(overall["estimate"]) * k, color=PALETTE[3], linestyle="--", linewidth=1.2,
               label=t("all_waves", lang))
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(list(by_wave["wave_id"]))
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_title(t("fig_waves_title", lang, outcome=_outcome_label(outcome, lang)))
    ax.set_xlabel(t("fig_es_y", lang) + (" (pts)" if outcome == "has_profile" else ""))
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def honest_figure(table: pd.DataFrame, estimate: float, outcome: str, lang: str = "en") -> Figure:
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
    """
    set_theme()
    k = _scale(outcome)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    m = table["M"].to_numpy(dtype=float)
    lo = table["ci_low"].to_numpy(dtype=float) * k
    hi = table["ci_high"].to_numpy(dtype=float) * k
    mid = (lo + hi) / 2
    ax.errorbar(m, mid, yerr=[mid - lo, hi - mid], fmt="none", ecolor=POST_COLOUR, elinewidth=6, alpha=0.6)
    ax.axhline(estimate * k, color=PALETTE[3], linestyle="--", linewidth=1.2, label=t("estimate_label", lang))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(m)
    ax.set_title(t("fig_honest_title", lang))
    ax.set_xlabel(t("fig_honest_x", lang))
    ax.set_ylabel(t("fig_es_y", lang) + (" (pts)" if outcome == "has_profile" else ""))
    ax.legend(loc="upper right", frameon=False)
    fig.tight_layout()
    return fig
