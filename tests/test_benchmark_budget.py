"""The all-waves benchmark's verdicts: a step it skipped is "not measured", never met nor missed.

Found at 1,000,000 employees (``--sample-runs 0``): the skipped sample runs
were written to the JSON as ``NaN`` (not JSON) and the sample budget printed
as "NOT met"; the 200,000-employee budget was printed as this size's.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> Any:
    spec = importlib.util.spec_from_file_location("all_waves", ROOT / "benchmarks" / "all_waves.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(seconds: float, rss: float, returncode: int = 0) -> dict[str, Any]:
    return {
        "returncode": returncode,
        "wall_seconds": seconds,
        "peak_tree_rss_mb": rss,
        "peak_single_rss_mb": rss / 2,
        "report_seconds": {"W1": seconds / 2, "programme": seconds},
    }


def _sample(cold: float, warm: float) -> dict[str, Any]:
    runs = [
        {"cache": "cold", "wall_seconds": cold, "returncode": 0},
        {"cache": "warm", "wall_seconds": warm, "returncode": 0},
    ]
    return {"runs": runs, "median_seconds": {"cold": cold, "warm": warm}}


def test_no_sample_run_is_not_measured(bench: Any, tmp_path: Path) -> None:
    sample = bench.run_sample(tmp_path, None, 0)
    assert sample == {"runs": [], "median_seconds": {"cold": None, "warm": None}}
    reports = {"cold": _report(40.0, 3900.0), "warm": _report(17.0, 3500.0)}
    met = bench.budget_met(reports, 1.9, sample)
    assert met["sample_report_seconds"] is None
    assert met["report_seconds"] is True and met["peak_tree_rss_mb"] is True
    assert met["all"] is False  # not every budget was measured
    # the whole result stays valid JSON: no NaN anywhere
    text = json.dumps({"sample_reports": sample, "budget_met": met}, allow_nan=False)
    assert json.loads(text)["sample_reports"]["median_seconds"]["cold"] is None


def test_every_budget_measured_and_met_is_all(bench: Any) -> None:
    reports = {"cold": _report(40.0, 3900.0), "warm": _report(17.0, 3500.0)}
    met = bench.budget_met(reports, 1.9, _sample(5.5, 4.7))
    assert met == {
        "report_seconds": True,
        "peak_tree_rss_mb": True,
        "load_to_read_ratio": True,
        "sample_report_seconds": True,
        "all": True,
    }
    assert bench.budget_met(reports, 2.1, _sample(5.5, 4.7))["all"] is False
    assert bench.budget_met(reports, 1.9, _sample(8.5, 4.7))["sample_report_seconds"] is False
    failed = {"cold": _report(40.0, 3900.0, returncode=1), "warm": _report(17.0, 3500.0)}
    assert bench.budget_met(failed, 1.9, _sample(5.5, 4.7))["report_seconds"] is False


def _result(bench: Any, employees: int, months: int, sample: dict[str, Any]) -> dict[str, Any]:
    reports = {"cold": _report(317.0, 15469.0), "warm": _report(94.0, 14285.0)}
    return {
        "parameters": {"employees": employees, "months": months, "end": "2026-11", "seed": 1},
        "budget": bench.BUDGET,
        "machine": {"cpus": 2, "cpu_model": "x", "reference_loop_seconds": 0.24},
        "data": {"csv_mb": 2487.7},
        "generate_seconds": None,
        "bare_read": {"tables": {"posts": {"seconds": 1.8, "rows": 10}}, "total_seconds": 4.86},
        "load_validate": {"ratio_to_bare_read": 2.6, "seconds": 12.6, "peak_rss_mb": 5428.0},
        "reports": reports,
        "sample_reports": sample,
        "budget_met": bench.budget_met(reports, 2.6, sample),
    }


def test_the_table_says_skipped_and_names_the_budgets_size(bench: Any, tmp_path: Path) -> None:
    table = bench._table(_result(bench, 1_000_000, 36, bench.run_sample(tmp_path, None, 0)))
    assert "report data/sample --all-waves, cold" in table and "skipped" in table
    assert "nan" not in table.lower()
    last = table.splitlines()[-1]
    assert last.startswith("budget (set for 200,000 x 34 months, not this size)")
    assert "sample <= 8 s: not measured" in last and "reports <= 60 s: NOT met" in last
    at_size = bench._table(_result(bench, 200_000, 34, _sample(5.5, 4.7))).splitlines()[-1]
    assert at_size.startswith("budget: ") and "sample <= 8 s: met" in at_size
