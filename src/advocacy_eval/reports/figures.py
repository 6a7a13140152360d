"""Report figures: seaborn/matplotlib, one theme, uncertainty on every estimate.

Functions draw what they are given (tidy frames of estimates with ``ci_low``
and ``ci_high``) and compute nothing else. Each returns a
:class:`ReportFigure`: the matplotlib figure, its title (shown above it as
text, not drawn into the image), a description of what it shows for readers
who do not see it (``alt``), and how to read it (``caption``). Words come
from :mod:`advocacy_eval.reports.i18n`, numbers on the axes are written in
the report's language (decimal comma in French, true minus signs) and every
label goes through :func:`advocacy_eval.reports.typography.typeset`.
:func:`advocacy_eval.reports.display.figure` embeds the figure as vector SVG.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from .i18n import fmt_date, fmt_num, fmt_pct, fmt_ratio, t
from .typography import typeset

__all__ = [
    "COLOURS",
    "FIGURE_WIDTH",
    "PALETTE",
    "NumberFormatter",
    "ReportFigure",
    "content_mix_figure",
    "participation_figure",
    "reach_figure",
    "set_theme",
]

PALETTE = sns.color_palette("colorblind")
"""Colour-blind-safe palette used by every figure."""
COLOURS = {"employee": PALETTE[0], "company": PALETTE[7], "claim": PALETTE[3], "target": PALETTE[3]}

FIGURE_WIDTH = 7.0
"""Width of every figure, in inches: text stays readable when the figure is scaled to a phone's width."""


@dataclass
class ReportFigure:
    """A figure of a report with its words.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The drawing (no title inside: the title is text above it).
    title : str
        Title shown above the figure.
    alt : str
        What the figure shows, in one or two sentences with its key numbers
        (the image's alternative text).
    caption : str
        How to read it, shown below the figure.
    """

    figure: Figure
    title: str
    alt: str
    caption: str = ""

    @property
    def axes(self) -> list:
        """The figure's axes."""
        return self.figure.axes


def set_theme() -> None:
    """Apply the report theme: white grid, large fonts, deterministic vector output."""
    sns.set_theme(
        style="whitegrid",
        palette=PALETTE,
        context="notebook",
        font_scale=1.05,
        rc={
            "figure.dpi": 100,
            "savefig.dpi": 200,
            "axes.titleweight": "bold",
            "figure.figsize": (FIGURE_WIDTH, 3.4),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.unicode_minus": True,
            "font.family": "DejaVu Sans",
            "svg.fonttype": "path",
            "svg.hashsalt": "advocacy-eval",
        },
    )


class NumberFormatter(Formatter):
    """Tick labels in the report's number format: ``1,5`` in French, ``1.5`` in English, ``−2`` with a true minus.

    The number of decimals is the smallest that tells the ticks apart
    exactly (at most 3).

    Parameters
    ----------
    lang : str
        Report language.
    scale : float
        Multiplier applied before formatting (100 for a share shown in %).
    """

    def __init__(self, lang: str, scale: float = 1.0) -> None:
        self.lang = lang
        self.scale = scale
        self._ticks: list[float] = []

    def set_locs(self, locs) -> None:
        """Remember the tick values (they decide the number of decimals)."""
        self._ticks = [float(v) for v in locs]

    def _digits(self) -> int:
        values = [v * self.scale for v in self._ticks if math.isfinite(v)]
        for digits in range(4):
            if all(abs(round(v, digits) - v) < 1e-9 * max(1.0, abs(v)) for v in values):
                return digits
        return 3

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_num(x * self.scale, self.lang, self._digits())


def _number_axis(ax, axis: str, lang: str, scale: float = 1.0) -> None:
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(NumberFormatter(lang, scale))


def _pct_axis(ax, axis: str = "y", lang: str = "en") -> None:
    """A share axis written in percent (without the sign: the label says ``(%)``)."""
    _number_axis(ax, axis, lang, scale=100.0)


def _label(text: str, lang: str, width: int | None = None) -> str:
    """A label typeset in the report's language, wrapped at ``width`` characters when given."""
    text = typeset(text, lang)
    return textwrap.fill(text, width, break_on_hyphens=False) if width else text


def participation_figure(monthly: pd.DataFrame, wave: str, lang: str = "en") -> ReportFigure:
    """Monthly participation rate with its 95% band.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Columns month, estimate, ci_low, ci_high (months with too few people blanked).
    wave : str
        Wave label for the title.
    lang : str
        Report language.

    Returns
    -------
    ReportFigure
    """
    set_theme()
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3.4))
    x = pd.to_datetime(monthly["month"])
    est = monthly["estimate"].astype(float)
    ax.fill_between(
        x,
        monthly["ci_low"].astype(float),
        monthly["ci_high"].astype(float),
        color=COLOURS["employee"],
        alpha=0.2,
        linewidth=0,
    )
    ax.plot(x, est, marker="o", color=COLOURS["employee"])
    ax.set_ylim(0, 1)
    _pct_axis(ax, "y", lang)
    step = max(1, math.ceil(len(x) / 8))  # at most 8 month labels: readable on a phone
    ax.set_xticks(list(x)[::step])
    ax.set_xticklabels(
        [_label(fmt_date(m, lang, day=False), lang) for m in list(x)[::step]],
        rotation=45,
        ha="right",
    )
    ax.set_ylabel(_label(t("fig_participation_y", lang), lang))
    ax.set_xlabel(_label(t("fig_month", lang), lang))
    fig.tight_layout()
    shown = monthly.loc[est.notna()]
    if len(shown):
        values = shown["estimate"].astype(float)
        alt = t(
            "alt_participation",
            lang,
            wave=wave,
            first=fmt_date(shown["month"].iloc[0], lang, day=False),
            last=fmt_date(shown["month"].iloc[-1], lang, day=False),
            low=fmt_pct(values.min(), lang, 0),
            high=fmt_pct(values.max(), lang, 0),
            last_value=fmt_pct(values.iloc[-1], lang, 0),
            average=fmt_pct(values.mean(), lang, 0),
        )
    else:
        alt = t("fig_participation_title", lang, wave=wave)
    return ReportFigure(
        fig,
        t("fig_participation_title", lang, wave=wave),
        alt,
        t("fig_participation_caption", lang),
    )


def reach_figure(
    rates: pd.DataFrame, ratio: pd.Series | dict, claim: float, lang: str = "en"
) -> ReportFigure:
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

    Returns
    -------
    ReportFigure
    """
    set_theme()
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(FIGURE_WIDTH, 3.4), gridspec_kw={"width_ratios": [2, 1]}
    )
    labels = [_label(t(f"author_{a}", lang), lang, 16) for a in rates["author_type"]]
    est = rates["estimate"].astype(float).to_numpy()
    err = np.vstack([est - rates["ci_low"].astype(float), rates["ci_high"].astype(float) - est])
    left.bar(labels, est, color=[COLOURS[a] for a in rates["author_type"]], yerr=err, capsize=6)
    _pct_axis(left, "y", lang)
    left.set_ylabel(_label(t("fig_reach_y", lang), lang, 22))
    r = {k: float(ratio[k]) for k in ("estimate", "ci_low", "ci_high")}
    right.errorbar(
        [0],
        [r["estimate"]],
        yerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
        fmt="o",
        color=COLOURS["employee"],
        capsize=8,
        markersize=8,
    )
    claim_text = fmt_ratio(claim, lang, 0 if float(claim).is_integer() else 1)
    right.axhline(
        claim,
        linestyle="--",
        color=COLOURS["claim"],
        label=_label(f"{t('fig_claim', lang)} {claim_text}", lang),
    )
    right.set_xlim(-1, 1)
    right.set_xticks([])
    right.set_ylim(0, max(claim, r["ci_high"]) * 1.25)
    _number_axis(right, "y", lang)
    right.set_ylabel(_label(t("fig_ratio_y", lang), lang, 22))
    right.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    by = rates.set_index("author_type")["estimate"].astype(float)
    alt = t(
        "alt_reach",
        lang,
        employee=fmt_pct(by.get("employee", float("nan")), lang),
        page=fmt_pct(by.get("company", float("nan")), lang),
        ratio=fmt_num(r["estimate"], lang),
        low=fmt_num(r["ci_low"], lang),
        high=fmt_num(r["ci_high"], lang),
        claim=claim_text,
    )
    return ReportFigure(fig, t("fig_reach_title", lang), alt, t("fig_reach_caption", lang))


def content_mix_figure(mix: pd.DataFrame, target: float, lang: str = "en") -> ReportFigure:
    """Corporate share with its interval, against the target.

    Parameters
    ----------
    mix : pandas.DataFrame
        Columns label, estimate, ci_low, ci_high (one row per method shown).
    target : float
        Target share, drawn as a dashed line.
    lang : str
        Report language.

    Returns
    -------
    ReportFigure
    """
    set_theme()
    fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 1.6 + 0.5 * len(mix)))
    y = np.arange(len(mix))
    est = mix["estimate"].astype(float).to_numpy()
    err = np.vstack([est - mix["ci_low"].astype(float), mix["ci_high"].astype(float) - est])
    ax.errorbar(est, y, xerr=err, fmt="o", color=COLOURS["employee"], capsize=6)
    target_text = fmt_pct(target, lang, 0 if round(100 * target, 6).is_integer() else 1)
    ax.axvline(
        target,
        linestyle="--",
        color=COLOURS["target"],
        label=_label(f"{t('fig_target', lang)} {target_text}", lang),
    )
    ax.set_yticks(y)
    ax.set_yticklabels([_label(str(v), lang) for v in mix["label"]])
    ax.set_ylim(-0.7, len(mix) - 0.3)
    ax.set_xlim(0, max(0.5, float(np.nanmax(mix["ci_high"].astype(float))) * 1.2))
    _pct_axis(ax, "x", lang)
    ax.set_xlabel(_label(t("fig_mix_x", lang), lang))
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    first = mix.iloc[0]
    alt = t(
        "alt_mix",
        lang,
        value=fmt_pct(first["estimate"], lang),
        low=fmt_pct(first["ci_low"], lang),
        high=fmt_pct(first["ci_high"], lang),
        target=target_text,
    )
    return ReportFigure(fig, t("fig_mix_title", lang), alt, t("fig_mix_caption", lang))
