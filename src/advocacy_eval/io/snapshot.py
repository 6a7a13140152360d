"""Validated snapshots: a programme folder is parsed and validated once, then read back as Parquet.

After :func:`~advocacy_eval.io.load.load_programme` has validated a folder it
writes the typed tables as Parquet into a *snapshot* named by a key: the
SHA-256 of the input files' names and SHA-256 digests, of the validation
rules (the source of the modules that define them) and of the snapshot
format. Every later load of unchanged inputs under the same rules (each
notebook of a report run, the next run) hashes the files, finds the snapshot
and reads it instead of parsing and validating again. Changing one byte of
one input file, or a rule, changes the key: the next load validates again.

A snapshot validated on day D also holds for any later day (a date that was
not in the future on D is not in the future later); a load "as of" an
earlier day validates again.

Where: the folder named by ``ADVOCACY_EVAL_CACHE`` (``off`` disables
snapshots), else ``$XDG_CACHE_HOME/advocacy-eval/snapshots``, else
``~/.cache/advocacy-eval/snapshots``. Snapshots hold the programme's
pseudonymous personal data: the folder is created private to its owner
(``0700``, files ``0600``), never inside the data folder (raw input is
never modified), and only the :data:`KEEP` most recently used snapshots are
kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .. import __version__
from ..schema import Programme

__all__ = [
    "CACHE_ENV",
    "DIGESTS",
    "FORMAT",
    "KEEP",
    "MANIFEST",
    "cache_folder",
    "file_digest",
    "prune",
    "read_snapshot",
    "rules_digest",
    "snapshot_key",
    "write_snapshot",
]

CACHE_ENV = "ADVOCACY_EVAL_CACHE"
"""Environment variable naming the snapshot folder; ``off`` (or ``0``, ``no``, ``false``) disables snapshots."""

FORMAT = 1
"""Version of the snapshot layout; part of the key."""

KEEP = 4
"""Snapshots kept in the cache folder; the least recently used beyond this are removed."""

MANIFEST = "manifest.json"

DIGESTS = "digests.json"
"""File of the cache folder remembering each input's SHA-256 with the file's identity and times (see :func:`file_digest`)."""

RACY_NS = 2_000_000_000
"""A digest is remembered only for a file whose last change (``ctime``) is this much older than the hashing."""

_RULE_MODULES = ("schema.py", "io/load.py", "io/validate.py", "io/fast.py", "io/snapshot.py")
"""Modules whose source defines what "valid" means: a change to any of them changes every key."""

_OFF = {"off", "0", "no", "false", "none"}


def cache_folder(environ: Mapping[str, str] | None = None) -> Path | None:
    """The snapshot folder, or None when snapshots are off.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    value = env.get(CACHE_ENV, "").strip()
    if value.lower() in _OFF:
        return None
    if value:
        return Path(value).expanduser()
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "advocacy-eval" / "snapshots"


@functools.cache
def rules_digest() -> str:
    """SHA-256 of the package version and of the source of the modules defining the validation rules."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__}\n{FORMAT}\n".encode())
    for name in _RULE_MODULES:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def snapshot_key(sources: list[dict]) -> str:
    """Key of a snapshot: the rules' digest and each table's file name and SHA-256.

    Parameters
    ----------
    sources : list of dict
        One entry per table with keys ``table``, ``file`` and ``sha256``.
    """
    files = sorted((s["table"], s["file"], s["sha256"]) for s in sources)
    return hashlib.sha256(json.dumps([rules_digest(), files]).encode()).hexdigest()


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def file_digest(path: str | Path, cache: Path | None) -> str:
    """SHA-256 of a file's bytes, remembered in the cache folder while the file is unchanged.

    Every notebook of a report run loads the same files; hashing 500 MB of
    CSV costs about 0.7 s of CPU each time. The digest is stored in
    :data:`DIGESTS` with the file's device, inode, size, modification and
    change times, and reused only while all five are the same. Any write to
    the file sets its change time (``ctime``) to the time of the write, which
    no user command can set back; so a digest is remembered only when the
    file's ``ctime`` is at least :data:`RACY_NS` older than the hashing (a
    write in the same clock tick as the last one could otherwise go unseen,
    git's "racy" case). A file changed within two seconds of a load is
    therefore hashed every time.

    Parameters
    ----------
    path : str or Path
        File to hash.
    cache : Path or None
        Snapshot folder (:func:`cache_folder`); None: always hash.

    Returns
    -------
    str
        Hexadecimal SHA-256 of the file's bytes.
    """
    from .load import file_sha256

    path = Path(path)
    if cache is None:
        return file_sha256(path)
    name = str(path.resolve())
    before = _stamp(path.stat())
    entry = _read_digests(cache).get(name)
    if isinstance(entry, dict) and entry.get("stamp") == before and "sha256" in entry:
        return str(entry["sha256"])
    started = time.time_ns()
    digest = file_sha256(path)
    if _stamp(path.stat()) == before and before[4] < started - RACY_NS:
        _remember(cache, name, {"stamp": before, "sha256": digest})
    return digest


def _read_digests(cache: Path) -> dict:
    try:
        memo = json.loads((cache / DIGESTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def _remember(cache: Path, name: str, entry: dict, keep: int = 64) -> None:
    """Add one digest to :data:`DIGESTS` (atomically; the most recent ``keep`` files are kept)."""
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        memo = {k: v for k, v in _read_digests(cache).items() if k != name}
        memo = dict(list(memo.items())[-(keep - 1) :]) if keep > 1 else {}
        memo[name] = entry
        fd, tmp = tempfile.mkstemp(prefix=".digests-", dir=cache)  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(memo, handle)
            os.replace(tmp, cache / DIGESTS)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:  # a cache that cannot be written costs speed, never the load
        pass


def read_snapshot(cache: Path, key: str, as_of: pd.Timestamp) -> Programme | None:
    """The programme stored under ``key``, or None if there is none valid on ``as_of``.

    Parameters
    ----------
    cache : Path
        Snapshot folder (see :func:`cache_folder`).
    key : str
        See :func:`snapshot_key`.
    as_of : pandas.Timestamp
        Day of the load; a snapshot validated on a later day does not hold.
    """
    folder = cache / key
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("key") != key or pd.Timestamp(manifest["as_of"]) > as_of.normalize():
            return None
        # self_destruct: each Arrow column is freed once converted (lower peak, 3x faster on 8 M rows)
        tables = {
            t: pq.read_table(folder / f"{t}.parquet").to_pandas(
                self_destruct=True, split_blocks=True
            )
            for t in manifest["tables"]
        }
        os.utime(folder / MANIFEST)  # most recently used
    except (OSError, ValueError, KeyError, TypeError):
        return None
    except Exception:  # a damaged Parquet file (pyarrow raises its own types): validate again
        return None
    return Programme(
        waves=tables["waves"],
        employees=tables["employees"],
        posts=tables["posts"],
        activity=tables.get("activity"),
        sources=pd.DataFrame(manifest["sources"]),
    )


def write_snapshot(cache: Path, key: str, programme: Programme, as_of: pd.Timestamp) -> Path | None:
    """Store a validated programme under ``key`` (atomically); return its folder, or None if it cannot be written.

    A snapshot is an optimisation: a cache folder that cannot be written
    costs speed, never the run.

    Parameters
    ----------
    cache : Path
        Snapshot folder (created private to its owner if missing).
    key : str
        See :func:`snapshot_key`.
    programme : Programme
        The validated programme.
    as_of : pandas.Timestamp
        Day the programme was validated for.
    """
    target = cache / key
    tmp: Path | None = None
    try:
        cache.mkdir(parents=True, exist_ok=True, mode=0o700)
        if (target / MANIFEST).is_file():
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=cache))  # 0700
        tables = {
            "waves": programme.waves,
            "employees": programme.employees,
            "posts": programme.posts,
        }
        if programme.activity is not None:
            tables["activity"] = programme.activity
        for name, frame in tables.items():
            path = tmp / f"{name}.parquet"
            # whole tables are read back (no row-group filter): the columns' statistics would only
            # cost time (about a quarter of the write)
            frame.to_parquet(path, index=False, compression="lz4", write_statistics=False)
            os.chmod(path, 0o600)
        sources = programme.sources if programme.sources is not None else pd.DataFrame()
        manifest = {
            "format": FORMAT,
            "key": key,
            "as_of": as_of.strftime("%Y-%m-%d"),
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "version": __version__,
            "tables": list(tables),
            "sources": json.loads(sources.to_json(orient="records")),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        os.chmod(tmp / MANIFEST, 0o600)
        try:
            os.rename(tmp, target)
        except OSError:  # another run wrote the same snapshot first
            shutil.rmtree(tmp, ignore_errors=True)
        tmp = None
        prune(cache)
        return target
    except OSError:
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def prune(cache: Path, keep: int = KEEP) -> list[Path]:
    """Remove all but the ``keep`` most recently used snapshots (and leftovers of interrupted writes).

    Returns
    -------
    list of Path
        The folders removed.
    """
    removed: list[Path] = []
    snapshots = []
    for entry in cache.iterdir() if cache.is_dir() else []:
        manifest = entry / MANIFEST
        if entry.name.startswith("."):
            try:  # an interrupted write, an hour old
                if entry.stat().st_mtime < dt.datetime.now().timestamp() - 3600:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed.append(entry)
            except OSError:
                pass
        elif manifest.is_file():
            snapshots.append((manifest.stat().st_mtime, entry))
    for _mtime, entry in sorted(snapshots, reverse=True)[keep:]:
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed
