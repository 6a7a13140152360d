"""diff-diff's Callaway & Sant'Anna estimator, with its wide outcome matrix built without a pivot.

:class:`diff_diff.CallawaySantAnna` starts every fit by pivoting the long
panel into a units x periods matrix (``DataFrame.pivot``, then ``reindex``).
On the employee x month panel of a 200,000-employee programme (6.1 million
rows) that pivot takes about 1 s of the 2.3 s of a fit and is the fit's
memory peak (pandas' ``unstack`` builds a two-level index and several
row-sized copies: about 0.3 GB), and a report fits several effects.

The long sample :func:`~advocacy_eval.effects.onboarding.estimation_sample`
hands over is, by default, a *balanced* panel sorted by unit then period:
its wide matrix is then a reshape of the outcome column, with no copy of
the rows, and each period's covariates a column of the reshaped covariates
(diff-diff selects and reindexes the rows of each period: for the
``has_profile`` effect, conditioned on its own base-period value, that and
the pivot were 0.3 GB and 2 s of a fit). :class:`WideCallawaySantAnna`
builds exactly the structures diff-diff builds
(``tests/test_wide_structures.py`` compares every one of them with
diff-diff's own on balanced, unbalanced, unsorted and covariate panels) and
leaves every other case (unbalanced or unsorted panels, covariates that are
not all float64, survey designs) to diff-diff's own method.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from diff_diff import CallawaySantAnna

__all__ = ["WideCallawaySantAnna", "balanced_wide"]


def balanced_wide(
    df: pd.DataFrame, outcome: str, unit: str, time: str, first_treat: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index] | None:
    """The wide form of a long panel sorted by unit then period where every unit has every period.

    Parameters
    ----------
    df : pandas.DataFrame
        Long panel.
    outcome, unit, time, first_treat : str
        Column names.

    Returns
    -------
    tuple or None
        ``(units, cohorts, outcome_matrix, periods)``: the units in increasing
        order, each unit's first treated period (its first row's), the
        ``units x periods`` outcome matrix (float) and the sorted periods
        (the columns); None when the panel is not sorted and balanced, or a
        unit's first treated period is missing.
    """
    n = len(df)
    if n == 0:
        return None
    t = df[time].to_numpy()
    periods = np.unique(t)
    n_periods = len(periods)
    if n % n_periods:
        return None
    n_units = n // n_periods
    if not np.array_equal(
        t.reshape(n_units, n_periods), np.broadcast_to(periods, (n_units, n_periods))
    ):
        return None
    u = df[unit].to_numpy().reshape(n_units, n_periods)
    units = u[:, 0]
    if not (u == units[:, None]).all() or not (units[1:] > units[:-1]).all():
        return None  # a unit's rows are not together, or units are not in increasing order
    cohorts = df[first_treat].to_numpy().reshape(n_units, n_periods)[:, 0]
    if pd.isna(cohorts).any():
        return None  # groupby's first() would skip the missing value: leave it to diff-diff
    values = df[outcome].to_numpy()
    if values.dtype.kind != "f":
        return None
    return units, cohorts, values.reshape(n_units, n_periods), pd.Index(periods, name=time)


class WideCallawaySantAnna(CallawaySantAnna):
    """:class:`diff_diff.CallawaySantAnna`; a balanced, sorted panel is made wide by a reshape (see the module)."""

    def _precompute_structures(
        self,
        df: pd.DataFrame,
        outcome: str,
        unit: str,
        time: str,
        first_treat: str,
        covariates: list[str] | None,
        time_periods: list[Any],
        treatment_groups: list[Any],
        resolved_survey: Any = None,
    ) -> dict[str, Any]:
        wide = (
            balanced_wide(df, outcome, unit, time, first_treat)
            if resolved_survey is None and all(df[c].dtype == np.float64 for c in covariates or [])
            else None
        )
        if wide is None:
            return super()._precompute_structures(
                df,
                outcome,
                unit,
                time,
                first_treat,
                covariates,
                time_periods,
                treatment_groups,
                resolved_survey=resolved_survey,
            )
        all_units, unit_cohorts, outcome_matrix, columns = wide
        period_to_col = {p: i for i, p in enumerate(columns)}
        covariate_by_period = None
        if covariates:
            # each period's (units x covariates) values, as diff-diff's row selection gives them
            shape = outcome_matrix.shape
            wide_covariates = [df[c].to_numpy().reshape(shape) for c in covariates]  # views
            covariate_by_period = {
                t: np.column_stack([m[:, period_to_col[t]] for m in wide_covariates])
                for t in time_periods
            }
        return {
            "all_units": all_units,
            "unit_to_idx": {u: i for i, u in enumerate(all_units)},
            "unit_cohorts": unit_cohorts,
            "outcome_matrix": outcome_matrix,
            "period_to_col": period_to_col,
            "observed_sorted": sorted(period_to_col),
            "cohort_masks": {g: unit_cohorts == g for g in treatment_groups},
            "never_treated_mask": (unit_cohorts == 0) | (unit_cohorts == np.inf),
            "covariate_by_period": covariate_by_period,
            "time_periods": time_periods,
            "is_balanced": not np.any(np.isnan(outcome_matrix)),
            "is_panel": True,
            "canonical_size": len(all_units),
            "survey_weights": None,
            "resolved_survey": None,
            "resolved_survey_unit": None,
            "df_survey": None,
        }
