"""The wide outcome matrix built by a reshape is exactly diff-diff's pivot, and only used where it applies.

``effects._wide.WideCallawaySantAnna`` replaces diff-diff's pivot of the long
panel (about 1 s and 0.3 GB per fit at 200,000 employees, issue 12) by a
reshape when the panel is balanced and sorted by unit then period. Every
structure it builds must equal diff-diff's own, and every other panel must
go through diff-diff's own code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from diff_diff import CallawaySantAnna

from advocacy_eval.effects import onboarding_effect
from advocacy_eval.effects._wide import WideCallawaySantAnna, balanced_wide
from advocacy_eval.effects.onboarding import estimation_sample
from advocacy_eval.panel import build_panel
from advocacy_eval.sample import generate_programme


def _structures(estimator: CallawaySantAnna, df: pd.DataFrame, covariates=None) -> dict:
    time_periods = sorted(df["period"].unique())
    groups = sorted(g for g in df["first_period"].unique() if g > 0)
    return estimator._precompute_structures(
        df, "y", "unit", "period", "first_period", covariates, time_periods, groups
    )


def _assert_same(ours: dict, theirs: dict) -> None:
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        mine = ours[key]
        if isinstance(value, np.ndarray):
            assert mine.dtype == value.dtype, key
            np.testing.assert_array_equal(mine, value, err_msg=key)
        elif isinstance(value, dict):
            assert list(mine) == list(value), key
            assert [type(k) for k in mine] == [type(k) for k in value], key
            for k in value:
                if isinstance(value[k], np.ndarray):
                    assert mine[k].dtype == value[k].dtype, f"{key}[{k}]"
                    assert mine[k].shape == value[k].shape, f"{key}[{k}]"
                np.testing.assert_array_equal(mine[k], value[k], err_msg=f"{key}[{k}]")
        else:
            assert mine == value, key
            assert type(mine) is type(value), key


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    panel = build_panel(generate_programme(seed=3, n_employees=600, n_months=20))
    df, _ = estimation_sample(panel, "posts")
    return df


def test_balanced_sorted_panel_gives_diff_diffs_structures(sample: pd.DataFrame) -> None:
    assert balanced_wide(sample, "y", "unit", "period", "first_period") is not None
    for dtype in ("int64", "int32", "float64"):
        df = sample.astype({"period": dtype, "first_period": dtype})
        _assert_same(_structures(WideCallawaySantAnna(), df), _structures(CallawaySantAnna(), df))
    with_gap = sample.assign(y=sample["y"].where(np.arange(len(sample)) % 97 != 0))  # NaN outcomes
    _assert_same(
        _structures(WideCallawaySantAnna(), with_gap), _structures(CallawaySantAnna(), with_gap)
    )


@pytest.mark.parametrize("case", ["unbalanced", "unsorted", "unit_order", "int_outcome"])
def test_other_panels_go_through_diff_diffs_own_code(sample: pd.DataFrame, case: str) -> None:
    df = {
        "unbalanced": lambda d: d.iloc[1:].reset_index(drop=True),
        "unsorted": lambda d: d.sample(frac=1.0, random_state=1).reset_index(drop=True),
        "unit_order": lambda d: d.assign(unit=d["unit"].max() - d["unit"]),
        "int_outcome": lambda d: d.assign(y=d["y"].fillna(0).astype("int64")),
    }[case](sample)
    assert balanced_wide(df, "y", "unit", "period", "first_period") is None
    _assert_same(_structures(WideCallawaySantAnna(), df), _structures(CallawaySantAnna(), df))


def _fallbacks(monkeypatch: pytest.MonkeyPatch) -> list:
    """Calls of diff-diff's own ``_precompute_structures`` from :class:`WideCallawaySantAnna` (recorded)."""
    calls: list = []
    own = CallawaySantAnna._precompute_structures

    def spy(self, *args, **kwargs):
        if isinstance(self, WideCallawaySantAnna):
            calls.append(args[5])
        return own(self, *args, **kwargs)

    monkeypatch.setattr(CallawaySantAnna, "_precompute_structures", spy)
    return calls


def test_float_covariates_are_taken_from_the_reshape(
    sample: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each period's covariates: diff-diff's row selection and reindexing, as columns of the reshape."""
    rng = np.random.default_rng(4)
    df = sample.assign(
        x=rng.normal(size=len(sample)),
        z=np.where(rng.random(len(sample)) < 0.05, np.nan, rng.integers(0, 2, len(sample)) * 1.0),
    )
    calls = _fallbacks(monkeypatch)
    for covariates in (["x"], ["z", "x"]):
        ours = _structures(WideCallawaySantAnna(), df, covariates)
        theirs = _structures(CallawaySantAnna(), df, covariates)
        assert len(ours["covariate_by_period"]) == df["period"].nunique()
        _assert_same(ours, theirs)
    assert calls == []  # the reshape, every time


@pytest.mark.parametrize("dtype", ["int64", "float32", "Float64"])
def test_other_covariates_go_through_diff_diffs_own_code(
    sample: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, dtype: str
) -> None:
    df = sample.assign(x=pd.Series(np.arange(len(sample)) % 2).astype(dtype))
    calls = _fallbacks(monkeypatch)
    _assert_same(
        _structures(WideCallawaySantAnna(), df, ["x"]), _structures(CallawaySantAnna(), df, ["x"])
    )
    assert calls == [["x"]]


def test_the_effect_is_diff_diffs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole estimate, fitted with the reshape and with diff-diff's pivot, is the same to the last bit."""
    from advocacy_eval.effects import _wide

    panel = build_panel(generate_programme(seed=5, n_employees=500, n_months=20))
    # has_profile: conditioned on its own base-period value (a covariate), as the reports fit it
    fast = [onboarding_effect(panel, "posts"), onboarding_effect(panel, "has_profile")]
    monkeypatch.setattr(_wide, "balanced_wide", lambda *a, **k: None)
    slow = [onboarding_effect(panel, "posts"), onboarding_effect(panel, "has_profile")]
    for mine, theirs in zip(fast, slow, strict=True):
        for name in ("overall", "event_study", "by_group", "group_time"):
            pd.testing.assert_frame_equal(
                pd.DataFrame(getattr(mine, name)),
                pd.DataFrame(getattr(theirs, name)),
                check_exact=True,
            )


def test_narrow_ids_and_periods_give_the_same_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's ids and periods in int16/int32 (less memory per copy) change no estimate, to the last bit."""
    from advocacy_eval.effects import onboarding
    from advocacy_eval.effects.onboarding import bacon_decomposition, twfe_estimate

    panel = build_panel(generate_programme(seed=7, n_employees=500, n_months=20))
    sample, _ = estimation_sample(panel, "posts")
    assert [sample[c].dtype for c in ("unit", "period", "first_period")] == [np.int16] * 3

    def fitted() -> list:
        return [
            onboarding_effect(panel, "posts"),
            onboarding_effect(panel, "has_profile"),
            onboarding_effect(panel, "posts", anticipation=1, control="never_treated"),
        ]

    narrow = fitted(), bacon_decomposition(panel, "posts"), twfe_estimate(panel, "posts")
    monkeypatch.setattr(onboarding, "_narrow", lambda values: values.astype(np.int64))
    assert estimation_sample(panel, "posts")[0]["unit"].dtype == np.int64
    wide = fitted(), bacon_decomposition(panel, "posts"), twfe_estimate(panel, "posts")
    for mine, theirs in zip(narrow[0], wide[0], strict=True):
        for name in ("overall", "event_study", "by_group", "group_time", "by_wave"):
            pd.testing.assert_frame_equal(
                pd.DataFrame(getattr(mine, name)).reset_index(drop=True),
                pd.DataFrame(getattr(theirs, name)).reset_index(drop=True),
                check_exact=True,
                check_dtype=False,
            )
    assert narrow[1].twfe == wide[1].twfe
    assert narrow[1].decomposition_error == wide[1].decomposition_error
    pd.testing.assert_frame_equal(narrow[1].by_type, wide[1].by_type, check_exact=True)
    pd.testing.assert_frame_equal(
        narrow[1].comparisons, wide[1].comparisons, check_exact=True, check_dtype=False
    )
    pd.testing.assert_frame_equal(pd.DataFrame(narrow[2]), pd.DataFrame(wide[2]), check_exact=True)


def test_narrow_keeps_values_and_widens_only_when_needed() -> None:
    from advocacy_eval.effects.onboarding import _narrow

    for values, dtype in (
        (np.array([0, 34], dtype=np.int64), np.int16),
        (np.array([0, 200_000], dtype=np.int64), np.int32),
        (np.array([-(2**40), 3], dtype=np.int64), np.int64),
        (np.array([], dtype=np.int64), np.int16),
    ):
        out = _narrow(values)
        assert out.dtype == dtype and np.array_equal(out, values)
    floats = np.array([1.5, np.nan])
    assert _narrow(floats) is floats
