"""The data folder as an import target: snapshots, merge, validation, atomic commit.

Layout written by the importers (see ``docs/importing.md``)::

    DATA_DIR/
      waves.csv employees.csv posts.csv activity.csv   canonical tables (latest values)
      history/<table>.csv                             every snapshot: canonical columns + export_date + source_sha256
      aliases.csv                                      pseudonym of a secondary identifier -> employee_id
      raw/<sha256[:12]>_<file name>                    each imported file, byte for byte
      import_log.csv                                   one row per imported file

Merge rule, per table and key (``post_id``; ``employee_id`` + ``month``;
``employee_id``; ``wave_id``): a snapshot at least as recent (export date) as
every stored snapshot of that key updates the values it carries and keeps the
others; an older snapshot only fills values still missing; a key never seen is
added; nothing is ever removed. Two snapshots of one key with the same export
date and different values are a conflict, reported, never resolved silently.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import FAILURE_COLUMNS, DataValidationError
from ...schema import COLUMNS, REQUIRED_TABLES, TABLES
from ..load import load_programme, parse_table, read_raw, schema_failures
from ..validate import cross_table_failures
from .parsing import ImportRefused, Problems

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "waves": ("wave_id",),
    "employees": ("employee_id",),
    "posts": ("post_id",),
    "activity": ("employee_id", "month"),
}
"""Key of each canonical table: the columns that identify one row."""

HISTORY_DIR = "history"
RAW_DIR = "raw"
LOG_FILE = "import_log.csv"
ALIASES_FILE = "aliases.csv"
LOCK_FILE = ".import.lock"
STAGE_PREFIX = ".import-stage-"

LOG_COLUMNS: tuple[str, ...] = (
    "imported_at", "kind", "file", "raw_file", "sha256", "bytes", "encoding", "lang", "date_order",
    "export_date", "export_date_source", "rows_read", "tables", "added", "updated", "unchanged", "notes",
)
"""Columns of ``import_log.csv``."""

SNAPSHOT_COLUMNS = ("export_date", "source_sha256")


def canonical_names(table: str) -> list[str]:
    """Canonical column names of a table, in order."""
    return [c.name for c in COLUMNS[table]]


def format_canonical(typed: pd.DataFrame, table: str) -> pd.DataFrame:
    """Write typed canonical columns as the text stored in CSV (missing = NA).

    Dates ``YYYY-MM-DD``, date-times ``YYYY-MM-DD HH:MM:SS``, months as their
    first day, counts as whole numbers, booleans ``True``/``False``.
    """
    out = {}
    for col in COLUMNS[table]:
        values = typed[col.name] if col.name in typed.columns else pd.Series(pd.NA, index=typed.index)
        if col.kind in ("date", "month", "datetime"):
            stamp = pd.to_datetime(values, errors="coerce")
            fmt = "%Y-%m-%d %H:%M:%S" if col.kind == "datetime" else "%Y-%m-%d"
            text = stamp.dt.strftime(fmt).astype("string")
        elif col.kind == "count":
            text = pd.to_numeric(values, errors="coerce").astype("Int64").astype("string")
        elif col.kind == "bool":
            text = values.astype("boolean").map({True: "True", False: "False"}).astype("string")
        else:
            text = values.astype("string").str.strip()
            text = text.mask(text == "")
        out[col.name] = text.astype(object).where(text.notna(), None)
    return pd.DataFrame(out, index=typed.index)


def _stamp(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n", na_rep="").encode("utf-8")


@dataclass
class FolderState:
    """The data folder's tables as text (what the CSV files hold), history, aliases and log.

    Attributes
    ----------
    folder : Path
        The data folder.
    tables : dict
        Canonical table -> text frame (canonical columns first, extra columns kept).
    history : dict
        Table -> snapshot frame (canonical columns, ``export_date``, ``source_sha256``).
    aliases : pandas.DataFrame
        Columns ``alias`` and ``employee_id``.
    log : pandas.DataFrame
        The import log.
    changed : set of str
        Relative paths whose content changed in this import.
    """

    folder: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    history: dict[str, pd.DataFrame] = field(default_factory=dict)
    aliases: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["alias", "employee_id"], dtype=object))
    log: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(LOG_COLUMNS), dtype=object))
    changed: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, folder: Path) -> FolderState:
        """Read the current state of a data folder (which may be empty).

        Raises
        ------
        ImportRefused
            If a table is stored as Parquet (imports write CSV).
        DataValidationError
            If an existing table cannot be parsed (fix it first with ``validate``).
        """
        state = cls(folder)
        problems: list[dict] = []
        for table in TABLES:
            if (folder / f"{table}.parquet").exists():
                raise ImportRefused(f"{folder / (table + '.parquet')}: imports write CSV tables; convert the "
                                    f"Parquet file to {table}.csv (or import into another folder)")
            path = folder / f"{table}.csv"
            if path.exists():
                state.tables[table] = _read_text_table(path, table, problems)
            hist = folder / HISTORY_DIR / f"{table}.csv"
            if hist.exists():
                frame = read_raw(hist).astype(object)
                for name in canonical_names(table):  # a column added to the schema since the last import
                    if name not in frame.columns:
                        frame[name] = None
                state.history[table] = frame.where(frame.notna(), None)
        if problems:
            failures = pd.DataFrame(problems, columns=list(FAILURE_COLUMNS))
            failures["row"] = failures["row"].astype("Int64")
            raise DataValidationError(failures, f"{folder} (the existing tables; fix them before importing)")
        if (folder / ALIASES_FILE).exists():
            state.aliases = read_raw(folder / ALIASES_FILE).astype(object)
        if (folder / LOG_FILE).exists():
            log = read_raw(folder / LOG_FILE).astype(object)
            state.log = log.where(log.notna(), None)
        return state

    def imported_hashes(self) -> set[str]:
        """SHA-256 of every file already imported."""
        return set(self.log["sha256"].dropna().astype(str)) if len(self.log) else set()

    def source_names(self) -> dict[str, str]:
        """SHA-256 -> original file name, from the log."""
        if not len(self.log):
            return {}
        return dict(zip(self.log["sha256"].astype(str), self.log["file"].astype(str)))

    def employee_ids(self) -> set[str] | None:
        """Employee ids of the current roster, or None when there is no roster yet."""
        emp = self.tables.get("employees")
        return None if emp is None else set(emp["employee_id"].dropna().astype(str))

    def resolve_aliases(self, ids: pd.Series) -> pd.Series:
        """Map pseudonyms of secondary identifiers (profile URL, staff number) to employee ids."""
        if not len(self.aliases):
            return ids
        table = dict(zip(self.aliases["alias"].astype(str), self.aliases["employee_id"].astype(str)))
        return ids.map(lambda v: table.get(v, v) if isinstance(v, str) else v)


def _read_text_table(path: Path, table: str, problems: list[dict]) -> pd.DataFrame:
    raw = read_raw(path)
    parsed, failures = parse_table(raw, table, path.name, True)
    problems += failures
    text = format_canonical(parsed, table)
    extra = [c for c in parsed.columns if c not in text.columns]
    out = pd.concat([text, parsed[extra].astype(object)], axis=1)
    return out.where(out.notna(), None)


@dataclass
class MergeCounts:
    """Rows added, updated and unchanged by one snapshot."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: MergeCounts) -> MergeCounts:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def merge_snapshot(state: FolderState, table: str, rows: pd.DataFrame, export_date: pd.Timestamp, sha256: str,
                   file_label: str, problems: Problems) -> MergeCounts:
    """Merge one file's rows (typed canonical columns) into ``state``.

    Parameters
    ----------
    state : FolderState
        Updated in place (``tables``, ``history``, ``changed``).
    table : str
        Canonical table.
    rows : pandas.DataFrame
        The file's rows, keys unique (the importers check it).
    export_date : pandas.Timestamp
        When the file was exported: orders snapshots.
    sha256 : str
        Hash of the file, recorded with each snapshot.
    file_label : str
        File name for messages.
    problems : Problems
        Where conflicts are reported.

    Returns
    -------
    MergeCounts
    """
    key = list(TABLE_KEYS[table])
    names = canonical_names(table)
    new = format_canonical(rows, table).reset_index(drop=True)
    counts = MergeCounts()
    if new.empty:
        return counts
    stamp = _stamp(export_date)
    hist = state.history.get(table)
    if hist is not None and len(hist):
        same = hist[hist["export_date"].astype(str) == stamp]
        if len(same):
            joined = new.merge(same, on=key, how="inner", suffixes=("", "_old"))
            for col in names:
                if col in key:
                    continue
                a, b = joined[col], joined[f"{col}_old"]
                differs = ~((a.isna() & b.isna()) | (a.astype(str) == b.astype(str)))
                names_by_sha = state.source_names()
                for idx in joined.index[differs.to_numpy()]:
                    sha = str(joined.at[idx, "source_sha256"])
                    other = names_by_sha.get(sha, sha[:12])
                    problems.add(file_label, f"duplicate id with conflicting values: {other} has the same key "
                                 f"and the same export date ({stamp}) but {col} = {b.at[idx]}; give one of "
                                 "the files another export date", column=col,
                                 value=f"{'/'.join(str(joined.at[idx, k]) for k in key)}: {a.at[idx]}")
        latest = hist.groupby(key, dropna=False)["export_date"].max().astype(str)
        latest_map = new[key].merge(latest.reset_index(), on=key, how="left")["export_date"]
        newer = latest_map.isna() | (latest_map.astype(str) <= stamp)
    else:
        newer = pd.Series(True, index=new.index)
    current = state.tables.get(table)
    if current is None:
        current = pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    base = current.set_index(key)
    newer_rows = new[newer.to_numpy()].set_index(key)
    older_rows = new[~newer.to_numpy()].set_index(key)
    merged = newer_rows.combine_first(base) if len(newer_rows) else base.copy()
    if len(older_rows):
        merged = merged.combine_first(older_rows)
    merged = merged.reindex(columns=[c for c in base.columns] + [c for c in merged.columns if c not in base.columns])
    existing = base.index
    incoming = new.set_index(key).index
    is_new = ~incoming.isin(existing)
    counts.added = int(is_new.sum())
    old_keys = incoming[~is_new]
    if len(old_keys):
        before = base.loc[old_keys, [c for c in names if c not in key]].astype(object)
        after = merged.loc[old_keys, [c for c in names if c not in key]].astype(object)
        same = (before.isna() & after.isna()) | (before.astype(str) == after.astype(str))
        row_same = same.all(axis=1).to_numpy()
        counts.unchanged = int(row_same.sum())
        counts.updated = int((~row_same).sum())
    result = merged.reset_index()
    result = result[[*names, *[c for c in result.columns if c not in names]]]
    result = result.sort_values(key, kind="stable").reset_index(drop=True)
    state.tables[table] = result.astype(object).where(result.notna(), None)
    snap = new.copy()
    snap["export_date"] = stamp
    snap["source_sha256"] = sha256
    hist_all = snap if hist is None or not len(hist) else pd.concat([hist, snap], ignore_index=True)
    hist_all = hist_all.sort_values([*key, "export_date"], kind="stable").reset_index(drop=True)
    state.history[table] = hist_all.astype(object).where(hist_all.notna(), None)
    if counts.added or counts.updated:
        state.changed.add(f"{table}.csv")
    state.changed.add(f"{HISTORY_DIR}/{table}.csv")
    return counts


def add_aliases(state: FolderState, aliases: pd.DataFrame, file_label: str, problems: Problems) -> None:
    """Add ``alias -> employee_id`` pairs; an alias pointing at two employees is a conflict."""
    if aliases is None or aliases.empty:
        return
    combined = pd.concat([state.aliases, aliases[["alias", "employee_id"]]], ignore_index=True).drop_duplicates()
    clash = combined[combined.duplicated("alias", keep=False)]
    if len(clash):
        problems.add(file_label, "one identifier (profile URL or staff number) belongs to two employees in the "
                     f"roster history ({clash['alias'].nunique()} case(s)); fix the roster", column="alias")
        return
    combined = combined.sort_values(["alias"], kind="stable").reset_index(drop=True)
    if len(combined) != len(state.aliases):
        state.aliases = combined
        state.changed.add(ALIASES_FILE)


# --------------------------------------------------------------------------- validation


def _empty_typed(table: str) -> pd.DataFrame:
    raw = pd.DataFrame({c: pd.Series(dtype=object) for c in canonical_names(table)})
    return parse_table(raw, table, f"{table}.csv")[0]


def validate_tables(folder: Path, as_of: pd.Timestamp, what: str) -> None:
    """Validate the canonical CSV tables found in ``folder`` (a staging copy).

    When waves, employees and posts all exist, :func:`load_programme` runs
    (every column and cross-table rule). Otherwise each table present is
    checked with its pandera schema and the cross-table rules that do not need
    the missing tables.

    Raises
    ------
    DataValidationError
        Rows are line numbers of the resulting tables.
    """
    present = [t for t in TABLES if (folder / f"{t}.csv").exists()]
    if all(t in present for t in REQUIRED_TABLES):
        try:
            load_programme(folder, as_of=as_of)
        except DataValidationError as exc:
            raise DataValidationError(exc.failures, what) from None
        return
    failures: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    for table in present:
        path = folder / f"{table}.csv"
        parsed, parse_fail = parse_table(read_raw(path), table, path.name, True)
        seen = {(f["row"], f["column"]) for f in parse_fail}
        failures += parse_fail + schema_failures(parsed, table, path.name, True, seen)
        tables[table] = parsed
    names = {t: f"{t}.csv" for t in TABLES}
    if "waves" in tables and "employees" in tables:
        view = {t: tables.get(t, _empty_typed(t)) for t in ("waves", "employees", "posts")}
        failures += cross_table_failures(view, names, {t: True for t in TABLES}, as_of)
    else:
        failures += _partial_rules(tables, as_of)
    if failures:
        frame = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        raise DataValidationError(frame, what)


def _partial_rules(tables: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> list[dict]:
    """Cross-column rules of posts and activity that need no roster (before the roster is imported)."""
    out: list[dict] = []
    end_of_today = as_of.normalize() + pd.Timedelta(days=1)

    def rows(table: str, mask: pd.Series, column: str, rule: str) -> None:
        df = tables[table]
        m = mask.fillna(False).astype(bool).to_numpy()
        for p in np.flatnonzero(m):
            out.append({"file": f"{table}.csv", "row": int(p) + 2, "column": column, "rule": rule,
                        "value": df[column].iloc[p]})

    if "posts" in tables:
        posts = tables["posts"]
        rows("posts", posts["members_reached"] > posts["impressions"], "members_reached",
             "members_reached must be <= impressions")
        for term in ("reactions", "comments", "reposts", "clicks"):
            rows("posts", posts[term] > posts["impressions"], term, f"{term} must be <= impressions")
        rows("posts", posts["published_at"] >= end_of_today, "published_at", "date is in the future")
    if "activity" in tables:
        act = tables["activity"]
        rows("activity", act["members_reached"] > act["impressions"], "members_reached",
             "members_reached must be <= impressions")
        rows("activity", act["month"] >= end_of_today, "month", "date is in the future")
    return out


# --------------------------------------------------------------------------- atomic writes


class FolderLock:
    """Exclusive lock on a data folder for the duration of one import (``.import.lock``).

    Creates the folder when needed and, if the import fails, removes it again
    when this lock created it, so that a failed import leaves no trace.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created = False

    def __enter__(self) -> FolderLock:
        if self.folder.exists() and not self.folder.is_dir():
            raise ImportRefused(f"{self.folder} exists and is not a folder")
        if not self.folder.exists():
            self.folder.mkdir(parents=True)
            self.created = True
        try:
            fd = os.open(self.folder / LOCK_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if self.created:
                shutil.rmtree(self.folder, ignore_errors=True)
            raise ImportRefused(f"another import into {self.folder} is running (or one was interrupted: "
                                f"if none is running, delete {self.folder / LOCK_FILE})") from None
        os.close(fd)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for stale in self.folder.glob(STAGE_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.unlink(self.folder / LOCK_FILE)
        except FileNotFoundError:
            pass
        if exc_type is not None and self.created:
            shutil.rmtree(self.folder, ignore_errors=True)


class Stage:
    """Files written for one import, staged inside the data folder and moved into place together.

    Every new or changed file is first written under ``DATA_DIR/.import-stage-*``;
    :meth:`commit` then moves each into place with :func:`os.replace`
    (atomic per file), the import log last. If a move fails, the files already
    moved are put back from backups, so the folder is as before.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / f"{STAGE_PREFIX}{uuid.uuid4().hex[:12]}"
        self.files: dict[str, Path] = {}
        (self.root / "new").mkdir(parents=True)

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Stage a file's new content."""
        target = self.root / "new" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files[rel] = target

    def copy(self, rel: str, source: Path) -> None:
        """Stage a byte-for-byte copy of a file."""
        target = self.root / "new" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        self.files[rel] = target

    def view(self) -> Path:
        """A folder holding the canonical tables as they will be after the commit (for validation)."""
        view = self.root / "view"
        view.mkdir(exist_ok=True)
        for table in TABLES:
            rel = f"{table}.csv"
            src = self.files.get(rel, self.folder / rel)
            if src.exists():
                shutil.copyfile(src, view / rel)
        return view

    def commit(self) -> None:
        """Move every staged file into place; on failure, restore what was moved."""
        order = sorted(self.files, key=lambda rel: (rel == LOG_FILE, rel))
        backup = self.root / "backup"
        done: list[tuple[str, Path | None]] = []
        try:
            for rel in order:
                target = self.folder / rel
                saved = None
                if target.exists():
                    saved = backup / rel
                    saved.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(target, saved)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.files[rel], target)
                done.append((rel, saved))
        except BaseException:
            for rel, saved in reversed(done):
                target = self.folder / rel
                if saved is not None:
                    os.replace(saved, target)
                else:
                    target.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Remove the staging folder."""
        shutil.rmtree(self.root, ignore_errors=True)


def cleanup_empty_dirs(folder: Path, names: tuple[str, ...] = (RAW_DIR, HISTORY_DIR)) -> None:
    """Remove the sub-folders an import created but left empty."""
    for name in names:
        path = folder / name
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def table_bytes(state: FolderState, rel: str) -> bytes:
    """Serialised content of one state file (table, history, aliases or log)."""
    if rel == ALIASES_FILE:
        return _to_csv(state.aliases[["alias", "employee_id"]])
    if rel == LOG_FILE:
        return _to_csv(state.log[list(LOG_COLUMNS)])
    if rel.startswith(HISTORY_DIR + "/"):
        table = rel.split("/", 1)[1].removesuffix(".csv")
        hist = state.history[table]
        cols = [*canonical_names(table), *SNAPSHOT_COLUMNS]
        return _to_csv(hist[cols + [c for c in hist.columns if c not in cols]])
    table = rel.removesuffix(".csv")
    return _to_csv(state.tables[table])


def now_utc() -> str:
    """Current UTC time, ``YYYY-MM-DDTHH:MM:SSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nonempty(values: np.ndarray | pd.Series) -> bool:
    """Whether any value is present."""
    return bool(pd.Series(values).notna().any())
