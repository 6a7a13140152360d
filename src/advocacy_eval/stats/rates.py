"""Comparison of rates (reach rate, engagement rate) between groups of posts.

The reach rate of a group is the ratio of sums
:math:`r_g = \\sum_{i\\in g} y_i / \\sum_{i \\in g} E_i` (members reached over
audience size), which is exactly what a Poisson GLM with one dummy per group
and a :math:`\\log E_i` offset estimates. Posts are clustered within authors
and over-dispersed, so the covariance of the group log-rates is the
cluster-robust sandwich of that GLM, computed in closed form from
cluster-level sums (delta method), with the full covariance between groups
that share authors. See ``docs/methods.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _sps
from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

from ..claims import verdict as claim_verdict
from ..errors import PooledAuthorTypesWarning
from ..schema import require_columns
from ._result import (
    StatResult,
    add_by_columns,
    as_float_array,
    by_columns,
    check_conf_level,
    group_levels,
    grouping,
    level_codes,
    make_result,
    p_two_sided,
    pct,
    z_critical,
)
from .robust import (
    CORRECTIONS,
    RobustFit,
    cluster_robust_ols,
    cluster_robust_poisson,
    correction_factor,
    correction_text,
)

__all__ = [
    "GroupRateCov",
    "RobustFit",
    "cluster_robust_ols",
    "cluster_robust_poisson",
    "compare_engagement",
    "compare_rates",
    "group_rate_covariance",
    "test_rate_ratio_claim",
    "two_poisson_rates",
]

RATE_METHODS: tuple[str, ...] = ("cluster", "naive")
VCE_TYPES: tuple[str, ...] = ("cr1", "cr3")


# ---------------------------------------------------------------------------
# core: covariance of group log-rates from cluster-level sums
# ---------------------------------------------------------------------------
@dataclass
class GroupRateCov:
    """Group rates and their covariance (output of :func:`group_rate_covariance`).

    Attributes
    ----------
    levels : list
        Group levels, in order.
    counts, exposures : ndarray, shape (K,)
        Sums of the numerator and of the exposure per group.
    rates : ndarray, shape (K,)
        ``counts / exposures``.
    n_posts : ndarray of int, shape (K,)
        Posts per group.
    n_authors : ndarray of int, shape (K,)
        Distinct clusters (authors) per group.
    n_units : ndarray of int, shape (K,)
        Clusters actually used per group (authors, or posts when the group
        is clustered by post).
    by_post : ndarray of bool, shape (K,)
        Whether the group was clustered by post (fewer than ``min_clusters``
        authors).
    cov_rate : ndarray, shape (K, K)
        Covariance of the rates.
    cov_log : ndarray, shape (K, K)
        Covariance of the log-rates (= of the GLM coefficients).
    n_clusters_total : int
        Number of clusters G of the joint model.
    factor : float
        Small-sample correction factor applied.
    method : str
        ``"cluster"`` or ``"naive"``.
    vce : str
        ``"cr1"``, ``"cr3"`` or ``"naive"``.
    """

    levels: list[Any]
    counts: np.ndarray
    exposures: np.ndarray
    rates: np.ndarray
    n_posts: np.ndarray
    n_authors: np.ndarray
    n_units: np.ndarray
    by_post: np.ndarray
    cov_rate: np.ndarray
    cov_log: np.ndarray
    n_clusters_total: int
    factor: float
    method: str
    vce: str


def _distinct_per_group(groups: np.ndarray, codes: np.ndarray, k: int, n_codes: int) -> np.ndarray:
    """Number of distinct ``codes`` (in ``0..n_codes-1``) in each of the ``k`` groups."""
    pair = groups.astype(np.int64) * n_codes + codes
    if k * n_codes <= 4 * len(pair) + 1_000_000:  # a bitmap of (group, code) pairs: no sort
        seen = np.zeros(k * n_codes, dtype=bool)
        seen[pair] = True
        return np.count_nonzero(seen.reshape(k, n_codes), axis=1)
    return np.bincount(np.unique(pair) // n_codes, minlength=k)


def group_rate_covariance(
    counts: Any,
    exposures: Any,
    groups: Any,
    clusters: Any | None = None,
    post_ids: Any | None = None,
    levels: Sequence[Any] | None = None,
    min_clusters: int = 20,
    correction: str = "stata",
    method: str = "cluster",
    vce: str = "cr1",
) -> GroupRateCov:
    """Group rates and the cluster-robust covariance of their logs.

    Equivalent to ``statsmodels`` ``GLM(counts, dummies(groups),
    family=Poisson(), offset=log(exposures)).fit(cov_type="cluster")`` with
    the cluster variable described below, but closed form and vectorised.

    With :math:`r_g = Y_g/E_g` and, for cluster ``c``,
    :math:`U_{cg} = \\sum_{i\\in c, i \\in g} (y_i - r_g E_i)`:

    .. math:: \\widehat{\\mathrm{Cov}}(\\log r_g, \\log r_h)
              = f \\, \\frac{\\sum_c U_{cg} U_{ch}}{Y_g Y_h}

    with ``f`` the small-sample correction.

    Parameters
    ----------
    counts, exposures : array_like, shape (N,)
        Numerator counts and positive exposures (no missing values).
    groups : array_like, shape (N,)
        Group of each row.
    clusters : array_like, optional
        Cluster (author) of each row; ``None`` clusters every row by itself.
    post_ids : array_like, optional
        Identifier of the post of each row, used as the cluster of groups
        clustered by post (row position when omitted).
    levels : sequence, optional
        Order of the groups; default :func:`group_levels`.
    min_clusters : int
        A group with fewer distinct clusters than this is clustered by post
        (a single company page is one cluster: no between-cluster variance
        can be estimated from it).
    correction : {"stata", "statsmodels", "none"}
        Small-sample correction with G the number of clusters of the joint
        model.
    method : {"cluster", "naive"}
        ``"naive"`` gives the model-based Poisson covariance
        (:math:`1/Y_g` on the log scale, no covariance between groups).
    vce : {"cr1", "cr3"}
        ``"cr1"`` (default): the sandwich above, equal to the GLM's.
        ``"cr3"``: delete-one-cluster jackknife of the log-rates (and rates),
        :math:`\\frac{G-1}{G}\\sum_c (\\hat\\phi_{(-c)} - \\hat\\phi)(\\hat\\phi_{(-c)} - \\hat\\phi)'`,
        more conservative when a few clusters dominate (``correction`` is
        then not used).

    Returns
    -------
    GroupRateCov
    """
    if vce not in VCE_TYPES:
        raise ValueError(f"vce must be one of {VCE_TYPES}, got {vce!r}")
    if method not in RATE_METHODS:
        raise ValueError(f"method must be one of {RATE_METHODS}, got {method!r}")
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    y = as_float_array(counts)
    e = as_float_array(exposures)
    # keep the groups' own dtype (categorical, Arrow strings...): no per-row conversion to Python objects
    gser = (
        groups.reset_index(drop=True)
        if isinstance(groups, pd.Series)
        else pd.Series(np.asarray(groups, dtype=object))
    )
    n = y.shape[0]
    if e.shape != (n,) or len(gser) != n:
        raise ValueError("counts, exposures and groups must have the same length")
    if levels is None:
        levels = group_levels(
            gser.astype(object) if isinstance(gser.dtype, pd.CategoricalDtype) else gser
        )
    levels = list(levels)
    k = len(levels)
    g = level_codes(gser, levels)
    if (g < 0).any():
        raise ValueError("groups holds values that are not in levels (or missing)")

    Y = np.bincount(g, weights=y, minlength=k)
    E = np.bincount(g, weights=e, minlength=k)
    n_posts = np.bincount(g, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = Y / E

    # distinct authors per group
    if clusters is None:
        a = np.arange(n)
        n_auth_values = n
    else:
        cl = (
            clusters.reset_index(drop=True)
            if isinstance(clusters, pd.Series)
            else pd.Series(np.asarray(clusters))
        )
        if cl.isna().any():
            raise ValueError("cluster identifiers must not be missing")
        a, uniq = pd.factorize(
            cl
        )  # integer or categorical ids (the analyses' codes) factorise without hashing text
        n_auth_values = len(uniq)
    n_authors = _distinct_per_group(g, a, k, n_auth_values)

    if method == "naive":
        with np.errstate(divide="ignore", invalid="ignore"):
            cov_rate = np.diag(Y / E**2)
            cov_log = np.diag(1.0 / Y)
        return GroupRateCov(
            levels=levels,
            counts=Y,
            exposures=E,
            rates=r,
            n_posts=n_posts,
            n_authors=n_authors,
            n_units=n_posts.copy(),
            by_post=np.zeros(k, bool),
            cov_rate=cov_rate,
            cov_log=cov_log,
            n_clusters_total=n,
            factor=1.0,
            method=method,
            vce="naive",
        )

    # composite cluster key: author, or the post itself for small groups
    by_post = n_authors < min_clusters if clusters is not None else np.ones(k, bool)
    row_by_post = by_post[g]
    if post_ids is None:
        p_codes = np.arange(n)
    else:
        pser = (
            post_ids.reset_index(drop=True)
            if isinstance(post_ids, pd.Series)
            else pd.Series(np.asarray(post_ids))
        )
        if pser.isna().any():
            p_codes = np.arange(n)
        else:  # only the rows clustered by post need their post's code (the same clusters, numbered alike)
            p_codes = np.zeros(n, dtype=np.int64)
            p_codes[row_by_post] = pd.factorize(pser[row_by_post])[0]
    key = np.where(row_by_post, n_auth_values + p_codes.astype(np.int64), a.astype(np.int64))
    c, cuniq = pd.factorize(key)
    G = len(cuniq)
    n_units = _distinct_per_group(g, c, k, G)

    flat = c.astype(np.int64) * k + g
    if vce == "cr1":
        resid = y - r[g] * e
        U = np.bincount(flat, weights=resid, minlength=G * k).reshape(G, k)
        meat = U.T @ U
        fac = correction_factor(correction, G, n, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov_rate = fac * meat / np.outer(E, E)
            cov_log = fac * meat / np.outer(Y, Y)
    else:  # CR3: delete-one-cluster jackknife, centred at the full-sample estimate
        Yc = np.bincount(flat, weights=y, minlength=G * k).reshape(G, k)
        Ec = np.bincount(flat, weights=e, minlength=G * k).reshape(G, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            r_loo = (Y - Yc) / (E - Ec)
            d_rate = r_loo - r
            d_log = np.log(r_loo) - np.log(r)
            fac = (G - 1.0) / G
            cov_rate = fac * (d_rate.T @ d_rate)
            cov_log = fac * (d_log.T @ d_log)
    return GroupRateCov(
        levels=levels,
        counts=Y,
        exposures=E,
        rates=r,
        n_posts=n_posts,
        n_authors=n_authors,
        n_units=n_units,
        by_post=by_post,
        cov_rate=cov_rate,
        cov_log=cov_log,
        n_clusters_total=G,
        factor=fac,
        method=method,
        vce=vce,
    )


# ---------------------------------------------------------------------------
# compare_rates
# ---------------------------------------------------------------------------
def _column(df: pd.DataFrame, col: Any, what: str) -> pd.Series:
    if isinstance(col, pd.Series):
        if len(col) != len(df):
            raise ValueError(f"{what} series must have the same length as the table")
        return col.reset_index(drop=True)
    require_columns(df, [col], role=f"{what} column")
    return df[col].reset_index(drop=True)


def _mixes_author_types(posts: pd.DataFrame, groups: pd.Series, valid: np.ndarray) -> bool:
    """Whether a group of the valid rows holds both company-page and employee posts."""
    if "author_type" not in posts.columns:
        return False
    types = posts["author_type"].reset_index(drop=True)[valid]
    if types.nunique(dropna=True) < 2:
        return False
    pairs = pd.DataFrame({"g": groups[valid].to_numpy(), "t": types.to_numpy()}).drop_duplicates()
    return bool(pairs["g"].duplicated().any())


def _warn_pooled(by: Any, by_name: str, stacklevel: int) -> None:
    """The Simpson's paradox warning of a comparison pooling the page's posts with employees'."""
    shown = by if isinstance(by, str) else list(by) if not isinstance(by, pd.Series) else by_name
    warnings.warn(
        f"compare_rates by {shown!r} pools company-page and employee posts in the same groups: the page's "
        f"reach rate differs several-fold from employees', so groups holding different shares of page posts "
        f"can show a difference that vanishes or reverses within each author type (Simpson's paradox). "
        f"The stratified comparison: compare_rates(posts, by={shown!r}, within='author_type'); or keep one "
        f"author type (posts[posts['author_type'] == 'employee']).",
        PooledAuthorTypesWarning,
        stacklevel=stacklevel,
    )


def _default_reference(by_name: str, levels: list[Any], reference: Any) -> Any:
    if reference is None:
        if by_name == "author_type" and "company" in levels:
            return "company"
        return levels[0]
    if reference not in levels:
        raise ValueError(f"reference {reference!r} is not a level of {by_name!r}: {levels}")
    return reference


def compare_rates(
    posts: pd.DataFrame,
    numerator: str = "members_reached",
    exposure: str = "audience_size",
    by: str | Sequence[str] | pd.Series = "author_type",
    cluster: str | None = "author_id",
    reference: Any = None,
    post_id: str | None = "post_id",
    min_clusters: int = 20,
    conf_level: float = 0.95,
    correction: str = "stata",
    method: str = "cluster",
    vce: str = "cr3",
    within: str | Sequence[str] | None = None,
) -> StatResult:
    """Rates by group with cluster-robust CIs, and each group vs a reference.

    The rate of a group is ``sum(numerator) / sum(exposure)``. Its
    uncertainty is the cluster-robust (by author) covariance of a Poisson
    GLM with log-exposure offset, computed in closed form; groups with
    fewer than ``min_clusters`` distinct authors (e.g. the company page, one
    author) are clustered by post instead. The default variance is the
    delete-one-cluster jackknife (CR3), the one every report uses, so a call
    with the defaults gives the report's interval for the same posts.

    Groups holding both company-page and employee posts (``by`` other than
    ``author_type``, e.g. ``"content_type"``) pool two populations whose
    reach rates differ several-fold: the comparison warns
    (:class:`~advocacy_eval.errors.PooledAuthorTypesWarning`, Simpson's
    paradox); ``within="author_type"`` gives the stratified comparison.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (see :mod:`advocacy_eval.schema`).
    numerator : str
        Count column (default ``members_reached``).
    exposure : str
        Exposure column (default ``audience_size``); rows with missing or
        non-positive exposure are dropped (and counted in ``method``).
    by : str, list of str or pandas.Series
        Grouping column, or several (one level per observed combination,
        written ``"a / b"``, with one result column per grouping column), or
        a series aligned with ``posts``.
    cluster : str or None
        Cluster column (authors); ``None`` clusters by post everywhere.
    reference : optional
        Reference level; default ``"company"`` for ``by="author_type"``,
        otherwise the first level (category order, else sorted). With
        several ``by`` columns, a level (``"employee / 2025-01-01"``) or a
        tuple of values.
    post_id : str or None
        Post identifier column used as the cluster of groups clustered by
        post (row position when ``None`` or absent).
    min_clusters : int
        Groups with fewer distinct authors are clustered by post.
    conf_level : float
        Confidence level.
    correction : {"stata", "statsmodels", "none"}
        Small-sample correction: ``"stata"`` is :math:`G/(G-1)`,
        ``"statsmodels"`` is :math:`G/(G-1)(N-1)/(N-K)`.
    method : {"cluster", "naive"}
        ``"naive"`` is the plain Poisson variance (``1/sum(numerator)`` on
        the log scale): over-confident with clustered, over-dispersed posts;
        provided to document how much.
    vce : {"cr3", "cr1"}
        Cluster-robust variance: ``"cr3"`` (default, as in the reports) is
        the delete-one-cluster jackknife, better calibrated when few authors
        dominate the sums (see ``docs/methods.md``, calibration); ``"cr1"``
        is the GLM sandwich with ``correction``.
    within : str or list of str, optional
        Compare the ``by`` groups separately within each level of these
        columns (e.g. ``"author_type"``: employees' posts among themselves,
        the page's among themselves; ``"month"`` with ``by="author_type"``:
        the amplification of each month). One fit per stratum, each stratum's
        rows next to each other, the ``within`` columns first. A stratum
        without the reference level keeps its rates with the ratios missing.

    Returns
    -------
    StatResult
        One row per level (per stratum and level with ``within``; with
        several ``by`` columns, one column per grouping column after
        ``level``): ``by, level, estimate`` (the rate), ``ci_low,
        ci_high, p_value`` (H0: rate ratio vs reference = 1; NaN on the
        reference row), ``n`` (posts), ``method, numerator_sum,
        exposure_sum, n_posts, n_clusters`` (distinct authors),
        ``n_cluster_units, cluster_unit, se_log_rate, reference,
        rate_ratio, rate_ratio_ci_low, rate_ratio_ci_high, se_log_ratio,
        z, rate_difference, rate_difference_ci_low,
        rate_difference_ci_high, conf_level, correction``.

    Warns
    -----
    PooledAuthorTypesWarning
        When a group holds both company-page and employee posts (Simpson's paradox).

    Examples
    --------
    The committed sample programme: employees' reach rate against the page's
    (the amplification), then content types compared within each author type
    (never pooled), then the amplification month by month.

    >>> from advocacy_eval.io import load_programme
    >>> from advocacy_eval.paths import sample_data_dir
    >>> posts = load_programme(sample_data_dir()).posts_with_authors()
    >>> res = compare_rates(posts, by="author_type")
    >>> res[["level", "estimate", "rate_ratio", "rate_ratio_ci_low", "rate_ratio_ci_high"]]
          level  estimate  rate_ratio  rate_ratio_ci_low  rate_ratio_ci_high
    0   company  0.009029           1                NaN                 NaN
    1  employee   0.03706       4.105              3.695                4.56
    >>> by_type = compare_rates(posts, by="content_type", within="author_type")
    >>> by_type[["author_type", "level", "estimate", "rate_ratio"]]
      author_type          level  estimate  rate_ratio
    0     company      corporate   0.00895           1
    1     company  non_corporate  0.009148       1.022
    2    employee      corporate   0.03889           1
    3    employee  non_corporate   0.03665      0.9423
    >>> monthly = compare_rates(posts, by="author_type", within="month")
    >>> monthly.loc[monthly["level"] == "employee", ["month", "rate_ratio"]].tail(3)
            month  rate_ratio
    37 2025-10-01       4.553
    39 2025-11-01       3.792
    41 2025-12-01       3.862
    """
    check_conf_level(conf_level)
    if method not in RATE_METHODS:
        raise ValueError(f"method must be one of {RATE_METHODS}, got {method!r}")
    if within is not None:
        return _compare_within(
            posts,
            within,
            numerator=numerator,
            exposure=exposure,
            by=by,
            cluster=cluster,
            reference=reference,
            post_id=post_id,
            min_clusters=min_clusters,
            conf_level=conf_level,
            correction=correction,
            method=method,
            vce=vce,
        )
    return _compare_rates(
        posts,
        numerator,
        exposure,
        by,
        cluster,
        reference,
        post_id,
        min_clusters,
        conf_level,
        correction,
        method,
        vce,
        warn=True,
    )


def _compare_rates(
    posts: pd.DataFrame,
    numerator: str,
    exposure: str,
    by: Any,
    cluster: str | None,
    reference: Any,
    post_id: str | None,
    min_clusters: int,
    conf_level: float,
    correction: str,
    method: str,
    vce: str,
    warn: bool,
) -> StatResult:
    """:func:`compare_rates` without ``within`` (``warn``: whether to check the pooling of author types)."""
    b_s, by_name, parts = grouping(posts, by)
    y_s = _column(posts, numerator, "numerator")
    e_s = _column(posts, exposure, "exposure")
    if parts and isinstance(reference, tuple):
        reference = next((level for level, key in parts.items() if key == reference), reference)
    y = as_float_array(y_s)
    e = as_float_array(e_s)
    valid = np.isfinite(y) & np.isfinite(e) & (e > 0) & (y >= 0) & b_s.notna().to_numpy()
    cl = None
    if cluster is not None:
        cl_s = _column(posts, cluster, "cluster")
        valid &= cl_s.notna().to_numpy()
        cl = cl_s[valid]
    pid = None
    if post_id is not None and post_id in posts.columns:
        pid = posts[post_id].reset_index(drop=True)[valid]
    n_dropped = int((~valid).sum())
    if valid.sum() == 0:
        raise ValueError("no usable rows (numerator/exposure/by/cluster all missing or invalid)")
    b_v = b_s[valid]
    if (
        warn
        and "author_type" not in by_columns(by)
        and by_name != "author_type"
        and _mixes_author_types(posts, b_s, valid)
    ):
        _warn_pooled(by, by_name, stacklevel=4)
    levels = group_levels(b_v)
    reference = _default_reference(by_name, levels, reference)

    gc = group_rate_covariance(
        y[valid],
        e[valid],
        b_v,
        clusters=cl,
        post_ids=pid,
        levels=levels,
        min_clusters=min_clusters,
        correction=correction,
        method=method,
        vce=vce,
    )
    res = _rates_table(
        gc,
        by_name,
        numerator,
        exposure,
        cluster,
        reference,
        min_clusters,
        conf_level,
        correction,
        method,
        n_dropped,
    )
    return add_by_columns(res, by, parts)


_RATIO_COLUMNS: tuple[str, ...] = (
    "p_value",
    "rate_ratio",
    "rate_ratio_ci_low",
    "rate_ratio_ci_high",
    "se_log_ratio",
    "z",
    "rate_difference",
    "rate_difference_ci_low",
    "rate_difference_ci_high",
)
"""Columns of :func:`compare_rates` that compare a level with the reference."""


def _compare_within(posts: pd.DataFrame, within: str | Sequence[str], **kwargs: Any) -> StatResult:
    """:func:`compare_rates` in each stratum of ``within``: one fit per stratum, concatenated."""
    wcols = by_columns(within)
    if not wcols:
        raise ValueError("within: give a column name or a list of them")
    by = kwargs["by"]
    if isinstance(by, pd.Series):
        posts = posts.reset_index(drop=True).assign(
            **{str(by.name or "group"): by.reset_index(drop=True)}
        )
        kwargs["by"] = by = str(by.name or "group")
    overlap = set(wcols) & set(by_columns(by))
    if overlap:
        raise ValueError(
            f"within and by share column(s) {sorted(overlap)}: a stratum holds one level of each"
        )
    strata, _, strata_parts = grouping(
        posts, wcols if len(wcols) > 1 else wcols[0], role="within column"
    )
    b_all, by_name, _ = grouping(posts, by)
    levels = group_levels(b_all.dropna())
    reference = kwargs.pop("reference")
    if reference is None and levels:
        reference = _default_reference(by_name, levels, None)
    codes = (
        strata.cat.codes.to_numpy()
        if isinstance(strata.dtype, pd.CategoricalDtype)
        else pd.factorize(strata, sort=True, use_na_sentinel=True)[0]
    )
    names = (
        list(strata.cat.categories)
        if isinstance(strata.dtype, pd.CategoricalDtype)
        else list(pd.factorize(strata, sort=True, use_na_sentinel=True)[1])
    )
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    frames = []
    flat = posts.reset_index(drop=True)
    for i, name in enumerate(names):  # one fit per stratum, not per post
        rows = order[bounds[i] : bounds[i + 1]]
        sub = flat.iloc[rows]
        try:
            stratum_levels = group_levels(grouping(sub, by)[0].dropna())
        except ValueError:
            continue
        if not stratum_levels:
            continue
        has_ref = reference in stratum_levels
        try:
            res = _compare_rates(
                sub, reference=reference if has_ref else stratum_levels[0], warn=False, **kwargs
            )
        except ValueError:  # no usable rows in this stratum
            continue
        if not has_ref:
            for col in _RATIO_COLUMNS:
                res[col] = np.nan
            res["reference"] = reference
        key = strata_parts.get(name, (name,)) if len(wcols) > 1 else (name,)
        for j, col in enumerate(wcols):
            res.insert(j, col, key[j])
        frames.append(res)
    if not frames:
        raise ValueError("no usable rows in any stratum of within")
    out = pd.concat(frames, ignore_index=True)
    out["within"] = ", ".join(wcols)
    return make_result(
        out, first=[*wcols, "by", "level", *[c for c in by_columns(by) if c in out.columns]]
    )


def _rates_table(
    gc: GroupRateCov,
    by_name: str,
    numerator: str,
    exposure: str,
    cluster: str | None,
    reference: Any,
    min_clusters: int,
    conf_level: float,
    correction: str,
    method: str,
    n_dropped: int,
    extra_method: str = "",
) -> StatResult:
    z = z_critical(conf_level)
    k = len(gc.levels)
    ref = gc.levels.index(reference)
    r = gc.rates
    V = gc.cov_log
    C = gc.cov_rate
    dv = np.diag(V)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.sqrt(dv)
        log_r = np.log(r)
        lr = log_r - log_r[ref]
        var_lr = dv + dv[ref] - 2.0 * V[:, ref]
        se_lr = np.sqrt(np.clip(var_lr, 0.0, None))
        zstat = lr / se_lr
        diff = r - r[ref]
        se_diff = np.sqrt(np.clip(np.diag(C) + C[ref, ref] - 2.0 * C[:, ref], 0.0, None))
        rate_lo = np.exp(log_r - z * se_log)
        rate_hi = np.exp(log_r + z * se_log)
    is_ref = np.arange(k) == ref
    for arr in (lr, se_lr, zstat, diff, se_diff):
        arr[is_ref] = np.nan
    rr = np.exp(lr)
    rr[is_ref] = 1.0
    diff[is_ref] = 0.0

    if method == "naive":
        unit = np.array(["none (naive Poisson variance)"] * k, dtype=object)
        how = (
            f"NAIVE Poisson: Var(log rate) = 1/sum({numerator}), no clustering, no over-dispersion "
            f"(over-confident for clustered posts; for comparison only)"
        )
    else:
        cname = cluster if cluster is not None else "post"
        unit = np.array(
            [
                f"post (only {int(na)} distinct {cname} < min_clusters={min_clusters})"
                if bp
                else str(cname)
                for na, bp in zip(gc.n_authors, gc.by_post, strict=True)
            ],
            dtype=object,
        )
        if gc.vce == "cr1":
            var_txt = (
                f"cluster-robust sandwich covariance (CR1) by {cname} computed from cluster-level sums "
                f"(delta method, full covariance between levels)"
            )
            corr_txt = correction_text(correction)
        else:
            var_txt = (
                f"cluster-robust delete-one-cluster jackknife covariance (CR3) by {cname} "
                f"(full covariance between levels)"
            )
            corr_txt = "jackknife factor (G-1)/G"
        how = (
            f"Poisson GLM with log({exposure}) offset and one dummy per {by_name} level "
            f"(rate = sum({numerator})/sum({exposure})); {var_txt}; "
            f"levels with fewer than {min_clusters} distinct {cname} clustered by post; "
            f"G={gc.n_clusters_total} clusters; {corr_txt}"
        )
    txt = (
        f"{how}; {pct(conf_level)} normal (Wald) CIs on the log scale for rates and rate ratios, "
        f"on the natural scale for differences; p-value: H0 rate ratio = 1 vs {reference}"
    )
    if extra_method:
        txt += f"; {extra_method}"
    if n_dropped:
        txt += f"; {n_dropped} rows dropped (missing/invalid {numerator}, {exposure}, {by_name} or cluster)"

    return make_result(
        {
            "by": by_name,
            "level": gc.levels,
            "estimate": r,
            "ci_low": rate_lo,
            "ci_high": rate_hi,
            "p_value": p_two_sided(zstat),
            "n": gc.n_posts,
            "method": txt,
            "numerator_sum": gc.counts,
            "exposure_sum": gc.exposures,
            "n_posts": gc.n_posts,
            "n_clusters": gc.n_authors,
            "n_cluster_units": gc.n_units,
            "cluster_unit": unit,
            "se_log_rate": se_log,
            "reference": reference,
            "rate_ratio": rr,
            "rate_ratio_ci_low": np.where(is_ref, np.nan, np.exp(lr - z * se_lr)),
            "rate_ratio_ci_high": np.where(is_ref, np.nan, np.exp(lr + z * se_lr)),
            "se_log_ratio": se_lr,
            "z": zstat,
            "rate_difference": diff,
            "rate_difference_ci_low": np.where(is_ref, np.nan, diff - z * se_diff),
            "rate_difference_ci_high": np.where(is_ref, np.nan, diff + z * se_diff),
            "conf_level": conf_level,
            "correction": (correction if gc.vce == "cr1" else "jackknife (G-1)/G")
            if method == "cluster"
            else "n/a (naive)",
            "vce": gc.vce,
            "quantity": _quantity_name(numerator, exposure),
        },
        first=["by", "level"],
    )


def _quantity_name(numerator: str, exposure: str) -> str:
    """Words for a rate in statements: "reach rate", "engagement rate" or "rate"."""
    if (numerator, exposure) == ("members_reached", "audience_size"):
        return "reach rate"
    if exposure == "impressions" and "engagement" in numerator:
        return "engagement rate"
    return "rate"


# ---------------------------------------------------------------------------
# engagement
# ---------------------------------------------------------------------------
def compare_engagement(
    posts: pd.DataFrame,
    by: str | Sequence[str] | pd.Series = "author_type",
    terms: Sequence[str] = ("reactions", "comments", "reposts", "clicks"),
    exposure: str = "impressions",
    na: str = "zero",
    **kwargs: Any,
) -> StatResult:
    """Engagement rate (engagements / impressions) by group.

    Engagements are the row-wise sum of the available ``terms``. A term
    absent from the table, or entirely empty, is skipped; the terms used are
    listed in ``method``.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    by : str, list of str or pandas.Series
        Grouping column(s), as in :func:`compare_rates`.
    terms : sequence of str
        Engagement columns to add up (LinkedIn's definition is reactions +
        comments + reposts + clicks, optionally + follows).
    exposure : str
        Denominator column (default ``impressions``).
    na : {"zero", "drop"}
        Missing values in an available term count as 0 (``"zero"``) or drop
        the post (``"drop"``); the number of missing cells is reported.
    **kwargs
        Passed to :func:`compare_rates` (``cluster``, ``reference``,
        ``min_clusters``, ``conf_level``, ``correction``, ``method``,
        ``vce`` (default CR3, as in the reports), ``within``...).

    Returns
    -------
    StatResult
        As :func:`compare_rates`.
    """
    if na not in ("zero", "drop"):
        raise ValueError("na must be 'zero' or 'drop'")
    used: list[str] = []
    missing_cells: dict[str, int] = {}
    skipped: list[str] = []
    for t in terms:
        if t not in posts.columns or posts[t].isna().all():
            skipped.append(t)
            continue
        used.append(t)
        missing_cells[t] = int(posts[t].isna().sum())
    if not used:
        raise ValueError(f"none of the engagement terms {list(terms)} is available")
    vals = np.column_stack([as_float_array(posts[t]) for t in used])
    nan_rows = np.isnan(vals).any(axis=1)
    eng = np.nansum(vals, axis=1)
    if na == "drop":
        eng = np.where(nan_rows, np.nan, eng)
    tmp = posts.reset_index(drop=True).assign(_engagements=eng)
    res = compare_rates(tmp, numerator="_engagements", exposure=exposure, by=by, **kwargs)
    note = f"engagements = {' + '.join(used)}"
    if skipped:
        note += f" (not available: {', '.join(skipped)})"
    miss = {t: m for t, m in missing_cells.items() if m}
    if miss:
        what = "counted as 0" if na == "zero" else "posts dropped"
        note += "; missing cells " + ", ".join(f"{t}: {m}" for t, m in miss.items()) + f" ({what})"
    res["method"] = (
        res["method"].str.replace("_engagements", "engagements", regex=False) + "; " + note
    )
    res["terms"] = "+".join(used)
    return res


# ---------------------------------------------------------------------------
# claims
# ---------------------------------------------------------------------------
def _fmt_ratio(x: float) -> str:
    if not np.isfinite(x):
        return str(x)
    if abs(x) >= 10:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}"


def test_rate_ratio_claim(
    result: pd.DataFrame | pd.Series | None = None,
    claimed_ratio: float = 4.0,
    alternative: str = "less",
    *,
    ratio: float | None = None,
    se_log: float | None = None,
    ci: tuple[float, float] | None = None,
    conf_level: float | None = None,
    level: Any = None,
    quantity: str = "rate",
) -> StatResult:
    """Test a claimed rate ratio (e.g. "employees reach 4x more") on the log scale.

    Parameters
    ----------
    result : DataFrame or Series, optional
        Output of :func:`compare_rates` (all non-reference rows, or only
        ``level``) or one of its rows.
    claimed_ratio : float
        The claimed multiple (> 0).
    alternative : {"less", "greater", "two-sided"}
        Which p-value goes in ``p_value``: ``"less"`` tests H0 ratio >= claim
        against H1 ratio < claim (is the claim an overstatement?);
        ``"greater"`` tests H0 ratio <= claim against H1 ratio > claim. Both
        one-sided p-values are always in ``p_less`` / ``p_greater``.
    ratio, se_log : float, optional
        Estimate and standard error of its log, when ``result`` is omitted.
    ci : (float, float), optional
        A CI at ``conf_level``: used as given for the verdict, and (unless
        ``se_log`` is given) to derive ``se_log = log(hi/lo) / (2 z)``.
    conf_level : float, optional
        Confidence level of the verdict CI; default: the result's, else 0.95.
    level : optional
        Row of ``result`` to use (its ``level``).
    quantity : str
        Word used in the ``statement`` ("reach rate", "engagement rate"...).

    Returns
    -------
    StatResult
        Columns ``level, reference, estimate`` (ratio), ``ci_low, ci_high,
        p_value, n, method, claimed_ratio, z, p_less, p_greater,
        alternative, verdict, statement``. ``verdict`` is ``"supported"``
        when ``ci_low >= claim``, ``"contradicted"`` when ``ci_high <
        claim``, else ``"inconclusive"``.

    Examples
    --------
    >>> from advocacy_eval.io import load_programme
    >>> from advocacy_eval.paths import sample_data_dir
    >>> res = compare_rates(load_programme(sample_data_dir()).posts)
    >>> claim = test_rate_ratio_claim(res, 4.0)
    >>> claim["verdict"][0]
    'inconclusive'
    >>> print(claim["statement"][0])
    employee reach rate is 4.1x the company's, 95% CI 3.7–4.6: the 4x claim is not contradicted (inconclusive: the CI contains it)
    """
    if not claimed_ratio > 0:
        raise ValueError("claimed_ratio must be > 0")
    if alternative not in ("less", "greater", "two-sided"):
        raise ValueError("alternative must be 'less', 'greater' or 'two-sided'")
    rows: list[dict[str, Any]] = []
    if result is not None:
        df = result.to_frame().T if isinstance(result, pd.Series) else result
        if "rate_ratio" not in df.columns or "se_log_ratio" not in df.columns:
            raise ValueError(
                "result must come from compare_rates (needs rate_ratio and se_log_ratio)"
            )
        if level is not None:
            df = df[df["level"] == level]
            if df.empty:
                raise ValueError(f"level {level!r} not in result")
        df = df[pd.to_numeric(df["se_log_ratio"], errors="coerce").notna()]
        if df.empty:
            raise ValueError("no comparison rows (only the reference level?)")
        for _, row in df.iterrows():  # one row per group level, not per post
            cl = (
                float(row["conf_level"])
                if conf_level is None and "conf_level" in row
                else (conf_level or 0.95)
            )
            rows.append(
                {
                    "level": row.get("level"),
                    "reference": row.get("reference"),
                    "ratio": float(row["rate_ratio"]),
                    "se_log": float(row["se_log_ratio"]),
                    "conf_level": cl,
                    "n": row.get("n", np.nan),
                    "source": str(row.get("method", "")),
                    "quantity": str(row["quantity"])
                    if quantity == "rate" and "quantity" in row
                    else quantity,
                }
            )
    else:
        if ratio is None or (se_log is None and ci is None):
            raise ValueError("give result, or ratio with se_log or ci")
        cl = conf_level or 0.95
        if se_log is None:
            lo, hi = ci  # type: ignore[misc]
            se_log = (np.log(hi) - np.log(lo)) / (2.0 * z_critical(cl))
        rows.append(
            {
                "level": level,
                "reference": None,
                "ratio": float(ratio),
                "se_log": float(se_log),
                "conf_level": cl,
                "n": np.nan,
                "source": "user-supplied estimate",
                "ci": None if ci is None else (float(ci[0]), float(ci[1])),
            }
        )

    out = []
    for r in rows:
        zc = z_critical(r["conf_level"])
        lr, se = np.log(r["ratio"]), r["se_log"]
        if r.get("ci") is not None:  # a user-supplied CI is used as given
            lo, hi = r["ci"]
        else:
            lo, hi = float(np.exp(lr - zc * se)), float(np.exp(lr + zc * se))
        with np.errstate(divide="ignore", invalid="ignore"):
            zs = (lr - np.log(claimed_ratio)) / se
        p_less = float(_sps.norm.cdf(zs))
        p_greater = float(_sps.norm.sf(zs))
        p = {"less": p_less, "greater": p_greater, "two-sided": float(p_two_sided(zs))}[alternative]
        verdict = claim_verdict(lo, hi, ">=", claimed_ratio)
        verb = (
            verdict
            if verdict != "inconclusive"
            else "not contradicted (inconclusive: the CI contains it)"
        )
        who = f"{r['level']} " if r["level"] is not None else ""
        ref = f"the {r['reference']}'s" if r["reference"] is not None else "the reference's"
        statement = (
            f"{who}{r.get('quantity', quantity)} is {_fmt_ratio(r['ratio'])}x {ref}, {pct(r['conf_level'])} CI "
            f"{_fmt_ratio(lo)}\u2013{_fmt_ratio(hi)}: the {claimed_ratio:g}x claim is {verb}"
        )
        out.append(
            {
                "level": r["level"],
                "reference": r["reference"],
                "estimate": r["ratio"],
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
                "n": r["n"],
                "method": (
                    f"one-sided z tests of log(ratio) = log({claimed_ratio:g}) with the SE of the source; "
                    f"p_value for H1 ratio {'<' if alternative == 'less' else '>' if alternative == 'greater' else '!='} "
                    f"{claimed_ratio:g}; verdict from the {pct(r['conf_level'])} CI (supported if CI low >= claim, "
                    f"contradicted if CI high < claim, else inconclusive); source: {r['source']}"
                ),
                "claimed_ratio": claimed_ratio,
                "z": zs,
                "p_less": p_less,
                "p_greater": p_greater,
                "alternative": alternative,
                "verdict": verdict,
                "statement": statement,
                "conf_level": r["conf_level"],
            }
        )
    return make_result(out, first=["level", "reference"])


# pytest would otherwise collect the public function as a test
test_rate_ratio_claim.__test__ = False  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# two Poisson rates (Gu et al. 2008)
# ---------------------------------------------------------------------------
_CI_METHODS_RATIO = ("score", "wald-log", "score-log", "mover")
_CI_METHODS_DIFF = ("wald", "score", "waldccv", "mover")


def two_poisson_rates(
    count1: float,
    exposure1: float,
    count2: float,
    exposure2: float,
    ratio_null: float | None = None,
    method: str = "score",
    alternative: str = "two-sided",
    compare: str = "ratio",
    conf_level: float = 0.95,
    ci_method: str | None = None,
) -> StatResult:
    """Compare two independent Poisson rates (no clustering).

    Thin wrapper over :func:`statsmodels.stats.rates.test_poisson_2indep`
    (methods of Gu, Ng, Tang & Schucany 2008) and
    :func:`~statsmodels.stats.rates.confint_poisson_2indep`.

    Parameters
    ----------
    count1, exposure1, count2, exposure2 : float
        Event counts and exposures of the two samples.
    ratio_null : float, optional
        Null value: ratio (default 1) or difference (default 0, when
        ``compare="diff"``).
    method : str
        Test method: ``"wald"``, ``"score"``, ``"wald-log"``, ``"score-log"``,
        ``"sqrt"``, ``"exact-cond"``, ``"cond-midp"``, ``"etest"`` (ratio);
        ``"wald"``, ``"score"``, ``"waldccv"``, ``"etest"`` (diff).
    alternative : {"two-sided", "larger", "smaller"}
        Alternative hypothesis (rate1 vs rate2).
    compare : {"ratio", "diff"}
        Contrast.
    conf_level : float
        Confidence level of the interval.
    ci_method : str, optional
        Interval method; default: the test method when statsmodels has an
        interval for it, a Clopper-Pearson conditional interval for
        ``"exact-cond"``, otherwise ``"score"``.

    Returns
    -------
    StatResult
        One row: ``estimate`` (ratio or difference of rates), ``ci_low,
        ci_high, p_value, n`` (count1 + count2), ``method, statistic,
        alternative, compare, null_value, rate1, rate2, count1, exposure1,
        count2, exposure2, ci_method``. ``statistic`` is NaN for the
        conditional methods.
    """
    check_conf_level(conf_level)
    if compare not in ("ratio", "diff"):
        raise ValueError("compare must be 'ratio' or 'diff'")
    value = ratio_null if ratio_null is not None else (1.0 if compare == "ratio" else 0.0)
    res = test_poisson_2indep(
        count1,
        exposure1,
        count2,
        exposure2,
        value=value,
        method=method,
        compare=compare,
        alternative=alternative,
    )
    alpha = 1.0 - conf_level
    if ci_method is None:
        allowed = _CI_METHODS_RATIO if compare == "ratio" else _CI_METHODS_DIFF
        if method in allowed:
            ci_method = method
        elif method == "exact-cond" and compare == "ratio":
            ci_method = "exact-cond (Clopper-Pearson)"
        else:
            ci_method = "score"
    if ci_method.startswith("exact-cond"):
        lo_p = _sps.beta.ppf(alpha / 2, count1, count2 + 1) if count1 > 0 else 0.0
        hi_p = _sps.beta.ppf(1 - alpha / 2, count1 + 1, count2) if count2 > 0 else 1.0
        with np.errstate(divide="ignore"):
            lo = lo_p / (1 - lo_p) * exposure2 / exposure1
            hi = hi_p / (1 - hi_p) * exposure2 / exposure1 if hi_p < 1 else np.inf
    else:
        lo, hi = confint_poisson_2indep(
            count1, exposure1, count2, exposure2, method=ci_method, compare=compare, alpha=alpha
        )
    r1, r2 = count1 / exposure1, count2 / exposure2
    est = r1 / r2 if compare == "ratio" else r1 - r2
    return make_result(
        [
            {
                "estimate": est,
                "ci_low": float(lo),
                "ci_high": float(hi),
                "p_value": float(res.pvalue),
                "n": count1 + count2,
                "method": (
                    f"two independent Poisson rates (no clustering): {method} test of rate {compare} = {value:g} "
                    f"({alternative}), {pct(conf_level)} {ci_method} CI (statsmodels test_poisson_2indep; Gu et al. 2008)"
                ),
                "statistic": float(res.statistic) if res.statistic is not None else np.nan,
                "alternative": alternative,
                "compare": compare,
                "null_value": value,
                "rate1": r1,
                "rate2": r2,
                "count1": count1,
                "exposure1": exposure1,
                "count2": count2,
                "exposure2": exposure2,
                "ci_method": ci_method,
                "conf_level": conf_level,
            }
        ]
    )
