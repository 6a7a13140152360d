"""``metrics.staff_reached``: share of eligible staff the programme touched, on a frame counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advocacy_eval import metrics

START, END = "2024-07-01", "2024-12-31"

# id, enrolled_on, trained_on, profile_created_on, left_on        -> eligible? routes (by hand)
ROWS = [
    ("E1", "2024-07-10", None, None, None),  # yes: enrolled
    ("E2", "2025-02-01", "2024-12-20", None, None),  # yes: trained (enrols after the end)
    ("E3", "2025-02-01", "2025-01-15", None, None),  # yes: nothing in the period
    ("E4", None, None, "2024-09-01", None),  # yes: profile
    ("E5", None, None, "2024-06-30", None),  # yes: profile before the start, no
    ("E6", None, "2024-07-01", None, None),  # yes: trained on the start day
    ("E7", None, "2024-06-01", None, "2024-06-30"),  # no: left before the start
    ("E8", None, None, None, "2024-07-01"),  # yes (left on the start day): nothing
    (
        "E9",
        "2024-07-02",
        "2024-06-20",
        "2024-07-15",
        None,
    ),  # yes: enrolled + profile (session before start)
    ("E10", None, "2024-12-31", "2024-12-31", None),  # yes: trained + profile on the end day
    ("E11", "2024-12-31", None, None, "2025-03-01"),  # yes: enrolled on the end day
    ("E12", None, None, None, "2024-10-01"),  # yes: left during the period, nothing
]


def _frame(with_trained: bool = True) -> pd.DataFrame:
    cols = ["employee_id", "enrolled_on", "trained_on", "profile_created_on", "left_on"]
    df = pd.DataFrame(ROWS, columns=cols)
    for c in cols[1:]:
        df[c] = pd.to_datetime(df[c])
    df["wave_id"] = np.where(df["enrolled_on"].notna(), "W1", None)
    return df if with_trained else df.drop(columns="trained_on")


def _row(df: pd.DataFrame, start=START, end=END) -> dict:
    out = metrics.staff_reached(df, start, end)
    assert len(out) == 1
    assert list(out.columns) == [
        "n_eligible",
        "n_touched",
        "share",
        "n_enrolled",
        "n_trained",
        "n_profile_created",
    ]
    return out.iloc[0].to_dict()


def test_counts_by_hand():
    r = _row(_frame())
    assert r["n_eligible"] == 11  # everyone but E7
    assert r["n_touched"] == 7  # E1, E2, E4, E6, E9, E10, E11
    assert r["share"] == pytest.approx(7 / 11)
    assert r["n_enrolled"] == 3  # E1, E9, E11
    assert r["n_trained"] == 3  # E2, E6, E10
    assert r["n_profile_created"] == 3  # E4, E9, E10
    assert (
        r["n_enrolled"] + r["n_trained"] + r["n_profile_created"] > r["n_touched"]
    )  # routes overlap


def test_without_trained_on_counts_enrolment_and_profiles_only():
    r = _row(_frame(with_trained=False))
    assert (r["n_eligible"], r["n_touched"], r["n_trained"]) == (11, 5, 0)  # E1, E4, E9, E10, E11
    assert (r["n_enrolled"], r["n_profile_created"]) == (3, 3)
    assert r["share"] == pytest.approx(5 / 11)
    empty = _frame().assign(
        trained_on=pd.NaT
    )  # an all-empty column (what the loader gives) is the same
    assert _row(empty) == r


def test_period_bounds_are_inclusive_and_strings_accepted():
    df = _frame()
    one_day = _row(df, "2024-12-31", "2024-12-31")
    # eligible: not left before 2024-12-31 -> E7, E8 and E12 are out
    assert one_day["n_eligible"] == 9
    assert one_day["n_trained"] == 1 and one_day["n_profile_created"] == 1  # E10 only
    assert one_day["n_enrolled"] == 3  # enrolled on or before the end
    assert _row(df, pd.Timestamp(START), pd.Timestamp(END)) == _row(df)


def test_text_dates_parse_like_dates():
    text = _frame().astype(
        dict.fromkeys(("enrolled_on", "trained_on", "profile_created_on", "left_on"), "object")
    )
    for c in ("enrolled_on", "trained_on", "profile_created_on", "left_on"):
        text[c] = _frame()[c].dt.strftime("%Y-%m-%d").where(_frame()[c].notna(), None)
    assert _row(text) == _row(_frame())


def test_nobody_eligible_and_bad_period():
    nobody = _frame().iloc[[6]]  # E7 left before the start
    r = _row(nobody)
    assert r["n_eligible"] == 0 and r["n_touched"] == 0 and np.isnan(r["share"])
    assert np.isnan(_row(_frame().iloc[0:0])["share"])
    with pytest.raises(ValueError, match="before start"):
        metrics.staff_reached(_frame(), END, START)


def test_loaded_programme_without_the_column(tiny):
    # tiny: W1 starts 2024-01-01; E1, E2 enrolled in January, E3 in March; E4 left 2024-02-15; E5 profile 2024-02-10
    r = _row(tiny.employees, "2024-01-01", "2024-01-31")
    assert (r["n_eligible"], r["n_enrolled"], r["n_trained"], r["n_profile_created"]) == (
        5,
        2,
        0,
        0,
    )
    r = _row(tiny.employees, "2024-01-01", "2024-03-31")
    assert (r["n_eligible"], r["n_touched"], r["n_enrolled"], r["n_profile_created"]) == (
        5,
        4,
        3,
        2,
    )
