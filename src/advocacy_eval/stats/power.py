"""Design effects, intra-author correlation and sample-size / minimal
detectable effect calculations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _sps

from ._result import (
    StatResult,
    add_by_columns,
    as_float_array,
    check_conf_level,
    group_levels,
    grouping,
    make_result,
    pct,
)
from .rates import _column, group_rate_covariance

__all__ = [
    "design_effect",
    "estimate_icc",
    "mde_proportion",
    "mde_rate_ratio",
    "n_authors_for_rate_ratio",
    "n_for_proportion",
    "n_to_exclude",
    "rate_design",
]


def design_effect(cluster_sizes: Any, icc: float, kish: bool = True) -> float:
    """Design effect of cluster sampling, :math:`1 + (\\bar m - 1)\\,\\rho`.

    Parameters
    ----------
    cluster_sizes : array_like or int
        Number of observations in each cluster (or one common size).
    icc : float
        Intra-cluster correlation :math:`\\rho`.
    kish : bool
        Use Kish's variable-size version, :math:`\\bar m = \\sum m_c^2/\\sum
        m_c` (equal to the common size when all clusters are equal; larger
        than the mean when sizes vary); otherwise the plain mean.

    Returns
    -------
    float
    """
    m = np.atleast_1d(as_float_array(cluster_sizes))
    m = m[np.isfinite(m)]
    if m.size == 0 or (m <= 0).any():
        raise ValueError("cluster_sizes must be positive")
    mbar = float((m**2).sum() / m.sum()) if kish else float(m.mean())
    return 1.0 + (mbar - 1.0) * float(icc)


def estimate_icc(
    posts: pd.DataFrame,
    value: str | pd.Series,
    cluster: str | pd.Series = "author_id",
    conf_level: float = 0.95,
) -> StatResult:
    """One-way ANOVA estimator of the intra-cluster (intra-author) correlation.

    .. math:: \\hat\\rho = \\frac{MSB - MSW}{MSB + (n_0 - 1) MSW},\\qquad
              n_0 = \\frac{N - \\sum_c m_c^2/N}{G - 1}

    Works for a continuous value (e.g. each post's reach rate
    ``members_reached / audience_size``) or a binary outcome (e.g. a post
    is corporate; an employee is active).

    Parameters
    ----------
    posts : pandas.DataFrame
        Table holding the value and the clusters.
    value : str or pandas.Series
        Outcome column (or aligned series).
    cluster : str or pandas.Series
        Cluster column (authors).
    conf_level : float
        Confidence level of the F-based (Searle) interval, exact for equal
        cluster sizes and approximate otherwise (with :math:`n_0`).

    Returns
    -------
    StatResult
        One row: ``estimate, ci_low, ci_high, p_value`` (F test of no
        between-cluster variance), ``n, method, n_clusters, msb, msw, n0,
        mean_cluster_size, kish_cluster_size, design_effect``.
    """
    check_conf_level(conf_level)
    v = as_float_array(_column(posts, value, "value"))
    c = _column(posts, cluster, "cluster")
    ok = np.isfinite(v) & c.notna().to_numpy()
    v = v[ok]
    codes, uniq = pd.factorize(c[ok])
    G, N = len(uniq), v.size
    if G < 2 or N <= G:
        raise ValueError("need at least 2 clusters and more observations than clusters")
    m = np.bincount(codes, minlength=G).astype(float)
    means = np.bincount(codes, weights=v, minlength=G) / m
    grand = v.mean()
    ssb = float((m * (means - grand) ** 2).sum())
    ssw = float(((v - means[codes]) ** 2).sum())
    msb, msw = ssb / (G - 1), ssw / (N - G)
    n0 = (N - (m**2).sum() / N) / (G - 1)
    icc = (msb - msw) / (msb + (n0 - 1) * msw) if msb + (n0 - 1) * msw > 0 else np.nan
    a = 1 - conf_level
    with np.errstate(divide="ignore", invalid="ignore"):
        F = msb / msw
        fl = F / _sps.f.ppf(1 - a / 2, G - 1, N - G)
        fu = F / _sps.f.ppf(a / 2, G - 1, N - G)
        lo = (fl - 1) / (fl + n0 - 1)
        hi = (fu - 1) / (fu + n0 - 1)
        p = float(_sps.f.sf(F, G - 1, N - G))
    mk = float((m**2).sum() / m.sum())
    return make_result(
        [
            {
                "estimate": icc,
                "ci_low": lo,
                "ci_high": min(hi, 1.0) if np.isfinite(hi) else hi,
                "p_value": p,
                "n": N,
                "method": (
                    f"one-way ANOVA (moment) estimator of the intra-cluster correlation, unbalanced n0; "
                    f"{pct(conf_level)} F-based (Searle) interval; p-value: F test of no between-cluster variance"
                ),
                "n_clusters": G,
                "msb": msb,
                "msw": msw,
                "n0": n0,
                "mean_cluster_size": float(m.mean()),
                "kish_cluster_size": mk,
                "design_effect": 1.0 + (mk - 1.0) * icc,
                "conf_level": conf_level,
            }
        ]
    )


# ---------------------------------------------------------------------------
# proportions
# ---------------------------------------------------------------------------
def _z_alpha(alpha: float, alternative: str) -> float:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if alternative == "two-sided":
        return float(_sps.norm.isf(alpha / 2))
    if alternative in ("larger", "smaller", "one-sided"):
        return float(_sps.norm.isf(alpha))
    raise ValueError("alternative must be 'two-sided', 'larger', 'smaller' or 'one-sided'")


def _z_beta(power: float) -> float:
    if not 0 < power < 1:
        raise ValueError("power must be in (0, 1)")
    return float(_sps.norm.ppf(power))


def _n_prop(p0: float, p1: float, za: float, zb: float, ratio: float, design: str) -> float:
    d = abs(p1 - p0)
    if d == 0:
        return np.inf
    if design == "one-sample":
        return (za * np.sqrt(p0 * (1 - p0)) + zb * np.sqrt(p1 * (1 - p1))) ** 2 / d**2
    pbar = (p0 + ratio * p1) / (1 + ratio)
    return (
        za * np.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio))
        + zb * np.sqrt(p0 * (1 - p0) + p1 * (1 - p1) / ratio)
    ) ** 2 / d**2


def _check_design(design: str, ratio: float) -> None:
    if design not in ("two-sample", "one-sample"):
        raise ValueError("design must be 'two-sample' or 'one-sample'")
    if not ratio > 0:
        raise ValueError("ratio must be > 0")


def n_for_proportion(
    p0: float,
    p1: float,
    alpha: float = 0.05,
    power: float = 0.80,
    deff: float = 1.0,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    design: str = "two-sample",
) -> StatResult:
    """Number of units (e.g. volunteers) to detect a change of proportion.

    Two-sample (default): group 1 has :math:`p_0`, group 2 (``ratio`` times
    as large) has :math:`p_1`; normal approximation with the pooled variance
    under H0 (Fleiss, no continuity correction):

    .. math:: n_1 = \\mathrm{deff}\\;\\frac{\\big[z_{\\alpha}\\sqrt{\\bar p\\bar q(1+1/k)}
              + z_{\\beta}\\sqrt{p_0q_0 + p_1q_1/k}\\big]^2}{(p_1-p_0)^2}

    One-sample: :math:`p_1` against the fixed value :math:`p_0`.

    Parameters
    ----------
    p0, p1 : float
        Reference and alternative proportions.
    alpha : float
        Significance level.
    power : float
        Target power.
    deff : float
        Design effect (e.g. :func:`design_effect`), multiplies n.
    ratio : float
        ``n2 / n1`` (two-sample).
    alternative : {"two-sided", "one-sided"}
        Sidedness of the test.
    design : {"two-sample", "one-sample"}
        Comparison of two groups, or one group against ``p0``.

    Returns
    -------
    StatResult
        ``estimate`` (units in group 1, rounded up), ``n`` (total units),
        ``method, p0, p1, difference, n_group1, n_group2, n_unrounded,
        alpha, power, deff, ratio``.
    """
    _check_design(design, ratio)
    for p in (p0, p1):
        if not 0 < p < 1:
            raise ValueError("p0 and p1 must be in (0, 1)")
    za, zb = _z_alpha(alpha, alternative), _z_beta(power)
    raw = _n_prop(p0, p1, za, zb, ratio, design) * deff
    n1 = int(np.ceil(raw - 1e-9))
    n2 = int(np.ceil(ratio * raw - 1e-9)) if design == "two-sample" else 0
    return make_result(
        [
            {
                "estimate": n1,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n": n1 + n2,
                "method": (
                    f"sample size, {design} test of proportions {p0:g} vs {p1:g}, {alternative} alpha={alpha:g}, "
                    f"power={power:g}, normal approximation (pooled H0 variance, no continuity correction), "
                    f"design effect {deff:g}"
                ),
                "p0": p0,
                "p1": p1,
                "difference": p1 - p0,
                "n_group1": n1,
                "n_group2": n2,
                "n_unrounded": raw,
                "alpha": alpha,
                "power": power,
                "deff": deff,
                "ratio": ratio,
            }
        ]
    )


def mde_proportion(
    n: float,
    p0: float,
    alpha: float = 0.05,
    power: float = 0.80,
    deff: float = 1.0,
    ratio: float = 1.0,
    alternative: str = "two-sided",
    design: str = "two-sample",
    direction: str = "increase",
) -> StatResult:
    """Minimal detectable change of a proportion for a given sample size.

    Inverse of :func:`n_for_proportion`: the :math:`p_1` for which ``n``
    units in group 1 give the requested power.

    Parameters
    ----------
    n : float
        Units in group 1 (the one with ``p0``).
    p0 : float
        Reference proportion.
    alpha, power, deff, ratio, alternative, design
        As in :func:`n_for_proportion`.
    direction : {"increase", "decrease"}
        Look for :math:`p_1 > p_0` or :math:`p_1 < p_0`.

    Returns
    -------
    StatResult
        ``estimate`` (the minimal detectable difference :math:`p_1 - p_0`),
        ``n, method, p0, p1, n_effective`` (n / deff), ``alpha, power,
        deff, ratio``. ``estimate`` is NaN if even :math:`p_1 = 0` or 1 is
        not detectable.
    """
    _check_design(design, ratio)
    if not 0 < p0 < 1:
        raise ValueError("p0 must be in (0, 1)")
    if not n > 0:
        raise ValueError("n must be > 0")
    if direction not in ("increase", "decrease"):
        raise ValueError("direction must be 'increase' or 'decrease'")
    za, zb = _z_alpha(alpha, alternative), _z_beta(power)
    eps = 1e-12

    def f(p1: float) -> float:
        return _n_prop(p0, p1, za, zb, ratio, design) * deff - n

    lo, hi = (p0 + eps, 1 - eps) if direction == "increase" else (eps, p0 - eps)
    if f(hi if direction == "increase" else lo) > 0:
        p1 = np.nan
    else:
        p1 = _opt.brentq(f, lo, hi, xtol=1e-12)
    return make_result(
        [
            {
                "estimate": p1 - p0,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n": n,
                "method": (
                    f"minimal detectable {direction} of a proportion from {p0:g}, {design}, n={n:g} in group 1, "
                    f"{alternative} alpha={alpha:g}, power={power:g}, design effect {deff:g} (normal approximation)"
                ),
                "p0": p0,
                "p1": p1,
                "n_effective": n / deff,
                "alpha": alpha,
                "power": power,
                "deff": deff,
                "ratio": ratio,
            }
        ]
    )


# ---------------------------------------------------------------------------
# rate ratios
# ---------------------------------------------------------------------------
def rate_design(
    posts: pd.DataFrame,
    numerator: str = "members_reached",
    exposure: str = "audience_size",
    by: str | list[str] | pd.Series = "author_type",
    cluster: str = "author_id",
    min_clusters: int = 20,
) -> StatResult:
    """Observed variance components of group rates, for planning.

    For each group, with :math:`d_i = (y_i - r E_i)/(r \\bar E)` (post-level
    residual in units of the rate):

    * ``cv_post``: standard deviation of :math:`d_i` (coefficient of
      variation of the post-level rate, exposure-weighted);
    * ``design_effect``: cluster-robust variance of :math:`\\log r` (by
      author) over the post-level robust variance (no small-sample
      corrections);
    * ``icc``: implied intra-author correlation
      :math:`(\\mathrm{deff}-1)/(\\bar m_{Kish}-1)`;
    * ``cv_author``: coefficient of variation of author-level sums, so that
      :math:`\\mathrm{Var}(\\log r) \\approx cv_{author}^2/G`.

    A group clustered by post (fewer than ``min_clusters`` authors, e.g. the
    page) has ``design_effect`` 1, ``icc`` NaN and ``cv_author`` computed
    over its posts.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    numerator, exposure, by, cluster, min_clusters
        As in :func:`advocacy_eval.stats.rates.compare_rates`.

    Returns
    -------
    StatResult
        One row per level: ``by, level, estimate`` (the rate), ``ci_low,
        ci_high`` (NaN), ``p_value`` (NaN), ``n`` (posts), ``method,
        n_clusters, posts_per_author, posts_per_author_kish, cv_post,
        design_effect, icc, cv_author, se_log_rate, cluster_unit``.
    """
    y = as_float_array(_column(posts, numerator, "numerator"))
    e = as_float_array(_column(posts, exposure, "exposure"))
    b, by_name, parts = grouping(posts, by)
    c = _column(posts, cluster, "cluster")
    ok = np.isfinite(y) & np.isfinite(e) & (e > 0) & b.notna().to_numpy() & c.notna().to_numpy()
    y, e, b, c = y[ok], e[ok], b[ok].reset_index(drop=True), c[ok].reset_index(drop=True)
    levels = group_levels(b)
    post_gc = group_rate_covariance(y, e, b, clusters=None, levels=levels, correction="none")
    clu_gc = group_rate_covariance(
        y, e, b, clusters=c, levels=levels, min_clusters=min_clusters, correction="none"
    )
    g = pd.Categorical(b, categories=levels).codes
    k = len(levels)
    r = post_gc.rates
    ebar = post_gc.exposures / post_gc.n_posts
    d = (y - r[g] * e) / (r[g] * ebar[g])
    cv_post = np.sqrt(np.bincount(g, weights=d**2, minlength=k) / post_gc.n_posts)
    deff = np.diag(clu_gc.cov_log) / np.diag(post_gc.cov_log)
    # posts per author (Kish) within each level
    a = pd.factorize(c)[0].astype(np.int64)
    na = a.max() + 1
    cnt = np.bincount(g.astype(np.int64) * na + a, minlength=k * na).reshape(k, na).astype(float)
    m_mean = cnt.sum(1) / (cnt > 0).sum(1)
    m_kish = (cnt**2).sum(1) / cnt.sum(1)
    with np.errstate(divide="ignore", invalid="ignore"):
        icc = np.where((m_kish > 1) & ~clu_gc.by_post, (deff - 1) / (m_kish - 1), np.nan)
    n_auth = clu_gc.n_authors
    cv_author = np.sqrt(np.diag(clu_gc.cov_log) * clu_gc.n_units)
    unit = [
        f"post (only {int(n)} distinct {cluster} < min_clusters={min_clusters})" if bp else cluster
        for n, bp in zip(n_auth, clu_gc.by_post, strict=True)
    ]
    return add_by_columns(
        make_result(
            {
                "by": by_name,
                "level": levels,
                "estimate": r,
                "n": post_gc.n_posts,
                "method": (
                    f"observed design of rate sum({numerator})/sum({exposure}): post-level CV of residuals, "
                    f"design effect = cluster-robust (by {cluster}) / post-robust variance of log rate (CR0), "
                    f"implied ICC = (deff-1)/(Kish posts per author - 1)"
                ),
                "n_clusters": n_auth,
                "posts_per_author": m_mean,
                "posts_per_author_kish": m_kish,
                "cv_post": cv_post,
                "design_effect": deff,
                "icc": icc,
                "cv_author": cv_author,
                "se_log_rate": np.sqrt(np.diag(clu_gc.cov_log)),
                "cluster_unit": unit,
            },
            first=["by", "level"],
        ),
        by,
        parts,
    )


def _var_log_rate(
    n_authors: float, posts_per_author: float, cv_post: float, icc: float | None, deff: float | None
) -> tuple[float, float]:
    if deff is None:
        deff = 1.0 + (posts_per_author - 1.0) * (icc or 0.0)
    return cv_post**2 * deff / (n_authors * posts_per_author), deff


def mde_rate_ratio(
    n_authors: float,
    posts_per_author: float,
    cv_post: float,
    icc: float | None = None,
    deff: float | None = None,
    ref_se_log: float = 0.0,
    null_ratio: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.80,
    alternative: str = "two-sided",
) -> StatResult:
    """Minimal detectable rate ratio (e.g. employee vs page reach rate).

    The variance of the group's log-rate is modelled as

    .. math:: \\mathrm{Var}(\\log \\hat r) = \\frac{cv_{post}^2\\,\\mathrm{deff}}{G\\,m},
              \\qquad \\mathrm{deff} = 1 + (m-1)\\rho

    (:func:`rate_design` gives the observed ``cv_post``, ``icc`` and
    ``design_effect``), plus the reference's own variance ``ref_se_log**2``
    (e.g. the page's ``se_log_rate`` from ``compare_rates``). The minimal
    detectable ratio is :math:`\\text{null} \\cdot \\exp\\{(z_\\alpha + z_\\beta)\\,SE\\}`.

    Parameters
    ----------
    n_authors : float
        Number of authors G in the group.
    posts_per_author : float
        Posts per author m.
    cv_post : float
        Coefficient of variation of the post-level rate.
    icc : float, optional
        Intra-author correlation (ignored when ``deff`` is given).
    deff : float, optional
        Design effect; default :math:`1 + (m-1)\\rho`.
    ref_se_log : float
        Standard error of the reference group's log-rate.
    null_ratio : float
        Ratio under H0 (1, or a claimed multiple such as 4).
    alpha, power : float
        Significance level and power.
    alternative : {"two-sided", "one-sided"}
        Sidedness.

    Returns
    -------
    StatResult
        ``estimate`` (minimal detectable ratio above ``null_ratio``),
        ``n`` (authors), ``method, mde_ratio_below, se_log_ratio,
        null_ratio, n_authors, posts_per_author, cv_post, deff, alpha,
        power``.
    """
    za, zb = _z_alpha(alpha, alternative), _z_beta(power)
    var, deff = _var_log_rate(n_authors, posts_per_author, cv_post, icc, deff)
    se = float(np.sqrt(var + ref_se_log**2))
    up = null_ratio * np.exp((za + zb) * se)
    return make_result(
        [
            {
                "estimate": up,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n": n_authors,
                "method": (
                    f"minimal detectable rate ratio vs {null_ratio:g}: log-scale normal approximation, "
                    f"Var(log r) = cv_post^2*deff/(G*m) + ref_se_log^2; {alternative} alpha={alpha:g}, power={power:g}"
                ),
                "mde_ratio_below": null_ratio / np.exp((za + zb) * se),
                "se_log_ratio": se,
                "null_ratio": null_ratio,
                "n_authors": n_authors,
                "posts_per_author": posts_per_author,
                "cv_post": cv_post,
                "deff": deff,
                "ref_se_log": ref_se_log,
                "alpha": alpha,
                "power": power,
            }
        ]
    )


def n_authors_for_rate_ratio(
    ratio: float,
    posts_per_author: float,
    cv_post: float,
    icc: float | None = None,
    deff: float | None = None,
    ref_se_log: float = 0.0,
    null_ratio: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.80,
    alternative: str = "two-sided",
) -> StatResult:
    """Number of authors needed to tell a rate ratio from ``null_ratio``.

    Inverse of :func:`mde_rate_ratio`:
    :math:`G = cv_{post}^2\\,\\mathrm{deff} / \\{m\\,(SE^2 - ref\\_se\\_log^2)\\}` with
    :math:`SE = |\\log(\\text{ratio}/\\text{null})|/(z_\\alpha+z_\\beta)`.
    Infinite when the reference's own uncertainty already exceeds the
    allowed SE (more authors cannot help: the page needs more posts).

    Parameters
    ----------
    ratio : float
        True rate ratio to detect.
    posts_per_author, cv_post, icc, deff, ref_se_log, null_ratio, alpha, power, alternative
        As in :func:`mde_rate_ratio`.

    Returns
    -------
    StatResult
        ``estimate`` (authors, rounded up), ``n`` (same), ``method,
        n_unrounded, ratio, null_ratio, posts_per_author, cv_post, deff,
        ref_se_log, alpha, power``.
    """
    if not (ratio > 0 and null_ratio > 0):
        raise ValueError("ratio and null_ratio must be > 0")
    za, zb = _z_alpha(alpha, alternative), _z_beta(power)
    se_t = abs(np.log(ratio / null_ratio)) / (za + zb)
    _, deff = _var_log_rate(1.0, posts_per_author, cv_post, icc, deff)
    allowed = se_t**2 - ref_se_log**2
    raw = cv_post**2 * deff / (posts_per_author * allowed) if allowed > 0 else np.inf
    g = float(np.ceil(raw - 1e-9)) if np.isfinite(raw) else np.inf
    return make_result(
        [
            {
                "estimate": g,
                "ci_low": np.nan,
                "ci_high": np.nan,
                "p_value": np.nan,
                "n": g,
                "method": (
                    f"authors needed to detect rate ratio {ratio:g} vs {null_ratio:g}: log-scale normal approximation, "
                    f"Var(log r) = cv_post^2*deff/(G*m) + ref_se_log^2; {alternative} alpha={alpha:g}, power={power:g}"
                    + (
                        ""
                        if np.isfinite(raw)
                        else "; impossible: the reference's own SE exceeds the allowed SE"
                    )
                ),
                "n_unrounded": raw,
                "ratio": ratio,
                "null_ratio": null_ratio,
                "posts_per_author": posts_per_author,
                "cv_post": cv_post,
                "deff": deff,
                "ref_se_log": ref_se_log,
                "alpha": alpha,
                "power": power,
            }
        ]
    )


# ---------------------------------------------------------------------------
# settling an interval that straddles a boundary
# ---------------------------------------------------------------------------
def n_to_exclude(
    n: float,
    se: float,
    distance: float,
    fixed_se: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.80,
) -> float:
    """Sample size at which an interval would exclude a boundary, the estimate being taken as the truth.

    An estimate lies ``distance`` from a boundary (a claimed value) with a
    standard error ``se`` on ``n`` units. Part of that variance,
    ``fixed_se**2``, does not shrink with more units (for a ratio against
    the company page: the page's own variance); the rest shrinks as
    :math:`1/n`. The returned :math:`n'` is the smallest size for which

    .. math:: (z_{1-\\alpha/2} + z_{\\text{power}})\\,
              \\sqrt{(se^2 - fixed\\_se^2)\\,n/n' + fixed\\_se^2} \\le \\text{distance},

    i.e. the two-sided ``1 - alpha`` interval excludes the boundary with
    probability ``power`` if the estimate is the truth. It is infinite when
    the fixed part alone is too large (more units cannot help) or the
    estimate sits on the boundary.

    Parameters
    ----------
    n : float
        Current number of units (volunteers, months...), > 0.
    se : float
        Current standard error (same scale as ``distance``), > 0.
    distance : float
        Distance from the estimate to the boundary (absolute value used).
    fixed_se : float
        Standard error that more units do not reduce (0 by default).
    alpha, power : float
        Two-sided level of the interval and the wanted probability.

    Returns
    -------
    float
        Units needed (not rounded; ``inf`` when no number of units suffices).

    Examples
    --------
    >>> round(n_to_exclude(100, 0.10, 0.28), 1)  # 2.80 standard errors away: about as many units as now
    100.1
    >>> n_to_exclude(100, 0.10, 0.05, fixed_se=0.05)  # the fixed part alone is too wide
    inf
    """
    if not (n > 0 and se > 0):
        raise ValueError("n and se must be > 0")
    if fixed_se < 0 or fixed_se > se:
        raise ValueError("fixed_se must be between 0 and se")
    z = _z_alpha(alpha, "two-sided") + _z_beta(power)
    allowed = (abs(distance) / z) ** 2 - fixed_se**2
    if allowed <= 0:
        return float("inf")
    return float(n * (se**2 - fixed_se**2) / allowed)
