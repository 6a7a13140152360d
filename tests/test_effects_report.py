"""Programme report: summary tables and sentences (en/fr), wave effect, strings, figures, posts-only data."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from advocacy_eval.reports import i18n
from advocacy_eval.panel import build_panel
from advocacy_eval.reports.i18n import STRINGS, t
from advocacy_eval.analyses.programme import ProgrammeSummary, programme_summary, wave_effect
from advocacy_eval.schema import Programme

matplotlib.use("Agg")

TRUTH = json.loads((Path(__file__).parents[1] / "data" / "sample" / "truth.json").read_text())["truth"]


@pytest.fixture(scope="module")
def summary_en(sample_programme) -> ProgrammeSummary:
    return programme_summary(sample_programme, lang="en", claimed_profiles=500)


def test_strings_have_both_languages_and_the_same_placeholders() -> None:
    for key, texts in STRINGS.items():
        assert set(texts) == set(i18n.LANGS), key
        assert all(v.strip() for v in texts.values()), key
        # same placeholders in both languages
        import string

        # (the vocabulary placeholders, filled by t() itself, may differ: "{Participants}" / "Les {participants}")
        fields = [{f for _, f, _, _ in string.Formatter().parse(v) if f} - set(i18n.PLACEHOLDERS)
                  for v in texts.values()]
        assert fields[0] == fields[1], key
    assert t("prog_title", "fr").startswith("Programme collaborateurs influenceurs")


def test_summary_numbers(summary_en: ProgrammeSummary, sample_programme) -> None:
    s = summary_en
    assert s.outcome == "posts" and s.control == "not_yet_treated"
    out = s.outcomes.set_index("outcome")
    assert list(out.index) == ["posts", "members_reached", "impressions", "engagements", "followers", "has_profile"]
    assert (out["ci_low"] < out["estimate"]).all() and (out["estimate"] < out["ci_high"]).all()
    assert out.loc["posts", "ci_low"] < TRUTH["onboarding_effect"]["posts"]["overall"] < out.loc["posts", "ci_high"]
    assert out.loc["posts", "baseline"] > 0
    # event study and waves, k-suppressed
    assert (s.event_study["n"] >= s.min_group_size).all()
    assert list(s.by_wave["wave_id"]) == ["W1", "W2", "W3"]
    # profiles: causal count vs the generator's, and the naive count (realised creations after enrolment)
    tot = s.profiles.set_index("wave_id").loc["total"]
    assert tot["ci_low"] < TRUTH["profiles"]["expected_created_by_onboarding"] < tot["ci_high"]
    realised = sum(v["realised_created_after_enrolment"] for v in TRUTH["profiles"]["by_wave"].values())
    assert s.profiles_naive["n_created"].sum() == realised
    # diagnostics
    assert s.twfe is not None and s.bacon is not None and s.honest is not None
    assert abs(s.twfe["estimate"].iloc[0] - s.bacon["twfe"]) < 1e-10
    assert set(s.pretrend["test"]) == {"group_time", "event_study"}


def test_summary_tables_and_sentences_en(summary_en: ProgrammeSummary) -> None:
    s = summary_en
    for name in ("outcomes", "by_wave", "profiles", "wave_comparison", "estimators", "bacon", "pretrend", "honest",
                 "data", "methods", "sources", "parameters"):
        assert name in s.tables, name
        assert all(isinstance(v, str) for v in s.tables[name].to_numpy().ravel()), name
    assert s.tables["profiles"].iloc[-1, 0] == "Total"
    text = " ".join(s.sentences)
    assert "Enrolling raised the number of posts per month by 1.02" in text
    assert "A claim of 500 profiles created by the programme is contradicted" in text
    assert "two-way fixed-effects" in text
    caveats = " ".join(s.caveats)
    for word in ("Volunteers chose to join", "effect on the volunteers", "Colleagues not enrolled", "left out",
                 "cannot prove"):
        assert word in caveats, word
    assert s.title.startswith("Employee advocacy programme")


@pytest.fixture(scope="module")
def summary_fr_k200(sample_programme) -> ProgrammeSummary:
    """French, with a minimum group size larger than wave 1 (129 volunteers in the estimate)."""
    return programme_summary(sample_programme, lang="fr", min_group_size=200, panel=build_panel(sample_programme))


def test_summary_french(summary_fr_k200: ProgrammeSummary) -> None:
    s = summary_fr_k200
    text = " ".join(s.sentences + s.caveats)
    assert "L'inscription a augmenté le nombre de publications par mois de 1,02" in text
    assert "volontaires" in text and "Enrolling" not in text
    assert s.tables["outcomes"].columns[0] == "Indicateur mensuel"
    assert "\u202f" in s.tables["data"].iloc[0, 1]  # French thousands separator


def test_wave_effect(sample_programme, summary_en: ProgrammeSummary) -> None:
    w = wave_effect(sample_programme, "W2")
    assert list(w["wave_id"]) == ["W2"] and w["outcome"].iloc[0] == "posts"
    ref = summary_en.by_wave.set_index("wave_id").loc["W2"]
    assert w["estimate"].iloc[0] == pytest.approx(ref["estimate"])
    assert w["ci_low"].iloc[0] == pytest.approx(ref["ci_low"])
    reuse = wave_effect(sample_programme, "W2", effect=summary_en.headline)
    assert reuse["estimate"].iloc[0] == w["estimate"].iloc[0]
    truth = TRUTH["onboarding_effect"]["posts"]["by_wave"]["W2"]
    assert w["ci_low"].iloc[0] < truth < w["ci_high"].iloc[0]
    with pytest.raises(KeyError, match="unknown wave"):
        wave_effect(sample_programme, "W9")


def test_small_waves_are_suppressed(summary_fr_k200: ProgrammeSummary) -> None:
    s = summary_fr_k200
    assert list(s.by_wave["wave_id"]) == ["W2", "W3"]  # W1 has 129 volunteers in the estimate
    hidden = t("suppressed", "fr", k=200)
    row = s.tables["wave_comparison"].set_index(s.tables["wave_comparison"].columns[0]).loc["W1"]
    assert (row == hidden).all()


def test_posts_only_programme_reports_profiles(sample_programme) -> None:
    prog = Programme(sample_programme.waves, sample_programme.employees, sample_programme.posts, None,
                     sample_programme.sources)
    s = programme_summary(prog)
    assert s.outcome == "has_profile"
    assert list(s.outcomes["outcome"]) == ["has_profile"]
    assert any("Without a monthly activity export" in c for c in s.caveats)
    tot = s.profiles.set_index("wave_id").loc["total"]
    assert tot["ci_low"] < TRUTH["profiles"]["expected_created_by_onboarding"] < tot["ci_high"]


def test_figures_draw(summary_en: ProgrammeSummary) -> None:
    from advocacy_eval.reports import effect_figures as effect_plots

    s = summary_en
    figs = [
        effect_plots.event_study_figure(s.event_study, s.outcome, "fr"),
        effect_plots.wave_effects_figure(s.by_wave, s.headline.overall.iloc[0], s.outcome),
        effect_plots.honest_figure(s.honest["table"], s.honest["estimate"], s.outcome),
        effect_plots.event_study_figure(s.effects["has_profile"].event_study, "has_profile"),
    ]
    assert figs[0].axes[0].get_title().startswith("Effet de l'inscription")
    assert len(figs[0].axes[0].get_legend().get_texts()) == 2  # before / after enrolment
    import matplotlib.pyplot as plt

    for f in figs:
        plt.close(f)


def test_too_small_programme_raises_report_error(tiny) -> None:
    from advocacy_eval.errors import ReportError

    with pytest.raises(ReportError, match="cannot be estimated from these data"):
        programme_summary(tiny)


def test_secondary_suppression_of_people_counts() -> None:
    from advocacy_eval.privacy import cells_to_hide

    none = np.zeros(3, dtype=bool)
    # a group below k is hidden, and with a total shown the next smallest too
    assert cells_to_hide(np.array([22, 40, 3]), 5, already=none).tolist() == [True, False, True]
    # zero people is still fewer than k
    assert cells_to_hide(np.array([0, 40, 69]), 5, already=none).tolist() == [True, True, False]
    # nothing small: nothing hidden; without a total, no secondary suppression
    assert not cells_to_hide(np.array([22, 40, 69]), 5, already=none).any()
    assert cells_to_hide(np.array([22, 40, 3]), 5, already=none, total_shown=False).tolist() == [False, False, True]
