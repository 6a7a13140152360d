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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..schema import CATEGORICAL, COLUMNS, SCHEMAS, TEXT_DTYPE, Column

__all__ = [
    "BLOCK_BYTES",
    "CONTROL",
    "HIGH_CARDINALITY",
    "NEEDS_STRIP",
    "PLAIN_DATETIME",
    "check_passes",
    "read_table_fast",
    "read_table_fast_distinct",
]


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
        cuts = [*range(0, size, _SCAN_BYTES), size]
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
    values: pa.ChunkedArray, kind: str, want_codes: bool = False, categorical: bool = False
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
    categorical : bool
        Return a text column as a categorical with sorted categories (see
        :data:`~advocacy_eval.schema.CATEGORICAL`), built from the dictionary's
        indices without decoding a string per row.

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
    typed_codes, uniques = pd.factorize(parsed, sort=categorical, use_na_sentinel=True)
    blank = typed_codes < 0  # distinct raw values that parse to missing (white space only)
    categorical = categorical and _is_arrow_string(parsed)
    arrow_decode = _is_arrow_string(parsed) and values.num_chunks > 0 and not categorical
    raw_codes: np.ndarray | None = None
    if want_codes or blank.any() or not arrow_decode:
        raw_codes = pc.fill_null(indices, -1).to_numpy().astype(np.int64, copy=False)
    n_missing = indices.null_count
    if raw_codes is not None and blank.any():
        n_missing += int(np.isin(raw_codes, np.flatnonzero(blank)).sum())
    codes = np.append(typed_codes, -1)[raw_codes] if raw_codes is not None and want_codes else None
    if categorical:  # the same values as the decoded text, as codes into the sorted distinct values
        assert raw_codes is not None
        row_codes = codes if codes is not None else np.append(typed_codes, -1)[raw_codes]
        dtype = pd.CategoricalDtype(pd.Index(uniques, dtype=TEXT_DTYPE))
        typed = pd.Series(pd.Categorical.from_codes(row_codes, dtype=dtype), copy=False)
    elif arrow_decode:
        distinct_text = pa.array(parsed.array)
        if distinct_text.equals(dictionary.cast(distinct_text.type)):
            # parsing changed no value: Arrow's dictionary decode, the fastest way to the strings
            decoded = values.cast(distinct_text.type)
        else:  # Arrow's take on its own null-aware indices: 3x faster than pandas' take
            decoded = pc.take(distinct_text, indices)
        typed = pd.Series(parsed.dtype.__from_arrow__(decoded), copy=False)
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


def _plain_length(values: pa.ChunkedArray) -> bool:
    """Whether every value is 19 bytes long, the length of :data:`PLAIN_DATETIME`.

    Of the spellings Arrow's ISO 8601 cast to a naive ``timestamp("s")``
    accepts, the only ones of 19 bytes are ``YYYY-MM-DD HH:MM:SS`` and
    ``YYYY-MM-DDTHH:MM:SS`` (shorter: no seconds; longer: fractions or a zone,
    and a zone offset is refused for a naive timestamp). So "19 bytes and
    the cast succeeds" is :data:`PLAIN_DATETIME`, checked without a regular
    expression over every row; ``tests/test_fast_reader.py`` checks the
    equivalence on generated strings.
    """
    if not values.num_chunks or values.null_count == len(values):
        return True
    bounds = pc.min_max(pc.binary_length(values)).as_py()
    return bool(bounds["min"] == bounds["max"] == 19)


def _datetime_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    from .load import DATE_RANGE

    if kind != "datetime" or not _plain_length(values):
        return _strict(_text_series(values, na_is_nan=True), kind)
    try:
        stamps = pc.cast(values, pa.timestamp("s"))
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
    """Arrow int64 as pandas ``Int64`` with one copy, chunk by chunk into one array.

    pandas' own conversion makes two copies, and ``ChunkedArray.to_numpy``
    concatenates through an intermediate buffer: filling a preallocated
    array from each chunk's zero-copy view is about twice as fast.
    """
    data = np.empty(len(values), dtype=np.int64)
    mask = np.zeros(len(values), dtype=bool)
    start = 0
    for chunk in values.chunks:
        stop = start + len(chunk)
        if chunk.null_count:
            mask[start:stop] = chunk.is_null().to_numpy(zero_copy_only=False)
            chunk = pc.fill_null(chunk, 0)
        data[start:stop] = chunk.to_numpy(zero_copy_only=False)
        start = stop
    return pd.Series(pd.arrays.IntegerArray(data, mask), copy=False)


def _length_within(
    lengths: pd.Series, min_value: int | None, max_value: int | None, exact_value: int | None
) -> pd.Series:
    """pandera's ``str_length`` on lengths computed once."""
    if exact_value is not None:
        return lengths == exact_value
    return (lengths >= (min_value if min_value is not None else 0)) & (
        lengths <= (max_value if max_value is not None else np.iinfo(np.int64).max)
    )


_BUILTIN_CHECKS: dict[str, Callable[..., pd.Series]] = {
    "greater_than_or_equal_to": lambda v, min_value: v >= min_value,
    "greater_than": lambda v, min_value: v > min_value,
    "less_than_or_equal_to": lambda v, max_value: v <= max_value,
    "less_than": lambda v, max_value: v < max_value,
    "isin": lambda v, allowed_values: v.isin(list(allowed_values)),
    "notin": lambda v, forbidden_values: ~v.isin(list(forbidden_values)),
    "str_length": lambda v, min_value=None, max_value=None, exact_value=None: _length_within(
        v.str.len(), min_value, max_value, exact_value
    ),
}
"""pandera's built-in checks used by :data:`~advocacy_eval.schema.SCHEMAS`, on a series without missing values.

The same comparisons as pandera's own functions
(``pandera.backends.pandas.builtin_checks``), evaluated directly: pandera's
check backend is registered on first use, and registering it imports
pandera's data-synthesis strategies (and Hypothesis when installed), about
1.2 s before the first check of a run. ``tests/test_fast_reader.py`` checks
that both give the same verdict.
"""


def check_passes(check: Any, values: pd.Series) -> bool:
    """Whether every value of ``values`` (no missing value) passes a pandera column check.

    Parameters
    ----------
    check : pandera.Check
        A check of a column of :data:`~advocacy_eval.schema.SCHEMAS`: one of
        :data:`_BUILTIN_CHECKS`, or a custom vectorised check (a function of the
        series returning a boolean series or a bool); any other kind is
        evaluated by pandera.
    values : pandas.Series
        Typed values, without missing values.

    Returns
    -------
    bool
    """
    builtin = _BUILTIN_CHECKS.get(check.name) if check.statistics else None
    custom = getattr(check, "_check_fn", None)
    if builtin is not None:
        result = builtin(values, **check.statistics)
    elif not check.statistics and not check.element_wise and callable(custom):
        result = custom(values)
    else:
        return bool(check(values).check_passed)
    if isinstance(result, pd.Series):
        return bool(result.fillna(False).astype(bool).all())
    return bool(result)


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
            if not check_passes(check, checked):
                raise _Refused
    if schema.unique:
        keys: list[np.ndarray] = []
        for c in schema.unique:
            given = codes.get(c)
            keys.append(
                given if given is not None else pd.factorize(frame[c], use_na_sentinel=True)[0]
            )
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
    read = read_table_fast_distinct(path, table)
    return None if read is None else read[0]


def read_table_fast_distinct(
    path: str | Path, table: str
) -> tuple[pd.DataFrame, dict[str, pd.Series]] | None:
    """:func:`read_table_fast`, also giving the distinct values of the dictionary-read columns.

    The cross-table rules (:func:`~advocacy_eval.io.validate.cross_table_failures`)
    test membership on these distinct values (200,000 author ids rather than
    6 M activity rows) and look at the rows only when a value fails.

    Parameters
    ----------
    path, table
        As in :func:`read_table_fast`.

    Returns
    -------
    tuple or None
        The frame and, by column, its distinct typed values (no missing value);
        None when the strict path must read the file.
    """
    path = Path(path)
    try:
        return _read(path, table)
    except (_Refused, pa.ArrowException, OSError, ValueError, TypeError, OverflowError):
        return None


def _read(path: Path, table: str) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
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
    data = dict(zip(names, tbl.columns, strict=True))
    key_columns = set(SCHEMAS[table].unique or ())
    categorical = set(CATEGORICAL.get(table, ()))

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
            return _dictionary_column(
                values,
                column.kind,
                want_codes=column.name in key_columns,
                categorical=column.name in categorical,
            )
        if column.kind in ("date", "datetime", "month"):
            return _datetime_column(values, column.kind), None, None, 0
        return _text_column(values, column.kind), None, None, 0

    # Columns are converted concurrently: Arrow's and numpy's kernels release the GIL.
    with ThreadPoolExecutor(max_workers=min(len(COLUMNS[table]), os.cpu_count() or 1)) as pool:
        converted = dict(
            zip([c.name for c in COLUMNS[table]], pool.map(convert, COLUMNS[table]), strict=True)
        )
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
    for values in extras.values():  # the strict reader refuses a NUL byte anywhere in the file
        if values.str.contains("\x00", regex=False).any():
            raise _Refused
    frame = pd.DataFrame({**out, **extras}, index=pd.RangeIndex(n), copy=False)
    _check_schema(table, frame, codes, distinct, missing)
    return frame, distinct
