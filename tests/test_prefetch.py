"""An idle report worker fits the programme report's effects ahead of it (the effect cache)."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

from advocacy_eval.analyses import effect_cache, measures
from advocacy_eval.analyses import programme as programme_module
from advocacy_eval.analyses.measures import MeasureContext
from advocacy_eval.analyses.programme import OUTCOME_ORDER, prefetch_effects, programme_results
from advocacy_eval.io import load_programme
from advocacy_eval.paths import sample_data_dir
from advocacy_eval.publish import runner
from advocacy_eval.publish.parallel import KernelSession, ReportPool

from .test_parallel_reports import PROGRAMME_PARAMS, WAVE_PARAMS, _notebook


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(folder))
    load_programme(sample_data_dir())  # validated once: the snapshot the effects go beside
    return folder


def _stored() -> int:
    folder = effect_cache.effects_folder()
    return len(list(folder.glob("*.pkl"))) if folder is not None and folder.exists() else 0


def test_prefetched_effects_are_the_ones_the_programme_report_reads(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    programme = load_programme(sample_data_dir())
    done = prefetch_effects(programme)
    assert done == [o for o in reversed(OUTCOME_ORDER) if o in done] and "posts" in done
    fits: list[str] = []
    real = measures.onboarding_effect
    monkeypatch.setattr(
        measures, "onboarding_effect", lambda p, o, **kw: fits.append(o) or real(p, o, **kw)
    )
    ctx = MeasureContext(load_programme(sample_data_dir()))
    for outcome in done:
        assert ctx.effect(outcome) is not None
    assert fits == [], "an effect prefetched was fitted again"
    # the whole programme report, after a prefetch: no effect, no diagnostic fitted again
    monkeypatch.setattr(
        programme_module, "bacon_decomposition", lambda *a, **k: fits.append("bacon")
    )
    monkeypatch.setattr(programme_module, "honest_bounds", lambda *a, **k: fits.append("honest"))
    results = programme_results(load_programme(sample_data_dir()))
    assert fits == [], f"fitted again after the prefetch: {fits}"
    assert results.bacon is not None and results.honest is not None
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    assert prefetch_effects(load_programme(sample_data_dir(), cache=False)) == []


def test_a_kernel_session_prefetches_then_runs_a_notebook(cache: Path, tmp_path: Path) -> None:
    stand_in = tmp_path / "nb" / "wave_report.ipynb"
    _notebook(stand_in, WAVE_PARAMS, "print('after the prefetch', wave)")
    with runner.current_kernel():
        session = KernelSession()
        try:
            session.prefetch({"data_dir": str(sample_data_dir()), "min_group_size": 5})
            session.execute(stand_in, tmp_path / "out.ipynb", {"wave": "W2"}, 60)
        finally:
            session.discard()
    assert _stored() >= 5
    assert "after the prefetch W2" in (tmp_path / "out.ipynb").read_text(encoding="utf-8")


def test_an_idle_worker_prefetches_while_the_programme_report_runs(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W1 is quick, the (stand-in) programme report slow and fitting nothing: the effects come from W1's worker."""
    notebooks = tmp_path / "nb"
    _notebook(notebooks / "wave_report.ipynb", WAVE_PARAMS, "print('wave', wave)")
    _notebook(  # waits (up to 2 minutes) for the effects the other worker stores
        notebooks / "programme_report.ipynb",
        PROGRAMME_PARAMS,
        "import time\n"
        "from advocacy_eval.analyses.effect_cache import effects_folder\n"
        "folder = effects_folder()\n"
        "deadline = time.monotonic() + 120\n"
        "while len(list(folder.glob('*.pkl'))) < 5 and time.monotonic() < deadline:\n"
        "    time.sleep(0.2)\n",
    )
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(notebooks))
    data = str(sample_data_dir())
    tasks = [runner.programme_task(data), runner.wave_task(data, "W1")]
    pool = ReportPool()
    try:
        done, failed = pool.run(tasks, tmp_path / "out", workers=2, forbidden=None, prefetch=True)
        pids = [p.pid for w in pool.pids for p in psutil.Process(w).children(recursive=True)]
    finally:
        started = time.monotonic()
        pool.close()
        closing = time.monotonic() - started
    assert list(done) == ["programme", "W1"] and failed == {}
    assert _stored() >= 5, "the idle worker fitted nothing"
    assert closing < 15
    assert not [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]


def test_closing_stops_a_worker_in_the_middle_of_a_prefetch(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch ends while the idle worker is still fitting: closing does not wait for the fits."""
    notebooks = tmp_path / "nb"
    _notebook(notebooks / "wave_report.ipynb", WAVE_PARAMS, "print('wave', wave)")
    _notebook(notebooks / "programme_report.ipynb", PROGRAMME_PARAMS, "import time; time.sleep(4)")
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(notebooks))
    data = str(sample_data_dir())
    pool = ReportPool()
    try:
        done, failed = pool.run(
            [runner.programme_task(data), runner.wave_task(data, "W1")],
            tmp_path / "out",
            workers=2,
            forbidden=None,
            prefetch=True,
        )
    finally:
        started = time.monotonic()
        pool.close()
        closing = time.monotonic() - started
    assert list(done) == ["programme", "W1"] and failed == {}
    assert closing < 10
    assert pool.size == 0
