"""Report figures: seaborn/matplotlib, one theme, uncertainty on every estimate.

Functions draw what they are given (tidy frames of estimates with ``ci_low``
and ``ci_high``) and compute nothing else. Each returns a
:class:`matplotlib.figure.Figure`; titles, axis labels and units come from
:mod:`advocacy_eval.reports.i18n`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .i18n import fmt_date, t

PALETTE = sns.color_palette("colorblind")
"""Colour-blind-safe palette used by every figure."""
COLOURS = {"employee": PALETTE[0], "company": PALETTE[7], "claim": PALETTE[3], "target": PALETTE[3]}


def set_theme() -> None:
    """Apply the report theme (white grid, readable fonts at A4 and slide size)."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook",
                  rc={"figure.dpi": 100, "savefig.dpi": 100, "axes.titleweight": "bold",
                      "figure.figsize": (8, 4), "axes.spines.top": False, "axes.spines.right": False})


def _pct_axis(ax, axis: str = "y", lang: str = "en") -> None:
    sep = "," if lang == "fr" else "."

    def fmt(v, _):
        text = f"{100 * v:.1f}".replace(".", sep)
        return text.rstrip("0").rstrip(sep) if sep in text else text

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(fmt))


def participation_figure(monthly: pd.DataFrame, wave: str, lang: str = "en") -> Figure:
    """Monthly participation rate with its 95% band.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Columns month, estimate, ci_low, ci_high.
    wave : str
        Wave label for the title.
    lang : str
        Report language.
    """
    set_theme()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    x = pd.to_datetime(monthly["month"])
    ax.fill_between(x, monthly["ci_low"].astype(float), monthly["ci_high"].astype(float),
                    color=COLOURS["employee"], alpha=0.2, linewidth=0)
    ax.plot(x, monthly["estimate"].astype(float), marker="o", color=COLOURS["employee"])
    ax.set_ylim(0, 1)
    _pct_axis(ax, "y", lang)
    ax.set_xticks(list(x))
    ax.set_xticklabels([fmt_date(m, lang, day=False) for m in x], rotation=45, ha="right")
    ax.set_title(t("fig_participation_title", lang, wave=wave))
    ax.set_ylabel(t("fig_participation_y", lang))
    ax.set_xlabel(t("fig_month", lang))
    fig.tight_layout()
    return fig


def reach_figure(rates: pd.DataFrame, ratio: pd.Series | dict, claim: float, lang: str = "en") -> Figure:
    """Reach rates by author type and the amplification ratio against a claim.

    Parameters
    ----------
    rates : pandas.DataFrame
        Columns author_type (company/employee), estimate, ci_low, ci_high.
    ratio : mapping
        estimate, ci_low, ci_high of the amplification ratio.
    claim : float
        Claimed multiple, drawn as a dashed line.
    lang : str
        Report language.
    """
    set_theme()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), gridspec_kw={"width_ratios": [2, 1]})
    labels = [t(f"author_{a}", lang) for a in rates["author_type"]]
    est = rates["estimate"].astype(float).to_numpy()
    err = np.vstack([est - rates["ci_low"].astype(float), rates["ci_high"].astype(float) - est])
    left.bar(labels, est, color=[COLOURS[a] for a in rates["author_type"]], yerr=err, capsize=6)
    _pct_axis(left, "y", lang)
    left.set_ylabel(t("fig_reach_y", lang))
    left.set_title(t("fig_reach_title", lang))
    r = {k: float(ratio[k]) for k in ("estimate", "ci_low", "ci_high")}
    right.errorbar([0], [r["estimate"]], yerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                   fmt="o", color=COLOURS["employee"], capsize=8, markersize=8)
    right.axhline(claim, linestyle="--", color=COLOURS["claim"], label=f"{t('fig_claim', lang)} {claim:g}x")
    right.set_xlim(-1, 1)
    right.set_xticks([])
    right.set_ylim(0, max(claim, r["ci_high"]) * 1.25)
    right.set_ylabel(t("fig_ratio_y", lang))
    right.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def content_mix_figure(mix: pd.DataFrame, target: float, lang: str = "en") -> Figure:
    """Corporate share by group with intervals, against the target.

    Parameters
    ----------
    mix : pandas.DataFrame
        Columns label, estimate, ci_low, ci_high.
    target : float
        Target share, drawn as a dashed line.
    lang : str
        Report language.
    """
    set_theme()
    fig, ax = plt.subplots(figsize=(8, 1.8 + 0.5 * len(mix)))
    y = np.arange(len(mix))
    est = mix["estimate"].astype(float).to_numpy()
    err = np.vstack([est - mix["ci_low"].astype(float), mix["ci_high"].astype(float) - est])
    ax.errorbar(est, y, xerr=err, fmt="o", color=COLOURS["employee"], capsize=6)
    ax.axvline(target, linestyle="--", color=COLOURS["target"], label=f"{t('fig_target', lang)}")
    ax.set_yticks(y)
    ax.set_yticklabels(mix["label"])
    ax.set_ylim(-0.7, len(mix) - 0.3)
    ax.set_xlim(0, max(0.5, float(np.nanmax(mix["ci_high"].astype(float))) * 1.2))
    _pct_axis(ax, "x", lang)
    ax.set_xlabel(t("fig_mix_x", lang))
    ax.set_title(t("fig_mix_title", lang))
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig
