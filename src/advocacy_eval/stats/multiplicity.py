"""Multiplicity adjustment of p-values (Holm by default, Benjamini-Hochberg)."""

from __future__ import annotations

from typing import Any

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = [
    "ADJUSTMENTS",
    "adjust_pvalues",
    "adjustment_name",
]

ADJUSTMENTS: dict[str, str] = {
    "holm": "Holm (1979) step-down, family-wise error rate",
    "fdr_bh": "Benjamini-Hochberg (1995), false discovery rate",
    "none": "no multiplicity adjustment",
}
"""Supported adjustments and their readable names."""


def adjust_pvalues(p_values: Any, method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    p_values : array_like
        Raw p-values; missing values (NaN) are left out of the family and
        stay NaN.
    method : {"holm", "fdr_bh", "none"}
        Holm's step-down procedure (family-wise error rate, the default) or
        Benjamini-Hochberg (false discovery rate), both through
        :func:`statsmodels.stats.multitest.multipletests`.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape and order as the input.
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"method must be one of {tuple(ADJUSTMENTS)}, got {method!r}")
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if (p[ok] < 0).any() or (p[ok] > 1).any():
        raise ValueError("p-values must be in [0, 1]")
    if method == "none":
        out[ok] = p[ok]
        return out
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def adjustment_name(method: str) -> str:
    """Readable name of an adjustment method, for ``adjustment`` columns."""
    if method not in ADJUSTMENTS:
        raise ValueError(f"method must be one of {tuple(ADJUSTMENTS)}, got {method!r}")
    return ADJUSTMENTS[method]
