"""Fast path of the strict CSV reader: pyarrow's reader, every rule checked on distinct values.

:func:`~advocacy_eval.io.load.load_programme` first offers each CSV table to
:func:`read_table_fast`. The fast path returns the typed table only when it
can show that the strict path (:func:`~advocacy_eval.io.load.read_raw`, then
:func:`~advocacy_eval.io.load.parse_table` and the table's pandera schema)
would find no problem in the file and would return the same frame; in every
other case it returns None, and the strict path reads the file again and
reports every problem with its file, row, column and rule. So there is one
set of rules and one kind of error; the fast path only decides, quickly,
that there is nothing to report.

How it stays exact:

- Counts are read by Arrow as 64-bit integers. Its integer syntax (optional
  sign, digits) is a subset of the count rule's, except hexadecimal: Arrow
  reads ``0x1A`` as 26. So a file holding ``0x`` or ``0X`` anywhere has its
  counts read as text instead: plain ASCII digits are cast, any other
  spelling goes through the strict parser. Any other unusual count (white
  space, ``12.0``) makes Arrow's read fail and the file go to the strict
  path.
- Low-cardinality columns (categories, dates, months, booleans, wave and
  author ids) are read dictionary-encoded: the strict parser
  (:func:`~advocacy_eval.io.load._parse_column`) runs on the distinct values
  only, and the result is expanded by the codes.
- High-cardinality text (post ids, employee ids of the roster) is accepted
  as read only when no value has a control character or surrounding white
  space (what the strict parser would blank or trim), checked with pyarrow's
  vectorised regular expressions; otherwise the strict parser runs on it.
- ``published_at`` written ``YYYY-MM-DD HH:MM:SS`` (or with ``T``) is cast by
  Arrow's ISO 8601 parser, which refuses impossible dates such as February
  30; any other spelling goes through the strict parser.
- The pandera checks of each column (the same :data:`~advocacy_eval.schema.SCHEMAS`
  objects) are evaluated on its distinct typed values; nullability and
  uniqueness on the whole column; the activity table's (employee, month)
  uniqueness on integer codes.

``tests/test_fast_reader.py`` checks that both paths return identical frames
and that every corruption the strict path reports sends the file off the
fast path.
"""

from __future__ import annotations

import csv
import mmap
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..schema import COLUMNS, SCHEMAS

HIGH_CARDINALITY: frozenset[tuple[str, str]] = frozenset({
    ("employees", "employee_id"), ("posts", "post_id"), ("posts", "published_at"),
})
"""Columns read as plain text: nearly one distinct value per row, a dictionary would not help."""

BLOCK_BYTES = 1 << 21
"""Block size of pyarrow's reader (each block is parsed by one thread)."""

_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_RE2_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in _WHITESPACE)
NEEDS_STRIP = f"^[{_RE2_CLASS}]|[{_RE2_CLASS}]$"
"""RE2 pattern of a value that Python's ``str.strip`` would change (leading or trailing white space)."""

CONTROL = r"[\x{00}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
"""RE2 twin of :data:`advocacy_eval.io.load.CONTROL_CHARACTERS`."""

PLAIN_DATETIME = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"
"""The one date-time spelling cast directly by Arrow (UTC, no offset, no fraction)."""

_DICTIONARY = pa.dictionary(pa.int32(), pa.string())


class _Refused(Exception):
    """The fast path cannot vouch for this file: the strict path must read it."""


def _header(path: Path) -> list[str]:
    """Column names as the strict reader sees them before trimming (first CSV record, BOM removed)."""
    with open(path, encoding="utf-8-sig", newline="", errors="strict") as handle:
        try:
            return next(csv.reader(handle))
        except (StopIteration, csv.Error, UnicodeDecodeError):
            raise _Refused from None


def _may_hold_hexadecimal(path: Path) -> bool:
    """Whether ``0x``/``0X`` occurs anywhere in the file: only then could Arrow read a count the rule refuses."""
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find(b"0x") >= 0 or data.find(b"0X") >= 0


def _arrow_types(table: str, header: list[str], counts_as_text: bool = False) -> dict[str, pa.DataType]:
    kinds = {c.name: c.kind for c in COLUMNS[table]}
    types: dict[str, pa.DataType] = {}
    for raw in header:
        name = raw.strip()
        kind = kinds.get(name)
        if kind is None:  # an extra column: kept as text, untouched
            types[raw] = pa.string()
        elif kind == "count":
            types[raw] = pa.string() if counts_as_text else pa.int64()
        elif (table, name) in HIGH_CARDINALITY:
            types[raw] = pa.string()
        else:
            types[raw] = _DICTIONARY
    return types


def _any(mask: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def _text_series(values: pa.ChunkedArray, na_is_nan: bool = False) -> pd.Series:
    """Arrow text as the strict reader types it: ``str`` (missing: NaN) as read, ``string`` (<NA>) once parsed."""
    dtype = pd.StringDtype("pyarrow", na_value=np.nan) if na_is_nan else pd.StringDtype("pyarrow")
    return pd.Series(dtype.__from_arrow__(values.cast(pa.large_string())))


def _strict(values: pd.Series, kind: str) -> pd.Series:
    """The strict parser on ``values``; refuse when it would report a value."""
    from .load import _parse_column

    parsed, _rules = _parse_column(values, kind)
    given = values.notna() & (values.astype(str).str.strip() != "")
    if bool((given & parsed.isna()).any()):
        raise _Refused
    return parsed


def _dictionary_column(values: pa.ChunkedArray, kind: str) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Parse a dictionary-encoded column on its distinct values.

    Returns
    -------
    typed : pandas.Series
        The parsed column.
    codes : numpy.ndarray
        Integer code of each row's typed value (-1: missing); equal codes, equal values.
    distinct : pandas.Series
        The distinct typed values (no missing value).
    """
    values = values.unify_dictionaries()
    if values.num_chunks:
        dictionary = values.chunk(0).dictionary
        indices = pa.chunked_array([c.indices for c in values.chunks], type=pa.int32())
        raw_codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64, copy=False)
    else:
        dictionary, raw_codes = pa.array([], type=pa.string()), np.empty(0, np.int64)
    parsed = _strict(_text_series(pa.chunked_array([dictionary]), na_is_nan=True), kind)
    typed_codes, uniques = pd.factorize(parsed, use_na_sentinel=True)
    lookup = np.append(typed_codes, -1)  # raw code -1 (missing) -> -1
    codes = lookup[raw_codes]
    typed = pd.Series(parsed.array.take(raw_codes, allow_fill=True))
    return typed, codes, pd.Series(uniques)


def _text_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    if values.num_chunks and _any(pc.match_substring_regex(values, f"{CONTROL}|{NEEDS_STRIP}")):
        return _strict(_text_series(values, na_is_nan=True), kind)
    return _text_series(values)


def _datetime_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    from .load import DATE_RANGE

    plain = not values.num_chunks or pc.all(pc.match_substring_regex(values, PLAIN_DATETIME)).as_py() is not False
    if kind != "datetime" or not plain:
        return _strict(_text_series(values, na_is_nan=True), kind)
    try:
        stamps = pc.cast(pc.replace_substring(values, "T", " "), pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Refused from None
    parsed = pd.Series(stamps.to_numpy().astype("datetime64[ns]") if len(values) else
                       np.empty(0, "datetime64[ns]"))
    in_range = (parsed >= DATE_RANGE[0]) & (parsed < DATE_RANGE[1])
    if bool((parsed.notna() & ~in_range).any()):
        raise _Refused
    return parsed


def _count_column(values: pa.ChunkedArray) -> pd.Series:
    """Counts read as integers (no ``0x`` in the file), or as text: plain ASCII digits cast, others strictly parsed."""
    from .load import MAX_COUNT

    if not pa.types.is_integer(values.type):
        if values.num_chunks and pc.all(pc.ascii_is_decimal(values)).as_py() is False:
            return _strict(_text_series(values, na_is_nan=True), "count")
        try:
            values = pc.cast(values, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _Refused from None  # beyond 64 bits: the strict parser names the cell
    if values.null_count < len(values):
        bounds = pc.min_max(values).as_py()
        if max(abs(bounds["min"]), abs(bounds["max"])) > MAX_COUNT:
            raise _Refused
    return pd.Series(pd.Int64Dtype().__from_arrow__(values))


def _check_schema(table: str, frame: pd.DataFrame, codes: dict[str, np.ndarray],
                  distinct: dict[str, pd.Series]) -> None:
    """The table's pandera rules; element-wise checks on distinct values where the column was dictionary-read."""
    schema = SCHEMAS[table]
    if schema.checks:
        raise _Refused  # a table-level check: only pandera knows how to evaluate it
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        if name in codes:
            n_missing = int((codes[name] < 0).sum())
            duplicated = len(distinct[name]) < len(frame) - n_missing
            checked = distinct[name]
        else:
            present = frame[name].dropna()
            n_missing = len(frame) - len(present)
            duplicated = bool(column.unique) and not pd.Index(present).is_unique  # Index: 2x faster hashing
            checked = present.reset_index(drop=True)
        if (not column.nullable and n_missing) or (column.unique and duplicated):
            raise _Refused
        for check in column.checks if len(checked) else []:
            if not bool(check(checked).check_passed):
                raise _Refused
    if schema.unique:
        keys = [codes[c] if c in codes else pd.factorize(frame[c], use_na_sentinel=True)[0] for c in schema.unique]
        combined = np.zeros(len(frame), dtype=np.int64)
        for k in keys:
            if (k < 0).any():
                raise _Refused
            combined = combined * (int(k.max()) + 1 if len(k) else 1) + k
        if not pd.Index(combined).is_unique:  # pandas' hash table: numpy's unique sorts or is slower
            raise _Refused


def read_table_fast(path: str | Path, table: str) -> pd.DataFrame | None:
    """Read and type one CSV table when it breaks no rule; None when the strict path must read it.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` file already accepted by
        :func:`~advocacy_eval.io.load.check_file` (size, holes, NUL start).
    table : str
        Canonical table name.

    Returns
    -------
    pandas.DataFrame or None
        The frame :func:`~advocacy_eval.io.load.parse_table` would return
        (canonical columns first, typed; then any extra columns as text),
        when the file breaks none of the table's column and schema rules;
        None otherwise (the cross-table rules are checked by the caller).
    """
    path = Path(path)
    try:
        return _read(path, table)
    except (_Refused, pa.ArrowException, OSError, ValueError, TypeError, OverflowError):
        return None


def _read(path: Path, table: str) -> pd.DataFrame:
    header = _header(path)
    names = [h.strip() for h in header]
    if not names or "" in names or len(set(names)) < len(names) or len(set(header)) < len(header):
        raise _Refused
    tbl = pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=True),
        parse_options=pcsv.ParseOptions(newlines_in_values=False),
        convert_options=pcsv.ConvertOptions(
            column_types=_arrow_types(table, header, _may_hold_hexadecimal(path)), null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True, check_utf8=True),
    )
    if tbl.column_names != header or tbl.num_rows == 0:
        raise _Refused
    n = tbl.num_rows
    data = dict(zip(names, tbl.columns))
    out: dict[str, pd.Series] = {}
    codes: dict[str, np.ndarray] = {}
    distinct: dict[str, pd.Series] = {}
    from .load import _parse_column

    for column in COLUMNS[table]:
        values = data.get(column.name)
        if values is None:
            if column.required:
                raise _Refused
            out[column.name] = _parse_column(pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=object), column.kind)[0]
            continue
        if column.kind == "count":
            out[column.name] = _count_column(values)
        elif pa.types.is_dictionary(values.type):
            out[column.name], codes[column.name], distinct[column.name] = _dictionary_column(values, column.kind)
        elif column.kind in ("date", "datetime", "month"):
            out[column.name] = _datetime_column(values, column.kind)
        else:
            out[column.name] = _text_column(values, column.kind)
    canonical = {c.name for c in COLUMNS[table]}
    extras = {name: _text_series(values, na_is_nan=True) for name, values in data.items() if name not in canonical}
    for name, values in extras.items():  # the strict reader refuses a NUL byte anywhere in the file
        if values.str.contains("\x00", regex=False).any():
            raise _Refused
    frame = pd.DataFrame({**out, **extras}, index=pd.RangeIndex(n), copy=False)
    _check_schema(table, frame, codes, distinct)
    return frame
