"""Tests of advocacy_eval.stats.rates and .robust against published results
and against statsmodels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from advocacy_eval.stats import (
    StatResult,
    cluster_robust_ols,
    cluster_robust_poisson,
    compare_engagement,
    compare_rates,
    group_rate_covariance,
    test_rate_ratio_claim,
    two_poisson_rates,
)

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def simulate_posts(
    seed: int = 0,
    n_authors: int = 60,
    page_posts: int = 150,
    page_shape: float = 0.7,
    both_content_types: bool = True,
) -> pd.DataFrame:
    """Employees with lognormal author effects and heavy-tailed audiences, plus
    one over-dispersed company page. Vectorised."""
    rng = np.random.default_rng(seed)
    n_posts_auth = rng.poisson(6, n_authors) + 1
    auth = np.repeat(np.arange(n_authors), n_posts_auth)
    aud_auth = np.round(np.exp(rng.normal(6.0, 1.0, n_authors))) + 10
    eff = np.exp(rng.normal(-0.125, 0.5, n_authors))
    n_emp = auth.size
    corp = rng.random(n_emp) < 0.25
    mu = 0.035 * eff[auth] * aud_auth[auth] * rng.gamma(2.0, 0.5, n_emp) * np.where(corp, 0.8, 1.0)
    emp = pd.DataFrame(
        {
            "author_type": "employee",
            "author_id": [f"E{a:03d}" for a in auth],
            "content_type": np.where(corp, "corporate", "non_corporate"),
            "audience_size": aud_auth[auth].astype(int),
            "members_reached": rng.poisson(mu),
        }
    )
    page_aud = 25_000 + rng.integers(0, 500, page_posts)
    page_corp = rng.random(page_posts) < 0.6 if both_content_types else np.ones(page_posts, bool)
    page = pd.DataFrame(
        {
            "author_type": "company",
            "author_id": "company-page",
            "content_type": np.where(page_corp, "corporate", "non_corporate"),
            "audience_size": page_aud,
            "members_reached": rng.poisson(
                0.009 * page_aud * rng.gamma(page_shape, 1 / page_shape, page_posts)
            ),
        }
    )
    df = pd.concat([page, emp], ignore_index=True)
    df.insert(0, "post_id", [f"P{i:05d}" for i in range(len(df))])
    df["impressions"] = (df["members_reached"] * 1.4).round().astype(int)
    for col, p in (("reactions", 0.03), ("comments", 0.004), ("reposts", 0.002), ("clicks", 0.01)):
        df[col] = rng.binomial(df["impressions"].to_numpy(), p)
    return df


def glm_cluster(df: pd.DataFrame, by: str, clusters: np.ndarray, correction: str = "stata"):
    """Reference: statsmodels GLM Poisson, one dummy per level, offset, cluster cov."""
    levels = sorted(df[by].unique())
    X = pd.get_dummies(pd.Categorical(df[by], categories=levels)).astype(float).to_numpy()
    mod = sm.GLM(
        df["members_reached"].to_numpy(float),
        X,
        family=sm.families.Poisson(),
        offset=np.log(df["audience_size"].to_numpy(float)),
    )
    codes = pd.factorize(pd.Series(clusters))[0]
    G = codes.max() + 1
    if correction == "stata":
        res = mod.fit(
            cov_type="cluster", cov_kwds={"groups": codes, "use_correction": False}, tol=1e-13
        )
        cov = res.cov_params() * G / (G - 1)
    else:
        res = mod.fit(
            cov_type="cluster", cov_kwds={"groups": codes, "use_correction": True}, tol=1e-13
        )
        cov = res.cov_params()
    return levels, np.asarray(res.params), np.asarray(cov)


def composite_clusters(df: pd.DataFrame, by: str, min_clusters: int = 20) -> np.ndarray:
    """Cluster by author, except levels with < min_clusters authors: by post."""
    n_auth = df.groupby(by)["author_id"].nunique()
    small = df[by].map(n_auth < min_clusters).to_numpy()
    return np.where(small, "post:" + df["post_id"], "author:" + df["author_id"])


# ---------------------------------------------------------------------------
# Gu et al. (2008) two Poisson rates
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("wald", 0.000356),
        ("score", 0.000316),
        ("wald-log", 0.000420),
        ("score-log", 0.000200),
        ("exact-cond", 0.000428),
        ("cond-midp", 0.000310),
    ],
)
def test_two_poisson_rates_gu_2008(method: str, expected: float) -> None:
    # Gu, Ng, Tang & Schucany (2008), example 1: 60/51477.5 vs 30/54308.7,
    # one-sided p-values for H0 ratio = 1 vs H1 ratio > 1 (printed to 3 s.f.).
    res = two_poisson_rates(60, 51477.5, 30, 54308.7, method=method, alternative="larger")
    assert isinstance(res, StatResult)
    assert round(float(res["p_value"].iloc[0]), 6) == pytest.approx(expected, abs=1e-12)
    assert res["estimate"].iloc[0] == pytest.approx((60 / 51477.5) / (30 / 54308.7))
    assert res["ci_low"].iloc[0] < res["estimate"].iloc[0] < res["ci_high"].iloc[0]
    assert method in res["method"].iloc[0]


def test_two_poisson_rates_two_sided_and_diff() -> None:
    one = two_poisson_rates(60, 51477.5, 30, 54308.7, method="score", alternative="larger")
    two = two_poisson_rates(60, 51477.5, 30, 54308.7, method="score")
    assert two["p_value"].iloc[0] == pytest.approx(2 * one["p_value"].iloc[0], rel=1e-10)
    diff = two_poisson_rates(60, 51477.5, 30, 54308.7, method="wald", compare="diff")
    assert diff["estimate"].iloc[0] == pytest.approx(60 / 51477.5 - 30 / 54308.7)
    assert diff["ci_low"].iloc[0] > 0


def test_two_poisson_exact_conditional_ci_inverts_the_test() -> None:
    # Clopper-Pearson conditional CI: the exact test at its bounds gives alpha/2
    res = two_poisson_rates(60, 51477.5, 30, 54308.7, method="exact-cond")
    lo = res["ci_low"].iloc[0]
    up = two_poisson_rates(
        60, 51477.5, 30, 54308.7, ratio_null=lo, method="exact-cond", alternative="larger"
    )
    assert up["p_value"].iloc[0] == pytest.approx(0.025, abs=1e-6)


# ---------------------------------------------------------------------------
# Stata ships example: poisson accident yr_con op_75_79, exposure(service) vce(cluster ship)
# ---------------------------------------------------------------------------
SHIPS_PARAMS = np.array([0.30633819, 0.35592230, -6.9747128])
SHIPS_SE = np.array([0.03817694, 0.09213164, 0.09686566])


@pytest.fixture(scope="module")
def ships() -> pd.DataFrame:
    d = pd.read_csv(DATA / "ships.csv").dropna()
    assert len(d) == 34 and d["ship"].nunique() == 5
    return d


def test_ships_own_sandwich_matches_stata(ships: pd.DataFrame) -> None:
    X = ships[["yr_con", "op_75_79"]].assign(_cons=1.0)
    fit = cluster_robust_poisson(
        ships["accident"], X, ships["service"], ships["ship"], correction="stata"
    )
    np.testing.assert_allclose(fit.params.to_numpy(), SHIPS_PARAMS, atol=5e-8)
    np.testing.assert_allclose(fit.bse.to_numpy(), SHIPS_SE, atol=5e-9)
    assert fit.n_clusters == 5 and fit.factor == pytest.approx(5 / 4)
    tidy = fit.tidy()
    assert list(tidy["term"]) == ["yr_con", "op_75_79", "_cons"]
    assert "G/(G-1)" in tidy["method"].iloc[0]


def test_ships_statsmodels_glm_matches_stata_with_g_over_g_minus_1(ships: pd.DataFrame) -> None:
    # statsmodels' use_correction=True is G/(G-1)*(N-1)/(N-K): not Stata's.
    # Stata's G/(G-1) alone = use_correction=False, times G/(G-1).
    X = ships[["yr_con", "op_75_79"]].assign(_cons=1.0)
    mod = sm.GLM(
        ships["accident"], X, family=sm.families.Poisson(), offset=np.log(ships["service"])
    )
    res = mod.fit(
        cov_type="cluster", cov_kwds={"groups": ships["ship"].to_numpy(), "use_correction": False}
    )
    se = np.sqrt(np.diag(res.cov_params()) * 5 / 4)
    np.testing.assert_allclose(res.params.to_numpy(), SHIPS_PARAMS, atol=5e-8)
    np.testing.assert_allclose(se, SHIPS_SE, atol=5e-9)
    res_sm = mod.fit(cov_type="cluster", cov_kwds={"groups": ships["ship"].to_numpy()})
    assert not np.allclose(res_sm.bse.to_numpy(), SHIPS_SE, atol=5e-6)  # the default is not Stata's
    own_sm = cluster_robust_poisson(
        ships["accident"], X, ships["service"], ships["ship"], correction="statsmodels"
    )
    np.testing.assert_allclose(own_sm.bse.to_numpy(), res_sm.bse.to_numpy(), rtol=1e-8)


# ---------------------------------------------------------------------------
# Petersen (2009) test data: OLS y ~ x, clustered by firm / by year
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def petersen() -> pd.DataFrame:
    d = pd.read_csv(
        DATA / "petersen_test_data.txt", sep=r"\s+", header=None, names=["firm", "year", "x", "y"]
    )
    assert len(d) == 5000
    return d


@pytest.mark.parametrize(
    ("cluster", "se"), [("firm", (0.0670, 0.0506)), ("year", (0.0234, 0.0334))]
)
def test_petersen_clustered_ols(
    petersen: pd.DataFrame, cluster: str, se: tuple[float, float]
) -> None:
    X = pd.DataFrame({"const": 1.0, "x": petersen["x"]})
    fit = cluster_robust_ols(petersen["y"], X, petersen[cluster])
    np.testing.assert_array_equal(np.round(fit.params.to_numpy(), 4), [0.0297, 1.0348])
    np.testing.assert_array_equal(np.round(fit.bse.to_numpy(), 4), se)
    # same as statsmodels OLS cov_type="cluster" (default correction)
    ref = sm.OLS(petersen["y"], X).fit(
        cov_type="cluster", cov_kwds={"groups": petersen[cluster].to_numpy()}
    )
    np.testing.assert_allclose(fit.bse.to_numpy(), ref.bse.to_numpy(), rtol=1e-10)
    # without correction the by-year SE would be visibly wrong (10 clusters)
    if cluster == "year":
        raw = cluster_robust_ols(petersen["y"], X, petersen[cluster], correction="none")
        assert round(raw.bse.iloc[0], 4) != se[0]


# ---------------------------------------------------------------------------
# compare_rates == statsmodels GLM cluster
# ---------------------------------------------------------------------------
@pytest.mark.filterwarnings(
    "ignore::advocacy_eval.errors.PooledAuthorTypesWarning"
)  # pooled on purpose
@pytest.mark.parametrize("correction", ["stata", "statsmodels"])
def test_compare_rates_equals_glm_by_content_type_shared_authors(correction: str) -> None:
    df = simulate_posts(seed=1)
    # authors appear in both levels (employees post both content types)
    both = df[df.author_type == "employee"].groupby("author_id")["content_type"].nunique()
    assert (both == 2).sum() >= 20
    res = compare_rates(df, by="content_type", correction=correction, vce="cr1")
    # every level has >= 20 authors: clustered by author (the page is one cluster among them)
    assert (res["cluster_unit"] == "author_id").all()
    levels, params, cov = glm_cluster(df, "content_type", df["author_id"].to_numpy(), correction)
    assert list(res["level"]) == levels
    np.testing.assert_allclose(np.log(res["estimate"].to_numpy()), params, rtol=1e-10)
    gc = group_rate_covariance(
        df["members_reached"],
        df["audience_size"],
        df["content_type"],
        df["author_id"],
        df["post_id"],
        correction=correction,
    )
    np.testing.assert_allclose(gc.cov_log, cov, rtol=1e-8)
    assert abs(cov[0, 1]) > 0.2 * np.sqrt(cov[0, 0] * cov[1, 1])  # the covariance matters
    np.testing.assert_allclose(res["se_log_rate"].to_numpy(), np.sqrt(np.diag(cov)), rtol=1e-8)
    var_ratio = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    assert res["se_log_ratio"].iloc[1] == pytest.approx(np.sqrt(var_ratio), rel=1e-8)
    # a test ignoring the covariance would differ
    assert not np.isclose(res["se_log_ratio"].iloc[1], np.sqrt(cov[0, 0] + cov[1, 1]), rtol=0.05)


def test_compare_rates_equals_glm_with_page_clustered_by_post() -> None:
    df = simulate_posts(seed=2)
    res = compare_rates(
        df, vce="cr1"
    )  # by author_type, reference company; CR1 = the GLM's sandwich
    assert list(res["level"]) == ["company", "employee"]
    assert res["cluster_unit"].iloc[0].startswith("post")
    assert res["cluster_unit"].iloc[1] == "author_id"
    assert res["n_cluster_units"].iloc[0] == res["n_posts"].iloc[0]
    _levels, params, cov = glm_cluster(df, "author_type", composite_clusters(df, "author_type"))
    np.testing.assert_allclose(np.log(res["estimate"].to_numpy()), params, rtol=1e-10)
    np.testing.assert_allclose(res["se_log_rate"].to_numpy(), np.sqrt(np.diag(cov)), rtol=1e-8)
    assert res["se_log_ratio"].iloc[1] == pytest.approx(
        np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]), rel=1e-8
    )
    assert "G/(G-1)" in res["method"].iloc[0] and "clustered by post" in res["method"].iloc[0]


@pytest.mark.filterwarnings(
    "ignore::advocacy_eval.errors.PooledAuthorTypesWarning"
)  # pooled on purpose
def test_compare_rates_equals_own_poisson_sandwich_three_levels() -> None:
    df = simulate_posts(seed=3)
    df["wave"] = np.where(df.index % 3 == 0, "W1", np.where(df.index % 3 == 1, "W2", "W3"))
    res = compare_rates(df, by="wave", min_clusters=0, vce="cr1")
    X = pd.get_dummies(df["wave"]).astype(float)
    fit = cluster_robust_poisson(df["members_reached"], X, df["audience_size"], df["author_id"])
    np.testing.assert_allclose(np.log(res["estimate"].to_numpy()), fit.params.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(res["se_log_rate"].to_numpy(), fit.bse.to_numpy(), rtol=1e-8)
    c = fit.cov.to_numpy()
    assert res["se_log_ratio"].iloc[2] == pytest.approx(
        np.sqrt(c[0, 0] + c[2, 2] - 2 * c[0, 2]), rel=1e-8
    )


def test_naive_equals_glm_model_based() -> None:
    df = simulate_posts(seed=4)
    res = compare_rates(df, method="naive")
    X = pd.get_dummies(df["author_type"]).astype(float)
    ref = sm.GLM(
        df["members_reached"],
        X,
        family=sm.families.Poisson(),
        offset=np.log(df["audience_size"].astype(float)),
    ).fit(tol=1e-13)
    np.testing.assert_allclose(res["se_log_rate"].to_numpy(), ref.bse.to_numpy(), rtol=1e-8)
    assert res["method"].str.contains("NAIVE").all()
    assert (res["cluster_unit"] == "none (naive Poisson variance)").all()


def test_cr3_jackknife_equals_brute_force() -> None:
    df = simulate_posts(seed=5, n_authors=30, page_posts=40)
    res = compare_rates(df, vce="cr3")
    key = composite_clusters(df, "author_type")
    uniq = pd.unique(key)
    full = np.log(res["rate_ratio"].iloc[1])
    loo = []
    for k in uniq:  # brute force, small data
        d = df[key != k]
        s = d.groupby("author_type")[["members_reached", "audience_size"]].sum()
        r = s["members_reached"] / s["audience_size"]
        loo.append(np.log(r["employee"] / r["company"]))
    G = len(uniq)
    v = (G - 1) / G * np.sum((np.array(loo) - full) ** 2)
    assert res["se_log_ratio"].iloc[1] == pytest.approx(np.sqrt(v), rel=1e-9)
    assert "CR3" in res["method"].iloc[0]


# ---------------------------------------------------------------------------
# the page is ONE author
# ---------------------------------------------------------------------------
def test_single_page_author_is_clustered_by_post_and_reflects_dispersion() -> None:
    df = simulate_posts(seed=6, page_posts=200, page_shape=0.5)  # strongly over-dispersed page
    res = compare_rates(df, vce="cr1")
    naive = compare_rates(df, method="naive")
    page, page_naive = res.iloc[0], naive.iloc[0]
    assert page["level"] == "company" and page["n_clusters"] == 1
    assert page["cluster_unit"] == "post (only 1 distinct author_id < min_clusters=20)"
    width = np.log(page["ci_high"] / page["ci_low"])
    width_naive = np.log(page_naive["ci_high"] / page_naive["ci_low"])
    assert width > 0
    assert width > 3 * width_naive  # Gamma(0.5) post effects: far more variable than Poisson
    # by post = HC-robust: equals the empirical post-level dispersion
    p = df[df.author_type == "company"]
    r = p["members_reached"].sum() / p["audience_size"].sum()
    u = p["members_reached"] - r * p["audience_size"]
    G = len(p) + df.loc[df.author_type == "employee", "author_id"].nunique()
    se = np.sqrt(G / (G - 1) * np.sum(u**2)) / p["members_reached"].sum()
    assert page["se_log_rate"] == pytest.approx(se, rel=1e-10)


def test_clustering_a_single_author_by_author_would_be_degenerate() -> None:
    # with min_clusters=0 the page is one cluster: its score sums to zero, the
    # variance collapses to 0 -- exactly what the min_clusters rule prevents.
    df = simulate_posts(seed=7)
    res = compare_rates(df, min_clusters=0, vce="cr1")
    assert res["se_log_rate"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert res["cluster_unit"].iloc[0] == "author_id"


# ---------------------------------------------------------------------------
# table contents, engagement, claims
# ---------------------------------------------------------------------------
def test_compare_rates_table_by_hand() -> None:
    df = pd.DataFrame(
        {
            "post_id": ["a", "b", "c", "d"],
            "author_type": ["company", "company", "employee", "employee"],
            "author_id": ["page", "page", "E1", "E2"],
            "members_reached": [90, 110, 30, 40],
            "audience_size": [10_000, 10_000, 1_000, 1_000],
        }
    )
    res = compare_rates(df, vce="cr1")
    assert list(res.columns[:8]) == [
        "by",
        "level",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "n",
        "method",
    ]
    assert res["estimate"].tolist() == pytest.approx([0.01, 0.035])
    assert res["rate_ratio"].iloc[1] == pytest.approx(3.5)
    assert res["rate_difference"].iloc[1] == pytest.approx(0.025)
    assert np.isnan(res["p_value"].iloc[0]) and res["reference"].iloc[0] == "company"
    # hand computation: page by post, employees by author (here also one post each)
    G = 4
    u_page = np.array([90 - 100, 110 - 100])
    u_emp = np.array([30 - 35, 40 - 35])
    v_page = G / (G - 1) * np.sum(u_page**2) / 200**2
    v_emp = G / (G - 1) * np.sum(u_emp**2) / 70**2
    assert res["se_log_rate"].tolist() == pytest.approx([np.sqrt(v_page), np.sqrt(v_emp)])
    assert res["se_log_ratio"].iloc[1] == pytest.approx(np.sqrt(v_page + v_emp))
    assert "StatResult" not in repr(res) and "estimate" in repr(res)
    assert "<table" in res._repr_html_()


def test_compare_rates_drops_invalid_rows_and_reports() -> None:
    df = simulate_posts(seed=8)
    df.loc[[0, 5], "audience_size"] = 0
    df["members_reached"] = df["members_reached"].astype("Int64")
    df.loc[7, "members_reached"] = pd.NA
    res = compare_rates(df)
    assert "3 rows dropped" in res["method"].iloc[0]
    assert res["n"].sum() == len(df) - 3


def test_compare_rates_reference_and_errors() -> None:
    df = simulate_posts(seed=9)
    res = compare_rates(df, reference="employee")
    assert res["reference"].iloc[0] == "employee"
    assert res["rate_ratio"].iloc[0] < 1
    with pytest.raises(ValueError, match="reference"):
        compare_rates(df, reference="nobody")
    with pytest.raises(ValueError, match="correction"):
        compare_rates(df, correction="bogus")
    with pytest.raises(KeyError):
        compare_rates(df, by="wave")


def test_compare_engagement_terms_and_missing() -> None:
    df = simulate_posts(seed=10)
    df["follows"] = np.nan  # not exported
    df["clicks"] = df["clicks"].astype("Int64")
    df.loc[3, "clicks"] = pd.NA
    res = compare_engagement(df, terms=("reactions", "comments", "reposts", "clicks", "follows"))
    m = res["method"].iloc[0]
    assert "engagements = reactions + comments + reposts + clicks" in m
    assert "not available: follows" in m and "clicks: 1 (counted as 0)" in m
    eng = df[["reactions", "comments", "reposts"]].sum(axis=1) + df["clicks"].fillna(0).astype(
        float
    )
    emp = df.author_type == "employee"
    assert res["estimate"].iloc[1] == pytest.approx(
        eng[emp].sum() / df.loc[emp, "impressions"].sum()
    )
    dropped = compare_engagement(df, na="drop")
    assert dropped["n"].sum() == res["n"].sum() - 1


def test_rate_ratio_claim_verdicts() -> None:
    sup = test_rate_ratio_claim(ratio=5.0, se_log=0.05, claimed_ratio=4.0)
    assert sup["verdict"].iloc[0] == "supported" and sup["ci_low"].iloc[0] >= 4
    con = test_rate_ratio_claim(ratio=3.0, se_log=0.05, claimed_ratio=4.0)
    assert con["verdict"].iloc[0] == "contradicted" and con["ci_high"].iloc[0] < 4
    inc = test_rate_ratio_claim(ratio=3.9, ci=(3.1, 4.8), claimed_ratio=4.0)
    row = inc.iloc[0]
    assert row["verdict"] == "inconclusive"
    assert (row["ci_low"], row["ci_high"]) == (3.1, 4.8)
    # the CI is used as given: a 4.9x claim is above its upper bound
    assert (
        test_rate_ratio_claim(ratio=3.9, ci=(3.1, 4.8), claimed_ratio=4.9)["verdict"].iloc[0]
        == "contradicted"
    )
    # one-sided p-values: H1 ratio < 4 and H1 ratio > 4
    z = (np.log(3.9) - np.log(4.0)) / ((np.log(4.8) - np.log(3.1)) / (2 * 1.959963984540054))
    from scipy.stats import norm

    assert row["p_less"] == pytest.approx(norm.cdf(z), rel=1e-9)
    assert row["p_greater"] == pytest.approx(norm.sf(z), rel=1e-9)
    assert row["p_value"] == row["p_less"]
    assert "4x claim is not contradicted" in row["statement"]
    assert "3.9x" in row["statement"] and "95% CI 3.1\u20134.8" in row["statement"]
    g = test_rate_ratio_claim(ratio=3.9, ci=(3.1, 4.8), claimed_ratio=4.0, alternative="greater")
    assert g["p_value"].iloc[0] == pytest.approx(norm.sf(z), rel=1e-9)


def test_rate_ratio_claim_from_compare_rates() -> None:
    df = simulate_posts(seed=11)
    res = compare_rates(df)
    claim = test_rate_ratio_claim(res, claimed_ratio=4.0)
    assert len(claim) == 1
    row = claim.iloc[0]
    emp = res.iloc[1]
    assert row["level"] == "employee" and row["reference"] == "company"
    assert row["estimate"] == pytest.approx(emp["rate_ratio"])
    assert row["ci_low"] == pytest.approx(emp["rate_ratio_ci_low"])
    assert row["ci_high"] == pytest.approx(emp["rate_ratio_ci_high"])
    expected = (
        "supported"
        if emp["rate_ratio_ci_low"] >= 4
        else "contradicted"
        if emp["rate_ratio_ci_high"] < 4
        else "inconclusive"
    )
    assert row["verdict"] == expected
    assert row["statement"].startswith("employee reach rate is ")
    eng = test_rate_ratio_claim(compare_engagement(df), claimed_ratio=2.0)
    assert eng["statement"].iloc[0].startswith("employee engagement rate is ")
    with pytest.raises(ValueError):
        test_rate_ratio_claim(res.iloc[[0]])  # only the reference row
