"""The wheel ships what the code reads, and the code finds it through importlib.resources.

The slow end-to-end check (a fresh venv outside the clone, ``pip install <wheel>``, ``advocacy-eval
sample`` then ``report --all-waves``) is ``tests/install_check.py``, run by ``make test``.
"""

from __future__ import annotations

import email
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

import advocacy_eval
from advocacy_eval import cli, paths
from advocacy_eval.errors import ReportError
from advocacy_eval.publish import runner
from advocacy_eval.reports import provenance

from .install_check import build_wheel

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "advocacy_eval"


def _package_files() -> list[str]:
    """Every file of the package folder (wheel-relative names), byte code left out."""
    return sorted(
        "advocacy_eval/" + p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and ".ipynb_checkpoints" not in p.parts
        and p.suffix != ".pyc"
    )


def _resources_named_in_code() -> set[str]:
    """Package files the code names: notebooks and ``resource_path``/``resources.files`` lookups."""
    named = set()
    for source in PACKAGE.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in re.findall(r"[\"']([\w-]+\.ipynb)[\"']", text):
            named.add(f"advocacy_eval/notebooks/{name}")
        for args in re.findall(r"resource_path\(([^)]*)\)", text):
            parts = re.findall(r"[\"']([^\"']+)[\"']", args)
            if parts:
                named.add("advocacy_eval/" + "/".join(parts))
        for part in re.findall(r"files\([\"']advocacy_eval[\"']\)\s*/\s*[\"']([^\"']+)[\"']", text):
            named.add(f"advocacy_eval/{part}")
    return named


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_ships_every_file_of_the_package(wheel_names):
    expected = _package_files()
    assert len(expected) > 50  # the package's modules and its data, not an empty glob
    missing = [name for name in expected if name not in wheel_names]
    assert missing == []


def test_wheel_ships_the_notebooks_mappings_and_py_typed(wheel_names):
    notebooks = {n for n in wheel_names if n.startswith("advocacy_eval/notebooks/")}
    assert notebooks == {
        f"advocacy_eval/notebooks/{p.name}" for p in (PACKAGE / "notebooks").glob("*.ipynb")
    }
    assert {"advocacy_eval/notebooks/wave_report.ipynb"} <= notebooks
    assert {"advocacy_eval/notebooks/programme_report.ipynb"} <= notebooks
    assert {"advocacy_eval/mappings/generic-en.toml", "advocacy_eval/mappings/generic-fr.toml"} <= (
        wheel_names
    )
    assert "advocacy_eval/py.typed" in wheel_names


def test_every_resource_the_code_names_is_in_the_wheel(wheel_names):
    named = _resources_named_in_code()
    assert "advocacy_eval/notebooks/wave_report.ipynb" in named  # the scan finds the lookups
    assert "advocacy_eval/mappings" in named
    missing = sorted(
        n
        for n in named
        if n not in wheel_names and not any(w.startswith(n + "/") for w in wheel_names)
    )
    assert missing == []


def test_wheel_holds_the_package_only(wheel_names):
    tops = {name.split("/")[0] for name in wheel_names}
    assert tops == {"advocacy_eval", f"advocacy_eval-{advocacy_eval.__version__}.dist-info"}


def test_wheel_metadata_names_the_version_and_the_command(wheel, wheel_names):
    info = f"advocacy_eval-{advocacy_eval.__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        meta = email.message_from_bytes(archive.read(f"{info}/METADATA"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert meta["Name"] == "advocacy-eval"
    assert meta["Version"] == advocacy_eval.__version__
    assert re.search(r"^advocacy-eval\s*=\s*advocacy_eval\.cli:main$", entry_points, re.M)
    assert meta["License-Expression"] == "MIT"
    assert f"{info}/licenses/LICENSE" in wheel_names  # the licence text travels with the code


_PROBE = """
import json, os
from advocacy_eval import paths
from advocacy_eval.reports.provenance import git_state
try:
    paths.resolve_data_dir("")
    sample_error = None
except FileNotFoundError as exc:
    sample_error = str(exc)
found = {
    "package": str(paths.package_dir()),
    "checkout": paths.source_checkout() and str(paths.source_checkout()),
    "notebooks_dir": str(paths.notebooks_dir()),
    "notebooks": sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb")),
    "mapping": paths.resource_path("mappings", "generic-fr.toml").is_file(),
    "git": git_state(),
    "sample_error": sample_error,
}
os.environ["ADVOCACY_EVAL_NOTEBOOKS"] = "/elsewhere/notebooks"
found["override"] = str(paths.notebooks_dir())
print(json.dumps(found))
"""


def test_installed_package_finds_its_files_through_importlib_resources(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVOCACY_EVAL_")}
    env["PYTHONPATH"] = str(site)  # ahead of the clone's editable install
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert Path(found["package"]) == site / "advocacy_eval"
    assert Path(found["notebooks_dir"]) == site / "advocacy_eval" / "notebooks"
    assert not Path(found["notebooks_dir"]).is_relative_to(ROOT)
    assert found["notebooks"] == sorted(p.name for p in (PACKAGE / "notebooks").glob("*.ipynb"))
    assert found["mapping"] is True
    assert found["checkout"] is None
    assert found["git"] is None  # an installed package reports no commit of any repository
    assert "advocacy-eval sample --out" in found["sample_error"]
    assert found["override"] == "/elsewhere/notebooks"


def test_in_the_clone_notebooks_are_package_data_behind_the_top_level_link(monkeypatch):
    monkeypatch.delenv("ADVOCACY_EVAL_NOTEBOOKS", raising=False)
    monkeypatch.delenv("ADVOCACY_EVAL_SAMPLE", raising=False)
    assert paths.source_checkout() == ROOT
    assert paths.notebooks_dir() == PACKAGE / "notebooks"
    link = ROOT / "notebooks"
    assert link.is_symlink() and os.readlink(link) == "src/advocacy_eval/notebooks"
    assert link.resolve() == (PACKAGE / "notebooks").resolve()
    assert paths.sample_data_dir() == ROOT / "data" / "sample"


def test_pytest_collects_each_notebook_once():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = config["tool"]["pytest"]["ini_options"]["testpaths"]
    counts: dict[Path, int] = {}
    for entry in testpaths:
        for nb in (ROOT / entry).rglob("*.ipynb"):
            if ".ipynb_checkpoints" not in nb.parts:
                counts[nb.resolve()] = counts.get(nb.resolve(), 0) + 1
    committed = {p.resolve() for p in (PACKAGE / "notebooks").glob("*.ipynb")}
    assert len(committed) == 4
    assert {nb: counts.get(nb, 0) for nb in committed} == dict.fromkeys(committed, 1)


def test_report_without_a_data_folder_names_the_sample_command_when_installed(monkeypatch, capsys):
    monkeypatch.setattr(paths, "source_checkout", lambda: None)
    monkeypatch.delenv("ADVOCACY_EVAL_SAMPLE", raising=False)
    assert cli.main(["report", "--all-waves"]) == 1
    err = capsys.readouterr().err
    assert "advocacy-eval sample --out" in err and "installed" in err


def test_sample_override_wins_over_the_clone(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVOCACY_EVAL_SAMPLE", str(tmp_path))
    assert paths.resolve_data_dir("") == tmp_path


def test_refresh_notebooks_never_rewrites_an_installed_package(monkeypatch):
    monkeypatch.setattr(runner, "source_checkout", lambda: None)
    monkeypatch.delenv("ADVOCACY_EVAL_NOTEBOOKS", raising=False)
    with pytest.raises(ReportError, match="installed"):
        runner.refresh_notebooks()


def test_provenance_records_no_commit_outside_a_clone(monkeypatch):
    monkeypatch.setattr(provenance, "source_checkout", lambda: None)
    assert provenance.git_state() is None
