"""Claims as data: the verdict rule, claim specs, claims files and the scorecard export."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from advocacy_eval.claims import (
    METRICS,
    OPERATORS,
    PROGRAMME,
    SCORECARD_COLUMNS,
    Claim,
    ClaimsError,
    Measurement,
    conservative_verdict,
    default_claims,
    evaluate,
    load_claims,
    verdict,
)

NAN = float("nan")


@pytest.mark.parametrize(
    "low, high, op, target, tol, expected",
    [
        (4.0, 6.0, ">=", 4.0, 0, "supported"),  # touching the target counts for >=
        (3.9, 6.0, ">=", 4.0, 0, "inconclusive"),
        (1.0, 3.99, ">=", 4.0, 0, "contradicted"),
        (4.0, 6.0, ">", 4.0, 0, "inconclusive"),  # ... but not for >
        (0.1, 0.3, ">", 0.0, 0, "supported"),
        (-0.3, 0.0, ">", 0.0, 0, "contradicted"),
        (0.1, 0.2, "<=", 0.2, 0, "supported"),
        (0.21, 0.3, "<=", 0.2, 0, "contradicted"),
        (0.1, 0.19, "<", 0.2, 0, "supported"),
        (0.2, 0.3, "<", 0.2, 0, "contradicted"),
        (0.16, 0.24, "==", 0.2, 0.05, "supported"),
        (0.10, 0.22, "==", 0.2, 0.05, "inconclusive"),
        (0.26, 0.40, "==", 0.2, 0.05, "contradicted"),
        (0.00, 0.149, "==", 0.2, 0.05, "contradicted"),
        (NAN, 0.3, ">=", 0.2, 0, "inconclusive"),
        (0.1, math.inf, ">=", 0.2, 0, "inconclusive"),
    ],
)
def test_verdict_is_decided_by_the_interval(low, high, op, target, tol, expected) -> None:
    assert verdict(low, high, op, target, tol) == expected


def test_point_estimate_never_decides() -> None:
    # an estimate above the claim with an interval straddling it is inconclusive, not supported
    m = Measurement("amplification", "W1", 4.5, 3.5, 5.5, 100, "posts", "test")
    card = evaluate([Claim("amplification", ">=", 4)], [m], ["W1"])
    assert card.results[0].verdict == "inconclusive"


def test_unknown_operator_lists_the_valid_ones() -> None:
    with pytest.raises(ClaimsError, match="valid operators: >=, >, <=, <, =="):
        verdict(0.1, 0.2, "=>", 0.2)


def test_default_claims_are_the_practitioners() -> None:
    claims = {c.key: c for c in default_claims()}
    assert set(claims) == {
        "amplification >= 4",
        "reach_per_post_ratio >= 4",
        "engagement_per_post_ratio >= 4",
        "engagement_rate_ratio >= 4",
        "corporate_share == 0.2 ± 0.05",
        "monthly_participation >= 0.5",
        "staff_reached_share >= 0.8",
        "profiles_attributable >= 500",
        "effect_posts > 0",
    }
    assert claims["profiles_attributable >= 500"].level == "programme"
    assert not claims["profiles_attributable >= 500"].applies_to("W1")
    assert claims["amplification >= 4"].applies_to("W1") and claims[
        "amplification >= 4"
    ].applies_to(PROGRAMME)
    assert {c.metric for c in default_claims()} == set(METRICS)


def test_claim_spec_is_validated() -> None:
    with pytest.raises(ClaimsError, match="valid metrics: amplification, reach_per_post_ratio"):
        Claim("reach", ">=", 4)
    with pytest.raises(ClaimsError, match="between 0 and 1"):
        Claim("corporate_share", "==", 20, 5)
    with pytest.raises(ClaimsError, match="needs a tolerance"):
        Claim("corporate_share", "==", 0.2)


def _write(tmp_path, text: str):
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_claims_file_is_read(tmp_path) -> None:
    path = _write(
        tmp_path,
        """
[[claims]]
metric = "amplification"
op = ">="
target = 2.5
label_en = "Volunteers reach at least 2.5x the page's rate"

[[claims]]
metric = "corporate_share"
op = "=="
target = 0.2
tolerance = 0.1
""",
    )
    claims = load_claims(path)
    assert [c.key for c in claims] == ["amplification >= 2.5", "corporate_share == 0.2 ± 0.1"]
    assert claims[0].label_en.startswith("Volunteers reach at least 2.5x")
    assert claims[1].label_fr is None


def test_bad_claims_file_gives_one_error_naming_each_problem(tmp_path) -> None:
    path = _write(
        tmp_path,
        """
[[claims]]
metric = "reach"
op = ">="
target = 4

[[claims]]
metric = "amplification"
op = "=>"
target = "four"
colour = "red"
""",
    )
    with pytest.raises(ClaimsError) as info:
        load_claims(path)
    text = str(info.value)
    assert str(path) in text
    assert (
        "claim 1" in text
        and "metric 'reach' is not a built-in metric; valid metrics: amplification" in text
    )
    assert (
        "claim 2" in text
        and "operator '=>' is not valid; valid operators: >=, >, <=, <, ==" in text
    )
    assert "target 'four' must be a finite number" in text
    assert "unknown field(s) colour" in text


@pytest.mark.parametrize(
    "text, message",
    [
        ("this is not toml [", "not a valid TOML file"),
        ("title = 'x'", r"no \[\[claims\]\] table"),
    ],
)
def test_unreadable_claims_files(tmp_path, text: str, message: str) -> None:
    with pytest.raises(ClaimsError, match=message):
        load_claims(_write(tmp_path, text))
    with pytest.raises(ClaimsError, match="not found"):
        load_claims(tmp_path / "absent.toml")


def test_scorecard_frame_has_the_csv_columns() -> None:
    claims = default_claims()
    ms = [
        Measurement("amplification", p, 4.2, 4.05, 4.4, 10, "posts", "m") for p in ("W1", PROGRAMME)
    ]
    ms.append(Measurement.missing("corporate_share", "W1", "no_posts"))
    card = evaluate(claims, ms, ["W1", PROGRAMME])
    frame = card.to_frame()
    assert tuple(frame.columns) == SCORECARD_COLUMNS
    # every claim on every population where it applies: 8 claims x 2 + the programme-only one
    assert len(frame) == 8 * 2 + 1
    amp = frame.loc[(frame["metric"] == "amplification")].set_index("population")
    assert amp.loc["W1", "verdict"] == "supported" and amp.loc["W1", "unit"] == "ratio"
    mix = frame.loc[(frame["metric"] == "corporate_share") & (frame["population"] == "W1")].iloc[0]
    assert mix["verdict"] == "inconclusive" and pd.isna(mix["estimate"])


def test_a_flagged_measurement_gets_the_more_conservative_verdict() -> None:
    """Volunteers may have reacted before enrolling: the effect on posts carries the estimate declaring one month
    of anticipation, and "enrolling increases posts" is judged on the less favourable of the two."""
    claim = Claim("effect_posts", ">", 0.0)

    def effect(
        est: float, lo: float, hi: float, sens: Measurement | None, flag: str = "anticipation_risk"
    ):
        return Measurement(
            "effect_posts",
            PROGRAMME,
            est,
            lo,
            hi,
            600,
            "volunteers",
            "cs",
            600,
            flag=flag,
            sensitivity=sens,
        )

    weak = Measurement(
        "effect_posts", PROGRAMME, 0.1, -0.05, 0.25, 600, "volunteers", "cs, anticipation", 600
    )
    strong = Measurement(
        "effect_posts", PROGRAMME, 1.1, 0.9, 1.3, 600, "volunteers", "cs, anticipation", 600
    )
    cases = [
        (
            effect(0.8, 0.6, 1.0, weak),
            "inconclusive",
            "inconclusive",
        ),  # main supported, sensitivity not
        (effect(0.1, -0.05, 0.25, strong), "inconclusive", "supported"),  # and the other way round
        (effect(0.8, 0.6, 1.0, strong), "supported", "supported"),
        (effect(0.8, 0.6, 1.0, None), "supported", ""),
    ]  # flagged, no sensitivity estimate: its own verdict
    for m, expected, sens_verdict in cases:
        r = evaluate([claim], [m], [PROGRAMME]).results[0]
        assert (r.verdict, r.sensitivity_verdict, r.flag) == (
            expected,
            sens_verdict,
            "anticipation_risk",
        )
    frame = evaluate([claim], [cases[0][0]], [PROGRAMME]).to_frame().iloc[0]
    assert tuple(frame.index) == SCORECARD_COLUMNS
    assert (
        frame["verdict"] == "inconclusive"
        and frame["estimate"] == 0.8
        and frame["flag"] == "anticipation_risk"
    )
    assert (frame["sensitivity_estimate"], frame["sensitivity_verdict"]) == (0.1, "inconclusive")
    plain = (
        evaluate([claim], [effect(0.8, 0.6, 1.0, None, flag="")], [PROGRAMME]).to_frame().iloc[0]
    )
    assert (
        plain["flag"] == ""
        and math.isnan(plain["sensitivity_estimate"])
        and plain["sensitivity_verdict"] == ""
    )
    assert conservative_verdict("supported", "contradicted", "inconclusive") == "contradicted"
    with pytest.raises(ValueError, match="unknown verdict"):
        conservative_verdict("supported", "maybe")
    with pytest.raises(ValueError, match="unknown flag"):
        Measurement("effect_posts", PROGRAMME, 1, 0, 2, 1, "volunteers", "m", flag="shaky")


def test_stats_claim_helpers_use_the_one_rule() -> None:
    from advocacy_eval.stats.rates import test_rate_ratio_claim

    for ci in [(4.0, 5.0), (3.0, 5.0), (2.0, 3.9)]:
        res = test_rate_ratio_claim(ratio=4.5, ci=ci, claimed_ratio=4.0)
        assert res["verdict"].iloc[0] == verdict(*ci, ">=", 4.0)


def test_operators_are_documented() -> None:
    import advocacy_eval.claims as mod

    for op in OPERATORS:
        assert f"``{op}``" in mod.__doc__


def test_every_registered_metric_has_a_measure_and_its_words() -> None:
    from advocacy_eval.analyses.measures import MEASURES
    from advocacy_eval.reports.i18n import STRINGS

    assert set(MEASURES) == set(METRICS)
    for name, spec in METRICS.items():
        assert spec.definition and spec.interval, name
        for key in (f"metric_{name}", f"claim_{name}", f"def_metric_{name}"):
            assert key in STRINGS, key


def test_generated_labels_read_well() -> None:
    from advocacy_eval.reports.scorecard import claim_label

    assert (
        claim_label(Claim("amplification", ">=", 4), "en")
        == "Volunteers' posts reach at least 4x the page's reach rate"
    )
    assert (
        claim_label(Claim("corporate_share", "==", 0.2, 0.05), "en")
        == "Corporate content is 20% of volunteers' posts (± 5 pts)"
    )
    assert (
        claim_label(Claim("monthly_participation", ">=", 0.5), "fr")
        == "Au moins 50\u202f% des collaborateurs volontaires publient dans un mois donné"
    )
    assert claim_label(Claim("effect_posts", ">", 0), "en") == "Enrolling increases monthly posts"
    assert (
        claim_label(Claim("effect_posts", ">=", 0.5), "en")
        == "Enrolling changes monthly posts by at least 0.50"
    )
    own = Claim("amplification", ">=", 2.5, label_en="Our own words", label_fr="Nos mots")
    assert claim_label(own, "en") == "Our own words" and claim_label(own, "fr") == "Nos mots"
