"""Fast path of the strict CSV reader: pandas' or pyarrow's reader, every rule checked on distinct values.

:func:`~advocacy_eval.io.load.load_programme` first offers each CSV table to
:func:`read_table_fast`. The fast path returns the typed table only when it
can show that the strict path (:func:`~advocacy_eval.io.load.read_raw`, then
:func:`~advocacy_eval.io.load.parse_table` and the table's pandera schema)
would find no problem in the file and would return the same frame; in every
other case it returns None, and the strict path reads the file again and
reports every problem with its file, row, column and rule. So there is one
set of rules and one kind of error; the fast path only decides, quickly,
that there is nothing to report.

Two reads, tried in turn:

1. **pandas' C reader** (:func:`_pandas_columns`), the strict reader's own
   tokeniser, with the column types inferred into Arrow arrays: pandas 3.1
   reads a large file in parallel pieces. Counts come back as ``int64`` only
   when every cell is a whole number the count rule reads the same way
   (pandas reads no ``0x``, ``1e3`` nor ``12.0`` as an integer); booleans as
   ``bool`` only when every cell is one of :func:`bool_spellings`; the rest as
   text, which is dictionary-encoded or cast to dates after the read
   (:func:`_as_arrow_reads`). When pandas infers another type than the one
   wanted (ids written as numbers, a count written ``12.0``), this read
   declines and
2. **Arrow's reader** (:func:`_arrow_read`) reads the file with the wanted
   types, as below.

On the 200,000-employee programme (2 cores), pandas' read made load +
validate 1.93 s -> 1.50 s: Arrow's tokeniser costs about twice pandas' CPU
time per byte, and pandas' route needs no ``0x`` scan.

How it stays exact:

- On Arrow's route, counts are read as 64-bit integers. Arrow's integer syntax (optional
  sign, digits) is a subset of the count rule's, except hexadecimal: Arrow
  reads ``0x1A`` as 26. So a file holding ``0x`` or ``0X`` anywhere has its
  counts read as text instead: plain ASCII digits are cast, any other
  spelling goes through the strict parser. Any other unusual count (white
  space, ``12.0``) makes Arrow's read fail and the file go to the strict
  path.
- Low-cardinality columns (categories, dates, months, booleans, wave and
  author ids) are read dictionary-encoded: the strict parser
  (:func:`~advocacy_eval.io.load._parse_column`) runs on the distinct values
  only, and the result is expanded by the codes. Distinct text that is
  printable ASCII without surrounding spaces is what the strict parser
  would return, and is taken as read.
- A date, month or boolean column whose first value is written
  ``YYYY-MM-DD``, or as one of the strict parser's true/false words, is read
  as ``date32`` or ``bool`` (:func:`_typed_columns`): by Arrow's reader, or
  after pandas' read by Arrow's cast of the distinct dates (the same
  ``YYYY-MM-DD`` parser, without trimming). Arrow's
  ``date32`` accepts exactly ``YYYY-MM-DD`` in ASCII digits (spaces and tabs
  trimmed, as the strict parser strips them) and refuses impossible dates;
  its booleans are given every upper/lower-case spelling of the strict
  parser's words (:func:`bool_spellings`). The date range and, for a month,
  the first day of the month are checked on the distinct days. Any other
  spelling makes Arrow's read fail, and the file is read again with these
  columns as dictionaries (after pandas' read, the column whose cast fails
  stays a dictionary).
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

``tests/test_fast_reader.py`` checks, on both routes, that the fast and the
strict paths return identical frames and that every corruption the strict
path reports sends the file off the fast path.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import itertools
import mmap
import os
import re
import warnings
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
    "ENCODED_AFTER",
    "HIGH_CARDINALITY",
    "MIN_BLOCK_BYTES",
    "PLAIN_DATETIME",
    "SERIAL_ROWS",
    "WHITE_SPACE_END",
    "bool_spellings",
    "check_passes",
    "needs_strip_pattern",
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

ENCODED_AFTER: frozenset[tuple[str, str]] = frozenset({("posts", "author_id")})
"""Columns read as plain text, then dictionary-encoded by one hash table over the whole column.

Arrow's reader gives each 8 MB block its own dictionary: for the posts' author ids (67,000
distinct ids in every block of a 200,000-employee programme) the 27 dictionaries then had to
be unified. Measured: the posts read 0.08 s of CPU shorter, the encoding 0.055 s longer."""

BLOCK_BYTES = 1 << 23
"""Largest block of pyarrow's reader (each block is parsed by one thread).

Measured on the 200,000-employee programme (2 cores): 8 MB blocks read the
posts and activity files 10-15 % faster than 2 MB blocks (fewer chunks to
merge) and than 32 MB blocks (too few blocks to keep both cores busy).
"""

SERIAL_ROWS = 50_000
"""Tables with fewer rows have their columns converted one after the other, in the calling thread."""

MIN_BLOCK_BYTES = 1 << 21
"""Smallest block: a smaller file is cut into about four blocks of at least this size."""


def _block_bytes(size: int) -> int:
    """Block size for a file of ``size`` bytes: about four blocks per file, between the two bounds."""
    return max(MIN_BLOCK_BYTES, min(BLOCK_BYTES, size // 4))


_SCAN_BYTES = 1 << 22
"""Bytes of a file examined at a time by :func:`_may_hold_hexadecimal` (its scratch arrays stay in cache)."""


WHITE_SPACE_END = 0x3001
"""One past the last code point that Python's ``str.isspace`` accepts (U+3000, ideographic space)."""


@functools.cache
def needs_strip_pattern() -> str:
    """RE2 pattern of a value that Python's ``str.strip`` would change (leading or trailing white space).

    Built on first use, from the code points below :data:`WHITE_SPACE_END`:
    scanning all 1.1 M code points took about 60 ms of every load (a test
    checks that no white space lies beyond).
    """
    whitespace = "".join(chr(c) for c in range(WHITE_SPACE_END) if chr(c).isspace())
    re2_class = "".join(f"\\x{{{ord(c):x}}}" for c in whitespace)
    return f"^[{re2_class}]|[{re2_class}]$"


CONTROL = r"[\x{00}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}]"
"""RE2 twin of :data:`advocacy_eval.io.load.CONTROL_CHARACTERS`."""

PLAIN_DATETIME = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"
"""The one date-time spelling cast directly by Arrow (UTC, no offset, no fraction)."""

_DICTIONARY = pa.dictionary(pa.int32(), pa.string())

TEXT_KINDS = frozenset({"id", "text", "category"})
"""Column kinds the strict parser reads as text (trimmed; blank or holding a control character: missing)."""


class _Refused(Exception):
    """The fast path cannot vouch for this file: the strict path must read it."""


HEAD_RECORDS = 64
"""Data records read ahead to choose the typed columns (:func:`_typed_columns`)."""


def _head(path: Path, records: int = HEAD_RECORDS) -> tuple[list[str], list[list[str]]]:
    """The first CSV records: column names as the strict reader sees them before trimming (BOM
    removed), and up to ``records`` data records (fewer at the end of the file or at the first
    record that cannot be read)."""
    with open(path, encoding="utf-8-sig", newline="", errors="strict") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except (StopIteration, csv.Error, UnicodeDecodeError):
            raise _Refused from None
        rows: list[list[str]] = []
        with contextlib.suppress(csv.Error, UnicodeDecodeError):  # keeps the records read before
            rows.extend(itertools.islice(reader, records))
        return header, rows


_LOWER_X, _ZERO = b"x"[0], b"0"[0]
_CASE_BIT = 0x20
"""``byte | 0x20`` is ``x`` exactly for ``x`` and ``X``: no other byte, in ASCII or in UTF-8, maps to it."""


def _may_hold_hexadecimal(path: Path) -> bool:
    """Whether ``0x``/``0X`` occurs anywhere in the file: only then could Arrow read a count the rule refuses.

    A file with no ``x`` nor ``X`` at all (found by ``memchr``) holds none.
    Otherwise the bytes are examined by numpy, :data:`_SCAN_BYTES` at a
    time: the positions of ``x`` and ``X`` (rare in an export: a 220 MB posts
    file holds about 100,000) are found by case folding, and the byte before
    each is compared with ``0``. The posts file of a 200,000-employee
    programme, in a fresh process (the mapping's page faults included):
    0.13 s, against 0.18 s for Arrow's case-insensitive substring search and
    0.33 s for ``mmap.find``.
    """
    size = path.stat().st_size
    if size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(b"x") < 0 and data.find(b"X") < 0:
            return False  # ``memchr`` for one byte: several times faster than the pair search
        raw = np.frombuffer(data, dtype=np.uint8)
        try:
            return _zero_before_x(raw)
        finally:
            del raw  # the map cannot close while numpy holds a view of it


def _zero_before_x(raw: np.ndarray) -> bool:
    """Whether some ``x`` or ``X`` byte of ``raw`` follows a ``0`` byte (see :func:`_may_hold_hexadecimal`)."""
    folded = np.empty(min(_SCAN_BYTES, len(raw)), dtype=np.uint8)
    is_x = np.empty(len(folded), dtype=bool)
    for start in range(0, len(raw), _SCAN_BYTES):
        stop = min(start + _SCAN_BYTES, len(raw))
        width = stop - start
        np.bitwise_or(raw[start:stop], _CASE_BIT, out=folded[:width])
        np.equal(folded[:width], _LOWER_X, out=is_x[:width])
        at = np.flatnonzero(is_x[:width])
        if len(at):
            at += start - 1  # the byte before each x, anywhere in the file
            if bool((raw[at[at >= 0]] == _ZERO).any()):
                return True
    return False


def _arrow_types(
    table: str,
    header: list[str],
    counts_as_text: bool = False,
    typed: frozenset[str] = frozenset(),
) -> dict[str, pa.DataType]:
    """Arrow type of each column as read; ``typed`` (raw names): dates and booleans Arrow parses itself."""
    kinds = {c.name: c.kind for c in COLUMNS[table]}
    types: dict[str, pa.DataType] = {}
    for raw in header:
        name = raw.strip()
        kind = kinds.get(name)
        if kind is None:  # an extra column: kept as text, untouched
            types[raw] = pa.string()
        elif kind == "count":
            types[raw] = pa.string() if counts_as_text else pa.int64()
        elif (table, name) in HIGH_CARDINALITY or (table, name) in ENCODED_AFTER:
            types[raw] = pa.string()
        elif raw in typed and kind in ("date", "month"):
            types[raw] = pa.date32()
        elif raw in typed and kind == "bool":
            types[raw] = pa.bool_()
        else:
            types[raw] = _DICTIONARY
    return types


PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
"""A date written ``YYYY-MM-DD``: the spelling Arrow's ``date32`` reads (it also trims spaces and tabs)."""


def _case_variants(word: str) -> list[str]:
    """Every spelling of an ASCII ``word`` in upper and lower case letters."""
    return ["".join(t) for t in itertools.product(*(sorted({c.lower(), c.upper()}) for c in word))]


@functools.cache
def bool_spellings() -> tuple[list[str], list[str]]:
    """The spellings of true and of false that Arrow reads as booleans: the strict parser's, in any case.

    The strict parser trims a cell and lowers its case before looking it up
    (:data:`advocacy_eval.io.load._TRUE`, ``_FALSE``); Arrow compares cells
    exactly, so it is given every upper/lower-case spelling of those words. A
    cell with surrounding white space fails Arrow's conversion and the file is
    read again with the column as a dictionary.
    """
    from .load import _FALSE, _TRUE

    return (
        sorted(v for word in _TRUE for v in _case_variants(word)),
        sorted(v for word in _FALSE for v in _case_variants(word)),
    )


def _typed_columns(table: str, header: list[str], rows: list[list[str]]) -> frozenset[str]:
    """Date, month and boolean columns whose first value Arrow can read as a date or a boolean.

    The first value is the first non-empty one in ``rows`` (the file's first
    records: an employee who has not enrolled yet has no enrolment date).
    Such a column is read by Arrow as ``date32`` or ``bool`` (no dictionary of
    6 M look-ups); a column whose first value is spelled otherwise (``YYYY-MM``,
    ``yes ``) or that is empty in every row read is read as a dictionary and
    parsed on its distinct values. A later cell spelled otherwise makes
    Arrow's read fail, and the file is read again with dictionaries
    (:func:`_read`).
    """
    kinds = {c.name: c.kind for c in COLUMNS[table]}
    wanted = {raw for raw in header if kinds.get(raw.strip()) in ("date", "month", "bool")}
    if not wanted or not rows or any(len(row) != len(header) for row in rows):
        return frozenset()
    true, false = bool_spellings()
    typed = set()
    for i, raw in enumerate(header):
        if raw not in wanted:
            continue
        value = next((row[i] for row in rows if row[i] != ""), None)
        if value is None:
            continue
        if kinds[raw.strip()] == "bool":
            if value in true or value in false:
                typed.add(raw)
        elif PLAIN_DATE.fullmatch(value):
            typed.add(raw)
    return frozenset(typed)


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


def _one_dictionary(values: pa.ChunkedArray) -> bool:
    """Whether every chunk of a dictionary-encoded column has the same dictionary (no unification needed)."""
    first = values.chunk(0).dictionary
    return all(chunk.dictionary.equals(first) for chunk in values.chunks[1:])


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
    if values.num_chunks > 1 and not _one_dictionary(values):
        values = values.unify_dictionaries()
    if values.num_chunks:
        dictionary = values.chunk(0).dictionary
        indices = pa.chunked_array([c.indices for c in values.chunks], type=pa.int32())
    else:
        dictionary, indices = pa.array([], type=pa.string()), pa.chunked_array([], type=pa.int32())
    distinct_raw = pa.chunked_array([dictionary])
    # clean text parses to itself: the strict parser runs on unclean text only
    if kind in TEXT_KINDS:
        parsed = _text_column(distinct_raw, kind)
    else:
        parsed = _strict(_text_series(distinct_raw, na_is_nan=True), kind)
    # sorted codes: a file sorted by a key has increasing key codes (see :func:`_codes_unique`)
    typed_codes, uniques = _factorize(parsed, sort=categorical or want_codes)
    blank = typed_codes < 0  # distinct raw values that parse to missing (white space only)
    categorical = categorical and _is_arrow_string(parsed)
    arrow_decode = _is_arrow_string(parsed) and values.num_chunks > 0 and not categorical
    # Each row's code into the typed distinct values, in the narrowest integer type that holds
    # them (the type a categorical keeps: no copy later); -1 for a missing value.
    lookup = np.append(typed_codes, -1).astype(_code_dtype(len(uniques)))
    row_codes = _gather(lookup, indices) if want_codes or categorical or blank.any() else None
    n_missing = indices.null_count
    if blank.any():
        assert row_codes is not None
        n_missing = int(np.count_nonzero(row_codes < 0))
    if categorical:  # the same values as the decoded text, as codes into the sorted distinct values
        assert row_codes is not None
        dtype = pd.CategoricalDtype(pd.Index(uniques, dtype=TEXT_DTYPE))
        typed = pd.Series(
            pd.Categorical.from_codes(row_codes, dtype=dtype, validate=False), copy=False
        )
    elif arrow_decode:
        distinct_text = pa.array(parsed.array)
        if isinstance(
            distinct_text, pa.ChunkedArray
        ):  # pandas' own chunks (no distinct value: none)
            distinct_text = distinct_text.combine_chunks()
        if distinct_text.equals(dictionary.cast(distinct_text.type)):
            # parsing changed no value: Arrow's dictionary decode, the fastest way to the strings
            decoded = values.cast(distinct_text.type)
        else:  # Arrow's take on its own null-aware indices: 3x faster than pandas' take
            decoded = pc.take(distinct_text, indices)
        typed = pd.Series(parsed.dtype.__from_arrow__(decoded), copy=False)
    else:
        typed = _expand(parsed, indices)
    return typed, row_codes if want_codes else None, pd.Series(uniques, copy=False), n_missing


_EPOCH = pd.Timestamp("1970-01-01")


def _date32_column(
    values: pa.ChunkedArray, kind: str, want_codes: bool = False
) -> tuple[pd.Series, np.ndarray | None, pd.Series, int]:
    """A date or month column read by Arrow as ``date32``: the same four results as :func:`_dictionary_column`.

    The rules the strict parser applies after the spelling are checked on the
    distinct days: the date range (:data:`~advocacy_eval.io.load.DATE_RANGE`)
    and, for a month, the first day of the month. Codes (``want_codes``)
    follow the days' order; -1 for a missing value.

    The days lie between the column's first and last day: a table indexed by
    the day's offset from the first marks the days present, then gives each
    row its date and code, with no hashing and no per-row date conversion
    (a month column of 6 M rows: about 30 ms instead of 110 ms).
    """
    from .load import DATE_RANGE

    n = len(values)
    bounds = pc.min_max(values).as_py()
    if bounds["min"] is None:  # every value missing (or no row)
        return (
            pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), copy=False),
            np.full(n, -1, dtype=_code_dtype(0)) if want_codes else None,
            pd.Series([], dtype="datetime64[ns]"),
            n,
        )
    lowest, highest = ((bound - _EPOCH.date()).days for bound in (bounds["min"], bounds["max"]))
    first, end = ((bound - _EPOCH).days for bound in DATE_RANGE)
    if lowest < first or highest >= end:
        raise _Refused
    offsets = []  # each chunk's days as offsets from the first day (missing: 0), and its missing rows
    present = np.zeros(highest - lowest + 1, dtype=bool)
    for chunk in values.chunks:
        days = chunk.view(pa.int32())
        if chunk.null_count:
            days = pc.fill_null(days, lowest)
        offset = days.to_numpy() - np.int32(lowest)
        present[offset] = True
        offsets.append(
            (offset, chunk.is_null().to_numpy(zero_copy_only=False) if chunk.null_count else None)
        )
    positions = np.flatnonzero(present)
    distinct_days = (positions + lowest).astype("datetime64[D]")
    if kind == "month" and bool(
        (distinct_days.astype("datetime64[M]").astype("datetime64[D]") != distinct_days).any()
    ):
        raise _Refused
    stamps = np.full(len(present), np.datetime64("NaT"), dtype="datetime64[ns]")
    stamps[positions] = distinct_days
    typed = np.empty(n, dtype="datetime64[ns]")
    codes, table = None, None
    if want_codes:
        codes = np.empty(n, dtype=_code_dtype(len(positions)))
        table = np.full(len(present), -1, dtype=codes.dtype)
        table[positions] = np.arange(len(positions))
    # the offsets are in range by construction: ``mode="clip"`` spares the copy through a
    # temporary buffer that numpy's default (``"raise"``) makes when given ``out``
    start = 0
    for offset, missing in offsets:
        stop = start + len(offset)
        np.take(stamps, offset, out=typed[start:stop], mode="clip")
        if missing is not None:
            typed[start:stop][missing] = np.datetime64("NaT")
        if codes is not None and table is not None:
            np.take(table, offset, out=codes[start:stop], mode="clip")
            if missing is not None:
                codes[start:stop][missing] = -1
        start = stop
    distinct = pd.Series(distinct_days.astype("datetime64[ns]"))
    return pd.Series(typed, copy=False), codes, distinct, values.null_count


def _bool_column(values: pa.ChunkedArray) -> tuple[pd.Series, None, pd.Series, int]:
    """A boolean column read as ``bool``, as pandas ``boolean``, with its distinct values."""
    data, mask = _data_and_mask(values, np.dtype(bool), False)
    present = sorted(pc.unique(values).drop_null().to_pylist())
    return (
        pd.Series(pd.arrays.BooleanArray(data, mask), copy=False),
        None,
        pd.Series(present, dtype="boolean"),
        values.null_count,
    )


def _gather(lookup: np.ndarray, indices: pa.ChunkedArray) -> np.ndarray:
    """``lookup[i]`` for each row's index ``i``, and ``lookup[-1]`` where the index is missing.

    Filled chunk by chunk into one array: numpy widens int32 indices to
    ``intp`` before a take, and doing so per chunk keeps that copy small
    (for 6 M rows, one 49 MB copy of fresh memory less). When the lookup is
    the identity (``lookup[i] == i``, ``lookup[-1] == -1``: a dictionary
    already in its typed values' order), the indices are copied as they are
    (the activity's 6 M employee codes: about 3x faster than a take).
    """
    out = np.empty(len(indices), dtype=lookup.dtype)
    n = len(lookup) - 1
    identity = n >= 0 and lookup[n] == -1 and bool(np.array_equal(lookup[:n], np.arange(n)))
    start = 0
    for chunk in indices.chunks:
        stop = start + len(chunk)
        if chunk.null_count:
            chunk = pc.fill_null(chunk, -1 if identity else n)
        if identity:
            out[start:stop] = chunk.to_numpy()
        else:  # indices in range: "clip" writes straight into ``out`` (see :func:`_date32_column`)
            np.take(lookup, chunk.to_numpy(), out=out[start:stop], mode="clip")
        start = stop
    return out


def _expand(parsed: pd.Series, indices: pa.ChunkedArray) -> pd.Series:
    """Each row's typed value from the typed dictionary ``parsed`` and the rows' indices into it."""
    values = parsed.array
    if isinstance(values, pd.arrays.DatetimeArray) and values.tz is None:
        lookup = np.append(values.to_numpy(), np.datetime64("NaT", values.unit))
        return pd.Series(_gather(lookup, indices), copy=False)
    if isinstance(values, pd.arrays.BooleanArray):
        data = _gather(np.append(values.to_numpy(bool, na_value=False), False), indices)
        mask = _gather(np.append(values.isna(), True), indices)
        return pd.Series(pd.arrays.BooleanArray(data, mask), copy=False)
    lookup = np.append(np.arange(len(values)), -1)
    return pd.Series(values.take(_gather(lookup, indices), allow_fill=True), copy=False)


def _code_dtype(n_values: int) -> np.dtype:
    """The integer type pandas gives the codes of a categorical of ``n_values`` categories."""
    for kind in (np.int8, np.int16, np.int32):
        if n_values < np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.int64)


def _is_arrow_string(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _text_column(values: pa.ChunkedArray, kind: str) -> pd.Series:
    if values.num_chunks and _needs_cleaning(values):
        return _strict(_text_series(values, na_is_nan=True), kind)
    return _text_series(values)


def _needs_cleaning(values: pa.ChunkedArray) -> bool:
    """Whether some value holds a control character or surrounding white space (see :data:`CONTROL`).

    When every value is printable ASCII, the only white space is the space
    and there is no control character, so two prefix and suffix tests decide
    (about 8x faster than the regular expression, which decides otherwise).
    """
    if pc.all(pc.ascii_is_printable(values)).as_py() is not False:
        return _any(pc.starts_with(values, " ")) or _any(pc.ends_with(values, " "))
    return _any(pc.match_substring_regex(values, f"{CONTROL}|{needs_strip_pattern()}"))


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
    if stamps.null_count < len(stamps):  # the range rule on the extremes, before any conversion
        bounds = pc.min_max(stamps).as_py()
        if (
            pd.Timestamp(bounds["min"]) < DATE_RANGE[0]
            or pd.Timestamp(bounds["max"]) >= DATE_RANGE[1]
        ):
            raise _Refused
    return pd.Series(
        stamps.to_numpy().astype("datetime64[ns]") if len(values) else np.empty(0, "datetime64[ns]")
    )


def _count_column(values: pa.ChunkedArray) -> tuple[pd.Series, pd.Series | None]:
    """Counts read as integers (by pandas, or by Arrow when no ``0x`` is in the file), or as text:
    plain ASCII digits cast, others strictly parsed.

    Returns the typed column and its smallest and largest value (None when
    every value is missing).
    """
    from .load import MAX_COUNT

    if not pa.types.is_integer(values.type):
        if values.num_chunks and pc.all(pc.ascii_is_decimal(values)).as_py() is False:
            typed = _strict(_text_series(values, na_is_nan=True), "count")
            present = typed.dropna()
            return typed, _extremes(present) if len(present) else None
        try:
            values = pc.cast(values, pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _Refused from None  # beyond 64 bits: the strict parser names the cell
    if values.null_count == len(values):
        return _int64_series(values), None
    bounds = pc.min_max(values).as_py()
    if max(abs(bounds["min"]), abs(bounds["max"])) > MAX_COUNT:
        raise _Refused
    return _int64_series(values), pd.Series([bounds["min"], bounds["max"]], dtype="Int64")


def _int64_series(values: pa.ChunkedArray) -> pd.Series:
    """Arrow int64 as pandas ``Int64`` with one copy, chunk by chunk into one array.

    pandas' own conversion makes two copies, and ``ChunkedArray.to_numpy``
    concatenates through an intermediate buffer: filling a preallocated
    array from each chunk's zero-copy view is about twice as fast.
    """
    data, mask = _data_and_mask(values, np.dtype(np.int64), 0)
    return pd.Series(pd.arrays.IntegerArray(data, mask), copy=False)


def _data_and_mask(
    values: pa.ChunkedArray, dtype: np.dtype, fill: bool | int
) -> tuple[np.ndarray, np.ndarray]:
    """The values and their missing-value mask as two numpy arrays, filled chunk by chunk.

    Each chunk is copied from its zero-copy view into one preallocated array
    (missing values: ``fill``), the layout of pandas' masked arrays.
    """
    data = np.empty(len(values), dtype=dtype)
    mask = np.zeros(len(values), dtype=bool)
    start = 0
    for chunk in values.chunks:
        stop = start + len(chunk)
        if chunk.null_count:
            mask[start:stop] = chunk.is_null().to_numpy(zero_copy_only=False)
            chunk = pc.fill_null(chunk, fill)
        data[start:stop] = chunk.to_numpy(zero_copy_only=False)
        start = stop
    return data, mask


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


_RANGE_CHECKS = frozenset(
    {"greater_than_or_equal_to", "greater_than", "less_than_or_equal_to", "less_than"}
)
"""pandera checks that compare each value with a bound: all values pass when the smallest and the largest do."""


def _extremes(values: pd.Series) -> pd.Series:
    """The smallest and the largest value of a series without missing values, in its dtype."""
    return pd.Series([values.min(), values.max()], dtype=values.dtype)


def _length_extremes(values: pd.Series) -> pd.Series:
    """The shortest and longest length (in characters, as ``str.len``) of text without missing values.

    Arrow text is measured by Arrow (``utf8_length``, then ``min_max``), with no
    pandas series of 2 M lengths in between.
    """
    if _is_arrow_string(values):
        bounds = pc.min_max(pc.utf8_length(pa.array(values.array))).as_py()
        return pd.Series([bounds["min"], bounds["max"]], dtype="Int64")
    return _extremes(values.str.len())


def _column_passes(
    checks: list[Any], present: Callable[[], pd.Series], extremes: pd.Series | None
) -> bool:
    """Whether the values of a column (``present()``: no missing value, not empty) pass every check.

    A bound check (:data:`_RANGE_CHECKS`) is evaluated on the column's two
    extreme values and a length check on its two extreme lengths: the
    verdict is the same as on every value, without a boolean mask per check.
    """
    values: pd.Series | None = None
    lengths: pd.Series | None = None
    for check in checks:
        if check.name in _RANGE_CHECKS and check.statistics:
            if extremes is None:
                values = present() if values is None else values
                extremes = _extremes(values)
            ok = check_passes(check, extremes)
        elif check.name == "str_length" and check.statistics:
            if lengths is None:
                values = present() if values is None else values
                lengths = _length_extremes(values)
            ok = bool(_length_within(lengths, **check.statistics).all())
        else:
            values = present() if values is None else values
            ok = check_passes(check, values)
        if not ok:
            return False
    return True


def _is_unique(values: pd.Series) -> bool:
    """Whether a series without missing values holds no value twice.

    Text in strictly increasing order (ids written sorted, as exports
    usually are) is unique, which one comparison of neighbours shows; otherwise
    pandas' hash table decides (on an Index: about twice as fast as on a Series).
    """
    if _increasing_text(values):
        return True
    return bool(pd.Index(values).is_unique)


def _increasing_text(values: pd.Series) -> bool:
    """Whether ``values`` is Arrow text of two values or more, none missing, each greater than the one before."""
    if not _is_arrow_string(values) or len(values) < 2 or values.hasnans:
        return False
    text = pa.array(values.array)
    return bool(pc.all(pc.less(text[:-1], text[1:])).as_py())


def _factorize(parsed: pd.Series, sort: bool) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize(parsed, sort=sort, use_na_sentinel=True)``, read off when the text is already increasing.

    A file grouped by sorted ids (the activity table, by employee) has its
    distinct ids, in order of appearance, already sorted and distinct: each
    value is its own code (200,000 ids: about 30 ms of hashing saved).
    """
    if _increasing_text(parsed):
        return np.arange(len(parsed), dtype=np.intp), pd.Index(parsed.array, copy=False)
    codes, uniques = pd.factorize(parsed, sort=sort, use_na_sentinel=True)
    return codes, pd.Index(uniques, copy=False)


def _codes_unique(keys: list[np.ndarray], n_rows: int) -> bool:
    """Whether the rows' tuples of integer codes (each >= 0) are all distinct.

    Tuples in strictly increasing order (a file sorted by its key, with codes
    that follow the values' order) are distinct, which comparisons of
    neighbours show. Otherwise, when the tuples fit a table of at most
    ``4 * n_rows`` slots, each row marks its slot and the rows are unique when
    as many slots are marked as there are rows; beyond, pandas' hash table
    decides.
    """
    if _increasing_tuples(keys):
        return True
    sizes = [int(k.max()) + 1 if len(k) else 1 for k in keys]
    slots = int(np.prod(np.asarray(sizes, dtype=object)))
    if slots > np.iinfo(np.int64).max:  # no single integer per tuple
        return bool(pd.MultiIndex.from_arrays(keys).is_unique)
    dtype = np.int32 if slots <= np.iinfo(np.int32).max else np.int64
    combined: np.ndarray = np.array(keys[0], dtype=dtype)  # a copy, updated in place
    for k, size in zip(keys[1:], sizes[1:], strict=True):
        combined *= size  # stays below ``slots``, so within ``dtype``
        combined += k
    if slots <= max(4 * n_rows, 1 << 16):
        seen = np.zeros(slots, dtype=bool)
        seen[combined] = True
        return int(np.count_nonzero(seen)) == n_rows
    return bool(pd.Index(combined).is_unique)


def _increasing_tuples(keys: list[np.ndarray]) -> bool:
    """Whether the rows' tuples of codes are in strictly increasing (lexicographic) order."""
    if not keys or len(keys[0]) < 2:
        return len(keys) > 0
    last = keys[-1]
    increasing = last[1:] > last[:-1]
    for k in reversed(keys[:-1]):
        before, after = k[:-1], k[1:]
        increasing &= after == before
        increasing |= after > before
    return bool(increasing.all())


def _itself(values: pd.Series) -> pd.Series:
    return values


def _without_missing(values: pd.Series) -> pd.Series:
    """The values that are not missing, on a fresh 0..n-1 index."""
    kept = values.dropna() if values.hasnans else values
    return kept.reset_index(drop=True)


def _check_column(
    table: str,
    name: str,
    series: pd.Series,
    distinct: pd.Series | None,
    n_missing: int,
    extremes: pd.Series | None = None,
) -> None:
    """One column's pandera rules; element-wise checks on its distinct values when it was dictionary-read.

    Parameters
    ----------
    table, name
        Canonical table and column.
    series : pandas.Series
        The typed column.
    distinct : pandas.Series or None
        Its distinct typed values (no missing value), when known.
    n_missing : int
        Its missing values when ``distinct`` is given (otherwise counted here).
    extremes : pandas.Series or None
        Its smallest and largest value (no missing value), when the reader
        already knows them.
    """
    column = SCHEMAS[table].columns.get(name)
    if column is None:
        return
    present: Callable[[], pd.Series]
    if distinct is not None:
        if column.unique and len(distinct) < len(series) - n_missing:
            raise _Refused
        present = functools.partial(_itself, distinct)
        n_checked = len(distinct)
    else:
        n_missing = int(series.isna().sum())
        present = functools.cache(functools.partial(_without_missing, series))  # built once
        if column.unique and not _is_unique(present()):
            raise _Refused
        n_checked = len(series) - n_missing
    if not column.nullable and n_missing:
        raise _Refused
    if n_checked and not _column_passes(column.checks, present, extremes):
        raise _Refused


def _check_schema(
    table: str,
    frame: pd.DataFrame,
    codes: dict[str, np.ndarray | None],
    distinct: dict[str, pd.Series],
    missing: dict[str, int],
    extremes: dict[str, pd.Series] | None = None,
    checked: frozenset[str] = frozenset(),
) -> None:
    """The table's pandera rules: each column's (:func:`_check_column`), then the table's unique key.

    ``extremes`` gives, for some columns, their smallest and largest value
    (no missing value) when the reader already knows them; the columns in
    ``checked`` already passed :func:`_check_column`.
    """
    schema = SCHEMAS[table]
    if schema.checks:
        raise _Refused  # a table-level check: only pandera knows how to evaluate it
    extremes = extremes or {}
    for name in schema.columns:
        if name in frame.columns and name not in checked:
            _check_column(
                table,
                name,
                frame[name],
                distinct.get(name),
                missing.get(name, 0),
                extremes.get(name),
            )
    if schema.unique:
        keys: list[np.ndarray] = []
        for c in schema.unique:
            given = codes.get(c)
            keys.append(
                given if given is not None else pd.factorize(frame[c], use_na_sentinel=True)[0]
            )
        if any(bool((k < 0).any()) for k in keys) or not _codes_unique(keys, len(frame)):
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


def _arrow_read(path: Path, types: dict[str, pa.DataType]) -> pa.Table:
    """Arrow's multi-threaded read of a CSV file, with the given column types."""
    true, false = bool_spellings()
    # parsed straight from the page cache: no copy of the file into read buffers (about 10 % faster)
    with pa.memory_map(str(path)) as source:
        return pcsv.read_csv(
            source,
            read_options=pcsv.ReadOptions(
                block_size=_block_bytes(path.stat().st_size), use_threads=True
            ),
            parse_options=pcsv.ParseOptions(newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                true_values=true,
                false_values=false,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )


def _pandas_columns(
    path: Path, header: list[str], rows: list[list[str]], wanted: dict[str, pa.DataType]
) -> tuple[int, dict[str, pa.ChunkedArray]] | None:
    """Read a CSV file with pandas' C reader, as the strict reader tokenises it, typed by inference.

    The strict reader (:func:`~advocacy_eval.io.load._read_csv`) is the same
    ``pandas.read_csv`` with every cell as text: the same tokeniser, quoting,
    missing values (only the empty cell) and UTF-8 decoding. Here pandas
    infers the types instead, into Arrow arrays (``dtype_backend="pyarrow"``),
    which keeps its parallel reader: pandas 3.1 cuts a large file at line
    ends and parses the pieces in threads, unless given a type per column.

    What inference gives is what the rules accept, or is declined:

    - a column comes back as ``int64`` exactly when every cell is empty or an
      ASCII whole number, with an optional sign and surrounding ASCII white
      space: a spelling the count rule accepts, with the same value (its
      2**53 bound is checked after). ``0x1A``, ``1e3``, ``12.0`` or a number
      beyond 64 bits make the column text, ``double`` or ``uint64``;
    - a column comes back as ``bool`` exactly when every cell is empty or one
      of :func:`bool_spellings`, compared as written (not trimmed);
    - text keeps each cell as written; an empty cell is missing.

    Parameters
    ----------
    path : Path
        The CSV file.
    header, rows : list
        Its header and first records as :func:`_head` reads them.
    wanted : dict
        By raw column name, the type Arrow's read would give (:func:`_arrow_types`):
        ``int64`` for counts, ``bool`` for a boolean column whose first value
        is one of the spellings, text otherwise (dates included: see
        :func:`_as_arrow_reads`).

    Returns
    -------
    tuple or None
        The number of rows and, by column name (trimmed), its values as Arrow
        arrays of those types (a column with no value at all: nulls of that
        type). None when a column's inferred type is another (ids written as
        numbers, a count written ``12.0``), when the first records do not all
        have the header's number of cells (pandas would take a first cell as
        the row's label), or when the file has no row: Arrow's read then
        decides.

    Raises
    ------
    _Refused
        When pandas cannot read the file: the strict reader, the same parser,
        reports why.
    """
    if not rows or any(len(row) != len(header) for row in rows):
        return None
    true, false = bool_spellings()
    spellings = (
        {"true_values": true, "false_values": false}
        if any(kind == pa.bool_() for kind in wanted.values())
        else {}
    )
    # the first records, read the same way: ids written as numbers are seen at once, for the
    # price of a few rows rather than of the whole file
    if _as_wanted(_inferred(path, spellings, HEAD_RECORDS), header, wanted) is None:
        return None
    return _as_wanted(_inferred(path, spellings), header, wanted)


def _inferred(
    path: Path, spellings: dict[str, list[str]], nrows: int | None = None
) -> pd.DataFrame:
    """pandas' read of :func:`_pandas_columns` (the first ``nrows`` records, or all)."""
    try:
        with warnings.catch_warnings():
            # a column of mixed types (the file's pieces inferred apart) is declined after
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return pd.read_csv(
                path,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
                dtype_backend="pyarrow",
                nrows=nrows,
                **spellings,
            )
    except (ValueError, OverflowError, pd.errors.ParserError, csv.Error):
        raise _Refused from None  # UnicodeDecodeError and EmptyDataError are ValueErrors


def _as_wanted(
    frame: pd.DataFrame, header: list[str], wanted: dict[str, pa.DataType]
) -> tuple[int, dict[str, pa.ChunkedArray]] | None:
    """The columns of pandas' read as :func:`_pandas_columns` returns them; None when one is not as wanted."""
    n = len(frame)
    if list(frame.columns) != header or n == 0 or not frame.index.equals(pd.RangeIndex(n)):
        return None
    columns: dict[str, pa.ChunkedArray] = {}
    for raw, kind in wanted.items():
        column = frame[raw]
        if not isinstance(column.dtype, pd.ArrowDtype):  # values of mixed types, as objects
            return None
        values = pa.array(column.array)
        as_read = kind if kind in (pa.int64(), pa.bool_()) else pa.string()
        if pa.types.is_null(values.type):  # no value in the column
            values = pa.nulls(n, as_read)
        elif values.type != as_read:
            return None
        columns[raw.strip()] = (
            values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
        )
    return n, columns


def _as_arrow_reads(values: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """Text read as such, typed as Arrow's reader would (``kind``): a dictionary, or dates.

    A date column is cast on its distinct values (Arrow's ``YYYY-MM-DD``
    parser, the one its CSV reader uses, without the trimming). When one of
    them is spelled otherwise, the column stays a dictionary and the strict
    parser reads its distinct values, as after Arrow's own failed read.
    """
    if not pa.types.is_string(values.type):
        return values
    if not (pa.types.is_dictionary(kind) or pa.types.is_date32(kind)):
        return values
    encoded = pc.dictionary_encode(values)  # one dictionary, shared by every chunk
    if not pa.types.is_date32(kind) or not encoded.num_chunks:
        return encoded
    try:
        days = encoded.chunk(0).dictionary.cast(pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return encoded
    return pa.chunked_array(
        [pc.take(days, chunk.indices, boundscheck=False) for chunk in encoded.chunks]
    )


def _read(path: Path, table: str) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    header, rows = _head(path)
    names = [h.strip() for h in header]
    if not names or "" in names or len(set(names)) < len(names) or len(set(header)) < len(header):
        raise _Refused
    typed = _typed_columns(table, header, rows)
    wanted = _arrow_types(table, header, typed=typed)
    pandas_read = _pandas_columns(path, header, rows, wanted)
    if pandas_read is not None:
        n, data = pandas_read
    else:
        hexadecimal = _may_hold_hexadecimal(path)
        try:
            tbl = _arrow_read(path, _arrow_types(table, header, hexadecimal, typed))
        except pa.ArrowInvalid:
            if not typed:
                raise
            # a date or boolean cell spelled otherwise: those columns as dictionaries
            tbl = _arrow_read(path, _arrow_types(table, header, hexadecimal))
        if tbl.column_names != header or tbl.num_rows == 0:
            raise _Refused
        n = tbl.num_rows
        data = dict(zip(names, tbl.columns, strict=True))
        del tbl  # each column's Arrow buffers are freed once converted, for the next ones to reuse
    # the type each column is converted from: the text Arrow reads for ``ENCODED_AFTER`` (and
    # pandas for every text column) is dictionary-encoded first, by one hash table per column
    as_read = {
        raw.strip(): _DICTIONARY if (table, raw.strip()) in ENCODED_AFTER else kind
        for raw, kind in wanted.items()
    }
    key_columns = set(SCHEMAS[table].unique or ())
    categorical = set(CATEGORICAL.get(table, ()))

    extremes: dict[str, pd.Series] = {}

    def convert(column: Column) -> tuple[pd.Series, np.ndarray | None, pd.Series | None, int]:
        """The typed column, checked against its column rules (here: in the worker threads)."""
        result = convert_column(column)
        _check_column(
            table, column.name, result[0], result[2], result[3], extremes.get(column.name)
        )
        return result

    def convert_column(
        column: Column,
    ) -> tuple[pd.Series, np.ndarray | None, pd.Series | None, int]:
        values = data.pop(column.name, None)
        if values is None:
            if column.required:
                raise _Refused
            from .load import _parse_column

            blank = pd.Series(pd.NA, index=pd.RangeIndex(n), dtype=object)
            return _parse_column(blank, column.kind)[0], None, None, n
        if column.kind == "count":
            typed, bounds = _count_column(values)
            if bounds is not None:
                extremes[column.name] = bounds
            return typed, None, None, 0
        values = _as_arrow_reads(values, as_read[column.name])
        if pa.types.is_date32(values.type):
            return _date32_column(values, column.kind, want_codes=column.name in key_columns)
        if pa.types.is_boolean(values.type):
            return _bool_column(values)
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

    # Columns are converted concurrently: Arrow's and numpy's kernels release the GIL. A small
    # table is converted in this thread: starting threads would cost more than they save.
    names_in_order = [c.name for c in COLUMNS[table]]
    if n < SERIAL_ROWS:
        converted = dict(zip(names_in_order, map(convert, COLUMNS[table]), strict=True))
    else:
        workers = min(len(COLUMNS[table]), os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            converted = dict(zip(names_in_order, pool.map(convert, COLUMNS[table]), strict=True))
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
    _check_schema(table, frame, codes, distinct, missing, extremes, checked=frozenset(converted))
    return frame, distinct
