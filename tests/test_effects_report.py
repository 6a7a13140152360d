"""Programme report: summary tables and sentences (en/fr), wave effect, strings, figures, posts-only data."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from advocacy_eval.analyses.measures import MeasureContext
from advocacy_eval.analyses.programme import ProgrammeResults, programme_results, wave_effect
from advocacy_eval.claims import PROGRAMME, default_claims, verdict
from advocacy_eval.panel import build_panel
from advocacy_eval.reports import i18n
from advocacy_eval.reports.i18n import STRINGS, t
from advocacy_eval.reports.programme import (
    ProgrammeReport,
    fmt_breakdown,
    fmt_effect,
    render_programme,
)
from advocacy_eval.schema import Programme

matplotlib.use("Agg")

TRUTH = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())[
    "truth"
]


@pytest.fixture(scope="module")
def results(sample_programme) -> ProgrammeResults:
    return programme_results(sample_programme)


@pytest.fixture(scope="module")
def summary_en(results) -> ProgrammeReport:
    return render_programme(results, "en")


def test_strings_have_both_languages_and_the_same_placeholders() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == set(i18n.LANGS), key
        assert all(v.strip() for v in texts.values()), key
        # same placeholders in both languages
        import string

        # (the vocabulary placeholders, filled by t() itself, may differ: "{Participants}" / "Les {participants}")
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(v) if f} - set(i18n.PLACEHOLDERS)
            for v in texts.values()
        ]
        assert fields[0] == fields[1], key
    assert t("prog_title", "fr").startswith("Programme collaborateurs influenceurs")


def test_summary_numbers(results: ProgrammeResults, sample_programme) -> None:
    s = results
    assert s.outcome == "posts" and s.control == "not_yet_treated"
    out = s.outcomes.set_index("outcome")
    assert list(out.index) == [
        "posts",
        "members_reached",
        "impressions",
        "engagements",
        "followers",
        "has_profile",
    ]
    assert (out["ci_low"] < out["estimate"]).all() and (out["estimate"] < out["ci_high"]).all()
    assert (
        out.loc["posts", "ci_low"]
        < TRUTH["onboarding_effect"]["posts"]["overall"]
        < out.loc["posts", "ci_high"]
    )
    assert out.loc["posts", "baseline"] > 0
    assert (out["pretrend_failed"] == (out["pretrend_p"] < 0.05)).all()
    # event study and waves, k-suppressed
    assert (s.event_study["n"] >= s.min_group_size).all()
    assert list(s.by_wave["wave_id"]) == ["W1", "W2", "W3"]
    # profiles: causal count vs the generator's; the descriptive count from the start of the enrolment month
    total = s.profiles[-1]
    assert total.wave_id == "total"
    a = total.counts.attributable
    assert a.ci_low < TRUTH["profiles"]["expected_created_by_onboarding"] < a.ci_high
    enrolled = sample_programme.employees.dropna(subset=["enrolled_on"])
    ref = enrolled.enrolled_on.dt.to_period("M").dt.to_timestamp()
    assert total.counts.n_created == int((enrolled.profile_created_on >= ref).sum())
    for row in s.profiles:  # attributable never exceeds the created count beyond its interval
        if row.counts.attributable is not None:
            assert row.counts.attributable.ci_low <= row.counts.n_created
    # diagnostics are typed results
    assert s.twfe is not None and s.bacon is not None and s.honest is not None
    assert abs(s.twfe["estimate"].iloc[0] - s.bacon.twfe) < 1e-10
    assert set(s.headline.pretrend["test"]) == {"group_time", "event_study"}


def test_programme_scorecard_pools_all_waves_and_shows_each(results: ProgrammeResults) -> None:
    card = results.scorecard
    assert card.populations == ("W1", "W2", "W3", PROGRAMME)
    pooled = card.for_population(PROGRAMME)
    assert [r.claim.key for r in pooled] == [c.key for c in default_claims()]
    for r in card.results:
        m = r.measurement
        assert r.verdict == (
            verdict(m.ci_low, m.ci_high, r.claim.op, r.claim.target, r.claim.tolerance)
            if m.measured
            else "inconclusive"
        )
    # the programme-level-only claim is not evaluated per wave
    assert card.result(default_claims()[7], "W1") is None
    # staff reached: the realised share of the generator, exactly
    staff = next(r for r in pooled if r.claim.metric == "staff_reached_share").measurement
    assert staff.estimate == pytest.approx(TRUTH["staff_reached_share"]["overall"])
    for w, share in TRUTH["staff_reached_share"]["by_wave"].items():
        m = next(
            r for r in card.for_population(w) if r.claim.metric == "staff_reached_share"
        ).measurement
        assert m.estimate == pytest.approx(share)
    # the effect on posts in the scorecard is the headline overall effect
    eff = next(r for r in pooled if r.claim.metric == "effect_posts").measurement
    assert eff.estimate == pytest.approx(results.headline.att)


def test_summary_tables_and_sentences_en(summary_en: ProgrammeReport) -> None:
    s = summary_en
    for name in (
        "scorecard",
        "outcomes",
        "by_wave",
        "profiles",
        "wave_comparison",
        "estimators",
        "bacon",
        "pretrend",
        "honest",
        "data",
        "methods",
        "sources",
        "parameters",
        "definitions",
    ):
        assert name in s.tables, name
        assert all(isinstance(v, str) for v in s.tables[name].to_numpy().ravel()), name
    assert list(s.tables["scorecard"].columns[-3:]) == ["W1", "W2", "W3"]
    assert s.tables["profiles"].iloc[-1, 0] == "Total"
    text = " ".join(s.sentences)
    assert "Enrolling raised the number of posts per month by 1.02" in text
    assert "Overall effect: the average over every volunteer-month" in text
    summary = " ".join(s.summary)
    assert summary.startswith("Of 9 claims tested on the whole programme")
    appendix = " ".join(s.appendix_sentences)
    assert "two-way fixed-effects" in appendix
    assert "each month weighted equally" in appendix  # the sensitivity target is labelled
    caveats = " ".join(s.caveats)
    for word in ("chose to join", "Colleagues not enrolled", "left out", "cannot prove"):
        assert word in caveats, word
    assert s.title.startswith("Employee advocacy programme")


def test_control_count_is_named_the_same_everywhere(summary_en: ProgrammeReport, results) -> None:
    n = f"{results.n_controls:,}"
    assert n in summary_en.subtitle
    data = summary_en.tables["data"].set_index(summary_en.tables["data"].columns[0]).iloc[:, 0]
    assert data.loc["Colleagues in the monthly panel never enrolled (the controls)"] == n


def test_breakdown_is_rounded_down_to_agree_with_its_table() -> None:
    assert fmt_breakdown(1.458, "en") == "1.45"
    assert fmt_breakdown(1.45, "fr") == "1,45"
    assert fmt_breakdown(2.0, "en") == "2.00"


@pytest.fixture(scope="module")
def summary_fr_k200(sample_programme) -> ProgrammeReport:
    """French, with a minimum group size larger than wave 1 (129 volunteers in the estimate)."""
    ctx = MeasureContext(sample_programme, 200, panel=build_panel(sample_programme))
    return render_programme(
        programme_results(sample_programme, min_group_size=200, context=ctx), "fr"
    )


def test_summary_french(summary_fr_k200: ProgrammeReport) -> None:
    s = summary_fr_k200
    text = " ".join(s.sentences + s.caveats + s.summary)
    assert "L'inscription a augmenté le nombre de publications par mois de " in text
    assert "volontaires" in text and "Enrolling" not in text and "ambassad" not in text
    assert s.tables["outcomes"].columns[0] == "Indicateur mensuel"
    assert "\u202f" in s.tables["data"].iloc[0, 1]  # French thousands separator


def test_wave_effect(sample_programme, results: ProgrammeResults) -> None:
    w = wave_effect(sample_programme, "W2")
    assert list(w["wave_id"]) == ["W2"] and w["outcome"].iloc[0] == "posts"
    ref = results.by_wave.set_index("wave_id").loc["W2"]
    assert w["estimate"].iloc[0] == pytest.approx(ref["estimate"])
    assert w["ci_low"].iloc[0] == pytest.approx(ref["ci_low"])
    truth = TRUTH["onboarding_effect"]["posts"]["by_wave"]["W2"]
    assert w["ci_low"].iloc[0] < truth < w["ci_high"].iloc[0]
    with pytest.raises(KeyError, match="unknown wave"):
        wave_effect(sample_programme, "W9")


def test_small_waves_are_left_out_of_the_release(summary_fr_k200: ProgrammeReport) -> None:
    """k = 200: wave 1 (150 volunteers) is left out of every figure, and the report says so (in waves, not people)."""
    s = summary_fr_k200
    assert s.results.excluded_waves == ("W1",)
    assert list(s.results.by_wave["wave_id"]) == ["W2", "W3"]
    assert "W1" not in set(s.tables["wave_comparison"].iloc[:, 0])
    assert "W1" not in s.tables["scorecard"].columns and "W1" not in set(
        s.tables["profiles"].iloc[:, 0]
    )
    assert (
        500 < s.results.n_volunteers <= 250 + 300
    )  # the panel holds only the released waves' volunteers
    assert any("1 vague(s) de moins de 200" in c for c in s.caveats)
    assert not any("150" in c for c in s.caveats)


def test_posts_only_programme_reports_profiles(sample_programme) -> None:
    prog = Programme(
        sample_programme.waves,
        sample_programme.employees,
        sample_programme.posts,
        None,
        sample_programme.sources,
    )
    res = programme_results(prog)
    s = render_programme(res, "en")
    assert res.outcome == "has_profile"
    assert list(res.outcomes["outcome"]) == ["has_profile"]
    assert any("Without a monthly activity export" in c for c in s.caveats)
    a = res.profiles[-1].counts.attributable
    assert a.ci_low < TRUTH["profiles"]["expected_created_by_onboarding"] < a.ci_high
    eff = next(
        r for r in res.scorecard.for_population(PROGRAMME) if r.claim.metric == "effect_posts"
    )
    assert eff.measurement.missing_reason == "no_activity" and eff.verdict == "inconclusive"


def test_figures_draw(results: ProgrammeResults) -> None:
    from advocacy_eval.reports import effect_figures as effect_plots

    s = results
    figs = [
        effect_plots.event_study_figure(s.event_study, s.outcome, "fr"),
        effect_plots.wave_effects_figure(s.by_wave, s.headline.overall.iloc[0], s.outcome),
        effect_plots.honest_figure(s.honest.table, s.honest.estimate, s.outcome),
        effect_plots.event_study_figure(s.effect("has_profile").event_study, "has_profile"),
    ]
    assert figs[0].title.startswith("Effet de l'inscription sur le nombre de publications par mois")
    assert len(figs[0].axes[0].get_legend().get_texts()) == 2  # before / after enrolment
    for f in figs:  # every figure says what it shows, with numbers in the report's format
        assert f.alt and f.caption and any(ch.isdigit() for ch in f.alt)
    assert "," in figs[0].alt and "." not in figs[0].alt.rstrip(".")  # French: decimal commas
    fr_ticks = [x.get_text() for x in figs[0].axes[0].get_yticklabels()]
    assert any("," in x for x in fr_ticks) and not any("." in x for x in fr_ticks), fr_ticks
    assert any(
        x.startswith("\u2212") for x in [x.get_text() for x in figs[0].axes[0].get_xticklabels()]
    )
    import matplotlib.pyplot as plt

    for f in figs:
        plt.close(f.figure)


def test_too_small_programme_raises_report_error(tiny) -> None:
    from advocacy_eval.errors import ReportError

    with pytest.raises(ReportError, match="every wave has fewer than 5 volunteers"):
        programme_results(tiny)


def test_secondary_suppression_of_people_counts() -> None:
    from advocacy_eval.privacy import cells_to_hide

    none = np.zeros(3, dtype=bool)
    # a group below k is hidden, and with a total shown the next smallest too
    assert cells_to_hide(np.array([22, 40, 3]), 5, already=none).tolist() == [True, False, True]
    # zero people is still fewer than k
    assert cells_to_hide(np.array([0, 40, 69]), 5, already=none).tolist() == [True, True, False]
    # nothing small: nothing hidden; without a total, no secondary suppression
    assert not cells_to_hide(np.array([22, 40, 69]), 5, already=none).any()
    assert cells_to_hide(np.array([22, 40, 3]), 5, already=none, total_shown=False).tolist() == [
        False,
        False,
        True,
    ]


# ----------------------------------------------------------------------------- volunteers reacting before enrolling


@pytest.fixture(scope="module")
def anticipation_programme():
    """A programme generated with one month of anticipation (posting 50% higher the month before enrolment)."""
    from advocacy_eval.sample import generate_programme

    prog = generate_programme(seed=5, anticipation_months=1)
    return prog, Programme(prog.waves, prog.employees, prog.posts, prog.activity)


@pytest.fixture(scope="module")
def anticipation_results(anticipation_programme) -> ProgrammeResults:
    return programme_results(anticipation_programme[1])


def test_programme_report_flags_anticipation_and_shows_both_estimates(
    anticipation_programme, anticipation_results
) -> None:
    from advocacy_eval.claims import conservative_verdict

    prog, res = anticipation_programme[0], anticipation_results
    assert res.at_risk and res.anticipation.event_time == -1 and res.anticipation.estimate > 0
    assert res.anticipation.pre_month_significant or res.anticipation.pretrend_failed
    sens = res.sensitivity
    assert sens is not None and sens.anticipation == 1 and sens.outcome == "posts"
    # the month before enrolment is already lifted: declaring it moves the estimate up by about the anticipation
    # effect (the event study's month -1 when declared), towards the realised truth (1.086 on this seed)
    truth = prog.truth["onboarding_effect"]["posts"]["overall"]
    shift = sens.att - res.headline.att
    assert 0.5 < shift / float(sens.event_study.set_index("event_time").loc[-1, "estimate"]) < 2
    assert abs(sens.att - truth) < abs(res.headline.att - truth)
    # scorecard: every effect_posts result is flagged, carries the sensitivity estimate, and its verdict is the
    # more conservative of the two
    effect_results = [r for r in res.scorecard.results if r.claim.metric == "effect_posts"]
    assert len(effect_results) == 4
    for r in effect_results:
        m = r.measurement
        assert (
            m.flag == "anticipation_risk" and m.sensitivity is not None and m.sensitivity.measured
        )
        main = verdict(m.ci_low, m.ci_high, r.claim.op, r.claim.target)
        other = verdict(m.sensitivity.ci_low, m.sensitivity.ci_high, r.claim.op, r.claim.target)
        assert r.sensitivity_verdict == other and r.verdict == conservative_verdict(main, other)
    pooled = next(r for r in effect_results if r.population == PROGRAMME)
    assert pooled.measurement.estimate == pytest.approx(res.headline.att)
    assert pooled.measurement.sensitivity.estimate == pytest.approx(sens.att)
    w2 = next(r for r in effect_results if r.population == "W2").measurement.sensitivity
    assert w2.estimate == pytest.approx(
        float(sens.by_wave.set_index("wave_id").loc["W2", "estimate"])
    )
    # a claim whose two estimates disagree gets the less favourable verdict
    from advocacy_eval.claims import Claim, evaluate

    above = (
        float(res.headline.overall["ci_high"].iloc[0]) + 1e-6
    )  # the main interval lies below, not the other
    assert above < float(sens.overall["ci_high"].iloc[0])
    card = evaluate([Claim("effect_posts", ">=", above)], [pooled.measurement], [PROGRAMME])
    assert (
        card.results[0].sensitivity_verdict != "contradicted"
        and card.results[0].verdict == "contradicted"
    )


def test_programme_report_words_the_anticipation_risk_in_both_languages(
    anticipation_results,
) -> None:
    res, sens = anticipation_results, anticipation_results.sensitivity
    en, fr = render_programme(res, "en"), render_programme(res, "fr")
    flag_en = "⚠ at risk: volunteers may have reacted before enrolling"
    flag_fr = "⚠ à risque : les collaborateurs volontaires ont pu réagir avant leur inscription"
    for rep, flag, row, value in (
        (en, flag_en, "↳ sensitivity: one month of anticipation declared", "1."),
        (fr, flag_fr, "↳ sensibilité : un mois d'anticipation déclaré", "1,"),
    ):
        card = rep.tables["scorecard"]
        claim_col = card.columns[0]
        i = next(i for i, v in enumerate(card[claim_col]) if flag in v)
        assert (
            card.iloc[i + 1][claim_col] == row
        )  # the sensitivity row sits right below the flagged claim
        assert card.iloc[i + 1, 1].startswith("+" + value)
        outcomes = rep.tables["outcomes"]
        assert flag in outcomes.iloc[0, 3] and outcomes.iloc[1, 0] == row
        assert outcomes.iloc[1, 1] == fmt_effect(sens.att, "posts", rep.lang)
        assert outcomes.iloc[0, 1] == fmt_effect(res.headline.att, "posts", rep.lang)
        assert any(
            fmt_effect(sens.att, "posts", rep.lang) in x
            for x in rep.tables["estimators"].iloc[:, 1]
        )
    text_en, text_fr = " ".join(en.sentences), " ".join(fr.sentences)
    assert "At risk: volunteers may have reacted before enrolling" in text_en
    assert f"the effect is {fmt_effect(sens.att, 'posts', 'en')} per volunteer" in text_en
    assert "uses the more conservative of the two estimates" in text_en
    assert (
        "À risque : les collaborateurs volontaires ont pu réagir avant leur inscription" in text_fr
    )
    assert "la plus prudente des deux estimations" in text_fr
    assert "at risk" not in text_fr and "anticipation declared" not in " ".join(
        fr.tables["scorecard"].iloc[:, 0]
    )


def test_wave_scorecard_flags_anticipation(anticipation_programme) -> None:
    from advocacy_eval.analyses.wave import wave_results
    from advocacy_eval.reports.wave import render_wave

    results = wave_results(anticipation_programme[1], "W2")
    assert results.effect_at_risk
    m = results.measurement("effect_posts")
    assert m.flag == "anticipation_risk" and m.sensitivity is not None
    flag_fr = "⚠ à risque : les collaborateurs volontaires ont pu réagir avant leur inscription"
    for lang, flag, row in (
        (
            "en",
            "⚠ at risk: volunteers may have reacted before enrolling",
            "↳ sensitivity: one month of anticipation declared",
        ),
        ("fr", flag_fr, "↳ sensibilité : un mois d'anticipation déclaré"),
    ):
        rep = render_wave(results, lang)
        card = rep.tables["scorecard"]
        i = next(i for i, v in enumerate(card.iloc[:, 0]) if flag in v)
        assert card.iloc[i + 1, 0] == row
        kpis = rep.tables["kpis"]
        j = next(j for j, v in enumerate(kpis.iloc[:, 4]) if flag in v)
        assert kpis.iloc[j + 1, 0] == row
        assert any(flag in s for s in rep.sentences)


def test_committed_sample_is_not_flagged(
    results: ProgrammeResults, summary_en: ProgrammeReport
) -> None:
    assert results.anticipation is not None and not results.at_risk and results.sensitivity is None
    assert not any(
        r.measurement.flag or r.measurement.sensitivity is not None
        for r in results.scorecard.results
    )
    for name in ("scorecard", "outcomes", "estimators"):
        cells = " ".join(summary_en.tables[name].to_numpy().ravel())
        assert "at risk" not in cells and "sensitivity:" not in cells, name
    assert not any("At risk" in s for s in summary_en.sentences)
