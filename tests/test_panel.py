"""The employee x month panel: months, enrolment periods, attrition, derived panels, counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.panel import OUTCOMES, Panel, build_panel
from advocacy_eval.sample import generate_programme
from advocacy_eval.schema import Programme


def _activity(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["employee_id", "month", "posts"])
    df["month"] = pd.to_datetime(df["month"])
    for col in ("impressions", "members_reached", "engagements", "followers"):
        df[col] = df["posts"] * 10
    df["has_profile"] = True
    return df


@pytest.fixture
def hand_programme() -> Programme:
    """Four employees over Jan-Jun 2024; hand-checkable."""
    waves = pd.DataFrame(
        {
            "wave_id": ["W1", "W2"],
            "name": ["a", "b"],
            "start_date": pd.to_datetime(["2024-03-01", "2024-04-20"]),
            "end_date": pd.to_datetime(["2024-03-31", "2024-05-10"]),
        }
    )
    employees = pd.DataFrame(
        {
            "employee_id": ["A", "B", "C", "D", "E"],
            "wave_id": ["W1", "W2", "W2", None, None],
            "enrolled_on": pd.to_datetime(["2024-03-10", "2024-04-25", "2024-05-02", None, None]),
            "department": "IT",
            "region": "N",
            "profile_created_on": pd.to_datetime(
                ["2020-01-01", None, "2024-05-15", "2024-02-10", None]
            ),
            "left_on": pd.to_datetime([None, None, None, "2024-04-15", "2023-12-01"]),
        }
    )
    months = pd.date_range("2024-01-01", periods=6, freq="MS")
    rows = []
    for e in "ABC":
        rows += [(e, m, i % 3) for i, m in enumerate(months)]
    rows += [("D", m, 1) for m in months]  # rows after leaving must be dropped
    activity = _activity(rows)
    activity.loc[activity["employee_id"] == "C", "has_profile"] = activity.loc[
        activity["employee_id"] == "C", "month"
    ] >= pd.Timestamp("2024-05-01")
    posts = pd.DataFrame(
        {
            "post_id": ["P1", "P2", "P3"],
            "author_type": ["company", "employee", "employee"],
            "author_id": ["page", "A", "A"],
            "published_at": pd.to_datetime(
                ["2024-01-05 09:00", "2024-03-20 09:00", "2024-06-30 10:00"]
            ),
            "network": "linkedin",
            "content_type": "corporate",
            "theme": None,
            "origin": "own",
            "audience_size": 100,
            "impressions": [50, 30, 20],
            "members_reached": [40, 20, 10],
            "reactions": 1,
            "comments": 0,
            "reposts": 0,
            "clicks": 0,
            "follows": 0,
        }
    )
    return Programme(waves=waves, employees=employees, posts=posts, activity=activity)


def test_periods_cohorts_and_attrition(hand_programme: Programme) -> None:
    panel = build_panel(hand_programme)
    assert isinstance(panel, Panel)
    assert list(panel.months.strftime("%Y-%m")) == [f"2024-0{m}" for m in range(1, 7)]
    d = panel.data
    first = d.groupby("employee_id", observed=True)["first_period"].first().to_dict()
    assert first == {"A": 3, "B": 4, "C": 5, "D": 0}
    # D left on 15 April: January to March kept, April (partly worked) and later dropped
    assert sorted(d.loc[d["employee_id"] == "D", "period"]) == [1, 2, 3]
    assert panel.count("rows_dropped_leaving_month") == 1
    assert panel.count("rows_dropped_after_leaving") == 2
    assert panel.count("units_left") == 1
    # E left before the window and has no activity row
    assert panel.count("without_rows") == 1
    assert panel.count("units") == 4
    assert panel.count("units_complete") == 3
    assert panel.count("rows") == 3 * 6 + 3
    # event time: period - first period, missing for controls
    a = d.loc[d["employee_id"] == "A"]
    assert list(a["event_time"]) == [-2, -1, 0, 1, 2, 3]
    assert d.loc[d["employee_id"] == "D", "event_time"].isna().all()
    # cohorts and waves
    assert panel.cohorts[["first_period", "wave_id", "n_units"]].values.tolist() == [
        [3, "W1", 1],
        [4, "W2", 1],
        [5, "W2", 1],
    ]
    assert panel.wave_cohorts() == {"W1": [3], "W2": [4, 5]}
    assert panel.cohort_labels()[4] == "W2 (2024-04)"
    assert panel.period_of("2024-05-17") == 5
    assert panel.month_of(2) == pd.Timestamp("2024-02-01")
    # outcomes as floats, has_profile as 0/1, sorted by unit and period
    assert d["has_profile"].isin([0.0, 1.0]).all()
    assert d.loc[d["employee_id"] == "C", "has_profile"].tolist() == [0, 0, 0, 0, 1, 1]
    assert d.loc[d["employee_id"] == "C", "profile_at_start"].eq(0).all()
    assert (d.groupby("unit")["period"].diff().dropna() == 1).all()
    assert panel.estimable == OUTCOMES


def test_enrolment_before_second_month_is_excluded(hand_programme: Programme) -> None:
    hand_programme.employees.loc[0, "enrolled_on"] = pd.Timestamp("2024-01-10")
    panel = build_panel(hand_programme)
    assert panel.count("excluded_no_pre_period") == 1
    assert "A" not in set(panel.data["employee_id"].astype(str))
    assert any("no month before enrolment" in n for n in panel.notes)


def test_enrolment_after_window_is_control(hand_programme: Programme) -> None:
    panel = build_panel(hand_programme, end="2024-04-30")
    first = panel.data.groupby("employee_id", observed=True)["first_period"].first().to_dict()
    assert first["C"] == 0  # enrols in May, after the window: a control throughout
    assert panel.count("enrolled_after_window") == 1
    assert panel.n_periods == 4


def test_an_enrolled_employee_without_a_wave_is_refused(hand_programme: Programme) -> None:
    """Validation requires a wave with an enrolment date; an unvalidated table gets a clear error."""
    employees = hand_programme.employees.copy()
    employees.loc[employees["employee_id"] == "A", "wave_id"] = None
    broken = Programme(
        waves=hand_programme.waves,
        employees=employees,
        posts=hand_programme.posts,
        activity=hand_programme.activity,
    )
    with pytest.raises(ValueError, match="no wave_id"):
        build_panel(broken)


def test_derived_panel_without_activity(hand_programme: Programme) -> None:
    prog = Programme(hand_programme.waves, hand_programme.employees, hand_programme.posts, None)
    panel = build_panel(prog)
    assert panel.source == "posts"
    assert panel.estimable == ("has_profile",)
    assert panel.notes and "cannot be estimated" in panel.notes[0]
    d = panel.data
    # window from the posts' months; D observed until March (left mid-April)
    assert list(panel.months.strftime("%m")) == ["01", "02", "03", "04", "05", "06"]
    assert sorted(d.loc[d["employee_id"] == "D", "period"]) == [1, 2, 3]
    assert d.loc[d["employee_id"] == "D", "has_profile"].tolist() == [0, 1, 1]
    # exported posts only after the enrolment month; missing before and for controls
    a = d.loc[d["employee_id"] == "A"].set_index("period")["posts"]
    assert a.loc[[1, 2, 3]].isna().all() and a.loc[4] == 0 and a.loc[6] == 1
    assert d.loc[d["employee_id"] == "D", "posts"].isna().all()
    assert d["followers"].isna().all()
    with pytest.raises(ValueError, match="no activity table"):
        build_panel(prog, source="activity")


def test_derived_has_profile_matches_activity_on_generated_data() -> None:
    prog = generate_programme(seed=3, n_employees=300)
    full = build_panel(prog)
    derived = build_panel(Programme(prog.waves, prog.employees, prog.posts, None))
    m = full.data[["employee_id", "period", "has_profile"]].merge(
        derived.data[["employee_id", "period", "has_profile"]],
        on=["employee_id", "period"],
        how="outer",
    )
    assert len(m) == len(full.data) == len(derived.data)
    np.testing.assert_array_equal(m["has_profile_x"].to_numpy(), m["has_profile_y"].to_numpy())


def test_counts_on_sample(sample_programme) -> None:
    panel = build_panel(sample_programme)
    c = panel.counts.set_index("key")["value"]
    assert c["employees"] == 2000 and c["enrolled"] == 700 and c["never_enrolled"] == 1300
    assert c["units"] + c["without_rows"] + c["excluded_no_pre_period"] == c["employees"]
    assert c["units_complete"] + c["units_incomplete"] == c["units"]
    assert (
        c["rows"]
        == len(panel.data)
        == len(sample_programme.activity) - c["rows_dropped_leaving_month"]
    )
    assert list(panel.cohorts["n_units"]) == [150, 250, 300]
    assert panel.counts["description"].str.len().gt(0).all()
    # the activity table holds the month of leaving; it is dropped
    left = sample_programme.employees["left_on"].notna()
    assert c["rows_dropped_leaving_month"] <= int(left.sum())


def test_vectorised_build_scales() -> None:
    prog = generate_programme(seed=5, n_employees=4000, n_months=24)
    import time

    t0 = time.perf_counter()
    panel = build_panel(prog)
    assert time.perf_counter() - t0 < 5.0
    assert panel.count("units") > 3900
