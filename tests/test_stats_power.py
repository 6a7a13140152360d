"""Tests of advocacy_eval.stats.power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import power_proportions_2indep

from advocacy_eval.stats import (
    compare_rates,
    design_effect,
    estimate_icc,
    mde_proportion,
    mde_rate_ratio,
    n_authors_for_rate_ratio,
    n_for_proportion,
    rate_design,
)


def test_design_effect_equal_and_kish() -> None:
    assert design_effect([10, 10, 10], 0.1) == pytest.approx(1 + 9 * 0.1)
    assert design_effect(10, 0.1) == pytest.approx(1.9)
    # Kish: m = sum m^2 / sum m = (25 + 225) / 20 = 12.5 (the mean, 10, understates it)
    assert design_effect([5, 15], 0.1) == pytest.approx(1 + 11.5 * 0.1)
    assert design_effect([5, 15], 0.1, kish=False) == pytest.approx(1.9)
    with pytest.raises(ValueError):
        design_effect([0, 3], 0.1)


def test_icc_shrout_fleiss_1979() -> None:
    # Shrout & Fleiss (1979), Psychol Bull 86:420-428, Table 2 (6 targets x 4 judges):
    # BMS = 11.24, WMS = 6.26, ICC(1,1) = .17, 95% CI -.13 to .72 (Table 4).
    data = np.array(
        [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    )
    df = pd.DataFrame({"target": np.repeat(np.arange(6), 4), "score": data.ravel()})
    res = estimate_icc(df, "score", "target").iloc[0]
    assert round(res["msb"], 2) == 11.24 and round(res["msw"], 2) == 6.26
    assert round(res["estimate"], 2) == 0.17
    assert (round(res["ci_low"], 2), round(res["ci_high"], 2)) == (-0.13, 0.72)
    assert res["n"] == 24 and res["n_clusters"] == 6 and res["n0"] == 4


def test_icc_recovers_simulated_value_unbalanced() -> None:
    rng = np.random.default_rng(1)
    G = 400
    m = rng.integers(2, 30, G)
    a = np.repeat(np.arange(G), m)
    # var between 0.25, within 0.75 -> ICC 0.25
    v = rng.normal(0, 0.5, G)[a] + rng.normal(0, np.sqrt(0.75), a.size)
    res = estimate_icc(pd.DataFrame({"a": a, "v": v}), "v", "a").iloc[0]
    assert res["ci_low"] < 0.25 < res["ci_high"]
    assert res["estimate"] == pytest.approx(0.25, abs=0.05)
    assert res["p_value"] < 1e-10
    assert res["design_effect"] == pytest.approx(
        1 + (np.sum(m**2) / np.sum(m) - 1) * res["estimate"]
    )


def test_n_for_proportion_textbook_and_statsmodels() -> None:
    # 10% vs 20%, two-sided 5%, power 80%: 199 per group (Fleiss, no continuity correction)
    res = n_for_proportion(0.10, 0.20)
    assert res["estimate"].iloc[0] == 199 and res["n"].iloc[0] == 398
    # statsmodels' power at the unrounded n is exactly the target power
    raw = res["n_unrounded"].iloc[0]
    assert power_proportions_2indep(-0.10, 0.20, raw).power == pytest.approx(0.80, abs=1e-5)
    # unequal groups: group 2 (p1) twice as large
    r2 = n_for_proportion(0.10, 0.25, ratio=2)
    assert power_proportions_2indep(
        -0.15, 0.25, r2["n_unrounded"].iloc[0], ratio=2
    ).power == pytest.approx(0.80, abs=1e-5)
    # one-sided and design effect
    r3 = n_for_proportion(0.10, 0.25, ratio=2, alternative="one-sided", deff=1.5)
    pw = power_proportions_2indep(
        -0.15, 0.25, r3["n_unrounded"].iloc[0] / 1.5, ratio=2, alternative="smaller"
    ).power
    assert pw == pytest.approx(0.80, abs=1e-6)


def test_n_for_proportion_one_sample() -> None:
    from scipy.stats import norm

    res = n_for_proportion(0.20, 0.30, design="one-sample")
    za, zb = norm.isf(0.025), norm.ppf(0.8)
    expected = (za * np.sqrt(0.2 * 0.8) + zb * np.sqrt(0.3 * 0.7)) ** 2 / 0.1**2
    assert res["n_unrounded"].iloc[0] == pytest.approx(expected)
    assert res["n_group2"].iloc[0] == 0


def test_mde_proportion_inverts_n() -> None:
    n = n_for_proportion(0.30, 0.42, deff=1.3)["n_unrounded"].iloc[0]
    mde = mde_proportion(n, 0.30, deff=1.3)
    assert mde["p1"].iloc[0] == pytest.approx(0.42, abs=1e-9)
    assert mde["estimate"].iloc[0] == pytest.approx(0.12, abs=1e-9)
    down = mde_proportion(n, 0.30, deff=1.3, direction="decrease")
    assert down["p1"].iloc[0] < 0.30
    assert np.isnan(mde_proportion(2, 0.5)["p1"].iloc[0])  # nothing detectable with 2 units
    assert (
        mde_proportion(400, 0.3)["estimate"].iloc[0] < mde_proportion(100, 0.3)["estimate"].iloc[0]
    )


def _rate_posts(rng: np.random.Generator, G: int = 80, page_posts: int = 150) -> pd.DataFrame:
    k = rng.poisson(5, G) + 1
    a = np.repeat(np.arange(G), k)
    aud = np.round(np.exp(rng.normal(6, 0.7, G)))[a] + 10
    eff = np.exp(rng.normal(-0.08, 0.4, G))[a]
    y = rng.poisson(0.035 * aud * eff * rng.gamma(2, 0.5, a.size))
    emp = pd.DataFrame(
        {
            "author_type": "employee",
            "author_id": a.astype(str),
            "audience_size": aud,
            "members_reached": y,
        }
    )
    pa = np.full(page_posts, 25_000.0)
    page = pd.DataFrame(
        {
            "author_type": "company",
            "author_id": "page",
            "audience_size": pa,
            "members_reached": rng.poisson(0.009 * pa * rng.gamma(2, 0.5, page_posts)),
        }
    )
    df = pd.concat([page, emp], ignore_index=True)
    df["post_id"] = np.arange(len(df)).astype(str)
    return df


def test_rate_design_reproduces_observed_se_and_mde_consistency() -> None:
    rng = np.random.default_rng(2)
    df = _rate_posts(rng)
    des = rate_design(df).set_index("level")
    res = compare_rates(df, correction="none", vce="cr1").set_index("level")
    emp, page = des.loc["employee"], des.loc["company"]
    assert emp["cluster_unit"] == "author_id" and page["cluster_unit"].startswith("post")
    # by construction cv_post^2 * deff / N is the (CR0) cluster variance of the log rate
    G, m = emp["n_clusters"], emp["n"] / emp["n_clusters"]
    mde = mde_rate_ratio(
        G, m, emp["cv_post"], deff=emp["design_effect"], ref_se_log=page["se_log_rate"]
    )
    assert mde["se_log_ratio"].iloc[0] == pytest.approx(
        res.loc["employee", "se_log_ratio"], rel=1e-9
    )
    assert emp["se_log_rate"] == pytest.approx(res.loc["employee", "se_log_rate"], rel=1e-9)
    assert emp["icc"] == pytest.approx(
        (emp["design_effect"] - 1) / (emp["posts_per_author_kish"] - 1)
    )
    assert emp["design_effect"] > 1.5  # authors differ


def test_planning_se_predicts_the_sampling_sd() -> None:
    # the SE predicted from one data set's observed design matches the
    # Monte-Carlo SD of the log rate ratio over replications of the same design
    rng = np.random.default_rng(3)
    des = rate_design(_rate_posts(rng)).set_index("level")
    emp, page = des.loc["employee"], des.loc["company"]
    pred = mde_rate_ratio(
        emp["n_clusters"],
        emp["n"] / emp["n_clusters"],
        emp["cv_post"],
        deff=emp["design_effect"],
        ref_se_log=page["se_log_rate"],
    )["se_log_ratio"].iloc[0]
    logs = []
    for _ in range(150):
        d = _rate_posts(rng)
        s = d.groupby("author_type")[["members_reached", "audience_size"]].sum()
        r = s["members_reached"] / s["audience_size"]
        logs.append(np.log(r["employee"] / r["company"]))
    sd = float(np.std(logs, ddof=1))
    assert pred == pytest.approx(sd, rel=0.3)


def test_n_authors_for_rate_ratio_inverts_mde() -> None:
    kw = dict(posts_per_author=6, cv_post=1.2, icc=0.15, ref_se_log=0.05, null_ratio=4.0)
    g = n_authors_for_rate_ratio(3.0, **kw)
    G = g["n_unrounded"].iloc[0]
    m = mde_rate_ratio(G, **kw)
    assert m["mde_ratio_below"].iloc[0] == pytest.approx(3.0, rel=1e-9)
    assert g["deff"].iloc[0] == pytest.approx(1 + 5 * 0.15)
    assert g["estimate"].iloc[0] == np.ceil(G)
    # the page's own uncertainty can make the target impossible
    imp = n_authors_for_rate_ratio(3.9, **kw)
    assert np.isinf(imp["estimate"].iloc[0]) and "impossible" in imp["method"].iloc[0]
    # more authors -> smaller detectable ratio
    assert (
        mde_rate_ratio(200, 6, 1.2, icc=0.15)["estimate"].iloc[0]
        < mde_rate_ratio(50, 6, 1.2, icc=0.15)["estimate"].iloc[0]
    )
