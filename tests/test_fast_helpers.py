"""The shortcuts of the fast reader decide exactly as the plain computations they replace.

Each helper of :mod:`advocacy_eval.io.fast` that makes load + validate cheaper
(uniqueness on codes or on sorted text, checks on extreme values, gathers by
chunk, the printable-ASCII test) is compared with the obvious computation on
generated data; and the allocator settings of a load are put back afterwards.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import re
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from advocacy_eval.io import fast, validate
from advocacy_eval.io.load import load_programme
from advocacy_eval.memory import reading_memory
from advocacy_eval.schema import SCHEMAS

from .conftest import write_programme


def _chunked(values: list, type_: pa.DataType, cuts: list[int]) -> pa.ChunkedArray:
    """``values`` as an Arrow chunked array cut at ``cuts`` (empty chunks included)."""
    bounds = [0, *sorted(min(c, len(values)) for c in cuts), len(values)]
    return pa.chunked_array(
        [pa.array(values[a:b], type=type_) for a, b in itertools.pairwise(bounds)],
        type=type_,
    )


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=60),
    spread=st.sampled_from([1, 1_000, 10**6, 10**10]),
    ordered=st.booleans(),
)
def test_codes_unique_is_no_duplicated_pair(
    pairs: list[tuple[int, int]], spread: int, ordered: bool
) -> None:
    """Sorted tuples, dense marking (small code ranges) and hashing (large ones) all find exactly the duplicated pairs."""
    if ordered:  # a file sorted by its key: the comparison of neighbours decides, or hands over
        pairs = sorted(pairs)
    first = np.array([a * spread for a, _ in pairs], dtype=np.int64)
    second = np.array([b for _, b in pairs], dtype=np.int32)
    expected = not pd.DataFrame({"a": first, "b": second}).duplicated().any()
    assert fast._codes_unique([first, second], len(pairs)) == expected


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)), max_size=12),
    width=st.integers(1, 3),
    ordered=st.booleans(),
)
@example(rows=[(0, 0, 0), (1, 0, 0)], width=3, ordered=False)  # only the first key increases
def test_increasing_tuples_is_the_lexicographic_order(
    rows: list[tuple[int, int, int]], width: int, ordered: bool
) -> None:
    """The comparison of neighbours is Python's strict tuple order, for one to three keys."""
    tuples = [r[:width] for r in rows]
    if ordered:
        tuples = sorted(set(tuples)) if len(tuples) % 2 else sorted(tuples)
    keys = [np.array([t[j] for t in tuples], dtype=np.int32) for j in range(width)]
    expected = all(a < b for a, b in itertools.pairwise(tuples))
    assert fast._increasing_tuples(keys) == expected


def test_codes_unique_beyond_64_bits() -> None:
    """Code ranges whose product exceeds 64 bits fall back to tuples, still exact."""
    big = np.array([0, 2**40, 2**40], dtype=np.int64)
    assert fast._codes_unique([big, big, np.array([1, 2, 2])], 3) is False
    assert fast._codes_unique([big, big, np.array([1, 2, 3])], 3) is True


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.text(alphabet="ab0 é", max_size=4), min_size=0, max_size=30),
    sort=st.booleans(),
)
def test_is_unique_on_text_sorted_or_not(values: list[str], sort: bool) -> None:
    """Strictly increasing text is recognised without hashing; any other order is hashed: same verdict."""
    values = sorted(values) if sort else values
    series = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    assert fast._is_unique(series) == (len(set(values)) == len(values))


_BOUND_CHECKS = [
    (table, name, check)
    for table, schema in SCHEMAS.items()
    for name, column in schema.columns.items()
    for check in column.checks
    if check.name in fast._RANGE_CHECKS or check.name == "str_length"
]


@pytest.mark.parametrize(
    "table, name, check", _BOUND_CHECKS, ids=[f"{t}.{n}.{c.name}" for t, n, c in _BOUND_CHECKS]
)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_bound_checks_on_extremes_are_checks_on_every_value(table, name, check, data) -> None:
    """A bound or length check passes on the two extreme values exactly when it passes on every value."""
    if check.name == "str_length":
        values = pd.Series(
            data.draw(st.lists(st.text(alphabet="aé:/", max_size=80), min_size=1, max_size=8)),
            dtype=pd.StringDtype("pyarrow"),
        )
    else:
        values = pd.Series(
            data.draw(st.lists(st.integers(-3, 10**6), min_size=1, max_size=8)), dtype="Int64"
        )
    every = fast.check_passes(check, values)
    assert fast._column_passes([check], lambda: values, None) == every
    assert fast._column_passes([check], lambda: values, fast._extremes(values)) == every


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=40),
    cuts=st.lists(st.integers(0, 40), max_size=3),
)
@pytest.mark.parametrize(
    "lookup",
    [
        [10, 11, 12, 13, 14, 15, -1],
        [0, 1, 2, 3, 4, 5, -1],
        [0, 1, 2, 3, 4, 5, 6],
        [1, 0, 2, 3, 4, 5, -1],
    ],
    ids=["shifted", "identity", "identity-without-missing-code", "swapped"],
)
def test_gather_by_chunk_is_a_take_with_missing_rows(
    rows: list[int | None], cuts: list[int], lookup: list[int]
) -> None:
    """Each row's looked-up value, and the last one where the row's index is missing."""
    table = np.array(lookup, dtype=np.int16)
    indices = _chunked(rows, pa.int32(), cuts)
    expected = np.array([table[-1] if r is None else table[r] for r in rows], dtype=np.int16)
    got = fast._gather(table, indices)
    assert got.dtype == np.int16
    np.testing.assert_array_equal(got, expected)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.sampled_from(["E1", "E2", "E3", " E2", "", "é"])), max_size=20
    ),
    cuts=st.lists(st.integers(0, 20), max_size=3),
    want_codes=st.booleans(),
    categorical=st.booleans(),
)
def test_one_shared_dictionary_needs_no_unification(
    values: list[str | None], cuts: list[int], want_codes: bool, categorical: bool
) -> None:
    """Encoded after the read (one dictionary for every chunk) or block by block as Arrow's reader does: same column."""
    plain = _chunked(values, pa.string(), cuts)
    shared = pc.dictionary_encode(plain)
    assert shared.num_chunks < 2 or fast._one_dictionary(shared)
    per_chunk = pa.chunked_array(
        [pc.dictionary_encode(chunk) for chunk in plain.chunks], type=shared.type
    )
    got = fast._dictionary_column(shared, "id", want_codes=want_codes, categorical=categorical)
    expected = fast._dictionary_column(
        per_chunk, "id", want_codes=want_codes, categorical=categorical
    )
    pd.testing.assert_series_equal(got[0], expected[0])
    if want_codes:
        np.testing.assert_array_equal(got[1], expected[1])
    pd.testing.assert_series_equal(got[2], expected[2])
    assert got[3] == expected[3]


def test_dictionaries_are_unified_only_when_they_differ() -> None:
    shared = pc.dictionary_encode(_chunked(["b", "a", "b", "c"], pa.string(), [2]))
    assert fast._one_dictionary(shared)
    apart = pa.chunked_array(
        [pc.dictionary_encode(pa.array(["b", "a"])), pc.dictionary_encode(pa.array(["b", "c"]))]
    )
    assert not fast._one_dictionary(apart)
    typed = fast._dictionary_column(apart, "id", categorical=True)[0]
    assert list(typed) == ["b", "a", "b", "c"] and list(typed.cat.categories) == ["a", "b", "c"]


_DAY_1900 = (dt.date(1900, 1, 1) - dt.date(1970, 1, 1)).days
_DAY_2262 = (dt.date(2262, 1, 1) - dt.date(1970, 1, 1)).days


@settings(max_examples=300, deadline=None)
@example(days=[_DAY_1900 - 1], cuts=[], kind="date", want_codes=False)
@example(days=[_DAY_2262 - 1, _DAY_2262], cuts=[1], kind="date", want_codes=True)
@example(days=[None, None], cuts=[1], kind="month", want_codes=True)
@example(days=[19723, 19724], cuts=[], kind="month", want_codes=False)  # 2024-01-01, -02
@given(
    days=st.lists(
        st.one_of(
            st.none(),
            st.integers(_DAY_1900 - 2, _DAY_1900 + 40),
            st.integers(19_700, 19_800),  # 2023-12 to 2024-03
            st.integers(_DAY_2262 - 40, _DAY_2262 + 2),
            st.sampled_from([19_723, 19_754, 19_783]),  # first days of 2024's first three months
        ),
        max_size=30,
    ),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    kind=st.sampled_from(["date", "month"]),
    want_codes=st.booleans(),
)
def test_date32_column_is_the_strict_parse_of_its_days(
    days: list[int | None], cuts: list[int], kind: str, want_codes: bool
) -> None:
    """Dates, sorted codes and distinct days as pandas computes them; refused out of range or off the first day."""
    values = _chunked(days, pa.date32(), cuts)
    stamps = pd.Series(
        [pd.NaT if d is None else pd.Timestamp("1970-01-01") + pd.Timedelta(days=d) for d in days],
        dtype="datetime64[ns]",
    )
    present = stamps.dropna()
    out_of_range = bool(
        ((present < pd.Timestamp("1900-01-01")) | (present >= pd.Timestamp("2262-01-01"))).any()
    )
    off_first_day = kind == "month" and bool((present.dt.day != 1).any())
    if out_of_range or off_first_day:
        with pytest.raises(fast._Refused):
            fast._date32_column(values, kind, want_codes=want_codes)
        return
    typed, codes, distinct, n_missing = fast._date32_column(values, kind, want_codes=want_codes)
    pd.testing.assert_series_equal(typed, stamps)
    expected_codes, uniques = pd.factorize(stamps, sort=True, use_na_sentinel=True)
    pd.testing.assert_series_equal(distinct, pd.Series(uniques, dtype="datetime64[ns]"))
    assert n_missing == int(stamps.isna().sum())
    if want_codes:
        assert codes is not None and codes.dtype == fast._code_dtype(len(uniques))
        np.testing.assert_array_equal(codes, expected_codes)
    else:
        assert codes is None


@pytest.mark.parametrize(
    "typed",
    [
        pd.Series(pd.to_datetime(["2024-01-01", None, "2024-03-01"]).astype("datetime64[ns]")),
        pd.Series([True, None, False], dtype="boolean"),
        pd.Series([3, None, 5], dtype="Int64"),
    ],
    ids=["datetime", "boolean", "Int64"],
)
def test_expand_is_pandas_take(typed: pd.Series) -> None:
    """Rows expanded from a typed dictionary equal pandas' own take, missing indices giving missing values."""
    rows = [2, None, 0, 1, 1, None, 2]
    indices = _chunked(rows, pa.int32(), [3, 3])
    positions = np.array([-1 if r is None else r for r in rows])
    expected = pd.Series(typed.array.take(positions, allow_fill=True))
    pd.testing.assert_series_equal(fast._expand(typed, indices), expected)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet=st.sampled_from("ab1 \t\x7f\x1b\u00a0\u2028\u2003é"), max_size=5),
        ),
        max_size=8,
    )
)
def test_needs_cleaning_is_the_regular_expression(values: list[str | None]) -> None:
    """The printable-ASCII shortcut gives the verdict of the control and white-space pattern."""
    array = pa.chunked_array([pa.array(values, type=pa.string())])
    pattern = f"{fast.CONTROL}|{fast.needs_strip_pattern()}"
    expected = bool(pc.any(pc.match_substring_regex(array, pattern)).as_py())
    assert fast._needs_cleaning(array) == expected


def test_block_size_follows_the_file() -> None:
    """Large files get the largest block; small ones about four blocks, never below the floor."""
    assert fast._block_bytes(10**9) == fast.BLOCK_BYTES
    assert fast._block_bytes(16 * 2**20) == 4 * 2**20
    assert fast._block_bytes(1000) == fast.MIN_BLOCK_BYTES


def _numpy_asks_for_huge_pages() -> bool:
    """numpy's current huge-page setting (read by setting it and putting it back)."""
    switch = np._core.multiarray._set_madvise_hugepage
    current = bool(switch(True))
    switch(current)
    return current


def test_reading_memory_is_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside: the system allocator, no cyclic collection, no huge pages; after the last reader: as before."""
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    before = pa.default_memory_pool().backend_name
    hugepage = _numpy_asks_for_huge_pages()
    assert gc.isenabled()
    with reading_memory():
        assert pa.default_memory_pool().backend_name == "system"
        assert not gc.isenabled()
        assert not _numpy_asks_for_huge_pages()
        with reading_memory():  # nested: the outer reader still holds the settings
            pass
        assert pa.default_memory_pool().backend_name == "system"
        assert not gc.isenabled()
        assert not _numpy_asks_for_huge_pages()
    assert pa.default_memory_pool().backend_name == before
    assert gc.isenabled()
    assert _numpy_asks_for_huge_pages() == hugepage


@pytest.mark.parametrize("before", [True, False])
def test_numpy_huge_pages_are_put_back_or_left_to_the_user(
    before: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The setting found is restored; a user's NUMPY_MADVISE_HUGEPAGE choice is not touched."""
    switch = np._core.multiarray._set_madvise_hugepage
    original = bool(switch(before))
    try:
        monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
        with reading_memory():
            assert not _numpy_asks_for_huge_pages()
        assert _numpy_asks_for_huge_pages() == before
        monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
        with reading_memory():
            assert _numpy_asks_for_huge_pages() == before
        assert _numpy_asks_for_huge_pages() == before
    finally:
        switch(original)


def test_reading_memory_is_put_back_after_an_error_and_across_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    before = pa.default_memory_pool().backend_name
    with pytest.raises(RuntimeError), reading_memory():
        raise RuntimeError("boom")
    assert pa.default_memory_pool().backend_name == before and gc.isenabled()
    inside, leave = threading.Event(), threading.Event()

    def reader() -> None:
        with reading_memory():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=reader)
    thread.start()
    inside.wait(10)
    with reading_memory():
        pass  # this reader leaves first: the other still reads
    assert pa.default_memory_pool().backend_name == "system" and not gc.isenabled()
    leave.set()
    thread.join(10)
    assert pa.default_memory_pool().backend_name == before and gc.isenabled()


def test_a_chosen_arrow_pool_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARROW_DEFAULT_MEMORY_POOL is the user's choice of allocator: a load does not override it."""
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
    before = pa.default_memory_pool().backend_name
    with reading_memory():
        assert pa.default_memory_pool().backend_name == before


def test_a_load_reads_under_the_system_allocator(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """load_programme applies the settings while it reads, and leaves the process as it found it."""
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    seen: list[str] = []
    hugepages: list[bool] = []

    def spy(real):
        def reading(*args, **kwargs):
            seen.append(pa.default_memory_pool().backend_name)
            hugepages.append(_numpy_asks_for_huge_pages())
            return real(*args, **kwargs)

        return reading

    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    # both reads of the fast path: pandas' (first) and Arrow's (when pandas' declines)
    monkeypatch.setattr(fast, "_pandas_columns", spy(fast._pandas_columns))
    monkeypatch.setattr(fast.pcsv, "read_csv", spy(fast.pcsv.read_csv))
    before = pa.default_memory_pool().backend_name
    folder = write_programme(tmp_path / "p")
    # a count written 300.0: pandas reads the column as floats and declines, Arrow's read is next
    posts = (folder / "posts.csv").read_text(encoding="utf-8")
    assert ",10000,300,200," in posts
    posts = posts.replace(",10000,300,200,", ",10000,300.0,200,")
    (folder / "posts.csv").write_text(posts, encoding="utf-8")
    assert load_programme(folder, as_of="2024-12-31").posts["impressions"].max() >= 300
    assert len(seen) == 4 and set(seen) == {"system"}  # 3 files by pandas, posts by Arrow too
    assert set(hugepages) == {False}
    assert pa.default_memory_pool().backend_name == before and gc.isenabled()
    assert os.environ.get("ARROW_DEFAULT_MEMORY_POOL") is None


@settings(max_examples=200, deadline=None)
@given(
    a=st.lists(st.one_of(st.none(), st.sampled_from(["E1", "E2", "E3", "é"])), max_size=6),
    b=st.lists(st.one_of(st.none(), st.sampled_from(["E1", "E2", "E3", "é"])), max_size=6),
)
def test_same_text_and_positions_are_the_plain_answers(
    a: list[str | None], b: list[str | None]
) -> None:
    """The cross-table shortcuts: equal text in equal order, and each value's position in a set of ids."""
    left = pd.Series(a, dtype=pd.StringDtype("pyarrow"))
    right = pd.Series(b, dtype=pd.StringDtype("pyarrow"))
    assert validate._same_text(left, right) == (a == b and None not in a)
    universe = pd.Series(list(dict.fromkeys(v for v in b if v is not None)), dtype="string")
    where = {v: i for i, v in enumerate(universe)}
    expected = [where.get(v, -1) if v is not None else -1 for v in a]
    assert validate._positions(left, universe).tolist() == expected


def test_hexadecimal_scan_with_and_without_an_x(tmp_path) -> None:
    """No ``x`` at all: no hexadecimal; an ``x`` elsewhere: the pair search still decides; ``0X`` is found."""
    path = tmp_path / "t.csv"
    for text, expected in [
        ("a,b\n1,2\n", False),
        ("a,b\nexpertise,2\n", False),
        ("a,b\nexpertise,0x1A\n", True),
        ("a,b\nE1,0X1a\n", True),
        ("a,b\nx0,1\n", False),
    ]:
        path.write_text(text, encoding="utf-8")
        assert fast._may_hold_hexadecimal(path) is expected, text


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=40)
    | st.lists(st.sampled_from([b"0", b"x", b"X", b"1", b",", b"\n", "é".encode(), b"\xd8"])).map(
        b"".join
    ),
    piece=st.integers(1, 9),
)
@example(data=b"a0|xb", piece=2)  # "0" ends one piece, "x" starts the next ("|" removed below)
def test_hexadecimal_scan_is_the_plain_search(data: bytes, piece: int, tmp_path_factory) -> None:
    """The numpy scan, in pieces of any size, answers as ``b"0x" in data.lower()``, pairs across pieces included."""
    data = data.replace(b"|", b"")
    path = tmp_path_factory.mktemp("hex") / "t.csv"
    path.write_bytes(data)
    expected = b"0x" in data.lower()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast, "_SCAN_BYTES", piece)
        assert fast._may_hold_hexadecimal(path) is expected
    assert fast._zero_before_x(np.frombuffer(data, dtype=np.uint8)) is expected


_ARENAS = """
import ctypes, sys
import advocacy_eval.memory as memory
from advocacy_eval.io import load_programme
memory._MALLOC_TUNED = sys.argv[2] == "skip"  # "skip": as if malloc were already tuned
load_programme(sys.argv[1], as_of="2024-12-31", cache=False)
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" paragraph per arena, on stderr
"""


def test_a_load_keeps_one_malloc_arena(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reader threads share glibc's main arena after a load starts; without the limit they get their own."""
    import ctypes

    from advocacy_eval import memory

    glibc = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "gnu_get_libc_version")
    if not glibc:  # nothing is tuned
        monkeypatch.setattr(memory, "_MALLOC_TUNED", False)
        monkeypatch.setattr(memory, "_MALLOPT", None)
        memory._tune_malloc()
        assert memory._MALLOPT is None
        return
    folder = write_programme(tmp_path / "p")
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}

    def arenas(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _ARENAS, str(folder), mode],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return len(re.findall(r"^Arena \d+:", done.stderr, flags=re.M))

    # an import may start a thread (and its arena) before any load; the reader threads add none
    limited, unlimited = arenas("limit"), arenas("skip")
    assert limited <= 2 < unlimited


class _FakeLibc:
    """Records ``mallopt`` calls; has glibc's version function so that it passes for glibc."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def gnu_get_libc_version(self) -> bytes:
        return b"2.36"

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return 1


@pytest.mark.parametrize(
    "environment, expected",
    [
        ({}, {"arena", "mmap", "trim"}),
        ({"MALLOC_ARENA_MAX": "4"}, {"mmap", "trim"}),
        ({"MALLOC_MMAP_THRESHOLD_": "131072"}, {"arena"}),
        ({"MALLOC_TRIM_THRESHOLD_": "131072"}, {"arena"}),
    ],
)
def test_malloc_is_tuned_once_unless_the_user_chose(
    environment: dict[str, str], expected: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One arena, 32 MB heap blocks, 64 MB kept free; a glibc setting from the environment wins."""
    import ctypes

    from advocacy_eval import memory

    for name in ("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    libc = _FakeLibc()
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: libc)
    monkeypatch.setattr(memory, "_MALLOC_TUNED", False)
    monkeypatch.setattr(memory, "_MALLOPT", None)  # put back after the test
    monkeypatch.setattr(memory.sys, "platform", "linux")
    memory._tune_malloc()
    memory._tune_malloc()  # once per process
    names = {
        memory.M_ARENA_MAX: "arena",
        memory.M_MMAP_THRESHOLD: "mmap",
        memory.M_TRIM_THRESHOLD: "trim",
    }
    assert {names[p] for p, _ in libc.calls} == expected
    assert len(libc.calls) == len(expected)
    values = {names[p]: v for p, v in libc.calls}
    assert values.get("arena", 1) == 1
    assert values.get("mmap", memory.MMAP_THRESHOLD_BYTES) == 32 * 2**20
    assert values.get("trim", memory.TRIM_THRESHOLD_BYTES) == 64 * 2**20
    assert (memory._MALLOPT is not None) == ("mmap" in expected)  # owns the thresholds it set


def test_the_heap_grows_while_reading_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks up to 256 MB come from the heap during a load, up to 32 MB again after the last reader."""
    from advocacy_eval import memory

    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_MALLOC_TUNED", True)
    monkeypatch.setattr(memory, "_MALLOPT", lambda param, value: calls.append((param, value)))
    with reading_memory():
        with reading_memory():
            pass
        assert calls == [(memory.M_MMAP_THRESHOLD, 256 * 2**20)]
    assert calls == [
        (memory.M_MMAP_THRESHOLD, 256 * 2**20),
        (memory.M_MMAP_THRESHOLD, 32 * 2**20),
    ]
    monkeypatch.setattr(memory, "_MALLOPT", None)  # the user set glibc's thresholds: not ours
    calls.clear()
    with reading_memory():
        pass
    assert calls == []


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.text(alphabet="abcE01 é", max_size=3)), max_size=8),
    increasing=st.booleans(),
    sort=st.booleans(),
)
def test_factorize_reads_off_increasing_text(values: list, increasing: bool, sort: bool) -> None:
    """The read-off codes of increasing text are pandas' own; any other text goes to pandas."""
    if increasing:
        values = sorted({v for v in values if v is not None})
    series = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    codes, uniques = fast._factorize(series, sort=sort)
    want_codes, want_uniques = pd.factorize(series, sort=sort, use_na_sentinel=True)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)
    if increasing and len(values) > 1:
        assert fast._increasing_text(series)
    if len(set(values)) < len(values) or None in values:
        assert not fast._increasing_text(series)


def test_clean_dictionary_text_skips_the_strict_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Distinct text without control characters or surrounding spaces is taken as read; other text is parsed."""
    ran: list[str] = []
    real = fast._strict

    def spy(values: pd.Series, kind: str) -> pd.Series:
        ran.append(kind)
        return real(values, kind)

    monkeypatch.setattr(fast, "_strict", spy)
    clean = pa.chunked_array([pa.array(["E2", "E1", None, "E2"]).dictionary_encode()])
    typed, codes, distinct, n_missing = fast._dictionary_column(
        clean, "id", want_codes=True, categorical=True
    )
    assert ran == [] and n_missing == 1
    assert [None if pd.isna(v) else v for v in typed] == ["E2", "E1", None, "E2"]
    assert list(distinct) == ["E1", "E2"] and list(codes) == [1, 0, -1, 1]
    padded = pa.chunked_array([pa.array([" E1", "E1"]).dictionary_encode()])
    typed, _, distinct, _ = fast._dictionary_column(padded, "id", categorical=True)
    assert ran == ["id"] and list(distinct) == ["E1"] and list(typed.astype(str)) == ["E1", "E1"]


def test_the_white_space_pattern_is_built_on_first_use_only() -> None:
    """Importing the data layer does not scan the 1.1 M code points (about 50 ms per process)."""
    code = (
        "import advocacy_eval.io as io; from advocacy_eval.io import fast; "
        "print(fast.needs_strip_pattern.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
    assert fast.needs_strip_pattern() == fast.needs_strip_pattern()
    assert "\\x{3000}" in fast.needs_strip_pattern()  # ideographic space, as str.strip sees it


def test_no_white_space_lies_beyond_the_scanned_code_points() -> None:
    """The pattern scans the code points below WHITE_SPACE_END: this interpreter's Unicode has no other white space."""
    beyond = [c for c in range(fast.WHITE_SPACE_END, sys.maxunicode + 1) if chr(c).isspace()]
    assert beyond == []
    assert chr(fast.WHITE_SPACE_END - 1).isspace()  # the bound is tight: U+3000 is the last
    for c in (
        " ",
        "\t",
        "\x1c",
        "\x85",
        "\xa0",
        "\u2028",
        "\u3000",
    ):  # ASCII, separators, NEL, NBSP
        assert f"\\x{{{ord(c):x}}}" in fast.needs_strip_pattern()
