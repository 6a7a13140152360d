"""Reports run at once (``report --all-waves --jobs N``): same reports, same checks, clean failures and interruptions.

The end-to-end comparisons run the real notebooks on the committed sample;
the failure, interruption and bookkeeping tests use small stand-in notebooks
(``ADVOCACY_EVAL_NOTEBOOKS``) so that a kernel is doing something known when
the test acts.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest

import advocacy_eval.io
from advocacy_eval.cli import main
from advocacy_eval.publish import runner
from advocacy_eval.publish.parallel import KernelSession, ReportPool
from advocacy_eval.publish.runner import ReportTask, run_all_waves, run_task, wave_task

WAVE_PARAMS = 'data_dir: str = ""  # data\nwave: str = "W1"  # wave\nlang: str = "en"  # lang'
PROGRAMME_PARAMS = 'data_dir: str = ""  # data\nlang: str = "en"  # lang'


def _notebook(path: Path, params: str, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _stand_ins(
    folder: Path, wave_code: str, programme_code: str = "print('programme report')"
) -> Path:
    """Stand-in ``wave_report.ipynb`` and ``programme_report.ipynb``."""
    _notebook(folder / "wave_report.ipynb", WAVE_PARAMS, wave_code)
    _notebook(folder / "programme_report.ipynb", PROGRAMME_PARAMS, programme_code)
    return folder


def _temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".")) if out.exists() else []


def _dead(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:Z| UTC)")


def _comparable(path: Path) -> object:
    """A report file without what legitimately changes from one run to the next (time stamps, durations, cell ids)."""
    text = _STAMP.sub("<time>", path.read_text(encoding="utf-8"))
    if path.name.endswith(".run.json"):
        record = json.loads(text)
        record["run"].pop("seconds")
        return record
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        nb["metadata"].pop("papermill")
        for cell in nb["cells"]:
            cell.pop("id", None)
            cell["metadata"].pop("papermill", None)
            cell["metadata"].pop("execution", None)
        return nb
    return text


def _same_reports(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    assert names == sorted(p.name for p in b.iterdir() if p.is_file())
    for name in names:
        assert _comparable(a / name) == _comparable(b / name), name


# ----------------------------------------------------------------------------- same reports


@pytest.fixture(scope="module")
def batches(sample_dir, tmp_path_factory):
    """The committed sample's four reports, one after the other (--jobs 1) and two at a time (--jobs 2)."""
    out = tmp_path_factory.mktemp("batches")
    for jobs in ("1", "2"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "advocacy_eval.cli",
                "report",
                str(sample_dir),
                "--all-waves",
                "--out",
                str(out / jobs),
                "--jobs",
                jobs,
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        (out / f"{jobs}.stderr").write_text(done.stderr, encoding="utf-8")
    return out


def test_concurrent_batch_writes_the_same_reports_as_sequential(batches):
    assert sorted(p.name for p in (batches / "2").iterdir()) == sorted(
        f"{stem}.{ext}"
        for stem in ("W1", "W2", "W3", "programme")
        for ext in ("html", "ipynb", "run.json", "scorecard.csv")
    )
    _same_reports(batches / "1", batches / "2")
    for path in (
        batches / "2"
    ).iterdir():  # the run's full paths stay out of shared files, in workers too
        assert str(batches) not in path.read_text(encoding="utf-8"), path.name


def test_concurrent_progress_lines_and_sequential_ones(batches):
    parallel = (batches / "2.stderr").read_text(encoding="utf-8").splitlines()
    running = [line for line in parallel if line.endswith("] running")]
    assert running[0] == "[programme] running", "the longest report starts first"
    assert sorted(running) == [
        "[W1] running",
        "[W2] running",
        "[W3] running",
        "[programme] running",
    ]
    for key in ("W1", "W2", "W3", "programme"):
        assert any(
            re.fullmatch(rf"\[{key}\] wrote .*{key}\.html \(\d+\.\d s\)", line) for line in parallel
        ), key
    sequential = (batches / "1.stderr").read_text(encoding="utf-8").splitlines()
    assert (
        sequential[0] == "[1/3] W1: running"
        and "[programme] all waves together: running" in sequential
    )


def test_a_report_made_in_a_reused_kernel_is_the_one_made_in_a_fresh_kernel(sample_dir, tmp_path):
    """A kernel that ran the programme report and a notebook tampering with global state still makes W2 as new."""
    tamper = tmp_path / "tamper" / "tamper.ipynb"
    _notebook(
        tamper,
        "x = 1",
        "import os, warnings, numpy as np, matplotlib, matplotlib.pyplot as plt\n"
        "import matplotlib.units, datetime\n"
        "plt.figure(); programme = wave = lang = None; t = len\n"
        "matplotlib.rcParams.update({'figure.autolayout': True, 'errorbar.capsize': 9,\n"
        "                            'font.size': 3, 'date.autoformatter.month': '%m!'})\n"
        "matplotlib.units.registry.clear()\n"
        "import pandas as pd; pd.set_option('display.max_colwidth', 3)\n"
        "os.chdir('/'); np.seterr(all='raise'); warnings.simplefilter('error')\n",
    )
    fresh = tmp_path / "fresh"
    for task in (wave_task(sample_dir, "W2", "fr"), wave_task(sample_dir, "W1")):
        run_task(task, fresh, forbidden=runner.comex_identifiers(sample_dir))
    reused = tmp_path / "reused"
    with runner.current_kernel():
        session = KernelSession()
        try:
            run_task(runner.programme_task(sample_dir), tmp_path / "first", session=session)
            kernel = session.pid
            session.execute(tamper, tmp_path / "tamper.ipynb", {}, 60)
            for task in (wave_task(sample_dir, "W2", "fr"), wave_task(sample_dir, "W1")):
                run_task(
                    task, reused, forbidden=runner.comex_identifiers(sample_dir), session=session
                )
            assert session.pid == kernel and session.started == 1, "one kernel ran every notebook"
        finally:
            session.discard()
    assert _dead(kernel)
    _same_reports(fresh, reused)
    executed = nbformat.read(reused / "W2.ipynb", as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"][:3] == [1, 2, 3]


def test_a_failed_report_gets_its_kernel_replaced(tmp_path, monkeypatch):
    notebooks = _stand_ins(
        tmp_path / "nb",
        "import os\nprint('kernel', os.getpid())\n"
        "if wave == 'W2':\n    raise RuntimeError('boom in ' + wave)",
    )
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(notebooks))
    out = tmp_path / "out"
    with runner.current_kernel():
        session = KernelSession()
        try:
            run_task(wave_task(tmp_path, "W1"), out, session=session)
            first = session.pid
            with pytest.raises(runner.ReportError, match="RuntimeError: boom in W2"):
                run_task(wave_task(tmp_path, "W2"), out, session=session)
            assert session.pid is None and _dead(first), "the failed kernel is killed"
            run_task(wave_task(tmp_path, "W3"), out, session=session)
            assert session.pid not in (None, first) and session.started == 2
        finally:
            session.discard()
    assert f"kernel {first}" in (out / "W1.html").read_text(encoding="utf-8")
    assert f"kernel {first}" not in (out / "W3.html").read_text(encoding="utf-8")
    assert (out / "_failed" / "W2.ipynb").exists() and _temporaries(out) == []


def test_a_kernel_that_cannot_be_reset_is_replaced_before_the_next_report(tmp_path, monkeypatch):
    code = (
        "import os\nprint('kernel', os.getpid())\n"
        "if wave == 'W1':\n    get_ipython().reset = None  # breaks the reset between notebooks"
    )
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", code)))
    out = tmp_path / "out"
    with runner.current_kernel():
        session = KernelSession()
        try:
            run_task(wave_task(tmp_path, "W1"), out, session=session)
            first = session.pid
            run_task(wave_task(tmp_path, "W2"), out, session=session)
            assert session.pid != first and session.started == 2 and _dead(first)
        finally:
            session.discard()
    assert f"kernel {first}" not in (out / "W2.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- failures, options


def test_failures_do_not_stop_the_batch_and_every_report_is_checked(
    sample_dir, tmp_path, monkeypatch, capsys
):
    """W2 raises, W3 would show an employee id (COMEX leak guard, in a worker), W1 and the programme are written."""
    employee = advocacy_eval.io.load_programme(sample_dir).employees["employee_id"].iloc[0]
    code = (
        f"if wave == 'W2':\n    raise RuntimeError('boom in ' + wave)\n"
        f"print('report for', wave, {employee!r} if wave == 'W3' else '')"
    )
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", code)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "W2.html").write_text("previous", encoding="utf-8")
    assert main(["report", str(sample_dir), "--all-waves", "--out", str(out), "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert "Traceback" not in captured.err
    assert any(
        line.startswith(
            "[W2] FAILED: wave_report.ipynb: cell [3] failed with RuntimeError: boom in W2"
        )
        for line in err
    ), err
    assert any(
        line.startswith("[W3] FAILED: wave_report.ipynb: report refused in COMEX mode")
        and employee in line
        for line in err
    ), err
    summary = err.index("summary: 2 report(s) written, 2 failed:")
    assert [line.split(":")[0] for line in err[summary + 1 :]] == ["  W2", "  W3"]
    assert "report for W1" in (out / "W1.html").read_text(encoding="utf-8")
    assert "programme report" in (out / "programme.html").read_text(encoding="utf-8")
    assert (out / "W2.html").read_text(encoding="utf-8") == "previous" and not (
        out / "W3.html"
    ).exists()
    assert sorted(p.name for p in (out / "_failed").iterdir()) == ["W2.ipynb", "W3.ipynb"]
    assert _temporaries(out) == [] and captured.out == ""


@pytest.mark.parametrize(
    "value, message",
    [("0", "must be at least 1"), ("-2", "must be at least 1"), ("two", "must be a whole number")],
)
def test_jobs_below_one_is_a_clear_error(sample_dir, tmp_path, capsys, value, message):
    with pytest.raises(SystemExit) as info:
        main(
            [
                "report",
                str(sample_dir),
                "--all-waves",
                "--out",
                str(tmp_path / "out"),
                "--jobs",
                value,
            ]
        )
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --jobs: {message}" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_jobs_with_one_report_is_accepted(sample_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(
        "ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", "print('report for', wave)"))
    )
    assert (
        main(
            ["report", str(sample_dir), "--wave", "W2", "--out", str(tmp_path / "a"), "--jobs", "4"]
        )
        == 0
    )
    assert capsys.readouterr().err.splitlines()[0] == "[1/1] W2: running"
    assert (
        main(
            ["report", str(sample_dir), "--programme", "--out", str(tmp_path / "b"), "--jobs", "3"]
        )
        == 0
    )
    assert (tmp_path / "b" / "programme.html").exists()


def test_run_all_waves_with_jobs_from_python(tmp_path, monkeypatch):
    monkeypatch.setenv(
        "ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", "print('report for', wave)"))
    )
    lines: list[str] = []
    done, failed = run_all_waves(
        tmp_path,
        ["W1", "W2", "W3"],
        tmp_path / "out",
        progress=lines.append,
        comex=False,
        jobs=3,
        programme=True,
    )
    assert list(done) == ["W1", "W2", "W3", "programme"] and failed == {}
    assert lines[0] == "[programme] running"
    assert "report for W3" in done["W3"].html.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="at least 1"):
        run_all_waves(tmp_path, ["W1"], tmp_path / "out", comex=False, jobs=0)


def test_a_worker_that_dies_fails_its_report_only(tmp_path, monkeypatch):
    """A worker killed outright (out of memory, say) fails the report it was running; the others are written."""
    code = (
        "import os, time, signal\n"
        "if wave == 'W2':\n    os.kill(os.getppid(), signal.SIGKILL); time.sleep(30)\n"
        "print('report for', wave)"
    )
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", code)))
    tasks = [wave_task(tmp_path, w) for w in ("W1", "W2", "W3")]
    with ReportPool() as pool:
        done, failed = runner.run_reports(tasks, tmp_path / "out", jobs=2, pool=pool)
    assert list(done) == ["W1", "W3"] and list(failed) == ["W2"]
    assert "the report worker stopped unexpectedly" in failed["W2"]


# ----------------------------------------------------------------------------- the leak guard, computed once


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_programme_is_loaded_once_and_released_before_the_reports(
    sample_dir, tmp_path, monkeypatch, capsys, jobs
):
    monkeypatch.setenv(
        "ADVOCACY_EVAL_NOTEBOOKS", str(_stand_ins(tmp_path / "nb", "print('report for', wave)"))
    )
    loads, computed, alive = [], [], []
    real_load, real_identifiers, real_run = (
        advocacy_eval.io.load_programme,
        runner.identifiers,
        runner.run_reports,
    )

    def load(*args, **kwargs):
        programme = real_load(*args, **kwargs)
        loads.append(weakref.ref(programme))
        return programme

    def identifiers(programme):
        computed.append(1)
        return real_identifiers(programme)

    def run_reports(*args, **kwargs):
        alive.extend(ref() is not None for ref in loads)
        assert (
            isinstance(kwargs["forbidden"], runner.Identifiers) and len(kwargs["forbidden"]) > 1000
        )
        return real_run(*args, **kwargs)

    def no_reload(data_dir):
        raise AssertionError("the identifiers were computed again from the data folder")

    monkeypatch.setattr(advocacy_eval.io, "load_programme", load)
    monkeypatch.setattr(runner, "identifiers", identifiers)
    monkeypatch.setattr(runner, "run_reports", run_reports)
    monkeypatch.setattr(runner, "comex_identifiers", no_reload)
    assert (
        main(
            [
                "report",
                str(sample_dir),
                "--all-waves",
                "--out",
                str(tmp_path / "out"),
                "--jobs",
                jobs,
            ]
        )
        == 0
    )
    assert len(loads) == 1 and computed == [1]
    assert alive == [False], "the programme is released before the reports run"
    assert "4 report(s) written" in capsys.readouterr().out


# ----------------------------------------------------------------------------- interruption


def _sleepers(folder: Path, markers: Path) -> Path:
    """Stand-ins: the programme report finishes at once; each wave report records its kernel's pid, then sleeps."""
    return _stand_ins(
        folder,
        "import os, pathlib, time\n"
        f"pathlib.Path({str(markers)!r}, wave).write_text(str(os.getpid()))\ntime.sleep(120)",
    )


def _marked(markers: Path, n: int) -> bool:
    """Whether ``n`` sleeper notebooks have written their kernel's pid (a file is created empty, then written)."""
    files = list(markers.iterdir())
    return len(files) == n and all(p.read_text().strip().isdigit() for p in files)


def _wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.parametrize(
    "sig, ctrl_c", [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)]
)
def test_interrupting_a_concurrent_batch_kills_every_kernel_and_keeps_finished_reports(
    sample_dir, tmp_path, sig, ctrl_c
):
    """SIGTERM or SIGINT to the command, or Ctrl-C in its terminal (SIGINT to its whole process group)."""
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "W3.html").write_text("previous", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advocacy_eval.cli",
            "report",
            str(sample_dir),
            "--all-waves",
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "ADVOCACY_EVAL_NOTEBOOKS": str(_sleepers(tmp_path / "nb", markers))},
    )
    try:
        _wait_for(lambda: (out / "programme.html").exists() and _marked(markers, 2))
        kernels = sorted(int(p.read_text()) for p in markers.iterdir())
        tree = psutil.Process(process.pid).children(recursive=True)
        workers = [p.pid for p in tree if "worker_main" in " ".join(p.cmdline())]
        assert len(workers) == 2 and set(kernels) <= {p.pid for p in tree}
        assert len(_temporaries(out)) == 2
        if ctrl_c:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert all(_dead(pid) for pid in kernels + workers), "a kernel or a worker survived"
    assert _temporaries(out) == [], "temporary folder left behind"
    assert (out / "W3.html").read_text(encoding="utf-8") == "previous"
    assert "programme report" in (out / "programme.html").read_text(encoding="utf-8"), (
        "finished report kept"
    )
    assert not (out / "_failed").exists()


def test_a_killed_batch_takes_its_workers_and_kernels_with_it(sample_dir, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "advocacy_eval.cli",
            "report",
            str(sample_dir),
            "--all-waves",
            "--out",
            str(tmp_path / "out"),
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ADVOCACY_EVAL_NOTEBOOKS": str(_sleepers(tmp_path / "nb", markers))},
    )
    try:
        _wait_for(lambda: _marked(markers, 2))
        workers = [
            p.pid
            for p in psutil.Process(process.pid).children()
            if "worker_main" in " ".join(p.cmdline())
        ]
        kernels = [int(p.read_text()) for p in markers.iterdir()]
        process.kill()  # SIGKILL: no handler runs
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert len(workers) == 2 and all(_dead(pid) for pid in workers + kernels), (
        "a worker or kernel outlived the batch"
    )


def test_a_task_is_a_plain_picklable_record():
    import pickle

    task = ReportTask("W1", "wave_report.ipynb", {"wave": "W1"}, "W1", "t")
    assert pickle.loads(pickle.dumps(task)) == task


def test_a_large_programme_is_loaded_in_a_child_and_the_command_stays_small(
    sample_dir, tmp_path, monkeypatch, capsys
):
    """Above CHILD_LOAD_BYTES the data work runs in a child process: the command never imports the data layer,
    and passes the identifiers to the workers as Arrow bytes, undecoded (issue 12: 0.25 GB less while the
    reports run)."""
    import subprocess
    import sys

    from advocacy_eval import cli

    notebooks = _stand_ins(tmp_path / "nb", "print('report for', wave)")
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(notebooks))
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    code = (
        "import sys\n"
        "from advocacy_eval import cli\n"
        "from advocacy_eval.publish import runner\n"
        "cli.CHILD_LOAD_BYTES = 0\n"
        "seen = []\n"
        "real = runner.run_reports\n"
        "def spy(*args, **kwargs):\n"
        "    seen.append('_sealed' in kwargs['forbidden'].__dict__)\n"
        "    seen.append(sorted(m for m in ('pandas', 'pandera', 'numpy') if m in sys.modules))\n"
        "    return real(*args, **kwargs)\n"
        "runner.run_reports = spy\n"
        f"rc = cli.main(['report', {str(sample_dir)!r}, '--all-waves', '--out', {str(tmp_path / 'out')!r},"
        " '--jobs', '2'])\n"
        "print('RESULT', rc, seen)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert "RESULT 0 [True, []]" in out.stdout, out.stdout + out.stderr
    assert "4 report(s) written" in out.stdout
    # what a user can fix comes back from the child as it would from this process
    monkeypatch.setattr(cli, "CHILD_LOAD_BYTES", 0)
    assert cli.main(["report", str(sample_dir), "--wave", "W9", "--out", str(tmp_path / "o2")]) == 2
    assert "unknown wave 'W9'" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in sample_dir.iterdir():
        if f.suffix == ".csv":
            (broken / f.name).write_bytes(f.read_bytes())
    posts = pd.read_csv(broken / "posts.csv", dtype=str, keep_default_na=False)
    posts.loc[1, "author_type"] = "robot"
    posts.to_csv(broken / "posts.csv", index=False)
    assert cli.main(["report", str(broken), "--wave", "W1", "--out", str(tmp_path / "o3")]) == 1
    err = capsys.readouterr().err
    assert "the data folder is not valid" in err and "posts.csv" in err
    assert (
        cli.main(
            ["report", str(tmp_path / "nowhere"), "--wave", "W1", "--out", str(tmp_path / "o4")]
        )
        == 1
    )
    assert "advocacy-eval:" in capsys.readouterr().err


def test_interrupting_the_command_while_its_child_loads_stops_both_quietly(sample_dir, tmp_path):
    import signal
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "from advocacy_eval import cli\n"
        "cli.CHILD_LOAD_BYTES = 0\n"
        f"sys.exit(cli.main(['report', {str(sample_dir)!r}, '--wave', 'W1', '--out', {str(tmp_path / 'o')!r},"
        " '--jobs', '1']))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    children: list[psutil.Process] = []
    while time.monotonic() < deadline and not children:
        children = parent.children()
        time.sleep(0.05)
    assert children, "the child process never started"
    time.sleep(0.5)
    os.kill(
        proc.pid, signal.SIGINT
    )  # the command alone (a supervisor's signal): it must stop its child
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    assert all(_dead(c.pid) for c in children)
