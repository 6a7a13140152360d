"""``advocacy-eval sample --end``: generated data ends with a full past month, so it always validates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advocacy_eval.cli import main
from advocacy_eval.io import load_programme
from advocacy_eval.paths import sample_data_dir
from advocacy_eval.sample import (
    SAMPLE_FILES,
    SampleParameters,
    generate_programme,
    last_full_month,
    resolve_end,
    start_for_end,
)
from advocacy_eval.schema import COLUMNS

TODAY_UTC = dt.datetime.now(dt.UTC).date()


def _month_after(month: str) -> str:
    return str(np.datetime64(month, "M") + 1)


def _last_day(month: str) -> dt.date:
    """Last day of the month ``YYYY-MM``."""
    return (np.datetime64(_month_after(month), "D") - 1).astype(dt.date)


def _latest_date(folder: Path) -> pd.Timestamp:
    """Latest date, month or datetime written in any table of a programme folder (read as text, not via io)."""
    latest = pd.Timestamp.min
    for table, cols in COLUMNS.items():
        df = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        for col in cols:
            if col.kind in ("date", "month", "datetime") and col.name in df.columns:
                values = pd.to_datetime(df[col.name].replace("", None), format="mixed").dropna()
                if len(values):
                    latest = max(latest, values.max())
    return latest


def _run_sample(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "programme"
    assert main(["sample", "--out", str(out), "--employees", "300", *args]) == 0
    return out


@pytest.mark.parametrize("months", [17, 24, 36, 40])
def test_default_end_validates_today(tmp_path, capsys, months):
    """Any --months with the default end: every date is on or before the last full month, the folder loads."""
    out = _run_sample(tmp_path, "--months", str(months), "--seed", str(months))
    end = last_full_month(TODAY_UTC)
    programme = load_programme(out)  # as of today (UTC): raises on any date in the future
    months_seen = programme.activity["month"]
    assert months_seen.max() == pd.Timestamp(f"{end}-01")
    assert months_seen.dt.to_period("M").nunique() == months
    assert months_seen.min() == pd.Timestamp(start_for_end(end, months))
    assert _latest_date(out) < pd.Timestamp(_month_after(end) + "-01")
    # the stricter check: as of the last day of the end month, nothing is in the future either
    load_programme(out, as_of=_last_day(end))
    assert f"to {end}" in capsys.readouterr().out


def test_explicit_end_is_the_last_activity_month(tmp_path):
    out = _run_sample(tmp_path, "--end", "2025-06", "--months", "20")
    programme = load_programme(out, as_of=dt.date(2025, 6, 30))  # nothing after the end month
    assert programme.activity["month"].max() == pd.Timestamp("2025-06-01")
    assert programme.activity["month"].min() == pd.Timestamp("2023-11-01")
    # wave start months stay offsets from the derived start (6, 11, 16 months after 2023-11)
    assert [str(d.date()) for d in programme.waves["start_date"]] == [
        "2024-05-01",
        "2024-10-01",
        "2025-03-01",
    ]


def test_end_2025_12_rewrites_the_committed_sample_bit_for_bit(tmp_path):
    """What `make sample` runs: 24 months ending 2025-12 are exactly data/sample/."""
    out = tmp_path / "again"
    assert main(["sample", "--out", str(out), "--end", "2025-12"]) == 0
    committed = sample_data_dir()
    assert sorted(p.name for p in out.iterdir()) == sorted(SAMPLE_FILES)
    for name in SAMPLE_FILES:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), name


def _current_month() -> str:
    return TODAY_UTC.strftime("%Y-%m")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--end", "2025-13"], "--end must be a month YYYY-MM"),
        (["--end", "2025-1"], "--end must be a month YYYY-MM"),
        (["--end", "2025-12-01"], "--end must be a month YYYY-MM"),
        (["--end", "Dec 2025"], "--end must be a month YYYY-MM"),
        (["--end", "CURRENT"], "is the current month (not over yet)"),
        (["--end", "NEXT"], "is in the future"),
        (["--end", f"{TODAY_UTC.year + 3}-01"], "is in the future"),
        (["--months", "0"], "--months must be >= 1, got 0"),
        (["--months", "-5"], "--months must be >= 1, got -5"),
        (["--employees", "0"], "--employees must be >= 1, got 0"),
        (["--months", "12"], "n_months must be >= 17 (got 12)"),
    ],
)
def test_bad_arguments_give_one_line_and_write_nothing(tmp_path, capsys, args, message):
    args = [
        {"CURRENT": _current_month(), "NEXT": _month_after(_current_month())}.get(a, a)
        for a in args
    ]
    out = tmp_path / "programme"
    assert main(["sample", "--out", str(out), "--employees", "300", *args]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("advocacy-eval: ") and message in lines[0], lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert not out.exists()


def test_latest_possible_end_is_accepted(tmp_path):
    """--end equal to the last full month is fine (the boundary of the check above)."""
    out = _run_sample(tmp_path, "--end", last_full_month(TODAY_UTC), "--months", "18")
    load_programme(out)


# ----------------------------------------------------------------------------- library


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 11, 30), "2026-10"),
        (dt.date(2026, 11, 1), "2026-10"),
        (dt.date(2026, 1, 1), "2025-12"),
        (dt.date(2024, 3, 31), "2024-02"),
    ],
)
def test_last_full_month(today, expected):
    assert last_full_month(today) == expected


def test_resolve_end():
    today = dt.date(2026, 1, 15)
    assert resolve_end(None, today) == "2025-12"
    assert resolve_end("2025-12", today) == "2025-12"
    assert resolve_end("1999-01", today) == "1999-01"
    with pytest.raises(ValueError, match="current month"):
        resolve_end("2026-01", today)
    with pytest.raises(ValueError, match="in the future"):
        resolve_end("2026-02", today)
    with pytest.raises(ValueError, match="YYYY-MM"):
        resolve_end("2025-00", today)


def test_start_for_end_and_parameters_ending():
    assert start_for_end("2025-12", 24) == "2024-01-01"
    assert start_for_end("2025-12", 1) == "2025-12-01"
    assert start_for_end("2026-10", 40) == "2023-07-01"
    with pytest.raises(ValueError, match="n_months"):
        start_for_end("2025-12", 0)
    with pytest.raises(ValueError, match="YYYY-MM"):
        start_for_end("2025/12", 24)
    p = SampleParameters.ending("2025-12")
    assert p == SampleParameters()  # the committed sample's calendar
    assert p.end == "2025-12"
    q = SampleParameters.ending("2026-10", n_months=36, seed=4)
    assert (q.start, q.end, q.n_months, q.seed) == ("2023-11-01", "2026-10", 36, 4)
    with pytest.raises(TypeError, match="either end or start"):
        SampleParameters.ending("2025-12", start="2024-01-01")
    with pytest.raises(TypeError, match="either end or start"):
        generate_programme(end="2025-12", start="2024-01-01")


@pytest.mark.parametrize(
    "overrides",
    [
        # a wave opening in the first month (sessions 0-6 weeks before enrolment fall before the data start)
        {
            "wave_start_months": (0, 3),
            "wave_names": ("A", "B"),
            "wave_names_fr": (),
            "wave_volunteer_shares": (0.3, 0.3),
        },
        # the last wave's 31-day window ends on the last day of the data; heavy attrition; everyone trained
        {
            "n_months": 6,
            "wave_start_months": (2, 5),
            "wave_names": ("A", "B"),
            "wave_names_fr": (),
            "wave_volunteer_shares": (0.3, 0.4),
            "enrolment_window_days": 31,
            "enrolment_skew": 1.0,
            "annual_attrition": 0.9,
            "non_volunteer_training_prob": 1.0,
            "volunteer_training_prob": 1.0,
            "training_lead_days": 200,
            "background_profile_rate": 0.5,
            "onboarding_profile_days": 400,
        },
    ],
)
def test_every_generated_date_is_inside_the_window(overrides):
    """Posts, activity, enrolment, sessions, departures, profiles and wave windows never pass the end month."""
    prog = generate_programme(
        end="2025-03", seed=11, n_employees=400, **{"n_months": 12, **overrides}
    )
    limit = pd.Timestamp("2025-04-01")
    for table, df in prog.tables().items():
        for col in COLUMNS[table]:
            if col.kind in ("date", "month", "datetime") and col.name in df.columns:
                assert not (df[col.name].dropna() >= limit).any(), (table, col.name)
    assert prog.activity["month"].max() == pd.Timestamp("2025-03-01")
    emp = prog.employees
    assert emp["trained_on"].notna().any() and emp["left_on"].notna().any()
    if overrides.get("enrolment_window_days") == 31:
        assert prog.waves["end_date"].max() == pd.Timestamp(
            "2025-03-31"
        )  # the boundary itself is reached
