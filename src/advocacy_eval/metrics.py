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
- **Content mix** = share of corporate posts among classified employee posts (target 20% by
  default); ``unclassified`` posts and the company page's posts are counted apart, never in the share.
- **Profiles created** = enrolled employees without a LinkedIn profile at
  enrolment who created one on or after enrolment.

Potential reach (the sum of sharers' audiences) is *not* observed reach and is
never mixed with it.

Every ``by=`` takes a column name or a list of them. A column that is not in
the table raises :class:`~advocacy_eval.errors.ColumnNotFoundError` listing
the available ones (author attributes come from
:meth:`~advocacy_eval.schema.Programme.posts_with_authors`). A rate by a
variable other than ``author_type`` over posts of both author types warns
(:class:`~advocacy_eval.errors.PooledAuthorTypesWarning`, Simpson's paradox).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError, PooledAuthorTypesWarning
from .schema import CONTENT_TYPES, ENGAGEMENT_TERMS, UNCLASSIFIED, check_wave, require_columns
from .schema import posts_with_authors as _posts_with_authors

__all__ = [
    "FUNNEL_STAGES",
    "By",
    "add_month",
    "amplification_ratio",
    "available_engagement_terms",
    "background_profile_creation",
    "content_mix",
    "engagement_rate",
    "enrolled_months",
    "month_range",
    "participation_funnel",
    "participation_rate",
    "posts_with_authors",
    "profile_reference_date",
    "profiles_created",
    "reach_rate",
    "staff_reached",
    "wave_window",
]

By = str | Sequence[str] | None
"""A grouping: one column name, a list of them, or None (one overall row)."""


def __dir__() -> list[str]:
    """The public names only: tab completion shows no ``np``, ``pd`` or ``annotations``."""
    return sorted(__all__)


def _by_list(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _grouped(df: pd.DataFrame, by: By):
    cols = _by_list(by)
    require_columns(df, cols, role="by column")
    if cols:
        return df.groupby(cols, observed=True, sort=True, dropna=False)
    return df.assign(_all=0).groupby("_all")


def _warn_if_pooled(posts: pd.DataFrame, by: By, what: str, stacklevel: int = 3) -> None:
    """Warn when groups of ``by`` mix company-page and employee posts (Simpson's paradox)."""
    cols = _by_list(by)
    if not cols or "author_type" in cols or "author_type" not in posts.columns:
        return
    types = posts["author_type"]
    if types.nunique(dropna=True) < 2:
        return
    key = posts[cols].assign(_type=types.to_numpy()).drop_duplicates()
    if not key.duplicated(
        subset=cols
    ).any():  # every group holds one author type (e.g. "(company page)")
        return
    by_text = cols[0] if len(cols) == 1 else cols
    warnings.warn(
        f"{what} by {by_text!r} pools company-page and employee posts in the same groups: the page's rates "
        f"differ several-fold from employees', so groups holding different shares of page posts can show a "
        f"difference that vanishes or reverses within each author type (Simpson's paradox). Break down by "
        f"author type too: by={['author_type', *cols]!r}, or keep one author type "
        f"(posts[posts['author_type'] == 'employee']).",
        PooledAuthorTypesWarning,
        stacklevel=stacklevel,
    )


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
    """Attach each post's author attributes (wave, department, region, enrolment) and a ``month`` column.

    The company page's posts are labelled as the page
    (:data:`~advocacy_eval.schema.PAGE_LABEL`, ``"(company page)"``), never a
    silent missing value. Same as :meth:`Programme.posts_with_authors
    <advocacy_eval.schema.Programme.posts_with_authors>`; see
    :func:`advocacy_eval.schema.posts_with_authors`.

    Parameters
    ----------
    posts, employees : pandas.DataFrame
        Canonical tables.

    Returns
    -------
    pandas.DataFrame
        ``posts`` with ``wave_id``, ``department``, ``region``,
        ``enrolled_on``, ``after_enrolment`` and ``month``.
    """
    return _posts_with_authors(posts, employees)


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

    Warns
    -----
    PooledAuthorTypesWarning
        When a group holds both company-page and employee posts (``by``
        without ``author_type``): Simpson's paradox.
    """
    g = _grouped(posts, by)
    _warn_if_pooled(posts, by, "reach_rate")
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


def engagement_rate(
    posts: pd.DataFrame,
    by: By = None,
    terms: Sequence[str] | None = None,
    include_follows: bool = False,
) -> pd.DataFrame:
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

    Warns
    -----
    PooledAuthorTypesWarning
        When a group holds both company-page and employee posts: Simpson's paradox.
    """
    require_columns(posts, _by_list(by), role="by column")
    terms = list(terms) if terms is not None else available_engagement_terms(posts, include_follows)
    if not terms:
        raise ValueError("no engagement column is available (reactions, comments, reposts, clicks)")
    require_columns(posts, terms, role="engagement term")
    _warn_if_pooled(posts, by, "engagement_rate")
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
    require_columns(posts, cols, role="by column")
    rates = reach_rate(posts, [*cols, "author_type"])
    wide = (
        rates.pivot_table(
            index=cols or None,
            columns="author_type",
            values=["reach_rate", "n_posts", "n_authors"],
            aggfunc="first",
            observed=True,
        )
        if cols
        else None
    )
    if wide is None:
        r = rates.set_index("author_type")
        get = lambda col, t: r[col].get(t, np.nan)  # noqa: E731
        out = pd.DataFrame(
            {
                "employee_reach_rate": [get("reach_rate", "employee")],
                "company_reach_rate": [get("reach_rate", "company")],
                "employee_posts": [get("n_posts", "employee")],
                "company_posts": [get("n_posts", "company")],
                "employee_authors": [get("n_authors", "employee")],
            }
        )
    else:
        out = pd.DataFrame(
            {
                "employee_reach_rate": wide.get(("reach_rate", "employee"), np.nan),
                "company_reach_rate": wide.get(("reach_rate", "company"), np.nan),
                "employee_posts": wide.get(("n_posts", "employee"), 0),
                "company_posts": wide.get(("n_posts", "company"), 0),
                "employee_authors": wide.get(("n_authors", "employee"), 0),
            }
        ).reset_index()
    out["amplification_ratio"] = out["employee_reach_rate"] / out["company_reach_rate"]
    for c in ("employee_posts", "company_posts", "employee_authors"):
        out[c] = out[c].fillna(0).astype("int64")
    return out[
        [
            *cols,
            "employee_reach_rate",
            "company_reach_rate",
            "amplification_ratio",
            "employee_posts",
            "company_posts",
            "employee_authors",
        ]
    ]


def content_mix(
    posts: pd.DataFrame, by: By = None, target: float = 0.20, author_type: str | None = "employee"
) -> pd.DataFrame:
    """Share of corporate posts by group, against a target share.

    Posts whose ``content_type`` is ``unclassified`` (no classification rule
    matched them) are counted apart and left out of the share: they are
    neither corporate nor not. So are, by default, the company page's posts:
    the 80/20 target is about employees' posts, as in the reports
    (:func:`advocacy_eval.stats.content_mix`); they are counted in
    ``n_excluded``, never dropped silently. ``author_type=None`` keeps every
    post.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts with ``content_type`` (and ``author_type`` unless ``author_type`` is None).
    by : str or list of str, optional
        Grouping columns.
    target : float
        Target corporate share (default 0.20, the "80/20" rule).
    author_type : str or None
        Keep only the posts of this author type in the share (default
        ``"employee"``); None keeps all posts.

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_posts (classified posts counted in the share), n_corporate,
        corporate_share, target, n_unclassified, n_excluded (posts of another author type:
        counted, left out of the share; a group of page posts only has ``n_posts`` 0).
    """
    require_columns(posts, ["content_type", *_by_list(by)])
    ctype = posts["content_type"]
    if author_type is None:
        kept = pd.Series(True, index=posts.index)
    else:
        require_columns(posts, ["author_type"])
        kept = (posts["author_type"] == author_type).fillna(False).astype(bool)
    frame = posts.assign(
        _corp=((ctype == "corporate") & kept).astype("int64"),
        _classified=(ctype.isin(CONTENT_TYPES) & kept).astype("int64"),
        _unclassified=((ctype == UNCLASSIFIED) & kept).astype("int64"),
        _excluded=(~kept).astype("int64"),
    )
    out = _grouped(frame, by).agg(
        n_posts=("_classified", "sum"),
        n_corporate=("_corp", "sum"),
        n_unclassified=("_unclassified", "sum"),
        n_excluded=("_excluded", "sum"),
    )
    out["corporate_share"] = out["n_corporate"] / out["n_posts"].where(out["n_posts"] > 0)
    out["target"] = float(target)
    out = out[
        ["n_posts", "n_corporate", "corporate_share", "target", "n_unclassified", "n_excluded"]
    ]
    return _finish(out, by)


def month_range(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """First days of the calendar months from ``start``'s to ``end``'s, inclusive."""
    return pd.date_range(
        pd.Timestamp(start).to_period("M").to_timestamp(),
        pd.Timestamp(end).to_period("M").to_timestamp(),
        freq="MS",
    )


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
    enrolled = employees.loc[
        employees["enrolled_on"].notna(),
        ["employee_id", "wave_id", "department", "region", "enrolled_on", "left_on"],
    ]
    grid = enrolled.merge(pd.DataFrame({"month": months}), how="cross")
    month_end = grid["month"] + pd.offsets.MonthEnd(0)
    keep = (grid["enrolled_on"] <= month_end) & ~(grid["left_on"] < grid["month"])
    return grid.loc[keep, ["employee_id", "month", "wave_id", "department", "region"]].reset_index(
        drop=True
    )


def participation_rate(
    employees: pd.DataFrame,
    posts: pd.DataFrame,
    by: By = None,
    months: pd.DatetimeIndex | None = None,
) -> pd.DataFrame:
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
    cols = _by_list(by)
    attributes = ["wave_id", "department", "region"]
    if any(c not in attributes for c in cols):
        missing = next(c for c in cols if c not in attributes)
        raise ColumnNotFoundError(
            f"{missing!r} (by column) is not an employee attribute participation_rate can break down by; "
            f"available: {', '.join(attributes)} (the result is always by month as well)",
            missing,
            tuple(attributes),
        )
    emp_posts = posts.loc[posts["author_type"] == "employee"]
    if months is None:
        months = month_range(posts["published_at"].min(), posts["published_at"].max())
    grid = enrolled_months(employees, months)
    active = add_month(emp_posts)[["author_id", "month"]].drop_duplicates()
    active = active.rename(columns={"author_id": "employee_id"}).assign(active=1)
    grid = grid.merge(active, on=["employee_id", "month"], how="left")
    grid["active"] = grid["active"].fillna(0).astype("int64")
    cols = ["month", *_by_list(by)]
    out = grid.groupby(cols, observed=True, dropna=False).agg(
        n_enrolled=("employee_id", "size"), n_active=("active", "sum")
    )
    out["participation_rate"] = out["n_active"] / out["n_enrolled"]
    return out.reset_index()


FUNNEL_STAGES: tuple[str, ...] = ("eligible", "enrolled", "posted", "regular")
"""Stages of :func:`participation_funnel`, each a subset of the previous one."""


def participation_funnel(
    employees: pd.DataFrame,
    posts: pd.DataFrame,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    by: By = None,
    regular_share: float = 0.5,
) -> pd.DataFrame:
    """People at each stage of participation, from eligible staff to regular posters.

    The stages (:data:`FUNNEL_STAGES`) are nested, each a subset of the previous one:

    - ``eligible``: employed at some point of ``[start, end]`` (not ``left_on < start``);
    - ``enrolled``: eligible and enrolled on or before ``end``;
    - ``posted``: enrolled and published at least one post between their
      enrolment (or ``start``, if later) and ``end``;
    - ``regular``: posted, and active (at least one post) in at least
      ``regular_share`` of their months enrolled in the window (from the
      later of the enrolment month and ``start``'s month to the earlier of
      ``end``'s month and the month they left).

    Parameters
    ----------
    employees, posts : pandas.DataFrame
        Canonical tables.
    start, end : pandas.Timestamp or str, optional
        First and last day of the window, inclusive (default: the first and
        last post's days).
    by : str or list of str, optional
        Employee attributes to break down by (``"wave_id"``, ``"department"``, ``"region"``).
    regular_share : float
        Share of months enrolled with a post that makes a poster regular (in (0, 1]).

    Returns
    -------
    pandas.DataFrame
        One row per group and stage: by..., ``stage``, ``n`` (people at the
        stage), ``previous`` (people at the previous stage; ``n`` for
        ``eligible``), ``share_of_previous`` (``n / previous``; NaN for
        ``eligible``) and ``share_of_eligible``. Counts of people: apply the
        minimum group size before showing a breakdown
        (:func:`advocacy_eval.privacy.suppress_small_groups`).

    Examples
    --------
    >>> employees = pd.DataFrame({"employee_id": ["E1", "E2", "E3"], "department": ["IT", "IT", "HR"],
    ...                           "enrolled_on": pd.to_datetime(["2024-01-01", "2024-01-01", None]),
    ...                           "left_on": pd.to_datetime([None, None, None])})
    >>> posts = pd.DataFrame({"author_type": ["employee", "employee"], "author_id": ["E1", "E1"],
    ...                       "published_at": pd.to_datetime(["2024-01-05", "2024-02-05"])})
    >>> participation_funnel(employees, posts, "2024-01-01", "2024-02-29")[["stage", "n", "share_of_previous"]]
          stage  n  share_of_previous
    0  eligible  3                NaN
    1  enrolled  2           0.666667
    2    posted  1           0.500000
    3   regular  1           1.000000
    """
    if not 0 < float(regular_share) <= 1:
        raise ValueError(f"regular_share must be in (0, 1], got {regular_share!r}")
    cols = _by_list(by)
    require_columns(
        employees, ["employee_id", "enrolled_on", *cols], table="employees", role="column"
    )
    require_columns(posts, ["author_type", "author_id", "published_at"], table="posts")
    published = pd.to_datetime(posts["published_at"])
    first_day = pd.Timestamp(start) if start is not None else published.min().normalize()
    last_day = pd.Timestamp(end) if end is not None else published.max().normalize()
    if last_day < first_day:
        raise ValueError(f"end ({last_day.date()}) is before start ({first_day.date()})")
    limit = last_day.normalize() + pd.Timedelta(days=1)  # last_day is a day, inclusive

    emp = employees.reset_index(drop=True)
    n = len(emp)
    left = (
        pd.to_datetime(emp["left_on"])
        if "left_on" in emp.columns
        else pd.Series(pd.NaT, index=emp.index)
    )
    enrolled_on = pd.to_datetime(emp["enrolled_on"])
    eligible = ~(left < first_day).to_numpy()
    enrolled = eligible & (enrolled_on <= last_day).to_numpy()

    is_emp = np.asarray((posts["author_type"] == "employee").fillna(False), dtype=bool)
    author = pd.Index(emp["employee_id"]).get_indexer(posts["author_id"][is_emp])
    when = published[is_emp].to_numpy()
    known = author >= 0
    author, when = author[known], when[known]
    since = np.maximum(enrolled_on.to_numpy()[author], first_day.to_datetime64())
    inside = enrolled[author] & (when >= since) & (when < limit.to_datetime64())
    posted = np.zeros(n, dtype=bool)
    posted[author[inside]] = True

    def month_code(values: np.ndarray) -> np.ndarray:
        return values.astype("datetime64[M]").astype(np.int64)

    first_code = month_code(np.array([first_day.to_datetime64()]))[0]
    codes = month_code(when[inside]) - first_code
    width = int(month_code(np.array([last_day.to_datetime64()]))[0] - first_code) + 1
    pairs = np.unique(author[inside].astype(np.int64) * width + codes)
    active_months = (
        np.bincount(pairs // width, minlength=n) if len(pairs) else np.zeros(n, dtype=np.int64)
    )
    first = np.maximum(month_code(enrolled_on.fillna(first_day).to_numpy()), first_code + 0)
    last = np.minimum(month_code(left.fillna(last_day).to_numpy()), first_code + width - 1)
    months_enrolled = np.maximum(last - first + 1, 1)
    regular = posted & (active_months >= float(regular_share) * months_enrolled - 1e-9)

    flags = emp[cols].assign(
        eligible=eligible.astype("int64"),
        enrolled=enrolled.astype("int64"),
        posted=posted.astype("int64"),
        regular=regular.astype("int64"),
    )
    counts = _finish(
        _grouped(flags, cols).agg(**{stage: (stage, "sum") for stage in FUNNEL_STAGES}), cols
    )
    long = counts.melt(
        id_vars=cols, value_vars=list(FUNNEL_STAGES), var_name="stage", value_name="n"
    )
    long["stage"] = pd.Categorical(long["stage"], categories=list(FUNNEL_STAGES), ordered=True)
    long = long.sort_values([*cols, "stage"], kind="stable").reset_index(drop=True)
    long["n"] = long["n"].astype("int64")
    previous = (
        long.groupby(cols, observed=True, sort=False, dropna=False)["n"].shift(1)
        if cols
        else long["n"].shift(1)
    )
    long["previous"] = previous.fillna(long["n"]).astype("int64")
    eligible_n = long["n"].where(long["stage"] == "eligible").ffill()
    with np.errstate(divide="ignore", invalid="ignore"):
        long["share_of_previous"] = (
            long["n"] / long["previous"].where(long["previous"] > 0)
        ).where(long["stage"] != "eligible")
        long["share_of_eligible"] = long["n"] / eligible_n.where(eligible_n > 0)
    return long[[*cols, "stage", "n", "previous", "share_of_previous", "share_of_eligible"]]


def profile_reference_date(enrolled_on: pd.Series) -> pd.Series:
    """The reference date of every profile figure: the first day of the enrolment month.

    The onboarding effect compares each volunteer with the month before
    enrolment (its base period), so "without a profile", "created after
    enrolling" and "attributable to enrolling" all use the start of the
    enrolment month: a profile created on 3 March by someone enrolled on
    20 March counts as created after enrolling, in every table.
    """
    return pd.to_datetime(enrolled_on).dt.to_period("M").dt.to_timestamp()


def profiles_created(employees: pd.DataFrame, by: By = "wave_id") -> pd.DataFrame:
    """LinkedIn profiles created by enrolled employees since the start of their enrolment month.

    The reference date is :func:`profile_reference_date` (the first day of the
    enrolment month), the same as the onboarding effect's.

    Parameters
    ----------
    employees : pandas.DataFrame
        Employees table.
    by : str or list of str, optional
        Employee attributes to break down by (default ``"wave_id"``).

    Returns
    -------
    pandas.DataFrame
        Columns: by..., n_enrolled, n_without_profile (no profile at the
        reference date), n_created (profile created on or after it),
        creation_rate (n_created / n_without_profile).
    """
    require_columns(employees, _by_list(by), table="employees", role="by column")
    enrolled = employees.loc[employees["enrolled_on"].notna()].copy()
    created = enrolled["profile_created_on"]
    reference = profile_reference_date(enrolled["enrolled_on"])
    enrolled["_without"] = (created.isna() | (created >= reference)).astype("int64")
    enrolled["_created"] = (created.notna() & (created >= reference)).astype("int64")
    out = _grouped(enrolled, by).agg(
        n_enrolled=("employee_id", "size"),
        n_without_profile=("_without", "sum"),
        n_created=("_created", "sum"),
    )
    out["creation_rate"] = out["n_created"] / out["n_without_profile"].where(
        out["n_without_profile"] > 0
    )
    return _finish(out, by)


def background_profile_creation(
    employees: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp
) -> pd.DataFrame:
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
    pool = (
        (~(e["enrolled_on"] <= end)) & ~(e["left_on"] < start) & ~(e["profile_created_on"] < start)
    )
    created = pool & (e["profile_created_on"] <= end)
    n_pool, n_created = int(pool.sum()), int(created.sum())
    return pd.DataFrame(
        {
            "n_without_profile": [n_pool],
            "n_created": [n_created],
            "creation_rate": [n_created / n_pool if n_pool else np.nan],
        }
    )


def wave_window(
    waves: pd.DataFrame, wave_id: str, data_end: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
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
    check_wave(ordered["wave_id"].tolist(), wave_id)
    i = int(ordered.index[ordered["wave_id"] == wave_id][0])
    start = ordered.loc[i, "start_date"]
    end = (
        ordered.loc[i + 1, "start_date"] - pd.Timedelta(seconds=1)
        if i + 1 < len(ordered)
        else pd.Timestamp(data_end)
    )
    return start, end


def staff_reached(
    employees: pd.DataFrame, start: pd.Timestamp | str, end: pd.Timestamp | str
) -> pd.DataFrame:
    """Share of eligible staff the programme touched between two dates.

    An employee is **eligible** if employed at some point of ``[start, end]``,
    i.e. not ``left_on < start`` (the roster has no hiring date). An eligible
    employee is **touched** by any of three routes (a person can take several):

    - *enrolled*: ``enrolled_on <= end``;
    - *trained*: ``trained_on`` in ``[start, end]`` (a programme information or
      training session); a table without the ``trained_on`` column counts
      nobody as trained;
    - *profile created*: ``profile_created_on`` in ``[start, end]``.

    ``start`` is normally the programme start (the first wave's
    ``start_date``); both ends are inclusive and compared with the dates as
    stored (day precision).

    Parameters
    ----------
    employees : pandas.DataFrame
        Employees table (``enrolled_on``, ``profile_created_on``, ``left_on``
        and optionally ``trained_on``).
    start, end : pandas.Timestamp or str
        First and last day of the period, inclusive.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_eligible``, ``n_touched``, ``share`` (``n_touched /
        n_eligible``, NaN when nobody is eligible), then the people touched by
        each route among the eligible, ``n_enrolled``, ``n_trained``,
        ``n_profile_created`` (they may add up to more than ``n_touched``).

    Raises
    ------
    ValueError
        If ``end`` is before ``start``.

    Examples
    --------
    >>> emp = pd.DataFrame({
    ...     "enrolled_on": pd.to_datetime(["2024-03-01", None, None, None]),
    ...     "profile_created_on": pd.to_datetime([None, "2024-04-02", None, None]),
    ...     "left_on": pd.to_datetime([None, None, None, "2023-12-31"]),
    ...     "trained_on": pd.to_datetime([None, None, "2024-02-10", "2023-12-01"]),
    ... })
    >>> staff_reached(emp, "2024-01-01", "2024-06-30").iloc[0].tolist()
    [3.0, 3.0, 1.0, 1.0, 1.0, 1.0]
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise ValueError(f"end ({end.date()}) is before start ({start.date()})")

    def dates(column: str) -> pd.Series:
        if column not in employees.columns:
            return pd.Series(pd.NaT, index=employees.index, dtype="datetime64[ns]")
        return pd.to_datetime(employees[column])

    eligible = ~(dates("left_on") < start).to_numpy()
    enrolled = (dates("enrolled_on") <= end).to_numpy() & eligible
    trained = dates("trained_on").between(start, end).to_numpy() & eligible
    created = dates("profile_created_on").between(start, end).to_numpy() & eligible
    touched = enrolled | trained | created
    n_eligible, n_touched = int(eligible.sum()), int(touched.sum())
    return pd.DataFrame(
        {
            "n_eligible": [n_eligible],
            "n_touched": [n_touched],
            "share": [n_touched / n_eligible if n_eligible else np.nan],
            "n_enrolled": [int(enrolled.sum())],
            "n_trained": [int(trained.sum())],
            "n_profile_created": [int(created.sum())],
        }
    )
