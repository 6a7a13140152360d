"""How many reports run at once: the memory model behind ``report --jobs``'s default (docs/scaling.md)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from advocacy_eval import cli, memory
from advocacy_eval.io import load_programme

GB = 2**30
ROOT = Path(__file__).resolve().parents[1]


def test_jobs_that_fit_caps_the_cores_by_the_available_memory() -> None:
    small, large = 100 * 2**20, 8 * GB
    assert memory.jobs_that_fit(small, wanted=2, available=16 * GB) == 2
    assert (
        memory.jobs_that_fit(large, wanted=2, available=16 * GB) == 1
    )  # 20.4 GB per kernel: one at a time
    assert memory.jobs_that_fit(large, wanted=4, available=64 * GB) == 2
    assert memory.jobs_that_fit(large, wanted=2, available=1 * GB) == 1  # never fewer than one
    assert (
        memory.kernel_peak_bytes(large) > memory.kernel_peak_bytes(small) > memory.KERNEL_BASE_BYTES
    )


def test_unknown_available_memory_keeps_the_wanted_jobs(monkeypatch) -> None:
    monkeypatch.setattr(memory, "available_bytes", lambda: None)
    assert memory.jobs_that_fit(8 * GB, wanted=3) == 3


def test_available_memory_is_read_from_meminfo(tmp_path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        "MemTotal:       24686000 kB\nMemFree:  1000 kB\nMemAvailable:   20000000 kB\n"
    )
    assert memory.available_bytes(str(meminfo)) == 20_000_000 * 1024
    meminfo.write_text("MemTotal:       24686000 kB\n")
    assert memory.available_bytes(str(meminfo)) is None
    assert memory.available_bytes(str(tmp_path / "absent")) is None
    here = (
        memory.available_bytes()
    )  # this machine: a positive number on Linux, None where there is no /proc
    assert here is None or here > 0
    assert (here is not None) == sys.platform.startswith("linux")


def test_programme_memory_counts_every_table() -> None:
    programme = load_programme("data/sample")
    frames = [programme.waves, programme.employees, programme.posts, programme.activity]
    assert programme.memory_bytes() == sum(int(f.memory_usage(deep=True).sum()) for f in frames)
    assert programme.memory_bytes() > 1_000_000


def _args(jobs: int | None) -> argparse.Namespace:
    return argparse.Namespace(jobs=jobs)


def test_default_jobs_shrink_when_memory_is_short_and_say_so(monkeypatch, capsys) -> None:
    programme = load_programme("data/sample")
    monkeypatch.setattr(cli, "_report_default_jobs", lambda: 4)
    monkeypatch.setattr(memory, "available_bytes", lambda: 64 * GB)
    assert cli._jobs_for(_args(None), programme, n_tasks=4) == 4
    assert cli._jobs_for(_args(None), programme, n_tasks=3) == 3  # never more than the reports
    monkeypatch.setattr(
        memory, "available_bytes", lambda: memory.kernel_peak_bytes(programme.memory_bytes())
    )
    assert cli._jobs_for(_args(None), programme, n_tasks=4) == 1
    assert "[jobs] 1 report(s) at a time, not 4" in capsys.readouterr().err


def test_an_explicit_jobs_is_kept(monkeypatch) -> None:
    programme = load_programme("data/sample")
    monkeypatch.setattr(memory, "available_bytes", lambda: 1)
    assert cli._jobs_for(_args(3), programme, n_tasks=4) == 3


def test_a_kernel_stays_within_the_model_on_the_sample(tmp_path) -> None:
    """Peak RSS of what a programme-report kernel computes, in a fresh process, against the model's estimate.

    As in a report run, the kernel reads the snapshot the command line's validation wrote (loaded here first).
    """
    load_programme(ROOT / "data" / "sample")
    code = (
        "import json, resource\n"
        "from advocacy_eval.io import load_programme\n"
        "from advocacy_eval.analyses.programme import programme_results\n"
        "from advocacy_eval.analyses.wave import wave_results\n"
        "import matplotlib, scipy.stats, seaborn\n"
        "p = load_programme('data/sample')\n"
        "programme_results(p); wave_results(p, p.wave_ids[-1])\n"
        # VmHWM: this process's own peak (ru_maxrss would start from pytest's size, inherited through fork)
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
        "peak = int(hwm[0].split()[1]) * 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "print(json.dumps({'size': p.memory_bytes(), 'peak': peak}))\n"
    )
    # a clean process: no PYTHON* variables or other settings left by earlier tests of the session
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "ADVOCACY_EVAL_CACHE": os.environ.get("ADVOCACY_EVAL_CACHE", "off"),
        "MPLBACKEND": "agg",
    }
    out = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    assert measured["peak"] <= memory.kernel_peak_bytes(measured["size"]), measured


def test_the_default_cell_time_limit_grows_with_the_programme() -> None:
    assert memory.cell_timeout_for(0) == memory.cell_timeout_for(2**30) == 600
    assert memory.cell_timeout_for(4 * 2**30) == 2400
    assert memory.cell_timeout_for(8 * 2**30) > memory.cell_timeout_for(4 * 2**30)


def test_the_report_command_passes_the_size_based_limit_unless_given(monkeypatch, tmp_path) -> None:
    from advocacy_eval.publish import runner

    seen: list = []

    def fake_run_reports(tasks, out, **kwargs):
        seen.append(kwargs["cell_timeout"])
        return {}, {}

    monkeypatch.setattr(runner, "run_reports", fake_run_reports)
    monkeypatch.setattr(memory, "cell_timeout_for", lambda size: 4321)
    assert (
        cli.main(["report", "data/sample", "--wave", "W1", "--out", str(tmp_path), "--jobs", "1"])
        == 0
    )
    assert (
        cli.main(
            [
                "report",
                "data/sample",
                "--wave",
                "W1",
                "--out",
                str(tmp_path),
                "--jobs",
                "1",
                "--cell-timeout",
                "77",
            ]
        )
        == 0
    )
    assert seen == [4321, 77]


def test_memory_is_released_only_after_large_data(monkeypatch, tmp_path) -> None:
    """A full garbage collection costs a report kernel ~0.1 s: not worth it after a small programme."""
    from advocacy_eval import memory
    from advocacy_eval.io import load_programme
    from advocacy_eval.paths import sample_data_dir

    calls: list[int] = []
    monkeypatch.setattr(memory, "release_memory", lambda generation=2: calls.append(generation))
    assert memory.release_memory_if_large(memory.RELEASE_MIN_BYTES - 1) is False
    assert calls == []
    assert memory.release_memory_if_large(memory.RELEASE_MIN_BYTES) is True
    assert memory.release_memory_if_large(memory.RELEASE_MIN_BYTES, generation=1) is True
    assert calls == [2, 1]  # a full collection unless the caller knows its garbage is young
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    load_programme(sample_data_dir())  # validated (a few MB)
    load_programme(sample_data_dir())  # from the snapshot
    assert calls == [2, 1]
