"""Next-wave planning: consistent with the power functions it is built on."""

from __future__ import annotations

import numpy as np
import pytest

from advocacy_eval.analyses.planning import plan_next_wave
from advocacy_eval.stats.power import mde_proportion


@pytest.fixture(scope="module")
def plan(sample_programme):
    return plan_next_wave(
        sample_programme, sizes=(100, 300, 1000), months=6, participation_change=0.10
    )


def test_observed_inputs_are_plausible(plan):
    obs = plan.observed.set_index("name")["value"]
    assert 0 < obs["monthly_participation"] < 1
    assert 0 < obs["icc_participation"] < 1
    assert obs["design_effect_participation"] == pytest.approx(1 + 5 * obs["icc_participation"])
    assert 0 <= obs["icc_reach"] < 1 and obs["cv_post_reach"] > 0
    assert obs["volunteers_so_far"] == 700


def test_detectable_effects_shrink_with_size(plan):
    assert np.all(np.diff(plan.participation["detectable_change"]) < 0)
    assert np.all(np.diff(plan.reach["ratio_detectably_above_claim"]) < 0)
    assert (plan.reach["ratio_detectably_above_claim"] > 4).all()
    assert (plan.reach["ratio_detectably_below_claim"] < 4).all()


def test_required_volunteers_round_trip(plan):
    obs = plan.observed.set_index("name")["value"]
    need = plan.required["volunteers"].iloc[0]
    units = need * 6
    res = mde_proportion(
        units, obs["monthly_participation"], deff=obs["design_effect_participation"]
    )
    assert res["estimate"].iloc[0] <= 0.10 + 1e-9  # the required size detects the 10-point change
    smaller = mde_proportion(
        units - 6 * 2, obs["monthly_participation"], deff=obs["design_effect_participation"]
    )
    assert smaller["estimate"].iloc[0] > 0.10 - 0.002


def test_ignoring_clustering_would_promise_too_much(sample_programme):
    plan = plan_next_wave(sample_programme, sizes=(300,), months=6)
    obs = plan.observed.set_index("name")["value"]
    iid = mde_proportion(
        float(obs["volunteers_so_far"] * 6),
        obs["monthly_participation"],
        ratio=300 / obs["volunteers_so_far"],
    )
    assert plan.participation["detectable_change"].iloc[0] > iid["estimate"].iloc[0]
