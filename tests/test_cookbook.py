"""The recipes of notebooks/explore.ipynb (advocacy_eval.cookbook): numbers checked against their sources."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from advocacy_eval import cookbook, metrics, stats
from advocacy_eval.claims import PROGRAMME, Claim
from advocacy_eval.schema import PAGE_LABEL


@pytest.fixture(scope="module")
def posts(sample_programme) -> pd.DataFrame:
    return sample_programme.posts_with_authors()


# ----------------------------------------------------------------------------- reach by a variable


def test_reach_by_department_is_compare_rates_with_the_page_shown(posts):
    res = cookbook.reach_by(posts, "department")
    ref = stats.compare_rates(posts, by="department")
    pd.testing.assert_series_equal(res["estimate"], ref["estimate"])
    page = res.set_index("level").loc[PAGE_LABEL]
    assert not page["suppressed"] and page["n_employee_authors"] == 0 and page["rate_ratio"] == 1.0
    assert (res["ci_low"] < res["estimate"]).all() and (res["estimate"] < res["ci_high"]).all()
    assert (
        res.loc[res["level"] != PAGE_LABEL, "rate_ratio"] > 2
    ).all()  # every department vs the page


def test_reach_by_hides_groups_of_fewer_than_k_employees(posts):
    hr_authors = posts.loc[posts["department"] == "HR", "author_id"].unique()
    few = posts.loc[(posts["department"] != "HR") | posts["author_id"].isin(hr_authors[:4])]
    res = cookbook.reach_by(few, "department", min_group_size=5).set_index("level")
    assert (
        res.loc["HR", "suppressed"]
        and res.loc[
            ["HR"], ["estimate", "ci_low", "ci_high", "rate_ratio", "n_employee_authors", "n"]
        ]
        .isna()
        .all()
        .all()
    )
    assert not res.drop(index="HR")["suppressed"].any()
    assert "fewer than 5 employees hidden" in res["method"].iloc[0]
    shown = cookbook.reach_by(few, "department", min_group_size=4).set_index("level")
    assert not shown.loc["HR", "suppressed"] and shown.loc["HR", "n_employee_authors"] == 4


def test_reach_by_content_type_within_author_type_does_not_pool(posts):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cookbook.reach_by(posts, "content_type", within="author_type")
    assert res["author_type"].tolist() == ["company", "company", "employee", "employee"]
    emp = res.loc[(res["author_type"] == "employee") & (res["level"] == "non_corporate")].iloc[0]
    assert round(emp["rate_ratio"], 2) == 0.94


def test_reach_by_month_for_employees_and_the_page(posts):
    res = cookbook.reach_by(posts, "month", within="author_type")
    emp = res.loc[res["author_type"] == "employee"]
    assert emp["level"].min() == pd.Timestamp("2024-07-01")  # volunteers start with the first wave
    assert (res.loc[res["author_type"] == "company", "n_employee_authors"] == 0).all()
    july = posts.loc[
        (posts["author_type"] == "employee") & (posts["month"] == pd.Timestamp("2024-07-01"))
    ]
    rate = july["members_reached"].sum() / july["audience_size"].sum()
    assert emp["estimate"].iloc[0] == pytest.approx(rate)


# ----------------------------------------------------------------------------- monthly amplification


def test_monthly_amplification_is_each_months_comparison(posts):
    amp = cookbook.monthly_amplification(posts)
    assert amp["month"].is_monotonic_increasing and amp["month"].min() == pd.Timestamp("2024-07-01")
    month = pd.Timestamp("2025-03-01")
    one = stats.compare_rates(posts.loc[posts["month"] == month], by="author_type").set_index(
        "level"
    )
    row = amp.set_index("month").loc[month]
    assert (row["estimate"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (
            one.loc["employee", "rate_ratio"],
            one.loc["employee", "rate_ratio_ci_low"],
            one.loc["employee", "rate_ratio_ci_high"],
        ),
        rel=1e-12,
    )
    assert row["company_posts"] == one.loc["company", "n_posts"]
    overall = metrics.amplification_ratio(posts, by="month").set_index("month")
    np.testing.assert_allclose(
        amp.set_index("month")["estimate"],
        overall.loc[amp["month"], "amplification_ratio"],
        rtol=1e-12,
    )


def test_monthly_amplification_hides_months_with_few_authors(posts):
    month = pd.Timestamp("2024-07-01")
    authors = posts.loc[
        (posts["month"] == month) & (posts["author_type"] == "employee"), "author_id"
    ].unique()
    thin = posts.loc[
        (posts["month"] != month)
        | (posts["author_type"] == "company")
        | posts["author_id"].isin(authors[:3])
    ]
    amp = cookbook.monthly_amplification(thin).set_index("month")
    assert amp.loc[month, "suppressed"] and np.isnan(amp.loc[month, "estimate"])
    assert not amp.drop(index=month)["suppressed"].any()


# ----------------------------------------------------------------------------- a custom claim


def test_check_claims_evaluates_custom_claims_like_the_reports(sample_programme):
    from advocacy_eval.analyses.measures import MeasureContext, measure

    claims = [Claim("amplification", ">=", 3.0), Claim("monthly_participation", ">=", 0.6)]
    card = cookbook.check_claims(sample_programme, claims)
    assert card.populations == ("W1", "W2", "W3", PROGRAMME) and len(card.results) == 8
    m = measure("amplification", MeasureContext(sample_programme), PROGRAMME)
    r = card.result(claims[0], PROGRAMME)
    assert (r.measurement.ci_low, r.measurement.ci_high) == pytest.approx((m.ci_low, m.ci_high))
    assert r.verdict == "supported" and m.ci_low >= 3.0
    only = cookbook.check_claims(sample_programme, claims[:1], populations=["W2"])
    assert [x.population for x in only.results] == ["W2"]


# ----------------------------------------------------------------------------- participation funnel


def test_funnel_counts_by_hand(tiny):
    f = metrics.participation_funnel(tiny.employees, tiny.posts, "2024-01-01", "2024-03-31")
    assert f["stage"].tolist() == list(metrics.FUNNEL_STAGES)
    # eligible: all 5 (E4 left in February); enrolled E1-E3; all three posted; regular: E1 (Jan, Feb of 3 months),
    # E3 (March of 1), not E2 (February of 3)
    assert f["n"].tolist() == [5, 3, 3, 2]
    assert f["share_of_previous"].tolist()[1:] == pytest.approx([3 / 5, 1.0, 2 / 3])
    by = metrics.participation_funnel(
        tiny.employees, tiny.posts, "2024-01-01", "2024-03-31", by="department"
    )
    assert by.set_index(["department", "stage"])["n"].to_dict() == {
        ("HR", "eligible"): 3,
        ("HR", "enrolled"): 1,
        ("HR", "posted"): 1,
        ("HR", "regular"): 1,
        ("IT", "eligible"): 2,
        ("IT", "enrolled"): 2,
        ("IT", "posted"): 2,
        ("IT", "regular"): 1,
    }
    late = metrics.participation_funnel(tiny.employees, tiny.posts, "2024-02-01", "2024-03-31")
    assert late["n"].tolist() == [5, 3, 3, 3]  # E1: February of February-March; E2 too
    strict = metrics.participation_funnel(
        tiny.employees, tiny.posts, "2024-01-01", "2024-03-31", regular_share=1.0
    )
    assert strict["n"].iloc[-1] == 1
    with pytest.raises(ValueError, match="regular_share"):
        metrics.participation_funnel(tiny.employees, tiny.posts, regular_share=0)


def test_funnel_recipe_adds_wilson_intervals_and_hides_small_cells(sample_programme, tiny):
    f = cookbook.participation_funnel(sample_programme)
    enrolled = f.set_index("stage").loc["enrolled"]
    lo, hi = stats.wilson_interval(np.array([enrolled["n"]]), np.array([enrolled["previous"]]))
    assert (enrolled["ci_low"], enrolled["ci_high"]) == pytest.approx((lo[0], hi[0]))
    assert f.set_index("stage").loc["posted", "n"] == 661 and not f["suppressed"].any()
    small = cookbook.participation_funnel(
        tiny, by="department", start="2024-01-01", end="2024-03-31", min_group_size=3
    )
    hidden = small.set_index(["department", "stage"])["suppressed"]
    assert hidden[("HR", "enrolled")] and hidden[("HR", "regular")]  # one person
    assert np.isnan(small.set_index(["department", "stage"]).loc[("HR", "enrolled"), "n"])


# ----------------------------------------------------------------------------- figures


def test_every_recipe_has_a_figure(sample_programme, posts):
    figures = [
        cookbook.plot_intervals(
            cookbook.reach_by(posts, "department"), title="reach by department"
        ),
        cookbook.plot_intervals(cookbook.reach_by(posts, "content_type", within="author_type")),
        cookbook.plot_intervals(cookbook.reach_by(posts, "month", within="author_type")),
        cookbook.plot_amplification(cookbook.monthly_amplification(posts), claimed=4.0),
        cookbook.plot_funnel(cookbook.participation_funnel(sample_programme)),
        cookbook.plot_funnel(cookbook.participation_funnel(sample_programme, by="department")),
    ]
    for fig in figures:
        assert isinstance(fig, Figure) and len(fig.axes) == 1
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert labels[0] == PAGE_LABEL and len(labels) == 9
    lines = figures[2].axes[0].get_lines()
    assert len(lines) == 2  # employees and the page, each with its band


def test_a_hidden_group_is_not_drawn(posts):
    hr_authors = posts.loc[posts["department"] == "HR", "author_id"].unique()
    few = posts.loc[(posts["department"] != "HR") | posts["author_id"].isin(hr_authors[:2])]
    fig = cookbook.plot_intervals(cookbook.reach_by(few, "department"))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "HR" not in labels and len(labels) == 8
