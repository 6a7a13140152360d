"""Shared result type and small helpers of :mod:`advocacy_eval.stats`.

Every public function of the sub-package returns a tidy
:class:`StatResult`: a :class:`pandas.DataFrame` with at least the columns
``estimate, ci_low, ci_high, p_value, n, method``, one row per estimate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats as _sps

from ..schema import require_columns

__all__ = [
    "CORE_COLUMNS",
    "LEVEL_SEPARATOR",
    "StatResult",
    "add_by_columns",
    "as_float_array",
    "by_columns",
    "check_conf_level",
    "group_levels",
    "grouping",
    "level_codes",
    "make_result",
    "p_two_sided",
    "pct",
    "z_critical",
]

CORE_COLUMNS: tuple[str, ...] = ("estimate", "ci_low", "ci_high", "p_value", "n", "method")
"""Columns every result of the sub-package carries."""


def _format_float(x: float) -> str:
    """Readable rendering of a float: 4 significant digits, no scientific
    notation between 1e-4 and 1e6."""
    if not np.isfinite(x):
        return str(x)
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1e6 or ax < 1e-4:
        return f"{x:.3e}"
    return f"{x:.4g}"


class StatResult(pd.DataFrame):
    """A tidy table of statistical results with a readable repr.

    It is an ordinary :class:`pandas.DataFrame` (slicing, ``merge``,
    ``to_csv``... all work and keep the type); only its text and HTML
    representations round floats to four significant digits. The full
    precision stays in the data.
    """

    _metadata: ClassVar[list[str]] = []

    @property
    def _constructor(self) -> type[StatResult]:
        return StatResult

    def __repr__(self) -> str:
        with pd.option_context("display.float_format", _format_float, "display.max_colwidth", 60):
            return super().__repr__()

    def _repr_html_(self) -> str | None:
        with pd.option_context("display.float_format", _format_float, "display.max_colwidth", 80):
            return super()._repr_html_()


def make_result(
    rows: pd.DataFrame | dict[str, Any] | Sequence[dict[str, Any]],
    first: Iterable[str] = (),
) -> StatResult:
    """Build a :class:`StatResult` with a stable column order.

    Parameters
    ----------
    rows : DataFrame, dict of columns, or sequence of row dicts
        The content.
    first : iterable of str
        Columns to put first (before the core columns), when present.

    Returns
    -------
    StatResult
        Columns ``first``, then :data:`CORE_COLUMNS`, then the rest in their
        original order. Missing core columns are added (NaN).
    """
    df = pd.DataFrame(rows)
    for col in CORE_COLUMNS:
        if col not in df.columns:
            df[col] = np.nan
    first = [c for c in first if c in df.columns and c not in CORE_COLUMNS]
    rest = [c for c in df.columns if c not in first and c not in CORE_COLUMNS]
    df = df[[*first, *CORE_COLUMNS, *rest]].reset_index(drop=True)
    return StatResult(df)


def z_critical(conf_level: float) -> float:
    """Two-sided standard-normal critical value for ``conf_level``.

    Parameters
    ----------
    conf_level : float
        Confidence level in (0, 1), e.g. 0.95.

    Returns
    -------
    float
        :math:`z_{1-\\alpha/2}` with :math:`\\alpha = 1 - \\text{conf\\_level}`.
    """
    check_conf_level(conf_level)
    return float(_sps.norm.isf((1.0 - conf_level) / 2.0))


def check_conf_level(conf_level: float) -> None:
    """Raise ``ValueError`` unless ``0 < conf_level < 1``."""
    if not 0.0 < float(conf_level) < 1.0:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level!r}")


def pct(conf_level: float) -> str:
    """``0.95 -> '95%'``, ``0.9 -> '90%'``, ``0.995 -> '99.5%'``."""
    return f"{100 * conf_level:g}%"


def as_float_array(values: Any) -> np.ndarray:
    """Numeric values (nullable ``Int64``/``Float64`` included) as a float array
    with ``NaN`` for missing."""
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
    return np.asarray(values, dtype=float)


def p_two_sided(z: np.ndarray | float) -> np.ndarray:
    """Two-sided normal p-value of a z statistic."""
    return 2.0 * _sps.norm.sf(np.abs(z))


def by_columns(by: Any) -> list[str]:
    """The column names of a ``by=`` argument: ``[]`` for None or a Series, ``[by]`` for a name, else the list."""
    if by is None or isinstance(by, pd.Series):
        return []
    if isinstance(by, str):
        return [by]
    return [str(c) for c in by]


def _label(value: Any) -> str:
    """A level of one grouping column written in a combined level (dates without a time of day)."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    return str(value)


LEVEL_SEPARATOR = " / "
"""Separator of the parts of a level grouped by several columns (``"employee / 2025-01-01"``)."""


def grouping(
    df: pd.DataFrame, by: Any, role: str = "by column"
) -> tuple[pd.Series, str, dict[str, tuple]]:
    """The grouping series of a ``by=`` argument: a column name, a list of names, or a Series.

    Several columns give one level per observed combination, written
    ``"a / b"``, ordered by the columns' own order (categories, else sorted);
    rows missing any of them are missing.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    by : str, sequence of str or pandas.Series
        The grouping.
    role : str
        Role named in the error when a column is missing.

    Returns
    -------
    (pandas.Series, str, dict)
        The group of each row (index reset), the grouping's name (the
        columns joined by ``", "`` for several), and, for several columns,
        each level's parts (``{level: (value_a, value_b)}``; empty otherwise).

    Raises
    ------
    ColumnNotFoundError
        A column is not in ``df`` (the message lists the available ones).
    """
    if isinstance(by, pd.Series):
        if len(by) != len(df):
            raise ValueError(f"{role} series must have the same length as the table")
        return by.reset_index(drop=True), str(by.name) if by.name is not None else "group", {}
    cols = by_columns(by)
    if not cols:
        raise ValueError(f"{role}: give a column name or a list of them")
    require_columns(df, cols, role=role)
    if len(cols) == 1:
        return df[cols[0]].reset_index(drop=True), cols[0], {}
    sub = df[cols].reset_index(drop=True)
    grouped = sub.groupby(cols, observed=True, sort=True, dropna=True)
    codes = grouped.ngroup().to_numpy(dtype=float, na_value=np.nan)
    keys = list(grouped.size().index)
    labels = [LEVEL_SEPARATOR.join(_label(v) for v in key) for key in keys]
    codes = np.where(np.isfinite(codes), codes, -1).astype(np.int64)
    series = pd.Series(pd.Categorical.from_codes(codes, categories=labels), name=", ".join(cols))
    return series, ", ".join(cols), dict(zip(labels, keys, strict=True))


def add_by_columns(
    result: pd.DataFrame, by: Any, parts: dict[str, tuple], after: str = "level"
) -> pd.DataFrame:
    """Add one column per grouping column (the parts of each ``level``) right after ``after``.

    Parameters
    ----------
    result : pandas.DataFrame
        A result with a ``level`` column.
    by : sequence of str
        The grouping columns (as given to :func:`grouping`).
    parts : dict
        :func:`grouping`'s level parts; nothing is added when empty.
    after : str
        Column after which the new ones go.

    Returns
    -------
    pandas.DataFrame
        The same object type, with the columns added (in place when possible).
    """
    if not parts:
        return result
    cols = by_columns(by)
    at = list(result.columns).index(after) + 1
    for i, col in enumerate(cols):
        if col in result.columns:
            continue
        result.insert(
            at + i, col, [parts.get(level, (None,) * len(cols))[i] for level in result["level"]]
        )
    return result


def group_levels(values: pd.Series) -> list[Any]:
    """Ordered distinct non-missing levels of a grouping column.

    Categorical columns keep their category order (categories absent from the
    data are dropped); other columns are sorted.
    """
    s = values.dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.unique())
        return [c for c in s.cat.categories if c in present]
    uniq = pd.unique(s)
    try:
        return sorted(uniq)
    except TypeError:
        return list(uniq)


def level_codes(values: pd.Series, levels: Sequence[Any]) -> np.ndarray:
    """Position of each value in ``levels`` (-1 for missing values and values not in ``levels``).

    Equivalent to ``pandas.Categorical(values, categories=levels).codes``, but the
    values are factorised first (codes of a categorical, a dictionary encoding of
    Arrow strings), so only the distinct values are matched against ``levels``.

    Parameters
    ----------
    values : pandas.Series
        Group of each row.
    levels : sequence
        The levels, in order.

    Returns
    -------
    numpy.ndarray of intp
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.full(len(codes), -1, dtype=np.intp)
    lookup = pd.Categorical(
        np.asarray(uniques, dtype=object), categories=list(levels)
    ).codes.astype(np.intp)
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1).astype(np.intp)
