"""The programme report fits each outcome on a panel holding that outcome alone, with the full panel's results.

Issue 12: at 200,000 employees the panel of every outcome holds 0.36 GB
while the programme report's effects are fitted; one outcome's column at a
time holds 0.12 GB. Estimates, baselines and the panel's description must be
exactly the full panel's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.analyses import measures
from advocacy_eval.analyses.measures import MeasureContext, pre_enrolment_mean
from advocacy_eval.analyses.programme import programme_results
from advocacy_eval.io import load_programme
from advocacy_eval.panel import OUTCOMES, build_panel, estimable_outcomes
from advocacy_eval.sample import write_sample


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("outcomes") / "p"
    write_sample(folder, seed=21, n_employees=500, n_months=20)
    return load_programme(folder, cache=False)


def test_estimable_outcomes_are_the_full_panels(programme) -> None:
    assert estimable_outcomes(programme) == tuple(build_panel(programme).estimable)
    no_activity = type(programme)(
        waves=programme.waves, employees=programme.employees, posts=programme.posts
    )
    assert estimable_outcomes(no_activity) == tuple(build_panel(no_activity).estimable)


def test_one_outcome_column_is_held_at_a_time(
    programme, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    built: list[tuple[str, ...]] = []
    real = measures.build_panel

    swapped: list[tuple[str, ...]] = []
    real_swap = measures.with_outcomes

    def spy(prog, *args, columns=None, **kwargs):
        built.append(tuple(columns) if columns is not None else OUTCOMES)
        return real(prog, *args, columns=columns, **kwargs)

    def swap_spy(panel, prog, outcomes):
        swapped.append(tuple(outcomes))
        held = real_swap(panel, prog, outcomes)
        assert set(held.data.columns) & set(OUTCOMES) == set(outcomes)  # the others are dropped
        return held

    monkeypatch.setattr(measures, "build_panel", spy)
    monkeypatch.setattr(measures, "with_outcomes", swap_spy)
    programme_results(programme)
    assert built, "no panel was built"
    assert all(len(c) <= 2 for c in built + swapped), built + swapped  # never every outcome
    # the wave reports' outcomes first (the headline's diagnostics on their panel), then each
    # other outcome once, taken through that panel's activity rows (no second build)
    assert built == [("posts", "has_profile")]
    assert sorted(swapped) == sorted((o,) for o in OUTCOMES if o not in ("posts", "has_profile"))
    swapped.clear()
    # a second report on the same data reads everything from the store: one panel, for the description only
    built.clear()
    programme_results(programme)
    assert built == [("posts", "has_profile")] and not swapped


def test_results_are_the_full_panels(programme, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    lean = programme_results(programme)
    full = programme_results(
        programme, context=MeasureContext(programme, panel=build_panel(programme))
    )
    assert [e.outcome for e in lean.effects] == [e.outcome for e in full.effects]
    for a, b in zip(lean.effects, full.effects, strict=True):
        for name in ("overall", "event_study", "by_group", "group_time"):
            pd.testing.assert_frame_equal(
                pd.DataFrame(getattr(a, name)), pd.DataFrame(getattr(b, name)), check_exact=True
            )
    pd.testing.assert_frame_equal(lean.outcomes, full.outcomes, check_exact=True)
    pd.testing.assert_frame_equal(lean.panel.counts, full.panel.counts)
    pd.testing.assert_frame_equal(lean.panel.cohorts, full.panel.cohorts)
    assert lean.panel.estimable == full.panel.estimable
    assert lean.panel.notes == full.panel.notes
    panel = build_panel(programme)
    for o in OUTCOMES:
        expected = pre_enrolment_mean(panel, o)
        assert np.isclose(pre_enrolment_mean(build_panel(programme, columns=(o,)), o), expected)
