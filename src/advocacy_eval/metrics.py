"""Descriptive KPIs of an advocacy programme: pure functions, tidy frames in and out.

Definitions (also in ``docs/metrics.md`` and every report's appendix):

- **Reach rate** of a group of posts = sum(members_reached) / sum(audience_size)
  (a ratio of sums, which is what a Poisson model with log-exposure estimates;
  never a mean of per-post rates).
- **Engagement rate** = sum(reactions + comments + reposts + clicks [+ follows])
  / sum(impressions); the terms used are reported.
- **Amplification ratio** = employees' reach rate / company page's reach rate,
  over the same posts window.
- **Participation rate** for a month = enrolled employees with >= 1 post in the
  month / employees enrolled (and still employed) at that month, using the
  roster as of that month, not today's.
- **Content mix** = share of corporate posts (target 20% by default).
- **Profiles created** = enrolled employees without a LinkedIn profile at
  enrolment who created one on or after enrolment.

Potential reach (the sum of sharers' audiences) is *not* observed reach and is
never mixed with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .schema import ENGAGEMENT_TERMS

By = str | Sequence[str] | None


def _by_list(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _grouped(df: pd.DataFrame, by: By):
    cols = _by_list(by)
    if cols:
        return df.groupby(cols, observed=True, sort=True, dropna=False)
    return df.assign(_all=0).groupby("_all")


def _finish(result: pd.DataFrame, by: By) -> pd.DataFrame:
    cols = _by_list(by)
    result = result.reset_index()
    if not cols:
        result = result.drop(columns=["_all"], errors="ignore")
    return result


def add_month(frame: pd.DataFrame, column: str = "published_at") -> pd.DataFrame:
    """Return a copy with a ``month`` column (first day of the calendar month).

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with a datetime column.
    column : str
        Datetime column to truncate.
    """
    out = frame.copy()
    out["month"] = out[column].dt.to_period("M").dt.to_timestamp()
    return out


def posts_with_authors(posts: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Attach each employee post's author attributes (wave, department, region).

    Company posts get ``wave_id``, ``department`` and ``region`` missing.
    A ``month`` column is added.

    Parameters
    ----------
    posts, employees : pandas.DataFrame
        Canonical tables.
    """
    attrs = employees.set_index("employee_id")[["wave_id", "department", "region", "enrolled_on"]]
    out = add_month(posts)
    is_emp = out["author_type"] == "employee"
    for col in attrs.columns:
        out[col] = out["author_id"].map(attrs[col]).where(is_emp)
    return out


def reach_rate(posts: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Reach rate (ratio of sums) by group.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts with ``members_reached``, ``audience_size`` and ``author_id``.
    by : str or list of str, optional
        Grouping columns (e.g. ``"author_type"``, ``["author_type", "month"]``).

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_posts, n_authors, members_reached, audience_size,
        reach_rate (a fraction: 0.035 = 3.5%).
    """
    g = _grouped(posts, by)
    out = g.agg(
        n_posts=("members_reached", "size"),
        n_authors=("author_id", "nunique"),
        members_reached=("members_reached", "sum"),
        audience_size=("audience_size", "sum"),
    )
    out["reach_rate"] = out["members_reached"].astype(float) / out["audience_size"].astype(float)
    return _finish(out, by)


def available_engagement_terms(posts: pd.DataFrame, include_follows: bool = False) -> list[str]:
    """Engagement terms present (not entirely missing) in a posts table.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    include_follows : bool
        Whether follows count as engagements.
    """
    terms = [t for t in ENGAGEMENT_TERMS if include_follows or t != "follows"]
    return [t for t in terms if t in posts.columns and posts[t].notna().any()]


def engagement_rate(posts: pd.DataFrame, by: By = None, terms: Sequence[str] | None = None,
                    include_follows: bool = False) -> pd.DataFrame:
    """LinkedIn's engagement rate (ratio of sums) by group.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    by : str or list of str, optional
        Grouping columns.
    terms : sequence of str, optional
        Engagement columns to add; default: every available one of
        reactions, comments, reposts, clicks (and follows if asked).
    include_follows : bool
        Whether follows count as engagements when ``terms`` is not given.

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_posts, engagements, impressions, engagement_rate,
        terms (the terms summed, joined by ``+``).
    """
    terms = list(terms) if terms is not None else available_engagement_terms(posts, include_follows)
    if not terms:
        raise ValueError("no engagement column is available (reactions, comments, reposts, clicks)")
    frame = posts.assign(engagements=posts[terms].fillna(0).sum(axis=1).astype("int64"))
    out = _grouped(frame, by).agg(
        n_posts=("engagements", "size"),
        engagements=("engagements", "sum"),
        impressions=("impressions", "sum"),
    )
    out["engagement_rate"] = out["engagements"].astype(float) / out["impressions"].astype(float)
    out["terms"] = "+".join(terms)
    return _finish(out, by)


def amplification_ratio(posts: pd.DataFrame, by: By = None) -> pd.DataFrame:
    """Employees' reach rate divided by the company page's, by group.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts of both author types over the same window.
    by : str or list of str, optional
        Grouping columns defined for both author types (e.g. ``"month"``).

    Returns
    -------
    pandas.DataFrame
        Columns: by..., employee_reach_rate, company_reach_rate,
        amplification_ratio, employee_posts, company_posts, employee_authors.
    """
    cols = _by_list(by)
    rates = reach_rate(posts, cols + ["author_type"])
    wide = rates.pivot_table(index=cols or None, columns="author_type",
                             values=["reach_rate", "n_posts", "n_authors"], aggfunc="first",
                             observed=True) if cols else None
    if wide is None:
        r = rates.set_index("author_type")
        get = lambda col, t: r[col].get(t, np.nan)  # noqa: E731
        out = pd.DataFrame({
            "employee_reach_rate": [get("reach_rate", "employee")],
            "company_reach_rate": [get("reach_rate", "company")],
            "employee_posts": [get("n_posts", "employee")],
            "company_posts": [get("n_posts", "company")],
            "employee_authors": [get("n_authors", "employee")],
        })
    else:
        out = pd.DataFrame({
            "employee_reach_rate": wide[("reach_rate", "employee")] if ("reach_rate", "employee") in wide else np.nan,
            "company_reach_rate": wide[("reach_rate", "company")] if ("reach_rate", "company") in wide else np.nan,
            "employee_posts": wide[("n_posts", "employee")] if ("n_posts", "employee") in wide else 0,
            "company_posts": wide[("n_posts", "company")] if ("n_posts", "company") in wide else 0,
            "employee_authors": wide[("n_authors", "employee")] if ("n_authors", "employee") in wide else 0,
        }).reset_index()
    out["amplification_ratio"] = out["employee_reach_rate"] / out["company_reach_rate"]
    for c in ("employee_posts", "company_posts", "employee_authors"):
        out[c] = out[c].fillna(0).astype("int64")
    return out[cols + ["employee_reach_rate", "company_reach_rate", "amplification_ratio",
                       "employee_posts", "company_posts", "employee_authors"]]


def content_mix(posts: pd.DataFrame, by: By = None, target: float = 0.20) -> pd.DataFrame:
    """Share of corporate posts by group, against a target share.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts with ``content_type``.
    by : str or list of str, optional
        Grouping columns.
    target : float
        Target corporate share (default 0.20, the "80/20" rule).

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_posts, n_corporate, corporate_share, target.
    """
    frame = posts.assign(_corp=(posts["content_type"] == "corporate").astype("int64"))
    out = _grouped(frame, by).agg(n_posts=("_corp", "size"), n_corporate=("_corp", "sum"))
    out["corporate_share"] = out["n_corporate"] / out["n_posts"]
    out["target"] = float(target)
    return _finish(out, by)


def month_range(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """First days of the calendar months from ``start``'s to ``end``'s, inclusive."""
    return pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(),
                         pd.Timestamp(end).to_period("M").to_timestamp(), freq="MS")


def enrolled_months(employees: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Employee x month rows of enrolled employees, using the roster as of each month.

    An employee counts in a month if enrolled on or before the month's last day
    and not left before its first day.

    Parameters
    ----------
    employees : pandas.DataFrame
        Employees table.
    months : pandas.DatetimeIndex
        First days of the months to cover.

    Returns
    -------
    pandas.DataFrame
        Columns: employee_id, month, wave_id, department, region.
    """
    enrolled = employees.loc[employees["enrolled_on"].notna(),
                             ["employee_id", "wave_id", "department", "region", "enrolled_on", "left_on"]]
    grid = enrolled.merge(pd.DataFrame({"month": months}), how="cross")
    month_end = grid["month"] + pd.offsets.MonthEnd(0)
    keep = (grid["enrolled_on"] <= month_end) & ~(grid["left_on"] < grid["month"])
    return grid.loc[keep, ["employee_id", "month", "wave_id", "department", "region"]].reset_index(drop=True)


def participation_rate(employees: pd.DataFrame, posts: pd.DataFrame, by: By = None,
                       months: pd.DatetimeIndex | None = None) -> pd.DataFrame:
    """Share of enrolled employees who posted at least once, by month and group.

    Parameters
    ----------
    employees, posts : pandas.DataFrame
        Canonical tables.
    by : str or list of str, optional
        Employee attributes to break down by (``"wave_id"``, ``"department"``,
        ``"region"``); the result is always by ``month`` as well.
    months : pandas.DatetimeIndex, optional
        Months to cover (default: the months spanned by the posts).

    Returns
    -------
    pandas.DataFrame
        Columns: month, by..., n_enrolled, n_active, participation_rate.
    """
    emp_posts = posts.loc[posts["author_type"] == "employee"]
    if months is None:
        months = month_range(posts["published_at"].min(), posts["published_at"].max())
    grid = enrolled_months(employees, months)
    active = add_month(emp_posts)[["author_id", "month"]].drop_duplicates()
    active = active.rename(columns={"author_id": "employee_id"}).assign(active=1)
    grid = grid.merge(active, on=["employee_id", "month"], how="left")
    grid["active"] = grid["active"].fillna(0).astype("int64")
    cols = ["month"] + _by_list(by)
    out = grid.groupby(cols, observed=True, dropna=False).agg(
        n_enrolled=("employee_id", "size"), n_active=("active", "sum"))
    out["participation_rate"] = out["n_active"] / out["n_enrolled"]
    return out.reset_index()


def profiles_created(employees: pd.DataFrame, by: By = "wave_id") -> pd.DataFrame:
    """LinkedIn profiles created by enrolled employees on or after enrolment.

    Parameters
    ----------
    employees : pandas.DataFrame
        Employees table.
    by : str or list of str, optional
        Employee attributes to break down by (default ``"wave_id"``).

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_enrolled, n_without_profile (no profile at
        enrolment), n_created (profile created on or after enrolment),
        creation_rate (n_created / n_without_profile).
    """
    enrolled = employees.loc[employees["enrolled_on"].notna()].copy()
    created = enrolled["profile_created_on"]
    enrolled["_without"] = (created.isna() | (created >= enrolled["enrolled_on"])).astype("int64")
    enrolled["_created"] = (created.notna() & (created >= enrolled["enrolled_on"])).astype("int64")
    out = _grouped(enrolled, by).agg(
        n_enrolled=("employee_id", "size"),
        n_without_profile=("_without", "sum"),
        n_created=("_created", "sum"),
    )
    out["creation_rate"] = out["n_created"] / out["n_without_profile"].where(out["n_without_profile"] > 0)
    return _finish(out, by)


def background_profile_creation(employees: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Profiles created between two dates by employees who were not enrolled then.

    A comparison for :func:`profiles_created`: how many profiles appear anyway.

    Parameters
    ----------
    employees : pandas.DataFrame
        Employees table.
    start, end : pandas.Timestamp
        Window (inclusive).

    Returns
    -------
    pandas.DataFrame
        One row: n_without_profile (not enrolled by ``end``, no profile at
        ``start``, employed at ``start``), n_created, creation_rate.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    e = employees
    pool = (~(e["enrolled_on"] <= end)) & ~(e["left_on"] < start) & ~(e["profile_created_on"] < start)
    created = pool & (e["profile_created_on"] <= end)
    n_pool, n_created = int(pool.sum()), int(created.sum())
    return pd.DataFrame({"n_without_profile": [n_pool], "n_created": [n_created],
                         "creation_rate": [n_created / n_pool if n_pool else np.nan]})


def wave_window(waves: pd.DataFrame, wave_id: str, data_end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Observation window of a wave: from its start date to the next wave's start (or the data's end).

    Parameters
    ----------
    waves : pandas.DataFrame
        Waves table.
    wave_id : str
        Wave to report on.
    data_end : pandas.Timestamp
        Last date of the data.

    Returns
    -------
    tuple of pandas.Timestamp
        (start, end), end inclusive.
    """
    ordered = waves.sort_values("start_date").reset_index(drop=True)
    match = ordered.index[ordered["wave_id"] == wave_id]
    if len(match) == 0:
        raise KeyError(f"unknown wave {wave_id!r}; known waves: {', '.join(ordered['wave_id'])}")
    i = int(match[0])
    start = ordered.loc[i, "start_date"]
    end = ordered.loc[i + 1, "start_date"] - pd.Timedelta(seconds=1) if i + 1 < len(ordered) else pd.Timestamp(data_end)
    return start, end
