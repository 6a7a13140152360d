"""The descriptive metrics recover the synthetic programme's ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics
from advocacy_eval.sample import generate_programme

SEEDS = range(100, 120)

ENGAGEMENTS = ["reactions", "comments", "reposts", "clicks"]


def per_post_ratios(posts: pd.DataFrame) -> dict[str, float]:
    """Simple point estimates: ratios of means, employee posts (after enrolment) / page posts."""
    posts = posts.assign(engagements=posts[ENGAGEMENTS].sum(axis=1))
    means = posts.groupby("author_type")[["members_reached", "engagements", "impressions"]].mean()
    emp, page = means.loc["employee"], means.loc["company"]
    return {
        "reach_per_post_ratio": emp["members_reached"] / page["members_reached"],
        "engagement_per_post_ratio": emp["engagements"] / page["engagements"],
        "engagement_rate_ratio": (emp["engagements"] / emp["impressions"])
        / (page["engagements"] / page["impressions"]),
    }


@pytest.fixture(scope="module")
def replicated() -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        prog = generate_programme(seed=seed)
        posts = prog.posts
        amp = metrics.amplification_ratio(posts).iloc[0]
        mix = metrics.content_mix(posts, "author_type", author_type=None).set_index("author_type")[
            "corporate_share"
        ]
        part = metrics.participation_rate(prog.employees, posts, by="wave_id")
        pooled = part.groupby("wave_id")[["n_active", "n_enrolled"]].sum()
        row = {
            "seed": seed,
            "employee_reach": amp["employee_reach_rate"],
            "page_reach": amp["company_reach_rate"],
            "amplification": amp["amplification_ratio"],
            "mix_employee": mix["employee"],
            "mix_page": mix["company"],
            "truth": prog.truth,
            **per_post_ratios(posts),
        }
        for wave, r in pooled.iterrows():
            row[f"part_{wave}"] = r["n_active"] / r["n_enrolled"]
        rows.append(row)
    return pd.DataFrame(rows)


def _within(values: pd.Series, truth: float, n_se: float = 3.0) -> tuple[float, float]:
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(len(values)))
    assert abs(mean - truth) <= n_se * se + 1e-12, (
        f"mean {mean:.5f} vs truth {truth:.5f} (MC SE {se:.5f})"
    )
    return mean, se


@pytest.mark.parametrize(
    "column, key",
    [
        ("employee_reach", "employee_reach_rate"),
        ("page_reach", "page_reach_rate"),
        ("mix_employee", "corporate_share_employees"),
        ("mix_page", "corporate_share_page"),
    ],
)
def test_rates_and_shares_are_unbiased(replicated, column, key):
    _within(replicated[column], replicated["truth"].iloc[0][key])


def test_amplification_ratio_close_to_truth(replicated):
    # a ratio of estimates has a small second-order bias, far below the Monte-Carlo error here
    truth = replicated["truth"].iloc[0]["amplification_ratio"]
    _within(replicated["amplification"], truth)


@pytest.mark.parametrize("wave", ["W1", "W2", "W3"])
def test_monthly_participation_matches_truth(replicated, wave):
    truth = np.array(
        [t["participation"]["enrolled_person_months"][wave] for t in replicated["truth"]]
    )
    diff = (
        replicated[f"part_{wave}"].to_numpy() - truth
    )  # truth varies by seed (realised latent rates)
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert abs(diff.mean()) <= 3 * se + 0.005, (diff.mean(), se)


def test_profiles_created_match_the_generator(sample_programme):
    import json

    from advocacy_eval.paths import sample_data_dir

    truth = json.loads((sample_data_dir() / "truth.json").read_text())["truth"]["profiles"][
        "by_wave"
    ]
    got = metrics.profiles_created(sample_programme.employees).set_index("wave_id")
    for wave, t in truth.items():
        assert got.loc[wave, "n_created"] == t["realised_created_after_enrolment"]
        assert got.loc[wave, "n_without_profile"] == t["volunteers_without_profile_at_enrolment"]


# ----------------------------------------------------------------------------- staff reached, per-post ratios


def _sample_truth() -> dict:
    import json

    from advocacy_eval.paths import sample_data_dir

    return json.loads((sample_data_dir() / "truth.json").read_text())["truth"]


def test_staff_reached_reproduces_the_sample_truth_exactly(sample_programme):
    truth = _sample_truth()["staff_reached_share"]
    waves = sample_programme.waves.set_index("wave_id")
    start = waves["start_date"].min()
    assert str(start.date()) == truth["start_date"]
    periods = {
        "overall": pd.Timestamp(truth["end_date"]),
        **{w: waves.loc[w, "end_date"] for w in truth["by_wave"]},
    }
    for key, end in periods.items():
        got = metrics.staff_reached(sample_programme.employees, start, end).iloc[0]
        want = truth["counts"]["overall"] if key == "overall" else truth["counts"]["by_wave"][key]
        assert {k: int(got[k]) for k in want} == want, key
        share = truth["overall"] if key == "overall" else truth["by_wave"][key]
        assert got["share"] == pytest.approx(share, rel=1e-11, abs=0), (
            key
        )  # truth.json keeps 12 digits
        expected = (
            truth["expected"]["overall"] if key == "overall" else truth["expected"]["by_wave"][key]
        )
        assert abs(got["share"] - expected) < 0.02, (
            key
        )  # realised vs expected over the session draws
    assert truth["counts"]["overall"]["n_trained"] > 0


@pytest.mark.parametrize(
    "key, tolerance",
    [
        # 3 x the sd of one default programme's estimate (measured over 300 seeds: 0.0125, 0.0315, 0.122)
        ("reach_per_post_ratio", 0.0375),
        ("engagement_per_post_ratio", 0.095),
        ("engagement_rate_ratio", 0.37),
    ],
)
def test_per_post_ratios_of_the_sample_are_near_their_truth(sample_programme, key, tolerance):
    truth = _sample_truth()[key]
    got = per_post_ratios(sample_programme.posts)[key]
    assert abs(got - truth) < tolerance, (key, got, truth)


@pytest.mark.parametrize(
    "key", ["reach_per_post_ratio", "engagement_per_post_ratio", "engagement_rate_ratio"]
)
def test_per_post_ratios_are_centred_on_their_truth(replicated, key):
    truth = replicated["truth"].iloc[0][key]
    assert all(
        t[key] == truth for t in replicated["truth"]
    )  # a population value: the same for every seed
    # ratios of means carry an O(1/n) bias, far below the Monte-Carlo error of 20 programmes
    _within(replicated[key], truth)
