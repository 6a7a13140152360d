"""The layers are one-way: import-linter contracts (pyproject.toml) run as a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "advocacy_eval"


def test_import_linter_contracts_are_kept(monkeypatch, capsys) -> None:
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 broken" in out and "BROKEN" not in out


def test_a_forbidden_import_is_caught(tmp_path, monkeypatch, capsys) -> None:
    """The contract can fail: an analyses module importing the report layer breaks it."""
    from importlinter.cli import lint_imports

    pkg = tmp_path / "layered_probe"
    for sub in ("analyses", "reports"):
        (pkg / sub).mkdir(parents=True)
        (pkg / sub / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "analyses" / "bad.py").write_text("from ..reports import x\n")
    (pkg / "reports" / "x.py").write_text("")
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = layered_probe\n\n[importlinter:contract:layers]\n"
        "name = layers\ntype = layers\nlayers =\n    layered_probe.reports\n    layered_probe.analyses\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert lint_imports(config_filename=str(config), no_cache=True) == 1
    assert "BROKEN" in capsys.readouterr().out


@pytest.mark.parametrize(
    "pattern, home",
    [
        (r'return "supported" if', "claims.py"),  # the verdict rule
        (r"hide\.sum\(\) < 2", "privacy/suppression.py"),  # secondary suppression
        (r"unknown wave \{", "schema.py"),  # the unknown-wave check
    ],
)
def test_each_rule_lives_in_exactly_one_place(pattern: str, home: str) -> None:
    found = sorted(
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if re.search(pattern, p.read_text())
    )
    assert found == [home], found


def test_the_version_lives_in_one_place() -> None:
    """``pyproject.toml`` reads the version from the package; the installed metadata agrees; CHANGELOG.md exists."""
    import importlib.metadata
    import tomllib

    import advocacy_eval

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "advocacy_eval.__version__"
    }
    assert importlib.metadata.version("advocacy-eval") == advocacy_eval.__version__
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
