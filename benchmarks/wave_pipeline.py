"""Benchmark: load, validate and compute a wave report's figures on a large programme.

Generates a synthetic programme (default 20,000 eligible employees, 24 months:
about ten times the sample), writes it as CSV, then times

1. ``load_programme`` (strict parsing + pandera + cross-table rules),
2. ``wave_results`` for the largest wave (cluster-robust CR3 comparisons,
   content mix, participation, profiles, wave comparison, onboarding effect),
3. the per-post statistics alone (``compare_rates`` CR1 and CR3).

Prints a table and writes ``benchmarks/results/wave_pipeline.json``.
Run: ``.venv/bin/python benchmarks/wave_pipeline.py [--employees N]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from advocacy_eval.analyses.wave import wave_results
from advocacy_eval.io import load_programme
from advocacy_eval.sample import write_sample
from advocacy_eval.stats.rates import compare_rates


def _timed(label: str, fn, results: dict):
    start = time.perf_counter()
    out = fn()
    results[label] = round(time.perf_counter() - start, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=20000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        _timed(
            "generate_and_write",
            lambda: write_sample(
                tmp, seed=args.seed, n_employees=args.employees, n_months=args.months
            ),
            seconds,
        )
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        programme = _timed("load_programme", lambda: load_programme(tmp), seconds)
        sizes = programme.employees["wave_id"].value_counts()
        wave = str(sizes.index[0])
        _timed("wave_results", lambda: wave_results(programme, wave), seconds)
        _timed("compare_rates_cr1", lambda: compare_rates(programme.posts, vce="cr1"), seconds)
        _timed("compare_rates_cr3", lambda: compare_rates(programme.posts, vce="cr3"), seconds)
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    result = {
        "employees": args.employees,
        "months": args.months,
        "posts": len(programme.posts),
        "activity_rows": len(programme.activity),
        "csv_bytes": size,
        "largest_wave": wave,
        "volunteers_in_wave": int(sizes.iloc[0]),
        "seconds": seconds,
        "peak_rss_gib": round(peak_gib, 2),
    }
    print(
        f"{result['posts']:,} posts, {result['activity_rows']:,} activity rows, {size / 1e6:.1f} MB of CSV"
    )
    for label, value in seconds.items():
        print(f"  {label:<20} {value:7.2f} s")
    print(f"  peak RSS             {peak_gib:7.2f} GiB")
    out = Path(__file__).parent / "results" / "wave_pipeline.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
