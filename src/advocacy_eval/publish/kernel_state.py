"""Kernel side of a reused report kernel: warm it up once, put it back as new before each notebook.

A :class:`~advocacy_eval.publish.parallel.KernelSession` runs these functions
inside its Jupyter kernel, as silent requests (no execution count, no
output, nothing in the notebook):

- :func:`prepare`, once, right after the kernel starts: imports the modules
  the report notebooks import (pandas, matplotlib, seaborn, the package's
  analyses and reports), then records the global state a fresh kernel has
  after those imports (:func:`snapshot`);
- :func:`reset`, before every notebook: empties the user namespace
  (``%reset``, a new history session, execution count back to 1), closes
  every figure, and puts back the recorded global state (matplotlib's
  ``rcParams`` and unit converters, pandas' options, the warning filters,
  with the "already shown" registries forgotten, numpy's floating-point
  error handling, ``sys.path`` and the working directory).

So a notebook meets the kernel as a fresh kernel would leave it after the
imports: a report made in a reused kernel is the report made in a fresh one
(``tests/test_parallel_reports.py`` compares them). Nothing here is
imported by the package itself; only the kernel imports it.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings

MODULES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "pyarrow",
    "scipy.stats",
    "matplotlib.pyplot",
    "seaborn",
    "IPython.display",
    "advocacy_eval.io",
    "advocacy_eval.claims",
    "advocacy_eval.paths",
    "advocacy_eval.analyses.wave",
    "advocacy_eval.analyses.programme",
    "advocacy_eval.reports.display",
    "advocacy_eval.reports.i18n",
    "advocacy_eval.reports.figures",
    "advocacy_eval.reports.effect_figures",
    "advocacy_eval.reports.provenance",
    "advocacy_eval.reports.summary",
    "advocacy_eval.reports.vocabulary",
    "advocacy_eval.reports.wave",
    "advocacy_eval.reports.programme",
)
"""Modules imported once per kernel: what the report notebooks import, directly or not."""

_SNAPSHOT: dict = {}


def prepare(modules: tuple[str, ...] = MODULES) -> list[str]:
    """Import the report modules, then record the kernel's global state (:func:`snapshot`).

    A module that fails to import is skipped: the notebook that needs it
    then fails as it would in a fresh kernel.

    Parameters
    ----------
    modules : tuple of str
        Modules to import.

    Returns
    -------
    list of str
        The modules that could not be imported.
    """
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the notebook reports it itself
            missing.append(name)
    snapshot()
    return missing


def snapshot() -> None:
    """Record the global state that :func:`reset` puts back."""
    _SNAPSHOT.clear()
    _SNAPSHOT.update(warnings=list(warnings.filters), path=list(sys.path), cwd=os.getcwd())
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:
        import matplotlib.units

        _SNAPSHOT["rc"] = {
            key: value for key, value in matplotlib.rcParams.copy().items() if key != "backend"
        }
        _SNAPSHOT["units"] = dict(matplotlib.units.registry)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        _SNAPSHOT["numpy_errors"] = numpy.geterr()
    pandas = sys.modules.get("pandas")
    if pandas is not None:
        try:  # every registered option (display.*, mode.*...) and its value
            from pandas._config.config import _registered_options

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _SNAPSHOT["pandas"] = {key: pandas.get_option(key) for key in _registered_options}
        except Exception:
            pass


def reset(cwd: str) -> None:
    """Put the kernel back as :func:`prepare` left it, before the next notebook.

    Parameters
    ----------
    cwd : str
        Working directory of the next notebook (the templates' folder).
    """
    from IPython import get_ipython

    # warnings and floating-point errors first: what follows must not be turned into errors by the last notebook
    warnings.resetwarnings()  # also forgets which warnings were already shown, as in a fresh kernel
    warnings.filters[:] = _SNAPSHOT.get("warnings", warnings.filters)
    onceregistry = getattr(warnings, "onceregistry", None)
    if isinstance(onceregistry, dict):
        onceregistry.clear()
    if "numpy_errors" in _SNAPSHOT:
        import numpy

        numpy.seterr(**_SNAPSHOT["numpy_errors"])
    os.chdir(cwd)
    shell = get_ipython()
    if shell is not None:
        shell.reset(
            new_session=True
        )  # user namespace, outputs, history session (and a garbage collection)
    else:
        gc.collect()
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
    if "rc" in _SNAPSHOT:
        import matplotlib
        import matplotlib.units

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(_SNAPSHOT["rc"])
        matplotlib.units.registry.clear()
        matplotlib.units.registry.update(_SNAPSHOT["units"])
    if "pandas" in _SNAPSHOT:
        import pandas

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in _SNAPSHOT["pandas"].items():
                try:
                    if pandas.get_option(key) != value:
                        pandas.set_option(key, value)
                except Exception:
                    pass
    if "path" in _SNAPSHOT:
        sys.path[:] = _SNAPSHOT["path"]
    pyarrow = sys.modules.get("pyarrow")
    if pyarrow is not None:  # give the previous report's tables back to the system
        try:
            pyarrow.default_memory_pool().release_unused()
        except Exception:
            pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except Exception:
            pass
    if shell is not None:
        shell.execution_count = 1
