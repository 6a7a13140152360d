"""A report worker process imports what publishing needs, not the analysis stack.

Each ``report --all-waves`` worker is a new interpreter (``advocacy_eval.publish.parallel``):
every module it imports costs CPU on both cores while the kernels start. The
analysis stack (pandera, IPython, matplotlib, scipy, statsmodels) is the kernel's
business; the worker only executes notebooks and exports HTML.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "pandas",
    "pandera",
    "IPython",
    "matplotlib",
    "seaborn",
    "scipy",
    "statsmodels",
    "diff_diff",
)

_CODE = """
import json, sys
sys.modules.setdefault("rfc3987_syntax", None)  # as worker_main does
from advocacy_eval.publish.parallel import _warm_up_exporter, worker_main
_warm_up_exporter()
from advocacy_eval.reports.i18n import fmt_date, t
t("generated", "fr", when="2026-01-01", version="0")
fmt_date("2026-01-31", "fr")
print(json.dumps(sorted(m for m in %r if m in sys.modules)))
"""


def test_a_warmed_up_worker_has_not_imported_the_analysis_stack() -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-c", _CODE % (HEAVY,)], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_fmt_date_still_formats_pandas_values() -> None:
    import pandas as pd

    from advocacy_eval.reports.i18n import fmt_date

    assert fmt_date(pd.Timestamp("2024-07-01"), "fr") == "1er juil. 2024"
    assert fmt_date(pd.NaT, "en") == "–"
    assert fmt_date(pd.NA, "en") == "–"
    assert fmt_date(None, "fr") == "–"


def test_imports_are_frozen_and_the_collector_restored() -> None:
    """Objects made while importing are moved out of later collections; the collector runs again after."""
    import gc

    import pytest

    from advocacy_eval.publish.kernel_state import frozen_after_imports

    code = (
        "import gc, json\n"
        "from advocacy_eval.publish.kernel_state import frozen_after_imports\n"
        "before = gc.get_freeze_count()\n"
        "with frozen_after_imports():\n"
        "    during = gc.isenabled()\n"
        "    import fractions, decimal\n"
        "print(json.dumps([before, gc.get_freeze_count(), during, gc.isenabled()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True
    )
    before, after, during, enabled = json.loads(done.stdout.strip().splitlines()[-1])
    assert after > before and during is False and enabled is True
    # an import that fails still gives the collector back
    assert gc.isenabled()
    with pytest.raises(ImportError), frozen_after_imports():
        import advocacy_eval_no_such_module  # noqa: F401
    assert gc.isenabled()
    gc.unfreeze()  # the test process's objects go back to the collector
