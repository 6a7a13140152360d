"""Proportions: Wilson intervals, share vs target, content mix, two-group
comparisons (Newcombe difference, Koopman ratio) with multiplicity control."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from statsmodels.stats.proportion import proportions_ztest

from ..claims import verdict as claim_verdict
from ..schema import UNCLASSIFIED, require_columns
from ._result import (
    StatResult,
    add_by_columns,
    as_float_array,
    check_conf_level,
    group_levels,
    grouping,
    make_result,
    p_two_sided,
    pct,
    z_critical,
)
from .multiplicity import adjust_pvalues, adjustment_name
from .rates import group_rate_covariance
from .robust import CORRECTIONS, correction_text

__all__ = [
    "compare_proportions",
    "content_mix",
    "koopman_ratio",
    "newcombe_difference",
    "proportion_table",
    "test_share_vs_target",
    "wilson_interval",
]


# ---------------------------------------------------------------------------
# single proportions
# ---------------------------------------------------------------------------
def wilson_interval(
    successes: Any, n: Any, conf_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson (1927) score interval of a binomial proportion, vectorised.

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Parameters
    ----------
    successes, n : array_like
        Counts of successes and of trials (broadcast together).
    conf_level : float
        Confidence level.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper bounds (NaN where ``n`` is 0 or missing); exactly 0
        (resp. 1) when there are no successes (resp. failures).
    """
    z = z_critical(conf_level)
    x = np.asarray(as_float_array(successes), dtype=float)
    m = np.asarray(as_float_array(n), dtype=float)
    x, m = np.broadcast_arrays(x, m)
    if (x[np.isfinite(x)] < 0).any() or (np.isfinite(x) & np.isfinite(m) & (x > m)).any():
        raise ValueError("successes must be in [0, n]")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        z2 = z * z
        den = 1.0 + z2 / m
        center = (p + z2 / (2.0 * m)) / den
        half = z * np.sqrt(p * (1.0 - p) / m + z2 / (4.0 * m * m)) / den
        lo = np.clip(center - half, 0.0, 1.0)
        hi = np.clip(center + half, 0.0, 1.0)
    lo = np.where(x == 0, 0.0, lo)
    hi = np.where(x == m, 1.0, hi)
    bad = ~(np.isfinite(p) & (m > 0))
    lo = np.where(bad, np.nan, lo)
    hi = np.where(bad, np.nan, hi)
    return lo, hi


def _aggregate(
    df: pd.DataFrame, success: str, n: str | None, by: str | Sequence[str] | pd.Series | None
) -> tuple[str, list[Any], np.ndarray, np.ndarray, str, dict[str, tuple]]:
    """Successes and trials per level of ``by`` (binary rows or aggregated rows), and the levels' parts."""
    require_columns(df, [success], role="success column")
    parts: dict[str, tuple] = {}
    if by is None:
        b = pd.Series(["all"] * len(df))
        by_name = "all"
    else:
        b, by_name, parts = grouping(df, by)
    s = as_float_array(df[success])
    if n is None:
        if np.nanmax(np.abs(s - 0.5), initial=0.5) > 0.5 + 1e-12 or not np.all(
            np.isin(s[np.isfinite(s)], (0.0, 1.0))
        ):
            raise ValueError(f"{success!r} must be binary (0/1, True/False) when n is None")
        trials = np.isfinite(s).astype(float)
        succ = np.where(np.isfinite(s), s, 0.0)
        unit = "rows"
    else:
        require_columns(df, [n], role="n column")
        trials = as_float_array(df[n])
        ok = np.isfinite(trials) & np.isfinite(s)
        succ = np.where(ok, s, 0.0)
        trials = np.where(ok, trials, 0.0)
        unit = f"sum of {n}"
    keep = b.notna().to_numpy()
    b = b[keep]
    levels = group_levels(b)
    codes = pd.Categorical(b, categories=levels).codes
    k = len(levels)
    xs = np.bincount(codes, weights=succ[keep], minlength=k)
    ns = np.bincount(codes, weights=trials[keep], minlength=k)
    if (xs > ns + 1e-9).any():
        raise ValueError("successes exceed trials in some group")
    return by_name, levels, xs, ns, unit, parts


def proportion_table(
    df: pd.DataFrame,
    success_col: str,
    by: str | Sequence[str] | pd.Series | None = None,
    n_col: str | None = None,
    conf_level: float = 0.95,
) -> StatResult:
    """Proportion of successes per group with Wilson intervals.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per unit with a binary ``success_col`` (``n_col=None``), or
        aggregated rows with counts ``success_col`` out of ``n_col``.
    success_col : str
        Success column.
    by : str, list of str or pandas.Series, optional
        Grouping column(s); one overall row when omitted. Several columns
        give one level per combination (``"a / b"``) and one column each.
    n_col : str, optional
        Trials column for aggregated input.
    conf_level : float
        Confidence level.

    Returns
    -------
    StatResult
        ``by, level, estimate, ci_low, ci_high, p_value`` (NaN), ``n,
        method, successes, conf_level``.
    """
    by_name, levels, xs, ns, unit, parts = _aggregate(df, success_col, n_col, by)
    lo, hi = wilson_interval(xs, ns, conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = xs / ns
    result = make_result(
        {
            "by": by_name,
            "level": levels,
            "estimate": est,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": np.nan,
            "n": ns,
            "method": f"proportion {success_col} ({unit}); {pct(conf_level)} Wilson score interval",
            "successes": xs,
            "conf_level": conf_level,
        },
        first=["by", "level"],
    )
    return add_by_columns(result, by, parts)


def _verdict(lo: np.ndarray, hi: np.ndarray, target: float) -> np.ndarray:
    """Position of each interval relative to the target, from the package's one verdict rule."""

    def position(low: float, high: float) -> str:
        if not (np.isfinite(low) and np.isfinite(high)):
            return "undetermined"
        if claim_verdict(low, high, ">", target) == "supported":
            return "above target"
        if claim_verdict(low, high, "<", target) == "supported":
            return "below target"
        return "consistent with target"

    return np.array(
        [position(a, b) for a, b in zip(np.atleast_1d(lo), np.atleast_1d(hi), strict=True)],
        dtype=object,
    )


def test_share_vs_target(
    successes: Any,
    n: Any,
    target: float = 0.20,
    conf_level: float = 0.95,
    alternative: str = "two-sided",
) -> StatResult:
    """Score test of a proportion against a target share, with Wilson CI.

    The statistic is :math:`z = (\\hat p - p_0)/\\sqrt{p_0(1-p_0)/n}`, i.e.
    :func:`statsmodels.stats.proportion.proportions_ztest` with
    ``value=target, prop_var=target`` (without ``prop_var`` statsmodels
    would put the *estimated* proportion in the variance: a Wald test). The
    Wilson interval is the inversion of this test, so ``p_value < 1 -
    conf_level`` exactly when the target is outside the CI.

    Parameters
    ----------
    successes, n : array_like
        Successes and trials (one row per element).
    target : float
        Target share :math:`p_0` in (0, 1).
    conf_level : float
        Confidence level of the Wilson interval.
    alternative : {"two-sided", "larger", "smaller"}
        Alternative of the test.

    Returns
    -------
    StatResult
        ``estimate, ci_low, ci_high, p_value, n, method, successes,
        target, statistic, alternative, verdict`` (``"above target"``,
        ``"below target"`` or ``"consistent with target"``, from the CI).
    """
    if not 0.0 < target < 1.0:
        raise ValueError("target must be in (0, 1)")
    x = np.atleast_1d(as_float_array(successes))
    m = np.atleast_1d(as_float_array(n))
    x, m = np.broadcast_arrays(x, m)
    stat = np.full(x.shape, np.nan)
    pv = np.full(x.shape, np.nan)
    for i in range(x.size):  # one test per group, not per post
        if m[i] > 0:
            stat[i], pv[i] = proportions_ztest(
                x[i], m[i], value=target, prop_var=target, alternative=alternative
            )
    lo, hi = wilson_interval(x, m, conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = x / m
    return make_result(
        {
            "estimate": est,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": pv,
            "n": m,
            "method": (
                f"score z-test vs target {target:g} (variance p0(1-p0)/n: proportions_ztest with prop_var=target), "
                f"{alternative}; {pct(conf_level)} Wilson score interval; i.i.d. observations"
            ),
            "successes": x,
            "target": target,
            "statistic": stat,
            "alternative": alternative,
            "verdict": _verdict(lo, hi, target),
            "conf_level": conf_level,
        }
    )


test_share_vs_target.__test__ = False  # type: ignore[attr-defined]


def content_mix(
    posts: pd.DataFrame,
    by: str | Sequence[str] | pd.Series | None = None,
    target: float = 0.20,
    cluster: str | None = "author_id",
    min_clusters: int = 20,
    content_col: str = "content_type",
    corporate: str = "corporate",
    author_type: str | None = "employee",
    post_id: str | None = "post_id",
    conf_level: float = 0.95,
    correction: str = "stata",
) -> StatResult:
    """Share of corporate content per group, tested against a target.

    Posts whose content type is ``unclassified`` (no classification rule
    matched them) are left out of the share and counted in ``n_unclassified``.
    By default only employees' posts make the share (``author_type="employee"``,
    as in the reports: the 80/20 target is about what employees post); the
    posts of another author type (the company page's) are left out and
    counted in ``n_excluded``, and ``method`` says so. ``author_type=None``
    keeps every post.

    Two rows per group, told apart by ``variant`` (and ``method``):

    ``"iid"``
        Score test vs the target (:func:`test_share_vs_target`) and
        Wilson CI, treating posts as independent.
    ``"cluster"``
        Ratio estimator (corporate posts / posts) with a cluster-robust
        delta-method SE by author (authors differ in their mix, so posts of
        an author are correlated); Wald CI and z-test vs the target. Groups
        with fewer than ``min_clusters`` authors are clustered by post.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table.
    by : str, list of str or pandas.Series, optional
        Grouping (e.g. ``"wave_id"``, or ``["wave_id", "department"]``: one
        level per combination and one column each); one overall group when
        omitted.
    target : float
        Target share of corporate content.
    cluster : str or None
        Author column.
    min_clusters : int
        Groups with fewer distinct authors are clustered by post.
    content_col : str
        Content-type column.
    corporate : str
        Value of ``content_col`` that counts as corporate.
    author_type : str or None
        Keep only posts of this ``author_type`` (default ``"employee"``: the
        programme's target is about employees' posts); ``None`` keeps all.
    post_id : str or None
        Post identifier column.
    conf_level : float
        Confidence level.
    correction : {"stata", "statsmodels", "none"}
        Small-sample correction of the cluster-robust variance.

    Returns
    -------
    StatResult
        ``by, level, variant, estimate, ci_low, ci_high, p_value, n, method,
        target, statistic, verdict, n_corporate, n_clusters, cluster_unit,
        conf_level, n_unclassified`` (posts of the group whose content type is
        ``unclassified``: counted, left out of the share), ``n_excluded``
        (posts of the group by another author type than ``author_type``:
        counted, left out of the share).
    """
    check_conf_level(conf_level)
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}")
    df = posts.reset_index(drop=True)
    require_columns(df, [content_col, cluster], role="column")
    byser: pd.Series
    parts: dict[str, tuple] = {}
    if by is None:
        byser = pd.Series(
            pd.Categorical.from_codes(np.zeros(len(df), dtype=np.int8), categories=["all"])
        )
        by_name = "all"
    else:
        byser, by_name, parts = grouping(df, by)
    unclassified = (df[content_col] == UNCLASSIFIED).fillna(False).to_numpy()
    keep = (
        df[content_col].notna().to_numpy() & byser.notna().to_numpy() & ~unclassified
    )  # not in the mix
    scope = "all posts"
    other_author = np.zeros(len(df), dtype=bool)
    if author_type is not None and "author_type" in df.columns:
        other_author = ~np.asarray((df["author_type"] == author_type).fillna(False), dtype=bool)
        keep &= ~other_author
        scope = f"{author_type} posts only"
        if other_author.any():
            scope += (
                f" ({int(other_author.sum())} posts of other author types left out, in n_excluded)"
            )
    if cluster is not None:
        keep &= df[cluster].notna().to_numpy()
    if not keep.any():
        raise ValueError(
            "no classified posts left to compute the content mix"
            + (f" ({int(unclassified.sum())} unclassified)" if unclassified.any() else "")
        )
    d = df[keep]
    b = byser[keep]
    x = (d[content_col] == corporate).to_numpy(dtype=float)
    levels = group_levels(b)
    gc = group_rate_covariance(
        x,
        np.ones_like(x),
        b,
        clusters=d[cluster] if cluster is not None else None,
        post_ids=d[post_id] if post_id is not None and post_id in d.columns else None,
        levels=levels,
        min_clusters=min_clusters,
        correction=correction,
    )
    iid = test_share_vs_target(gc.counts, gc.n_posts, target=target, conf_level=conf_level)
    iid.insert(0, "variant", "iid")
    iid["method"] = iid["method"] + f"; {scope}"

    z = z_critical(conf_level)
    share = gc.rates
    se = np.sqrt(np.diag(gc.cov_rate))
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = (share - target) / se
    lo = np.clip(share - z * se, 0.0, 1.0)
    hi = np.clip(share + z * se, 0.0, 1.0)
    cname = cluster if cluster is not None else "post"
    unit = [
        f"post (only {int(na)} distinct {cname} < min_clusters={min_clusters})"
        if bp
        else str(cname)
        for na, bp in zip(gc.n_authors, gc.by_post, strict=True)
    ]
    clu = make_result(
        {
            "variant": "cluster",
            "estimate": share,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": p_two_sided(stat),
            "n": gc.n_posts,
            "method": (
                f"ratio estimator corporate/posts with cluster-robust delta-method SE by {cname} "
                f"(groups with < {min_clusters} {cname} clustered by post), {correction_text(correction)}; "
                f"Wald z-test vs target {target:g}, {pct(conf_level)} Wald CI; {scope}"
            ),
            "target": target,
            "statistic": stat,
            "verdict": _verdict(lo, hi, target),
            "conf_level": conf_level,
        }
    )
    iid["level"] = levels
    clu["level"] = levels
    scoped = (
        np.ones(len(df), dtype=bool)
        if author_type is None or "author_type" not in df.columns
        else (df["author_type"] == author_type).to_numpy()
    )
    counted = unclassified & scoped & byser.notna().to_numpy()
    n_unclassified = np.array(
        [int((counted & (byser == level).to_numpy()).sum()) for level in levels], dtype=np.int64
    )  # one pass per group, not per post
    excluded = other_author & byser.notna().to_numpy()
    n_excluded = np.array(
        [int((excluded & (byser == level).to_numpy()).sum()) for level in levels], dtype=np.int64
    )
    for t in (iid, clu):
        t["by"] = by_name
        t["n_corporate"] = gc.counts
        t["n_clusters"] = gc.n_authors
        t["n_unclassified"] = n_unclassified
        t["n_excluded"] = n_excluded
    iid["cluster_unit"] = "none (posts i.i.d.)"
    clu["cluster_unit"] = unit
    out = pd.concat([iid, clu], ignore_index=True)
    out["_order"] = np.tile(np.arange(len(levels)), 2)
    out = out.sort_values(
        ["_order", "variant"],
        kind="stable",
        key=lambda s: s.map({"iid": 0, "cluster": 1}) if s.name == "variant" else s,
    )
    out = out.drop(columns=["_order", "successes", "alternative"])
    return add_by_columns(make_result(out, first=["by", "level", "variant"]), by, parts)


# ---------------------------------------------------------------------------
# two proportions
# ---------------------------------------------------------------------------
def _pooled_z_pvalue(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """Pooled two-proportion z-test (= Pearson chi-square without continuity correction)."""
    if n1 <= 0 or n2 <= 0:
        return np.nan, np.nan
    pool = (x1 + x2) / (n1 + n2)
    if pool in (0.0, 1.0):
        return 0.0, 1.0
    z, p = proportions_ztest(np.array([x1, x2]), np.array([n1, n2]))
    return float(z), float(p)


def newcombe_difference(x1: Any, n1: Any, x2: Any, n2: Any, conf_level: float = 0.95) -> StatResult:
    """Newcombe (1998) hybrid score interval for :math:`p_1 - p_2` (method 10).

    With Wilson limits :math:`(l_i, u_i)` of each proportion:

    .. math:: \\hat\\delta - \\sqrt{(\\hat p_1-l_1)^2 + (u_2-\\hat p_2)^2},\\quad
              \\hat\\delta + \\sqrt{(u_1-\\hat p_1)^2 + (\\hat p_2-l_2)^2}

    Parameters
    ----------
    x1, n1, x2, n2 : array_like
        Successes and trials of the two groups (vectorised).
    conf_level : float
        Confidence level.

    Returns
    -------
    StatResult
        ``estimate`` (:math:`\\hat p_1 - \\hat p_2`), ``ci_low, ci_high,
        p_value`` (pooled two-proportion z-test of equality), ``n`` (n1 +
        n2), ``method, p1, p2, x1, n1, x2, n2``.
    """
    a = [np.atleast_1d(as_float_array(v)) for v in (x1, n1, x2, n2)]
    x1a, n1a, x2a, n2a = np.broadcast_arrays(*a)
    l1, u1 = wilson_interval(x1a, n1a, conf_level)
    l2, u2 = wilson_interval(x2a, n2a, conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1a / n1a, x2a / n2a
    d = p1 - p2
    lo = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pv = np.array([_pooled_z_pvalue(*t)[1] for t in zip(x1a, n1a, x2a, n2a, strict=True)])
    return make_result(
        {
            "estimate": d,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": pv,
            "n": n1a + n2a,
            "method": (
                f"difference of proportions; {pct(conf_level)} Newcombe (1998) hybrid score interval (method 10, "
                f"from Wilson limits); p-value: pooled two-proportion z-test (Pearson chi-square)"
            ),
            "p1": p1,
            "p2": p2,
            "x1": x1a,
            "n1": n1a,
            "x2": x2a,
            "n2": n2a,
            "conf_level": conf_level,
        }
    )


def _koopman_z(phi: float, x1: float, n1: float, x2: float, n2: float) -> float:
    """Koopman (1984) score statistic for H0 p1/p2 = phi (constrained MLE closed form)."""
    N = n1 + n2
    a = N * phi
    b = -(n1 * phi + x1 + n2 + x2 * phi)
    c = x1 + x2
    disc = max(b * b - 4.0 * a * c, 0.0)
    p2t = (-b - np.sqrt(disc)) / (2.0 * a)
    p1t = phi * p2t
    var = p1t * (1.0 - p1t) / n1 + phi * phi * p2t * (1.0 - p2t) / n2
    if var <= 0:
        return np.inf if x1 / n1 - phi * x2 / n2 > 0 else -np.inf
    return (x1 / n1 - phi * x2 / n2) / np.sqrt(var)


def _koopman_ci(x1: float, n1: float, x2: float, n2: float, z: float) -> tuple[float, float]:
    if not (n1 > 0 and n2 > 0) or (x1 == 0 and x2 == 0):
        return (0.0, np.inf) if n1 > 0 and n2 > 0 else (np.nan, np.nan)
    # starting point inside the interval
    est = (
        (x1 / n1) / (x2 / n2)
        if x1 > 0 and x2 > 0
        else ((x1 + 0.5) / (n1 + 0.5)) / ((x2 + 0.5) / (n2 + 0.5))
    )
    l0 = np.log(est)

    def f(lphi: float, target: float) -> float:
        return _koopman_z(np.exp(lphi), x1, n1, x2, n2) - target

    def solve(target: float, direction: float) -> float:
        a, step = l0, 0.5
        fa = f(a, target)
        for _ in range(200):
            bnd = a + direction * step
            fb = f(bnd, target)
            if np.sign(fb) != np.sign(fa):
                root = _opt.brentq(
                    f, min(a, bnd), max(a, bnd), args=(target,), xtol=1e-14, rtol=1e-14
                )
                return float(np.exp(root))
            a, fa, step = bnd, fb, step * 1.6
            if abs(a) > 60:
                break
        return 0.0 if direction < 0 else np.inf

    lo = 0.0 if x1 == 0 else solve(z, -1.0)
    hi = np.inf if x2 == 0 else solve(-z, 1.0)
    return lo, hi


def koopman_ratio(x1: Any, n1: Any, x2: Any, n2: Any, conf_level: float = 0.95) -> StatResult:
    """Koopman (1984) asymptotic score interval for :math:`p_1/p_2`.

    The interval is the set of :math:`\\phi` with
    :math:`|(\\hat p_1 - \\phi \\hat p_2)| / \\sqrt{\\tilde p_1(1-\\tilde p_1)/n_1
    + \\phi^2 \\tilde p_2(1-\\tilde p_2)/n_2} \\le z`, where
    :math:`\\tilde p` are the maximum-likelihood estimates under
    :math:`p_1 = \\phi p_2` (Miettinen-Nurminen without their
    :math:`N/(N-1)` variance factor). Solved numerically.

    Parameters
    ----------
    x1, n1, x2, n2 : array_like
        Successes and trials of the two groups (vectorised over groups).
    conf_level : float
        Confidence level.

    Returns
    -------
    StatResult
        ``estimate`` (ratio), ``ci_low, ci_high, p_value`` (score test of
        ratio 1 = pooled z-test), ``n, method, p1, p2, x1, n1, x2, n2``.
    """
    z = z_critical(conf_level)
    a = [np.atleast_1d(as_float_array(v)) for v in (x1, n1, x2, n2)]
    x1a, n1a, x2a, n2a = np.broadcast_arrays(*a)
    cis = np.array([_koopman_ci(*t, z) for t in zip(x1a, n1a, x2a, n2a, strict=True)]).reshape(
        -1, 2
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1a / n1a, x2a / n2a
        est = p1 / p2
    pv = np.array([_pooled_z_pvalue(*t)[1] for t in zip(x1a, n1a, x2a, n2a, strict=True)])
    return make_result(
        {
            "estimate": est,
            "ci_low": cis[:, 0],
            "ci_high": cis[:, 1],
            "p_value": pv,
            "n": n1a + n2a,
            "method": (
                f"ratio of proportions; {pct(conf_level)} Koopman (1984) asymptotic score interval; "
                f"p-value: score test of ratio 1 (pooled two-proportion z-test)"
            ),
            "p1": p1,
            "p2": p2,
            "x1": x1a,
            "n1": n1a,
            "x2": x2a,
            "n2": n2a,
            "conf_level": conf_level,
        }
    )


COMPARISONS: tuple[str, ...] = ("reference", "pairwise", "consecutive")


def compare_proportions(
    table: pd.DataFrame,
    success: str,
    n: str | None = None,
    by: str | Sequence[str] | pd.Series = "wave_id",
    reference: Any = None,
    adjust: str = "holm",
    comparisons: str = "reference",
    conf_level: float = 0.95,
) -> StatResult:
    """Compare a proportion between groups, with multiplicity adjustment.

    Used for participation, activation or profile-creation rates by wave or
    department.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit with a binary ``success`` (``n=None``), or
        aggregated rows with ``success`` out of ``n``.
    success : str
        Success column.
    n : str, optional
        Trials column for aggregated input.
    by : str, list of str or pandas.Series
        Grouping column(s) (several: one level per combination, ``"a / b"``).
    reference : optional
        Reference level for ``comparisons="reference"`` (default: first
        level).
    adjust : {"holm", "fdr_bh", "none"}
        Multiplicity adjustment over the family of comparisons.
    comparisons : {"reference", "pairwise", "consecutive"}
        Each level vs the reference; every pair (later level minus earlier);
        or each level vs the previous one (wave after wave).
    conf_level : float
        Confidence level.

    Returns
    -------
    StatResult
        One row per comparison: ``by, level, compared_to, contrast,
        estimate`` (difference of proportions, level minus compared_to),
        ``ci_low, ci_high`` (Newcombe), ``p_value`` (pooled z-test),
        ``p_adjusted, adjustment, n, method, proportion,
        proportion_compared, successes, n_level, successes_compared,
        n_compared, ratio, ratio_ci_low, ratio_ci_high`` (Koopman),
        ``conf_level``.
    """
    check_conf_level(conf_level)
    if comparisons not in COMPARISONS:
        raise ValueError(f"comparisons must be one of {COMPARISONS}")
    adj_name = adjustment_name(adjust)
    by_name, levels, xs, ns, unit, _ = _aggregate(table, success, n, by)
    k = len(levels)
    if k < 2:
        raise ValueError("need at least two levels to compare")
    if comparisons == "reference":
        if reference is None:
            reference = levels[0]
        if reference not in levels:
            raise ValueError(f"reference {reference!r} is not a level: {levels}")
        r = levels.index(reference)
        pairs = [(i, r) for i in range(k) if i != r]
    elif comparisons == "pairwise":
        pairs = [(j, i) for i in range(k) for j in range(i + 1, k)]
    else:
        pairs = [(i + 1, i) for i in range(k - 1)]
    ia = np.array([p[0] for p in pairs])
    ib = np.array([p[1] for p in pairs])
    diff = newcombe_difference(xs[ia], ns[ia], xs[ib], ns[ib], conf_level)
    ratio = koopman_ratio(xs[ia], ns[ia], xs[ib], ns[ib], conf_level)
    padj = adjust_pvalues(diff["p_value"].to_numpy(), adjust)
    lev = np.array(levels, dtype=object)
    return make_result(
        {
            "by": by_name,
            "level": lev[ia],
            "compared_to": lev[ib],
            "contrast": [f"{a} - {b}" for a, b in zip(lev[ia], lev[ib], strict=True)],
            "estimate": diff["estimate"].to_numpy(),
            "ci_low": diff["ci_low"].to_numpy(),
            "ci_high": diff["ci_high"].to_numpy(),
            "p_value": diff["p_value"].to_numpy(),
            "p_adjusted": padj,
            "adjustment": adj_name,
            "n": ns[ia] + ns[ib],
            "method": (
                f"difference of proportions {success} ({unit}), {comparisons} comparisons; {pct(conf_level)} "
                f"Newcombe hybrid score CI; pooled two-proportion z-test; p_adjusted: {adj_name} over "
                f"{len(pairs)} comparisons; ratio: Koopman score CI"
            ),
            "proportion": xs[ia] / ns[ia],
            "proportion_compared": xs[ib] / ns[ib],
            "successes": xs[ia],
            "n_level": ns[ia],
            "successes_compared": xs[ib],
            "n_compared": ns[ib],
            "ratio": ratio["estimate"].to_numpy(),
            "ratio_ci_low": ratio["ci_low"].to_numpy(),
            "ratio_ci_high": ratio["ci_high"].to_numpy(),
            "conf_level": conf_level,
        },
        first=["by", "level", "compared_to", "contrast"],
    )
