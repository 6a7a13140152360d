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


# ----------------------------------------------------------------------------- public API: __all__


def _public_modules() -> list[str]:
    """Every module of the package whose dotted name has no part starting with ``_``."""
    import pkgutil

    import advocacy_eval

    names = ["advocacy_eval"]
    for info in pkgutil.walk_packages(advocacy_eval.__path__, "advocacy_eval."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _defined_public_names(path: Path) -> tuple[list[str], list[str]]:
    """Public (not ``_``-prefixed) names defined at a module's top level: (functions and classes, others)."""
    import ast

    defs, others = [], []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defs.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            others += [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return (
        [n for n in dict.fromkeys(defs) if not n.startswith("_")],
        [n for n in dict.fromkeys(others) if not n.startswith("_")],
    )


def _all_problems(module) -> list[str]:
    """What is wrong with a module's ``__all__``: missing, a name it lacks, a function or class it forgets.

    Constants may stay out of ``__all__`` (module settings); public functions and classes may not.
    """
    defs, others = _defined_public_names(Path(module.__file__))
    exported = getattr(module, "__all__", None)
    name = module.__name__
    if exported is None:
        return [f"{name}: no __all__"] if defs or others else []
    problems = [
        f"{name}: __all__ lists {n!r}, not defined" for n in exported if not hasattr(module, n)
    ]
    if len(set(exported)) != len(exported):
        problems.append(f"{name}: __all__ repeats a name")
    problems += [f"{name}: {n!r} is public but not in __all__" for n in defs if n not in exported]
    return problems


def test_every_public_module_declares_its_api_in_all() -> None:
    """Each public module lists its public names in ``__all__``, and each listed name exists.

    A package ``__init__`` that defines no public name (only a docstring, or ``__version__``) needs no
    ``__all__``: its modules are its API.
    """
    import importlib

    modules = _public_modules()
    assert len(modules) > 50 and "advocacy_eval.io.load" in modules, modules
    problems = [p for name in modules for p in _all_problems(importlib.import_module(name))]
    assert not problems, "\n".join(problems)


def test_the_all_check_catches_a_missing_or_wrong_all(tmp_path, monkeypatch) -> None:
    import importlib

    for name, text in {
        "probe_no_all": "def f():\n    pass\n",
        "probe_ghost": "__all__ = ['f', 'g']\n\ndef f():\n    pass\n",
        "probe_forgot": "__all__ = ['f']\n\ndef f():\n    pass\n\nclass C:\n    pass\n",
        "probe_ok": "__all__ = ['f']\n\nLIMIT = 3\n_private = 1\n\ndef f():\n    pass\n",
        "probe_constants": "LIMIT = 3\n",
    }.items():
        (tmp_path / f"{name}.py").write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    problems = {
        name: _all_problems(importlib.import_module(name))
        for name in ("probe_no_all", "probe_ghost", "probe_forgot", "probe_ok", "probe_constants")
    }
    assert problems == {
        "probe_no_all": ["probe_no_all: no __all__"],
        "probe_ghost": ["probe_ghost: __all__ lists 'g', not defined"],
        "probe_forgot": ["probe_forgot: 'C' is public but not in __all__"],
        "probe_ok": [],
        "probe_constants": ["probe_constants: no __all__"],
    }
