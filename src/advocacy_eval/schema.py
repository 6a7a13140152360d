"""Canonical tables of an advocacy programme and their pandera schemas.

A programme is one folder holding four tables (CSV or Parquet):

``waves``
    One row per roll-out wave of volunteers.
``employees``
    One row per employee of the *eligible population*, enrolled or not.
    Non-enrolled and not-yet-enrolled employees are the controls.
``posts``
    One row per post, company page and employees alike.
``activity`` (optional)
    One row per employee and calendar month.

Column meanings and units are listed in :data:`COLUMNS` (the single source of
``docs/data-model.md``). The per-table rules (types, ranges, uniqueness) are
pandera schemas; the rules that involve two columns or two tables live in
:mod:`advocacy_eval.io.validate`.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .errors import ColumnNotFoundError

__all__ = [
    "ACTIVITY",
    "AUTHOR_ATTRIBUTES",
    "AUTHOR_TYPES",
    "CATEGORICAL",
    "COLUMNS",
    "CONTENT_TYPES",
    "CONTENT_TYPE_VALUES",
    "EMPLOYEES",
    "ENGAGEMENT_TERMS",
    "OPTIONAL_COLUMNS",
    "ORIGINS",
    "PAGE_LABEL",
    "POSTS",
    "REF_ID_MAX",
    "REF_ID_RULE",
    "REQUIRED_TABLES",
    "SAFE_ID_PATTERN",
    "SAFE_ID_RULE",
    "SCHEMAS",
    "TABLES",
    "TEXT_DTYPE",
    "UNCLASSIFIED",
    "WAVES",
    "Column",
    "Programme",
    "check_wave",
    "compact_text",
    "posts_with_authors",
    "require_columns",
    "safe_id_mask",
]


def __dir__() -> list[str]:
    """The public names only: tab completion shows no ``np``, ``pd`` or ``annotations``."""
    return sorted(__all__)


TABLES: tuple[str, ...] = ("waves", "employees", "posts", "activity")
"""Names of the canonical tables, in load order."""

REQUIRED_TABLES: tuple[str, ...] = ("waves", "employees", "posts")
"""Tables every programme folder must hold (``activity`` is optional)."""

AUTHOR_TYPES: tuple[str, ...] = ("company", "employee")
CONTENT_TYPES: tuple[str, ...] = ("corporate", "non_corporate")
UNCLASSIFIED = "unclassified"
"""``content_type`` of a post no classification rule matched: kept, counted, left out of the content mix."""
CONTENT_TYPE_VALUES: tuple[str, ...] = (*CONTENT_TYPES, UNCLASSIFIED)
"""Values the posts table's ``content_type`` may hold."""
ORIGINS: tuple[str, ...] = ("suggested", "own")

ENGAGEMENT_TERMS: tuple[str, ...] = ("reactions", "comments", "reposts", "clicks", "follows")
"""Post columns that count as engagements in LinkedIn's engagement rate."""

SAFE_ID_PATTERN = r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
"""Full-match pattern of an id that may become a file name or a report path (``wave_id``, ``employee_id``).

A letter or digit, then up to 63 letters, digits, ``_``, ``.`` or ``-``; never
``..``, ``/``, ``\\``, a space or a control character. Real values: ``W1``,
``E0001``, the pseudonyms ``E-3f2a9c0d1e2b4a5f``.
"""

SAFE_ID_RULE = (
    "must be a safe id (letters, digits, _ . - only; starts with a letter or digit; "
    "at most 64 characters; no '..')"
)
"""Rule shown when an id breaks :data:`SAFE_ID_PATTERN`."""

REF_ID_MAX = 512
"""Longest ``post_id`` or ``author_id`` (URNs and cleaned links are far shorter)."""

REF_ID_RULE = f"must be at most {REF_ID_MAX} characters"
"""Rule shown when a ``post_id`` or ``author_id`` is too long (they are URNs or links, never file names)."""


_SAFE_ID_CHARACTERS = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
""":data:`SAFE_ID_PATTERN` without its look-ahead: RE2 (pyarrow's regex engine) has none, Python's ``re`` is 10x slower."""


def safe_id_mask(values: pd.Series) -> pd.Series:
    """True where a value is a safe id (see :data:`SAFE_ID_PATTERN`); missing values are False.

    Evaluated as "the characters of :data:`SAFE_ID_PATTERN`, and no ``..``":
    the same set of ids, checked by pyarrow's vectorised regex engine rather
    than one Python call per value.

    Parameters
    ----------
    values : pandas.Series
        Ids as text.
    """
    text = values.astype("string")
    ok = text.str.fullmatch(_SAFE_ID_CHARACTERS) & ~text.str.contains("..", regex=False)
    return ok.fillna(False).astype(bool)


@dataclass(frozen=True)
class Column:
    """Documentation of one canonical column.

    Attributes
    ----------
    name : str
        Column name in the file.
    kind : str
        Logical type: ``id``, ``text``, ``category``, ``date``, ``datetime``,
        ``month``, ``count`` or ``bool``.
    unit : str
        Unit of the values (``"people"``, ``"posts"``, ``"-"``...).
    meaning : str
        One-sentence meaning.
    required : bool
        Whether the column must be present (its cells non-empty, but for ``members_reached``: see its meaning).
    """

    name: str
    kind: str
    unit: str
    meaning: str
    required: bool = True


COLUMNS: dict[str, tuple[Column, ...]] = {
    "waves": (
        Column("wave_id", "id", "-", "Identifier of the wave, e.g. W1; unique."),
        Column("name", "text", "-", "Readable name of the wave shown in reports."),
        Column(
            "name_en", "text", "-", "Name of the wave in English reports; empty means name.", False
        ),
        Column(
            "name_fr", "text", "-", "Name of the wave in French reports; empty means name.", False
        ),
        Column(
            "start_date",
            "date",
            "day",
            "Onboarding date: first day volunteers of this wave may enrol.",
        ),
        Column(
            "end_date", "date", "day", "Last day of the wave's enrolment window (>= start_date)."
        ),
    ),
    "employees": (
        Column(
            "employee_id",
            "id",
            "-",
            "Pseudonymous identifier (HMAC-SHA256 at import); unique; never a name or e-mail.",
        ),
        Column(
            "wave_id",
            "id",
            "-",
            "Wave the employee enrolled in; empty if never enrolled (a control).",
            False,
        ),
        Column(
            "enrolled_on",
            "date",
            "day",
            "Enrolment date; empty if never enrolled; inside the wave's window.",
            False,
        ),
        Column("department", "category", "-", "Department at the time of the roster."),
        Column("region", "category", "-", "Region at the time of the roster."),
        Column(
            "profile_created_on",
            "date",
            "day",
            "Date the employee's LinkedIn profile was created; empty if the employee has no profile.",
            False,
        ),
        Column(
            "left_on",
            "date",
            "day",
            "Date the employee left the company (attrition); empty if still employed.",
            False,
        ),
        Column(
            "trained_on",
            "date",
            "day",
            "Date the employee attended a programme session (information or training session; the first one if "
            "several); empty if never.",
            False,
        ),
    ),
    "posts": (
        Column(
            "post_id", "id", "-", "Identifier of the post (LinkedIn URN or platform id); unique."
        ),
        Column("author_type", "category", "-", "company (the company page) or employee."),
        Column(
            "author_id",
            "id",
            "-",
            "Page identifier for company posts; employee_id for employee posts.",
        ),
        Column("published_at", "datetime", "UTC timestamp", "Publication time of the post."),
        Column("network", "category", "-", "Social network, e.g. linkedin."),
        Column(
            "content_type",
            "category",
            "-",
            "corporate (values, expertise, offers, projects), non_corporate, "
            "or unclassified (no classification rule matched: left out of the content mix).",
        ),
        Column("theme", "category", "-", "Editorial theme of the content.", False),
        Column(
            "origin",
            "category",
            "-",
            "suggested (from the programme's content library) or own.",
            False,
        ),
        Column(
            "audience_size",
            "count",
            "people",
            "Followers (page) or connections + followers (employee) when posted; > 0.",
        ),
        Column(
            "impressions", "count", "views", "Times the post was displayed (not unique people)."
        ),
        Column(
            "members_reached",
            "count",
            "people",
            "Unique members who saw the post; <= impressions; empty when "
            "the export has no per-post unique reach (never filled from impressions); the column is required.",
        ),
        Column("reactions", "count", "actions", "Likes and other reactions.", False),
        Column("comments", "count", "actions", "Comments.", False),
        Column("reposts", "count", "actions", "Reposts (formerly shares).", False),
        Column("clicks", "count", "actions", "Clicks on the post's content, name or logo.", False),
        Column("follows", "count", "actions", "Follows gained from the post.", False),
    ),
    "activity": (
        Column("employee_id", "id", "-", "Pseudonymous employee identifier; exists in employees."),
        Column(
            "month",
            "month",
            "calendar month",
            "Calendar month, written YYYY-MM (stored as its first day).",
        ),
        Column("posts", "count", "posts", "Posts published by the employee in the month."),
        Column(
            "impressions", "count", "views", "Impressions of the employee's posts in the month."
        ),
        Column(
            "members_reached",
            "count",
            "people",
            "Unique members reached in the month (never a sum of daily "
            "uniques); empty when no export covers exactly that calendar month; the column is required.",
        ),
        Column(
            "engagements",
            "count",
            "actions",
            "Reactions + comments + reposts + clicks in the month.",
        ),
        Column("followers", "count", "people", "Followers at the end of the month."),
        Column(
            "has_profile",
            "bool",
            "-",
            "Whether the employee had a LinkedIn profile at the end of the month.",
        ),
    ),
}
"""Documentation of every canonical column, by table."""


def _count(nullable: bool = False, required: bool = True) -> pa.Column:
    return pa.Column(
        "Int64",
        checks=pa.Check.ge(0, error="count must be >= 0"),
        nullable=nullable,
        coerce=True,
        required=required,
    )


def _date(nullable: bool = False, required: bool = True) -> pa.Column:
    return pa.Column("datetime64[ns]", nullable=nullable, coerce=True, required=required)


def _text(
    nullable: bool = False,
    unique: bool = False,
    isin: tuple[str, ...] | None = None,
    ident: str | None = None,
    required: bool = True,
) -> pa.Column:
    """A text column; ``ident`` is ``"safe"`` (file-name-safe id) or ``"ref"`` (URN or link id)."""
    checks = [pa.Check.isin(list(isin), error=f"must be one of {', '.join(isin)}")] if isin else []
    if not nullable:
        checks.append(pa.Check.str_length(min_value=1, error="must not be empty"))
    if ident == "safe":
        checks.append(pa.Check(safe_id_mask, error=SAFE_ID_RULE))
    elif ident == "ref":
        checks.append(pa.Check.str_length(max_value=REF_ID_MAX, error=REF_ID_RULE))
    return pa.Column(
        str, checks=checks, nullable=nullable, unique=unique, coerce=True, required=required
    )


WAVES = pa.DataFrameSchema(
    {
        "wave_id": _text(unique=True, ident="safe"),
        "name": _text(),
        "name_en": _text(nullable=True, required=False),
        "name_fr": _text(nullable=True, required=False),
        "start_date": _date(),
        "end_date": _date(),
    },
    name="waves",
    strict=False,
    coerce=True,
)

EMPLOYEES = pa.DataFrameSchema(
    {
        "employee_id": _text(unique=True, ident="safe"),
        "wave_id": _text(nullable=True, ident="safe", required=False),
        "enrolled_on": _date(nullable=True, required=False),
        "department": _text(),
        "region": _text(),
        "profile_created_on": _date(nullable=True, required=False),
        "left_on": _date(nullable=True, required=False),
        "trained_on": _date(nullable=True, required=False),
    },
    name="employees",
    strict=False,
    coerce=True,
)

POSTS = pa.DataFrameSchema(
    {
        "post_id": _text(unique=True, ident="ref"),
        "author_type": _text(isin=AUTHOR_TYPES),
        "author_id": _text(ident="ref"),
        "published_at": _date(),
        "network": _text(),
        "content_type": _text(isin=CONTENT_TYPE_VALUES),
        "theme": _text(nullable=True, required=False),
        "origin": _text(nullable=True, isin=ORIGINS, required=False),
        "audience_size": pa.Column(
            "Int64", checks=pa.Check.gt(0, error="audience_size must be > 0"), coerce=True
        ),
        "impressions": _count(),
        "members_reached": _count(nullable=True),
        "reactions": _count(nullable=True, required=False),
        "comments": _count(nullable=True, required=False),
        "reposts": _count(nullable=True, required=False),
        "clicks": _count(nullable=True, required=False),
        "follows": _count(nullable=True, required=False),
    },
    name="posts",
    strict=False,
    coerce=True,
)

ACTIVITY = pa.DataFrameSchema(
    {
        "employee_id": _text(ident="safe"),
        "month": _date(),
        "posts": _count(),
        "impressions": _count(),
        "members_reached": _count(nullable=True),
        "engagements": _count(),
        "followers": _count(),
        "has_profile": pa.Column("boolean", coerce=True),
    },
    name="activity",
    strict=False,
    coerce=True,
    unique=["employee_id", "month"],
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "waves": WAVES,
    "employees": EMPLOYEES,
    "posts": POSTS,
    "activity": ACTIVITY,
}
"""pandera schema of each canonical table."""

OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(c.name for c in cols if not c.required) for table, cols in COLUMNS.items()
}
"""Columns that may be absent from a file (they are then added, empty)."""


def check_wave(wave_ids: list[str] | tuple[str, ...], wave: str) -> str:
    """Return ``wave`` if it is one of ``wave_ids``: the package's one unknown-wave check.

    Raises
    ------
    KeyError
        Naming the unknown wave and listing the known ones.
    """
    if wave not in wave_ids:
        raise KeyError(f"unknown wave {wave!r}; known waves: {', '.join(map(str, wave_ids))}")
    return wave


PAGE_LABEL = "(company page)"
"""Department, region and wave of the company page's posts in :func:`posts_with_authors` (never a silent NA)."""

AUTHOR_ATTRIBUTES: tuple[str, ...] = ("wave_id", "department", "region", "enrolled_on")
"""Employee columns :func:`posts_with_authors` attaches to each post."""


def _table_name(columns: Iterable[str]) -> str:
    """Which canonical table a set of columns looks like (``"the table"`` when none)."""
    cols = set(columns)
    if {"post_id", "author_type"} <= cols:
        return "posts"
    if {"employee_id", "has_profile"} <= cols:
        return "activity"
    if {"employee_id", "department"} <= cols:
        return "employees"
    if {"wave_id", "start_date"} <= cols:
        return "waves"
    return "the table"


def _column_hint(column: str, table: str, available: list[str]) -> str:
    """Where a missing column comes from, or the close names that exist (``""`` when nothing to say)."""
    employee_columns = {c.name for c in COLUMNS["employees"]} - {"employee_id"}
    if table == "posts" and column in employee_columns:
        return (
            f"author attributes ({', '.join(AUTHOR_ATTRIBUTES)}) come from the employees table: "
            "use programme.posts_with_authors() (or metrics.posts_with_authors(posts, employees)), "
            "which also labels the company page's posts"
        )
    if column == "month":
        return "add it with metrics.add_month(frame) (programme.posts_with_authors() adds it to the posts)"
    close = difflib.get_close_matches(column, available, n=3, cutoff=0.6)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def require_columns(
    frame: pd.DataFrame, columns: Iterable[object], table: str | None = None, role: str = "column"
) -> None:
    """Raise a :class:`~advocacy_eval.errors.ColumnNotFoundError` unless every column is in ``frame``.

    The message names the first missing column, lists the available ones and,
    when the column lives elsewhere, says how to get it (an author attribute
    of a posts table: :meth:`Programme.posts_with_authors`; ``month``:
    :func:`advocacy_eval.metrics.add_month`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : iterable
        Column names needed (non-string entries, e.g. a Series, are skipped).
    table : str, optional
        Name of the table in the message (default: guessed from its columns).
    role : str
        What the column is for, e.g. ``"by column"``.

    Raises
    ------
    ColumnNotFoundError
        Also a :class:`KeyError`.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["P1"], "author_type": ["employee"]})
    >>> require_columns(posts, ["department"])
    Traceback (most recent call last):
    ...
    advocacy_eval.errors.ColumnNotFoundError: 'department' is not a column of posts; available: post_id, \
author_type; author attributes (wave_id, department, region, enrolled_on) come from the employees table: use \
programme.posts_with_authors() (or metrics.posts_with_authors(posts, employees)), which also labels the company \
page's posts
    """
    available = [str(c) for c in frame.columns]
    for column in columns:
        if not isinstance(column, str) or column in frame.columns:
            continue
        name = table or _table_name(available)
        where = f"of {name}" if name != "the table" else "of the table"
        what = "" if role == "column" else f" ({role})"
        message = f"{column!r}{what} is not a column {where}; available: {', '.join(available)}"
        hint = _column_hint(column, name, available)
        raise ColumnNotFoundError(message + (f"; {hint}" if hint else ""), column, tuple(available))


def posts_with_authors(
    posts: pd.DataFrame, employees: pd.DataFrame, page_label: str = PAGE_LABEL
) -> pd.DataFrame:
    """Posts with their author's wave, department, region and enrolment date, and a ``month`` column.

    The company page is labelled as such: its posts get ``page_label`` as
    ``wave_id``, ``department`` and ``region`` (and no enrolment date), so a
    breakdown shows the page as its own group rather than a silent ``<NA>``.
    An employee post whose author is not in ``employees`` keeps them missing.

    Parameters
    ----------
    posts, employees : pandas.DataFrame
        Canonical tables.
    page_label : str
        Label of the page's posts in the author attributes.

    Returns
    -------
    pandas.DataFrame
        A copy of ``posts`` with ``wave_id``, ``department``, ``region``,
        ``enrolled_on``, ``after_enrolment`` (the post was published on or
        after its author's enrolment; False for the page and for
        non-enrolled authors) and ``month`` (first day of the publication
        month).

    Examples
    --------
    >>> posts = pd.DataFrame({"author_type": ["company", "employee"], "author_id": ["page", "E1"],
    ...                       "published_at": pd.to_datetime(["2024-01-05", "2024-02-20"])})
    >>> employees = pd.DataFrame({"employee_id": ["E1"], "wave_id": ["W1"], "department": ["IT"],
    ...                           "region": ["North"], "enrolled_on": pd.to_datetime(["2024-01-10"])})
    >>> posts_with_authors(posts, employees)[["department", "wave_id", "after_enrolment", "month"]]
           department         wave_id  after_enrolment      month
    0  (company page)  (company page)            False 2024-01-01
    1              IT              W1             True 2024-02-01
    """
    require_columns(posts, ["author_type", "author_id", "published_at"], table="posts")
    require_columns(employees, ["employee_id", *AUTHOR_ATTRIBUTES], table="employees")
    out = posts.copy()
    emp = employees.drop_duplicates("employee_id")
    position = pd.Index(emp["employee_id"]).get_indexer(out["author_id"])
    is_page = np.asarray((out["author_type"] == "company").fillna(False), dtype=bool)
    position = np.where(is_page, -1, position)
    for col in ("wave_id", "department", "region"):
        values = emp[col].astype("string").array.take(position, allow_fill=True)
        out[col] = pd.Series(values, index=out.index, dtype="string").mask(is_page, page_label)
    enrolled = pd.to_datetime(emp["enrolled_on"]).to_numpy()
    out["enrolled_on"] = pd.Series(
        np.where(position >= 0, enrolled[np.maximum(position, 0)], np.datetime64("NaT")),
        index=out.index,
        dtype="datetime64[ns]",
    )
    out["after_enrolment"] = (
        out["enrolled_on"].notna() & (out["published_at"] >= out["enrolled_on"])
    ).to_numpy()
    out["month"] = out["published_at"].dt.to_period("M").dt.to_timestamp()
    return out


CATEGORICAL: dict[str, tuple[str, ...]] = {
    "posts": ("author_type", "author_id", "network", "content_type", "theme", "origin"),
    "activity": ("employee_id",),
}
"""Text columns held as categoricals (few distinct values per row: 4-16x less memory, integer codes)."""


TEXT_DTYPE = pd.StringDtype("pyarrow")
"""The text dtype of validated tables (and of the categories of :data:`CATEGORICAL` columns)."""


def compact_text(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` with the :data:`CATEGORICAL` text columns of ``table`` as categoricals (sorted categories).

    Values and missing values are unchanged; the categories are the distinct
    values in lexical order, so sorting and comparisons between frames agree
    with the text. Columns already categorical with sorted categories are
    kept as they are; the caller's frame is never modified.
    """
    changes: dict[str, pd.Series] = {}
    for name in CATEGORICAL.get(table, ()):
        if name not in frame.columns:
            continue
        values = frame[name]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if categories.dtype == TEXT_DTYPE and categories.is_monotonic_increasing:
                continue
            if categories.is_monotonic_increasing and not categories.hasnans:
                # the same categories in another text dtype (a Parquet round trip gives ``str``)
                dtype = pd.CategoricalDtype(categories.astype(TEXT_DTYPE))
                codes = values.cat.codes.to_numpy()
                changes[name] = pd.Series(
                    pd.Categorical.from_codes(codes, dtype=dtype), index=frame.index, name=name
                )
                continue
            values = values.astype(TEXT_DTYPE)
        codes, uniques = pd.factorize(values.astype(TEXT_DTYPE), sort=True, use_na_sentinel=True)
        dtype = pd.CategoricalDtype(pd.Index(uniques, dtype=TEXT_DTYPE))
        changes[name] = pd.Series(
            pd.Categorical.from_codes(codes, dtype=dtype), index=frame.index, name=name
        )
    return frame.assign(**changes) if changes else frame


@dataclass
class Programme:
    """A validated advocacy programme: the canonical tables plus their provenance.

    Attributes
    ----------
    waves, employees, posts : pandas.DataFrame
        Validated canonical tables (see :data:`COLUMNS`).
    activity : pandas.DataFrame or None
        Employee x month table, when the folder holds one.
    sources : pandas.DataFrame
        One row per input file: table, file name, SHA-256, rows, bytes.
    """

    waves: pd.DataFrame
    employees: pd.DataFrame
    posts: pd.DataFrame
    activity: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        self.posts = compact_text(self.posts, "posts")
        if self.activity is not None:
            self.activity = compact_text(self.activity, "activity")

    @property
    def wave_ids(self) -> list[str]:
        """Wave identifiers ordered by start date."""
        return self.waves.sort_values("start_date")["wave_id"].tolist()

    def check_wave(self, wave: str) -> str:
        """Return ``wave`` if the programme has it (see :func:`check_wave`)."""
        return check_wave(self.wave_ids, wave)

    def wave_sizes(self) -> dict[str, int]:
        """Volunteers per wave (every wave of the waves table, 0 when empty), in start order."""
        emp = self.employees
        counts = emp.loc[emp["enrolled_on"].notna(), "wave_id"].value_counts()
        return {w: int(counts.get(w, 0)) for w in self.wave_ids}

    def memory_bytes(self) -> int:
        """In-memory size of the tables, text included (Arrow-backed text is measured without a scan)."""
        frames = [self.waves, self.employees, self.posts] + (
            [self.activity] if self.activity is not None else []
        )
        return int(sum(f.memory_usage(index=True, deep=True).sum() for f in frames))

    def posts_with_authors(self) -> pd.DataFrame:
        """Posts with their author's wave, department, region and enrolment, the page labelled as the page.

        See :func:`posts_with_authors`: the page's posts get
        :data:`PAGE_LABEL` as ``wave_id``, ``department`` and ``region``; a
        ``month`` column is added. Use it before any breakdown by an author
        attribute: ``stats.compare_rates(programme.posts_with_authors(), by="department")``.

        Returns
        -------
        pandas.DataFrame
        """
        return posts_with_authors(self.posts, self.employees)

    def __repr__(self) -> str:
        n_enrolled = int(self.employees["wave_id"].notna().sum())
        return (
            f"Programme({len(self.waves)} waves, {len(self.employees)} employees "
            f"({n_enrolled} enrolled), {len(self.posts)} posts, "
            f"activity={'yes' if self.activity is not None else 'no'})"
        )

    def _repr_html_(self) -> str:
        """A short summary for Jupyter: counts per table and the waves (no identifiers)."""
        n_enrolled = int(self.employees["wave_id"].notna().sum())
        by_type = self.posts["author_type"].value_counts()
        rows = [
            ("waves", ", ".join(html.escape(str(w)) for w in self.wave_ids)),
            ("employees", f"{len(self.employees):,} ({n_enrolled:,} enrolled)"),
            (
                "posts",
                (
                    f"{len(self.posts):,} ({int(by_type.get('employee', 0)):,} by employees, "
                    f"{int(by_type.get('company', 0)):,} by the company page)"
                ),
            ),
            (
                "activity",
                "no" if self.activity is None else f"{len(self.activity):,} employee-months",
            ),
        ]
        cells = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
            for k, v in rows
        )
        return f"<div><strong>Programme</strong><table>{cells}</table></div>"
