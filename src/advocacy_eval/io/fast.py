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
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..schema import COLUMNS, SCHEMAS, Column

HIGH_CARDINALITY: frozenset[tuple[str, str]] = frozenset(
    {
        ("employees", "employee_id"),
        ("posts", "post_id"),
        ("posts", "published_at"),
    }
)
"""Columns read as plain text: nearly one distinct value per row, a dictionary would not help."""

BLOCK_BYTES = 1 << 21
"""Block size of pyarrow's reader (each block is parsed by one thread)."""

_SCAN_BYTES = 1 << 30
"""Largest piece of a file given to one substring search."""

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
    """Whether ``0x``/``0X`` occurs anywhere in the file: only then could Arrow read a count the rule refuses.

    The file is searched by Arrow's (RE2) case-insensitive substring match,
    about ten times faster than ``mmap.find``, in pieces of at most
    :data:`_SCAN_BYTES`; the byte pairs that straddle two pieces are checked
    on their own.
    """
    size = path.stat().st_size
    if size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = list(range(0, size, _SCAN_BYTES)) + [size]
        found = _any(
            pc.match_substring(_pieces(data, cuts), "0x", ignore_case=True)
        )  # view released on return
        return found or any(data[c - 1 : c + 1].lower() == b"0x" for c in cuts[1:-1])


def _pieces(data: mmap.mmap, cuts: list[int]) -> pa.Array:
    """The mapped bytes as an Arrow binary array, one value per ``cuts`` interval (no copy)."""
    offsets = pa.py_buffer(np.asarray(cuts, dtype=np.int64))
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(cuts) - 1, [None, offsets, pa.py_buffer(data)]
    )


def _arrow_types(
    table: str, header: list[str], counts_as_text: bool = False
) -> dict[str, pa.DataType]:
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
    return pd.Series(dtype.__from_arrow__(values.cast(pa.large_string())), copy=False)


def _strict(values: pd.Series, kind: str) -> pd.Series:
    """The strict parser on ``values``; refuse when it would report a value."""
    from .load import _parse_column

    parsed, _rules = _parse_column(values, kind)
    given = values.notna() & (values.astype(str).str.strip() != "")
    if bool((given & parsed.isna()).any()):
        raise _Refused
    return parsed


def _dictionary_column(
    values: pa.ChunkedArray, kind: str, want_codes: bool = False
) -> tuple[pd.Series, np.ndarray | None, pd.Series, int]:
    """Parse a dictionary-encoded column on its distinct values.

    Parameters
    ----------
    values : pyarrow.ChunkedArray
        The column as read, dictionary-encoded.
    kind : str
        Column kind of :data:`~advocacy_eval.schema.COLUMNS`.
    want_codes : bool
        Whether to return each row's integer code (needed only for a
        multi-column uniqueness rule: it costs a pass over the rows).

    Returns
    -------
    typed : pandas.Series
        The parsed column.
    codes : numpy.ndarray or None
        Integer code of each row's typed value (-1: missing); equal codes,
        equal values. None unless ``want_codes``.
    distinct : pandas.Series
        The distinct typed values (no missing value).
    n_missing : int
        Rows whose typed value is missing.
    """
    values = values.unify_dictionaries()
    if values.num_chunks:
        dictionary = values.chunk(0).dictionary
        indices = pa.chunked_array([c.indices for c in values.chunks], type=pa.int32())
    else:
        dictionary, indices = pa.array([], type=pa.string()), pa.chunked_array([], type=pa.int32())
    parsed = _strict(_text_series(pa.chunked_array([dictionary]), na_is_nan=True), kind)
    typed_codes, uniques = pd.factorize(parsed, use_na_sentinel=True)
    blank = typed_codes < 0  # distinct raw values that parse to missing (white space only)
    arrow_decode = _is_arrow_string(parsed) and values.num_chunks > 0
    raw_codes: np.ndarray | None = None
    if want_codes or blank.any() or not arrow_decode:
        raw_codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64, copy=False)
    n_missing = indices.null_count
    if raw_codes is not None and blank.any():
        n_missing += int(np.isin(raw_codes, np.flatnonzero(blank)).sum())
    codes = np.append(typed_codes, -1)[raw_codes] if raw_codes is not None and want_codes else None
    if arrow_decode:
        # Arrow's take on its own null-aware indices: 3x faster than pandas' take with a fill mask
        typed = pd.Series(
            parsed.dtype.__from_arrow__(pc.take(pa.array(parsed.array), indices)), copy=False
        )
    else:
        assert raw_codes is not None
        typed = pd.Series(parsed.array.take(raw_codes, allow_fill=True), copy=False)
    return typed, codes, pd.Series(uniques, copy=False), n_missing


def _is_arrow_string(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _text_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    if values.num_chunks and _any(pc.match_substring_regex(values, f"{CONTROL}|{NEEDS_STRIP}")):
        return _strict(_text_series(values, na_is_nan=True), kind)
    return _text_series(values)


def _datetime_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    from .load import DATE_RANGE

    plain = (
        not values.num_chunks
        or pc.all(pc.match_substring_regex(values, PLAIN_DATETIME)).as_py() is not False
    )
    if kind != "datetime" or not plain:
        return _strict(_text_series(values, na_is_nan=True), kind)
    try:
        stamps = pc.cast(pc.replace_substring(values, "T", " "), pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Refused from None
    parsed = pd.Series(
        stamps.to_numpy().astype("datetime64[ns]") if len(values) else np.empty(0, "datetime64[ns]")
    )
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
    return _int64_series(values)


def _int64_series(values: pa.ChunkedArray) -> pd.Series:
    """Arrow int64 as pandas ``Int64`` with one copy (pandas' own conversion makes two)."""
    if values.null_count:
        mask = values.is_null().to_numpy(zero_copy_only=False)
        data = pc.fill_null(values, 0).to_numpy()
    else:
        mask = np.zeros(len(values), dtype=bool)
        data = values.to_numpy()
    if not data.flags.writeable:
        data = data.copy()
    return pd.Series(pd.arrays.IntegerArray(data.astype(np.int64, copy=False), mask), copy=False)


def _check_schema(
    table: str,
    frame: pd.DataFrame,
    codes: dict[str, np.ndarray | None],
    distinct: dict[str, pd.Series],
    missing: dict[str, int],
) -> None:
    """The table's pandera rules; element-wise checks on distinct values where the column was dictionary-read."""
    schema = SCHEMAS[table]
    if schema.checks:
        raise _Refused  # a table-level check: only pandera knows how to evaluate it
    for name, column in schema.columns.items():
        if name not in frame.columns:
            continue
        if name in distinct:
            n_missing = missing[name]
            duplicated = len(distinct[name]) < len(frame) - n_missing
            checked = distinct[name]
        else:
            present = frame[name].dropna()
            n_missing = len(frame) - len(present)
            duplicated = (
                bool(column.unique) and not pd.Index(present).is_unique
            )  # Index: 2x faster hashing
            checked = present.reset_index(drop=True)
        if (not column.nullable and n_missing) or (column.unique and duplicated):
            raise _Refused
        for check in column.checks if len(checked) else []:
            if not bool(check(checked).check_passed):
                raise _Refused
    if schema.unique:
        keys = [
            codes[c]
            if codes.get(c) is not None
            else pd.factorize(frame[c], use_na_sentinel=True)[0]
            for c in schema.unique
        ]
        combined = np.zeros(len(frame), dtype=np.int64)
        for k in keys:
            if (k < 0).any():
                raise _Refused
            combined = combined * (int(k.max()) + 1 if len(k) else 1) + k
        if not pd.Index(
            combined
        ).is_unique:  # pandas' hash table: numpy's unique sorts or is slower
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
            column_types=_arrow_types(table, header, _may_hold_hexadecimal(path)),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            check_utf8=True,
        ),
    )
    if tbl.column_names != header or tbl.num_rows == 0:
        raise _Refused
    n = tbl.num_rows
    data = dict(zip(names, tbl.columns))
    key_columns = set(SCHEMAS[table].unique or ())

    def convert(column: Column) -> tuple[pd.Series, np.ndarray | None, pd.Series | None, int]:
        values = data.get(column.name)
        if values is None:
            if column.required:
                raise _Refused
            from .load import _parse_column

            blank = pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=object)
            return _parse_column(blank, column.kind)[0], None, None, n
        if column.kind == "count":
            return _count_column(values), None, None, 0
        if pa.types.is_dictionary(values.type):
            return _dictionary_column(values, column.kind, want_codes=column.name in key_columns)
        if column.kind in ("date", "datetime", "month"):
            return _datetime_column(values, column.kind), None, None, 0
        return _text_column(values, column.kind), None, None, 0

    # Columns are converted concurrently: Arrow's and numpy's kernels release the GIL.
    with ThreadPoolExecutor(max_workers=min(len(COLUMNS[table]), os.cpu_count() or 1)) as pool:
        converted = dict(zip([c.name for c in COLUMNS[table]], pool.map(convert, COLUMNS[table])))
    out = {name: result[0] for name, result in converted.items()}
    codes = {name: result[1] for name, result in converted.items() if result[2] is not None}
    distinct = {name: result[2] for name, result in converted.items() if result[2] is not None}
    missing = {name: result[3] for name, result in converted.items() if result[2] is not None}
    canonical = {c.name for c in COLUMNS[table]}
    extras = {
        name: _text_series(values, na_is_nan=True)
        for name, values in data.items()
        if name not in canonical
    }
    for name, values in extras.items():  # the strict reader refuses a NUL byte anywhere in the file
        if values.str.contains("\x00", regex=False).any():
            raise _Refused
    frame = pd.DataFrame({**out, **extras}, index=pd.RangeIndex(n), copy=False)
    _check_schema(table, frame, codes, distinct, missing)
    return frame
