"""The data folder as an import target: snapshots, merge, validation, atomic commit.

Layout written by the importers (see ``docs/importing.md``)::

    DATA_DIR/
      waves.csv employees.csv posts.csv activity.csv   canonical tables (latest values)
      history/<table>.csv                             every snapshot: canonical columns + export_date + source_sha256
      aliases.csv                                      pseudonym of a secondary identifier -> employee_id
      raw/<sha256[:12]>_<file name>                    each imported file, byte for byte (mode <= 0600)
      linkedin/<table>.csv                             what LinkedIn exports hold beyond the canonical tables:
                                                       page followers and daily page metrics, member exports'
                                                       daily rows, periods and top posts (latest export wins)
      review/classification_<date>_<kind>_<sha>.csv    what each imported post was classified as, and why
      import_log.csv                                   one row per imported file
      .import.lock .import-journal.json                only during an import, or after one was killed
      .import-rollback.json .import-stage-*/           until the next command completes or undoes it

Merge rule, per table and key (``post_id``; ``employee_id`` + ``month``;
``employee_id``; ``wave_id``): a snapshot at least as recent (export date) as
every stored snapshot of that key updates the values it carries and keeps the
others; an older snapshot only fills values still missing; a key never seen is
added; nothing is ever removed. Two snapshots of one key with the same export
date and different values are a conflict, reported, never resolved silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import FAILURE_COLUMNS, AdvocacyEvalError, DataValidationError
from ...schema import COLUMNS, REQUIRED_TABLES, TABLES
from ..load import load_programme, parse_table, read_raw, schema_failures
from ..validate import cross_table_failures
from .parsing import ImportRefused, Problems

__all__ = [
    "ALIASES_FILE",
    "AUX_TABLES",
    "CRASH_ENV",
    "CRASH_STEPS",
    "HISTORY_DIR",
    "JOURNAL_FILE",
    "LINKEDIN_DIR",
    "LOCK_FILE",
    "LOG_COLUMNS",
    "LOG_FILE",
    "PERSONAL_FILE_MODE",
    "PRIVATE_DIR_MODE",
    "RAW_DIR",
    "REVIEW_DIR",
    "ROLLBACK_FILE",
    "SNAPSHOT_COLUMNS",
    "STAGE_PREFIX",
    "TABLE_KEYS",
    "AuxTable",
    "FolderLock",
    "FolderState",
    "ImportWriteError",
    "MergeCounts",
    "Stage",
    "add_aliases",
    "canonical_names",
    "cleanup_empty_dirs",
    "crash_point",
    "format_aux",
    "format_canonical",
    "merge_latest",
    "merge_snapshot",
    "nonempty",
    "now_utc",
    "recover",
    "recover_interrupted_import",
    "replace_derived",
    "table_bytes",
    "typed_aux",
    "validate_tables",
]

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

LINKEDIN_DIR = "linkedin"
REVIEW_DIR = "review"

LOG_COLUMNS: tuple[str, ...] = (
    "imported_at",
    "kind",
    "file",
    "raw_file",
    "sha256",
    "bytes",
    "encoding",
    "lang",
    "date_order",
    "export_date",
    "export_date_source",
    "rows_read",
    "tables",
    "added",
    "updated",
    "unchanged",
    "notes",
    "period_start",
    "period_end",
)
"""Columns of ``import_log.csv`` (``period_start``/``period_end``: the days the file covers, when it says)."""


@dataclass(frozen=True)
class AuxTable:
    """A table of ``DATA_DIR/linkedin/``: what LinkedIn exports hold beyond the canonical tables.

    Attributes
    ----------
    name : str
        File name without ``.csv``.
    key : tuple of str
        Columns identifying a row; the latest export of a key wins.
    columns : dict
        Every column (key first) -> kind: ``text``, ``date``, ``count`` or ``bool``.
    meaning : str
        What a row is.
    """

    name: str
    key: tuple[str, ...]
    columns: dict[str, str]
    meaning: str

    @property
    def rel(self) -> str:
        """Path relative to the data folder."""
        return f"{LINKEDIN_DIR}/{self.name}.csv"


AUX_TABLES: dict[str, AuxTable] = {
    t.name: t
    for t in (
        AuxTable(
            "page_followers",
            ("page_id", "date"),
            {"page_id": "text", "date": "date", "followers": "count", "new_followers": "count"},
            "the page's followers at the end of a day, rebuilt from a followers export (today's total minus "
            "the new followers of the later days; unfollows are not reported, so a lower bound)",
        ),
        AuxTable(
            "page_daily",
            ("page_id", "date"),
            {
                "page_id": "text",
                "date": "date",
                "impressions_organic": "count",
                "impressions_sponsored": "count",
                "impressions_total": "count",
                "unique_impressions_organic": "count",
                "clicks_total": "count",
                "reactions_total": "count",
                "comments_total": "count",
                "reposts_total": "count",
            },
            "one day of the page content export's Metrics sheet (daily unique impressions: never add them up)",
        ),
        AuxTable(
            "member_daily",
            ("employee_id", "date"),
            {
                "employee_id": "text",
                "date": "date",
                "impressions": "count",
                "engagements": "count",
                "new_followers": "count",
                "followers": "count",
            },
            "one day of a member creator export (ENGAGEMENT and FOLLOWERS; followers rebuilt backwards from "
            "the export's total)",
        ),
        AuxTable(
            "member_periods",
            ("employee_id", "start", "end"),
            {
                "employee_id": "text",
                "start": "date",
                "end": "date",
                "impressions": "count",
                "members_reached": "count",
                "engagements": "count",
                "followers_total": "count",
                "followers_on": "date",
                "top_posts_listed": "count",
                "top_posts_capped": "bool",
            },
            "one member creator export: its period and DISCOVERY figures (members reached is unique over the "
            "period only)",
        ),
        AuxTable(
            "member_top_posts",
            ("employee_id", "post_id"),
            {
                "employee_id": "text",
                "post_id": "text",
                "published_on": "date",
                "impressions": "count",
                "engagements": "count",
            },
            "a post listed in a member export's TOP POSTS (at most 50 per table)",
        ),
    )
}
"""Tables of ``DATA_DIR/linkedin/``, by name."""

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
        values = (
            typed[col.name] if col.name in typed.columns else pd.Series(pd.NA, index=typed.index)
        )
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
    aux : dict
        Table of ``linkedin/`` (:data:`AUX_TABLES`) -> text frame (its columns, ``export_date``,
        ``source_sha256``).
    files : dict
        Other files this import writes (review CSVs), by relative path.
    """

    folder: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    history: dict[str, pd.DataFrame] = field(default_factory=dict)
    aliases: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["alias", "employee_id"], dtype=object)
    )
    log: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(LOG_COLUMNS), dtype=object)
    )
    changed: set[str] = field(default_factory=set)
    aux: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

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
                raise ImportRefused(
                    f"{folder / (table + '.parquet')}: imports write CSV tables; convert the "
                    f"Parquet file to {table}.csv (or import into another folder)"
                )
            path = folder / f"{table}.csv"
            if path.exists():
                state.tables[table] = _read_text_table(path, table, problems)
            hist = folder / HISTORY_DIR / f"{table}.csv"
            if hist.exists():
                frame = read_raw(hist).astype(object)
                for name in canonical_names(
                    table
                ):  # a column added to the schema since the last import
                    if name not in frame.columns:
                        frame[name] = None
                state.history[table] = frame.where(frame.notna(), None)
        if problems:
            failures = pd.DataFrame(problems, columns=list(FAILURE_COLUMNS))
            failures["row"] = failures["row"].astype("Int64")
            raise DataValidationError(
                failures, f"{folder} (the existing tables; fix them before importing)"
            )
        if (folder / ALIASES_FILE).exists():
            state.aliases = read_raw(folder / ALIASES_FILE).astype(object)
        if (folder / LOG_FILE).exists():
            log = read_raw(folder / LOG_FILE).astype(object)
            for name in LOG_COLUMNS:  # a log written before a column was added
                if name not in log.columns:
                    log[name] = None
            state.log = log.where(log.notna(), None)
        for name, spec in AUX_TABLES.items():
            if (folder / spec.rel).exists():
                frame = read_raw(folder / spec.rel).astype(object)
                for col in [*spec.columns, *SNAPSHOT_COLUMNS]:
                    if col not in frame.columns:
                        frame[col] = None
                state.aux[name] = frame.where(frame.notna(), None)
        return state

    def aux_typed(self, name: str) -> pd.DataFrame:
        """A table of ``linkedin/`` with typed columns (dates, Int64 counts, booleans); empty when absent."""
        return typed_aux(self.aux.get(name), name)

    def imported_hashes(self) -> set[str]:
        """SHA-256 of every file already imported."""
        return set(self.log["sha256"].dropna().astype(str)) if len(self.log) else set()

    def source_names(self) -> dict[str, str]:
        """SHA-256 -> original file name, from the log."""
        if not len(self.log):
            return {}
        return dict(zip(self.log["sha256"].astype(str), self.log["file"].astype(str), strict=True))

    def employee_ids(self) -> set[str] | None:
        """Employee ids of the current roster, or None when there is no roster yet."""
        emp = self.tables.get("employees")
        return None if emp is None else set(emp["employee_id"].dropna().astype(str))

    def resolve_aliases(self, ids: pd.Series) -> pd.Series:
        """Map pseudonyms of secondary identifiers (profile URL, staff number) to employee ids."""
        if not len(self.aliases):
            return ids
        table = dict(
            zip(
                self.aliases["alias"].astype(str),
                self.aliases["employee_id"].astype(str),
                strict=True,
            )
        )
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


def merge_snapshot(
    state: FolderState,
    table: str,
    rows: pd.DataFrame,
    export_date: pd.Timestamp,
    sha256: str,
    file_label: str,
    problems: Problems,
) -> MergeCounts:
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
        # this very file's snapshot is never stored twice (history written without its log row by an
        # interrupted import of an older version would otherwise be duplicated when the file is re-imported)
        hist = hist[hist["source_sha256"].astype(str) != sha256].reset_index(drop=True)
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
                    problems.add(
                        file_label,
                        f"duplicate id with conflicting values: {other} has the same key "
                        f"and the same export date ({stamp}) but {col} = {b.at[idx]}; give one of "
                        "the files another export date",
                        column=col,
                        value=f"{'/'.join(str(joined.at[idx, k]) for k in key)}: {a.at[idx]}",
                    )
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
    merged = merged.reindex(
        columns=list(base.columns) + [c for c in merged.columns if c not in base.columns]
    )
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


def add_aliases(
    state: FolderState, aliases: pd.DataFrame, file_label: str, problems: Problems
) -> None:
    """Add ``alias -> employee_id`` pairs; an alias pointing at two employees is a conflict."""
    if aliases is None or aliases.empty:
        return
    combined = pd.concat(
        [state.aliases, aliases[["alias", "employee_id"]]], ignore_index=True
    ).drop_duplicates()
    clash = combined[combined.duplicated("alias", keep=False)]
    if len(clash):
        problems.add(
            file_label,
            "one identifier (profile URL or staff number) belongs to two employees in the "
            f"roster history ({clash['alias'].nunique()} case(s)); fix the roster",
            column="alias",
        )
        return
    combined = combined.sort_values(["alias"], kind="stable").reset_index(drop=True)
    if len(combined) != len(state.aliases):
        state.aliases = combined
        state.changed.add(ALIASES_FILE)


def format_aux(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    """Typed rows of a ``linkedin/`` table as the text stored in CSV (missing = None)."""
    spec = AUX_TABLES[name]
    out = {}
    for col, kind in spec.columns.items():
        values = rows[col] if col in rows.columns else pd.Series(pd.NA, index=rows.index)
        if kind == "date":
            text = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d").astype("string")
        elif kind == "count":
            text = pd.to_numeric(values, errors="coerce").astype("Int64").astype("string")
        elif kind == "bool":
            text = values.astype("boolean").map({True: "True", False: "False"}).astype("string")
        else:
            text = values.astype("string").str.strip()
        out[col] = text.astype(object).where(text.notna(), None)
    return pd.DataFrame(out, index=rows.index)


def typed_aux(frame: pd.DataFrame | None, name: str) -> pd.DataFrame:
    """Text rows of a ``linkedin/`` table (as stored) with typed columns; an empty typed frame for None."""
    spec = AUX_TABLES[name]
    if frame is None:
        frame = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in [*spec.columns, *SNAPSHOT_COLUMNS]}
        )
    out = {}
    for col, kind in spec.columns.items():
        values = (
            frame[col] if col in frame.columns else pd.Series(None, index=frame.index, dtype=object)
        )
        if kind == "date":
            out[col] = pd.to_datetime(values, errors="coerce", format="%Y-%m-%d").astype(
                "datetime64[ns]"
            )
        elif kind == "count":
            out[col] = pd.to_numeric(values, errors="coerce").astype("Int64")
        elif kind == "bool":
            out[col] = values.map({"True": True, "False": False, True: True, False: False}).astype(
                "boolean"
            )
        else:
            out[col] = values.astype("string")
    for col in SNAPSHOT_COLUMNS:
        out[col] = (
            frame[col] if col in frame.columns else pd.Series(None, index=frame.index)
        ).astype("string")
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def merge_latest(
    state: FolderState, name: str, rows: pd.DataFrame, export_date: pd.Timestamp, sha256: str
) -> MergeCounts:
    """Merge one file's rows into a ``linkedin/`` table: per key, the latest export wins.

    A key never seen is added; a key already stored is replaced by this file's row when this file's
    export date is at least as recent as the stored row's (at the same date, the file imported last
    wins), else kept. This very file's rows are never stored twice.

    Parameters
    ----------
    state : FolderState
        Updated in place (``aux``, ``changed``).
    name : str
        Table of :data:`AUX_TABLES`.
    rows : pandas.DataFrame
        Typed rows, keys unique.
    export_date : pandas.Timestamp
        The file's export date.
    sha256 : str
        The file's hash (``source_sha256``).

    Returns
    -------
    MergeCounts
    """
    spec = AUX_TABLES[name]
    key = list(spec.key)
    values = [c for c in spec.columns if c not in key]
    new = format_aux(rows.reset_index(drop=True), name)
    counts = MergeCounts()
    if new.empty:
        return counts
    new["export_date"] = _stamp(export_date)
    new["source_sha256"] = sha256
    current = state.aux.get(name)
    if current is None:
        current = pd.DataFrame(
            {c: pd.Series(dtype=object) for c in [*spec.columns, *SNAPSHOT_COLUMNS]}
        )
    current = current[current["source_sha256"].astype(str) != sha256]
    old = current.set_index(key)
    combined = pd.concat([current.assign(_new=0), new.assign(_new=1)], ignore_index=True)
    combined = combined.sort_values(["export_date", "_new"], kind="stable")
    kept = combined.drop_duplicates(key, keep="last")
    incoming = new.set_index(key).index
    is_new = ~incoming.isin(old.index)
    counts.added = int(is_new.sum())
    if (~is_new).any():
        keys = incoming[~is_new]
        won = kept.set_index(key).loc[keys, "_new"].to_numpy() == 1
        before = old.loc[keys, values].astype(object)
        after = new.set_index(key).loc[keys, values].astype(object)
        same = (
            ((before.isna() & after.isna()) | (before.astype(str) == after.astype(str)))
            .all(axis=1)
            .to_numpy()
        )
        counts.updated = int((won & ~same).sum())
        counts.unchanged = int((~(won & ~same)).sum())
    result = kept.drop(columns="_new").sort_values(key, kind="stable").reset_index(drop=True)
    result = result[[*spec.columns, *SNAPSHOT_COLUMNS]]
    state.aux[name] = result.astype(object).where(result.notna(), None)
    state.changed.add(spec.rel)
    return counts


def replace_derived(
    state: FolderState,
    table: str,
    rows: pd.DataFrame,
    export_date: pd.Timestamp,
    sha256: str,
) -> MergeCounts:
    """Write rows derived from everything imported so far (activity from member exports) into a table.

    The derived rows are recomputed from the ``linkedin/`` tables, which already hold the latest
    export of every day: they replace the stored values of their keys (values they leave empty keep
    the stored ones) whatever their export date, and are recorded in ``history/`` with this file's
    export date and hash.

    Parameters
    ----------
    state : FolderState
        Updated in place.
    table : str
        Canonical table.
    rows : pandas.DataFrame
        Typed canonical rows, keys unique.
    export_date : pandas.Timestamp
        Export date of the file that triggered the recomputation.
    sha256 : str
        Its hash.

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
    current = state.tables.get(table)
    if current is None:
        current = pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    base = current.set_index(key)
    incoming = new.set_index(key)
    merged = incoming.combine_first(base)
    merged = merged.reindex(
        columns=list(base.columns) + [c for c in merged.columns if c not in base.columns]
    )
    is_new = ~incoming.index.isin(base.index)
    counts.added = int(is_new.sum())
    old_keys = incoming.index[~is_new]
    if len(old_keys):
        value_cols = [c for c in names if c not in key]
        before = base.loc[old_keys, value_cols].astype(object)
        after = merged.loc[old_keys, value_cols].astype(object)
        same = (
            ((before.isna() & after.isna()) | (before.astype(str) == after.astype(str)))
            .all(axis=1)
            .to_numpy()
        )
        counts.unchanged = int(same.sum())
        counts.updated = int((~same).sum())
    result = merged.reset_index()
    result = result[[*names, *[c for c in result.columns if c not in names]]]
    result = result.sort_values(key, kind="stable").reset_index(drop=True)
    state.tables[table] = result.astype(object).where(result.notna(), None)
    snap = new.copy()
    snap["export_date"] = _stamp(export_date)
    snap["source_sha256"] = sha256
    hist = state.history.get(table)
    if hist is not None and len(hist):
        hist = hist[
            ~(
                (hist["source_sha256"].astype(str) == sha256)
                & hist.set_index(key).index.isin(incoming.index)
            )
        ]
    hist_all = snap if hist is None or not len(hist) else pd.concat([hist, snap], ignore_index=True)
    hist_all = hist_all.sort_values([*key, "export_date"], kind="stable").reset_index(drop=True)
    state.history[table] = hist_all.astype(object).where(hist_all.notna(), None)
    if counts.added or counts.updated:
        state.changed.add(f"{table}.csv")
    state.changed.add(f"{HISTORY_DIR}/{table}.csv")
    return counts


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
        failures += cross_table_failures(view, names, dict.fromkeys(TABLES, True), as_of)
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
            out.append(
                {
                    "file": f"{table}.csv",
                    "row": int(p) + 2,
                    "column": column,
                    "rule": rule,
                    "value": df[column].iloc[p],
                }
            )

    if "posts" in tables:
        posts = tables["posts"]
        rows(
            "posts",
            posts["members_reached"] > posts["impressions"],
            "members_reached",
            "members_reached must be <= impressions",
        )
        for term in ("reactions", "comments", "reposts", "clicks"):
            rows(
                "posts", posts[term] > posts["impressions"], term, f"{term} must be <= impressions"
            )
        rows(
            "posts", posts["published_at"] >= end_of_today, "published_at", "date is in the future"
        )
    if "activity" in tables:
        act = tables["activity"]
        rows(
            "activity",
            act["members_reached"] > act["impressions"],
            "members_reached",
            "members_reached must be <= impressions",
        )
        rows("activity", act["month"] >= end_of_today, "month", "date is in the future")
    return out


# --------------------------------------------------------------------------- atomic commit
#
# An import writes nothing into the data folder's managed files until its whole new state (raw copies,
# tables, history, aliases, log) is staged in DATA_DIR/.import-stage-*/new/ and validated. Then:
#
#  1. the files about to be replaced are hard-linked into the stage's backup/ (undo data);
#  2. a journal naming the stage and every file is written, synced, and renamed to
#     DATA_DIR/.import-journal.json: the commit point;
#  3. each staged file is moved into place with os.replace (atomic per file, idempotent: a file already
#     moved is no longer in the stage);
#  4. the journal is removed, then the stage.
#
# A process killed before step 2 left only a stage (removed by the next command); killed after it, the
# journal says "roll forward" and the next command moves what is left (the new state was complete and
# validated). An error raised during step 3 in a live process renames the journal to
# .import-rollback.json and puts the backups back, so the folder is as before; a kill during that undo
# is finished by the next command the same way. "The next command" is any import, and ``validate`` or
# ``report`` through :func:`recover_interrupted_import`; each takes the folder lock first.

JOURNAL_FILE = ".import-journal.json"
"""Commit journal: present from the commit point until every staged file is in place."""
ROLLBACK_FILE = ".import-rollback.json"
"""The journal renamed when a commit that failed in a live process is being undone."""
CRASH_ENV = "ADVOCACY_EVAL_TEST_CRASH_AT"
"""Test-only environment variable: the step at which :func:`crash_point` kills the process."""
CRASH_STEPS: tuple[str, ...] = (
    "locked",
    "staged",
    "validated",
    "committed",
    "moved-<n>",
    "moved-all",
    "journal-removed",
    "unlocking",
    "recovering-<n>",
)
"""Named steps of an import at which ``ADVOCACY_EVAL_TEST_CRASH_AT`` can kill it (``<n>``: 1, 2...).

``locked``: lock taken, nothing read; ``staged``: new files written into the stage, not validated;
``validated``: validated, journal not written; ``committed``: journal published, nothing moved;
``moved-<n>``: n files moved into place; ``moved-all``: every file moved, journal still there;
``journal-removed``: journal removed, stage still there; ``unlocking``: all done but the lock;
``recovering-<n>``: a later command moved n files while finishing an interrupted import.
"""
PERSONAL_FILE_MODE = 0o600
"""Widest permissions of a raw copy: the exports hold personal data (owner read/write at most)."""
PRIVATE_DIR_MODE = 0o700
"""Permissions of the staging folder and of a new ``raw/`` folder."""

try:  # advisory locks released by the kernel when the holder dies, even on kill -9
    import fcntl
except ImportError:  # pragma: no cover - Windows: the PID check alone
    fcntl = None  # type: ignore[assignment]


class ImportWriteError(AdvocacyEvalError, OSError):
    """The data folder could not be written (read-only folder, full disk, removed file...).

    Also an :class:`OSError`, so callers catching either keep working.
    """


def crash_point(step: str) -> None:
    """TEST-ONLY hook: end the process abruptly at a named step of an import.

    When the environment variable :data:`CRASH_ENV` (``ADVOCACY_EVAL_TEST_CRASH_AT``) equals ``step``
    the process exits at once with status 137, like ``kill -9``: no ``finally`` block, no cleanup, no
    flushed output. ``tests/test_import_crash.py`` uses it to check that the next command finds the
    data folder exactly as before or exactly as after the import. Never set it outside tests.

    Parameters
    ----------
    step : str
        One of :data:`CRASH_STEPS` (with ``<n>`` replaced by a number).
    """
    if os.environ.get(CRASH_ENV) == step:
        os._exit(137)


def _fsync_dir(path: Path) -> None:
    """Make renames and new entries in a folder durable (best effort: not every system allows it)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new_file(path: Path, data: bytes, mode: int, create_mode: int = 0o600) -> None:
    """Create ``path`` exclusively, write ``data``, set ``mode``, sync."""
    fd = os.open(
        path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), create_mode
    )
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if mode >= 0:
            os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


def _process_alive(pid: int) -> bool:
    """Whether a process with this PID exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _process_start(pid: int) -> str | None:
    """Start time of a process in clock ticks since boot (Linux), to recognise a recycled PID."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _lock_record() -> bytes:
    pid = os.getpid()
    return json.dumps(
        {
            "pid": pid,
            "host": socket.gethostname(),
            "process_start": _process_start(pid),
            "since": now_utc(),
        }
    ).encode("utf-8")


def _parse_lock(data: bytes) -> dict | None:
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("pid"), int) else None


def _describe_holder(record: dict | None) -> str:
    if record is None:
        return "holder unknown"
    return f"process {record['pid']} on {record.get('host', '?')}, since {record.get('since', '?')}"


def _lock_is_stale(record: dict | None) -> bool:
    """Whether a PID lock (no flock) was left by a process that has ended on this machine."""
    if record is None or record.get("host") != socket.gethostname():
        return False  # unknown holder, or another machine: cannot tell
    pid = record["pid"]
    if not _process_alive(pid):
        return True
    started = record.get("process_start")
    return started is not None and _process_start(pid) not in (None, started)  # PID recycled


def _held(folder: Path, holder: dict | None) -> ImportRefused:
    return ImportRefused(
        f"another import into {folder} is running ({_describe_holder(holder)}); wait until it "
        "ends and run this one again"
    )


def _not_writable(folder: Path, exc: OSError) -> ImportWriteError:
    return ImportWriteError(
        f"cannot import into {folder}: the folder is not writable "
        f"({exc.strerror or exc}); nothing was changed. Imports need write access to "
        "the data folder (check its permissions, or import into a copy)"
    )


class FolderLock:
    """Exclusive lock on a data folder for one import; finishes or undoes an interrupted one.

    ``DATA_DIR/.import.lock`` records the holder (PID, host, start time) and is held with an advisory
    ``flock``, which the kernel releases when the holder ends, even on ``kill -9``: a lock file left by
    a dead process is simply taken over. Where ``flock`` is not available the recorded PID is checked
    instead (a lock whose process has ended on this machine is stale and removed).

    On entry the folder is created when missing, the lock taken, and whatever an interrupted import
    left is completed or undone (:func:`recover`; see :attr:`recovered`). On exit the lock file is
    removed; when this import created the folder and failed, the folder is removed again if nothing
    else is in it (another import may have started in it meanwhile).

    Parameters
    ----------
    folder : Path
        The data folder (absolute).
    create : bool
        Create the folder when it is missing (imports); otherwise a missing folder is refused.
    """

    def __init__(self, folder: Path, create: bool = True) -> None:
        self.folder = folder
        self.create = create
        self.created = False
        self.recovered: str | None = None
        self._fd: int | None = None

    def __enter__(self) -> FolderLock:
        for _ in range(5):
            if self.create:
                self._make_folder()
            try:
                self._acquire()
                break
            except (
                FileNotFoundError
            ):  # removed by a failed import that had created it: create it again
                if not self.create:
                    raise ImportRefused(f"{self.folder}: folder not found") from None
        else:
            raise ImportRefused(
                f"{self.folder} keeps disappearing while the import starts (another process "
                "removes it); try again"
            )
        try:
            crash_point("locked")
            self.recovered = recover(self.folder)
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self.created:
            cleanup_empty_dirs(self.folder)
        crash_point("unlocking")
        self._release()
        if exc_type is not None and self.created:
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # only when empty

    def _make_folder(self) -> None:
        if self.folder.exists() and not self.folder.is_dir():
            raise ImportRefused(f"{self.folder} exists and is not a folder")
        try:
            self.folder.mkdir(parents=True)
            self.created = True
        except FileExistsError:  # another import created it first: fine, the lock decides
            if not self.folder.is_dir():
                raise ImportRefused(f"{self.folder} exists and is not a folder") from None
        except OSError as exc:
            raise ImportWriteError(
                f"cannot create the data folder {self.folder}: {exc.strerror or exc}; "
                "nothing was changed"
            ) from None

    def _acquire(self) -> None:
        path = self.folder / LOCK_FILE
        while True:
            flags = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | flags, 0o644)
            except FileNotFoundError:
                raise
            except (
                PermissionError
            ) as exc:  # maybe a lock file left by another user: stale unless held
                if not path.is_file() or not self._remove_stale_foreign_lock(path, flags):
                    raise _not_writable(self.folder, exc) from None
                continue
            except OSError as exc:
                raise _not_writable(self.folder, exc) from None
            if fcntl is None:
                os.close(fd)
                return self._acquire_by_pid(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _parse_lock(os.read(fd, 4096))
                os.close(fd)
                raise _held(self.folder, holder) from None
            except OSError:  # no flock on this file system: PIDs only
                os.close(fd)
                return self._acquire_by_pid(path)
            try:  # the previous holder may have removed the file we opened: lock the current one
                here, there = os.fstat(fd), os.stat(path)
                current = (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
            except FileNotFoundError:
                current = False
            if not current:
                os.close(fd)
                continue
            try:
                os.ftruncate(fd, 0)
                os.write(fd, _lock_record())
            except OSError as exc:
                os.close(fd)
                raise _not_writable(self.folder, exc) from None
            self._fd = fd
            return

    def _remove_stale_foreign_lock(self, path: Path, flags: int) -> bool:
        """Remove a lock file this user cannot write (another user's) when nobody holds it."""
        if fcntl is None:
            return False
        try:
            fd = os.open(path, os.O_RDONLY | flags)
        except FileNotFoundError:
            return True  # gone meanwhile: try again
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _parse_lock(os.read(fd, 4096))
            os.close(fd)
            raise _held(self.folder, holder) from None
        except OSError:
            os.close(fd)
            return False
        try:
            os.unlink(path)  # still locked by us: nobody takes it meanwhile
            return True
        except FileNotFoundError:
            return True
        except OSError:
            return False
        finally:
            os.close(fd)

    def _acquire_by_pid(self, path: Path) -> None:
        for _ in range(5):
            try:
                _write_new_file(path, _lock_record(), -1, 0o644)
                return
            except FileExistsError:
                try:
                    holder = _parse_lock(path.read_bytes())
                except FileNotFoundError:
                    continue
                if not _lock_is_stale(holder):
                    raise ImportRefused(
                        f"another import into {self.folder} is running ({_describe_holder(holder)}); wait until "
                        f"it ends (if no import is running, delete {path})"
                    ) from None
                aside = path.with_name(f"{LOCK_FILE}.stale-{uuid.uuid4().hex[:12]}")
                try:
                    os.rename(path, aside)
                    os.unlink(aside)
                except FileNotFoundError:
                    pass
            except FileNotFoundError:
                raise
            except OSError as exc:
                raise _not_writable(self.folder, exc) from None
        raise ImportRefused(f"cannot take the lock {path}: it keeps changing hands; try again")

    def _release(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.folder / LOCK_FILE)  # still held: nobody can take this file meanwhile
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_MANAGED_FILES = frozenset(
    {f"{t}.csv" for t in TABLES}
    | {f"{HISTORY_DIR}/{t}.csv" for t in TABLES}
    | {t.rel for t in AUX_TABLES.values()}
    | {ALIASES_FILE, LOG_FILE}
)
_MANAGED_DIRS = frozenset({RAW_DIR, HISTORY_DIR, LINKEDIN_DIR, REVIEW_DIR})


def _managed(rel: str) -> bool:
    """Whether a journal entry names a file an import may write (nothing else is ever moved)."""
    if rel in _MANAGED_FILES:
        return True
    head, _, name = rel.partition("/")
    return (
        head in (RAW_DIR, REVIEW_DIR)
        and bool(name)
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
    )


def _commit_order(rel: str) -> tuple[int, str]:
    """Raw copies first, then history, the tables and aliases, the import log last."""
    if rel.startswith(RAW_DIR + "/"):
        return 0, rel
    if rel.startswith((HISTORY_DIR + "/", LINKEDIN_DIR + "/", REVIEW_DIR + "/")):
        return 1, rel
    return (3 if rel == LOG_FILE else 2), rel


def _read_journal(path: Path) -> tuple[Path, list[dict], list[str]]:
    """The stage, files and new folders recorded in a journal, checked before anything is moved."""
    folder = path.parent
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
        name = str(journal["stage"])
        entries: list[dict[str, Any]] = [
            {"path": str(e["path"]), "existed": bool(e["existed"])} for e in journal["files"]
        ]
        new_dirs = [str(d) for d in journal.get("new_dirs", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ImportRefused(
            f"{path} (left by an interrupted import) cannot be read ({exc}); restore the data "
            "folder from a backup"
        ) from None
    stage = folder / name
    ok = (
        name.startswith(STAGE_PREFIX)
        and "/" not in name
        and "\\" not in name
        and all(_managed(e["path"]) for e in entries)
        and set(new_dirs) <= _MANAGED_DIRS
    )
    if not ok:
        raise ImportRefused(
            f"{path} names files an import never writes; it was not written by advocacy-eval: "
            "restore the data folder from a backup"
        )
    if not stage.is_dir():
        raise ImportRefused(
            f"{path} (left by an interrupted import) needs {stage.name}, which is missing; "
            "restore the data folder from a backup"
        )
    return stage, entries, new_dirs


def _make_parent(folder: Path, rel: str) -> None:
    parent = (folder / rel).parent
    if parent != folder and not parent.is_dir():
        parent.mkdir(mode=PRIVATE_DIR_MODE if parent.name == RAW_DIR else 0o777)


def _roll_forward(folder: Path, stage: Path, entries: list[dict], step: str) -> None:
    """Move every staged file still in the stage into place (a file already moved is skipped)."""
    parents = {folder}
    for n, entry in enumerate(entries, 1):
        rel = entry["path"]
        staged = stage / "new" / rel
        if os.path.lexists(staged):
            _make_parent(folder, rel)
            os.replace(staged, folder / rel)
            parents.add((folder / rel).parent)
        crash_point(f"{step}-{n}")
    for parent in parents:
        _fsync_dir(parent)


def _roll_back(folder: Path, stage: Path, entries: list[dict], new_dirs: list[str]) -> None:
    """Put back every file as it was before the commit (idempotent)."""
    for entry in reversed(entries):
        rel = entry["path"]
        target = folder / rel
        if entry["existed"]:
            saved = stage / "backup" / rel
            if os.path.lexists(saved):
                os.replace(saved, target)
        elif not os.path.lexists(stage / "new" / rel):  # moved in: remove it
            target.unlink(missing_ok=True)
    for name in new_dirs:
        path = folder / name
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    _fsync_dir(folder)


def recover(folder: Path) -> str | None:
    """Complete or undo an import that was interrupted, and remove what it left. Hold the lock.

    A journal (:data:`JOURNAL_FILE`) means the interrupted import had passed its commit point: its
    remaining staged files are moved into place. A rollback journal (:data:`ROLLBACK_FILE`) means it
    was undoing a failed commit: the backups are put back. Staging folders are then removed (they hold
    raw copies of the exports, personal data included).

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    str or None
        What was done, for the user; None when there was nothing to do.
    """
    notes = []
    rollback, journal = folder / ROLLBACK_FILE, folder / JOURNAL_FILE
    try:
        if rollback.exists():
            stage, entries, new_dirs = _read_journal(rollback)
            _roll_back(folder, stage, entries, new_dirs)
            rollback.unlink()
            _fsync_dir(folder)
            notes.append(
                f"an import into {folder} that failed and was interrupted while being undone has been "
                "undone: the folder is as before it"
            )
        elif journal.exists():
            stage, entries, _ = _read_journal(journal)
            _roll_forward(folder, stage, entries, "recovering")
            journal.unlink()
            _fsync_dir(folder)
            notes.append(
                f"an import into {folder} interrupted while its files were being moved into place has "
                f"been completed ({len(entries)} files; it had been validated in full)"
            )
        stages = sorted(folder.glob(STAGE_PREFIX + "*"))
        for leftover in stages:
            shutil.rmtree(leftover)
        for aside in folder.glob(LOCK_FILE + ".stale-*"):
            aside.unlink(missing_ok=True)
    except OSError as exc:
        raise ImportWriteError(
            f"cannot finish the import interrupted in {folder}: {exc.strerror or exc} "
            f"({exc.filename or folder}); fix the permissions and run the command again"
        ) from None
    if stages and not notes:
        notes.append(
            f"removed {len(stages)} staging folder(s) left in {folder} by an interrupted import "
            "(nothing of it had been written)"
        )
    return "; ".join(notes) or None


def recover_interrupted_import(folder: str | os.PathLike) -> str | None:
    """Before reading a data folder: complete or undo an import that was killed while committing.

    Cheap when there is nothing to do (no lock, journal or staging folder: nothing is written). When
    an import is running, nothing is done, unless it is moving its files into place: the folder is
    then between two states and an error says to try again.

    Parameters
    ----------
    folder : str or path
        The data folder (a missing folder is left to the caller's own error).

    Returns
    -------
    str or None
        What was done (see :func:`recover`).

    Raises
    ------
    AdvocacyEvalError
        When an import is being committed right now, or an interrupted one cannot be completed (e.g.
        the folder is read-only for this user).
    """
    path = Path(folder).expanduser()
    if not path.is_dir():
        return None
    pending = (path / JOURNAL_FILE).exists() or (path / ROLLBACK_FILE).exists()
    if not (pending or (path / LOCK_FILE).exists() or any(path.glob(STAGE_PREFIX + "*"))):
        return None
    try:
        with FolderLock(path.resolve(), create=False) as lock:
            return lock.recovered
    except AdvocacyEvalError as exc:
        if pending:
            raise AdvocacyEvalError(
                f"{path} is between two states: an import was interrupted (or is running) "
                "while moving its files into place, and it cannot be finished now: "
                f"{exc}"
            ) from None
        return None


class Stage:
    """The new state of one import, staged inside the data folder, then committed atomically.

    Files are written under ``DATA_DIR/.import-stage-<id>/new/`` (the stage folder is mode 0700, files
    are synced); :meth:`commit` publishes a journal and moves them into place (see the comment above
    :data:`JOURNAL_FILE`). Raw copies keep the source file's owner permissions and never more than
    0600; rewritten tables keep the permissions of the file they replace.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / f"{STAGE_PREFIX}{uuid.uuid4().hex[:12]}"
        self.files: dict[str, Path] = {}
        self.pending = False
        os.mkdir(self.root, PRIVATE_DIR_MODE)
        os.mkdir(self.root / "new", PRIVATE_DIR_MODE)

    def _new_path(self, rel: str) -> Path:
        if not _managed(rel):
            raise ValueError(f"not a file an import writes: {rel}")
        target = self.root / "new" / rel
        target.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        return target

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Stage a file's new content (permissions: those of the file it replaces, else the default)."""
        target = self._new_path(rel)
        live = self.folder / rel
        mode = stat.S_IMODE(live.stat().st_mode) if live.is_file() else -1
        _write_new_file(target, data, mode, 0o666 if mode < 0 else 0o600)
        self.files[rel] = target

    def copy(self, rel: str, source: Path, sha256: str | None = None) -> None:
        """Stage a byte-for-byte copy of an export, with the source's owner permissions, at most 0600.

        Parameters
        ----------
        rel : str
            Where the copy goes, relative to the data folder (``raw/...``).
        source : Path
            The export.
        sha256 : str, optional
            Expected hash: a file changed since it was read is refused.
        """
        target = self._new_path(rel)
        mode = stat.S_IMODE(os.stat(source).st_mode) & PERSONAL_FILE_MODE or 0o400
        digest = hashlib.sha256()
        fd = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        if sha256 is not None and digest.hexdigest() != sha256:
            raise ImportRefused(f"{source} changed while it was being imported; import it again")
        self.files[rel] = target

    def view(self) -> Path:
        """A folder holding the canonical tables as they will be after the commit (for validation)."""
        view = self.root / "view"
        view.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        for table in TABLES:
            rel = f"{table}.csv"
            src = self.files.get(rel, self.folder / rel)
            if src.exists():
                shutil.copyfile(src, view / rel)
        return view

    def commit(self) -> None:
        """Publish the journal and move every staged file into place; on an error, undo.

        Raises
        ------
        OSError
            The error met while moving files, after the folder was put back as before.
        ImportWriteError
            When even the undo failed: the next command on the folder finishes it.
        """
        order = sorted(self.files, key=_commit_order)
        entries = []
        for rel in order:
            target = self.folder / rel
            existed = os.path.lexists(target)
            if existed:
                saved = self.root / "backup" / rel
                saved.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
                try:
                    os.link(target, saved)
                except OSError:  # no hard links here: a copy will do
                    shutil.copy2(target, saved)
            entries.append({"path": rel, "existed": existed})
        new_dirs = sorted(
            {rel.split("/", 1)[0] for rel in order if "/" in rel}
            - {d for d in _MANAGED_DIRS if (self.folder / d).is_dir()}
        )
        record = {"version": 1, "stage": self.root.name, "files": entries, "new_dirs": new_dirs}
        draft = self.root / "journal.json"
        _write_new_file(draft, json.dumps(record, indent=1).encode("utf-8"), -1)
        for sub in ("new", "backup", *(f"new/{d}" for d in sorted(_MANAGED_DIRS))):
            if (self.root / sub).is_dir():
                _fsync_dir(self.root / sub)
        _fsync_dir(self.root)
        os.replace(draft, self.folder / JOURNAL_FILE)  # the commit point
        self.pending = True
        _fsync_dir(self.folder)
        crash_point("committed")
        try:
            _roll_forward(self.folder, self.root, entries, "moved")
        except BaseException as exc:
            self._undo(entries, new_dirs, exc)
            raise
        crash_point("moved-all")
        os.unlink(self.folder / JOURNAL_FILE)
        _fsync_dir(self.folder)
        self.pending = False
        crash_point("journal-removed")

    def _undo(self, entries: list[dict], new_dirs: list[str], cause: BaseException) -> None:
        try:
            os.rename(self.folder / JOURNAL_FILE, self.folder / ROLLBACK_FILE)
            _fsync_dir(self.folder)
            _roll_back(self.folder, self.root, entries, new_dirs)
            os.unlink(self.folder / ROLLBACK_FILE)
            _fsync_dir(self.folder)
            self.pending = False
        except OSError as again:
            raise ImportWriteError(
                f"the import into {self.folder} failed while moving its files into place ({cause}) and could not "
                f"be undone ({again.strerror or again}); the next import, validate or report on this folder "
                "finishes it (do not delete the .import-* files)"
            ) from cause

    def discard(self) -> None:
        """Remove the staging folder (kept while a journal still needs it)."""
        if not self.pending:
            shutil.rmtree(self.root, ignore_errors=True)


def cleanup_empty_dirs(
    folder: Path,
    names: tuple[str, ...] = (RAW_DIR, HISTORY_DIR, LINKEDIN_DIR, REVIEW_DIR),
) -> None:
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
    if rel in state.files:
        return state.files[rel]
    if rel.startswith(LINKEDIN_DIR + "/"):
        name = rel.split("/", 1)[1].removesuffix(".csv")
        frame = state.aux[name]
        return _to_csv(frame[[*AUX_TABLES[name].columns, *SNAPSHOT_COLUMNS]])
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
