"""The wave summary: every headline number comes from the tested statistical functions."""

from __future__ import annotations

import pandas as pd
import pytest

from advocacy_eval.errors import ReportError
from advocacy_eval.stats.rates import compare_rates
from advocacy_eval.analyses.wave import VCE, posted_within, wave_summary, window_posts


@pytest.fixture(scope="module")
def w2(sample_programme):
    return wave_summary(sample_programme, "W2")


def test_amplification_is_the_cluster_robust_rate_ratio(sample_programme, w2):
    posts = window_posts(sample_programme, "W2")
    ref = compare_rates(posts, by="author_type", reference="company", vce=VCE).set_index("level")
    amp = w2.number("amplification_ratio")
    assert amp["estimate"] == pytest.approx(ref.loc["employee", "rate_ratio"])
    assert (amp["ci_low"], amp["ci_high"]) == pytest.approx(
        (ref.loc["employee", "rate_ratio_ci_low"], ref.loc["employee", "rate_ratio_ci_high"]))
    assert ref.loc["company", "cluster_unit"].startswith("post")  # the page is clustered by post


def test_window_holds_only_the_cohort_and_the_page(sample_programme):
    posts = window_posts(sample_programme, "W2")
    cohort = set(sample_programme.employees.loc[sample_programme.employees.wave_id == "W2", "employee_id"])
    emp = posts[posts.author_type == "employee"]
    assert set(emp.author_id) <= cohort
    start = sample_programme.waves.set_index("wave_id").loc["W2", "start_date"]
    assert posts.published_at.min() >= start


def test_verdict_sentence_follows_the_interval(w2):
    amp = w2.number("amplification_ratio")
    verdict = w2.claim["verdict"].iloc[0]
    expected = ("supported" if amp["ci_low"] >= 4 else "contradicted" if amp["ci_high"] < 4 else "inconclusive")
    assert verdict == expected
    assert any("4.0x claim" in s for s in w2.sentences)


def test_every_headline_figure_has_an_interval(w2):
    numbers = w2.numbers.set_index("key")
    for key in ("active_share", "monthly_participation", "employee_reach_rate", "page_reach_rate",
                "amplification_ratio", "corporate_share", "employee_engagement_rate", "profile_creation_rate"):
        row = numbers.loc[key]
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"], key


def test_department_breakdown_respects_k(sample_programme):
    s = wave_summary(sample_programme, "W1", min_group_size=10)
    table = s.tables["participation_by_department"]
    hidden = table.iloc[:, 1] == "fewer than 10 people"
    assert hidden.sum() >= 2  # at least one small group plus a secondary one
    members = sample_programme.employees[sample_programme.employees.wave_id == "W1"]
    sizes = members.groupby("department").size()
    shown = table.loc[~hidden, table.columns[0]]
    assert (sizes[shown] >= 10).all()


def test_french_report_has_french_sentences(sample_programme):
    s = wave_summary(sample_programme, "W3", lang="fr")
    text = " ".join(s.sentences) + " ".join(s.tables["kpis"].astype(str).to_numpy().ravel())
    for english in (" the ", "posts,", "people", "claim", "target"):
        assert english not in text, english
    assert "volontaires" in text


def test_wave_comparison_adjusts_for_multiplicity(sample_programme):
    s = wave_summary(sample_programme, "W3")
    wc = s.wave_comparison
    assert list(wc["level"]) == ["W1", "W2"] and (wc["compared_to"] == "W3").all()
    assert (wc["p_adjusted"] >= wc["p_value"] - 1e-12).all()
    assert wc["adjustment"].str.contains("Holm").all()


def test_posted_within_leaves_out_incomplete_windows(sample_programme):
    end = sample_programme.posts.published_at.max().normalize()
    act = posted_within(sample_programme.employees, sample_programme.posts, 3, end)
    enrolled = sample_programme.employees.dropna(subset=["enrolled_on"])
    assert len(act) == (enrolled.enrolled_on + pd.DateOffset(months=3) <= end + pd.Timedelta(days=1)).sum()


def test_too_small_wave_is_refused(sample_programme):
    with pytest.raises(ReportError, match="fewer than 500 volunteers"):
        wave_summary(sample_programme, "W1", min_group_size=500)


def test_small_profile_group_is_hidden(sample_programme):
    s = wave_summary(sample_programme, "W1", min_group_size=30)  # W1 has 22 volunteers without a profile
    row = s.tables["kpis"].iloc[-1]
    assert row.iloc[1] == "fewer than 30 people" and row.iloc[2] == ""
    assert "not shown" in s.profile_sentence and "22" not in s.profile_sentence


def test_months_with_fewer_than_k_enrolled_are_not_shown(sample_programme):
    s = wave_summary(sample_programme, "W1", min_group_size=149)  # attrition takes W1 below 149 at some point
    monthly = s.participation_monthly
    small = monthly["n_enrolled"] < 149
    assert small.any() and monthly.loc[small, "estimate"].isna().all()
    assert monthly.loc[~small, "estimate"].notna().all()


def test_scorecard_verdicts_follow_the_intervals(sample_programme):
    from advocacy_eval.reports.scorecard import Claim, claim_verdict

    s = wave_summary(sample_programme, "W2", claimed_ratio=3.0, claimed_participation=0.9)
    card = s.scorecard.set_index("key")
    amp = card.loc["amplification_ratio"]
    assert amp["verdict"] == ("supported" if amp["ci_low"] >= 3 else "inconclusive")
    assert card.loc["monthly_participation", "verdict"] == "contradicted"  # nobody claims 90% honestly
    prev = wave_summary(sample_programme, "W1").numbers.set_index("key")
    assert card.loc["corporate_share", "change"] == pytest.approx(
        card.loc["corporate_share", "estimate"] - prev.loc["corporate_share", "estimate"])
    assert claim_verdict(0.16, 0.24, Claim("x", "target", 0.2, 0.05)) == "supported"
    assert claim_verdict(0.26, 0.30, Claim("x", "target", 0.2, 0.05)) == "contradicted"
    assert claim_verdict(0.22, 0.27, Claim("x", "target", 0.2, 0.05)) == "inconclusive"
    assert claim_verdict(-0.5, -0.1, Claim("x", "positive", 0)) == "contradicted"
    first = wave_summary(sample_programme, "W1")
    assert first.scorecard["change"].isna().all()  # no previous wave
