"""The "what we can say" box: what would settle an inconclusive claim (numbers) and the box's words."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from advocacy_eval.analyses.planning import Settlement, deciding_measurement, what_would_settle
from advocacy_eval.claims import PROGRAMME, Claim, ClaimResult, Measurement
from advocacy_eval.reports.i18n import t
from advocacy_eval.reports.scorecard import verdict_text
from advocacy_eval.reports.summary import (
    claimed_text,
    interval_statement,
    settle_text,
    verdict_counts,
    what_we_can_say,
)
from advocacy_eval.stats.power import n_to_exclude

Z = stats.norm.isf(0.025)
Z80 = Z + stats.norm.ppf(0.80)


def _result(
    metric: str,
    op: str,
    target: float,
    estimate: float,
    low: float,
    high: float,
    tolerance: float = 0.0,
    population: str = "W2",
    n: int = 100,
) -> ClaimResult:
    claim = Claim(
        metric,
        op,
        target,
        tolerance,
        level="programme" if metric == "profiles_attributable" else "all",
    )
    m = Measurement(metric, population, estimate, low, high, n, "people", "test", n)
    return ClaimResult(claim, m, claim.verdict(low, high))


# ----------------------------------------------------------------------------- numbers (stats and planning)


def test_n_to_exclude_golden_values():
    # 2.80 standard errors (z 0.975 + z 0.80) away: about today's size
    assert n_to_exclude(100, 0.10, 0.10 * Z80) == pytest.approx(100.0)
    # twice as far: a quarter of the size
    assert n_to_exclude(100, 0.10, 0.20 * Z80) == pytest.approx(25.0)
    # a fixed part that more units cannot shrink: 0.06 of 0.10 fixed, the rest (0.08) shrinks
    assert n_to_exclude(100, 0.10, 0.07 * Z80, fixed_se=0.06) == pytest.approx(
        100 * 0.0064 / (0.0049 - 0.0036)
    )
    assert math.isinf(
        n_to_exclude(100, 0.10, 0.05 * Z80, fixed_se=0.06)
    )  # the fixed part alone is too wide
    assert math.isinf(n_to_exclude(100, 0.10, 0.0))  # on the boundary
    with pytest.raises(ValueError):
        n_to_exclude(0, 0.1, 0.1)


def test_settled_claims_need_nothing():
    s = what_would_settle(_result("monthly_participation", ">=", 0.5, 0.6, 0.57, 0.64), 250, 13.0)
    assert s.kind == "settled" and math.isnan(s.volunteers_needed)


def test_share_inconclusive_needs_more_volunteers():
    r = _result("corporate_share", "==", 0.20, 0.225, 0.196, 0.254, tolerance=0.05)
    s = what_would_settle(r, 250, 13.0)
    se = (0.254 - 0.196) / (2 * Z)
    expected = 250 * se**2 / (0.025 / Z80) ** 2  # distance to the nearest edge of the band (25%)
    assert s.kind == "volunteers" and s.volunteers_needed == math.ceil(expected)
    # with that many volunteers the interval's half-width leaves the boundary 0.84 standard errors away
    new_se = se * math.sqrt(250 / s.volunteers_needed)
    assert 0.025 - Z * new_se == pytest.approx(stats.norm.ppf(0.80) * new_se, rel=0.01)


def test_ratio_where_the_page_dominates_cannot_be_settled_by_volunteers():
    r = _result("amplification", ">=", 4.0, 4.07, 3.58, 4.63)  # the committed sample's wave 2
    s = what_would_settle(r, 250, 13.0, page_se_log=0.038)
    assert s.kind == "page" and math.isinf(s.months_needed)
    far = _result(
        "amplification", ">=", 4.0, 4.6, 4.0 * 0.99, 5.34
    )  # far enough: more months would do
    s = what_would_settle(far, 250, 13.0, page_se_log=0.07)
    assert s.kind == "page" and 13 < s.months_needed < 20 * 13
    small_page = what_would_settle(
        r, 250, 13.0, page_se_log=0.0
    )  # no page uncertainty: volunteers, or too close
    assert small_page.kind in ("volunteers", "too_close")


def test_estimate_on_the_claim_and_missing_measurements():
    on = _result("effect_posts", ">", 0.0, 0.0, -0.2, 0.2)
    assert what_would_settle(on, 100, 10.0).kind == "too_close"
    missing = ClaimResult(
        Claim("effect_posts", ">", 0.0),
        Measurement.missing("effect_posts", "W2", "no_activity"),
        "inconclusive",
    )
    assert what_would_settle(missing, 100, 10.0).kind == "not_measured"


def test_counts_grow_with_volunteers():
    r = _result("profiles_attributable", ">=", 500, 99.0, 81.0, 117.0, population=PROGRAMME, n=700)
    r = ClaimResult(
        r.claim, r.measurement, "inconclusive"
    )  # as if the interval had reached the target
    s = what_would_settle(r, 700, 24.0)
    assert s.kind in ("volunteers", "too_close")
    r2 = _result("profiles_attributable", ">=", 100, 99.0, 81.0, 117.0, population=PROGRAMME, n=700)
    s2 = what_would_settle(r2, 700, 24.0)
    assert s2.kind == "volunteers" and s2.volunteers_needed > 700
    rate, s1 = 99 / 700, (117 - 81) / (2 * Z) / math.sqrt(700)
    n = s2.volunteers_needed
    assert (
        rate * n - Z80 * s1 * math.sqrt(n) >= 100 - 1e-6
    )  # the count's lower bound then clears the target


def test_the_conservative_estimate_decides():
    claim = Claim("effect_posts", ">", 0.0)
    sens = Measurement("effect_posts", "W2", 0.2, -0.1, 0.5, 100, "volunteers", "sensitivity", 100)
    main = Measurement(
        "effect_posts",
        "W2",
        1.1,
        0.9,
        1.3,
        100,
        "volunteers",
        "main",
        100,
        flag="anticipation_risk",
        sensitivity=sens,
    )
    result = ClaimResult(claim, main, "inconclusive", "inconclusive")
    assert deciding_measurement(result) is sens
    assert what_would_settle(result, 100, 10.0).kind in ("volunteers", "too_close")


# ----------------------------------------------------------------------------- words


def test_interval_statements_in_both_languages():
    amp = _result("amplification", ">=", 4.0, 4.07, 3.58, 4.63)
    assert (
        interval_statement(amp.claim, amp.measurement, "en")
        == "Volunteers reach 3.6 to 4.6 times the page's reach rate."
    )
    assert interval_statement(amp.claim, amp.measurement, "fr").startswith(
        "Les collaborateurs volontaires atteignent 3,6 à 4,6 fois"
    )
    per_post = _result(
        "reach_per_post_ratio", ">=", 4.0, 0.10, 0.082, 0.124
    )  # turned round: the page does better
    assert (
        interval_statement(per_post.claim, per_post.measurement, "en")
        == "Per post, the page reaches 8.1 to 12.2 times as many people as volunteers."
    )
    effect = _result("effect_posts", ">", 0.0, 0.1, -0.2, 0.4)
    assert interval_statement(effect.claim, effect.measurement, "en").endswith("it may be zero.")
    assert "\u22120,20" in interval_statement(effect.claim, effect.measurement, "fr")
    share = _result("corporate_share", "==", 0.2, 0.225, 0.196, 0.254, tolerance=0.05)
    assert claimed_text(share.claim, "en") == "Claimed: 20% (± 5 pts)."
    assert claimed_text(effect.claim, "fr") == "Affirmé : une hausse."


def test_settle_texts():
    claim = Claim("amplification", ">=", 4.0)
    page = Settlement(claim, "W2", "page", 250, months_now=13.0, months_needed=float("inf"))
    assert (
        settle_text(page, "en")
        == "More volunteers cannot settle this: the page's own uncertainty dominates."
    )
    more = Settlement(
        claim, PROGRAMME, "volunteers", 700, volunteers_needed=2093.0, months_now=24.0
    )
    assert (
        settle_text(more, "en") == "To settle it: about 2,100 volunteers (the programme has 700)."
    )
    assert (
        settle_text(more, "fr")
        == "Pour trancher : environ 2\u202f100 collaborateurs volontaires (le programme en compte 700)."
    )
    assert settle_text(Settlement(claim, "W2", "settled", 250), "en") == ""


def test_one_verdict_vocabulary_per_language():
    for lang in ("en", "fr"):
        words = {v: t(f"verdict_{v}", lang) for v in ("supported", "contradicted", "inconclusive")}
        for verdict, word in words.items():
            badge = verdict_text(verdict, lang)
            assert badge.split(" ", 1)[0] in "✓✗?" and badge.split(" ", 1)[1].lower() == word
        counts = verdict_counts(["supported", "inconclusive"], lang)
        assert words["supported"] in counts and words["inconclusive"] in counts
    assert verdict_counts(["inconclusive"], "fr") == "0 confirmées, 0 contredites, 1 non tranchée"


def test_box_of_the_sample_wave(sample_programme):
    from advocacy_eval.analyses.wave import wave_results

    results = wave_results(sample_programme, "W2")
    for lang in ("en", "fr"):
        box = what_we_can_say(results.scorecard, results.settlements, lang)
        assert len(box.items) == len(results.scorecard.results) and box.lang == lang
        verdicts = [r.verdict for r in results.scorecard.results]
        assert box.lead.endswith(verdict_counts(verdicts, lang) + ".")
        for item, r in zip(box.items, results.scorecard.results, strict=True):
            assert item.verdict == r.verdict and item.statement.endswith(".")
            assert bool(item.settle) == (r.verdict == "inconclusive")
    en = what_we_can_say(results.scorecard, results.settlements, "en")
    amp = next(
        i
        for i, r in zip(en.items, results.scorecard.results, strict=True)
        if r.claim.metric == "amplification"
    )
    assert (
        amp.statement.startswith("Volunteers reach 3.6 to 4.6 times")
        and "page's own uncertainty" in amp.settle
    )
