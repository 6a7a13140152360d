"""Privacy rules for COMEX breakdowns: minimum group size and secondary suppression.

Every breakdown shown to the executive committee hides groups with fewer than
``k`` people (default 5, never below 3). Where a total is shown as well, the
next smallest groups are hidden too until the hidden groups together hold at
least ``k`` people and there are at least two of them, so that no hidden group
can be recovered by subtracting the shown groups from the total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ABSOLUTE_MIN_GROUP_SIZE",
    "DEFAULT_MIN_GROUP_SIZE",
    "cells_to_hide",
    "check_min_group_size",
    "hidden_label_keys",
    "suppress_small_groups",
]

DEFAULT_MIN_GROUP_SIZE = 5
"""Default minimum group size k."""
ABSOLUTE_MIN_GROUP_SIZE = 3
"""k may never be set below this."""


def check_min_group_size(k: int) -> int:
    """Return k if it is an allowed minimum group size.

    Parameters
    ----------
    k : int
        Requested minimum group size.

    Raises
    ------
    ValueError
        If k is below :data:`ABSOLUTE_MIN_GROUP_SIZE`.
    """
    if int(k) < ABSOLUTE_MIN_GROUP_SIZE:
        raise ValueError(
            f"minimum group size k={k} is too small: it may not be below {ABSOLUTE_MIN_GROUP_SIZE}"
        )
    return int(k)


def cells_to_hide(
    counts: np.ndarray | Sequence[float],
    k: int = DEFAULT_MIN_GROUP_SIZE,
    already: np.ndarray | None = None,
    total_shown: bool = True,
    successes: np.ndarray | Sequence[float] | None = None,
) -> np.ndarray:
    """Which cells of a breakdown to hide: the one rule of primary and secondary suppression.

    Primary: every cell with fewer than ``k`` people. Secondary (when a total
    over the cells is shown): if any cell is newly hidden, the next smallest
    cells are hidden too until

    - the hidden cells are at least two and together hold at least ``k`` people,
      so that no hidden cell can be recovered by subtracting the shown cells
      from the total; and
    - when ``successes`` is given (people with the attribute shown, e.g. "posted"):
      the hidden cells are not homogeneous, i.e. neither none nor all of their
      people have the attribute, so that the total minus the shown cells does not
      tell that every hidden person shares one value.

    Parameters
    ----------
    counts : array-like of float
        People in each cell.
    k : int
        Minimum group size (>= 3).
    already : array of bool, optional
        Cells hidden for another reason (e.g. their row is hidden); they count
        as hidden for the secondary rule.
    total_shown : bool
        Whether a total (or margin) over these cells is shown.
    successes : array-like of float, optional
        People with the attribute in each cell (for the homogeneity rule).

    Returns
    -------
    numpy.ndarray of bool
        True for the cells to hide.
    """
    k = check_min_group_size(k)
    n = np.asarray(counts, dtype=float)
    x = None if successes is None else np.asarray(successes, dtype=float)
    base = (
        np.zeros(len(n), dtype=bool) if already is None else np.asarray(already, dtype=bool).copy()
    )
    hide = base | (n < k)

    def exposed() -> bool:
        if hide.sum() < 2 or n[hide].sum() < k:
            return True
        if x is not None:
            hidden_x, hidden_n = x[hide].sum(), n[hide].sum()
            return bool(hidden_x == 0 or hidden_x == hidden_n)
        return False

    if total_shown and (hide & ~base).any():
        order = np.argsort(n, kind="stable")
        while exposed() and not hide.all():
            hide[next(i for i in order if not hide[i])] = True
    return hide


def hidden_label_keys(counts: np.ndarray | Sequence[float], hide: np.ndarray, k: int) -> np.ndarray:
    """Why each hidden cell is hidden: ``"suppressed"`` (fewer than k people) or
    ``"suppressed_secondary"`` (hidden to protect a smaller group); ``""`` when shown.

    The label must say the truth: a 6-person group hidden to protect a 3-person
    one is not "fewer than 5 people".
    """
    n = np.asarray(counts, dtype=float)
    hide = np.asarray(hide, dtype=bool)
    return np.where(~hide, "", np.where(n < k, "suppressed", "suppressed_secondary"))


def suppress_small_groups(
    table: pd.DataFrame,
    count: str,
    k: int = DEFAULT_MIN_GROUP_SIZE,
    values: Sequence[str] | None = None,
    total_shown: bool = True,
    successes: str | None = None,
) -> pd.DataFrame:
    """Hide the groups of a breakdown that are too small to show.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group.
    count : str
        Column with the number of people in each group.
    k : int
        Minimum group size (>= 3).
    values : sequence of str, optional
        Columns computed from the group (rates, counts, intervals) that are
        hidden with it; default: every numeric column but ``count``.
    total_shown : bool
        Whether a total (or margin) over these groups is shown; then secondary
        suppression applies.
    successes : str, optional
        Column with the people having the attribute shown (e.g. who posted): the
        hidden groups may then not be homogeneous (see :func:`cells_to_hide`).

    Returns
    -------
    pandas.DataFrame
        A copy where hidden groups have ``count`` and ``values`` missing, a
        boolean column ``suppressed`` and ``suppressed_reason`` (the label key:
        ``"suppressed"`` or ``"suppressed_secondary"``).
    """
    k = check_min_group_size(k)
    out = table.copy()
    n = out[count].astype(float).to_numpy()
    x = out[successes].astype(float).to_numpy() if successes is not None else None
    hide = cells_to_hide(n, k, total_shown=total_shown, successes=x)
    out["suppressed_reason"] = hidden_label_keys(n, hide, k)
    if values is None:
        values = [c for c in out.columns if c != count and pd.api.types.is_numeric_dtype(out[c])]
    for col in [count, *values]:
        out[col] = out[col].astype("Float64" if pd.api.types.is_numeric_dtype(out[col]) else object)
        out.loc[hide, col] = pd.NA
    out["suppressed"] = hide
    return out
