"""Onboarding effect (Callaway & Sant'Anna): parity with R ``did`` on its benchmark panel, API, diagnostics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.effects import (
    bacon_decomposition,
    estimation_sample,
    honest_bounds,
    onboarding_effect,
    profiles_attributable,
    twfe_estimate,
)
from advocacy_eval.panel import build_panel
from advocacy_eval.sample import generate_programme

DATA = Path(__file__).parent / "data"
TOL = 1e-6
SCENARIOS = [("nevertreated", "mpdta_nev_dr"), ("notyettreated", "mpdta_nyt_dr")]


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(DATA / "mpdta.csv")


@pytest.fixture(scope="module")
def r_attgt() -> pd.DataFrame:
    return pd.read_csv(DATA / "mpdta_R_did_ref_attgt.csv")


@pytest.fixture(scope="module")
def r_aggte() -> pd.DataFrame:
    return pd.read_csv(DATA / "mpdta_R_did_ref_aggte.csv")


def _fit(mpdta: pd.DataFrame, control: str, **kw):
    return onboarding_effect(
        mpdta,
        "lemp",
        unit="countyreal",
        period="year",
        first_period="first.treat",
        control=control,
        **kw,
    )


# ----------------------------------------------------------------------------- parity with R did


@pytest.mark.parametrize("control,scenario", SCENARIOS)
def test_group_time_atts_match_r_did(mpdta, r_attgt, control, scenario) -> None:
    eff = _fit(mpdta, control)
    ref = r_attgt.loc[r_attgt["scenario"] == scenario]
    got = eff.group_time.merge(
        ref,
        left_on=["cohort", "period"],
        right_on=["group", "t"],
        how="outer",
        suffixes=("", "_r"),
        indicator=True,
    )
    assert (got["_merge"] == "both").all() and len(got) == 12
    assert np.max(np.abs(got["estimate"] - got["att"])) < TOL
    assert np.max(np.abs(got["se"] - got["se_r"])) < TOL
    # intervals are estimate +/- 1.96 se (analytic, normal)
    assert np.allclose(got["ci_high"] - got["estimate"], 1.959963985 * got["se"], atol=1e-8)


@pytest.mark.parametrize("control,scenario", SCENARIOS)
def test_aggregations_match_r_did(mpdta, r_aggte, control, scenario) -> None:
    eff = _fit(mpdta, control)
    ref = r_aggte.loc[r_aggte["scenario"] == scenario]
    simple = ref.loc[ref["type"] == "simple"].iloc[0]
    assert abs(eff.att - simple["overall_att"]) < TOL
    assert abs(eff.se - simple["overall_se"]) < TOL
    summary = eff.summary.set_index("type")
    assert set(summary.index) == {"simple", "group", "dynamic", "calendar"}
    for typ, table, key in (
        ("group", eff.by_group, "cohort"),
        ("dynamic", eff.event_study, "event_time"),
        ("calendar", eff.calendar, "period"),
    ):
        r = ref.loc[ref["type"] == typ]
        m = r.merge(table, left_on="egt", right_on=key, how="outer", indicator=True)
        assert (m["_merge"] == "both").all(), typ
        assert np.max(np.abs(m["att_egt"] - m["estimate"])) < TOL, typ
        assert np.max(np.abs(m["se_egt"] - m["se"])) < TOL, typ
        assert abs(summary.loc[typ, "estimate"] - r["overall_att"].iloc[0]) < TOL, typ
        assert abs(summary.loc[typ, "se"] - r["overall_se"].iloc[0]) < TOL, typ


def test_pretrend_test_matches_r_did(mpdta) -> None:
    eff = _fit(mpdta, "nevertreated")
    pt = eff.pretrend.set_index("test")
    # R did prints "P-value for pre-test of parallel trends assumption: 0.16812"
    assert pt.loc["group_time", "df"] == 5
    assert abs(pt.loc["group_time", "p_value"] - 0.16812) < 5e-5
    assert pt.loc["event_study", "df"] == 3


def test_aggregations_agree_with_diff_diff_own(mpdta) -> None:
    eff = _fit(mpdta, "notyettreated")
    res = eff.result
    es = res.aggregate("event_study").to_dataframe().set_index("event_time")
    mine = eff.event_study.set_index("event_time")
    assert np.allclose(mine["estimate"], es.loc[mine.index, "att"], atol=1e-12)
    assert np.allclose(mine["se"], es.loc[mine.index, "se"], atol=1e-12)
    gr = res.aggregate("group").to_dataframe().set_index("label")
    mine = eff.by_group.set_index("cohort")
    assert np.allclose(mine["se"], gr.loc[mine.index, "se"].astype(float), atol=1e-12)
    assert abs(eff.att - res.overall_att) < 1e-12 and abs(eff.se - res.overall_se) < 1e-12


def test_spellings_missing_first_period_and_column_names(mpdta) -> None:
    a = _fit(mpdta, "not_yet_treated")
    b = _fit(
        mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, np.nan)}), "notyettreated"
    )
    assert a.att == pytest.approx(b.att, abs=1e-12)
    assert a.control == b.control == "not_yet_treated"
    with pytest.raises(ValueError, match="column names"):
        onboarding_effect(mpdta, "lemp")
    with pytest.raises(ValueError, match="control"):
        _fit(mpdta, "everyone")
    with pytest.raises(ValueError, match="duplicate"):
        _fit(pd.concat([mpdta, mpdta.head(1)]), "nevertreated")


def test_bootstrap_is_seeded_and_close_to_analytic(mpdta) -> None:
    a = _fit(mpdta, "nevertreated", n_bootstrap=999, seed=11)
    b = _fit(mpdta, "nevertreated", n_bootstrap=999, seed=11)
    analytic = _fit(mpdta, "nevertreated")
    assert a.inference == "bootstrap" and "bootstrap" in a.method
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.calendar, b.calendar)
    assert a.att == analytic.att
    # same estimand, bootstrap SE within 15% of the analytic one
    for t1, t2 in ((a.summary, analytic.summary), (a.event_study, analytic.event_study)):
        ratio = t1["se"].to_numpy() / t2["se"].to_numpy()
        assert np.all((ratio > 0.85) & (ratio < 1.15))


def test_unbalanced_panel_is_balanced_and_reported(mpdta) -> None:
    drop = mpdta["countyreal"].isin(mpdta["countyreal"].unique()[:7]) & (mpdta["year"] == 2007)
    sample, report = estimation_sample(
        mpdta.loc[~drop], "lemp", "countyreal", "year", "first.treat"
    )
    rep = report.set_index("key")["value"]
    assert rep["units_unbalanced"] == 7 and rep["units_used"] == 493
    assert sample["unit"].nunique() == 493 and len(sample) == 493 * 5
    eff = _fit(mpdta.loc[~drop], "nevertreated")
    assert eff.sample.set_index("key").loc["units_unbalanced", "value"] == 7
    kept = _fit(mpdta.loc[~drop], "nevertreated", unbalanced="keep")
    assert kept.sample.set_index("key").loc["units_used", "value"] == 500
    assert any("nbalanced" in w for w in kept.warnings)


def test_twfe_and_bacon_agree_on_mpdta(mpdta) -> None:
    tw = twfe_estimate(mpdta, "lemp", "countyreal", "year", "first.treat")
    bacon = bacon_decomposition(mpdta, "lemp", "countyreal", "year", "first.treat")
    assert abs(tw["estimate"].iloc[0] - bacon.twfe) < 1e-10
    # published TWFE estimate on mpdta (Callaway & Sant'Anna's did vignette): -0.0365
    assert tw["estimate"].iloc[0] == pytest.approx(-0.03655, abs=5e-5)
    by = bacon.by_type.set_index("type")
    assert by["weight"].sum() == pytest.approx(1.0)
    assert by["contribution"].sum() == pytest.approx(bacon.twfe, abs=1e-8)


# ----------------------------------------------------------------------------- on a programme


@pytest.fixture(scope="module")
def sample_panel(sample_programme):
    return build_panel(sample_programme)


def test_effect_on_sample_programme(sample_panel, sample_programme) -> None:
    import json

    truth = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())[
        "truth"
    ]
    eff = onboarding_effect(sample_panel, "posts")
    assert eff.control == "not_yet_treated"
    # overall effect on posts near the generator's (total effect includes new profiles' posting)
    assert (
        eff.overall["ci_low"].iloc[0]
        < truth["onboarding_effect"]["posts"]["overall"]
        < eff.overall["ci_high"].iloc[0]
    )
    # per wave, labelled, each wave's cohort size
    bw = eff.by_wave.set_index("wave_id")
    assert list(bw.index) == ["W1", "W2", "W3"]
    assert bw.loc["W1", "cohorts"] == "W1 (2024-07)"
    for w, v in truth["onboarding_effect"]["posts"]["by_wave"].items():
        assert bw.loc[w, "ci_low"] < v < bw.loc[w, "ci_high"], w
    # event study: placebo months near zero, positive after enrolment, calendar months mapped back
    es = eff.event_study.set_index("event_time")
    assert (es.loc[es.index >= 1, "ci_low"] > 0).all()
    assert eff.pretrend.set_index("test").loc["event_study", "p_value"] > 0.05
    assert eff.calendar["month"].min() == pd.Timestamp("2024-07-01")
    assert eff.group_time["month"].notna().all()
    # estimation sample reported: leavers dropped
    rep = eff.sample.set_index("key")["value"]
    assert rep["units_unbalanced"] == sample_panel.count("units_incomplete")


def test_outcome_not_estimable_from_posts_only(sample_programme) -> None:
    from advocacy_eval.schema import Programme

    prog = sample_programme
    panel = build_panel(Programme(prog.waves, prog.employees, prog.posts, None))
    with pytest.raises(ValueError, match="cannot be estimated"):
        onboarding_effect(panel, "posts")
    eff = onboarding_effect(panel, "has_profile", covariates=["has_profile"])
    full = onboarding_effect(build_panel(prog), "has_profile", covariates=["has_profile"])
    assert eff.att == pytest.approx(full.att, abs=1e-12)


def test_profiles_attributable_on_sample(sample_panel) -> None:
    import json

    truth = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())[
        "truth"
    ]
    prof = profiles_attributable(sample_panel).set_index("wave_id")
    tot = prof.loc["total"]
    expected = truth["profiles"]["expected_created_by_onboarding"]
    assert tot["ci_low"] < expected < tot["ci_high"]
    assert tot["estimate"] == pytest.approx(prof.drop("total")["estimate"].sum())
    assert tot["n"] == sample_panel.count("units_enrolled")
    for w, v in truth["profiles"]["by_wave"].items():
        assert (
            prof.loc[w, "ci_low"] < v["expected_created_by_onboarding"] < prof.loc[w, "ci_high"]
        ), w
    # a "500 profiles" claim is far outside the interval
    assert tot["ci_high"] < 500


def test_combine_matches_manual_linear_combination(sample_panel) -> None:
    eff = onboarding_effect(sample_panel, "has_profile", covariates=["has_profile"])
    gt = eff.group_time.loc[eff.group_time["event_time"] >= 0]
    w = gt[["cohort", "period"]].assign(weight=1.0).head(3)
    res = eff.combine(w)
    assert res["estimate"].iloc[0] == pytest.approx(gt["estimate"].head(3).sum())
    single = eff.combine(w.head(1))
    assert single["se"].iloc[0] == pytest.approx(gt["se"].iloc[0], rel=1e-10)
    with pytest.raises(KeyError):
        eff.combine(pd.DataFrame({"cohort": [99], "period": [1], "weight": [1.0]}))


def test_honest_bounds_widen_with_m(sample_panel) -> None:
    hb = honest_bounds(sample_panel, "posts", m_grid=(0.0, 1.0, 2.0))
    table = hb.table
    assert list(table["M"]) == [0.0, 1.0, 2.0]
    width = (table["ci_high"] - table["ci_low"]).to_numpy()
    assert np.all(np.diff(width) > 0)
    assert table["ci_low"].iloc[0] > 0
    assert hb.breakdown_m is None or hb.breakdown_m > 1.0
    assert hb.window_pre == -7


def test_twfe_biased_with_dynamic_effects_cs_not() -> None:
    """Fading effects: TWFE is many standard errors off the truth, Callaway-Sant'Anna is not."""
    prog = generate_programme(
        seed=7,
        n_employees=10_000,
        no_profile_share=0.0,
        annual_attrition=0.0,
        posting_heterogeneity=0.3,
        effect_dynamics="fade",
    )
    panel = build_panel(prog)
    truth = prog.truth["onboarding_effect"]["posts"][
        "overall"
    ]  # = the simple aggregation's estimand here
    cs = onboarding_effect(panel, "posts")
    tw = twfe_estimate(panel, "posts").iloc[0]
    z_twfe = (tw["estimate"] - truth) / tw["se"]
    z_cs = (cs.att - truth) / cs.se
    assert abs(z_twfe) > 5, z_twfe
    assert abs(z_cs) < 2, z_cs
    # the decomposition explains the gap: already-enrolled controls give a different 2x2 effect
    by = bacon_decomposition(panel, "posts").by_type.set_index("type")
    assert by.loc["later_vs_earlier", "weight"] > 0.03
    assert by.loc["later_vs_earlier", "estimate"] > by.loc["treated_vs_never", "estimate"] + 0.1


# ----------------------------------------------------------------------------- anticipation (R did's rules)


def _dense_psi(kit, key, n: int) -> np.ndarray:
    """A cell's influence function from diff-diff's own kit (diff-diff's scale: se = sqrt(sum psi^2))."""
    info = kit.influence[key]
    psi = np.zeros(n)
    psi[info["treated_idx"]] += info["treated_inf"]
    psi[info["control_idx"]] += info["control_inf"]
    return psi


def _by_hand(
    att: np.ndarray, psi: np.ndarray, groups: np.ndarray, unit_cohorts: np.ndarray
) -> tuple[float, float]:
    """R ``did::aggte``'s cohort-share weighted mean of effects and its SE, written out as R writes it.

    ``pg_k = n_{g_k} / N``; weights ``pg_k / sum(pg)``; the influence of estimating the weights is R's ``wif``
    (``if1 - if2``, term by term, not the package's closed form), times the effects, on diff-diff's scale (/ N).
    """
    n = len(unit_cohorts)
    pg = np.array([np.mean(unit_cohorts == g) for g in groups])
    w = pg / pg.sum()
    indicator = (unit_cohorts[:, None] == groups[None, :]).astype(float)  # n x k: 1{G_i = g_k}
    if1 = (indicator - pg[None, :]) / pg.sum()
    if2 = (indicator - pg[None, :]).sum(axis=1, keepdims=True) * (pg / pg.sum() ** 2)[None, :]
    total = psi @ w + (if1 - if2) @ att / n
    return float(w @ att), float(np.sqrt(np.sum(total**2)))


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_aggregations_under_anticipation_use_post_enrolment_cells_only(mpdta, control) -> None:
    """anticipation=1: simple, group and calendar are cohort-size weighted means over t >= g of the group-time
    table, with SEs from the aggregated influence functions, all computed here by hand (R did's rule)."""
    eff = _fit(mpdta, control, anticipation=1)
    kit = eff.result._aggregation_kit
    cohorts = np.asarray(kit.bookkeeping["unit_cohorts"], dtype=float)
    n = len(cohorts)
    gt = eff.group_time
    post = gt.loc[gt["period"] >= gt["cohort"]].reset_index(drop=True)
    anticipation_cells = gt.loc[gt["event_time"] == -1]
    assert (
        len(anticipation_cells) == 2
    )  # cohorts 2006 and 2007 in 2005 and 2006; none is averaged below
    psi = np.column_stack(
        [
            _dense_psi(kit, (int(g), int(t)), n)
            for g, t in zip(post["cohort"], post["period"], strict=True)
        ]
    )
    for j, se in enumerate(post["se"]):  # the cells' SEs are their influence functions'
        assert np.sqrt(np.sum(psi[:, j] ** 2)) == pytest.approx(se, rel=1e-12)
    att = post["estimate"].to_numpy()
    groups = post["cohort"].to_numpy(float)

    # simple: every cohort x post month, weighted by cohort size
    est, se = _by_hand(att, psi, groups, cohorts)
    weights = (
        post["n"] / post["n"].sum()
    )  # the group-time table's cohort sizes give the same weights
    assert est == pytest.approx(float(weights @ att), abs=1e-12)
    assert eff.att == pytest.approx(est, abs=1e-12) and eff.se == pytest.approx(se, abs=1e-12)
    summary = eff.summary.set_index("type")
    assert summary.loc["simple", "estimate"] == pytest.approx(est, abs=1e-12)

    # group: each cohort's mean over its post months, then cohort-size weighted
    by_group = eff.by_group.set_index("cohort")
    g_att, g_psi, g_list = [], [], []
    for g in sorted(set(groups)):
        cols = groups == g
        g_att.append(att[cols].mean())
        g_psi.append(psi[:, cols].mean(axis=1))
        g_list.append(g)
        assert by_group.loc[g, "estimate"] == pytest.approx(g_att[-1], abs=1e-12)
        assert by_group.loc[g, "se"] == pytest.approx(np.sqrt(np.sum(g_psi[-1] ** 2)), abs=1e-12)
        assert by_group.loc[g, "n_periods"] == cols.sum()
    est, se = _by_hand(np.array(g_att), np.column_stack(g_psi), np.array(g_list), cohorts)
    assert summary.loc["group", "estimate"] == pytest.approx(est, abs=1e-12)
    assert summary.loc["group", "se"] == pytest.approx(se, abs=1e-12)

    # calendar: each month from the first enrolment on, over the cohorts enrolled by then; then the mean
    calendar = eff.calendar.set_index("period")
    c_att, c_psi = [], []
    for t in sorted(set(post["period"])):
        cols = (post["period"] == t).to_numpy()
        est_t, se_t = _by_hand(att[cols], psi[:, cols], groups[cols], cohorts)
        assert calendar.loc[t, "estimate"] == pytest.approx(est_t, abs=1e-12)
        assert calendar.loc[t, "se"] == pytest.approx(se_t, abs=1e-12)
        pg = np.array([np.mean(cohorts == g) for g in groups[cols]])
        c_att.append(est_t)
        c_psi.append(psi[:, cols] @ (pg / pg.sum()))
    assert len(calendar) == len(c_att)
    assert summary.loc["calendar", "estimate"] == pytest.approx(np.mean(c_att), abs=1e-12)

    # event study: the anticipation effect is reported at e = -1, and left out of the dynamic summary (e >= 0)
    es = eff.event_study.set_index("event_time")
    assert -1 in es.index
    assert es.loc[-1, "estimate"] == pytest.approx(
        float(
            anticipation_cells["n"] @ anticipation_cells["estimate"] / anticipation_cells["n"].sum()
        ),
        abs=1e-12,
    )
    assert summary.loc["dynamic", "estimate"] == pytest.approx(
        es.loc[es.index >= 0, "estimate"].mean(), abs=1e-12
    )
    # the pre-test leaves the anticipation month out: only t < g - 1 (R did: 2 cells, event times -3 and -2)
    pt = eff.pretrend.set_index("test")
    assert pt.loc["group_time", "n"] == int((gt["period"] < gt["cohort"] - 1).sum()) == 3
    assert pt.loc["event_study", "n"] == 2

    # diff-diff's own overall effect averages the anticipation cells too (t >= g - 1): it differs
    assert abs(eff.result.overall_att - eff.att) > 1e-3


@pytest.mark.parametrize("control", ["nevertreated", "notyettreated"])
def test_anticipation_cells_use_the_base_g_minus_anticipation_minus_1(mpdta, control) -> None:
    """anticipation=2: the anticipation cells compare with g - 3 under both base-period choices (R did's rule)."""
    varying = _fit(mpdta, control, anticipation=2)
    universal = _fit(mpdta, control, anticipation=2, base_period="universal")
    a = varying.group_time.set_index(["cohort", "period"])
    b = universal.group_time.set_index(["cohort", "period"])
    cells = [k for k in a.index if k[0] - 2 <= k[1] < k[0]]
    assert sorted(cells) == [(2006, 2004), (2006, 2005), (2007, 2005), (2007, 2006)]
    for col in ("estimate", "se", "n", "n_control"):
        assert np.allclose(
            a.loc[cells, col].to_numpy(float), b.loc[cells, col].to_numpy(float), rtol=0, atol=1e-12
        )
    # diff-diff's varying base compares (2006, 2005) with 2004 (t - 1): a different cell
    own = varying.result.group_time_effects[(2006, 2005)]["effect"]
    assert abs(own - a.loc[(2006, 2005), "estimate"]) > 1e-4
    # the event study's anticipation effects, with their influence functions, are those of the universal base
    ea, eb = (
        varying.event_study.set_index("event_time"),
        universal.event_study.set_index("event_time"),
    )
    assert [e for e in ea.index if e >= -2] == [e for e in eb.index if e >= -2] == [-2, -1, 0, 1]
    for e in (
        -2,
        -1,
        0,
        1,
    ):  # cohort 2004 has no month 2001 to compare with: left out under both choices
        assert ea.loc[e, "estimate"] == pytest.approx(eb.loc[e, "estimate"], abs=1e-12)
        assert ea.loc[e, "se"] == pytest.approx(eb.loc[e, "se"], abs=1e-12)
    assert varying.att == pytest.approx(universal.att, abs=1e-12)
    # pre-test: only t < g - 2, short differences under the varying base
    assert varying.pretrend.set_index("test").loc["group_time", "n"] == int(
        (varying.group_time["period"] < varying.group_time["cohort"] - 2).sum()
    )


def test_anticipation_check_flags_a_significant_month_before_enrolment() -> None:
    from advocacy_eval.effects import anticipation_check

    prog = generate_programme(
        seed=3,
        n_employees=2000,
        no_profile_share=0.0,
        annual_attrition=0.0,
        anticipation_months=1,
        anticipation_multiplier=2.0,
    )
    panel = build_panel(prog)
    plain = anticipation_check(onboarding_effect(panel, "posts"))
    assert plain.event_time == -1 and plain.anticipation == 0
    assert plain.pre_month_significant and plain.at_risk and plain.estimate > 0
    declared = anticipation_check(onboarding_effect(panel, "posts", anticipation=1))
    assert declared.event_time == -2  # the month before the declared anticipation month
    assert not declared.pre_month_significant
    clean = anticipation_check(
        onboarding_effect(build_panel(generate_programme(seed=3, n_employees=2000)), "posts")
    )
    assert not clean.at_risk, clean


def test_absorbing_binary_outcome_is_conditioned_on_its_base_status_by_default(
    sample_panel,
) -> None:
    default = onboarding_effect(sample_panel, "has_profile")
    explicit = onboarding_effect(sample_panel, "has_profile", covariates=["has_profile"])
    assert default.att == pytest.approx(explicit.att, abs=1e-12) and default.se == pytest.approx(
        explicit.se, abs=1e-12
    )
    assert "conditional on has_profile at the base period" in default.method
    with pytest.warns(
        UserWarning, match=r"absorbing 0/1 outcome.*biased.*covariates=\['has_profile'\]"
    ):
        bare = onboarding_effect(sample_panel, "has_profile", covariates=())
    assert "conditional" not in bare.method and any("absorbing" in w for w in bare.warnings)
    assert abs(bare.att - default.att) > 1e-3
    # a continuous outcome is left alone
    posts = onboarding_effect(sample_panel, "posts")
    assert "conditional" not in posts.method and not any("absorbing" in w for w in posts.warnings)
