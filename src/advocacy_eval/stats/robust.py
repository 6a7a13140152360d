"""Cluster-robust (sandwich) covariances for Poisson and OLS regressions.

These small, dependency-light estimators are the reference implementation
the fast group-rate code of :mod:`advocacy_eval.stats.rates` is checked
against, and they reproduce published Stata results (see the tests).

Small-sample corrections (``correction``):

``"stata"``
    :math:`G/(G-1)`, used by Stata's maximum-likelihood commands
    (``poisson``, ``logit``, ``glm``...) with ``vce(cluster)``.
``"statsmodels"``
    :math:`G/(G-1)\\cdot(N-1)/(N-K)`, statsmodels' ``use_correction=True``
    default; it is also what Stata's ``regress, vce(cluster)`` uses.
``"none"``
    No correction (CR0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._result import StatResult, as_float_array, make_result, p_two_sided, pct, z_critical

__all__ = [
    "CORRECTIONS",
    "RobustFit",
    "cluster_codes",
    "cluster_meat",
    "cluster_robust_ols",
    "cluster_robust_poisson",
    "correction_factor",
    "correction_text",
]

CORRECTIONS: tuple[str, ...] = ("stata", "statsmodels", "none")

_CORRECTION_TEXT: dict[str, str] = {
    "stata": "small-sample correction G/(G-1) (Stata)",
    "statsmodels": "small-sample correction G/(G-1)*(N-1)/(N-K) (statsmodels; Stata regress)",
    "none": "no small-sample correction (CR0)",
}


def correction_factor(correction: str, n_clusters: int, n_obs: int, k_params: int) -> float:
    """Multiplier applied to the cluster-robust sandwich.

    Parameters
    ----------
    correction : {"stata", "statsmodels", "none"}
        See the module docstring.
    n_clusters : int
        Number of clusters G.
    n_obs : int
        Number of observations N.
    k_params : int
        Number of estimated parameters K.

    Returns
    -------
    float
        The factor; ``nan`` when it is undefined (G < 2 or N <= K).
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    if correction == "none":
        return 1.0
    if n_clusters < 2:
        return float("nan")
    f = n_clusters / (n_clusters - 1.0)
    if correction == "statsmodels":
        if n_obs <= k_params:
            return float("nan")
        f *= (n_obs - 1.0) / (n_obs - k_params)
    return f


def correction_text(correction: str) -> str:
    """Readable description of a small-sample correction, for ``method`` texts."""
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {CORRECTIONS}, got {correction!r}")
    return _CORRECTION_TEXT[correction]


def cluster_codes(groups: Any) -> tuple[np.ndarray, int]:
    """Integer codes ``0..G-1`` of a cluster variable and G.

    Missing values are not allowed (a post without a cluster has no place in
    the sandwich).
    """
    s = pd.Series(np.asarray(groups) if not isinstance(groups, pd.Series) else groups.to_numpy())
    if s.isna().any():
        raise ValueError("cluster identifiers must not be missing")
    codes, uniques = pd.factorize(s, sort=False)
    return codes.astype(np.intp), len(uniques)


def cluster_meat(scores: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Sum of outer products of cluster-summed scores, :math:`\\sum_g u_g u_g'`.

    Parameters
    ----------
    scores : ndarray, shape (N, K)
        Per-observation score contributions.
    codes : ndarray of int, shape (N,)
        Cluster code of each observation, in ``0..n_clusters-1``.
    n_clusters : int
        Number of clusters.

    Returns
    -------
    ndarray, shape (K, K)
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[:, None]
    k = scores.shape[1]
    u = np.empty((n_clusters, k))
    for j in range(k):  # loop over parameters, not observations
        u[:, j] = np.bincount(codes, weights=scores[:, j], minlength=n_clusters)
    return u.T @ u


@dataclass
class RobustFit:
    """Result of :func:`cluster_robust_poisson` or :func:`cluster_robust_ols`.

    Attributes
    ----------
    params : pandas.Series
        Estimated coefficients.
    cov : pandas.DataFrame
        Cluster-robust covariance matrix (with the small-sample correction).
    n_obs, n_clusters : int
        Number of observations and of clusters.
    correction : str
        Small-sample correction used.
    factor : float
        Its numerical value.
    model : str
        ``"poisson"`` or ``"ols"``.
    iterations : int
        Newton iterations (0 for OLS).
    """

    params: pd.Series
    cov: pd.DataFrame
    n_obs: int
    n_clusters: int
    correction: str
    factor: float
    model: str
    iterations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def bse(self) -> pd.Series:
        """Cluster-robust standard errors."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)

    @property
    def method(self) -> str:
        """Readable description of the estimator."""
        what = "Poisson ML (log link, log-exposure offset)" if self.model == "poisson" else "OLS"
        return (
            f"{what}; cluster-robust sandwich covariance, G={self.n_clusters} clusters; "
            f"{correction_text(self.correction)}; normal (z) inference"
        )

    def tidy(self, conf_level: float = 0.95) -> StatResult:
        """Coefficient table.

        Parameters
        ----------
        conf_level : float
            Confidence level of the Wald intervals.

        Returns
        -------
        StatResult
            One row per coefficient: ``term, estimate, ci_low, ci_high,
            p_value, n, method, se, z, n_clusters, conf_level``.
        """
        z = z_critical(conf_level)
        est = self.params.to_numpy()
        se = self.bse.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            zstat = est / se
        return make_result(
            {
                "term": list(self.params.index),
                "estimate": est,
                "ci_low": est - z * se,
                "ci_high": est + z * se,
                "p_value": p_two_sided(zstat),
                "n": self.n_obs,
                "method": f"{self.method}; {pct(conf_level)} Wald CI",
                "se": se,
                "z": zstat,
                "n_clusters": self.n_clusters,
                "conf_level": conf_level,
            },
            first=["term"],
        )


def _design(X: Any, names: list[str] | None) -> tuple[np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        return X.to_numpy(dtype=float), [str(c) for c in X.columns]
    arr = np.asarray(X, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    return arr, names or [f"x{j}" for j in range(arr.shape[1])]


def cluster_robust_poisson(
    y: Any,
    X: Any,
    exposure: Any | None = None,
    groups: Any | None = None,
    correction: str = "stata",
    names: list[str] | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> RobustFit:
    """Poisson regression with log-exposure offset and cluster-robust covariance.

    Fits :math:`\\log E[y_i] = \\log(\\text{exposure}_i) + x_i'\\beta` by
    Newton-Raphson and returns the sandwich
    :math:`c \\cdot H^{-1} (\\sum_g u_g u_g') H^{-1}` with
    :math:`u_g = \\sum_{i \\in g} x_i (y_i - \\mu_i)`, :math:`H = X'\\,\\mathrm{diag}(\\mu) X`
    and ``c`` the small-sample correction.

    Parameters
    ----------
    y : array_like, shape (N,)
        Counts.
    X : array_like or DataFrame, shape (N, K)
        Design matrix (include a constant column if wanted).
    exposure : array_like, optional
        Positive exposures; 1 when omitted.
    groups : array_like, optional
        Cluster identifiers; each observation is its own cluster when
        omitted (heteroskedasticity-robust, HC0 with the correction).
    correction : {"stata", "statsmodels", "none"}
        Small-sample correction; ``"stata"`` (:math:`G/(G-1)`) reproduces
        Stata's ``poisson ..., exposure() vce(cluster)``.
    names : list of str, optional
        Coefficient names when ``X`` is not a DataFrame.
    tol : float
        Convergence tolerance on the largest Newton step.
    max_iter : int
        Maximum number of Newton iterations.

    Returns
    -------
    RobustFit
    """
    Xa, names = _design(X, names)
    ya = as_float_array(y)
    n, k = Xa.shape
    ea = np.ones(n) if exposure is None else as_float_array(exposure)
    if ya.shape != (n,) or ea.shape != (n,):
        raise ValueError("y, X and exposure must have the same number of rows")
    if not (np.isfinite(ya).all() and np.isfinite(Xa).all() and np.isfinite(ea).all()):
        raise ValueError("y, X and exposure must be finite (drop missing rows first)")
    if (ea <= 0).any():
        raise ValueError("exposure must be > 0")
    offset = np.log(ea)
    # start from the least-squares fit of log((y+0.5)/exposure)
    beta = np.linalg.lstsq(Xa, np.log((ya + 0.5) / ea), rcond=None)[0]

    def loglik(b: np.ndarray) -> float:
        eta = offset + Xa @ b
        return float(np.sum(ya * eta - np.exp(eta)))

    ll = loglik(beta)
    it = 0  # Newton steps taken
    for _ in range(max_iter):
        it += 1
        mu = np.exp(offset + Xa @ beta)
        grad = Xa.T @ (ya - mu)
        hess = (Xa * mu[:, None]).T @ Xa
        step = np.linalg.solve(hess, grad)
        t = 1.0
        while True:  # step halving keeps the likelihood increasing
            new = beta + t * step
            ll_new = loglik(new)
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-8:
                break
            t /= 2.0
        beta, ll = new, ll_new
        if np.max(np.abs(t * step)) < tol:
            break
    else:  # pragma: no cover - defensive
        raise RuntimeError("Poisson Newton-Raphson did not converge")

    mu = np.exp(offset + Xa @ beta)
    hess = (Xa * mu[:, None]).T @ Xa
    bread = np.linalg.inv(hess)
    if groups is None:
        codes, g = np.arange(n), n
    else:
        codes, g = cluster_codes(groups)
    meat = cluster_meat(Xa * (ya - mu)[:, None], codes, g)
    fac = correction_factor(correction, g, n, k)
    cov = fac * bread @ meat @ bread
    return RobustFit(
        params=pd.Series(beta, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        n_obs=n,
        n_clusters=g,
        correction=correction,
        factor=fac,
        model="poisson",
        iterations=it,
        extra={"loglik": ll},
    )


def cluster_robust_ols(
    y: Any,
    X: Any,
    groups: Any | None = None,
    correction: str = "statsmodels",
    names: list[str] | None = None,
) -> RobustFit:
    """OLS with a cluster-robust covariance matrix.

    Parameters
    ----------
    y : array_like, shape (N,)
        Outcome.
    X : array_like or DataFrame, shape (N, K)
        Design matrix (include a constant column if wanted).
    groups : array_like, optional
        Cluster identifiers; observation-level (HC) when omitted.
    correction : {"statsmodels", "stata", "none"}
        Default ``"statsmodels"``, :math:`G/(G-1)(N-1)/(N-K)`, which is
        also Stata's ``regress, vce(cluster)`` factor and reproduces
        Petersen's (2009) published standard errors.
    names : list of str, optional
        Coefficient names when ``X`` is not a DataFrame.

    Returns
    -------
    RobustFit
    """
    Xa, names = _design(X, names)
    ya = as_float_array(y)
    n, k = Xa.shape
    if ya.shape != (n,):
        raise ValueError("y and X must have the same number of rows")
    beta, *_ = np.linalg.lstsq(Xa, ya, rcond=None)
    resid = ya - Xa @ beta
    bread = np.linalg.inv(Xa.T @ Xa)
    if groups is None:
        codes, g = np.arange(n), n
    else:
        codes, g = cluster_codes(groups)
    meat = cluster_meat(Xa * resid[:, None], codes, g)
    fac = correction_factor(correction, g, n, k)
    cov = fac * bread @ meat @ bread
    return RobustFit(
        params=pd.Series(beta, index=names),
        cov=pd.DataFrame(cov, index=names, columns=names),
        n_obs=n,
        n_clusters=g,
        correction=correction,
        factor=fac,
        model="ols",
    )
