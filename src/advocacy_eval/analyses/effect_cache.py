"""Fitted onboarding effects kept on disk: each is fitted once per data, settings and code.

The reports of one ``report --all-waves`` run each build their own
:class:`~advocacy_eval.analyses.measures.MeasureContext`, in separate
kernels, and several of them fit the same estimates: every wave report fits
the programme-wide effect on posts (and its anticipation sensitivity), and
the programme report fits it again. On 200,000 employees one fit costs
several seconds. A fitted estimate is a deterministic function of its data,
its settings and the code, so it is stored, keyed by all three, and read
back by the next report (and the next run on unchanged inputs) instead of
being fitted again.

What the key holds (:func:`effect_key`):

- the *content* of the tables the employee x month panel is built from
  (:func:`data_digest`: employees, waves, and activity, or posts when there
  is no activity table), hashed from their memory buffers when the context
  is created. A programme filtered, edited in place or rebuilt in memory has
  another digest; nothing depends on file names or on how the data were
  loaded;
- what is fitted: the kind of estimate, the outcome, the comparison group,
  the anticipation, the covariates and the waves;
- the SHA-256 of the whole package's source and the versions of diff-diff,
  numpy, pandas, scipy and statsmodels: any change of code fits again.

Where: ``effects/`` in the snapshot folder (:func:`~advocacy_eval.io.snapshot.cache_folder`:
private to its owner, off with ``ADVOCACY_EVAL_CACHE=off``); the
:data:`KEEP` most recently used files are kept. Only what the reports keep is
stored: the effect's tables (estimates, intervals, counts per cohort and
period), never the diff-diff result nor per-employee influence functions. A
file that cannot be read is ignored and the estimate fitted again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import __version__
from ..io.snapshot import cache_folder
from ..memory import release_memory
from ..schema import Programme

__all__ = [
    "EFFECTS",
    "KEEP",
    "LOCK_SUFFIX",
    "cached",
    "code_digest",
    "data_digest",
    "effect_key",
    "effects_folder",
    "fit_turn",
    "prune",
]

EFFECTS = "effects"
"""Sub-folder of the snapshot folder holding fitted effects."""

KEEP = 512
"""Fitted estimates kept; the least recently used beyond this are removed."""

_VERSIONED = ("diff-diff", "numpy", "pandas", "scipy", "statsmodels")

T = TypeVar("T")


@functools.cache
def code_digest() -> str:
    """SHA-256 of the package version, the source of every module and the numeric libraries' versions."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode() + b"\0")
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _VERSIONED:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def _update_array(digest: Any, array: pa.Array) -> None:
    """Feed an Arrow array's type, position and buffers (its dictionary too) to ``digest``."""
    digest.update(f"{array.type}|{array.offset}|{len(array)}|{array.null_count}\0".encode())
    for buffer in array.buffers():
        digest.update(b"-" if buffer is None else memoryview(buffer))
    if pa.types.is_dictionary(array.type):
        _update_array(digest, array.dictionary)


def _update_series(digest: Any, values: pd.Series) -> None:
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "biufmM":
        data = np.ascontiguousarray(values.to_numpy())
        digest.update(f"{data.dtype}|{len(data)}\0".encode())
        digest.update(data.view(np.uint8).data)
        return
    arrow = None
    if not (isinstance(values.dtype, np.dtype) and values.dtype.kind == "O"):
        with contextlib.suppress(pa.ArrowException, TypeError, ValueError):
            arrow = pa.array(values.array)  # extension arrays: text, masked, categorical, dates
    if arrow is None:  # object columns: hashed value by value (slower, rare)
        try:
            hashed = pd.util.hash_pandas_object(values, index=False).to_numpy()
        except TypeError:  # unhashable values (lists, dicts): their pickled form
            digest.update(pickle.dumps(values.tolist(), protocol=4))
            return
        digest.update(f"object|{len(hashed)}\0".encode())
        digest.update(np.ascontiguousarray(hashed).view(np.uint8).data)
        return
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        _update_array(digest, chunk)


def data_digest(programme: Programme) -> str:
    """SHA-256 of the content of the tables the employee x month panel is built from.

    Employees, waves, and activity (or posts when the programme has no
    activity table): column names, dtypes and every value, read from the
    columns' memory buffers (about 0.6 s for 6 M activity rows).

    Parameters
    ----------
    programme : Programme
        The programme the estimates are fitted on.
    """
    digest = hashlib.sha256()
    tables = {"employees": programme.employees, "waves": programme.waves}
    if programme.activity is not None:
        tables["activity"] = programme.activity
    else:
        tables["posts"] = programme.posts
    for name, frame in tables.items():
        digest.update(f"{name}|{len(frame)}\0".encode())
        for column in frame.columns:
            digest.update(f"{column}|{frame[column].dtype}\0".encode())
            _update_series(digest, frame[column])
    return digest.hexdigest()


def effects_folder() -> Path | None:
    """Folder of the stored estimates, or None when snapshots are off (``ADVOCACY_EVAL_CACHE=off``)."""
    cache = cache_folder()
    return None if cache is None else cache / EFFECTS


def effect_key(**what: object) -> str:
    """Key of one fitted estimate: what is fitted (JSON-serialisable values) and :func:`code_digest`.

    Parameters
    ----------
    **what
        The estimate's description: data digest, kind, outcome, control,
        anticipation, covariates, waves...
    """
    text = json.dumps([code_digest(), sorted(what.items())], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cached(folder: Path | None, key: str, fit: Callable[[], T]) -> T:
    """``fit()``, or the value stored under ``key`` in ``folder`` by an earlier call.

    Parameters
    ----------
    folder : Path or None
        :func:`effects_folder` (None: always fit, store nothing).
    key : str
        :func:`effect_key`.
    fit : callable
        Computes the value (picklable) when it is not stored.

    Returns
    -------
    object
        The value.
    """
    if folder is None:
        return fit()
    path = folder / f"{key}.pkl"
    found, value = _stored(path, key)
    if found:
        return value
    with fit_turn(folder, key):
        found, value = _stored(path, key)  # fitted by another report while this one waited
        if found:
            return value
        value = fit()
        release_memory(generation=1)  # the fit's transient copies: back to the system, not kept
        if _store(folder, path, {"key": key, "value": value}):
            prune(folder)
    return value


def _stored(path: Path, key: str) -> tuple[bool, Any]:
    """Whether ``path`` holds the value of ``key``, and that value."""
    with contextlib.suppress(Exception):  # missing, damaged or from another layout: fit again
        with open(path, "rb") as handle:
            stored = pickle.load(handle)
        if isinstance(stored, dict) and stored.get("key") == key:
            with contextlib.suppress(OSError):
                os.utime(path)  # most recently used
            return True, stored["value"]
    return False, None


LOCK_SUFFIX = ".lock"
"""Suffix of an estimate's lock file in the effects folder (``.<key>.lock``, see :func:`fit_turn`)."""

_turn_held = False  # this process is fitting an estimate (a fit inside a fit does not wait)


@contextlib.contextmanager
def fit_turn(folder: Path, key: str) -> Iterator[bool]:
    """Hold the turn to fit the estimate ``key``: one process at a time fits it, the others then read it.

    The reports of a run run in parallel kernels and several need the same
    estimate at the same moment (every wave report and the programme report
    start with the programme-wide effect on posts). Without a turn each would
    fit it, each with diff-diff's memory peak (about 0.6 GB at 200,000
    employees); with it, the first fits and stores it and the others, which
    waited, read it (:func:`cached` looks again once it has the turn).
    Different estimates are fitted at the same time (taking turns across all
    estimates kept the peaks apart but cost a quarter of the run's time on
    two cores, ``docs/scaling.md``).

    The lock is an advisory ``flock`` on ``.<key>.lock``, released by the
    system when its holder ends, even killed (a kernel stopped by the cell
    time limit). A process waits for no turn while holding one (a fit inside
    a fit goes ahead), so turns cannot deadlock. Where locks are not
    available (another system, a folder that cannot be written) the fit goes
    ahead at once.

    Parameters
    ----------
    folder : Path
        The effects folder.
    key : str
        :func:`effect_key`.

    Yields
    ------
    bool
        Whether this process holds the turn (False: no lock was available).
    """
    global _turn_held
    if _turn_held:
        yield True
        return
    try:
        import fcntl

        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder / f".{key}{LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    except (ImportError, OSError):
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            got = True
        except OSError:
            got = False
        _turn_held = got
        try:
            yield got
        finally:
            _turn_held = False
            if got:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _unlink_unheld(path: Path) -> bool:
    """Remove a lock file no process holds (a process that opened it just before still fits correctly)."""
    try:
        import fcntl

        fd = os.open(path, os.O_RDWR)
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False
    try:
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _store(folder: Path, path: Path, payload: dict[str, Any]) -> bool:
    """Write ``payload`` to ``path`` atomically (``0600``); a folder that cannot be written costs speed only."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".effect-", dir=folder)  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def prune(folder: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the ``keep`` most recently used estimates, and temporary files an hour old.

    Returns
    -------
    list of Path
        The files removed.
    """
    removed: list[Path] = []
    stored = []
    hour_ago = time.time() - 3600
    for entry in folder.iterdir() if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            mtime = entry.stat().st_mtime
            if entry.name.startswith(".effect-"):
                if mtime < hour_ago:  # left by a kernel stopped in the middle of a write
                    entry.unlink()
                    removed.append(entry)
            elif entry.name.endswith(LOCK_SUFFIX) and mtime < hour_ago and _unlink_unheld(entry):
                removed.append(entry)
            elif entry.suffix == ".pkl":
                stored.append((mtime, entry))
    for _mtime, entry in sorted(stored, reverse=True)[keep:]:
        with contextlib.suppress(OSError):
            entry.unlink()
            removed.append(entry)
    return removed
