"""Settings shared by every test of the run: the tests in ``tests/`` and the package's doctests.

(Fixtures of the tests themselves are in ``tests/conftest.py``.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_snapshot_cache(tmp_path_factory: pytest.TempPathFactory):
    """Validated snapshots go to a folder of this test session, never the user's cache (kernels inherit it)."""
    folder = tmp_path_factory.mktemp("snapshots")
    previous = os.environ.get("ADVOCACY_EVAL_CACHE")
    os.environ["ADVOCACY_EVAL_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("ADVOCACY_EVAL_CACHE", None)
    else:
        os.environ["ADVOCACY_EVAL_CACHE"] = previous


_PACKAGE = Path(__file__).resolve().parent / "src" / "advocacy_eval"


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Doctests (``--doctest-modules``) of the package's own modules only.

    Not of the tests' helper modules and scripts (``tests/install_check.py``,
    ``tests/data/exports/make_fixtures.py``...): importing a script to look for examples is not a
    test of anything.
    """
    from _pytest.doctest import DoctestModule

    collectors = yield
    if file_path.suffix == ".py" and _PACKAGE not in file_path.resolve().parents:
        collectors = [c for c in collectors if not isinstance(c, DoctestModule)]
    return collectors
