"""Causal effect of onboarding: staggered difference-in-differences (Callaway & Sant'Anna).

Volunteers enrol in staggered waves. Before/after comparisons confuse the
programme with everything else that changed, and a two-way fixed-effects
(TWFE) regression compares late volunteers with early ones *after* the early
ones were onboarded, which biases it when effects build up or fade. The
Callaway & Sant'Anna (2021) estimator avoids both: for every enrolment cohort
``g`` and month ``t`` it compares the cohort's change since the month before
enrolment with the change of employees not (yet) enrolled in ``t``, giving
group-time effects ATT(g, t) that are then averaged with explicit weights.

:func:`onboarding_effect` works on any long panel (unit, period, first
treated period with 0 or missing = never treated, outcome), so it can be
checked against the reference R package ``did`` on its public benchmark
panel. It is backed by :class:`diff_diff.CallawaySantAnna` (doubly robust,
analytic standard errors from influence functions, optional multiplier
bootstrap). The aggregations (overall, event study, by cohort, by calendar
month, and the overall summary of each) are computed from diff-diff's
per-cell influence functions exactly as R ``did::aggte`` does, including the
correction for estimated cohort-size weights; the simple, event-study and
cohort aggregations are checked against diff-diff's own in the tests.

With ``anticipation``, R ``did``'s current rules are followed where diff-diff
3.13 departs from them: the simple, group and calendar aggregations (and the
event study's summary) use the post-enrolment cells ``t >= g`` only (diff-diff
averages ``t >= g - anticipation``); the event study reports the anticipation
effects at ``e = -anticipation ... -1``; the anticipation cells are compared
with the base period ``g - anticipation - 1`` under either base-period choice
(re-estimated when diff-diff's varying base would use ``t - 1``); the
pre-tests use ``t < g - anticipation`` only. :func:`anticipation_check` tells
whether an effect shows signs that units reacted before enrolling.

:func:`twfe_estimate`, :func:`bacon_decomposition` and :func:`honest_bounds`
give the diagnostics: the TWFE estimate as a contrast only, the
Goodman-Bacon decomposition that explains the gap, and Rambachan & Roth
(2023) bounds under violations of parallel trends.

Design choices, assumptions and caveats: ``docs/onboarding-effect.md``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from .._display import fmt_value, html_summary, interval
from ..panel import Panel
from ..stats._result import CORE_COLUMNS, StatResult, make_result

__all__ = [
    "CONTROLS",
    "UNBALANCED",
    "AnticipationCheck",
    "BaconResult",
    "HonestBounds",
    "OnboardingEffect",
    "absorbing_outcome_warning",
    "anticipation_check",
    "bacon_decomposition",
    "estimation_sample",
    "honest_bounds",
    "onboarding_effect",
    "profiles_attributable",
    "twfe_estimate",
]

CONTROLS: dict[str, str] = {
    "not_yet_treated": "not_yet_treated",
    "notyettreated": "not_yet_treated",
    "not_yet_enrolled": "not_yet_treated",
    "never_treated": "never_treated",
    "nevertreated": "never_treated",
    "never_enrolled": "never_treated",
}
"""Accepted spellings of the control group (diff-diff's and R ``did``'s)."""

UNBALANCED: tuple[str, ...] = ("balance", "keep")
"""Ways to handle units not observed in every period (see :func:`onboarding_effect`)."""


# ----------------------------------------------------------------------------- data preparation


def _resolve_columns(
    panel: Panel | pd.DataFrame, unit: str | None, period: str | None, first_period: str | None
) -> tuple[pd.DataFrame, str, str, str]:
    if isinstance(panel, Panel):
        return (
            panel.data,
            unit or panel.unit,
            period or panel.period,
            first_period or panel.first_period,
        )
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"panel must be a Panel or a pandas DataFrame, got {type(panel).__name__}")
    missing = [
        name
        for name, v in (("unit", unit), ("period", period), ("first_period", first_period))
        if v is None
    ]
    if missing:
        raise ValueError(f"with a DataFrame, give the column names: {', '.join(missing)}")
    return panel, unit, period, first_period  # type: ignore[return-value]


def _unit_codes(values: pd.Series) -> np.ndarray:
    """Codes ``0..n-1`` of the units in order of first appearance (:func:`pandas.factorize`).

    A panel's ``unit`` column already holds such codes, sorted: it is used as is.
    """
    arr = values.to_numpy() if isinstance(values.dtype, np.dtype) else None
    if arr is not None and arr.dtype.kind in "iu" and len(arr) and arr[0] == 0:
        step = np.diff(arr)
        if bool(((step == 0) | (step == 1)).all()):
            return arr.astype(np.int64)
    codes, _ = pd.factorize(values, sort=False)
    return codes.astype(np.int64, copy=False)


def _narrow(values: np.ndarray) -> np.ndarray:
    """Integer values in the narrowest of int16, int32 and int64 that holds them (others unchanged)."""
    if values.dtype.kind not in "iu":
        return values
    low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
    for dtype in (np.int16, np.int32, np.int64):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return values.astype(dtype, copy=False)
    return values


def _distinct(values: np.ndarray) -> np.ndarray:
    """``numpy.unique`` (sorted distinct values); small non-negative integers are found without sorting."""
    if values.dtype.kind in "iu" and len(values) and values.min() >= 0 and values.max() < 1_000_000:
        return np.flatnonzero(np.bincount(values)).astype(values.dtype)
    return np.unique(values)


def _n_distinct(values: np.ndarray, dropna: bool = True) -> int:
    """Number of distinct values: :meth:`pandas.Series.nunique` (``dropna``) or ``len(numpy.unique)``.

    Small non-negative integers (periods) are counted without sorting.
    """
    if values.dtype.kind in "iu" and len(values) and values.min() >= 0 and values.max() < 1_000_000:
        return int(np.count_nonzero(np.bincount(values)))
    return int(pd.Series(values).nunique()) if dropna else len(np.unique(values))


def estimation_sample(
    panel: Panel | pd.DataFrame,
    outcome: str,
    unit: str | None = None,
    period: str | None = None,
    first_period: str | None = None,
    unbalanced: str = "balance",
    covariates: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows the estimator uses and a report of the units left out.

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        Long panel.
    outcome : str
        Outcome column.
    unit, period, first_period : str, optional
        Column names (taken from the :class:`~advocacy_eval.panel.Panel` when
        omitted).
    unbalanced : str
        ``"balance"``: keep only units whose outcome is observed in every
        period (the default; the usual choice of R ``did``); ``"keep"``: keep
        every row; each ATT(g, t) then uses the units observed in both its
        base period and ``t``.
    covariates : sequence of str, optional
        Covariate columns to carry.

    Returns
    -------
    sample : pandas.DataFrame
        Columns ``unit, period, first_period, y`` (+ covariates), sorted; the ids and periods
        in the narrowest integer type that holds them (int16 for months, int32 for employees).
    report : pandas.DataFrame
        ``key, value, description``: units and rows in, units left out and why.
    """
    if unbalanced not in UNBALANCED:
        raise ValueError(f"unbalanced must be one of {UNBALANCED}, got {unbalanced!r}")
    data, unit, period, first_period = _resolve_columns(panel, unit, period, first_period)
    if isinstance(panel, Panel) and outcome not in panel.estimable:
        note = " ".join(panel.notes)
        raise ValueError(
            f"the effect on {outcome!r} cannot be estimated from this panel "
            f"(estimable: {', '.join(panel.estimable)}). {note}".strip()
        )
    cols = [unit, period, first_period, outcome, *(covariates or [])]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise KeyError(f"column(s) not in the panel: {', '.join(missing)}")
    codes = _unit_codes(data[unit])
    if (codes < 0).any():
        raise ValueError(f"the unit column {unit!r} has missing values")
    per = pd.to_numeric(data[period]).to_numpy()
    fp = pd.to_numeric(data[first_period]).fillna(0).to_numpy()
    # sort by unit then period; a panel is built sorted, so the permutation is usually the identity
    if len(codes) < 2 or bool(
        np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (per[1:] >= per[:-1])))
    ):
        order = None
    else:
        order = np.lexsort((per, codes))
        codes, per, fp = codes[order], per[order], fp[order]

    def column(name: str) -> np.ndarray:
        values = pd.to_numeric(data[name]).astype("float64").to_numpy()
        return values if order is None else values[order]

    y = column(outcome)
    covs = {c: column(c) for c in covariates or []}
    if (fp < 0).any():
        raise ValueError("first_period must be >= 0 (0 or missing = never treated)")
    same_unit = codes[1:] == codes[:-1]
    if (same_unit & (per[1:] == per[:-1])).any():
        raise ValueError("the panel has duplicate (unit, period) rows")
    if (same_unit & (fp[1:] != fp[:-1])).any():
        raise ValueError("first_period must be constant within a unit")
    del same_unit
    n_periods_all = _n_distinct(per, dropna=False)
    n_units_all = int(codes.max()) + 1 if len(codes) else 0
    n_rows_all = len(codes)
    first = pd.Series(per).min()
    unit_fp = np.zeros(n_units_all, dtype=fp.dtype)
    unit_fp[codes] = fp  # constant within a unit

    def n_units_among(rows: np.ndarray) -> int:
        return int(np.count_nonzero(np.bincount(codes[rows], minlength=n_units_all)))

    keep = ~np.isnan(y)
    for values in covs.values():
        keep &= ~np.isnan(values)
    rows_missing = n_rows_all - int(keep.sum())
    units_missing = n_units_all - n_units_among(keep)
    # treated at or before the first period: no pre-period
    always = keep & (fp > 0) & (fp <= first)
    n_always = n_units_among(always)
    keep &= ~always
    del always
    n_unbalanced = 0
    n_unbalanced_treated = 0
    if unbalanced == "balance":
        per_unit = np.bincount(codes[keep], minlength=n_units_all)
        partial = (per_unit > 0) & (per_unit != n_periods_all)
        n_unbalanced = int(partial.sum())
        n_unbalanced_treated = int((partial & (unit_fp > 0)).sum())
        keep &= per_unit[codes] == n_periods_all
    used = np.bincount(codes[keep], minlength=n_units_all) > 0
    # the narrowest integer types that hold the ids and periods: diff-diff copies the sample several
    # times per fit (about 0.1 GB less at the peak of a fit at 200,000 employees, issue 12)
    df = pd.DataFrame(
        {
            "unit": _narrow(codes[keep]),
            "period": _narrow(per[keep]),
            "first_period": _narrow(fp[keep]),
            "y": y[keep],
        }
    )
    for c, cov in covs.items():
        df[c] = cov[keep]
    counts = {
        "units_in_panel": (n_units_all, "units in the panel"),
        "rows_in_panel": (n_rows_all, "rows in the panel"),
        "rows_missing_outcome": (
            rows_missing,
            f"rows without {outcome} (or a covariate), left out",
        ),
        "units_without_outcome": (units_missing, f"units with no observed {outcome}, left out"),
        "units_always_treated": (
            n_always,
            "units treated in or before the first period (no pre-period), left out",
        ),
        "units_unbalanced": (
            n_unbalanced,
            "units not observed in every period, left out (unbalanced='balance')",
        ),
        "units_unbalanced_treated": (n_unbalanced_treated, "of which treated units"),
        "units_used": (int(used.sum()), "units used"),
        "units_treated_used": (int((used & (unit_fp > 0)).sum()), "treated units used"),
        "units_never_treated_used": (
            int((used & (unit_fp == 0)).sum()),
            "never-treated units used",
        ),
        "rows_used": (len(df), "rows used"),
        "periods_used": (_n_distinct(df["period"].to_numpy()), "periods used"),
    }
    report = pd.DataFrame(
        {
            "key": list(counts),
            "value": [int(v[0]) for v in counts.values()],
            "description": [v[1] for v in counts.values()],
        }
    )
    return df, report


def _table(rows: list[dict], first: Sequence[str] = ()) -> StatResult:
    """A :class:`StatResult` from row dicts sharing the same keys (built column-wise: faster)."""
    if not rows:
        return make_result([], first=first)
    keys = list(dict.fromkeys(k for r in rows for k in r))
    cols = {k: [r.get(k) for r in rows] for k in keys}
    for c in CORE_COLUMNS:
        cols.setdefault(c, [np.nan] * len(rows))
    lead = [c for c in first if c in cols and c not in CORE_COLUMNS]
    order = [*lead, *CORE_COLUMNS, *(k for k in keys if k not in lead and k not in CORE_COLUMNS)]
    return StatResult({k: cols[k] for k in order})


# ----------------------------------------------------------------------------- aggregation engine


class _Aggregator:
    """Aggregations of ATT(g, t) from diff-diff's per-cell influence functions (R ``did::aggte``).

    The influence function of a cell is stored sparsely (treated and control
    unit positions and values) on diff-diff's scale, where the standard error
    is ``sqrt(sum(psi ** 2))``.
    """

    def __init__(self, result: Any, alpha: float, anticipation: int) -> None:
        kit = getattr(result, "_aggregation_kit", None)
        if kit is None:  # pragma: no cover - diff-diff always attaches it on a fit
            raise RuntimeError("diff-diff result carries no aggregation kit; cannot aggregate")
        self._setup(
            result.group_time_effects,
            kit.influence,
            kit.bookkeeping["unit_cohorts"],
            alpha,
            anticipation,
        )

    @classmethod
    def from_cells(
        cls,
        group_time_effects: dict,
        influence: dict,
        unit_cohorts: np.ndarray,
        alpha: float,
        anticipation: int,
    ) -> _Aggregator:
        """An aggregator of some cells only (see :func:`_cell_estimates`), positions into ``unit_cohorts``."""
        agg = cls.__new__(cls)
        agg._setup(group_time_effects, influence, unit_cohorts, alpha, anticipation)
        return agg

    def _setup(
        self,
        group_time_effects: dict,
        influence: dict,
        unit_cohorts: Any,
        alpha: float,
        anticipation: int,
    ) -> None:
        self.influence: dict = influence
        self._dense: tuple[np.ndarray, dict] | None = None
        cohorts = np.asarray(unit_cohorts, dtype=float)
        self.n_units = len(cohorts)
        self.cohort_values, self.cohort_codes = np.unique(cohorts, return_inverse=True)
        self.cohort_sizes = np.bincount(self.cohort_codes).astype(float)
        self.alpha = alpha
        self.anticipation = anticipation
        self.z = float(sps.norm.isf(alpha / 2))
        cells = [
            (g, t, d)
            for (g, t), d in group_time_effects.items()
            if np.isfinite(d["effect"]) and not d.get("is_reference", False)
        ]
        self.cells = sorted(cells, key=lambda c: (c[0], c[1]))
        self.att = {(g, t): float(d["effect"]) for g, t, d in self.cells}
        self.n_treated = {(g, t): float(d["n_treated"]) for g, t, d in self.cells}

    def pg(self, g: float) -> float:
        """Cohort share ``n_g / N`` (R's ``pg``)."""
        pos = np.searchsorted(self.cohort_values, g)
        return float(self.cohort_sizes[pos] / self.n_units)

    def cell_psi(self, key: tuple) -> np.ndarray:
        """Dense influence function of one cell."""
        if self._dense is not None:
            row = self._dense[1].get(key)
            return self._dense[0][row].copy() if row is not None else np.zeros(self.n_units)
        psi = np.zeros(self.n_units)
        info = self.influence.get(key)
        if info is not None:
            psi[info["treated_idx"]] += info["treated_inf"]
            psi[info["control_idx"]] += info["control_inf"]
        return psi

    def densify(self) -> None:
        """Hold every cell's influence function as a dense row (while many aggregations are computed).

        Each aggregation then streams over rows instead of scattering into
        random positions; the sums are the same, term by term and in the same
        order (units outside a cell add an exact zero). :meth:`sparsify` frees
        the rows.
        """
        keys = [k for k in self.att if k in self.influence]
        matrix = np.zeros((len(keys), self.n_units))
        for row, k in zip(matrix, keys, strict=True):
            info = self.influence[k]
            row[info["treated_idx"]] = info["treated_inf"]
            row[info["control_idx"]] = info["control_inf"]
        self._dense = (matrix, {k: i for i, k in enumerate(keys)})

    def sparsify(self) -> None:
        """Free the dense rows of :meth:`densify`."""
        self._dense = None

    def weighted(
        self, keys: Sequence[tuple], weights: np.ndarray, wif: bool
    ) -> tuple[float, np.ndarray]:
        """Estimate and influence function of ``sum_k w_k ATT_k``.

        With ``wif=True`` the weights are cohort shares normalised over the
        cells (R ``did``), and the influence of estimating those shares is
        added (R's ``wif``).
        """
        effects = np.array([self.att[k] for k in keys])
        weights = np.asarray(weights, dtype=float)
        estimate = float(weights @ effects)
        psi = np.zeros(self.n_units)
        if self._dense is not None:
            matrix, rows = self._dense
            for k, w in zip(keys, weights, strict=True):
                if k in rows:
                    psi += w * matrix[rows[k]]
        else:
            for k, w in zip(keys, weights, strict=True):
                info = self.influence.get(k)
                if info is None:
                    continue
                psi[info["treated_idx"]] += w * info["treated_inf"]
                psi[info["control_idx"]] += w * info["control_inf"]
        if wif:
            psi += self._wif([k[0] for k in keys], effects) / self.n_units
        return estimate, psi

    def _wif(self, groups: Sequence[float], effects: np.ndarray) -> np.ndarray:
        """R ``did``'s weight influence function times the effects (closed form)."""
        group_values = np.asarray(groups, dtype=float)
        pos = np.searchsorted(self.cohort_values, group_values)
        pg = self.cohort_sizes[pos] / self.n_units
        s = pg.sum()
        if s == 0:
            return np.zeros(self.n_units)
        d = float(pg @ effects)
        e_by = np.bincount(pos, weights=effects, minlength=len(self.cohort_values))
        k_by = np.bincount(pos, minlength=len(self.cohort_values)).astype(float)
        return e_by[self.cohort_codes] / s - k_by[self.cohort_codes] * d / s**2

    def cohort_weighted(
        self, keys: Sequence[tuple], cell_weights: str = "n_treated"
    ) -> tuple[float, np.ndarray]:
        """Average of cells weighted by cohort size, with the weight correction (simple, dynamic, calendar)."""
        if cell_weights == "n_treated":
            w = np.array([self.n_treated[k] for k in keys])
        else:
            w = np.array([self.pg(k[0]) for k in keys])
        return self.weighted(keys, w / w.sum(), wif=True)

    def row(self, estimate: float, psi: np.ndarray | None, se: float | None = None) -> dict:
        if se is None:
            se = float(np.sqrt(np.sum(psi**2))) if psi is not None else np.nan
        ok = np.isfinite(se) and se > 0
        return {
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - self.z * se if ok else np.nan,
            "ci_high": estimate + self.z * se if ok else np.nan,
            "p_value": float(math.erfc(abs(estimate) / se / math.sqrt(2))) if ok else np.nan,
        }


def _bootstrap_rows(
    estimates: np.ndarray,
    psis: np.ndarray,
    n_bootstrap: int,
    seed: int | None,
    weight_type: str,
    alpha: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Multiplier bootstrap on aggregated influence functions (for rows diff-diff does not aggregate)."""
    from diff_diff.bootstrap_utils import (
        compute_effect_bootstrap_stats_batch,
        generate_bootstrap_weights_batch_numpy,
    )

    rng = np.random.default_rng(None if seed is None else seed + 7919)
    n = psis.shape[0]
    draws = np.empty((n_bootstrap, psis.shape[1]))
    block = max(1, min(n_bootstrap, int(2e7 // max(n, 1))))
    for start in range(0, n_bootstrap, block):
        stop = min(n_bootstrap, start + block)
        w = generate_bootstrap_weights_batch_numpy(stop - start, n, weight_type, rng)
        draws[start:stop] = w @ psis
    ses, lo, hi, pv = compute_effect_bootstrap_stats_batch(
        estimates, estimates[None, :] + draws, alpha=alpha
    )
    return np.asarray(ses), np.asarray(lo), np.asarray(hi), np.asarray(pv)


# ----------------------------------------------------------------------------- result object


@dataclass
class OnboardingEffect:
    """Result of :func:`onboarding_effect`: tidy tables of estimates with 95% intervals.

    Every table is a :class:`~advocacy_eval.stats._result.StatResult` with
    ``estimate, ci_low, ci_high, p_value, n, method`` plus ``se``.

    Attributes
    ----------
    outcome, control, method : str
        What was estimated and how (``control`` in diff-diff's spelling).
    anticipation : int
        Periods before enrolment in which effects were allowed.
    alpha : float
        1 - confidence level.
    inference : str
        ``"analytic"`` or ``"bootstrap"``.
    group_time : StatResult
        ATT(g, t): ``cohort`` (first period), ``period``, ``event_time``,
        ``cohort_label``, ``n`` (treated units), ``n_control``; pre-periods
        (``event_time < 0``) are placebo estimates.
    overall : StatResult
        One row: the simple aggregation (average over every treated
        cohort x post-enrolment period ``t >= g``, weighted by cohort size;
        anticipation periods are not averaged in, as in R ``did``).
    event_study : StatResult
        By ``event_time`` (months since enrolment; 0 = enrolment month);
        with anticipation, ``-anticipation ... -1`` are the anticipation
        effects (compared with the month ``-anticipation - 1``).
    by_group : StatResult
        By enrolment cohort: each cohort's average over its post periods (``t >= g``).
    calendar : StatResult
        By calendar ``period``: average over the cohorts enrolled by then.
    summary : StatResult
        The overall summary of each aggregation (``type``: simple, group,
        dynamic (mean over ``e >= 0``), calendar), as R ``did::aggte`` reports
        ``overall.att``.
    pretrend : StatResult
        Joint Wald tests that the pre-enrolment placebo effects are zero
        (``test``: group_time, event_study; periods ``t < g - anticipation``
        only): ``statistic``, ``df``, ``p_value``.
    sample : pandas.DataFrame
        Units and rows used and left out (:func:`estimation_sample`).
    warnings : list of str
        Warnings raised by the estimator.
    result : diff_diff.CallawaySantAnnaResults
        The underlying diff-diff result.
    by_wave : StatResult or None
        Effect per wave (a wave may hold several enrolment cohorts), when the
        panel is a :class:`~advocacy_eval.panel.Panel`.
    """

    outcome: str
    control: str
    method: str
    anticipation: int
    alpha: float
    inference: str
    group_time: StatResult
    overall: StatResult
    event_study: StatResult
    by_group: StatResult
    calendar: StatResult
    summary: StatResult
    pretrend: StatResult
    sample: pd.DataFrame
    warnings: list[str]
    result: Any = field(repr=False)
    by_wave: StatResult | None = None
    cohort_labels: dict = field(default_factory=dict, repr=False)
    period_labels: dict = field(default_factory=dict, repr=False)
    _agg: _Aggregator | None = field(default=None, repr=False)

    @property
    def att(self) -> float:
        """The overall (simple) ATT."""
        return float(self.overall["estimate"].iloc[0])

    @property
    def se(self) -> float:
        """Standard error of the overall ATT."""
        return float(self.overall["se"].iloc[0])

    def _pretrend_p(self) -> float:
        """p-value of the joint pre-enrolment test on the event study (NaN when not computed)."""
        rows = self.pretrend.loc[self.pretrend["test"] == "event_study", "p_value"]
        return float(rows.iloc[0]) if len(rows) else float("nan")

    def __repr__(self) -> str:
        o = self.overall.iloc[0]
        return (
            f"OnboardingEffect({self.outcome}: ATT {interval(o['estimate'], o['ci_low'], o['ci_high'])}, "
            f"{len(self.by_group)} cohorts, {len(self.group_time)} ATT(g,t), control {self.control}; "
            f"pre-trend p {fmt_value(self._pretrend_p())})"
        )

    def _repr_html_(self) -> str:
        o = self.overall.iloc[0]
        return html_summary(
            f"Onboarding effect on {self.outcome}",
            [
                (
                    f"ATT, {1 - self.alpha:.0%} interval",
                    interval(o["estimate"], o["ci_low"], o["ci_high"]),
                ),
                ("standard error", float(o["se"])),
                ("method", self.method),
                ("control group", self.control),
                ("anticipation (months)", self.anticipation),
                ("inference", self.inference),
                ("pre-trend test p (event study)", self._pretrend_p()),
                ("warnings", len(self.warnings)),
            ],
            tables=[
                ("aggregations", self.summary),
                ("event study", self.event_study),
                ("by cohort", self.by_group),
                ("by wave", self.by_wave),
                ("pre-trend tests", self.pretrend),
                ("ATT(g, t)", self.group_time),
                ("estimation sample", self.sample),
            ],
        )

    def combine(self, weights: pd.DataFrame, label: str = "combination") -> StatResult:
        """Estimate and interval of a fixed linear combination of ATT(g, t).

        The coefficients are treated as fixed (e.g. counts of employees), so
        no weight-estimation term is added. Analytic standard error from the
        cells' influence functions.

        Parameters
        ----------
        weights : pandas.DataFrame
            Columns ``cohort``, ``period``, ``weight``.
        label : str
            Name of the row.

        Returns
        -------
        StatResult
            One row: label, estimate, se, ci_low, ci_high, p_value, n (cells).
        """
        return _combine(self._require_agg(), self.method, weights, label)

    def _require_agg(self) -> _Aggregator:
        if self._agg is None:  # pragma: no cover
            raise RuntimeError("this result has no aggregation engine")
        return self._agg


def _combine(agg: _Aggregator, method: str, weights: pd.DataFrame, label: str) -> StatResult:
    """:meth:`OnboardingEffect.combine` on an aggregator (``method``: the effect's method label)."""
    keys, w = [], []
    for r in weights.itertuples(index=False):
        key = (float(r.cohort), float(r.period))
        match = [k for k in agg.att if k[0] == key[0] and k[1] == key[1]]
        if not match:
            raise KeyError(f"no estimated ATT for cohort {r.cohort}, period {r.period}")
        keys.append(match[0])
        w.append(float(r.weight))
    estimate, psi = agg.weighted(keys, np.asarray(w), wif=False)
    row = {
        "label": label,
        **agg.row(estimate, psi),
        "n": len(keys),
        "method": f"fixed linear combination of ATT(g,t), {method}",
    }
    return make_result([row], first=["label"])


def _method_label(
    method: str,
    control: str,
    inference: str,
    n_bootstrap: int,
    covariates: Sequence[str] | None = None,
) -> str:
    est = {
        "dr": "doubly robust",
        "ipw": "inverse probability weighting",
        "reg": "outcome regression",
    }[method]
    ctrl = (
        "not-yet-enrolled and never-enrolled controls"
        if control == "not_yet_treated"
        else "never-enrolled controls"
    )
    inf = (
        "analytic SE"
        if inference == "analytic"
        else f"multiplier bootstrap SE ({n_bootstrap} draws)"
    )
    cov = f", conditional on {', '.join(covariates)} at the base period" if covariates else ""
    return f"Callaway-Sant'Anna ({est}), {ctrl}{cov}, {inf}"


def onboarding_effect(
    panel: Panel | pd.DataFrame,
    outcome: str,
    unit: str | None = None,
    period: str | None = None,
    first_period: str | None = None,
    control: str = "not_yet_treated",
    anticipation: int = 0,
    method: str = "dr",
    covariates: Sequence[str] | None = None,
    unbalanced: str = "balance",
    base_period: str = "varying",
    n_bootstrap: int = 0,
    seed: int | None = None,
    bootstrap_weights: str = "rademacher",
    alpha: float = 0.05,
) -> OnboardingEffect:
    """Estimate the effect of enrolling on a monthly outcome (staggered DiD, Callaway & Sant'Anna).

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        A :class:`~advocacy_eval.panel.Panel` (from
        :func:`~advocacy_eval.panel.build_panel`) or any long panel.
    outcome : str
        Outcome column (levels per period, e.g. ``"posts"``).
    unit, period, first_period : str, optional
        Column names of the unit id, the numeric period and the first treated
        period (0 or missing = never treated). Taken from the Panel when
        omitted; required for a DataFrame.
    control : str
        ``"not_yet_treated"`` (default: employees not enrolled yet in the
        month compared, plus those who never enrol) or ``"never_treated"``.
        R ``did`` spellings ``"notyettreated"``/``"nevertreated"`` are
        accepted.
    anticipation : int
        Periods before enrolment in which behaviour may already change (the
        base period moves back by as many periods). R ``did``'s rules: the
        anticipation periods are compared with ``g - anticipation - 1``,
        reported in the event study, and left out of the overall, group and
        calendar effects and of the pre-tests.
    method : str
        ``"dr"`` (doubly robust, default), ``"ipw"`` or ``"reg"``.
    covariates : sequence of str, optional
        Covariates for conditional parallel trends (taken at the base period).
        ``None`` (default): none, except for an **absorbing 0/1 outcome**
        (values 0 and 1, never falling back to 0 within a unit, e.g.
        ``has_profile``), which is conditioned on its own value at the base
        period, as the reports do: units that already have it cannot gain it,
        so when treated and control units differ in how many already have it
        (volunteers include fewer employees without a profile) unconditional
        parallel trends fail and the effect is biased (too low on the
        synthetic programmes; see ``docs/onboarding-effect.md``). Pass ``()``
        for no covariate at all: for an absorbing 0/1 outcome this warns,
        naming the bias and the remedy, and so does a list of covariates
        without the outcome.
    unbalanced : str
        ``"balance"`` (default): units observed in every period only;
        ``"keep"``: all rows (diff-diff's within-cell differencing).
    base_period : str
        ``"varying"`` (default, as R ``did``) or ``"universal"`` (needed for
        :func:`honest_bounds`). Post-enrolment effects are identical.
    n_bootstrap : int
        0 (default): analytic standard errors. Otherwise the number of
        multiplier-bootstrap draws (percentile intervals).
    seed : int, optional
        Seed of the bootstrap.
    bootstrap_weights : str
        ``"rademacher"``, ``"mammen"`` or ``"webb"``.
    alpha : float
        1 - confidence level (0.05 gives 95% intervals).

    Returns
    -------
    OnboardingEffect
        Group-time ATTs, overall ATT, event study, by cohort, by calendar
        month, the summary of each aggregation, the pre-trend tests and the
        sample report.

    Raises
    ------
    ValueError
        On an unknown option, an outcome that the panel cannot support, or a
        panel without treated or control units.

    Examples
    --------
    >>> from advocacy_eval.sample import generate_programme
    >>> from advocacy_eval.panel import build_panel
    >>> prog = generate_programme(seed=1, n_employees=400)
    >>> eff = onboarding_effect(build_panel(prog), "posts")
    >>> round(eff.att, 1) > 0
    True
    """
    from ._wide import WideCallawaySantAnna as CallawaySantAnna

    if control not in CONTROLS:
        raise ValueError(f"control must be one of {sorted(set(CONTROLS))}, got {control!r}")
    control = CONTROLS[control]
    if method not in ("dr", "ipw", "reg"):
        raise ValueError(f"method must be 'dr', 'ipw' or 'reg', got {method!r}")
    if n_bootstrap < 0:
        raise ValueError("n_bootstrap must be >= 0")
    sample, report = estimation_sample(
        panel, outcome, unit, period, first_period, unbalanced, covariates
    )
    if (sample["first_period"] > 0).sum() == 0:
        raise ValueError("no treated unit with a pre-period in the estimation sample")
    if control == "never_treated" and (sample["first_period"] == 0).sum() == 0:
        raise ValueError("no never-treated unit: use control='not_yet_treated'")
    notes: list[str] = []
    if _absorbing_binary(sample):
        if (
            covariates is None
        ):  # the safe default: compare units with the same status at the base period
            name = outcome if outcome not in sample.columns else f"{outcome}_at_base"
            sample[name] = sample["y"]
            covariates = [name]
        elif outcome not in covariates:
            notes.append(absorbing_outcome_warning(outcome))
            warnings.warn(notes[-1], UserWarning, stacklevel=2)

    inference = "bootstrap" if n_bootstrap > 0 else "analytic"
    cs = CallawaySantAnna(
        control_group=control,
        anticipation=anticipation,
        estimation_method=method,
        alpha=alpha,
        n_bootstrap=n_bootstrap,
        seed=seed,
        bootstrap_weights=bootstrap_weights,
        base_period=base_period,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cs.fit(
            sample,
            outcome="y",
            unit="unit",
            time="period",
            first_treat="first_period",
            covariates=list(covariates) if covariates else None,
        )
    messages = list(dict.fromkeys([*notes, *(str(w.message) for w in caught)]))
    label = _method_label(method, control, inference, n_bootstrap, covariates)

    cohort_labels: dict[float, str] = {}
    period_labels: dict[float, pd.Timestamp] = {}
    if isinstance(panel, Panel):
        cohort_labels = {float(k): v for k, v in panel.cohort_labels().items()}
        period_labels = {float(p): panel.months[int(p) - 1] for p in range(1, panel.n_periods + 1)}

    if anticipation >= 2 and base_period == "varying":
        agg = _with_anticipation_cells(
            result, sample, control, anticipation, method, covariates, alpha
        )
    else:
        agg = _Aggregator(result, alpha, anticipation)
    del sample
    agg.densify()  # every aggregation below sums rows of influence functions
    tables = _aggregate(
        agg,
        result,
        label,
        cohort_labels,
        period_labels,
        n_bootstrap,
        seed,
        bootstrap_weights,
        alpha,
    )
    effect = OnboardingEffect(
        outcome=outcome,
        control=control,
        method=label,
        anticipation=anticipation,
        alpha=alpha,
        inference=inference,
        sample=report,
        warnings=messages,
        result=result,
        cohort_labels=cohort_labels,
        period_labels=period_labels,
        _agg=agg,
        **tables,
    )
    if isinstance(panel, Panel):
        effect.by_wave = _by_wave(effect, panel)
    agg.sparsify()
    return effect


def absorbing_outcome_warning(outcome: str) -> str:
    """The warning of :func:`onboarding_effect` for an absorbing 0/1 outcome estimated without its base status."""
    return (
        f"{outcome!r} is an absorbing 0/1 outcome (once 1, never back to 0): without conditioning on its value "
        f"at the base period, the effect is biased whenever treated and control units differ in how many "
        f"already have it (those cannot gain it, so unconditional parallel trends fail: volunteers include "
        f"fewer employees without a profile, which biases an effect on has_profile downwards). Remedy: "
        f"covariates=[{outcome!r}] (the default when covariates is None), which compares units with the same "
        f"status in the month before enrolment."
    )


def _absorbing_binary(sample: pd.DataFrame) -> bool:
    """Whether the sample's outcome ``y`` is 0/1, takes both values, and never falls from 1 to 0 within a unit."""
    y = sample["y"].to_numpy()
    if not len(y) or not bool(np.all((y == 0) | (y == 1))):
        return False
    share = float(y.mean())
    if share in (0.0, 1.0):
        return False
    unit = sample["unit"].to_numpy()
    return not bool(np.any((unit[1:] == unit[:-1]) & (y[1:] < y[:-1])))


def _with_anticipation_cells(
    result: Any,
    sample: pd.DataFrame,
    control: str,
    anticipation: int,
    method: str,
    covariates: Sequence[str] | None,
    alpha: float,
) -> _Aggregator:
    """diff-diff's cells, with the anticipation cells re-estimated against the base period ``g - anticipation - 1``.

    With a varying base period, diff-diff (like R ``did`` before its 2026
    change) compares a pre-enrolment cell ``(g, t)``, ``t < g``, with ``t - 1``,
    including the anticipation cells ``g - anticipation <= t < g``. R ``did``
    now compares those with the base period ``g - anticipation - 1`` under
    either base-period choice (the anticipation effects of the event study
    are then cumulative effects since the last unaffected month, as the
    post-enrolment ones are). For ``anticipation == 1`` both rules give the
    same cell (``t - 1 = g - 2``); for larger values the anticipation cells
    are re-estimated (:func:`_estimate_cells`) and replace diff-diff's, with
    their influence functions positioned in the same units.
    """
    kit = getattr(result, "_aggregation_kit", None)
    if kit is None:  # pragma: no cover - diff-diff always attaches it on a fit
        raise RuntimeError("diff-diff result carries no aggregation kit; cannot aggregate")
    unit_cohorts = np.asarray(kit.bookkeeping["unit_cohorts"], dtype=float)
    cohorts = sorted({float(g) for g, _ in result.group_time_effects if float(g) > 0})
    wanted = {g: [g - a for a in range(1, anticipation + 1)] for g in cohorts}
    effects, influence, sample_cohorts = _estimate_cells(
        sample, wanted, control, anticipation, method, covariates, alpha, window="anticipation"
    )
    if len(sample_cohorts) != len(unit_cohorts) or not np.array_equal(
        np.asarray(sample_cohorts, dtype=float), unit_cohorts
    ):
        raise RuntimeError(
            "the units of the anticipation cells are not diff-diff's: cannot aggregate"
        )
    group_time = dict(result.group_time_effects)
    infl = dict(kit.influence)
    by_float = {(float(g), float(t)): (g, t) for g, t in group_time}
    for (
        g,
        t,
    ), original in by_float.items():  # diff-diff's anticipation cells (base t - 1) are all replaced
        if g - anticipation <= t < g and (g, t) not in effects:
            del group_time[original]
            infl.pop(original, None)
    for key, d in effects.items():
        original = by_float.get(key, key)
        group_time[original] = d
        infl.pop(original, None)
        if key in influence:
            infl[original] = influence[key]
    return _Aggregator.from_cells(group_time, infl, unit_cohorts, alpha, anticipation)


def _aggregate(
    agg: _Aggregator,
    result: Any,
    label: str,
    cohort_labels: dict,
    period_labels: dict,
    n_bootstrap: int,
    seed: int | None,
    weight_type: str,
    alpha: float,
) -> dict:
    """Every aggregation table (R ``did::aggte`` definitions)."""
    cells = agg.cells

    def cohort_label(g: float) -> str:
        return cohort_labels.get(float(g), f"{g:g}")

    # group-time ----------------------------------------------------------------------------------
    gt_rows = []
    for g, t, d in cells:
        gt_rows.append(
            {
                "cohort": g,
                "period": t,
                "event_time": t - g,
                "cohort_label": cohort_label(g),
                "estimate": float(d["effect"]),
                "se": float(d["se"]),
                "ci_low": float(d["conf_int"][0]),
                "ci_high": float(d["conf_int"][1]),
                "p_value": float(d["p_value"]),
                "n": int(d["n_treated"]),
                "n_control": int(d["n_control"]),
                "method": label,
            }
        )
    group_time = _table(gt_rows, first=["cohort", "period", "event_time", "cohort_label"])
    if period_labels:
        group_time["month"] = group_time["period"].map(period_labels)

    # R did::aggte: the simple, group and calendar aggregations use the post-enrolment cells only (t >= g); the
    # anticipation cells (g - anticipation <= t < g) are reported in the event study, outside its overall summary
    post = [(g, t) for g, t, _ in cells if t >= g]
    rows: dict[str, list[dict]] = {
        "simple": [],
        "event_study": [],
        "by_group": [],
        "calendar": [],
        "summary": [],
    }
    psis: dict[str, list[np.ndarray]] = {k: [] for k in rows}

    # simple ---------------------------------------------------------------------------------------
    est, psi = agg.cohort_weighted(post)
    rows["simple"].append(
        {
            **agg.row(est, psi),
            "n": int(
                sum(
                    agg.cohort_sizes[
                        np.searchsorted(agg.cohort_values, sorted({g for g, _ in post}))
                    ]
                )
            ),
            "method": label,
        }
    )
    psis["simple"].append(psi)
    rows["summary"].append({"type": "simple", **agg.row(est, psi), "n": len(post), "method": label})
    psis["summary"].append(psi)

    # dynamic (event study) ------------------------------------------------------------------------
    by_e: dict[float, list[tuple]] = {}
    for g, t, _ in cells:
        by_e.setdefault(t - g, []).append((g, t))
    es_est, es_psi = {}, {}
    for e in sorted(by_e):
        keys = by_e[e]
        est, psi = agg.cohort_weighted(keys)
        es_est[e], es_psi[e] = est, psi
        rows["event_study"].append(
            {
                "event_time": e,
                **agg.row(est, psi),
                "n": int(sum(agg.n_treated[k] for k in keys)),
                "n_cohorts": len(keys),
                "method": label,
            }
        )
        psis["event_study"].append(psi)
    post_e = [e for e in es_est if e >= 0]
    if post_e:
        est = float(np.mean([es_est[e] for e in post_e]))
        psi = np.mean([es_psi[e] for e in post_e], axis=0)
        rows["summary"].append(
            {"type": "dynamic", **agg.row(est, psi), "n": len(post_e), "method": label}
        )
        psis["summary"].append(psi)

    # group (by cohort) -----------------------------------------------------------------------------
    g_est, g_psi, groups = [], [], []
    for g in sorted({g for g, _ in post}):
        keys = [(gg, t) for gg, t in post if gg == g]
        est, psi = agg.weighted(keys, np.full(len(keys), 1 / len(keys)), wif=False)
        g_est.append(est)
        g_psi.append(psi)
        groups.append(g)
        rows["by_group"].append(
            {
                "cohort": g,
                "cohort_label": cohort_label(g),
                **agg.row(est, psi),
                "n": int(agg.cohort_sizes[np.searchsorted(agg.cohort_values, g)]),
                "n_periods": len(keys),
                "method": label,
            }
        )
        psis["by_group"].append(psi)
    if groups:
        pg = np.array([agg.pg(g) for g in groups])
        est = float(pg @ np.array(g_est) / pg.sum())
        psi = (pg / pg.sum()) @ np.array(g_psi) + agg._wif(groups, np.array(g_est)) / agg.n_units
        rows["summary"].append(
            {"type": "group", **agg.row(est, psi), "n": len(groups), "method": label}
        )
        psis["summary"].append(psi)

    # calendar ---------------------------------------------------------------------------------------
    c_est, c_psi = [], []
    min_g = min(g for g, _, _ in cells)
    for t in sorted({t for _, t, _ in cells if t >= min_g}):
        keys = [(g, tt) for g, tt in post if tt == t and g <= t]
        if not keys:
            continue
        est, psi = agg.cohort_weighted(keys, cell_weights="pg")
        c_est.append(est)
        c_psi.append(psi)
        row = {
            "period": t,
            **agg.row(est, psi),
            "n": int(sum(agg.n_treated[k] for k in keys)),
            "n_cohorts": len(keys),
            "method": label,
        }
        if period_labels:
            row["month"] = period_labels.get(float(t))
        rows["calendar"].append(row)
        psis["calendar"].append(psi)
    if c_est:
        est = float(np.mean(c_est))
        psi = np.mean(c_psi, axis=0)
        rows["summary"].append(
            {"type": "calendar", **agg.row(est, psi), "n": len(c_est), "method": label}
        )
        psis["summary"].append(psi)

    # bootstrap: diff-diff's own for the cells it aggregates, the same multiplier scheme for the rest
    if n_bootstrap > 0:
        _apply_bootstrap(
            rows, psis, result, n_bootstrap, seed, weight_type, alpha, agg.anticipation
        )

    out = {
        "group_time": group_time,
        "overall": _table(rows["simple"]),
        "event_study": _table(rows["event_study"], first=["event_time"]),
        "by_group": _table(rows["by_group"], first=["cohort", "cohort_label"]),
        "calendar": _table(rows["calendar"], first=["period", "month"]),
        "summary": _table(rows["summary"], first=["type"]),
        "pretrend": _pretrend(agg, es_psi, es_est, label),
    }
    return out


def _apply_bootstrap(
    rows: dict,
    psis: dict,
    result: Any,
    n_bootstrap: int,
    seed: int | None,
    weight_type: str,
    alpha: float,
    anticipation: int = 0,
) -> None:
    """Replace analytic inference by multiplier-bootstrap inference (percentile intervals)."""
    boot = result.bootstrap_results
    for key in ("simple", "event_study", "by_group", "calendar", "summary"):
        if not rows[key]:
            continue
        est = np.array([r["estimate"] for r in rows[key]])
        ses, lo, hi, pv = _bootstrap_rows(
            est, np.column_stack(psis[key]), n_bootstrap, seed, weight_type, alpha
        )
        for i, r in enumerate(rows[key]):
            r.update(
                se=float(ses[i]), ci_low=float(lo[i]), ci_high=float(hi[i]), p_value=float(pv[i])
            )
    # diff-diff's bootstrap for the overall ATT: the same estimand without anticipation only (with anticipation,
    # diff-diff's overall_att also averages the anticipation cells, t >= g - anticipation)
    if boot is not None and rows["simple"] and anticipation == 0:
        r = rows["simple"][0]
        r.update(
            se=float(result.overall_se),
            ci_low=float(result.overall_conf_int[0]),
            ci_high=float(result.overall_conf_int[1]),
            p_value=float(result.overall_p_value),
        )
        rows["summary"][0].update({k: r[k] for k in ("se", "ci_low", "ci_high", "p_value")})


def _pretrend(agg: _Aggregator, es_psi: dict, es_est: dict, label: str) -> StatResult:
    """Joint Wald tests of the pre-enrolment placebo effects (cells, and event-study coefficients)."""
    out = []
    pre_cells = [(g, t) for g, t, _ in agg.cells if t < g - agg.anticipation]
    tests = [
        (
            "group_time",
            np.array([agg.att[k] for k in pre_cells]),
            [agg.cell_psi(k) for k in pre_cells],
        ),
        (
            "event_study",
            np.array([es_est[e] for e in sorted(es_est) if e < -agg.anticipation]),
            [es_psi[e] for e in sorted(es_psi) if e < -agg.anticipation],
        ),
    ]
    for name, theta, psi_list in tests:
        if len(theta) == 0:
            out.append(
                {
                    "test": name,
                    "statistic": np.nan,
                    "df": 0,
                    "estimate": np.nan,
                    "p_value": np.nan,
                    "n": 0,
                    "method": "no pre-enrolment period",
                }
            )
            continue
        psi = np.column_stack(psi_list)
        v = psi.T @ psi
        keep = np.diag(v) > 0
        theta, v = theta[keep], v[np.ix_(keep, keep)]
        w, vec = np.linalg.eigh(v)
        tol = w.max() * max(v.shape) * np.finfo(float).eps
        pos = w > tol
        proj = vec[:, pos].T @ theta
        stat = float(np.sum(proj**2 / w[pos]))
        dof = int(pos.sum())
        out.append(
            {
                "test": name,
                "statistic": stat,
                "df": dof,
                "estimate": stat,
                "p_value": float(sps.chi2.sf(stat, dof)),
                "n": int(keep.sum()),
                "method": f"Wald chi-square test that all pre-enrolment {name.replace('_', '-')} "
                f"estimates are zero ({label})",
            }
        )
    return _table(out, first=["test", "statistic", "df"])


def _by_wave(effect: OnboardingEffect, panel: Panel) -> StatResult:
    """Effect per wave: each cohort's post-period average, cohorts of the wave weighted by size."""
    agg = effect._require_agg()
    post = [(g, t) for g, t, _ in agg.cells if t >= g]
    rows = []
    by_group = effect.by_group.set_index("cohort")
    for wave, wave_cohorts in panel.wave_cohorts().items():
        cohorts = [float(g) for g in wave_cohorts if float(g) in by_group.index]
        if not cohorts:
            continue
        if len(cohorts) == 1:
            r = by_group.loc[cohorts[0]]
            rows.append(
                {
                    "wave_id": wave,
                    "cohorts": effect.cohort_labels.get(cohorts[0], str(cohorts[0])),
                    **{k: r[k] for k in ("estimate", "se", "ci_low", "ci_high", "p_value")},
                    "n": int(r["n"]),
                    "method": effect.method,
                }
            )
            continue
        g_est, g_psi = [], []
        for g in cohorts:
            keys = [k for k in post if k[0] == g]
            est, psi = agg.weighted(keys, np.full(len(keys), 1 / len(keys)), wif=False)
            g_est.append(est)
            g_psi.append(psi)
        pg = np.array([agg.pg(g) for g in cohorts])
        est = float(pg @ np.array(g_est) / pg.sum())
        psi = (pg / pg.sum()) @ np.array(g_psi) + agg._wif(cohorts, np.array(g_est)) / agg.n_units
        n = int(sum(agg.cohort_sizes[np.searchsorted(agg.cohort_values, g)] for g in cohorts))
        rows.append(
            {
                "wave_id": wave,
                "cohorts": " + ".join(effect.cohort_labels.get(g, str(g)) for g in cohorts),
                **agg.row(est, psi),
                "n": n,
                "method": effect.method,
            }
        )
    return _table(rows, first=["wave_id", "cohorts"])


# ----------------------------------------------------------------------------- diagnostics


@dataclass(frozen=True)
class AnticipationCheck:
    """Whether units may have reacted before enrolling: the pre-enrolment estimates of an effect.

    Volunteers briefed or trained before their wave starts may change their
    behaviour in the month(s) before enrolment. The comparison base of an
    effect estimated without declaring it (``anticipation=0``) is the month
    before enrolment, already affected, so the effect is biased (towards zero
    for a lift). Two signs of it: the placebo effect in the last month before
    enrolment that the estimate treats as unaffected, and the joint
    pre-enrolment test.

    Attributes
    ----------
    anticipation : int
        Months of anticipation the checked effect declared.
    event_time : int or None
        The month tested: the last pre-enrolment event time with an estimate
        before the declared anticipation months (``-1`` for an effect without
        anticipation and a varying base period; None if there is none).
    estimate, se, p_value : float
        The placebo effect in that month (NaN when absent).
    pretrend_p : float
        p-value of the joint event-study pre-enrolment test (NaN when absent).
    alpha : float
        Significance level of both tests.
    """

    anticipation: int
    event_time: int | None
    estimate: float
    se: float
    p_value: float
    pretrend_p: float
    alpha: float = 0.05

    @property
    def pre_month_significant(self) -> bool:
        """Whether the effect in the month tested is significant at ``alpha``."""
        return bool(np.isfinite(self.p_value) and self.p_value < self.alpha)

    @property
    def pretrend_failed(self) -> bool:
        """Whether the joint pre-enrolment test rejects at ``alpha``."""
        return bool(np.isfinite(self.pretrend_p) and self.pretrend_p < self.alpha)

    @property
    def at_risk(self) -> bool:
        """Whether the effect is at risk: either test rejects."""
        return self.pre_month_significant or self.pretrend_failed


def anticipation_check(effect: OnboardingEffect, alpha: float = 0.05) -> AnticipationCheck:
    """Check an effect for signs that units reacted before enrolling.

    Parameters
    ----------
    effect : OnboardingEffect
        A fitted effect.
    alpha : float
        Significance level (0.05).

    Returns
    -------
    AnticipationCheck
        The placebo effect in the last month before enrolment (before the
        declared anticipation months) and the joint event-study pre-test;
        ``at_risk`` when either is significant.
    """
    es = effect.event_study
    placebo = es.loc[
        (es["event_time"] < -effect.anticipation)
        & np.isfinite(es["se"].astype(float))
        & (es["se"].astype(float) > 0)
    ]
    pt = effect.pretrend
    row = pt.loc[pt["test"] == "event_study", "p_value"]
    pretrend_p = float(row.iloc[0]) if len(row) else float("nan")
    if placebo.empty:
        return AnticipationCheck(
            effect.anticipation, None, float("nan"), float("nan"), float("nan"), pretrend_p, alpha
        )
    last = placebo.loc[placebo["event_time"].idxmax()]
    return AnticipationCheck(
        effect.anticipation,
        int(last["event_time"]),
        float(last["estimate"]),
        float(last["se"]),
        float(last["p_value"]),
        pretrend_p,
        alpha,
    )


@dataclass(frozen=True)
class BaconResult:
    """Goodman-Bacon (2021) decomposition of a TWFE estimate.

    Attributes
    ----------
    twfe : float
        The decomposed TWFE estimate.
    by_type : pandas.DataFrame
        ``type`` (treated_vs_never, earlier_vs_later, later_vs_earlier), ``weight``,
        ``estimate`` (weighted average 2x2 effect), ``contribution`` (weight x estimate).
    comparisons : pandas.DataFrame
        Every 2x2 comparison.
    decomposition_error : float
        TWFE minus the sum of contributions.
    """

    twfe: float
    by_type: pd.DataFrame = field(repr=False)
    comparisons: pd.DataFrame = field(repr=False)
    decomposition_error: float

    @property
    def forbidden_weight(self) -> float:
        """Weight of the "later vs earlier" comparisons (already-enrolled colleagues used as controls)."""
        row = self.by_type.loc[self.by_type["type"] == "later_vs_earlier", "weight"]
        return float(row.iloc[0]) if len(row) else 0.0


@dataclass(frozen=True)
class HonestBounds:
    """Rambachan-Roth sensitivity of the average post-enrolment effect.

    Attributes
    ----------
    table : StatResult
        ``M``, ``lb``, ``ub`` (identified set), ``ci_low``, ``ci_high`` (robust interval),
        ``estimate`` (the average post-enrolment event-study effect).
    breakdown_m : float or None
        Smallest M whose robust interval includes zero (to 0.01); None if it
        excludes zero up to M = 10.
    estimate, se : float
        The sensitivity target: the average of the monthly event-study effects
        over the post-enrolment months kept (each month weighted equally; the
        anticipation months, if any, are left out of the target as R ``did``
        leaves them out of its dynamic summary), and its SE. It differs from
        the overall (simple) effect, which weights every volunteer-month equally.
    window_pre, window_post : int
        First and last event times used.
    method : str
        ``relative_magnitude`` or ``smoothness``.
    """

    table: StatResult = field(repr=False)
    breakdown_m: float | None
    estimate: float
    se: float
    window_pre: int
    window_post: int
    method: str


def twfe_estimate(
    panel: Panel | pd.DataFrame,
    outcome: str,
    unit: str | None = None,
    period: str | None = None,
    first_period: str | None = None,
    alpha: float = 0.05,
) -> StatResult:
    """Two-way fixed-effects estimate, shown only as a contrast to :func:`onboarding_effect`.

    ``y_it = a_i + b_t + beta * enrolled_it + e_it`` with ``enrolled_it = 1``
    from the enrolment period on, on the same balanced sample as the default
    :func:`onboarding_effect`. With staggered enrolment and effects that build
    up or fade, ``beta`` is *not* an average effect: it mixes comparisons that
    use already-enrolled employees as controls (see
    :func:`bacon_decomposition`).

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        Long panel.
    outcome : str
        Outcome column.
    unit, period, first_period : str, optional
        Column names (from the Panel when omitted).
    alpha : float
        1 - confidence level.

    Returns
    -------
    StatResult
        One row: estimate, se (clustered by unit, CR1 with factor G/(G-1)),
        ci_low, ci_high, p_value, n (units), n_obs, method.
    """
    sample, _ = estimation_sample(panel, outcome, unit, period, first_period, "balance")
    periods = _distinct(sample["period"].to_numpy())
    n_t = len(periods)
    codes = sample["unit"].to_numpy()
    if len(codes) and bool(
        (codes[1:] >= codes[:-1]).all()
    ):  # sorted by unit: ranks without sorting
        u = np.concatenate([[0], np.cumsum(codes[1:] != codes[:-1])])
    else:
        _, u = np.unique(codes, return_inverse=True)
    n_u = int(u.max()) + 1
    t = np.searchsorted(periods, sample["period"].to_numpy())
    fp = sample["first_period"].to_numpy()
    d = ((fp > 0) & (sample["period"].to_numpy() >= fp)).astype(float)
    y = sample["y"].to_numpy()

    def within(x: np.ndarray) -> np.ndarray:
        mu_i = np.bincount(u, weights=x, minlength=n_u) / n_t
        mu_t = np.bincount(t, weights=x, minlength=n_t) / n_u
        return x - mu_i[u] - mu_t[t] + x.mean()

    dt, yt = within(d), within(y)
    sxx = float(dt @ dt)
    if sxx == 0:
        raise ValueError("no variation in enrolment status: TWFE is not identified")
    beta = float(dt @ yt) / sxx
    resid = yt - beta * dt
    score = np.bincount(u, weights=dt * resid, minlength=n_u)
    se = float(np.sqrt(n_u / (n_u - 1) * np.sum(score**2)) / sxx)
    z = float(sps.norm.isf(alpha / 2))
    row = {
        "estimate": beta,
        "se": se,
        "ci_low": beta - z * se,
        "ci_high": beta + z * se,
        "p_value": float(2 * sps.norm.sf(abs(beta) / se)),
        "n": n_u,
        "n_obs": len(y),
        "method": "two-way fixed effects (unit and period), SE clustered by unit: contrast only",
    }
    return make_result([row])


def bacon_decomposition(
    panel: Panel | pd.DataFrame,
    outcome: str,
    unit: str | None = None,
    period: str | None = None,
    first_period: str | None = None,
) -> BaconResult:
    """Goodman-Bacon (2021) decomposition of the TWFE estimate (diff-diff's, exact weights).

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        Long panel (the balanced sample of :func:`twfe_estimate` is used).
    outcome : str
        Outcome column.
    unit, period, first_period : str, optional
        Column names (from the Panel when omitted).

    Returns
    -------
    BaconResult
    """
    from diff_diff import BaconDecomposition

    sample, _ = estimation_sample(panel, outcome, unit, period, first_period, "balance")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = BaconDecomposition().fit(
            sample, outcome="y", unit="unit", time="period", first_treat="first_period"
        )
    types = [
        ("treated_vs_never", res.total_weight_treated_vs_never, res.weighted_avg_treated_vs_never),
        ("earlier_vs_later", res.total_weight_earlier_vs_later, res.weighted_avg_earlier_vs_later),
        ("later_vs_earlier", res.total_weight_later_vs_earlier, res.weighted_avg_later_vs_earlier),
    ]
    by_type = pd.DataFrame(
        [
            {
                "type": k,
                "weight": float(w),
                "estimate": float(e) if e is not None else np.nan,
                "contribution": float(w) * float(e) if e is not None else 0.0,
            }
            for k, w, e in types
        ]
    )
    return BaconResult(
        float(res.twfe_estimate), by_type, res.to_dataframe(), float(res.decomposition_error)
    )


def honest_bounds(
    panel: Panel | pd.DataFrame,
    outcome: str,
    unit: str | None = None,
    period: str | None = None,
    first_period: str | None = None,
    control: str = "not_yet_treated",
    anticipation: int = 0,
    method: str = "relative_magnitude",
    m_grid: Sequence[float] = (0.0, 0.5, 1.0, 1.5, 2.0),
    max_pre: int | None = 6,
    max_post: int | None = None,
    alpha: float = 0.05,
    covariates: Sequence[str] | None = None,
) -> HonestBounds:
    """Sensitivity of the average post-enrolment effect to violations of parallel trends.

    Rambachan & Roth (2023) "honest DiD" bounds, computed by diff-diff's
    :class:`~diff_diff.HonestDiD` on the Callaway-Sant'Anna event study with a
    universal base period (the month before enrolment). With
    ``method="relative_magnitude"``, ``M`` bounds the post-enrolment
    violation of parallel trends (month-to-month change) by ``M`` times the
    largest month-to-month violation seen before enrolment: ``M = 1`` allows
    violations as large as the worst pre-enrolment one. The breakdown value
    is the smallest ``M`` at which the robust interval includes zero.

    Parameters
    ----------
    panel : Panel or pandas.DataFrame
        Long panel.
    outcome : str
        Outcome column.
    unit, period, first_period : str, optional
        Column names (from the Panel when omitted).
    control : str
        Control group, as in :func:`onboarding_effect`.
    anticipation : int
        Anticipation periods.
    method : str
        ``"relative_magnitude"`` (default) or ``"smoothness"``.
    m_grid : sequence of float
        Values of ``M``.
    max_pre, max_post : int, optional
        Event-study window used (pre-enrolment months before the reference
        month, post-enrolment months from 0); ``None`` keeps every month.
        The target is the average effect over the post months kept.
    alpha : float
        1 - confidence level.
    covariates : sequence of str, optional
        Covariates of the event study, as in :func:`onboarding_effect`.

    Returns
    -------
    HonestBounds
    """
    from diff_diff.honest_did import HonestDiD

    eff = onboarding_effect(
        panel,
        outcome,
        unit,
        period,
        first_period,
        control=control,
        anticipation=anticipation,
        base_period="universal",
        alpha=alpha,
        covariates=covariates,
    )
    es = eff.result.aggregate("event_study")
    es = _window_event_study(es, max_pre, max_post, anticipation)
    honest = HonestDiD(method=method, alpha=alpha, l_vec=_post_enrolment_weights(es, anticipation))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sens = honest.sensitivity_analysis(es, M_grid=list(m_grid))
        breakdown = honest.breakdown_value(es)
    rows = []
    for m, (lb, ub), (clo, chi) in zip(sens.M_values, sens.bounds, sens.robust_cis, strict=True):
        rows.append(
            {
                "M": float(m),
                "lb": float(lb),
                "ub": float(ub),
                "estimate": float(sens.original_estimate),
                "ci_low": float(clo),
                "ci_high": float(chi),
                "p_value": np.nan,
                "n": np.nan,
                "method": f"Rambachan-Roth bounds ({method.replace('_', ' ')}), average effect over "
                "post-enrolment months",
            }
        )
    ets = [int(e) for e in es.event_time]
    return HonestBounds(
        make_result(rows, first=["M", "lb", "ub"]),
        None if breakdown is None else float(breakdown),
        float(sens.original_estimate),
        float(sens.original_se),
        min(ets),
        max(ets),
        method,
    )


def _post_enrolment_weights(es: Any, anticipation: int) -> np.ndarray | None:
    """HonestDiD's target weights: the mean over the event times from enrolment on (None: its default).

    With a universal base period, HonestDiD treats every event time after the
    reference month ``-anticipation - 1`` as "post", the anticipation months
    included. As in R ``did``'s dynamic summary, the target averages the
    months from enrolment on (``e >= 0``) only: the anticipation months get
    weight 0. Without anticipation this is HonestDiD's default (equal weights).
    """
    if anticipation <= 0:
        return None
    et = np.asarray(es.event_time, dtype=float)
    se = np.asarray(es.se, dtype=float)
    ref = np.asarray(getattr(es, "is_reference", np.zeros(len(et), dtype=bool)), dtype=bool)
    ref_time = float(et[ref][0]) if ref.any() else -1.0 - anticipation
    usable = ~ref & np.isfinite(se) & (se > 0)
    post = np.sort(et[usable & (et > ref_time)])
    weights = (post >= 0).astype(float)
    if weights.sum() == 0:
        return None
    return weights / weights.sum()


def _window_event_study(
    es: Any, max_pre: int | None, max_post: int | None, anticipation: int
) -> Any:
    """Restrict a diff-diff event-study container to a window of event times."""
    if max_pre is None and max_post is None:
        return es
    ref = -1 - anticipation
    et = np.asarray(es.event_time)
    keep = np.ones(len(et), dtype=bool)
    if max_pre is not None:
        keep &= et >= ref - max_pre
    if max_post is not None:
        keep &= et <= max_post
    return es.subset(keep) if hasattr(es, "subset") else _subset_container(es, keep)


def _subset_container(es: Any, keep: np.ndarray) -> Any:
    """Subset an EventStudyResults container by a boolean mask over its rows (and its covariance)."""
    import dataclasses

    kept_times = [e for e, k in zip(es.event_time, keep, strict=True) if k]
    changes = {}
    for f in dataclasses.fields(es):
        value = getattr(es, f.name)
        if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) == len(keep):
            changes[f.name] = value[keep]
    vcov, index = getattr(es, "vcov", None), getattr(es, "vcov_index", None)
    if vcov is not None and index is not None:
        pos = [i for i, e in enumerate(index) if e in set(kept_times)]
        changes["vcov"] = vcov[np.ix_(pos, pos)]
        changes["vcov_index"] = [index[i] for i in pos]
    return dataclasses.replace(es, **changes)


# ----------------------------------------------------------------------------- profile creation


def _cell_estimates(
    panel: Panel,
    outcome: str,
    cells: Mapping[float, Collection[float]],
    control: str = "not_yet_treated",
    anticipation: int = 0,
    method: str = "dr",
    covariates: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> _Aggregator:
    """ATT(g, t) of some post-enrolment cells only, each estimated as :func:`onboarding_effect` estimates it.

    :func:`onboarding_effect` (varying base period, balanced sample, analytic
    inference) compares, for a cell ``(g, t)`` with ``t >= g``, cohort ``g``
    between its base period (the last period before ``g - anticipation``) and
    ``t`` with the controls of ``t``: the never-enrolled, and (not-yet-enrolled
    control group) the cohorts enrolling after ``t + anticipation``. Each cell
    uses only those units and those two periods. Here the cells of cohort ``g``
    whose periods share the same control cohorts are estimated together by
    diff-diff on exactly those units (control cohorts coded as never enrolled,
    which they are throughout those periods) and periods: the same outcome
    changes, covariates and units, in the same order, so the same estimates
    and influence functions, without estimating the cells nobody asked for.
    Influence functions are positioned in the full estimation sample's units.

    Parameters
    ----------
    panel : Panel
        The panel.
    outcome : str
        Outcome.
    cells : dict
        ``cohort -> periods`` wanted (periods before the cohort are ignored).
    control, anticipation, method, covariates, alpha
        As in :func:`onboarding_effect`.

    Returns
    -------
    _Aggregator
        The cells estimated (cells the full estimate could not estimate either are absent).

    Raises
    ------
    ValueError
        When :func:`onboarding_effect` would refuse the panel.
    """
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {sorted(set(CONTROLS))}, got {control!r}")
    sample, _ = estimation_sample(panel, outcome, covariates=covariates)
    effects, influence, unit_cohorts = _estimate_cells(
        sample, cells, CONTROLS[control], anticipation, method, covariates, alpha
    )
    return _Aggregator.from_cells(effects, influence, unit_cohorts, alpha, anticipation)


def _estimate_cells(
    sample: pd.DataFrame,
    cells: Mapping[float, Collection[float]],
    control: str,
    anticipation: int,
    method: str,
    covariates: Sequence[str] | None,
    alpha: float,
    window: str = "post",
) -> tuple[dict, dict, np.ndarray]:
    """Estimate some ATT(g, t) of an estimation sample, cohort by cohort, on the units and periods each needs.

    Parameters
    ----------
    sample : pandas.DataFrame
        An estimation sample (:func:`estimation_sample`), sorted by unit then period.
    cells : dict
        ``cohort -> periods`` wanted.
    control : str
        ``"not_yet_treated"`` or ``"never_treated"`` (diff-diff's spelling).
    anticipation, method, covariates, alpha
        As in :func:`onboarding_effect`.
    window : str
        ``"post"``: the periods ``t >= g`` (compared with the base period
        ``g - anticipation - 1``; see :func:`_cell_estimates`).
        ``"anticipation"``: the anticipation periods ``g - anticipation <= t
        < g``, each compared with the same base period ``g - anticipation -
        1`` (R ``did``'s rule for anticipation cells, whatever the base-period
        choice), estimated by diff-diff with a universal base period on the
        cohort, its controls of ``t`` (never enrolled, and cohorts enrolling
        after ``t + anticipation``) and the two periods.

    Returns
    -------
    effects : dict
        ``(g, t) -> diff-diff cell dict`` (effect, se, conf_int, p_value, n_treated, n_control).
    influence : dict
        ``(g, t) -> sparse influence function`` positioned in the sample's units (sorted).
    unit_cohorts : numpy.ndarray
        Each unit's cohort, in the sample's unit order (diff-diff's).

    Raises
    ------
    ValueError
        When :func:`onboarding_effect` would refuse the sample.
    """
    from ._wide import WideCallawaySantAnna as CallawaySantAnna

    unit = sample["unit"].to_numpy()
    first = sample["first_period"].to_numpy()
    if (first > 0).sum() == 0:
        raise ValueError("no treated unit with a pre-period in the estimation sample")
    # units as diff-diff orders them (sorted; the sample is sorted by unit), and each unit's cohort
    first_row = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    units, unit_cohorts = unit[first_row], first[first_row]
    cohort_values = sorted({float(g) for g in np.unique(unit_cohorts) if g > 0})
    if control == "never_treated" and (first == 0).sum() == 0:
        raise ValueError("no never-treated unit: use control='not_yet_treated'")
    if (first == 0).sum() == 0 and len(cohort_values) < 2:
        raise ValueError(
            "not_yet_treated control group requires at least 2 treatment cohorts when there are "
            "no never-treated units."
        )
    period = sample["period"].to_numpy()
    observed = _distinct(period)
    observed_set = set(observed.tolist())
    effects: dict[tuple[float, float], dict] = {}
    influence: dict[tuple[float, float], dict] = {}
    for g in sorted(cells):
        before = observed[observed + anticipation < g]
        if g not in cohort_values or not len(before):
            continue  # no such cohort, or no base period: not estimable
        base = before.max()
        if window == "post":
            wanted = sorted({float(t) for t in cells[g] if t >= g and t in observed_set})
        else:
            wanted = sorted({float(t) for t in cells[g] if base < t < g and t in observed_set})
        # periods whose control cohorts are the same are estimated together
        bands: dict[tuple[float, ...], list[float]] = {}
        for t in wanted:
            controls = (
                ()
                if control == "never_treated"
                else tuple(c for c in cohort_values if c != g and c > max(t, base) + anticipation)
            )
            bands.setdefault(controls, []).append(t)
        for controls, periods in bands.items():
            # an anticipation band also holds the cohort's first period, so that diff-diff sees it enrol
            # (that cell is not kept: its controls are not those of the band)
            extra = [g] if window != "post" and g in observed_set else []
            in_band = _among(first, [g, 0, *controls]) & _among(period, [base, *periods, *extra])
            if not ((first[in_band] == 0).any() or len(controls)):
                continue  # no control unit: the full estimate skips these cells too
            band = sample.loc[in_band].reset_index(drop=True)
            band["first_period"] = band["first_period"].where(band["first_period"] == g, 0)
            cs = CallawaySantAnna(
                control_group=control,
                anticipation=anticipation,
                estimation_method=method,
                alpha=alpha,
                n_bootstrap=0,
                base_period="varying" if window == "post" else "universal",
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = cs.fit(
                    band,
                    outcome="y",
                    unit="unit",
                    time="period",
                    first_treat="first_period",
                    covariates=list(covariates) if covariates else None,
                )
            band_unit = band["unit"].to_numpy()
            band_units = band_unit[
                np.r_[True, band_unit[1:] != band_unit[:-1]]
            ]  # sorted, as the sample
            position = np.searchsorted(units, band_units)  # band position -> full-sample position
            kit = res._aggregation_kit
            for (cg, ct), d in res.group_time_effects.items():
                if float(cg) != g or float(ct) not in periods or d.get("is_reference", False):
                    continue
                key = (float(cg), float(ct))
                effects[key] = d
                info = kit.influence.get((cg, ct)) if kit is not None else None
                if info is not None:
                    influence[key] = {
                        "treated_idx": position[info["treated_idx"]],
                        "treated_inf": info["treated_inf"],
                        "control_idx": position[info["control_idx"]],
                        "control_inf": info["control_inf"],
                    }
            del band, res, kit
    return effects, influence, unit_cohorts


def _among(values: np.ndarray, allowed: Sequence[float]) -> np.ndarray:
    """``numpy.isin`` for small non-negative integers (periods, cohorts) through a lookup table."""
    if values.dtype.kind in "iu" and len(values) and values.min() >= 0 and values.max() < 1_000_000:
        table = np.zeros(int(values.max()) + 1, dtype=bool)
        for a in allowed:
            if float(a).is_integer() and 0 <= a < len(table):
                table[int(a)] = True
        return table[values]
    return np.isin(values, allowed)


def _last_observed(panel: Panel, waves: Sequence[str] | None = None) -> pd.DataFrame:
    """Each volunteer's cohort, last observed period and wave (those observed in their enrolment month or later)."""
    d = panel.data
    cols = [panel.unit, panel.first_period, panel.period, "wave_id"]
    treated = d.loc[d[panel.first_period] > 0, cols]
    if waves is not None:
        treated = treated.loc[treated["wave_id"].isin(list(waves))]
    last = treated.groupby(panel.unit, sort=False, observed=True).agg(
        cohort=(panel.first_period, "first"),
        period=(panel.period, "max"),
        wave_id=("wave_id", "first"),
    )
    return last.loc[
        last["period"] >= last["cohort"]
    ]  # left before enrolment month ended: no exposure


def profiles_attributable(
    panel: Panel,
    control: str = "not_yet_treated",
    anticipation: int = 0,
    covariates: Sequence[str] | None = ("has_profile",),
    effect: OnboardingEffect | None = None,
    waves: Sequence[str] | None = None,
) -> StatResult:
    """LinkedIn profiles attributable to onboarding, with a 95% interval, per wave and in total.

    Definition: for every volunteer ``i`` in the panel, enrolled in period
    ``g_i`` and last observed in period ``L_i`` (the panel's last month, or
    the last full month before leaving), the effect of onboarding on having
    a profile at ``L_i`` is ATT(g_i, L_i) on ``has_profile`` (0/1), estimated
    against not-yet-enrolled controls; the count is the sum of these
    effects over volunteers, i.e. ``sum_{g,t} n_{g,t} ATT(g, t)`` where
    ``n_{g,t}`` volunteers of cohort ``g`` are last observed in ``t``. It is
    the expected number of volunteers who have a profile at the end of
    their observation *because* they were onboarded (profiles they would
    have created anyway are not counted). The counts ``n_{g,t}`` are taken
    as fixed; the interval comes from the influence functions of the ATTs.

    Parameters
    ----------
    panel : Panel
        The programme's panel (``has_profile`` is estimable from posts-only
        data too).
    control : str
        Control group (default: not-yet-enrolled and never-enrolled).
    anticipation : int
        Anticipation periods.
    covariates : sequence of str, optional
        Covariates for conditional parallel trends, taken at each
        comparison's base period. Default ``("has_profile",)``: employees are
        compared with others who had the same profile status in the month
        before enrolment (``has_profile`` is absorbing, and volunteers
        include fewer employees without a profile, so unconditional parallel
        trends fail; see ``docs/onboarding-effect.md``). Pass ``()`` for none.
    effect : OnboardingEffect, optional
        A fitted effect on ``has_profile`` to reuse.
    waves : sequence of str, optional
        Only these waves' rows (and no ``total``). Without ``effect``, only
        the ATT(g, t) these rows add up are estimated, each exactly as the
        full estimate estimates it (same units, periods and controls), so the
        rows are the full estimate's, for a fraction of the work.

    Returns
    -------
    StatResult
        One row per wave and a ``total`` row: ``wave_id``, estimate, se,
        ci_low, ci_high, p_value, ``n`` (volunteers counted), method.
    """
    if effect is not None and effect.outcome != "has_profile":
        raise ValueError(f"effect must be on has_profile, got {effect.outcome!r}")
    last = _last_observed(panel, waves)
    if effect is None and waves is not None:
        cells: dict[float, set[float]] = {}
        for g, t in zip(last["cohort"], last["period"], strict=True):
            cells.setdefault(float(g), set()).add(float(t))
        agg = _cell_estimates(
            panel,
            "has_profile",
            cells,
            control=control,
            anticipation=anticipation,
            covariates=list(covariates) if covariates else None,
        )
        control = CONTROLS[control]
        label = _method_label(
            "dr", control, "analytic", 0, list(covariates) if covariates else None
        )
    else:
        if effect is None:
            effect = onboarding_effect(
                panel,
                "has_profile",
                control=control,
                anticipation=anticipation,
                covariates=list(covariates) if covariates is not None else None,
            )
        agg, label = effect._require_agg(), effect.method
    estimated = {(float(g), float(t)) for g, t in agg.att}
    ok = [
        (float(g), float(t)) in estimated
        for g, t in zip(last["cohort"], last["period"], strict=True)
    ]
    n_missing = int(len(last) - sum(ok))
    last = last.loc[ok]
    method = "sum over volunteers of ATT(g, last observed month) on has_profile, " + label
    rows = []
    groups = [(str(w), grp) for w, grp in last.groupby("wave_id", observed=True, sort=True)]
    if waves is None:
        groups.append(("total", last))
    for wave, grp in groups:
        weights = grp.groupby(["cohort", "period"]).size().rename("weight").reset_index()
        res = _combine(agg, label, weights, label=wave)
        row = res.iloc[0].to_dict()
        row.update(wave_id=wave, n=len(grp), method=method)
        row.pop("label", None)
        rows.append(row)
    # no volunteer with an estimate (e.g. activity only for the few who sent a member export): the same columns
    out = make_result(rows or pd.DataFrame(columns=["wave_id", "n", "method"]), first=["wave_id"])
    out.attrs["volunteers_without_estimate"] = n_missing
    return out
