"""Like-for-like comparisons with the page (issue 13, point 1) and the April 2024 repost rule."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.analyses.comparability import (
    REPOST_RULE_DATE,
    ReachBasis,
    reach_basis,
    repost_rule_posts,
)
from advocacy_eval.analyses.measures import MeasureContext, measure
from advocacy_eval.analyses.wave import wave_results
from advocacy_eval.io import load_programme
from advocacy_eval.reports.scorecard import wave_scorecard_table
from advocacy_eval.reports.wave import render_wave
from advocacy_eval.stats.rates import compare_rates


def _posts(page_reach, volunteer_reach) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "author_type": ["company", "company", "employee", "employee"],
            "members_reached": [*page_reach, *volunteer_reach],
            "impressions": [900, 800, 100, 90],
        }
    )


@pytest.mark.parametrize(
    "page, volunteers, expected",
    [
        ((50, 60), (40, 30), ReachBasis("members_reached", "unique_reach")),
        ((None, None), (40, 30), ReachBasis("impressions", "impressions_page")),
        (
            (50, None),
            (40, 30),
            ReachBasis("impressions", "impressions_page"),
        ),  # one page post without: like for like
        ((50, 60), (40, None), ReachBasis("impressions", "impressions_volunteers")),
        ((None, 60), (None, 30), ReachBasis("impressions", "impressions_both")),
    ],
)
def test_reach_basis_uses_unique_reach_only_when_both_sides_have_it(
    page, volunteers, expected
) -> None:
    assert reach_basis(_posts(page, volunteers)) == expected


def test_reach_basis_without_the_column_is_impressions() -> None:
    assert (
        reach_basis(_posts((1, 1), (1, 1)).drop(columns="members_reached")).numerator
        == "impressions"
    )


def test_repost_rule_counts_reshares_after_april_2024_when_the_page_posts_then() -> None:
    before, after = REPOST_RULE_DATE - pd.Timedelta(days=1), REPOST_RULE_DATE
    posts = pd.DataFrame(
        {
            "author_type": ["company", "employee", "employee", "employee"],
            "published_at": [after, after, after, before],
            "origin": [None, "suggested", "own", "suggested"],
        }
    )
    assert repost_rule_posts(posts) == 1
    assert (
        repost_rule_posts(posts.assign(published_at=[before, after, after, before])) == 0
    )  # page only before
    assert repost_rule_posts(posts.drop(columns="origin")) == 0


@pytest.fixture(scope="module")
def sample():
    return load_programme("data/sample")


def _without_page_reach(programme):
    posts = programme.posts.copy()
    posts["members_reached"] = posts["members_reached"].mask(posts["author_type"] == "company")
    return dataclasses.replace(programme, posts=posts)


def test_amplification_is_measured_on_what_both_sides_have(sample) -> None:
    full = measure("amplification", MeasureContext(sample), "W2")
    assert full.measured_on == "unique_reach"
    programme = _without_page_reach(sample)
    ctx = MeasureContext(programme)
    m = measure("amplification", ctx, "W2")
    assert m.measured_on == "impressions_page" and m.measured
    by_hand = compare_rates(
        ctx.window_posts("W2"), numerator="impressions", by="author_type", reference="company"
    )
    row = by_hand.set_index("level").loc["employee"]
    assert m.estimate == pytest.approx(row["rate_ratio"], rel=1e-12)
    assert (m.ci_low, m.ci_high) == pytest.approx(
        (row["rate_ratio_ci_low"], row["rate_ratio_ci_high"]), rel=1e-12
    )
    assert not np.isclose(
        m.estimate, full.estimate
    )  # impressions per audience is not unique reach per audience
    assert measure("reach_per_post_ratio", ctx, "W2").measured_on == "impressions_page"
    assert measure("engagement_rate_ratio", ctx, "W2").measured_on == ""  # not a reach comparison


@pytest.mark.parametrize(
    "lang, words",
    [
        ("en", "the page's export has no unique reach"),
        ("fr", "l'export de la page n'a pas de portée unique"),
    ],
)
def test_scorecard_and_sentences_name_the_metric_and_why(sample, lang, words) -> None:
    res = wave_results(_without_page_reach(sample), "W2")
    table = wave_scorecard_table(res.scorecard, lang, 5)
    claims = table.iloc[:, 0].astype(str).str.replace("’", "'")
    assert claims.str.contains(words, regex=False).sum() == 2  # amplification and reach per post
    text = " ".join(render_wave(res, lang).sentences).replace("’", "'").replace("\\", "")
    assert words.replace("'", "&#39;") in text or words in text


def test_the_repost_rule_is_flagged_in_the_wave_report(sample) -> None:
    res = wave_results(sample, "W3")
    assert res.repost_rule_posts > 0
    sentences = render_wave(res, "en").sentences
    assert any(
        "Since April 2024" in s and f"{res.repost_rule_posts}" in s.replace(",", "")
        for s in sentences
    )
