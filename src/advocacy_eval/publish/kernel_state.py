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
(``tests/test_parallel_reports.py`` compares them). The module imports
only the standard library at load time: report workers use
:func:`frozen_after_imports` for their own warm-up.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Iterator

__all__ = [
    "MODULES",
    "frozen_after_imports",
    "prefetch",
    "prepare",
    "reset",
    "snapshot",
]


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
    with frozen_after_imports():
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the notebook reports it itself
                missing.append(name)
    snapshot()
    return missing


@contextlib.contextmanager
def frozen_after_imports() -> Iterator[None]:
    """Import with the cyclic garbage collector paused, then freeze what the imports created.

    Importing pandas, scipy, matplotlib and the package creates a few hundred
    thousand long-lived objects; collections triggered while they are being
    created find nothing to free (0.2 s of CPU per kernel), and every later
    full collection (one per report, in :func:`reset`) would walk them again
    (0.1 s each). :func:`gc.freeze` moves them to a permanent generation
    that collections skip; objects created later are collected as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


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
    warnings.filters[:] = _SNAPSHOT.get("warnings", warnings.filters)  # type: ignore[index]
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
        with contextlib.suppress(Exception):
            pyarrow.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except Exception:
            pass
    if shell is not None:
        shell.execution_count = 1


def prefetch(data_dir: str, min_group_size: int = 5, control: str = "not_yet_treated") -> list[str]:
    """Fit the programme report's effects into the effect cache, from the last outcome backwards.

    Run by an idle worker's kernel while the programme report runs in
    another (:meth:`~advocacy_eval.publish.parallel.KernelSession.prefetch`);
    see :func:`advocacy_eval.analyses.programme.prefetch_effects`. Leaves
    nothing in the user namespace; the next notebook gets a reset kernel.

    Parameters
    ----------
    data_dir : str
        The programme report's data folder.
    min_group_size, control
        The programme report's parameters of the same names.

    Returns
    -------
    list of str
        The outcomes whose effect is stored.
    """
    from ..analyses.programme import prefetch_effects
    from ..io import load_programme
    from ..paths import resolve_data_dir

    programme = load_programme(resolve_data_dir(data_dir))
    try:
        return prefetch_effects(programme, min_group_size=min_group_size, control=control)
    finally:
        del programme
        gc.collect()
