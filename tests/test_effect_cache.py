"""Fitted effects stored beside the snapshot: reused by the next report, refitted on any change."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.analyses import effect_cache, measures
from advocacy_eval.analyses.measures import MeasureContext
from advocacy_eval.io import load_programme
from advocacy_eval.paths import sample_data_dir


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Snapshots (and effects) in a fresh folder; the list of effects actually fitted."""
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    fits: list[str] = []
    real = measures.onboarding_effect

    def counting(panel, outcome, **kwargs):
        fits.append(f"{outcome}/{kwargs.get('anticipation')}")
        return real(panel, outcome, **kwargs)

    monkeypatch.setattr(measures, "onboarding_effect", counting)
    return fits


def _same(a, b) -> None:
    for name in ("overall", "event_study", "by_group", "group_time", "pretrend"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(getattr(a, name)), pd.DataFrame(getattr(b, name)), check_exact=True
        )


def test_a_second_report_reads_the_fitted_effect(counted: list[str]) -> None:
    load_programme(sample_data_dir())  # validates and writes the snapshot
    first = MeasureContext(load_programme(sample_data_dir())).effect("posts")
    assert counted == ["posts/0"]
    second = MeasureContext(load_programme(sample_data_dir())).effect("posts")
    assert counted == ["posts/0"], "the same effect was fitted twice"
    assert first is not None and second is not None
    _same(first, second)
    assert second.result is None  # only the tables are stored


def test_other_settings_or_data_fit_again(counted: list[str]) -> None:
    programme = load_programme(sample_data_dir())
    MeasureContext(programme).effect("posts")
    MeasureContext(programme, anticipation=1).effect("posts")
    MeasureContext(programme, control="never_treated").effect("posts")
    MeasureContext(programme).effect("impressions")
    assert counted == ["posts/0", "posts/1", "posts/0", "impressions/0"]
    # the same data rebuilt in memory (no file, no snapshot): read, not fitted
    rebuilt = replace(programme, activity=programme.activity.copy(), sources=None)
    MeasureContext(rebuilt).effect("posts")
    assert len(counted) == 4
    # one value changed in place, or a row left out: fitted again
    edited = programme.activity.copy()
    edited.loc[edited.index[10], "posts"] = edited.loc[edited.index[10], "posts"] + 1
    MeasureContext(replace(programme, activity=edited)).effect("posts")
    MeasureContext(replace(programme, activity=programme.activity.iloc[1:])).effect("posts")
    assert len(counted) == 6
    programme.activity.loc[programme.activity.index[0], "posts"] += 1  # the loaded frame itself
    MeasureContext(programme).effect("posts")
    assert len(counted) == 7


def test_a_damaged_file_is_fitted_again(counted: list[str]) -> None:
    programme = load_programme(sample_data_dir())
    first = MeasureContext(programme).effect("posts")
    folder = effect_cache.effects_folder()
    assert folder is not None
    stored = list(folder.glob("*.pkl"))
    assert len(stored) == 1 and oct(stored[0].stat().st_mode & 0o777) == "0o600"
    stored[0].write_bytes(b"not a pickle")
    again = MeasureContext(programme).effect("posts")
    assert counted == ["posts/0", "posts/0"]
    _same(first, again)


def test_nothing_is_stored_when_snapshots_are_off_or_a_panel_is_given(
    counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from advocacy_eval.panel import build_panel

    programme = load_programme(sample_data_dir())
    panel = build_panel(programme)
    MeasureContext(programme, panel=panel).effect("posts")
    MeasureContext(programme, panel=panel).effect("posts")
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    assert effect_cache.effects_folder() is None
    MeasureContext(programme).effect("posts")
    MeasureContext(programme).effect("posts")
    assert counted == ["posts/0"] * 4


def test_the_data_digest_sees_every_kind_of_column() -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "c"], dtype="string"),
            "count": pd.Series([1, None, 3], dtype="Int64"),
            "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
            "flag": pd.Series([True, None, False], dtype="boolean"),
            "label": pd.Series(["x", "y", "x"], dtype="category"),
            "other": pd.Series([{"a": 1}, None, 2], dtype=object),
        }
    )
    programme = load_programme(sample_data_dir())
    base = effect_cache.data_digest(replace(programme, activity=frame))
    assert base == effect_cache.data_digest(replace(programme, activity=frame.copy()))
    for column, value in [
        ("text", "b"),
        ("count", 2),
        ("when", pd.Timestamp("2024-02-01")),
        ("flag", True),
        ("label", "x"),
        ("other", 3),
    ]:
        changed = frame.copy()
        changed.loc[1, column] = value
        assert effect_cache.data_digest(replace(programme, activity=changed)) != base, column
    assert effect_cache.data_digest(replace(programme, activity=frame.iloc[:2])) != base
    renamed = frame.rename(columns={"count": "counts"})
    assert effect_cache.data_digest(replace(programme, activity=renamed)) != base


def test_old_files_are_pruned(tmp_path: Path) -> None:
    import os

    for i in range(5):
        path = tmp_path / f"{i}.pkl"
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    stale = tmp_path / ".effect-abc"
    stale.write_bytes(b"x")
    os.utime(stale, (1_000_000, 1_000_000))
    removed = effect_cache.prune(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == [".effect-abc", "0.pkl", "1.pkl", "2.pkl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["3.pkl", "4.pkl"]


def test_the_key_changes_with_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    key = effect_cache.effect_key(kind="effect", outcome="posts")
    assert key == effect_cache.effect_key(kind="effect", outcome="posts")
    assert key != effect_cache.effect_key(kind="effect", outcome="impressions")
    monkeypatch.setattr(effect_cache, "code_digest", lambda: "other code")
    assert key != effect_cache.effect_key(kind="effect", outcome="posts")


def test_the_programme_diagnostics_are_stored_and_read_back(
    counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from advocacy_eval.analyses import programme as programme_module
    from advocacy_eval.analyses.programme import programme_results

    calls: list[str] = []
    for name in ("twfe_estimate", "bacon_decomposition", "honest_bounds"):
        real = getattr(programme_module, name)
        monkeypatch.setattr(
            programme_module,
            name,
            lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k),
        )
    load_programme(sample_data_dir())
    first = programme_results(load_programme(sample_data_dir()))
    assert sorted(calls) == ["bacon_decomposition", "honest_bounds", "twfe_estimate"]
    fitted = len(counted)
    second = programme_results(load_programme(sample_data_dir()))
    assert len(calls) == 3 and len(counted) == fitted, "the second report fitted again"
    pd.testing.assert_frame_equal(pd.DataFrame(first.twfe), pd.DataFrame(second.twfe))
    pd.testing.assert_frame_equal(
        pd.DataFrame(first.honest.table), pd.DataFrame(second.honest.table)
    )
    assert first.bacon.twfe == second.bacon.twfe
    pd.testing.assert_frame_equal(first.bacon.by_type, second.bacon.by_type)
    # another control group: the bounds are fitted again
    programme_results(load_programme(sample_data_dir()), control="never_treated")
    assert calls.count("honest_bounds") == 2


# ----------------------------------------------------------------------------- one fit at a time


def _fit_in_child(folder: str, key: str, log: str, seconds: float, started: str) -> None:
    """Child process: ``cached`` a slow fit that logs when it starts and ends."""
    import time as _time

    def fit() -> str:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"start {key} {_time.monotonic()}\n")
        Path(started).touch()
        _time.sleep(seconds)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"end {key} {_time.monotonic()}\n")
        return f"value of {key}"

    value = effect_cache.cached(Path(folder), key, fit)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"got {key} {value}\n")


def _run_children(tmp_path: Path, keys: list[str], seconds: float = 0.6) -> list[list[str]]:
    import multiprocessing
    import time

    ctx = multiprocessing.get_context("fork")
    folder, log = tmp_path / "effects", tmp_path / "log.txt"
    children = []
    for i, key in enumerate(keys):
        started = tmp_path / f"started-{i}"
        child = ctx.Process(
            target=_fit_in_child, args=(str(folder), key, str(log), seconds, str(started))
        )
        child.start()
        children.append(child)
        if i == 0:  # the first child holds the turn before the others ask for it
            deadline = time.monotonic() + 30
            while not started.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    return [line.split() for line in log.read_text(encoding="utf-8").splitlines()]


def test_reports_fitting_the_same_estimate_at_once_fit_it_once(tmp_path: Path) -> None:
    lines = _run_children(tmp_path, ["k1", "k1", "k1"])
    assert [line[:2] for line in lines if line[0] == "start"] == [["start", "k1"]]
    assert (
        sorted(" ".join(line) for line in lines if line[0] == "got") == ["got k1 value of k1"] * 3
    )


def test_different_estimates_are_fitted_at_the_same_time(tmp_path: Path) -> None:
    lines = _run_children(tmp_path, ["a", "b"], seconds=1.0)
    spans = {}
    for kind, key, *rest in lines:
        if kind in ("start", "end"):
            spans.setdefault(key, {})[kind] = float(rest[0])
    assert sorted(spans) == ["a", "b"]
    first, second = sorted(spans.values(), key=lambda s: s["start"])
    assert second["start"] < first["end"], "one estimate waited for another"


def test_a_fit_inside_a_fit_does_not_wait_for_itself(tmp_path: Path) -> None:
    folder = tmp_path / "effects"
    inner = effect_cache.cached(
        folder, "outer", lambda: effect_cache.cached(folder, "inner", lambda: 2) + 1
    )
    assert inner == 3
    assert effect_cache.cached(folder, "inner", lambda: 99) == 2  # stored by the nested call


def test_the_turn_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    import multiprocessing
    import signal
    import time

    folder = tmp_path / "effects"
    ctx = multiprocessing.get_context("fork")
    started = tmp_path / "started"
    holder = ctx.Process(
        target=_fit_in_child, args=(str(folder), "slow", str(tmp_path / "log"), 60.0, str(started))
    )
    holder.start()
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists()
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    t0 = time.monotonic()
    assert effect_cache.cached(folder, "slow", lambda: "fitted") == "fitted"  # its turn, now free
    assert time.monotonic() - t0 < 5


def test_old_lock_files_no_one_holds_are_pruned(tmp_path: Path) -> None:
    import fcntl
    import time

    folder = tmp_path / "effects"
    folder.mkdir()
    old, held, fresh = (
        folder / f".{name}{effect_cache.LOCK_SUFFIX}" for name in ("old", "held", "fresh")
    )
    for path in (old, held, fresh):
        path.touch()
    two_hours_ago = time.time() - 7200
    for path in (old, held):
        os.utime(path, (two_hours_ago, two_hours_ago))
    fd = os.open(held, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        removed = effect_cache.prune(folder)
    finally:
        os.close(fd)
    assert old in removed and not old.exists()
    assert held.exists() and fresh.exists()


def test_memory_is_given_back_after_a_fit_not_after_a_stored_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fit's transient copies go back to the system at once, so a kernel does not hold them while the next report peaks."""
    released: list[int] = []
    monkeypatch.setattr(
        effect_cache, "release_memory", lambda generation=2: released.append(generation)
    )
    fits: list[int] = []

    def fit() -> int:
        fits.append(1)
        return 42

    assert effect_cache.cached(tmp_path, "k" * 64, fit) == 42
    assert fits == [1] and released == [1]
    assert (
        effect_cache.cached(tmp_path, "k" * 64, fit) == 42
    )  # stored: no fit, nothing to give back
    assert fits == [1] and released == [1]
