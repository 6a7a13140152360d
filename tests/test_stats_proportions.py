"""Tests of advocacy_eval.stats.proportions and .multiplicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from advocacy_eval.stats import (
    adjust_pvalues,
    compare_proportions,
    content_mix,
    koopman_ratio,
    newcombe_difference,
    proportion_table,
    test_share_vs_target,
    wilson_interval,
)


# ---------------------------------------------------------------------------
# Wilson
# ---------------------------------------------------------------------------
def test_wilson_known_values() -> None:
    # 0/10 and 5/10: textbook Wilson bounds; the next four are Newcombe (1998),
    # Stat Med 17:857-872, Table II, method 3 (Wilson score, without correction).
    x = [0, 5, 81, 15, 0, 1]
    n = [10, 10, 263, 148, 20, 29]
    lo, hi = wilson_interval(x, n, 0.95)
    np.testing.assert_array_equal(np.round(lo, 4), [0.0, 0.2366, 0.2553, 0.0624, 0.0, 0.0061])
    np.testing.assert_array_equal(np.round(hi, 4), [0.2775, 0.7634, 0.3662, 0.1605, 0.1611, 0.1718])
    assert lo[0] == 0.0  # exactly


def test_wilson_vectorised_and_matches_statsmodels() -> None:
    rng = np.random.default_rng(0)
    n = rng.integers(1, 500, 200)
    x = rng.binomial(n, 0.3)
    lo, hi = wilson_interval(x, n, 0.9)
    rlo, rhi = proportion_confint(x, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(lo, rlo, atol=1e-12)
    np.testing.assert_allclose(hi, rhi, atol=1e-12)
    lo2, _hi2 = wilson_interval(pd.Series(x, dtype="Int64"), n, 0.9)
    np.testing.assert_allclose(lo2, lo)
    with pytest.raises(ValueError):
        wilson_interval(5, 3)
    nan_lo, _ = wilson_interval(0, 0)
    assert np.isnan(nan_lo)


def test_proportion_table_binary_and_aggregated() -> None:
    df = pd.DataFrame(
        {
            "wave": ["W1"] * 10 + ["W2"] * 4,
            "active": [1] * 5 + [0] * 5 + [True, False, False, False],
        }
    )
    t = proportion_table(df, "active", by="wave")
    assert t["level"].tolist() == ["W1", "W2"]
    assert t["estimate"].tolist() == pytest.approx([0.5, 0.25])
    assert t["n"].tolist() == [10, 4]
    assert round(t["ci_low"].iloc[0], 4) == 0.2366
    agg = pd.DataFrame({"wave": ["W1", "W1", "W2"], "k": [2, 3, 1], "m": [4, 6, 4]})
    t2 = proportion_table(agg, "k", by="wave", n_col="m")
    np.testing.assert_allclose(t2["ci_low"], t["ci_low"])
    with pytest.raises(ValueError, match="binary"):
        proportion_table(agg, "k", by="wave")


# ---------------------------------------------------------------------------
# share vs target
# ---------------------------------------------------------------------------
def test_share_vs_target_is_the_score_test() -> None:
    res = test_share_vs_target([30, 12, 21], [100, 100, 100], target=0.20)
    z = (np.array([0.30, 0.12, 0.21]) - 0.2) / np.sqrt(0.2 * 0.8 / 100)
    np.testing.assert_allclose(res["statistic"], z, rtol=1e-12)
    np.testing.assert_allclose(res["p_value"], 2 * norm.sf(np.abs(z)), rtol=1e-12)
    # not the Wald test (estimated proportion in the variance), statsmodels' default
    wald = proportions_ztest(30, 100, value=0.2)[0]
    assert not np.isclose(res["statistic"].iloc[0], wald)
    assert res["verdict"].tolist() == ["above target", "below target", "consistent with target"]
    assert (res["ci_low"] <= res["estimate"]).all()


def test_score_test_and_wilson_agree_at_the_bound() -> None:
    # the Wilson interval inverts the score test: at its bound, p = alpha
    lo, hi = wilson_interval(37, 150, 0.95)
    assert test_share_vs_target(37, 150, target=float(hi))["p_value"].iloc[0] == pytest.approx(
        0.05, abs=1e-9
    )
    assert test_share_vs_target(37, 150, target=float(lo))["p_value"].iloc[0] == pytest.approx(
        0.05, abs=1e-9
    )


def _mix_posts(seed: int = 0, n_authors: int = 80, heterogeneous: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = rng.poisson(8, n_authors) + 1
    share = rng.beta(1.0, 4.0, n_authors) if heterogeneous else np.full(n_authors, 0.2)
    a = np.repeat(np.arange(n_authors), k)
    corp = rng.random(a.size) < share[a]
    df = pd.DataFrame(
        {
            "post_id": [f"P{i}" for i in range(a.size)],
            "author_type": "employee",
            "author_id": [f"E{i}" for i in a],
            "content_type": np.where(corp, "corporate", "non_corporate"),
            "wave": np.where(a < n_authors // 2, "W1", "W2"),
        }
    )
    page = pd.DataFrame(
        {
            "post_id": ["C1", "C2"],
            "author_type": "company",
            "author_id": "page",
            "content_type": "corporate",
            "wave": "W1",
        }
    )
    return pd.concat([df, page], ignore_index=True)


def test_content_mix_two_variants() -> None:
    df = _mix_posts()
    res = content_mix(df, by="wave", target=0.2)
    assert res["variant"].tolist() == ["iid", "cluster", "iid", "cluster"]
    assert res["level"].tolist() == ["W1", "W1", "W2", "W2"]
    emp = df[df.author_type == "employee"]
    share = emp.groupby("wave")["content_type"].apply(lambda s: (s == "corporate").mean())
    np.testing.assert_allclose(res["estimate"].to_numpy(), np.repeat(share.to_numpy(), 2))
    assert res["method"].iloc[0] != res["method"].iloc[1]
    assert "employee posts only" in res["method"].iloc[0]
    # cluster-robust SE by hand for W1 (40 authors)
    w1 = emp[emp.wave == "W1"]
    x = (w1.content_type == "corporate").astype(float)
    p = x.mean()
    u = (x - p).groupby(w1.author_id).sum()
    G_total = emp.author_id.nunique()  # joint model over both waves
    se = np.sqrt(G_total / (G_total - 1) * (u**2).sum()) / len(w1)
    row = res.iloc[1]
    assert row["statistic"] == pytest.approx((p - 0.2) / se, rel=1e-10)
    assert row["cluster_unit"] == "author_id"
    # authors differ in their mix: the cluster CI is wider than the i.i.d. one
    w_iid = res.iloc[0]["ci_high"] - res.iloc[0]["ci_low"]
    assert row["ci_high"] - row["ci_low"] > 1.2 * w_iid


def test_content_mix_overall_and_small_group() -> None:
    df = _mix_posts(n_authors=10)
    res = content_mix(df)
    assert res["level"].tolist() == ["all", "all"]
    assert res["cluster_unit"].iloc[1].startswith("post (only 10 distinct author_id")
    allp = content_mix(df, author_type=None)
    assert allp["n"].iloc[0] == len(df)


# ---------------------------------------------------------------------------
# two proportions: Fagerland, Lydersen & Laake (2015), 7/34 vs 1/34
# ---------------------------------------------------------------------------
def test_newcombe_fagerland_2015() -> None:
    res = newcombe_difference(7, 34, 1, 34)
    # Fagerland et al. (2015) Table: Newcombe hybrid score 0.019 to 0.34;
    # the authors' R package contingencytables prints 0.0189 to 0.3404.
    assert round(res["ci_low"].iloc[0], 3) == 0.019
    assert round(res["ci_high"].iloc[0], 2) == 0.34
    assert round(res["ci_low"].iloc[0], 4) == 0.0189
    assert round(res["ci_high"].iloc[0], 4) == 0.3404
    assert res["estimate"].iloc[0] == pytest.approx(6 / 34)


def test_koopman_fagerland_2015_and_nam() -> None:
    res = koopman_ratio(7, 34, 1, 34)
    lo, hi = res["ci_low"].iloc[0], res["ci_high"].iloc[0]
    # The authors' R package contingencytables (Koopman_asymptotic_score_CI_2x2,
    # perondi_2004): 1.2209 to 42.5757. The 2015 paper prints "1.21 to 43".
    assert round(lo, 4) == 1.2209
    assert round(hi, 4) == 42.5757
    assert round(hi) == 43
    assert abs(lo - 1.21) < 0.015  # the paper's lower bound is 0.011 lower (see docs/methods.md)
    # Nam (1995) example used by Koopman's method: 36/40 vs 16/80 -> 2.940 to 7.152
    nam = koopman_ratio(36, 40, 16, 80)
    assert round(nam["ci_low"].iloc[0], 3) == 2.940
    assert round(nam["ci_high"].iloc[0], 3) == 7.152


def test_koopman_edge_cases_and_inversion() -> None:
    res = koopman_ratio([0, 5, 0], [10, 10, 10], [3, 0, 0], [10, 10, 10])
    assert res["ci_low"].iloc[0] == 0 and np.isfinite(res["ci_high"].iloc[0])
    assert np.isinf(res["ci_high"].iloc[1]) and res["ci_low"].iloc[1] > 0
    assert res["ci_low"].iloc[2] == 0 and np.isinf(res["ci_high"].iloc[2])
    # the bounds are where the score statistic equals +-z
    from advocacy_eval.stats.proportions import _koopman_z

    r = koopman_ratio(12, 50, 5, 60, conf_level=0.9)
    assert _koopman_z(r["ci_low"].iloc[0], 12, 50, 5, 60) == pytest.approx(norm.isf(0.05), abs=1e-8)
    assert _koopman_z(r["ci_high"].iloc[0], 12, 50, 5, 60) == pytest.approx(
        -norm.isf(0.05), abs=1e-8
    )


# ---------------------------------------------------------------------------
# compare_proportions and multiplicity
# ---------------------------------------------------------------------------
def test_adjust_pvalues_hand_made() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.20, 0.005])
    # Holm by hand: sorted 0.005, 0.01, 0.03, 0.04, 0.20 times 5,4,3,2,1, cumulative max
    holm = np.array([0.04, 0.09, 0.09, 0.20, 0.025])
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), holm)
    # BH by hand: sorted p*m/rank = 0.025, 0.025, 0.05, 0.05, 0.20, cumulative min from the top
    bh = np.array([0.025, 0.05, 0.05, 0.20, 0.025])
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), bh)
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), multipletests(p, method="holm")[1])
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), multipletests(p, method="fdr_bh")[1])
    # NaN stays out of the family
    with_nan = adjust_pvalues(np.r_[p, np.nan], "holm")
    assert np.isnan(with_nan[-1])
    np.testing.assert_allclose(with_nan[:-1], holm)


def test_adjust_pvalues_order_and_monotonicity() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 30)
    for method in ("holm", "fdr_bh"):
        adj = adjust_pvalues(p, method)
        assert (adj >= p - 1e-15).all() and (adj <= 1).all()
        order = np.argsort(p)
        assert (np.diff(adj[order]) >= -1e-15).all()  # monotone in the raw p-values
    assert (adjust_pvalues(p, "holm") >= adjust_pvalues(p, "fdr_bh") - 1e-15).all()
    with pytest.raises(ValueError):
        adjust_pvalues(p, "bonferroni-ish")


def test_compare_proportions_reference_pairwise_consecutive() -> None:
    t = pd.DataFrame(
        {"wave": ["W1", "W2", "W3"], "active": [30, 55, 70], "volunteers": [150, 250, 300]}
    )
    ref = compare_proportions(t, "active", n="volunteers", by="wave")
    assert ref["contrast"].tolist() == ["W2 - W1", "W3 - W1"]
    nd = newcombe_difference([55, 70], [250, 300], [30, 30], [150, 150])
    np.testing.assert_allclose(ref["ci_low"], nd["ci_low"])
    np.testing.assert_allclose(ref["estimate"], [55 / 250 - 0.2, 70 / 300 - 0.2])
    z_p = [proportions_ztest([55, 30], [250, 150])[1], proportions_ztest([70, 30], [300, 150])[1]]
    np.testing.assert_allclose(ref["p_value"], z_p, rtol=1e-12)
    np.testing.assert_allclose(ref["p_adjusted"], multipletests(z_p, method="holm")[1])
    assert ref["adjustment"].iloc[0].startswith("Holm")
    pw = compare_proportions(
        t, "active", n="volunteers", by="wave", comparisons="pairwise", adjust="fdr_bh"
    )
    assert pw["contrast"].tolist() == ["W2 - W1", "W3 - W1", "W3 - W2"]
    assert pw["adjustment"].iloc[0].startswith("Benjamini-Hochberg")
    np.testing.assert_allclose(pw["p_adjusted"], multipletests(pw["p_value"], method="fdr_bh")[1])
    cons = compare_proportions(t, "active", n="volunteers", by="wave", comparisons="consecutive")
    assert cons["contrast"].tolist() == ["W2 - W1", "W3 - W2"]
    kr = koopman_ratio(70, 300, 55, 250)
    assert cons["ratio_ci_low"].iloc[1] == pytest.approx(kr["ci_low"].iloc[0])


def test_compare_proportions_binary_rows_and_reference() -> None:
    df = pd.DataFrame(
        {"dept": ["IT"] * 20 + ["HR"] * 10, "profile": [1] * 15 + [0] * 5 + [1] * 3 + [0] * 7}
    )
    res = compare_proportions(df, "profile", by="dept", reference="IT")
    assert res["contrast"].tolist() == ["HR - IT"]
    assert res["estimate"].iloc[0] == pytest.approx(0.3 - 0.75)
    assert res["n"].iloc[0] == 30
    with pytest.raises(ValueError):
        compare_proportions(df, "profile", by="dept", reference="Sales")
