"""Statistics for the evaluation of an advocacy programme.

Every function returns a tidy :class:`StatResult` (a pandas DataFrame) with
at least ``estimate, ci_low, ci_high, p_value, n, method``. Methods, formulas
and references: ``docs/methods.md``.

Rates (reach, engagement)
    :func:`compare_rates`, :func:`compare_engagement`,
    :func:`test_rate_ratio_claim`, :func:`two_poisson_rates`,
    :func:`cluster_robust_poisson`, :func:`cluster_robust_ols`,
    :func:`group_rate_covariance`.
Proportions (content mix, participation)
    :func:`wilson_interval`, :func:`proportion_table`,
    :func:`test_share_vs_target`, :func:`content_mix`,
    :func:`newcombe_difference`, :func:`koopman_ratio`,
    :func:`compare_proportions`, :func:`adjust_pvalues`.
Planning
    :func:`design_effect`, :func:`estimate_icc`, :func:`rate_design`,
    :func:`mde_proportion`, :func:`n_for_proportion`,
    :func:`mde_rate_ratio`, :func:`n_authors_for_rate_ratio`, :func:`n_to_exclude`.
"""

from ._result import StatResult
from .multiplicity import adjust_pvalues
from .power import (
    design_effect,
    estimate_icc,
    mde_proportion,
    mde_rate_ratio,
    n_authors_for_rate_ratio,
    n_for_proportion,
    n_to_exclude,
    rate_design,
)
from .proportions import (
    compare_proportions,
    content_mix,
    koopman_ratio,
    newcombe_difference,
    proportion_table,
    test_share_vs_target,
    wilson_interval,
)
from .rates import (
    compare_engagement,
    compare_rates,
    group_rate_covariance,
    test_rate_ratio_claim,
    two_poisson_rates,
)
from .robust import RobustFit, cluster_robust_ols, cluster_robust_poisson

__all__ = [
    "RobustFit",
    "StatResult",
    "adjust_pvalues",
    "cluster_robust_ols",
    "cluster_robust_poisson",
    "compare_engagement",
    "compare_proportions",
    "compare_rates",
    "content_mix",
    "design_effect",
    "estimate_icc",
    "group_rate_covariance",
    "koopman_ratio",
    "mde_proportion",
    "mde_rate_ratio",
    "n_authors_for_rate_ratio",
    "n_for_proportion",
    "n_to_exclude",
    "newcombe_difference",
    "proportion_table",
    "rate_design",
    "test_rate_ratio_claim",
    "test_share_vs_target",
    "two_poisson_rates",
    "wilson_interval",
]
