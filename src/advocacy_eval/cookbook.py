"""Analyst recipes: one library call per question, estimates with 95% intervals, one figure each.

The recipes of ``notebooks/explore.ipynb`` (analyst mode, never sent to COMEX).
Each takes the tables of a programme and returns a tidy
:class:`~advocacy_eval.stats.StatResult` (an ordinary pandas DataFrame); each
``plot_*`` function draws one of them and returns a matplotlib figure.

Breakdowns follow the privacy rules of the reports: a group of fewer than
``min_group_size`` employees (k, default 5) is hidden (its numbers blanked,
``suppressed`` True); the company page, not a person, is always shown.
Intervals are cluster-robust by author with the reports' variance (CR3); the
page, a single author, is clustered by post.

============================================  =========================================================
question                                      recipe
============================================  =========================================================
reach by department (the page as a group)     ``reach_by(programme.posts_with_authors(), "department")``
reach by content type, within author types    ``reach_by(posts, "content_type", within="author_type")``
reach by month, for employees and the page    ``reach_by(posts, "month", within="author_type")``
monthly amplification (employees ÷ page)      ``monthly_amplification(posts)``
a custom claim on every wave                  ``check_claims(programme, [Claim("amplification", ">=", 3)])``
participation funnel                          ``participation_funnel(programme)``
============================================  =========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from . import metrics
from .analyses.measures import MeasureContext, measure_all
from .claims import PROGRAMME, Claim, Scorecard, evaluate
from .privacy import DEFAULT_MIN_GROUP_SIZE, cells_to_hide, check_min_group_size
from .schema import Programme, require_columns
from .stats import compare_rates
from .stats._result import StatResult, by_columns, make_result, pct
from .stats.proportions import wilson_interval

__all__ = [
    "check_claims",
    "monthly_amplification",
    "participation_funnel",
    "plot_amplification",
    "plot_funnel",
    "plot_intervals",
    "reach_by",
]

_HIDDEN_RATE_COLUMNS: tuple[str, ...] = (
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "n",
    "numerator_sum",
    "exposure_sum",
    "n_posts",
    "n_clusters",
    "n_cluster_units",
    "se_log_rate",
    "rate_ratio",
    "rate_ratio_ci_low",
    "rate_ratio_ci_high",
    "se_log_ratio",
    "z",
    "rate_difference",
    "rate_difference_ci_low",
    "rate_difference_ci_high",
    "n_employee_authors",
)
"""Numbers of a :func:`reach_by` row hidden with a group of fewer than k employees."""

_PALETTE = sns.color_palette("colorblind")
_COLOURS = {"employee": _PALETTE[0], "company": _PALETTE[7]}
_WIDTH = 7.0


# ----------------------------------------------------------------------------- numbers


def _employee_authors(posts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Distinct employee authors per combination of ``keys`` (a column ``n_employee_authors``)."""
    emp = posts.loc[np.asarray((posts["author_type"] == "employee").fillna(False), dtype=bool)]
    counts = emp.groupby(keys, observed=True, dropna=True)["author_id"].nunique()
    return counts.rename("n_employee_authors").reset_index()


def reach_by(
    posts: pd.DataFrame,
    by: str | Sequence[str],
    within: str | Sequence[str] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    conf_level: float = 0.95,
    **kwargs: Any,
) -> StatResult:
    """Reach rate by group with cluster-robust intervals, groups of fewer than k employees hidden.

    :func:`~advocacy_eval.stats.compare_rates` (members reached ÷ audience,
    CR3 by author, the page clustered by post), then the privacy rule: a
    group holding employee posts by fewer than ``min_group_size`` distinct
    employees has its numbers blanked (``suppressed`` True). Groups of page
    posts only are always shown.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts, usually :meth:`Programme.posts_with_authors
        <advocacy_eval.schema.Programme.posts_with_authors>` (department,
        region, wave and month, the page labelled ``"(company page)"``).
    by : str or list of str
        Grouping column(s), e.g. ``"department"`` or ``"month"``.
    within : str or list of str, optional
        Compare within each level of these columns (``"author_type"``: never
        pool the page's posts with employees', see Simpson's paradox in
        :func:`~advocacy_eval.stats.compare_rates`).
    min_group_size : int
        k: smallest number of employees a shown group may hold (>= 3).
    conf_level : float
        Confidence level of the intervals.
    **kwargs
        Passed to :func:`~advocacy_eval.stats.compare_rates` (``reference``, ``numerator``, ``exposure``...).

    Returns
    -------
    StatResult
        :func:`~advocacy_eval.stats.compare_rates`'s columns plus
        ``n_employee_authors`` and ``suppressed``.

    Examples
    --------
    >>> from advocacy_eval.io import load_programme
    >>> from advocacy_eval.paths import sample_data_dir
    >>> reach = reach_by(load_programme(sample_data_dir()).posts_with_authors(), "department")
    >>> reach[["level", "estimate", "ci_low", "ci_high", "rate_ratio"]].head(3)
                   level  estimate  ci_low  ci_high  rate_ratio
    0     (company page)  0.009029  0.0085 0.009589           1
    1  Corporate banking   0.03613 0.02911  0.04484       4.001
    2                 HR   0.04271 0.02888  0.06315        4.73
    """
    k = check_min_group_size(min_group_size)
    res = compare_rates(posts, by=by, within=within, conf_level=conf_level, **kwargs)
    keys = [*by_columns(within), *by_columns(by)]
    require_columns(posts, ["author_type", "author_id", *keys])
    table = res.copy()
    if len(by_columns(by)) == 1:
        table[by_columns(by)[0]] = table["level"]
    for col in keys:  # the result holds the levels as Python values: match the posts' own types
        table[col] = table[col].astype(posts[col].dtype)
    authors = _employee_authors(posts, keys)
    merged = table[keys].merge(authors, on=keys, how="left", validate="many_to_one")
    n_emp = merged["n_employee_authors"].fillna(0).to_numpy(dtype=float)
    employees_shown = n_emp > 0
    hide = np.zeros(len(res), dtype=bool)
    hide[employees_shown] = cells_to_hide(n_emp[employees_shown], k, total_shown=False)
    res["n_employee_authors"] = n_emp.astype("int64")
    for col in _HIDDEN_RATE_COLUMNS:
        if col in res.columns:
            res[col] = res[col].astype(float).where(~hide)
    res["suppressed"] = hide
    if hide.any():
        res["method"] = res["method"] + f"; groups of fewer than {k} employees hidden"
    return res


def monthly_amplification(
    posts: pd.DataFrame, min_group_size: int = DEFAULT_MIN_GROUP_SIZE, conf_level: float = 0.95
) -> StatResult:
    """Amplification (employees' reach rate ÷ the page's) month by month, with 95% intervals.

    One comparison per calendar month
    (``compare_rates(posts, by="author_type", within="month")``): the ratio's
    interval is cluster-robust (CR3, employees by author, the page by post)
    and uses the covariance of the two rates. Months with fewer than
    ``min_group_size`` posting employees are hidden; months without page
    posts have no ratio.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts of both author types (a ``month`` column is added when missing).
    min_group_size : int
        k (>= 3).
    conf_level : float
        Confidence level.

    Returns
    -------
    StatResult
        One row per month: ``month, estimate`` (the ratio), ``ci_low, ci_high,
        p_value`` (H0 ratio = 1), ``n`` (employee posts), ``method,
        employee_reach_rate, company_reach_rate, n_employee_authors,
        company_posts, suppressed``.
    """
    k = check_min_group_size(min_group_size)
    if "month" not in posts.columns:
        posts = metrics.add_month(posts)
    res = compare_rates(
        posts, by="author_type", within="month", reference="company", conf_level=conf_level
    )
    emp = res.loc[res["level"] == "employee"].set_index("month")
    page = res.loc[res["level"] == "company"].set_index("month")
    months = emp.index
    n_authors = emp["n_clusters"].to_numpy(dtype=float)
    hide = cells_to_hide(n_authors, k, total_shown=False)
    out = make_result(
        {
            "month": months,
            "estimate": emp["rate_ratio"].to_numpy(dtype=float),
            "ci_low": emp["rate_ratio_ci_low"].to_numpy(dtype=float),
            "ci_high": emp["rate_ratio_ci_high"].to_numpy(dtype=float),
            "p_value": emp["p_value"].to_numpy(dtype=float),
            "n": emp["n_posts"].to_numpy(dtype=float),
            "method": (
                f"amplification = employees' reach rate / the page's, each month: "
                f"{emp['method'].iloc[0] if len(emp) else ''}"
            ),
            "employee_reach_rate": emp["estimate"].to_numpy(dtype=float),
            "company_reach_rate": page["estimate"].reindex(months).to_numpy(dtype=float),
            "n_employee_authors": n_authors,
            "company_posts": page["n_posts"].reindex(months).fillna(0).to_numpy(dtype=float),
        },
        first=["month"],
    )
    for col in (
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
        "employee_reach_rate",
        "n_employee_authors",
    ):
        out[col] = out[col].where(~hide)
    out["suppressed"] = hide
    return out


def check_claims(
    programme: Programme,
    claims: Sequence[Claim],
    populations: Sequence[str] | None = None,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    context: MeasureContext | None = None,
) -> Scorecard:
    """Evaluate your own claims (a built-in metric, an operator, your target) as the reports do.

    Parameters
    ----------
    programme : Programme
        Validated programme.
    claims : sequence of Claim
        The claims, e.g. ``[Claim("amplification", ">=", 3.0)]`` (metrics:
        :data:`advocacy_eval.claims.METRICS`; claims files: ``docs/claims.md``).
    populations : sequence of str, optional
        Wave ids and/or ``"programme"`` (default: every wave, then the programme).
    min_group_size : int
        k: waves with fewer volunteers are left out, as in the reports.
    context : MeasureContext, optional
        Fits to reuse (e.g. the one of another call).

    Returns
    -------
    Scorecard
        ``scorecard.to_frame()`` for the table; its verdicts come from the
        95% intervals (:func:`advocacy_eval.claims.verdict`).
    """
    ctx = (
        context if context is not None else MeasureContext(programme, min_group_size=min_group_size)
    )
    keys = (
        list(populations) if populations is not None else [*list(ctx.programme.wave_ids), PROGRAMME]
    )
    applicable = [key for key in keys if any(c.applies_to(key) for c in claims)]
    needed = list(dict.fromkeys(c.metric for c in claims))
    measurements = measure_all(needed, ctx, applicable)
    return evaluate(list(claims), measurements, keys)


def participation_funnel(
    programme: Programme,
    by: str | Sequence[str] | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    regular_share: float = 0.5,
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
    conf_level: float = 0.95,
) -> StatResult:
    """From eligible staff to regular posters: people at each stage, each stage's share of the previous one.

    :func:`advocacy_eval.metrics.participation_funnel` (stages eligible,
    enrolled, posted, regular) with a Wilson interval on each conversion
    (the stage's people out of the previous stage's) and the privacy rule:
    a cell of fewer than ``min_group_size`` people is hidden, with secondary
    suppression across the groups of a breakdown (:func:`advocacy_eval.privacy.cells_to_hide`).

    Parameters
    ----------
    programme : Programme
        Validated programme.
    by : str or list of str, optional
        Employee attributes (``"department"``, ``"region"``). By
        ``"wave_id"``, the employees who never enrolled form a group of
        their own (no wave), empty from ``enrolled`` on: hidden, with the
        secondary suppression it entails.
    start, end : pandas.Timestamp or str, optional
        Window (default: the first wave's start date to the last post's day).
    regular_share : float
        Share of months enrolled with a post that makes a poster regular.
    min_group_size : int
        k (>= 3).
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    StatResult
        One row per group and stage: by..., ``stage, estimate`` (share of the
        previous stage; NaN for ``eligible``), ``ci_low, ci_high`` (Wilson),
        ``p_value`` (NaN), ``n`` (people at the stage), ``method, previous,
        share_of_eligible, suppressed``.
    """
    k = check_min_group_size(min_group_size)
    if start is None:
        start = programme.waves["start_date"].min()
    counts = metrics.participation_funnel(
        programme.employees,
        programme.posts,
        start=start,
        end=end,
        by=by,
        regular_share=regular_share,
    )
    cols = by_columns(by)
    hide = np.zeros(len(counts), dtype=bool)
    for stage in metrics.FUNNEL_STAGES:  # one suppression per stage, across the groups
        rows = np.flatnonzero((counts["stage"] == stage).to_numpy())
        hide[rows] = cells_to_hide(
            counts["n"].to_numpy(dtype=float)[rows], k, total_shown=bool(cols)
        )
    lo, hi = wilson_interval(
        counts["n"].to_numpy(dtype=float), counts["previous"].to_numpy(dtype=float), conf_level
    )
    first = (counts["stage"] == metrics.FUNNEL_STAGES[0]).to_numpy()
    out = make_result(
        {
            **{c: counts[c].to_numpy() for c in cols},
            "stage": counts["stage"].astype(str).to_numpy(),
            "estimate": counts["share_of_previous"].to_numpy(dtype=float),
            "ci_low": np.where(first, np.nan, lo),
            "ci_high": np.where(first, np.nan, hi),
            "p_value": np.nan,
            "n": counts["n"].to_numpy(dtype=float),
            "method": (
                f"people at each stage (eligible, enrolled, posted, regular: active in >= {regular_share:.0%} of "
                f"their months enrolled); estimate = share of the previous stage, {pct(conf_level)} Wilson "
                f"interval; cells of fewer than {k} people hidden"
            ),
            "previous": counts["previous"].to_numpy(dtype=float),
            "share_of_eligible": counts["share_of_eligible"].to_numpy(dtype=float),
        },
        first=[*cols, "stage"],
    )
    for col in ("estimate", "ci_low", "ci_high", "n", "previous", "share_of_eligible"):
        out[col] = out[col].where(~hide)
    out["suppressed"] = hide
    return out


# ----------------------------------------------------------------------------- figures


def _labels(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """Row labels joining ``cols`` with ``" / "`` (missing values written ``(none)``)."""
    out = frame[cols[0]].astype("string").fillna("(none)")
    for col in cols[1:]:
        out = out + " / " + frame[col].astype("string").fillna("(none)")
    return out.astype(str)


def _new_figure(height: float) -> tuple[Figure, Any]:
    sns.set_theme(style="whitegrid", palette=_PALETTE, context="notebook", font_scale=0.95)
    fig, ax = plt.subplots(figsize=(_WIDTH, height))
    plt.close(fig)  # returned, not shown twice: the notebook displays what the recipe returns
    return fig, ax


def _month_axis(ax: Any) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _percent_axis(ax: Any, axis: str = "x") -> None:
    formatter = plt.FuncFormatter(lambda v, _: f"{100 * v:.3g}%")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def plot_intervals(
    result: pd.DataFrame,
    title: str = "",
    percent: bool = True,
    value: str = "estimate",
    low: str = "ci_low",
    high: str = "ci_high",
) -> Figure:
    """Estimates with their intervals, one per group: dots and whiskers, or a line and a band over months.

    Hidden groups (``suppressed``) and missing estimates are left out. With a
    ``within`` column (:func:`reach_by` ``within=...``) the strata get one
    colour each.

    Parameters
    ----------
    result : pandas.DataFrame
        A result with ``level`` (or ``month``), ``value``, ``low`` and ``high``.
    title : str
        Title drawn above the axes.
    percent : bool
        Whether the values are shares or rates shown in percent.
    value, low, high : str
        Columns of the estimate and of its interval.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = result.loc[~result.get("suppressed", pd.Series(False, index=result.index)).astype(bool)]
    data = data.loc[np.isfinite(data[value].to_numpy(dtype=float))]
    strata_cols = (
        by_columns(data["within"].iloc[0].split(", "))
        if "within" in data.columns and len(data)
        else []
    )
    strata = _labels(data, strata_cols) if strata_cols else pd.Series("", index=data.index)
    x_col = "month" if "month" in data.columns and "within" not in data.columns else "level"
    x = data[x_col]
    over_time = pd.api.types.is_datetime64_any_dtype(x) or (
        len(x) and isinstance(x.iloc[0], pd.Timestamp)
    )
    names = list(dict.fromkeys(strata))
    if over_time:
        fig, ax = _new_figure(3.6)
        for i, name in enumerate(names):
            part = data.loc[strata == name]
            colour = _COLOURS.get(name, _PALETTE[i % len(_PALETTE)])
            months = pd.to_datetime(part[x_col])
            ax.plot(months, part[value], marker="o", ms=3, color=colour, label=name or None)
            ax.fill_between(
                months, part[low].astype(float), part[high].astype(float), color=colour, alpha=0.2
            )
        if percent:
            _percent_axis(ax, "y")
        _month_axis(ax)
        ax.set_xlabel("")
    else:
        levels = list(dict.fromkeys(x.astype(str)))
        fig, ax = _new_figure(
            max(2.2, 0.32 * len(levels) * (1 + 0.35 * (max(len(names), 1) - 1)) + 1.0)
        )
        offsets = np.linspace(-0.2, 0.2, len(names)) if len(names) > 1 else [0.0]
        for i, name in enumerate(names):
            part = data.loc[strata == name]
            colour = _COLOURS.get(name, _PALETTE[i % len(_PALETTE)])
            pos = (
                np.array([levels.index(v) for v in part[x_col].astype(str)], dtype=float)
                + offsets[i]
            )
            est = part[value].to_numpy(dtype=float)
            err = np.vstack(
                [est - part[low].to_numpy(dtype=float), part[high].to_numpy(dtype=float) - est]
            )
            ax.errorbar(est, pos, xerr=err, fmt="o", color=colour, capsize=3, label=name or None)
        ax.set_yticks(range(len(levels)), levels)
        ax.invert_yaxis()
        if percent:
            _percent_axis(ax, "x")
    if len(names) > 1:
        ax.legend(frameon=False, fontsize="small")
    if title:
        ax.set_title(title, loc="left", fontsize="medium")
    fig.tight_layout()
    return fig


def plot_amplification(
    amplification: pd.DataFrame, claimed: float | None = None, title: str = ""
) -> Figure:
    """Monthly amplification (:func:`monthly_amplification`) with its 95% band, the claim and parity.

    Parameters
    ----------
    amplification : pandas.DataFrame
        Output of :func:`monthly_amplification`.
    claimed : float, optional
        A claimed ratio drawn as a dashed line (e.g. 4).
    title : str
        Title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    data = amplification.loc[np.isfinite(amplification["estimate"].to_numpy(dtype=float))]
    fig, ax = _new_figure(3.4)
    ax.plot(
        data["month"],
        data["estimate"],
        marker="o",
        ms=3,
        color=_COLOURS["employee"],
        label="amplification",
    )
    ax.fill_between(
        data["month"],
        data["ci_low"].astype(float),
        data["ci_high"].astype(float),
        color=_COLOURS["employee"],
        alpha=0.2,
        label="95% interval",
    )
    ax.axhline(1.0, color="grey", lw=0.8)
    if claimed is not None:
        ax.axhline(claimed, color=_PALETTE[3], ls="--", lw=1, label=f"claim: {claimed:g}x")
    ax.set_ylabel("employees' reach rate ÷ page's")
    _month_axis(ax)
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small", loc="lower right")
    if title:
        ax.set_title(title, loc="left", fontsize="medium")
    fig.tight_layout()
    return fig


def plot_funnel(funnel: pd.DataFrame, title: str = "") -> Figure:
    """The participation funnel (:func:`participation_funnel`): people per stage, conversions with intervals.

    Without a breakdown: one bar per stage (people), labelled with the share
    of the previous stage and its interval. With one: the share of the
    previous stage per group and stage, with intervals.

    Parameters
    ----------
    funnel : pandas.DataFrame
        Output of :func:`participation_funnel`.
    title : str
        Title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    by = list(funnel.columns[: list(funnel.columns).index("stage")])
    if not by:
        data = funnel.loc[~funnel["suppressed"].astype(bool)]
        fig, ax = _new_figure(2.8)
        stages = data["stage"].tolist()
        ax.barh(stages, data["n"].astype(float), color=_COLOURS["employee"])
        ax.invert_yaxis()
        for i, row in enumerate(data.itertuples()):  # one label per stage
            label = f"{int(row.n):,}"
            if np.isfinite(row.estimate):
                label += f"  ({100 * row.estimate:.0f}% of previous, {100 * row.ci_low:.0f}–{100 * row.ci_high:.0f}%)"
            ax.text(float(row.n), i, " " + label, va="center", fontsize="small")
        ax.set_xlabel("people")
        ax.set_xlim(right=float(data["n"].max()) * 1.6 if len(data) else 1.0)
    else:
        shown = funnel.loc[funnel["stage"] != "eligible"].copy()
        shown["level"] = _labels(shown, by)
        shown["within"] = "stage"  # one colour per stage, one row per group
        return plot_intervals(shown, title=title)
    if title:
        ax.set_title(title, loc="left", fontsize="medium")
    fig.tight_layout()
    return fig
