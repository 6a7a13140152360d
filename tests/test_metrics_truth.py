"""The descriptive metrics recover the synthetic programme's ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics
from advocacy_eval.sample import generate_programme

SEEDS = range(100, 120)


@pytest.fixture(scope="module")
def replicated() -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        prog = generate_programme(seed=seed)
        posts = prog.posts
        amp = metrics.amplification_ratio(posts).iloc[0]
        mix = metrics.content_mix(posts, "author_type").set_index("author_type")["corporate_share"]
        part = metrics.participation_rate(prog.employees, posts, by="wave_id")
        pooled = part.groupby("wave_id")[["n_active", "n_enrolled"]].sum()
        row = {"seed": seed, "employee_reach": amp["employee_reach_rate"], "page_reach": amp["company_reach_rate"],
               "amplification": amp["amplification_ratio"], "mix_employee": mix["employee"],
               "mix_page": mix["company"], "truth": prog.truth}
        for wave, r in pooled.iterrows():
            row[f"part_{wave}"] = r["n_active"] / r["n_enrolled"]
        rows.append(row)
    return pd.DataFrame(rows)


def _within(values: pd.Series, truth: float, n_se: float = 3.0) -> tuple[float, float]:
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(len(values)))
    assert abs(mean - truth) <= n_se * se + 1e-12, f"mean {mean:.5f} vs truth {truth:.5f} (MC SE {se:.5f})"
    return mean, se


@pytest.mark.parametrize("column, key", [
    ("employee_reach", "employee_reach_rate"), ("page_reach", "page_reach_rate"),
    ("mix_employee", "corporate_share_employees"), ("mix_page", "corporate_share_page"),
])
def test_rates_and_shares_are_unbiased(replicated, column, key):
    _within(replicated[column], replicated["truth"].iloc[0][key])


def test_amplification_ratio_close_to_truth(replicated):
    # a ratio of estimates has a small second-order bias, far below the Monte-Carlo error here
    truth = replicated["truth"].iloc[0]["amplification_ratio"]
    _within(replicated["amplification"], truth)


@pytest.mark.parametrize("wave", ["W1", "W2", "W3"])
def test_monthly_participation_matches_truth(replicated, wave):
    truth = np.array([t["participation"]["enrolled_person_months"][wave] for t in replicated["truth"]])
    diff = replicated[f"part_{wave}"].to_numpy() - truth  # truth varies by seed (realised latent rates)
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert abs(diff.mean()) <= 3 * se + 0.005, (diff.mean(), se)


def test_profiles_created_match_the_generator(sample_programme):
    import json

    from advocacy_eval.paths import sample_data_dir

    truth = json.loads((sample_data_dir() / "truth.json").read_text())["truth"]["profiles"]["by_wave"]
    got = metrics.profiles_created(sample_programme.employees).set_index("wave_id")
    for wave, t in truth.items():
        assert got.loc[wave, "n_created"] == t["realised_created_after_enrolment"]
        assert got.loc[wave, "n_without_profile"] == t["volunteers_without_profile_at_enrolment"]
