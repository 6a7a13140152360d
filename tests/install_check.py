"""Install check: the wheel, installed in a fresh virtual environment outside the clone, writes the reports.

Run by ``make test`` (target ``install-check``), or by hand::

    .venv/bin/python tests/install_check.py [--keep] [--json timings.json]

Steps, each timed:

1. build the wheel from a copy of the clone's build inputs (nothing is written into the clone);
2. create a fresh virtual environment in a temporary folder outside the clone and
   ``pip install -c constraints.txt <wheel>`` (pip's cache makes the second install fast);
3. from another folder (the clone is neither the working directory nor on ``sys.path``):
   the package resolves its notebooks inside the environment, ``advocacy-eval report`` without
   a data folder names ``advocacy-eval sample --out``, then ``advocacy-eval sample --out X`` and
   ``advocacy-eval report X --all-waves --out Y`` write every report;
4. nothing was written into the installed package or the data folder, and the snapshot cache
   went to the user's cache folder; the temporary folder is removed.

Exit code 0 when every check passes, 1 otherwise (the failing command's output is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""Root of the clone."""

BUILD_INPUTS: tuple[str, ...] = ("pyproject.toml", "README.md", "LICENSE", "src")
"""What the wheel is built from (``pyproject.toml`` names the readme and the licence, and finds packages in ``src``)."""

_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints", "build"
)

_PROBE = """
import json, advocacy_eval
from advocacy_eval import paths
from advocacy_eval.reports.provenance import git_state
print(json.dumps({
    "version": advocacy_eval.__version__,
    "package": str(paths.package_dir()),
    "checkout": None if paths.source_checkout() is None else str(paths.source_checkout()),
    "notebooks": sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb")),
    "mappings": sorted(p.name for p in paths.resource_path("mappings").glob("*.toml")),
    "git": git_state(),
}))
"""


class CheckFailed(Exception):
    """One check of the install failed."""


def build_wheel(dest: Path, python: str = sys.executable, root: Path = ROOT) -> Path:
    """Build the project's wheel into ``dest`` from a temporary copy of its build inputs.

    The copy keeps the clone clean (setuptools writes ``build/`` and ``*.egg-info`` next to the
    sources) and lets two builds run at once.

    Parameters
    ----------
    dest : Path
        Folder receiving the wheel (created if needed).
    python : str
        Interpreter whose setuptools builds the wheel (``--no-build-isolation``: no download).
    root : Path
        Root of the clone.

    Returns
    -------
    Path
        The wheel file.
    """
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="advocacy-eval-build-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        for name in BUILD_INPUTS:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, tree / name, ignore=_IGNORE)
            else:
                shutil.copy2(source, tree / name)
        pip_wheel = [python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        _run([*pip_wheel, str(tree), "--wheel-dir", str(dest)], cwd=Path(tmp))
    wheels = sorted(dest.glob("advocacy_eval-*.whl"))
    if len(wheels) != 1:
        raise CheckFailed(f"expected one wheel in {dest}, found {[w.name for w in wheels]}")
    return wheels[0]


def _run(
    cmd: Sequence[str | os.PathLike[str]],
    cwd: Path,
    env: dict[str, str] | None = None,
    expect: int = 0,
) -> subprocess.CompletedProcess:
    """Run a command, raising :class:`CheckFailed` with its output when its exit code differs."""
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != expect:
        raise CheckFailed(
            f"`{' '.join(str(c) for c in cmd)}` (in {cwd}) exited {proc.returncode}, expected "
            f"{expect}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def _clean_env(cache: Path, mpl: Path) -> dict[str, str]:
    """The environment of the installed commands: nothing points back at the clone or its venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ADVOCACY_EVAL_")
        and k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    }
    env["XDG_CACHE_HOME"] = str(cache)  # the snapshot cache's default home, inside the temp folder
    env["MPLCONFIGDIR"] = str(mpl)
    return env


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Files below ``folder`` (relative paths) with their size and modification time, byte-code
    caches left out: a file added, removed or rewritten changes the result."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Files added, removed or rewritten between two :func:`_files` listings."""
    return sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def _waves(data: Path) -> list[str]:
    with open(data / "waves.csv", encoding="utf-8", newline="") as handle:
        return [row["wave_id"] for row in csv.DictReader(handle)]


def check(tmp: Path, python: str, timings: dict[str, float], jobs: int | None = None) -> dict:
    """Run every step in ``tmp``; fill ``timings`` (seconds per step) and return what was found.

    Parameters
    ----------
    tmp : Path
        Empty temporary folder outside the clone.
    python : str
        Interpreter that builds the wheel and creates the virtual environment.
    timings : dict
        Receives the seconds taken by each step, as they finish.
    jobs : int, optional
        ``--jobs`` of the report command (default: the command's own default).

    Returns
    -------
    dict
        The installed package's location, its notebooks and the reports written.
    """

    @contextlib.contextmanager
    def step(name: str) -> Iterator[None]:
        start = time.perf_counter()
        print(f"install-check: {name}...", flush=True)
        yield
        timings[name] = round(time.perf_counter() - start, 2)
        print(f"install-check: {name}: {timings[name]:.1f} s", flush=True)

    if tmp.resolve().is_relative_to(ROOT):
        raise CheckFailed(f"the temporary folder {tmp} is inside the clone {ROOT}")
    work = tmp / "elsewhere"  # the commands' working directory: neither the clone nor the venv
    work.mkdir()
    env = _clean_env(tmp / "cache", tmp / "mpl")
    with step("build wheel"):
        wheel = build_wheel(tmp / "dist", python)
    venv = tmp / "venv"
    with step("create venv"):
        _run([python, "-m", "venv", str(venv)], cwd=work)
    vpy, ae = venv / "bin" / "python", venv / "bin" / "advocacy-eval"
    with step("pip install wheel"):
        # --no-compile: fewer files to write and remove; what runs compiles its own byte code
        pip_install: list[str | os.PathLike[str]] = [vpy, "-m", "pip", "install", "--no-compile"]
        _run([*pip_install, "--quiet", "-c", ROOT / "constraints.txt", wheel], cwd=work)

    probe = json.loads(_run([vpy, "-c", _PROBE], cwd=work, env=env).stdout)
    package = Path(probe["package"])
    if not package.resolve().is_relative_to(venv.resolve()):
        raise CheckFailed(f"advocacy_eval imported from {package}, not from the new venv {venv}")
    if probe["checkout"] is not None or probe["git"] is not None:
        raise CheckFailed(f"an installed package believes it runs from a clone: {probe}")
    expected = sorted(
        p.name for p in (ROOT / "src" / "advocacy_eval" / "notebooks").glob("*.ipynb")
    )
    if probe["notebooks"] != expected:
        raise CheckFailed(f"installed notebooks {probe['notebooks']}, expected {expected}")
    if not probe["mappings"]:
        raise CheckFailed("the installed package has no mappings/*.toml")
    shipped = _files(package)

    no_data = _run([ae, "report", "--all-waves"], cwd=work, env=env, expect=1)
    if "advocacy-eval sample --out" not in no_data.stderr:
        raise CheckFailed(
            f"report without a data folder does not say what to do:\n{no_data.stderr}"
        )

    with step("advocacy-eval sample"):
        _run([ae, "sample", "--out", "programme"], cwd=work, env=env)
    data = work / "programme"
    inputs = _files(data)
    run_args: list[str | os.PathLike[str]] = [ae, "report", "programme", "--all-waves"]
    run_args += ["--out", "out"]
    if jobs is not None:
        run_args += ["--jobs", str(jobs)]
    with step("advocacy-eval report --all-waves"):
        _run(run_args, cwd=work, env=env)

    out = work / "out"
    reports = {}
    for stem in [*_waves(data), "programme"]:
        html = out / f"{stem}.html"
        for path in (html, out / f"{stem}.run.json", out / f"{stem}.scorecard.csv"):
            if not path.is_file() or path.stat().st_size == 0:
                raise CheckFailed(f"missing or empty report file {path}")
        text = html.read_text(encoding="utf-8")
        if "<html" not in text.lower() or "Traceback" in text:
            raise CheckFailed(f"{html} is not a clean report")
        record = json.loads((out / f"{stem}.run.json").read_text(encoding="utf-8"))
        if record.get("package", {}).get("version") != probe["version"] or record.get("git"):
            raise CheckFailed(f"{stem}.run.json does not describe the installed package: {record}")
        reports[stem] = html.stat().st_size
    if changed := _changed(shipped, _files(package)):
        raise CheckFailed(f"the run wrote into the installed package: {changed}")
    if changed := _changed(inputs, _files(data)):
        raise CheckFailed(f"the run wrote into the data folder: {changed}")
    snapshots = tmp / "cache" / "advocacy-eval" / "snapshots"
    if not snapshots.is_dir() or not any(snapshots.iterdir()):
        raise CheckFailed(f"no snapshot in the user's cache folder {snapshots}")
    return {
        "wheel": wheel.name,
        "wheel_bytes": wheel.stat().st_size,
        "package": str(package),
        "notebooks": probe["notebooks"],
        "reports": reports,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the install check; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", help="write the timings and findings to this file")
    parser.add_argument("--jobs", type=int, help="--jobs of the report command")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter building the wheel and the venv"
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="advocacy-eval-install-check-"))
    timings: dict[str, float] = {}
    start = time.perf_counter()
    try:
        found = check(tmp, args.python, timings, args.jobs)
    except CheckFailed as exc:
        print(f"install-check FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"install-check: kept {tmp}")
        else:
            removing = time.perf_counter()
            shutil.rmtree(tmp, ignore_errors=True)  # about 35,000 files: the venv holds JupyterLab
            timings["clean up"] = round(time.perf_counter() - removing, 2)
        timings["total"] = round(time.perf_counter() - start, 2)
    print(
        f"install-check: OK in {timings['total']:.1f} s: {found['wheel']} installed in a fresh venv "
        f"wrote {len(found['reports'])} reports ({', '.join(found['reports'])})"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"timings_s": timings, **found}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
