"""Read a programme folder (CSV or Parquet), parse strictly, validate lazily.

Every problem found in a folder is collected and raised once as a
:class:`~advocacy_eval.errors.DataValidationError` whose failure table names
the file, the row, the column, the rule and the offending value. Raw files
are only read, never modified.

Before a file is parsed its cost is bounded: a file larger than
:func:`max_file_bytes` (``ADVOCACY_EVAL_MAX_FILE_MB``, default
:data:`DEFAULT_MAX_FILE_MB`), a sparse file or one starting with NUL bytes is
refused from ``os.stat`` and its first bytes; a CSV file is then scanned once
(NUL bytes, UTF-8) in fixed-size blocks before pandas reads it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import math
import os
import re
import stat
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
import pyarrow
import pyarrow.parquet as pq

from ..errors import FAILURE_COLUMNS, ConfigError, DataValidationError
from ..memory import reading_memory, release_memory_if_large
from ..schema import COLUMNS, REQUIRED_TABLES, SCHEMAS, TABLES, Programme
from .fast import TEXT_KINDS, read_table_fast_distinct
from .validate import cross_table_failures

__all__ = [
    "CONTROL_CHARACTERS",
    "DATE_RANGE",
    "DEFAULT_MAX_FILE_MB",
    "EMPTY_TABLE_RULES",
    "HEAD_BYTES",
    "MAX_COUNT",
    "MAX_FILE_MB_ENV",
    "MB",
    "RULES",
    "SCAN_BYTES",
    "SPARSE_MIN_BYTES",
    "SUFFIXES",
    "check_file",
    "file_sha256",
    "find_table_files",
    "load_programme",
    "max_file_bytes",
    "megabytes",
    "parse_table",
    "read_raw",
    "schema_failures",
    "shown",
]


SUFFIXES: tuple[str, ...] = (".csv", ".parquet")
"""File suffixes read for each table, e.g. ``posts.csv`` or ``posts.parquet``."""

MB = 1 << 20
"""Bytes in one megabyte as the size limit counts them (MiB)."""

MAX_FILE_MB_ENV = "ADVOCACY_EVAL_MAX_FILE_MB"
"""Environment variable holding the largest input file accepted, in MB."""

DEFAULT_MAX_FILE_MB = 2048
"""Largest input file accepted when neither ``max_file_mb`` nor the environment says otherwise."""

MAX_COUNT = 2**53 - 1
"""Largest count accepted (exactly representable as a float; no real count comes near)."""

DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2262-01-01"))
"""Dates accepted: from the first day (inclusive) to the second (exclusive)."""

SPARSE_MIN_BYTES = 64 * 1024
"""Files smaller than this are never checked for holes (the NUL checks cover them)."""

HEAD_BYTES = 4096
"""Bytes read from the start of a file to refuse files starting with NUL bytes."""

SCAN_BYTES = 1 << 20
"""Block size of the scan of CSV files (NUL bytes, UTF-8)."""

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}

CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
"""Characters refused in text cells: control characters (NUL, tab, escape...) and line breaks."""

_SHOWN_ESCAPED = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Characters written as ``\\xNN``/``\\uNNNN`` when a value is shown in a message."""

_COUNT_TEXT = r"[+-]?\d+(?:\.0*)?"
_DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
_DATETIME_TEXT = (
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTH_TEXT = r"\d{4}-\d{2}(?:-01)?"

RULES: dict[str, str] = {
    "text": "must be one line of text without control characters (NUL, tab, line break...)",
    "count": "must be a whole number",
    "count_range": f"number out of range: infinite or above {MAX_COUNT}",
    "date": "must be a date YYYY-MM-DD",
    "date_time_of_day": "must be a date YYYY-MM-DD without a time of day",
    "datetime": "must be a date-time YYYY-MM-DD HH:MM:SS",
    "month": "must be a month YYYY-MM",
    "date_range": f"date out of range (years {DATE_RANGE[0].year} to {DATE_RANGE[1].year - 1})",
    "bool": "must be true or false",
}
"""Rules broken by values that cannot be parsed, by kind of problem."""

EMPTY_TABLE_RULES: dict[str, str] = {
    "waves": "the table has a header but no rows: a programme needs at least one wave",
    "employees": "the table has a header but no rows: a programme needs its employees (the eligible population)",
    "posts": "the table has a header but no rows: a programme needs at least one post",
    "activity": "the table has a header but no rows: add the monthly rows or remove the file (activity is optional)",
}
"""Rule broken by a table file holding a header and no data row."""


class _FileRefused(Exception):
    """A file was refused before its values were parsed; carries one failure."""

    def __init__(self, failure: dict) -> None:
        self.failure = failure
        super().__init__(failure["rule"])


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


def max_file_bytes(
    max_file_mb: float | None = None, environ: Mapping[str, str] | None = None
) -> int:
    """Largest input file accepted, in bytes.

    Parameters
    ----------
    max_file_mb : float, optional
        Limit in MB (2**20 bytes); default: ``ADVOCACY_EVAL_MAX_FILE_MB``,
        else :data:`DEFAULT_MAX_FILE_MB`.
    environ : mapping, optional
        Environment to read (default ``os.environ``).

    Raises
    ------
    ConfigError
        If the limit is not a number of megabytes > 0.
    """
    source = "max_file_mb"
    value: object = max_file_mb
    if max_file_mb is None:
        text = (os.environ if environ is None else environ).get(MAX_FILE_MB_ENV, "").strip()
        if not text:
            return DEFAULT_MAX_FILE_MB * MB
        source, value = MAX_FILE_MB_ENV, text
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise ConfigError(
            f"{source} = {value!r}: the largest input file must be a number of megabytes > 0 "
            f"(e.g. {DEFAULT_MAX_FILE_MB})"
        )
    return max(1, math.ceil(number * MB))


def megabytes(n_bytes: int | float) -> str:
    """A size in MB as written in messages: ``2,048``, ``2.21``, ``0.000488``."""
    mb = n_bytes / MB
    return f"{mb:,.0f}" if mb >= 100 else f"{mb:.3g}"


def shown(value: object) -> object:
    """A value as it may be printed: control and bidirectional characters of text written ``\\xNN``.

    Parameters
    ----------
    value : object
        The offending value (text is escaped, anything else is returned as is).
    """
    if not isinstance(value, str):
        return value
    return _SHOWN_ESCAPED.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        value,
    )


def check_file(path: str | Path, max_bytes: int) -> str | None:
    """Refuse a file whose reading would cost too much, from ``os.stat`` and its first bytes.

    Parameters
    ----------
    path : str or Path
        File about to be read.
    max_bytes : int
        Largest size accepted (see :func:`max_file_bytes`).

    Returns
    -------
    str or None
        The rule broken (too large, sparse, starts with NUL bytes, not a
        regular file, unreadable), or None when the file may be read.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"file cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_size > max_bytes:
        return (
            f"file is too large: {megabytes(st.st_size)} MB, above the limit of {megabytes(max_bytes)} MB "
            f"(raise it with {MAX_FILE_MB_ENV} or max_file_mb=)"
        )
    if _is_sparse(path, st):
        return (
            "file is sparse (holes of unwritten NUL bytes): a damaged or fake file, not an export; "
            "copy the original file again"
        )
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        return f"file cannot be read: {exc.strerror or exc}"
    if head and not head.strip(b"\x00"):
        return (
            f"file starts with NUL bytes (its first {len(head)} bytes are all zero): a damaged file, "
            "not an export"
        )
    return None


def _is_sparse(path: str | Path, st: os.stat_result) -> bool:
    """Whether a file has holes: few blocks allocated for its size, and a hole confirmed by SEEK_HOLE.

    Compressed file systems also allocate fewer blocks than the size, so the
    block count alone never refuses a file: a hole must be found before the
    end. Where SEEK_HOLE is not available the NUL checks still refuse such
    files, after reading their first bytes.
    """
    blocks = getattr(st, "st_blocks", None)
    seek_hole = getattr(os, "SEEK_HOLE", None)
    if (
        blocks is None
        or seek_hole is None
        or st.st_size < SPARSE_MIN_BYTES
        or blocks * 512 >= st.st_size // 2
    ):
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            hole = os.lseek(fd, 0, seek_hole)
        finally:
            os.close(fd)
    except OSError:
        return False
    return hole < st.st_size


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
            problems.append(
                _failure(
                    found[0].name,
                    None,
                    "",
                    f"two files for table {table}: keep one of " + ", ".join(p.name for p in found),
                )
            )
        if found:
            files[table] = found[0]
        elif table in REQUIRED_TABLES:
            problems.append(
                _failure(
                    f"{table}.csv",
                    None,
                    "",
                    f"required table {table} is missing (expected {table}.csv or {table}.parquet)",
                )
            )
    return files, problems


def read_raw(path: str | Path, max_file_mb: float | None = None) -> pd.DataFrame:
    """Read one table file without interpreting its values.

    CSV files must be UTF-8 (with or without BOM), comma-separated, with one
    header line of distinct column names and no NUL byte; they are read as
    text (empty cells are missing). Parquet files keep their stored types.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.parquet`` file.
    max_file_mb : float, optional
        Largest file accepted, in MB (see :func:`max_file_bytes`).

    Raises
    ------
    DataValidationError
        With one failure naming the file (and the line, when there is one)
        when the file is refused: too large, sparse, not UTF-8, NUL byte,
        duplicate column header, not comma-separated, empty, unreadable.
    """
    path = Path(path)
    try:
        return _read_raw(path, max_file_bytes(max_file_mb))
    except _FileRefused as exc:
        failures = pd.DataFrame([exc.failure], columns=list(FAILURE_COLUMNS))
        failures["row"] = failures["row"].astype("Int64")
        raise DataValidationError(failures, str(path)) from None


def _read_raw(path: Path, max_bytes: int) -> pd.DataFrame:
    problem = check_file(path, max_bytes)
    if problem:
        raise _FileRefused(_failure(path.name, None, "", problem))
    if path.suffix == ".parquet":
        raw = _read_parquet(path, max_bytes)
    else:
        _scan_text(path)
        raw = _read_csv(path)
    return raw


def _scan_text(path: Path) -> None:
    """One pass over a CSV file in blocks: refuse the first NUL byte or invalid UTF-8, naming its line."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line, tail = 1, b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(SCAN_BYTES)
            final = not chunk
            nul = chunk.find(b"\x00")
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk if nul < 0 else chunk[:nul], final=final)
            except UnicodeDecodeError as exc:
                at = max(0, exc.start - len(pending))
                byte = exc.object[exc.start : exc.start + 1].hex() or "end"
                hint = (
                    " (UTF-16? save it as UTF-8)"
                    if line == 1 and exc.object[:2] in (b"\xff\xfe", b"\xfe\xff")
                    else ""
                )
                raise _FileRefused(
                    _failure(
                        path.name,
                        line + chunk[:at].count(b"\n"),
                        "",
                        f"file is not UTF-8 text (byte 0x{byte}){hint}: save it as CSV UTF-8",
                        _snippet(tail + chunk, len(tail) + at),
                    )
                ) from None
            if nul >= 0:
                raise _FileRefused(
                    _failure(
                        path.name,
                        line + chunk[:nul].count(b"\n"),
                        "",
                        "NUL byte in the file: a binary or damaged file, not CSV text",
                        _snippet(tail + chunk, len(tail) + nul),
                    )
                )
            if final:
                return
            line += chunk.count(b"\n")
            tail = chunk[chunk.rfind(b"\n") + 1 :][-200:]


def _snippet(data: bytes, pos: int, width: int = 30) -> str:
    """The text around byte ``pos`` of its line, undecodable bytes and control characters escaped."""
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    end = len(data) if end < 0 else end
    piece = data[max(start, pos - width) : min(end, pos + width)]
    return str(shown(piece.decode("utf-8", "backslashreplace")))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        grid = pd.read_csv(
            path,
            dtype=str,
            header=None,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            skipinitialspace=False,
        )
    except pd.errors.EmptyDataError:
        raise _FileRefused(
            _failure(
                path.name, None, "", "file is empty: expected a header line with the column names"
            )
        ) from None
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise _FileRefused(_parser_failure(path.name, exc)) from None
    header = grid.iloc[0] if len(grid) else pd.Series([], dtype=object)
    names = ["" if pd.isna(v) else str(v).strip() for v in header.tolist()]
    if len(names) == 1 and any(sep in names[0] for sep in (";", "\t", "|")):
        raise _FileRefused(
            _failure(
                path.name,
                1,
                "",
                "file is not comma-separated: its header is one column; save it as CSV with commas",
                shown(names[0]),
            )
        )
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            names[i] = f"Unnamed: {i}"
        elif name in seen:
            raise _FileRefused(
                _failure(
                    path.name,
                    1,
                    str(shown(name)),
                    f"duplicate column header: columns {seen[name] + 1} and {i + 1} are both "
                    f"named {shown(name)}; keep one",
                    shown(name),
                )
            )
        else:
            seen[name] = i
    raw = grid.iloc[1:].reset_index(drop=True)
    raw.columns = names
    return raw


_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_ROW_RE = re.compile(r"(?:row|line) (\d+)")


def _parser_failure(file: str, exc: Exception) -> dict:
    """A failure for a CSV file pandas cannot tokenise, with the line when pandas gives it."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    fields = _FIELDS_RE.search(text)
    if fields:
        expected, line, saw = (int(g) for g in fields.groups())
        return _failure(
            file,
            line,
            "",
            f"line has {saw} cells but the header has {expected} (a comma inside "
            "a value must be quoted)",
        )
    row = _ROW_RE.search(text)
    return _failure(file, int(row.group(1)) if row else None, "", f"CSV cannot be parsed: {text}")


def _read_parquet(path: Path, max_bytes: int) -> pd.DataFrame:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(4)
        handle.seek(max(0, size - 4))
        foot = handle.read(4)
    if size < 12 or head != b"PAR1" or foot != b"PAR1":
        raise _FileRefused(
            _failure(
                path.name,
                None,
                "",
                "not a Parquet file (no PAR1 signature at its start "
                "and end): a damaged file, or CSV text named .parquet",
            )
        )
    try:
        meta = pq.read_metadata(path)
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > max_bytes:
            raise _FileRefused(
                _failure(
                    path.name,
                    None,
                    "",
                    f"Parquet data is too large once decompressed: "
                    f"{megabytes(unpacked)} MB, above the limit of {megabytes(max_bytes)} MB "
                    f"(raise it with {MAX_FILE_MB_ENV} or max_file_mb=)",
                )
            )
        raw = pd.read_parquet(path)
    except _FileRefused:
        raise
    except (
        pyarrow.ArrowException,
        OSError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        NotImplementedError,
        OverflowError,
    ) as exc:
        raise _FileRefused(
            _failure(
                path.name,
                None,
                "",
                "file cannot be read as Parquet: "
                + (str(exc).splitlines() or [type(exc).__name__])[0],
            )
        ) from None
    names = [str(c).strip() for c in raw.columns]
    duplicated = pd.Series(names).duplicated()
    if duplicated.any():
        name = names[int(np.flatnonzero(duplicated.to_numpy())[0])]
        raise _FileRefused(
            _failure(
                path.name,
                None,
                str(shown(name)),
                f"duplicate column name {shown(name)}: keep one",
                shown(name),
            )
        )
    return raw.reset_index(drop=True)


def _failure(file: str, row: int | None, column: str, rule: str, value: object = None) -> dict:
    return {"file": file, "row": row, "column": column, "rule": rule, "value": value}


def _row_numbers(index: pd.Index | np.ndarray, is_csv: bool) -> np.ndarray:
    """Map 0-based positions to the numbers shown to users (CSV line or record)."""
    return np.asarray(index, dtype="int64") + (2 if is_csv else 1)


def parse_table(
    raw: pd.DataFrame, table: str, file: str, is_csv: bool = True
) -> tuple[pd.DataFrame, list[dict]]:
    """Parse the canonical columns of a raw table into typed columns.

    Values that cannot be parsed become missing and are reported with the
    rule they break and the value as written. A missing required column is
    reported once (file-level, row empty) and added, empty, so that no other
    rule repeats it row by row. Optional columns that are absent are added,
    empty (all missing, typed like an empty column of their kind: e.g.
    ``trained_on`` becomes all ``NaT``, ``reactions`` all ``<NA>`` Int64).

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
                failures.append(
                    _failure(file, None, col.name, f"required column {col.name} is missing")
                )
            # an absent column is all-missing, with the type it would have if present but empty
            out[col.name] = _parse_column(pd.Series(pd.NA, index=df.index, dtype=object), col.kind)[
                0
            ]
            continue
        values = df[col.name]
        if isinstance(values, pd.DataFrame):  # two columns of one name (a frame built in memory)
            failures.append(
                _failure(file, None, col.name, f"duplicate column header {col.name}: keep one")
            )
            values = values.iloc[:, 0]
        parsed, rules = _parse_column(values, col.kind)
        given = values.notna() & (values.astype(str).str.strip() != "")
        bad = (given & parsed.isna()).to_numpy(dtype=bool)
        if bad.any():
            rows = _row_numbers(np.flatnonzero(bad), is_csv)
            failures += [
                _failure(file, int(r), col.name, rule, shown(v))
                for r, rule, v in zip(rows, rules[bad].tolist(), values[bad].tolist(), strict=True)
            ]
        out[col.name] = parsed
    typed = pd.DataFrame(out, index=df.index)
    extra = [c for c in df.columns if c not in typed.columns]
    return pd.concat([typed, df[extra]], axis=1), failures


def _parse_column(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Parse one column strictly.

    Returns
    -------
    parsed : pandas.Series
        Typed values; missing where empty or unparseable.
    rules : pandas.Series
        The rule a value breaks, meaningful where a given value parsed to missing.
    """
    if kind in TEXT_KINDS:
        text = values.astype("string").str.strip()
        control = text.str.contains(CONTROL_CHARACTERS, regex=True).fillna(False).astype(bool)
        return text.mask((text == "").fillna(False) | control), _rules(values, "text")
    if kind == "count":
        return _parse_counts(values)
    if kind in ("date", "datetime", "month"):
        return _parse_dates(values, kind)
    if kind == "bool":
        if pd.api.types.is_bool_dtype(values):
            return values.astype("boolean"), _rules(values, "bool")
        text = values.astype("string").str.strip().str.lower()
        result = pd.Series(pd.NA, index=values.index, dtype="boolean")
        result[text.isin(_TRUE).fillna(False).astype(bool)] = True
        result[text.isin(_FALSE).fillna(False).astype(bool)] = False
        return result, _rules(values, "bool")
    raise ValueError(f"unknown column kind {kind!r}")


def _rules(values: pd.Series, key: str) -> pd.Series:
    return pd.Series(RULES[key], index=values.index, dtype=object)


def _parse_counts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers: digits (``12``, ``-3``, ``12.0``) in text, or whole finite numbers; at most MAX_COUNT."""
    rules = _rules(values, "count")
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        num = pd.to_numeric(values, errors="coerce").astype("Float64")
        syntax_ok = pd.Series(True, index=values.index)
    else:
        text = values.astype("string").str.strip()
        syntax_ok = text.str.fullmatch(_COUNT_TEXT).fillna(False).astype(bool)
        num = pd.to_numeric(text.where(syntax_ok), errors="coerce").astype("Float64")
    in_range = (num.abs() <= MAX_COUNT).fillna(False).astype(bool)
    whole = (num == num.round()).fillna(False).astype(bool)
    rules = rules.mask(syntax_ok & num.notna().to_numpy() & ~in_range, RULES["count_range"])
    good = in_range & whole
    return num.where(good).round().astype("Int64"), rules


def _parse_dates(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Dates ``YYYY-MM-DD``, date-times ISO 8601 (UTC), months ``YYYY-MM``; or stored date-times (Parquet)."""
    rules = _rules(values, kind)
    stored = pd.api.types.is_datetime64_any_dtype(values) or (
        values.dtype == object
        and pd.api.types.infer_dtype(values, skipna=True) in ("date", "datetime", "datetime64")
    )
    if stored:
        parsed = pd.to_datetime(values, errors="coerce", utc=True)
    else:
        text = values.astype("string").str.strip()
        pattern = {"date": _DATE_TEXT, "datetime": _DATETIME_TEXT, "month": _MONTH_TEXT}[kind]
        ok = text.str.fullmatch(pattern).fillna(False).astype(bool)
        if kind == "date":
            timed_text = ~ok & text.str.fullmatch(_DATETIME_TEXT).fillna(False).astype(bool)
            rules = rules.mask(timed_text, RULES["date_time_of_day"])
        if kind == "month":
            text = text.where(
                ~text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).astype(bool), text + "-01"
            )
        fmt = "ISO8601" if kind == "datetime" else "%Y-%m-%d"
        parsed = pd.to_datetime(text.where(ok), format=fmt, errors="coerce", utc=True)
    parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    in_range = ((parsed >= DATE_RANGE[0]) & (parsed < DATE_RANGE[1])).fillna(False).astype(bool)
    rules = rules.mask(parsed.notna() & ~in_range, RULES["date_range"])
    parsed = parsed.where(in_range)
    if kind in ("date", "month"):
        timed = (parsed.notna() & (parsed != parsed.dt.normalize())).fillna(False).astype(bool)
        rules = rules.mask(timed, RULES["date_time_of_day"])
        parsed = parsed.mask(timed)
    if kind == "month":
        not_first = (parsed.notna() & (parsed.dt.day != 1)).fillna(False).astype(bool)
        parsed = parsed.mask(not_first)
    return parsed.astype("datetime64[ns]"), rules


def schema_failures(
    df: pd.DataFrame, table: str, file: str, is_csv: bool, already: set[tuple[int | None, str]]
) -> list[dict]:
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
        (row, column) pairs already reported by the parser, not repeated; a
        pair ``(None, column)`` (a missing column) silences every row of
        that column.
    """
    try:
        SCHEMAS[table].validate(df, lazy=True)
        return []
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    whole_columns = {column for row, column in already if row is None}
    failures: list[dict] = []
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else ""
        if column in whole_columns:
            continue
        rule = _rule_text(str(case.check), column)
        if case.index is None or (isinstance(case.index, float) and np.isnan(case.index)):
            failures.append(_failure(file, None, column, rule, shown(case.failure_case)))
            continue
        row = int(_row_numbers(np.array([int(case.index)]), is_csv)[0])
        if (row, column) in already:
            continue
        failures.append(_failure(file, row, column, rule, shown(case.failure_case)))
    return failures


def _rule_text(check: str, column: str) -> str:
    if check == "not_nullable":
        return "must not be empty"
    if check == "field_uniqueness":
        return "must be unique (duplicate value)"
    if check.startswith("multiple_fields_uniqueness"):
        return "combination must be unique (duplicate row)"
    if check.startswith("column_in_dataframe"):
        return f"required column {column} is missing"
    return check


def _mask_failed(
    df: pd.DataFrame, failures: list[dict], is_csv: bool
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Blank the cells that broke a column rule so that cross-table rules do not cascade.

    Returns
    -------
    masked : pandas.DataFrame
        The table, failed cells missing.
    blanked : dict
        Column -> boolean array of the cells blanked (they held a value).
    """
    offset = 2 if is_csv else 1
    cells = pd.DataFrame(
        [
            (f["row"] - offset, f["column"])
            for f in failures
            if f["row"] is not None
            and f["column"] in df.columns
            and "unique" not in f["rule"]
            and 0 <= f["row"] - offset < len(df)
        ],
        columns=["position", "column"],
    )
    if cells.empty:
        return df, {}
    df = df.copy()
    blanked: dict[str, np.ndarray] = {}
    for column, group in cells.groupby("column", sort=False):
        mask = np.zeros(len(df), dtype=bool)
        mask[group["position"].to_numpy(dtype=np.int64)] = True
        df[column] = df[column].mask(mask)
        blanked[str(column)] = mask
    return df, blanked


def load_programme(
    folder: str | Path,
    as_of: dt.date | str | None = None,
    max_file_mb: float | None = None,
    cache: bool = True,
) -> Programme:
    """Read, parse and validate a programme folder (or read its validated snapshot).

    Parameters
    ----------
    folder : str or Path
        Folder holding ``waves``, ``employees``, ``posts`` and optionally
        ``activity`` as ``.csv`` or ``.parquet`` files.
    as_of : date or str, optional
        Date after which a date counts as "in the future" (default: today, UTC).
    max_file_mb : float, optional
        Largest file read, in MB; larger files are refused before being read
        (default: ``ADVOCACY_EVAL_MAX_FILE_MB``, else
        :data:`DEFAULT_MAX_FILE_MB`).
    cache : bool
        Use validated snapshots (:mod:`advocacy_eval.io.snapshot`): when the
        files are unchanged since an earlier successful load under the same
        rules, read the snapshot instead of validating again; after a
        successful validation, write one. Snapshots are also off when
        ``ADVOCACY_EVAL_CACHE=off``.

    Returns
    -------
    Programme
        The validated tables and their provenance (file SHA-256, row counts).

    Raises
    ------
    DataValidationError
        Listing every failure found (file, row, column, rule, value).
    ConfigError
        If ``max_file_mb`` (or ``ADVOCACY_EVAL_MAX_FILE_MB``) is not a number > 0.
    FileNotFoundError
        If the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"programme folder not found: {folder}")
    max_bytes = max_file_bytes(max_file_mb)
    with reading_memory():
        return _load_programme(folder, as_of, max_bytes, cache)


def _load_programme(
    folder: Path, as_of: dt.date | str | None, max_bytes: int, cache: bool
) -> Programme:
    from .snapshot import cache_folder, file_digest, read_snapshot, snapshot_key, write_snapshot

    as_of_ts = (
        pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(dt.datetime.now(dt.UTC).date())
    )
    files, failures = find_table_files(folder)
    refused = {table: check_file(path, max_bytes) for table, path in files.items()}
    readable = {table: path for table, path in files.items() if refused[table] is None}
    stamps = {table: _stamp(path) for table, path in readable.items()}
    input_bytes = sum(stamp[0] for stamp in stamps.values() if stamp is not None)
    snapshots = cache_folder() if cache else None
    with ThreadPoolExecutor(
        max_workers=2
    ) as pool:  # hashing runs beside parsing (hashlib releases the GIL)
        digests = {
            table: pool.submit(file_digest, path, snapshots) for table, path in readable.items()
        }
        key = None
        if snapshots is not None and not failures and len(readable) == len(files):
            key = snapshot_key(
                [
                    {"table": t, "file": p.name, "sha256": digests[t].result()}
                    for t, p in files.items()
                ]
            )
            stored = read_snapshot(snapshots, key, as_of_ts)
            if stored is not None:
                # the Parquet buffers, freed by the conversion, stay resident otherwise
                release_memory_if_large(input_bytes, generation=1)
                return stored
        programme = _validate(
            folder, files, refused, failures, digests, max_bytes, as_of_ts, pool=pool
        )
    if (
        key is not None
        and snapshots is not None
        and all(_stamp(p) == stamps[t] for t, p in files.items())
    ):
        write_snapshot(snapshots, key, programme, as_of_ts)
    release_memory_if_large(input_bytes, generation=1)
    return programme


def _cross_failures(
    pool: ThreadPoolExecutor | None,
    tables: dict[str, pd.DataFrame],
    names: dict[str, str],
    is_csv: dict[str, bool],
    as_of: pd.Timestamp,
    missing: dict[str, set[str]],
    blanked: dict[str, dict[str, np.ndarray]],
    distinct: dict[str, dict[str, pd.Series]],
) -> list[dict]:
    """:func:`cross_table_failures`, its posts section in ``pool`` beside the others, when given.

    The posts section (the largest: the author look-up and five comparisons
    over every post) runs in the pool while this thread checks the other
    sections: about 0.03 s less at the end of a 200,000-employee load, which
    otherwise uses one core. The failures keep the order of
    :data:`~advocacy_eval.io.validate.SECTIONS`.
    """
    check = functools.partial(
        cross_table_failures, tables, names, is_csv, as_of, missing, blanked, distinct
    )
    if pool is None:
        return check()
    posts = pool.submit(check, sections=("posts",))
    before = check(sections=("waves", "employees"))
    after = check(sections=("activity",))
    return before + posts.result() + after


def _stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time of a file: a file changed while it was read is not snapshotted."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _validate(
    folder: Path,
    files: dict[str, Path],
    refused: dict[str, str | None],
    failures: list[dict],
    digests: dict[str, Future],
    max_bytes: int,
    as_of_ts: pd.Timestamp,
    pool: ThreadPoolExecutor | None = None,
) -> Programme:
    """Parse every table (fast path first for CSV), check every rule, raise every failure at once.

    With a ``pool``, the cross-table rules of the posts are checked in it
    while this thread checks the others (:func:`_cross_failures`).
    """
    tables: dict[str, pd.DataFrame] = {}
    is_csv: dict[str, bool] = {}
    missing: dict[str, set[str]] = {}
    blanked: dict[str, dict[str, np.ndarray]] = {}
    distinct: dict[str, dict[str, pd.Series]] = {}
    sources = []
    for table, path in files.items():
        if refused[table] is not None:
            failures.append(_failure(path.name, None, "", str(refused[table])))
            continue
        csv = path.suffix == ".csv"
        fast = read_table_fast_distinct(path, table) if csv else None
        if fast is not None:
            tables[table], distinct[table] = fast
            blanked[table], missing[table], rows = {}, set(), len(fast[0])
        else:
            try:
                raw = _read_raw(path, max_bytes)
            except _FileRefused as exc:
                failures.append(exc.failure)
                continue
            if raw.empty:
                failures.append(_failure(path.name, None, "", EMPTY_TABLE_RULES[table]))
            parsed, parse_fail = parse_table(raw, table, path.name, csv)
            failures += parse_fail
            seen = {(f["row"], f["column"]) for f in parse_fail}
            missing[table] = {column for row, column in seen if row is None}
            table_fail = schema_failures(parsed, table, path.name, csv, seen)
            failures += table_fail
            tables[table], blanked[table] = _mask_failed(parsed, parse_fail + table_fail, csv)
            rows = len(raw)
        is_csv[table] = csv
        sources.append(
            {
                "table": table,
                "file": path.name,
                "sha256": digests[table].result(),
                "rows": rows,
                "bytes": path.stat().st_size,
            }
        )
    if all(t in tables for t in REQUIRED_TABLES):
        names = {t: files[t].name for t in tables}
        failures += _cross_failures(
            pool, tables, names, is_csv, as_of_ts, missing, blanked, distinct
        )
    if failures:
        table = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS))
        table["row"] = table["row"].astype("Int64")
        table["value"] = table["value"].map(shown)
        order = {t: i for i, t in enumerate(f.name for f in files.values())}
        table["_f"] = table["file"].map(order).fillna(len(order))
        table = table.sort_values(["_f", "row", "column"], na_position="first", kind="stable").drop(
            columns="_f"
        )
        raise DataValidationError(table, str(folder))
    return Programme(
        waves=tables["waves"],
        employees=tables["employees"],
        posts=tables["posts"],
        activity=tables.get("activity"),
        sources=pd.DataFrame(sources),
    )
