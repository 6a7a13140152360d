"""The benchmark's memory of a process tree: a fork that has not exec'd is its parent's pages, counted once."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _benchmark():
    spec = importlib.util.spec_from_file_location("all_waves", ROOT / "benchmarks" / "all_waves.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PARENT = """
import os, sys, time
block = bytearray(200 * 2**20)  # 200 MB, touched
for i in range(0, len(block), 4096):
    block[i] = 1
ready = sys.argv[1]
if sys.argv[2] == "fork":
    if os.fork() == 0:  # the child never execs: it shares the parent's pages
        time.sleep(60)
        os._exit(0)
elif sys.argv[2] == "exec":
    import subprocess
    subprocess.Popen([sys.executable, "-c", "b = bytearray(100 * 2**20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nimport time; time.sleep(60)"])
open(ready, "w").close()
time.sleep(60)
"""


def _measure(tmp_path: Path, mode: str) -> tuple[int, int]:
    ready = tmp_path / f"ready-{mode}"
    proc = subprocess.Popen([sys.executable, "-c", PARENT, str(ready), mode])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the exec'd child touches its 100 MB
        total, _largest, count = _benchmark()._tree_rss(psutil.Process(proc.pid))
        return total, count
    finally:
        for child in psutil.Process(proc.pid).children(recursive=True):
            child.kill()
        proc.kill()
        proc.wait()


def test_a_fork_without_exec_is_counted_once_and_a_real_child_is_counted(tmp_path: Path) -> None:
    alone, n_alone = _measure(tmp_path, "none")
    forked, n_forked = _measure(tmp_path, "fork")
    execd, n_execd = _measure(tmp_path, "exec")
    mb = 2**20
    assert alone > 200 * mb
    assert n_forked == n_alone  # the fork is not counted
    assert abs(forked - alone) < 50 * mb
    assert n_execd == n_alone + 1
    assert execd - alone > 90 * mb  # an exec'd child's own memory is


def test_the_load_ratio_is_the_median_of_paired_runs() -> None:
    """Each load is compared with the bare read just before it; one slow run moves no median."""
    module = _benchmark()

    def bare(total: float) -> dict:
        return {
            "posts": {"seconds": total / 2, "rows": 3},
            "activity": {"seconds": total / 2, "rows": 5},
        }

    pairs = [
        (bare(1.0), {"seconds": 2.1, "peak_rss_mb": 1}),
        (bare(2.0), {"seconds": 2.2, "peak_rss_mb": 2}),  # a slow bare read: ratio 1.1
        (bare(1.0), {"seconds": 1.9, "peak_rss_mb": 3}),
    ]
    summary = module.pair_summary(pairs)
    assert summary["ratios"] == pytest.approx([2.1, 1.1, 1.9])
    assert summary["ratio"] == pytest.approx(1.9)
    assert summary["bare_seconds"] == pytest.approx(1.0)
    assert summary["load"]["seconds"] == pytest.approx(2.1)
    assert summary["bare_runs"] == pytest.approx([1.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="no pair"):
        module.pair_summary([])


def test_the_machine_record_names_the_processor_and_its_speed(tmp_path: Path) -> None:
    """Results from different machines are told apart: the processor's name and a reference loop's time."""
    module = _benchmark()
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU @ 2.00GHz\nflags\t: fpu\n")
    assert module._cpu_model(str(cpuinfo)) == "Example CPU @ 2.00GHz"
    assert module._cpu_model(str(tmp_path / "absent")) is None
    cpuinfo.write_text("processor\t: 0\n")
    assert module._cpu_model(str(cpuinfo)) is None
    seconds = module.reference_seconds(repeats=1)
    assert 0 < seconds < 60
    record = module._machine()
    assert {"cpu_model", "reference_loop_seconds"} <= set(record)
    assert record["reference_loop_seconds"] > 0
