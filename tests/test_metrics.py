"""Descriptive metrics on a hand-made programme whose values are known by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics


def test_reach_rate_is_a_ratio_of_sums(tiny):
    r = metrics.reach_rate(tiny.posts, "author_type").set_index("author_type")
    assert r.loc["company", "reach_rate"] == pytest.approx(300 / 20000)
    assert r.loc["employee", "reach_rate"] == pytest.approx(70 / 1500)
    assert r.loc["employee", "n_posts"] == 4 and r.loc["employee", "n_authors"] == 3
    # a mean of per-post rates would differ: make sure we do not compute that
    per_post = (tiny.posts.members_reached / tiny.posts.audience_size)[
        tiny.posts.author_type == "employee"
    ]
    assert not math.isclose(per_post.mean(), r.loc["employee", "reach_rate"])


def test_reach_rate_without_grouping(tiny):
    r = metrics.reach_rate(tiny.posts)
    assert list(r.columns) == [
        "n_posts",
        "n_authors",
        "members_reached",
        "audience_size",
        "reach_rate",
    ]
    assert r.loc[0, "reach_rate"] == pytest.approx(370 / 21500)


def test_engagement_rate_names_its_terms(tiny):
    e = metrics.engagement_rate(tiny.posts, "author_type").set_index("author_type")
    assert e.loc["company", "engagement_rate"] == pytest.approx(26 / 450)
    assert e.loc["employee", "engagement_rate"] == pytest.approx(16 / 130)
    assert e.loc["employee", "terms"] == "reactions+comments+reposts+clicks"
    with_follows = metrics.engagement_rate(tiny.posts, "author_type", include_follows=True)
    assert with_follows.set_index("author_type").loc["company", "engagement_rate"] == pytest.approx(
        27 / 450
    )
    assert with_follows["terms"].iloc[0].endswith("+follows")


def test_engagement_without_any_term_is_an_error(tiny):
    posts = tiny.posts.assign(reactions=pd.NA, comments=pd.NA, reposts=pd.NA, clicks=pd.NA)
    with pytest.raises(ValueError, match="no engagement column"):
        metrics.engagement_rate(posts)


def test_amplification_ratio(tiny):
    a = metrics.amplification_ratio(tiny.posts)
    assert a.loc[0, "amplification_ratio"] == pytest.approx((70 / 1500) / (300 / 20000))
    assert a.loc[0, "company_posts"] == 2 and a.loc[0, "employee_authors"] == 3
    by_month = metrics.amplification_ratio(metrics.add_month(tiny.posts), "month").set_index(
        "month"
    )
    feb = by_month.loc[pd.Timestamp("2024-02-01")]
    assert feb["amplification_ratio"] == pytest.approx((40 / 800) / (200 / 10000))
    assert np.isnan(
        by_month.loc[pd.Timestamp("2024-03-01"), "amplification_ratio"]
    )  # no page post in March


def test_content_mix(tiny):
    mix = metrics.content_mix(tiny.posts, "author_type", target=0.3, author_type=None).set_index(
        "author_type"
    )
    assert mix.loc["employee", "corporate_share"] == pytest.approx(0.25)
    assert mix.loc["company", "n_corporate"] == 1 and mix.loc["company", "target"] == 0.3


def test_content_mix_counts_the_page_posts_it_leaves_out(tiny):
    """By default the share is employees' (as in the reports); the page's posts are counted, not dropped silently."""
    mix = metrics.content_mix(tiny.posts).iloc[0]
    assert (mix["n_posts"], mix["n_corporate"], mix["n_excluded"]) == (4, 1, 2)
    assert mix["corporate_share"] == pytest.approx(0.25)
    by_type = metrics.content_mix(tiny.posts, "author_type").set_index("author_type")
    assert by_type.loc["company", "n_posts"] == 0 and np.isnan(
        by_type.loc["company", "corporate_share"]
    )
    assert by_type.loc["company", "n_excluded"] == 2 and by_type.loc["employee", "n_excluded"] == 0


def test_participation_uses_the_roster_of_each_month(tiny):
    p = metrics.participation_rate(tiny.employees, tiny.posts).set_index("month")
    assert p["n_enrolled"].tolist() == [2, 2, 3]
    assert p["n_active"].tolist() == [1, 2, 1]
    assert p["participation_rate"].tolist() == pytest.approx([0.5, 1.0, 1 / 3])
    by_wave = metrics.participation_rate(tiny.employees, tiny.posts, by="wave_id")
    assert set(by_wave["wave_id"]) == {"W1", "W2"}


def test_participation_excludes_leavers(tiny):
    employees = tiny.employees.copy()
    employees.loc[employees.employee_id == "E2", "left_on"] = pd.Timestamp("2024-01-31")
    p = metrics.participation_rate(employees, tiny.posts).set_index("month")
    assert p["n_enrolled"].tolist() == [2, 1, 2]


def test_profiles_created(tiny):
    p = metrics.profiles_created(tiny.employees).set_index("wave_id")
    assert p.loc["W1", ["n_enrolled", "n_without_profile", "n_created"]].tolist() == [2, 1, 1]
    assert p.loc["W1", "creation_rate"] == 1.0
    assert p.loc["W2", "creation_rate"] == 0.0
    bg = metrics.background_profile_creation(tiny.employees, "2024-01-01", "2024-03-31")
    assert bg.loc[0, ["n_without_profile", "n_created"]].tolist() == [1, 1]


def test_wave_window(tiny):
    start, end = metrics.wave_window(tiny.waves, "W1", pd.Timestamp("2024-12-31"))
    assert start == pd.Timestamp("2024-01-01") and end < pd.Timestamp(
        "2024-03-01"
    ) <= end + pd.Timedelta(seconds=1)
    with pytest.raises(KeyError, match="unknown wave"):
        metrics.wave_window(tiny.waves, "W7", pd.Timestamp("2024-12-31"))


def test_posts_with_authors(tiny):
    p = metrics.posts_with_authors(tiny.posts, tiny.employees).set_index("post_id")
    assert p.loc["P5", "wave_id"] == "W1" and p.loc["P6", "department"] == "HR"
    assert (
        p.loc["P1", "wave_id"] == "(company page)"
    )  # the page labelled as the page, not a silent <NA>
