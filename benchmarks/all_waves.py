"""Benchmark: every report of a large programme, end to end, against the bare CSV read.

Steps (each in a fresh process, so no step warms the next one's imports or caches):

1. generate the programme with ``advocacy-eval sample --out DIR --employees N
   --months M`` (timed, outside the budget; its last month is the last full
   month before today, so it validates);
2. the bare read: ``pandas.read_csv(path)`` with pandas' defaults on each of
   ``waves``, ``employees``, ``posts`` and ``activity`` (seconds per file, total);
3. ``advocacy_eval.io.load_programme(DIR)`` (strict parsing + validation) with
   the snapshot cache disabled (``ADVOCACY_EVAL_CACHE=off``), and its ratio to
   the bare read. Steps 2 and 3 alternate ``--load-pairs`` times (default 7):
   the ratio is the median of each pair's ratio (:func:`pair_summary`);
4. ``advocacy-eval report DIR --all-waves --out OUT --lang en`` twice: cold (a
   fresh, empty cache folder ``ADVOCACY_EVAL_CACHE=<workdir>/cache``) then warm
   (the same cache folder, unchanged inputs). While each runs, the resident
   memory of the whole process tree (the command, its workers and Jupyter
   kernels) is sampled every 0.1 s with psutil: the peak of the sum and the
   peak of the largest single process are reported. The time of each report
   comes from the command's progress lines on stderr (``... wrote ... (5.3 s)``),
   kept verbatim in the JSON.

5. ``advocacy-eval report data/sample --all-waves`` (the committed sample),
   ``--sample-runs`` times cold (a fresh cache folder) and warm (the same
   folder again); the medians are compared with the budget.

Budget: each report run (cold and warm) within 60 s wall time, the process
tree's peak RSS within 4096 MB, load + validate within 2x the bare read, the
sample's all-wave report within 8 s (median, cold and warm).

Prints a table and writes ``benchmarks/results/all_waves.json`` (``--out-json``).
Run: ``.venv/bin/python benchmarks/all_waves.py [--employees N] [--months M] [--jobs J]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

TABLES: tuple[str, ...] = ("waves", "employees", "posts", "activity")
"""The four canonical tables, read in this order."""

BUDGET: dict[str, float] = {
    "report_seconds": 60.0,
    "peak_tree_rss_mb": 4096.0,
    "load_to_read_ratio": 2.0,
    "sample_report_seconds": 8.0,
}
"""Budget of one all-waves report run (cold or warm) and of load + validate relative to the bare read."""

BUDGET_EMPLOYEES, BUDGET_MONTHS = 200_000, 34
"""The programme size the budget is set for (issue 12); other sizes are measured against it, and said so."""

SAMPLE_INTERVAL = 0.1
"""Seconds between two memory samples of the report's process tree."""

WROTE_RE = re.compile(r"wrote (?P<path>.*) \((?P<seconds>[\d.]+) s\)")
"""A report's progress line: ``[1/3] W1: wrote out/W1.html (5.3 s)``, ``[programme] wrote ... (12.0 s)``."""

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1024 * 1024

_BARE_READ = """
import json, sys, time
import pandas as pd
folder, tables = sys.argv[1], sys.argv[2:]
out = {}
for table in tables:
    started = time.perf_counter()
    df = pd.read_csv(f"{folder}/{table}.csv")
    out[table] = {"seconds": time.perf_counter() - started, "rows": len(df)}
print(json.dumps(out))
"""

_LOAD = """
import json, resource, sys, time
from advocacy_eval.io import load_programme
started = time.perf_counter()
programme = load_programme(sys.argv[1])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "repr": repr(programme)}))
"""


def pair_summary(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Summarise alternating runs of the bare read and of ``load_programme``.

    On a shared virtual machine one run of either can be 20-40 % off, so each
    load is compared with the bare read run just before it, and the ratio is
    the median of those pairs' ratios; the times shown are the median runs.

    Parameters
    ----------
    pairs : list of (bare, load)
        ``bare``: table -> {"seconds", "rows"} (the ``_BARE_READ`` output);
        ``load``: {"seconds", "peak_rss_mb", ...} (the ``_LOAD`` output).

    Returns
    -------
    dict
        ``bare`` (the bare run of median total time), ``bare_seconds`` (its
        total), ``load`` (the load run of median time), ``ratio`` (median of
        the pairs' ratios), and the runs: ``bare_runs``, ``load_runs``, ``ratios``.
    """
    if not pairs:
        raise ValueError("no pair of runs")
    totals = [sum(v["seconds"] for v in bare.values()) for bare, _ in pairs]
    loads = [load["seconds"] for _, load in pairs]
    ratios = [
        load / total if total > 0 else float("inf")
        for load, total in zip(loads, totals, strict=True)
    ]
    middle_bare = sorted(range(len(pairs)), key=lambda i: totals[i])[(len(pairs) - 1) // 2]
    middle_load = sorted(range(len(pairs)), key=lambda i: loads[i])[(len(pairs) - 1) // 2]
    return {
        "bare": pairs[middle_bare][0],
        "bare_seconds": totals[middle_bare],
        "load": pairs[middle_load][1],
        "ratio": float(np.median(ratios)),
        "bare_runs": totals,
        "load_runs": loads,
        "ratios": ratios,
    }


def _cli() -> list[str]:
    """The ``advocacy-eval`` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("advocacy-eval")
    return [str(script)] if script.exists() else [sys.executable, "-m", "advocacy_eval.cli"]


def _python_json(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter and return the JSON it prints on its last line."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tree_rss(root: psutil.Process) -> tuple[int, int, int]:
    """Sum of RSS over ``root`` and all its descendants, the largest single RSS, and the number of processes.

    A child that has been forked but has not yet replaced its program
    (``exec``) shares every page of its parent (copy-on-write, or the same
    memory after ``vfork``): it is counted once, as its parent. The kernels
    fork for a moment when they run ``git`` for a report's provenance, and
    counting such a child would add a whole kernel's memory that does not
    exist.
    """
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0, 0
    cmdlines: dict[int, list[str]] = {}
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            cmdlines[proc.pid] = proc.cmdline()
    total = largest = count = 0
    for proc in procs:
        try:
            parent = proc.ppid()
            mine = cmdlines.get(proc.pid)
            if proc.pid != root.pid and mine is not None and mine == cmdlines.get(parent):
                continue  # forked, not yet exec'd: its parent's pages
            rss = proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        total += rss
        largest = max(largest, rss)
        count += 1
    return total, largest, count


def _terminate_tree(root: psutil.Process) -> None:
    """Terminate ``root`` and its descendants (then kill what is left after 5 s)."""
    try:
        procs = [*root.children(recursive=True), root]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


def parse_report_times(lines: list[str]) -> dict[str, float]:
    """Seconds of each report from the command's progress lines.

    Parameters
    ----------
    lines : list of str
        stderr of ``advocacy-eval report``, one line each.

    Returns
    -------
    dict
        Report label (the last word before ``wrote``: ``W1``, ``programme``;
        else the written file's stem) -> seconds, in the order reported.

    Examples
    --------
    >>> parse_report_times(["[1/3] W1: running", "[1/3] W1: wrote out/W1.html (5.3 s)",
    ...                     "[programme] wrote out/programme.html (12.0 s)"])
    {'W1': 5.3, 'programme': 12.0}
    """
    times: dict[str, float] = {}
    for line in lines:
        match = WROTE_RE.search(line)
        if not match:
            continue
        words = re.findall(r"[\w-]+", line[: match.start()])
        label = words[-1] if words else Path(match["path"].split()[0]).stem
        times[label] = float(match["seconds"])
    return times


def run_report(
    data_dir: Path, out_dir: Path, cache_dir: Path, jobs: int | None, tag: str
) -> dict[str, Any]:
    """Run ``advocacy-eval report DIR --all-waves`` once, sampling the process tree's memory.

    Parameters
    ----------
    data_dir, out_dir, cache_dir : pathlib.Path
        Programme folder, report folder, snapshot cache folder (``ADVOCACY_EVAL_CACHE``).
    jobs : int or None
        ``--jobs`` of the report (not passed when None).
    tag : str
        Prefix of the progress lines echoed to this process's stderr.

    Returns
    -------
    dict
        ``wall_seconds``, ``returncode``, ``report_seconds`` (per report, from
        the progress lines), ``peak_tree_rss_mb``, ``peak_single_rss_mb``,
        ``max_processes``, ``samples``, ``stderr`` (raw lines), ``command``.
    """
    cmd = [*_cli(), "report", str(data_dir), "--all-waves", "--out", str(out_dir), "--lang", "en"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    env = {**os.environ, "ADVOCACY_EVAL_CACHE": str(cache_dir)}
    lines: list[str] = []
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip("\n"))
            print(f"  {tag} | {line.rstrip()}", file=sys.stderr, flush=True)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    root = psutil.Process(proc.pid)
    peak_total = peak_single = max_procs = samples = 0
    try:
        while proc.poll() is None:
            total, largest, count = _tree_rss(root)
            peak_total, peak_single = max(peak_total, total), max(peak_single, largest)
            max_procs, samples = max(max_procs, count), samples + 1
            time.sleep(SAMPLE_INTERVAL)
    finally:
        if (
            proc.poll() is None
        ):  # interrupted: stop the report and its kernels, not only the command
            _terminate_tree(root)
    stdout = proc.stdout.read() if proc.stdout else ""
    wall = time.perf_counter() - started
    reader.join(timeout=10)
    return {
        "command": cmd,
        "returncode": proc.returncode,
        "wall_seconds": round(wall, 2),
        "report_seconds": parse_report_times(lines),
        "peak_tree_rss_mb": round(peak_total / MB, 1),
        "peak_single_rss_mb": round(peak_single / MB, 1),
        "max_processes": max_procs,
        "samples": samples,
        "stdout": stdout.strip().splitlines(),
        "stderr": lines,
    }


def run_sample(workdir: Path, jobs: int | None, runs: int) -> dict[str, Any]:
    """Time ``report data/sample --all-waves`` ``runs`` times cold (empty cache) and warm (same cache).

    The committed sample programme (``data/sample``), as a user's first and
    next runs: cold with a fresh snapshot folder, so the data are validated
    and every effect fitted; warm on the snapshot and effects of the run
    before.

    Returns
    -------
    dict
        ``runs`` (each as :func:`run_report` without the raw lines, plus
        ``cache``), ``median_seconds`` by cache state (None for each when
        ``runs`` is 0: not measured).
    """
    from advocacy_eval.paths import sample_data_dir

    results = []
    for i in range(runs):
        cache = workdir / f"cache-{i}"
        for state in ("cold", "warm"):
            out = run_report(sample_data_dir(), workdir / f"out-{i}-{state}", cache, jobs, "sample")
            out = {k: v for k, v in out.items() if k not in ("stdout", "stderr")}
            results.append({"cache": state, **out})
    medians: dict[str, float | None] = {
        state: float(np.median([r["wall_seconds"] for r in results if r["cache"] == state]))
        if runs
        else None
        for state in ("cold", "warm")
    }
    return {"runs": results, "median_seconds": medians}


REFERENCE_LOOP = 10_000_000
"""Additions of the pure-Python reference loop (:func:`reference_seconds`)."""


def reference_seconds(repeats: int = 3) -> float:
    """Seconds one core of this machine takes for a fixed pure-Python loop (the fastest of ``repeats``).

    The budgets are in seconds on "the project's 2-core machine", and the
    virtual machines that run the benchmark differ from one session to the
    next (the bare read of the same files took 0.89 s on one and 1.1-1.55 s
    on another). This number, recorded with every result, tells how fast
    the machine was: a result is compared with another taken on a machine
    of about the same reference time.
    """
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        total = 0
        for i in range(REFERENCE_LOOP):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def _cpu_model(cpuinfo: str = "/proc/cpuinfo") -> str | None:
    """The processor's model name, as Linux reports it (None elsewhere)."""
    try:
        with open(cpuinfo, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _machine() -> dict[str, Any]:
    import pandas

    import advocacy_eval

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    )
    return {
        "cpus": os.cpu_count(),
        "physical_cpus": psutil.cpu_count(logical=False),
        "cpu_model": _cpu_model(),
        "reference_loop_seconds": round(reference_seconds(), 3),
        "total_ram_mb": round(psutil.virtual_memory().total / MB),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pandas": pandas.__version__,
        "advocacy_eval": advocacy_eval.__version__,
        "git_commit": commit.stdout.strip() if commit.returncode == 0 else None,
    }


def _table(result: dict[str, Any]) -> str:
    """The readable summary printed at the end."""
    p, b = result["parameters"], result["budget"]
    rows = [
        (
            f"{p['employees']:,} employees x {p['months']} months (end {p['end']}, seed {p['seed']}), "
            f"{result['data']['csv_mb']:.1f} MB of CSV, {result['machine']['cpus']} CPUs"
        ),
        (
            f"  machine: {result['machine'].get('cpu_model') or 'unknown processor'}; reference "
            f"loop {result['machine'].get('reference_loop_seconds', float('nan')):.2f} s (lower: faster)"
        ),
        f"  {'step':<44} {'time':>9} {'peak RSS':>18}",
        f"  {'generate (outside the budget)':<44} "
        + (
            f"{result['generate_seconds']:>8.1f}s"
            if result["generate_seconds"] is not None
            else "   reused"
        ),
    ]
    for table, read in result["bare_read"]["tables"].items():
        label = f"read_csv {table} ({read['rows']:,} rows)"
        rows.append(f"  {label:<44} {read['seconds']:>8.2f}s")
    rows.append(f"  {'bare read, total':<44} {result['bare_read']['total_seconds']:>8.2f}s")
    lv = result["load_validate"]
    rows.append(
        f"  {'load_programme (cache off), median ratio ' + format(lv['ratio_to_bare_read'], '.2f'):<44} "
        f"{lv['seconds']:>8.2f}s {lv['peak_rss_mb']:>12.0f} MB"
    )
    for run in ("cold", "warm"):
        r = result["reports"][run]
        status = "" if r["returncode"] == 0 else f"  (exit {r['returncode']})"
        rows.append(
            f"  {'report --all-waves, ' + run:<44} {r['wall_seconds']:>8.1f}s "
            f"{r['peak_tree_rss_mb']:>12.0f} MB tree, {r['peak_single_rss_mb']:.0f} MB largest{status}"
        )
        for label, seconds in r["report_seconds"].items():
            rows.append(f"    {label:<42} {seconds:>8.1f}s")
    sample = result.get("sample_reports", {})
    for state, seconds in sample.get("median_seconds", {}).items():
        label = f"report data/sample --all-waves, {state}"
        if seconds is None:
            rows.append(f"  {label:<44} {'skipped':>9} (--sample-runs 0)")
            continue
        times = ", ".join(f"{r['wall_seconds']:.1f}" for r in sample["runs"] if r["cache"] == state)
        rows.append(f"  {label:<44} {seconds:>8.1f}s ({times})")
    met = result["budget_met"]

    def verdict(key: str) -> str:
        return {True: "met", False: "NOT met", None: "not measured"}[met[key]]

    size = (BUDGET_EMPLOYEES, BUDGET_MONTHS)
    rows.append(
        (
            "budget"
            if (p["employees"], p["months"]) == size
            else f"budget (set for {size[0]:,} x {size[1]} months, not this size)"
        )
        + f": reports <= {b['report_seconds']:.0f} s: {verdict('report_seconds')}; "
        f"tree RSS <= {b['peak_tree_rss_mb']:.0f} MB: {verdict('peak_tree_rss_mb')}; "
        f"load/read <= {b['load_to_read_ratio']:g}: {verdict('load_to_read_ratio')}; "
        f"sample <= {b['sample_report_seconds']:g} s: {verdict('sample_report_seconds')}"
    )
    return "\n".join(rows)


def budget_met(
    reports: dict[str, dict[str, Any]], ratio: float, sample: dict[str, Any]
) -> dict[str, bool | None]:
    """Which budgets a run met: True, False, or None when not measured (``--sample-runs 0``).

    ``all`` is True only when every budget was measured and met.
    """
    ok = all(r["returncode"] == 0 for r in reports.values())
    medians = sample["median_seconds"]
    met: dict[str, bool | None] = {
        "report_seconds": ok
        and max(r["wall_seconds"] for r in reports.values()) <= BUDGET["report_seconds"],
        "peak_tree_rss_mb": ok
        and max(r["peak_tree_rss_mb"] for r in reports.values()) <= BUDGET["peak_tree_rss_mb"],
        "load_to_read_ratio": ratio <= BUDGET["load_to_read_ratio"],
        "sample_report_seconds": None
        if not sample["runs"]
        else all(r["returncode"] == 0 for r in sample["runs"])
        and all(m is not None and m <= BUDGET["sample_report_seconds"] for m in medians.values()),
    }
    return {**met, "all": all(v is True for v in met.values())}


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    """Turn SIGTERM into ``SystemExit`` so that the ``finally`` clauses clean up."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0 if every step ran (whether the budget is met or not), else 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--employees",
        type=int,
        default=BUDGET_EMPLOYEES,
        help=f"eligible employees (default {BUDGET_EMPLOYEES}: the size the budget is set for)",
    )
    parser.add_argument(
        "--months",
        type=int,
        default=BUDGET_MONTHS,
        help=f"months of data (default {BUDGET_MONTHS})",
    )
    parser.add_argument("--seed", type=int, help="seed of the generator (default: the sample's)")
    parser.add_argument(
        "--workdir", type=Path, help="working folder (default: a new temporary folder)"
    )
    parser.add_argument(
        "--jobs", type=int, help="--jobs of the report (default: not passed, the report's default)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated data, cache and reports"
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="an existing programme folder written by `advocacy-eval sample` to use instead of "
        "generating one (--employees, --months and --seed are then read from its truth.json)",
    )
    parser.add_argument(
        "--sample-runs",
        type=int,
        default=3,
        help="times `report data/sample --all-waves` is run cold and warm (default 3; 0 skips)",
    )
    parser.add_argument(
        "--load-pairs",
        type=int,
        default=7,
        help="times the bare read and load_programme are run, one after the other (default 7): "
        "the ratio is the median of the pairs' ratios",
    )
    parser.add_argument(
        "--out-json",
        type=Path,
        default=RESULTS / "all_waves.json",
        help="result file (default benchmarks/results/all_waves.json)",
    )
    args = parser.parse_args(argv)

    if args.data is not None and not (args.data / "truth.json").is_file():
        parser.error(
            f"--data {args.data}: no truth.json (not a folder written by `advocacy-eval sample`)"
        )
    signal.signal(
        signal.SIGTERM, _exit_on_sigterm
    )  # clean up (reports, kernels, workdir) when terminated
    own_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="all-waves-")) if own_workdir else args.workdir.resolve()
    data_dir = args.data.resolve() if args.data is not None else workdir / "programme"
    cache_dir, out_dir = workdir / "cache", workdir / "reports"
    created: list[Path] = []
    try:
        ours = [cache_dir, out_dir] + ([data_dir] if args.data is None else [])
        for folder in ours:
            if folder.exists():
                raise SystemExit(f"all_waves.py: {folder} exists; give an empty --workdir")
        workdir.mkdir(parents=True, exist_ok=True)
        created += ours

        generate_seconds = None
        if args.data is None:
            cmd = [
                *_cli(),
                "sample",
                "--out",
                str(data_dir),
                "--employees",
                str(args.employees),
                "--months",
                str(args.months),
            ] + (["--seed", str(args.seed)] if args.seed is not None else [])
            print(f"generating: {' '.join(cmd)}", file=sys.stderr, flush=True)
            started = time.perf_counter()
            subprocess.run(cmd, check=True)
            generate_seconds = round(time.perf_counter() - started, 2)
        params = json.loads((data_dir / "truth.json").read_text(encoding="utf-8"))["parameters"]
        csv_bytes = {t: (data_dir / f"{t}.csv").stat().st_size for t in TABLES}

        pairs = []
        for i in range(max(1, args.load_pairs)):
            print(
                f"pair {i + 1}: bare read (pandas.read_csv, defaults), then load_programme "
                "with ADVOCACY_EVAL_CACHE=off",
                file=sys.stderr,
                flush=True,
            )
            bare_run = _python_json(_BARE_READ, str(data_dir), *TABLES)
            load_run = _python_json(
                _LOAD, str(data_dir), env={**os.environ, "ADVOCACY_EVAL_CACHE": "off"}
            )
            pairs.append((bare_run, load_run))
        paired = pair_summary(pairs)
        bare, bare_total, load = paired["bare"], paired["bare_seconds"], paired["load"]

        cache_dir.mkdir()
        reports = {}
        for run in ("cold", "warm"):
            print(f"report --all-waves, {run} cache", file=sys.stderr, flush=True)
            reports[run] = run_report(data_dir, out_dir / run, cache_dir, args.jobs, run)

        sample = run_sample(workdir / "sample", args.jobs, args.sample_runs)

        start_month = params["start"][:7]
        end_month = str(np.datetime64(start_month, "M") + (params["n_months"] - 1))
        ratio = paired["ratio"]
        ok = all(r["returncode"] == 0 for r in reports.values())
        result = {
            "parameters": {
                "employees": params["n_employees"],
                "months": params["n_months"],
                "seed": params["seed"],
                "start": start_month,
                "end": end_month,
                "jobs": args.jobs,
                "date": time.strftime("%Y-%m-%d"),
            },
            "machine": _machine(),
            "data": {
                "csv_bytes": csv_bytes,
                "csv_mb": round(sum(csv_bytes.values()) / 1e6, 1),
                "rows": {t: bare[t]["rows"] for t in TABLES},
            },
            "generate_seconds": generate_seconds,
            "data_dir": str(data_dir) if args.data is not None else None,
            "bare_read": {
                "tables": {
                    t: {"seconds": round(bare[t]["seconds"], 3), "rows": bare[t]["rows"]}
                    for t in TABLES
                },
                "total_seconds": round(bare_total, 3),
                "pair_seconds": [round(b, 3) for b in paired["bare_runs"]],
            },
            "load_validate": {
                "seconds": round(load["seconds"], 3),
                "ratio_to_bare_read": round(ratio, 2),
                "peak_rss_mb": round(load["peak_rss_mb"], 1),
                "cache": "off",
                "pair_seconds": [round(v, 3) for v in paired["load_runs"]],
                "pair_ratios": [round(r, 2) for r in paired["ratios"]],
            },
            "reports": reports,
            "sample_reports": sample,
            "budget": BUDGET,
            "budget_met": budget_met(reports, ratio, sample),
        }
        args.out_json.parent.mkdir(parents=True, exist_ok=True)
        args.out_json.write_text(
            # allow_nan=False: a NaN would make the file invalid JSON for strict readers
            json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        print(_table(result))
        print(f"wrote {args.out_json}")
        if args.keep:
            print(f"kept {workdir}")
        return 0 if ok else 1
    finally:
        if not args.keep:
            if own_workdir:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                for folder in created:
                    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
