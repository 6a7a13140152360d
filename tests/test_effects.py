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
    return onboarding_effect(mpdta, "lemp", unit="countyreal", period="year", first_period="first.treat",
                             control=control, **kw)


# ----------------------------------------------------------------------------- parity with R did


@pytest.mark.parametrize("control,scenario", SCENARIOS)
def test_group_time_atts_match_r_did(mpdta, r_attgt, control, scenario) -> None:
    eff = _fit(mpdta, control)
    ref = r_attgt.loc[r_attgt["scenario"] == scenario]
    got = eff.group_time.merge(ref, left_on=["cohort", "period"], right_on=["group", "t"], how="outer",
                               suffixes=("", "_r"), indicator=True)
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
    for typ, table, key in (("group", eff.by_group, "cohort"), ("dynamic", eff.event_study, "event_time"),
                            ("calendar", eff.calendar, "period")):
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
    b = _fit(mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(0, np.nan)}), "notyettreated")
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
    sample, report = estimation_sample(mpdta.loc[~drop], "lemp", "countyreal", "year", "first.treat")
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

    truth = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())["truth"]
    eff = onboarding_effect(sample_panel, "posts")
    assert eff.control == "not_yet_treated"
    # overall effect on posts near the generator's (total effect includes new profiles' posting)
    assert eff.overall["ci_low"].iloc[0] < truth["onboarding_effect"]["posts"]["overall"] < eff.overall["ci_high"].iloc[0]
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

    truth = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())["truth"]
    prof = profiles_attributable(sample_panel).set_index("wave_id")
    tot = prof.loc["total"]
    expected = truth["profiles"]["expected_created_by_onboarding"]
    assert tot["ci_low"] < expected < tot["ci_high"]
    assert tot["estimate"] == pytest.approx(prof.drop("total")["estimate"].sum())
    assert tot["n"] == sample_panel.count("units_enrolled")
    for w, v in truth["profiles"]["by_wave"].items():
        assert prof.loc[w, "ci_low"] < v["expected_created_by_onboarding"] < prof.loc[w, "ci_high"], w
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
    prog = generate_programme(seed=7, n_employees=10_000, no_profile_share=0.0, annual_attrition=0.0,
                              posting_heterogeneity=0.3, effect_dynamics="fade")
    panel = build_panel(prog)
    truth = prog.truth["onboarding_effect"]["posts"]["overall"]  # = the simple aggregation's estimand here
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
