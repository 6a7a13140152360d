"""Read a programme folder (CSV or Parquet), parse strictly, validate lazily.

Every problem found in a folder is collected and raised once as a
:class:`~advocacy_eval.errors.DataValidationError` whose failure table names
the file, the row, the column and the rule. Raw files are only read, never
modified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors

from ..errors import FAILURE_COLUMNS, DataValidationError
from ..schema import COLUMNS, REQUIRED_TABLES, SCHEMAS, TABLES, Programme
from .validate import cross_table_failures

SUFFIXES: tuple[str, ...] = (".csv", ".parquet")
"""File suffixes read for each table, e.g. ``posts.csv`` or ``posts.parquet``."""

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def file_sha256(path: str | Path) -> str:
    """Return the hexadecimal SHA-256 of a file's bytes.

    Parameters
    ----------
    path : str or Path
        File to hash.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_table_files(folder: str | Path) -> tuple[dict[str, Path], list[dict]]:
    """Locate the file of each canonical table in a folder.

    Parameters
    ----------
    folder : str or Path
        Programme folder.

    Returns
    -------
    files : dict
        Table name -> path, for the tables found.
    problems : list of dict
        File-level failures (missing required table, two files for one table).
    """
    folder = Path(folder)
    files: dict[str, Path] = {}
    problems: list[dict] = []
    for table in TABLES:
        found = [folder / f"{table}{s}" for s in SUFFIXES if (folder / f"{table}{s}").is_file()]
        if len(found) > 1:
            problems.append(_failure(found[0].name, None, "", f"two files for table {table}: keep one of "
                                     + ", ".join(p.name for p in found)))
        if found:
            files[table] = found[0]
        elif table in REQUIRED_TABLES:
            problems.append(_failure(f"{table}.csv", None, "", f"required table {table} is missing "
                                     f"(expected {table}.csv or {table}.parquet)"))
    return files, problems


def read_raw(path: Path) -> pd.DataFrame:
    """Read one table file without interpreting its values.

    CSV files are read as text (UTF-8, with or without BOM; empty cells are
    missing). Parquet files keep their stored types.

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.parquet`` file.
    """
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
        skipinitialspace=False,
    )


def _failure(file: str, row: int | None, column: str, rule: str, value: object = None) -> dict:
    return {"file": file, "row": row, "column": column, "rule": rule, "value": value}


def _row_numbers(index: pd.Index | np.ndarray, is_csv: bool) -> np.ndarray:
    """Map 0-based positions to the numbers shown to users (CSV line or record)."""
    return np.asarray(index, dtype="int64") + (2 if is_csv else 1)


def parse_table(raw: pd.DataFrame, table: str, file: str, is_csv: bool = True) -> tuple[pd.DataFrame, list[dict]]:
    """Parse the canonical columns of a raw table into typed columns.

    Values that cannot be parsed become missing and are reported; optional
    columns that are absent are added, empty (all missing, typed like an
    empty column of their kind: e.g. ``trained_on`` becomes all ``NaT``).

    Parameters
    ----------
    raw : pandas.DataFrame
        Table as read by :func:`read_raw`.
    table : str
        Canonical table name.
    file : str
        File name used in failure messages.
    is_csv : bool
        Whether row numbers are CSV line numbers.

    Returns
    -------
    parsed : pandas.DataFrame
        Canonical columns first (typed), then any extra columns untouched.
    failures : list of dict
        Parse failures and missing required columns.
    """
    failures: list[dict] = []
    df = raw.reset_index(drop=True).copy()
    df.columns = [str(c).strip() for c in df.columns]
    out = {}
    for col in COLUMNS[table]:
        if col.name not in df.columns:
            if col.required:
                failures.append(_failure(file, None, col.name, "required column is missing"))
            # an absent column is all-missing, with the type it would have if present but empty
            out[col.name] = _parse_column(pd.Series(pd.NA, index=df.index, dtype=object), col.kind)[0]
            continue
        values = df[col.name]
        parsed, bad_rule = _parse_column(values, col.kind)
        given = values.notna() & (values.astype(str).str.strip() != "")
        bad = given & parsed.isna()
        if bad.any():
            rows = _row_numbers(np.flatnonzero(bad.to_numpy()), is_csv)
            for r, v in zip(rows, values[bad].tolist()):
                failures.append(_failure(file, int(r), col.name, bad_rule, v))
        out[col.name] = parsed
    typed = pd.DataFrame(out, index=df.index)
    extra = [c for c in df.columns if c not in typed.columns]
    return pd.concat([typed, df[extra]], axis=1), failures


def _parse_column(values: pd.Series, kind: str) -> tuple[pd.Series, str]:
    """Parse one column; unparseable values become missing."""
    if kind in ("id", "text", "category"):
        text = values.astype("string").str.strip()
        return text.mask(text == ""), "must be text"
    if kind == "count":
        if pd.api.types.is_numeric_dtype(values):
            num = pd.to_numeric(values, errors="coerce")
        else:
            num = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
        num = num.astype("Float64")
        whole = num.isna() | (num == num.round())
        return num.where(whole).round().astype("Int64"), "must be a whole number"
    if kind in ("date", "datetime", "month"):
        if pd.api.types.is_datetime64_any_dtype(values):
            parsed = values
        else:
            text = values.astype("string").str.strip()
            if kind == "month":
                text = text.where(~text.str.fullmatch(r"\d{4}-\d{2}", na=False), text + "-01")
            parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        parsed = parsed.astype("datetime64[ns]")
        rule = {"date": "must be a date YYYY-MM-DD", "datetime": "must be a date-time YYYY-MM-DD HH:MM:SS",
                "month": "must be a month YYYY-MM"}[kind]
        if kind == "month":
            not_first = parsed.notna() & (parsed.dt.day != 1)
            parsed = parsed.mask(not_first)
        return parsed, rule
    if kind == "bool":
        if pd.api.types.is_bool_dtype(values):
            return values.astype("boolean"), "must be true or false"
        text = values.astype("string").str.strip().str.lower()
        result = pd.Series(pd.NA, index=values.index, dtype="boolean")
        result[text.isin(_TRUE).fillna(False).astype(bool)] = True
        result[text.isin(_FALSE).fillna(False).astype(bool)] = False
        return result, "must be true or false"
    raise ValueError(f"unknown column kind {kind!r}")


def schema_failures(df: pd.DataFrame, table: str, file: str, is_csv: bool,
                    already: set[tuple[int | None, str]]) -> list[dict]:
    """Run the pandera schema of a table lazily and return its failures.

    Parameters
    ----------
    df : pandas.DataFrame
        Parsed table (see :func:`parse_table`).
    table, file : str
        Canonical table name and the file name for messages.
    is_csv : bool
        Whether row numbers are CSV line numbers.
    already : set
        (row, column) pairs already reported by the parser, not repeated.
    """
    try:
        SCHEMAS[table].validate(df, lazy=True)
        return []
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    failures: list[dict] = []
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else ""
        rule = _rule_text(str(case.check), column)
        if case.index is None or (isinstance(case.index, float) and np.isnan(case.index)):
            failures.append(_failure(file, None, column, rule, case.failure_case))
            continue
        row = int(_row_numbers(np.array([int(case.index)]), is_csv)[0])
        if (row, column) in already:
            continue
        failures.append(_failure(file, row, column, rule, case.failure_case))
    return failures


def _rule_text(check: str, column: str) -> str:
    if check == "not_nullable":
        return "must not be empty"
    if check == "field_uniqueness":
        return "must be unique (duplicate value)"
    if check.startswith("multiple_fields_uniqueness"):
        return "combination must be unique (duplicate row)"
    if check.startswith("column_in_dataframe"):
        return "required column is missing"
    return check


def _mask_failed(df: pd.DataFrame, failures: list[dict], is_csv: bool) -> pd.DataFrame:
    """Blank the cells that broke a column rule so that cross-table rules do not cascade."""
    offset = 2 if is_csv else 1
    cells = [(f["row"] - offset, f["column"]) for f in failures
             if f["row"] is not None and f["column"] in df.columns and "unique" not in f["rule"]]
    if not cells:
        return df
    df = df.copy()
    for column in {c for _, c in cells}:
        positions = [p for p, c in cells if c == column]
        values = df[column].copy()
        values.iloc[positions] = pd.NA
        df[column] = values
    return df


def load_programme(folder: str | Path, as_of: dt.date | str | None = None) -> Programme:
    """Read, parse and validate a programme folder.

    Parameters
    ----------
    folder : str or Path
        Folder holding ``waves``, ``employees``, ``posts`` and optionally
        ``activity`` as ``.csv`` or ``.parquet`` files.
    as_of : date or str, optional
        Date after which a date counts as "in the future" (default: today, UTC).

    Returns
    -------
    Programme
        The validated tables and their provenance (file SHA-256, row counts).

    Raises
    ------
    DataValidationError
        Listing every failure found (file, row, column, rule, value).
    FileNotFoundError
        If the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"programme folder not found: {folder}")
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(dt.datetime.now(dt.UTC).date())
    files, failures = find_table_files(folder)
    tables: dict[str, pd.DataFrame] = {}
    is_csv: dict[str, bool] = {}
    sources = []
    for table, path in files.items():
        try:
            raw = read_raw(path)
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError, OSError) as exc:
            failures.append(_failure(path.name, None, "", f"file cannot be read: {exc}".splitlines()[0]))
            continue
        csv = path.suffix == ".csv"
        parsed, parse_fail = parse_table(raw, table, path.name, csv)
        failures += parse_fail
        seen = {(f["row"], f["column"]) for f in parse_fail}
        table_fail = schema_failures(parsed, table, path.name, csv, seen)
        failures += table_fail
        tables[table] = _mask_failed(parsed, parse_fail + table_fail, csv)
        is_csv[table] = csv
        sources.append({"table": table, "file": path.name, "sha256": file_sha256(path),
                        "rows": len(raw), "bytes": path.stat().st_size})
    if all(t in tables for t in REQUIRED_TABLES):
        names = {t: files[t].name for t in tables}
        failures += cross_table_failures(tables, names, is_csv, as_of_ts)
    if failures:
        table = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS))
        table["row"] = table["row"].astype("Int64")
        order = {t: i for i, t in enumerate(f.name for f in files.values())}
        table["_f"] = table["file"].map(order).fillna(len(order))
        table = table.sort_values(["_f", "row", "column"], na_position="first", kind="stable").drop(columns="_f")
        raise DataValidationError(table, str(folder))
    return Programme(
        waves=tables["waves"], employees=tables["employees"], posts=tables["posts"],
        activity=tables.get("activity"), sources=pd.DataFrame(sources),
    )
