"""The wave report: numbers from tested functions (analyses), words from the report layer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.analyses.measures import (
    VCE,
    MeasureContext,
    population,
    volunteer_posts,
    window_posts,
)
from advocacy_eval.analyses.wave import posted_within, wave_results
from advocacy_eval.claims import Claim, default_claims, verdict
from advocacy_eval.errors import ReportError
from advocacy_eval.reports.wave import render_wave
from advocacy_eval.stats.rates import compare_rates


@pytest.fixture(scope="module")
def ctx(sample_programme):
    return MeasureContext(sample_programme)


@pytest.fixture(scope="module")
def w2(sample_programme, ctx):
    return wave_results(sample_programme, "W2", context=ctx)


def test_amplification_is_the_cluster_robust_rate_ratio(sample_programme, w2):
    posts = window_posts(sample_programme, population(sample_programme, "W2"))
    ref = compare_rates(posts, by="author_type", reference="company", vce=VCE).set_index("level")
    amp = w2.measurement("amplification")
    assert amp.estimate == pytest.approx(ref.loc["employee", "rate_ratio"])
    assert (amp.ci_low, amp.ci_high) == pytest.approx(
        (ref.loc["employee", "rate_ratio_ci_low"], ref.loc["employee", "rate_ratio_ci_high"])
    )
    assert ref.loc["company", "cluster_unit"].startswith("post")  # the page is clustered by post


def test_posts_count_from_each_volunteers_own_enrolment(sample_programme):
    pop = population(sample_programme, "W2")
    posts = window_posts(sample_programme, pop)
    emp = posts[posts.author_type == "employee"].merge(
        pop.members[["employee_id", "enrolled_on"]], left_on="author_id", right_on="employee_id"
    )
    assert set(emp.author_id) <= set(pop.members.employee_id)
    assert (emp.published_at >= emp.enrolled_on).all()
    page = posts[posts.author_type == "company"]
    assert page.published_at.min() >= pop.start


def test_a_post_before_ones_own_enrolment_does_not_count(sample_programme):
    """A late enroller's post between the wave's start and their enrolment is not 'since enrolling'."""
    from dataclasses import replace

    pop = population(sample_programme, "W2")
    late = pop.members.loc[pop.members.enrolled_on > pop.start].iloc[0]
    silent = pop.members.loc[~pop.members.employee_id.isin(sample_programme.posts.author_id)]
    who = (
        silent.loc[silent.enrolled_on > pop.start].iloc[0]
        if (silent.enrolled_on > pop.start).any()
        else late
    )
    extra = sample_programme.posts.iloc[[0]].assign(
        post_id="EARLY1",
        author_type="employee",
        author_id=who.employee_id,
        published_at=who.enrolled_on - pd.Timedelta(hours=12),
    )
    prog = replace(
        sample_programme, posts=pd.concat([sample_programme.posts, extra], ignore_index=True)
    )
    posts = window_posts(prog, population(prog, "W2"))
    assert "EARLY1" not in set(posts.post_id)
    before = wave_results(
        sample_programme, "W2", min_group_size=5, with_previous=False
    ).active.estimate
    after = wave_results(prog, "W2", min_group_size=5, with_previous=False).active.estimate
    assert after == pytest.approx(before)


def test_active_share_counts_from_own_enrolment(sample_programme, w2):
    members = population(sample_programme, "W2").members
    active = volunteer_posts(sample_programme, members).author_id.nunique()
    assert w2.active.estimate == pytest.approx(active / len(members))
    assert w2.active.ci_low < w2.active.estimate < w2.active.ci_high


def test_scorecard_holds_every_wave_level_default_claim(w2):
    keys = [r.claim.key for r in w2.scorecard.results]
    expected = [c.key for c in default_claims() if c.level == "all"]
    assert keys == expected
    for r in w2.scorecard.results:
        m = r.measurement
        assert m.measured, r.claim.key
        assert m.ci_low <= m.estimate <= m.ci_high, r.claim.key
        assert r.verdict == verdict(
            m.ci_low, m.ci_high, r.claim.op, r.claim.target, r.claim.tolerance
        )


def test_custom_claims_change_the_verdicts(sample_programme, ctx):
    amp = wave_results(sample_programme, "W2", context=ctx).measurement("amplification")
    low = Claim("amplification", ">=", float(np.floor(amp.ci_low * 10) / 10 - 0.5))
    high = Claim("amplification", ">=", float(np.ceil(amp.ci_high) + 1))
    res = wave_results(sample_programme, "W2", claims=[low, high], context=ctx)
    assert [r.verdict for r in res.scorecard.results] == ["supported", "contradicted"]


def test_change_column_is_descriptive_and_matches_previous_wave(sample_programme, ctx, w2):
    w1 = wave_results(sample_programme, "W1", context=ctx, with_previous=False)
    assert w2.previous_wave == "W1"
    now, before = w2.measurement("corporate_share"), w1.measurement("corporate_share")
    table = render_wave(w2, "en").tables["scorecard"]
    change_col = next(c for c in table.columns if c.startswith("Change since W1"))
    assert "descriptive" in change_col
    row = table.loc[table["Claim"].str.startswith("Corporate content")].iloc[0]
    assert (
        row[change_col] == f"{'+' if now.estimate > before.estimate else '−'}"
        f"{abs(now.estimate - before.estimate) * 100:.1f} pts"
    )
    first = render_wave(w1, "en").tables["scorecard"]
    assert (first.iloc[:, -1] == "–").all()


def test_units_are_written(w2):
    rep = render_wave(w2, "en")
    kpis = rep.tables["kpis"].set_index("Indicator")
    effect = kpis.loc["Effect of enrolling on posts per month"]
    assert effect["Value"].startswith("+") and effect["Value"].endswith(
        "posts per volunteer per month"
    )
    assert (
        kpis.loc["LinkedIn profiles created since the enrolment month", "95% interval"]
        == "descriptive count"
    )
    rate = kpis.loc["Profile creation rate (without a profile before the enrolment month)"]
    assert rate["Value"].endswith("%") and rate["95% interval"].count("%") == 2


def test_sentences_use_the_scorecards_numbers(w2):
    rep = render_wave(w2, "en")
    table = rep.tables["scorecard"]
    for _, row in table.iterrows():
        if row["95% interval"] != "–":
            assert any(row["Measured"] in s and row["95% interval"] in s for s in rep.sentences), (
                row["Claim"]
            )


def test_department_breakdown_respects_k(sample_programme, ctx):
    s = render_wave(wave_results(sample_programme, "W1", min_group_size=10, context=ctx), "en")
    table = s.tables["participation_by_department"]
    hidden = table.iloc[:, 1] == "fewer than 10 people"
    assert hidden.sum() >= 2  # at least one small group plus a secondary one
    members = sample_programme.employees[sample_programme.employees.wave_id == "W1"]
    sizes = members.groupby("department", observed=True).size()
    shown = table.loc[~hidden, table.columns[0]]
    assert (sizes[shown] >= 10).all()


def test_french_report_has_french_sentences(sample_programme, ctx):
    s = render_wave(wave_results(sample_programme, "W3", context=ctx), "fr")
    text = (
        " ".join(s.sentences)
        + " ".join(s.tables["kpis"].astype(str).to_numpy().ravel())
        + " ".join(s.tables["scorecard"].astype(str).to_numpy().ravel())
    )
    for english in (" the ", "posts,", "people", "claim", "target", "supported", "ambassad"):
        assert english not in text, english
    assert "volontaires" in text


def test_wave_comparison_adjusts_for_multiplicity(sample_programme, ctx):
    s = wave_results(sample_programme, "W3", context=ctx)
    wc = s.wave_comparison
    assert list(wc["level"]) == ["W1", "W2"] and (wc["compared_to"] == "W3").all()
    assert (wc["p_adjusted"] >= wc["p_value"] - 1e-12).all()
    assert wc["adjustment"].str.contains("Holm").all()


def test_posted_within_leaves_out_incomplete_windows(sample_programme):
    end = sample_programme.posts.published_at.max().normalize()
    act = posted_within(sample_programme.employees, sample_programme.posts, 3, end)
    enrolled = sample_programme.employees.dropna(subset=["enrolled_on"])
    assert (
        len(act)
        == (enrolled.enrolled_on + pd.DateOffset(months=3) <= end + pd.Timedelta(days=1)).sum()
    )


def test_too_small_wave_is_refused(sample_programme, ctx):
    with pytest.raises(ReportError, match="fewer than 500 volunteers"):
        wave_results(sample_programme, "W1", min_group_size=500)
    with pytest.raises(KeyError, match="unknown wave 'W9'; known waves: W1, W2, W3"):
        wave_results(sample_programme, "W9", context=ctx)


def test_small_profile_group_is_hidden(sample_programme):
    res = wave_results(sample_programme, "W1", min_group_size=30)
    assert 0 < res.profiles.n_without < 30
    s = render_wave(res, "en")
    row = s.tables["kpis"].iloc[-1]
    assert row.iloc[1] == "fewer than 30 people" and row.iloc[2] == ""
    assert (
        "not shown" in s.profile_sentence and str(res.profiles.n_without) not in s.profile_sentence
    )


def test_profiles_use_one_reference_date(sample_programme, ctx):
    """Created-after and attributable both count from the start of the enrolment month."""
    res = wave_results(sample_programme, "W2", context=ctx)
    members = population(sample_programme, "W2").members
    ref = members.enrolled_on.dt.to_period("M").dt.to_timestamp()
    created = members.profile_created_on
    assert res.profiles.n_without == int((created.isna() | (created >= ref)).sum())
    assert res.profiles.n_created == int((created >= ref).sum())
    attributable = res.profiles.attributable
    assert attributable is not None and attributable.estimate <= res.profiles.n_created


def test_months_with_fewer_than_k_enrolled_are_not_shown(sample_programme):
    s = wave_results(
        sample_programme, "W1", min_group_size=149
    )  # attrition takes W1 below 149 at some point
    monthly = s.participation_monthly
    small = monthly["n_enrolled"] < 149
    assert small.any() and monthly.loc[small, "estimate"].isna().all()
    assert monthly.loc[~small, "estimate"].notna().all()


def test_repr_is_short(w2):
    assert len(repr(w2)) < 1200 and "W2" in repr(w2)
