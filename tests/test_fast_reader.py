"""The fast CSV path returns exactly what the strict path returns, and only when the strict path finds nothing.

Also: validated snapshots (second load skips validation, any change invalidates),
and the vectorised helpers behind the rules (safe ids, membership).
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy_eval.errors import DataValidationError
from advocacy_eval.io import fast as fast_reader
from advocacy_eval.io import load as load_module
from advocacy_eval.io import snapshot
from advocacy_eval.io.fast import check_passes, read_table_fast
from advocacy_eval.io.load import _read_raw, load_programme, parse_table, schema_failures
from advocacy_eval.io.validate import is_member
from advocacy_eval.sample import write_sample
from advocacy_eval.schema import COLUMNS, SAFE_ID_PATTERN, SCHEMAS, compact_text, safe_id_mask

from .conftest import write_programme

TABLES = ("waves", "employees", "posts", "activity")


def strict(path: Path, table: str) -> tuple[pd.DataFrame | None, list[dict]]:
    """What the strict path returns for one table: the parsed frame and every failure."""
    try:
        raw = _read_raw(path, 1 << 40)
    except Exception as exc:  # refused file
        return None, [{"rule": str(exc)}]
    parsed, failures = parse_table(raw, table, path.name, True)
    seen = {(f["row"], f["column"]) for f in failures}
    failures += schema_failures(parsed, table, path.name, True, seen)
    if raw.empty:
        failures.append({"rule": "empty"})
    # as a Programme holds it: the low-cardinality text columns as categoricals (the fast path builds them directly)
    return compact_text(parsed, table), failures


@pytest.fixture(params=["pandas", "arrow"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which read the fast path takes: pandas' C reader first (the default), or Arrow's alone.

    With ``"arrow"``, pandas' read declines every file, as it does for a file
    whose types it infers otherwise (ids written as numbers): both routes
    must give the strict path's frame, and refuse what it refuses.
    """
    if request.param == "arrow":
        monkeypatch.setattr(fast_reader, "_pandas_columns", lambda *args: None)
    return str(request.param)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated programme with every table, plus an extra column and an absent optional column."""
    folder = tmp_path_factory.mktemp("gen") / "p"
    write_sample(folder, seed=7, n_employees=300, n_months=20)
    posts = pd.read_csv(folder / "posts.csv", dtype=str, keep_default_na=False)
    posts["campaign"] = np.where(np.arange(len(posts)) % 3 == 0, "", "spring")
    posts.drop(columns=["follows"]).to_csv(folder / "posts.csv", index=False)
    return folder


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("where", ["sample", "generated"])
def test_fast_path_returns_the_strict_frame(
    table: str, where: str, sample_dir: Path, generated: Path, route: str
) -> None:
    path = (sample_dir if where == "sample" else generated) / f"{table}.csv"
    fast = read_table_fast(path, table)
    expected, failures = strict(path, table)
    assert failures == []
    assert fast is not None, f"{path} is valid but left the fast path"
    pd.testing.assert_frame_equal(fast, expected, check_exact=True)


def test_a_blank_optional_id_column_stays_on_the_fast_path(tmp_path: Path) -> None:
    """Before launch no employee has a wave: a wave_id column left blank is read fast, as the strict path reads it."""
    frame = pd.read_csv(
        pd.io.common.StringIO(
            "employee_id,wave_id,enrolled_on,department,region\nE1,,,IT,North\nE2,,,HR,South\n"
        ),
        dtype=str,
        keep_default_na=False,
    )
    path = tmp_path / "employees.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    fast = read_table_fast(path, "employees")
    expected, failures = strict(path, "employees")
    assert failures == [] and fast is not None
    assert fast["wave_id"].isna().all()
    pd.testing.assert_frame_equal(fast, expected, check_exact=True)


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


BASE = {
    "employees": pd.read_csv(
        pd.io.common.StringIO(
            "employee_id,wave_id,enrolled_on,department,region,profile_created_on,left_on\n"
            "E1,W1,2024-01-10,IT,North,2020-05-01,\nE2,W1,2024-01-15,IT,North,2024-02-01,\n"
            "E3,W2,2024-03-05,HR,South,,\nE4,,,HR,South,2019-01-01,2024-02-15\n"
        ),
        dtype=str,
        keep_default_na=False,
    ),
    "posts": pd.read_csv(
        pd.io.common.StringIO(
            "post_id,author_type,author_id,published_at,network,content_type,theme,origin,audience_size,impressions,"
            "members_reached,reactions,comments,reposts,clicks,follows\n"
            "P1,company,page,2024-01-05 09:00:00,linkedin,corporate,brand,own,10000,150,100,5,1,0,3,1\n"
            "P2,company,page,2024-02-05 09:00:00,linkedin,non_corporate,expertise,own,10000,300,200,10,2,1,4,0\n"
            "P3,employee,E1,2024-01-20 12:00:00,linkedin,corporate,brand,suggested,500,40,20,3,1,0,1,\n"
        ),
        dtype=str,
        keep_default_na=False,
    ),
    "activity": pd.read_csv(
        pd.io.common.StringIO(
            "employee_id,month,posts,impressions,members_reached,engagements,followers,has_profile\n"
            "E1,2024-01,1,40,20,5,100,true\nE1,2024-02,0,0,0,0,101,true\nE2,2024-01,2,30,10,3,50,false\n"
        ),
        dtype=str,
        keep_default_na=False,
    ),
}

TRICKY = [
    "",
    " ",
    "  x",
    "x ",
    "\u00a0x",
    "x\u2003",
    "\t",
    "a\x00b",
    "a\x1bb",
    "a\u2028b",
    "12.0",
    "12.5",
    "+3",
    "-1",
    "1e3",
    "0x1A",
    "007",
    "9007199254740992",
    "99999999999999999999",
    "2024-02-30",
    "2024-02-29",
    "2023-02-29",
    "2024-01",
    "2024-01-01",
    "2024-01-15",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00",
    "2024-01-01 10:00:00Z",
    "2024-01-01 25:00:00",
    "1899-12-31",
    "2262-01-02",
    "True",
    "FALSE",
    "yes",
    "maybe",
    "W1",
    "W9",
    "E1",
    "E2",
    "P1",
    "a..b",
    "x" * 70,
    "x" * 600,
    "corporate",
    "Corporate",
    "company",
    "employee",
    "é",
    "\ufeff",
    '"q"',
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fast_path_is_taken_only_when_the_strict_path_finds_nothing(
    data: st.DataObject, tmp_path: Path, route: str
) -> None:
    table = data.draw(st.sampled_from(sorted(BASE)))
    frame = BASE[table].copy()
    for _ in range(data.draw(st.integers(1, 2))):
        column = data.draw(st.sampled_from(list(frame.columns)))
        row = data.draw(st.integers(0, len(frame) - 1))
        frame.loc[row, column] = data.draw(st.sampled_from(TRICKY) | st.text(max_size=6))
    path = tmp_path / f"{table}.csv"
    path.write_text(_csv(frame), encoding="utf-8")
    fast = read_table_fast(path, table)
    expected, failures = strict(path, table)
    if failures:
        assert fast is None, f"fast path accepted a file the strict path refuses: {failures[:3]}"
    elif fast is not None:
        pd.testing.assert_frame_equal(fast, expected, check_exact=True)


@pytest.mark.parametrize("count", ["0x1A", "0X1a", "1_000", "1e3"])
def test_counts_are_never_read_more_leniently_than_the_rule(
    count: str, tmp_path: Path, route: str
) -> None:
    """Arrow's integer parser reads "0x1A" as 26 (found by the property test above): the fast path must refuse it."""
    folder = write_programme(tmp_path / "p")
    text = (
        (folder / "posts.csv")
        .read_text(encoding="utf-8")
        .replace(",10000,300,200,", f",10000,{count},200,")
    )
    (folder / "posts.csv").write_text(text, encoding="utf-8")
    assert read_table_fast(folder / "posts.csv", "posts") is None
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, as_of="2024-12-31")
    assert info.value.failures[["row", "column"]].values.tolist() == [[3, "impressions"]]


@pytest.mark.parametrize("count", [" 300", "300 ", "+300", "300.0", "0300"])
def test_counts_the_rule_accepts_give_the_same_number(
    count: str, tmp_path: Path, route: str
) -> None:
    folder = write_programme(tmp_path / "p")
    text = (
        (folder / "posts.csv")
        .read_text(encoding="utf-8")
        .replace(",10000,300,200,", f",10000,{count},200,")
    )
    (folder / "posts.csv").write_text(text, encoding="utf-8")
    fast = read_table_fast(folder / "posts.csv", "posts")
    assert fast is None or fast.loc[1, "impressions"] == 300
    assert (
        load_programme(folder, as_of="2024-12-31", cache=False).posts.loc[1, "impressions"] == 300
    )


def test_a_refused_file_still_gets_the_strict_error(tmp_path: Path) -> None:
    folder = write_programme(tmp_path / "p")
    text = (
        (folder / "posts.csv")
        .read_text(encoding="utf-8")
        .replace("2024-02-05 09:00:00", "2024-02-30 09:00:00")
    )
    (folder / "posts.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, as_of="2024-12-31")
    failures = info.value.failures
    assert failures[["file", "row", "column"]].values.tolist() == [["posts.csv", 3, "published_at"]]


# ----------------------------------------------------------------------------- snapshots


def _count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = load_module._validate

    def counting(folder, *args, **kwargs):
        calls.append(str(folder))
        return original(folder, *args, **kwargs)

    monkeypatch.setattr(load_module, "_validate", counting)
    return calls


def _assert_same(a, b) -> None:
    for name in ("waves", "employees", "posts", "activity", "sources"):
        left, right = getattr(a, name), getattr(b, name)
        if left is None:
            assert right is None
        else:
            pd.testing.assert_frame_equal(left, right, check_exact=True)


def test_second_load_reads_the_snapshot_and_a_change_invalidates_it(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "p"
    folder.mkdir()
    for f in generated.glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    calls = _count_validations(monkeypatch)
    first = load_programme(folder)
    assert len(calls) == 1
    second = load_programme(folder)
    assert len(calls) == 1, "unchanged inputs were validated again"
    _assert_same(first, second)
    fresh = load_programme(folder, cache=False)
    assert len(calls) == 2
    _assert_same(first, fresh)

    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    text = (folder / "activity.csv").read_text(encoding="utf-8")
    old, new = (",True\n", ",true\n") if ",True\n" in text else (",False\n", ",false\n")
    (folder / "activity.csv").write_text(
        text.replace(old, new, 1), encoding="utf-8"
    )  # same data, other bytes
    third = load_programme(folder)
    assert len(calls) == 3, "a changed input file did not invalidate the snapshot"
    _assert_same(first, third.__class__(**{**third.__dict__, "sources": first.sources}))
    assert (
        third.sources.set_index("table")["sha256"] != first.sources.set_index("table")["sha256"]
    ).sum() == 1
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name != "activity.csv"} == {
        k: v for k, v in before.items() if k != "activity.csv"
    }, "the data folder was modified"


def test_snapshot_rules(tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(cache))
    calls = _count_validations(monkeypatch)
    load_programme(tiny_dir, as_of="2024-12-31")
    (entry,) = list(cache.iterdir())
    assert (
        stat.S_IMODE(cache.stat().st_mode) == 0o700 and stat.S_IMODE(entry.stat().st_mode) == 0o700
    )
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in entry.iterdir())
    for table in entry.glob(
        "*.parquet"
    ):  # read whole: no statistics written (a quarter of the write)
        meta = pq.ParquetFile(table).metadata
        assert meta.num_row_groups and not any(
            meta.row_group(g).column(c).is_stats_set
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        ), table.name
    assert json.loads((entry / "manifest.json").read_text())["as_of"] == "2024-12-31"
    load_programme(tiny_dir, as_of="2025-06-30")  # later: still valid
    assert len(calls) == 1
    load_programme(tiny_dir, as_of="2024-06-30")  # earlier: dates may be in the future
    assert len(calls) == 2
    monkeypatch.setattr(snapshot, "rules_digest", lambda: "other rules")
    load_programme(tiny_dir, as_of="2024-12-31")
    assert len(calls) == 3, "a change of the rules did not invalidate the snapshot"


def test_no_snapshot_when_off_or_invalid(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", "off")
    load_programme(tiny_dir, as_of="2024-12-31")
    monkeypatch.setenv("ADVOCACY_EVAL_CACHE", str(cache))
    load_programme(tiny_dir, as_of="2024-12-31", cache=False)
    assert not cache.exists()
    (tiny_dir / "posts.csv").write_text(
        (tiny_dir / "posts.csv").read_text().replace(",150,100,", ",150,900,")
    )
    with pytest.raises(DataValidationError):
        load_programme(tiny_dir, as_of="2024-12-31")
    assert not any(cache.glob("*/manifest.json")), "an invalid programme was snapshotted"


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    for i in range(snapshot.KEEP + 2):
        entry = tmp_path / f"k{i}"
        entry.mkdir()
        (entry / snapshot.MANIFEST).write_text("{}")
        os.utime(entry / snapshot.MANIFEST, (1_000_000 + i, 1_000_000 + i))
    removed = snapshot.prune(tmp_path)
    assert sorted(p.name for p in removed) == ["k0", "k1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"k{i}" for i in range(2, snapshot.KEEP + 2)
    ]


def test_cache_folder_from_the_environment(tmp_path: Path) -> None:
    assert snapshot.cache_folder({"ADVOCACY_EVAL_CACHE": "off"}) is None
    assert snapshot.cache_folder({"ADVOCACY_EVAL_CACHE": str(tmp_path)}) == tmp_path
    assert (
        snapshot.cache_folder({"XDG_CACHE_HOME": str(tmp_path)})
        == tmp_path / "advocacy-eval" / "snapshots"
    )


# ----------------------------------------------------------------------------- vectorised rule helpers


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZ09_.-/ é\x00", max_size=70) | st.none(), max_size=12))
def test_safe_id_mask_is_the_documented_pattern(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="string")
    expected = [v is not None and re.fullmatch(SAFE_ID_PATTERN, v) is not None for v in values]
    assert safe_id_mask(series).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["E1", "E2", "e1", "", "E1 ", None]), max_size=10),
    st.lists(st.sampled_from(["E1", "E2", "x", None]), max_size=5),
)
def test_is_member_is_isin(values: list[str | None], universe: list[str | None]) -> None:
    v, u = pd.Series(values, dtype="string"), pd.Series(universe, dtype="string")
    expected = [x is not None and x in {y for y in universe if y is not None} for x in values]
    assert is_member(v, u).tolist() == expected


def test_every_kind_is_covered() -> None:
    kinds = {c.kind for cols in COLUMNS.values() for c in cols}
    assert kinds <= {"id", "text", "category", "date", "datetime", "month", "count", "bool"}


_SCHEMA_CHECKS = [
    (table, name, check)
    for table, schema in SCHEMAS.items()
    for name, column in schema.columns.items()
    for check in column.checks
]


@pytest.mark.parametrize(
    "table, name, check",
    _SCHEMA_CHECKS,
    ids=[f"{t}.{n}.{c.name}" for t, n, c in _SCHEMA_CHECKS],
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_direct_check_evaluation_agrees_with_pandera(table, name, check, data) -> None:
    """The fast path evaluates pandera's checks itself (no backend import): same verdict as pandera."""
    kind = next(c.kind for c in COLUMNS[table] if c.name == name)
    allowed = list(check.statistics.get("allowed_values", [])) if check.statistics else []
    if kind == "count":
        values = pd.Series(
            data.draw(st.lists(st.integers(-3, 10**6), min_size=1, max_size=8)), dtype="Int64"
        )
    else:
        text = st.text(alphabet=st.sampled_from("aZ09-_.:/ é"), min_size=0, max_size=12)
        pool = st.one_of(text, st.sampled_from(allowed)) if allowed else text
        values = pd.Series(data.draw(st.lists(pool, min_size=1, max_size=8)), dtype="string")
    assert check_passes(check, values) == bool(check(values).check_passed)


def test_unknown_ids_are_found_through_distinct_values(tmp_path: Path) -> None:
    """Membership rules tested on distinct values still name every row whose id is unknown."""
    folder = tmp_path / "programme"
    write_sample(folder, seed=11, n_employees=200, n_months=20)
    activity = (folder / "activity.csv").read_text(encoding="utf-8").splitlines()
    posts = (folder / "posts.csv").read_text(encoding="utf-8").splitlines()
    # an unknown employee in activity (line 5) and as the author of an employee post
    activity[4] = "E999999" + activity[4][activity[4].index(",") :]
    employee_post = next(
        i for i, line in enumerate(posts) if i and line.split(",")[1] == "employee"
    )
    cells = posts[employee_post].split(",")
    cells[2] = "E999998"
    posts[employee_post] = ",".join(cells)
    (folder / "activity.csv").write_text("\n".join(activity) + "\n", encoding="utf-8")
    (folder / "posts.csv").write_text("\n".join(posts) + "\n", encoding="utf-8")
    # both files still pass the fast reader: the distinct-value path is the one tested
    assert read_table_fast(folder / "activity.csv", "activity") is not None
    assert read_table_fast(folder / "posts.csv", "posts") is not None
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, cache=False)
    failures = info.value.failures
    unknown = failures[failures["rule"].str.contains("must exist in employees.csv")]
    assert set(zip(unknown["file"], unknown["row"], unknown["value"], strict=True)) == {
        ("activity.csv", 5, "E999999"),
        ("posts.csv", employee_post + 1, "E999998"),
    }


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("0123456789-: TZ+.1٣"), min_size=19, max_size=19),
    template=st.sampled_from(["2024-01-03 09:37:49", "2024-01-03T09:37:49", "2025-12-31 23:59:59"]),
    mutate=st.lists(
        st.tuples(st.integers(0, 18), st.sampled_from("0123456789-: TZ+.")), max_size=3
    ),
)
def test_nineteen_bytes_and_an_arrow_cast_mean_the_plain_spelling(text, template, mutate) -> None:
    """The fast path casts ``published_at`` when every value has 19 bytes: only the plain spelling passes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from advocacy_eval.io.fast import PLAIN_DATETIME, _plain_length

    chars = list(template)
    for position, char in mutate:
        chars[position] = char
    for value in (text, "".join(chars)):
        values = pa.chunked_array([pa.array([value])])
        try:
            pc.cast(values, pa.timestamp("s"))
            cast = True
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            cast = False
        if _plain_length(values) and cast:
            assert re.fullmatch(PLAIN_DATETIME.strip("^$"), value, flags=re.ASCII), value


# ----------------------------------------------------------------------------- remembered digests


def test_a_digest_is_remembered_only_for_an_unchanged_settled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib
    import time as time_module

    cache = tmp_path / "cache"
    data = tmp_path / "posts.csv"
    data.write_bytes(b"a,b\n1,2\n")
    hashed: list[Path] = []
    real = load_module.file_sha256

    def counting(path):
        hashed.append(Path(path))
        return real(path)

    monkeypatch.setattr(load_module, "file_sha256", counting)
    truth = hashlib.sha256(b"a,b\n1,2\n").hexdigest()

    # just written (inside the racy window): hashed every time, nothing remembered
    assert snapshot.file_digest(data, cache) == truth
    assert snapshot.file_digest(data, cache) == truth
    assert len(hashed) == 2 and not (cache / snapshot.DIGESTS).exists()

    # settled (the clock is 10 s past the last change): hashed once, then remembered
    later = time_module.time_ns() + 10_000_000_000
    monkeypatch.setattr(snapshot.time, "time_ns", lambda: later)
    assert snapshot.file_digest(data, cache) == truth
    assert snapshot.file_digest(data, cache) == truth
    assert len(hashed) == 3
    assert oct((cache / snapshot.DIGESTS).stat().st_mode & 0o777) == "0o600"

    # any write changes the change time: hashed again, the new bytes' digest
    data.write_bytes(b"a,b\n1,3\n")
    assert snapshot.file_digest(data, cache) == hashlib.sha256(b"a,b\n1,3\n").hexdigest()
    assert len(hashed) == 4

    # same size, modification time set back: the change time still tells
    data.write_bytes(b"a,b\n1,4\n")
    stamp = data.stat()
    os.utime(data, ns=(stamp.st_atime_ns, stamp.st_mtime_ns - 5_000_000_000))
    assert snapshot.file_digest(data, cache) == hashlib.sha256(b"a,b\n1,4\n").hexdigest()

    # no cache folder: always hashed
    before = len(hashed)
    snapshot.file_digest(data, None)
    assert len(hashed) == before + 1


def test_a_damaged_digest_memo_is_ignored(tmp_path: Path) -> None:
    import hashlib

    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / snapshot.DIGESTS).write_text("{not json", encoding="utf-8")
    data = tmp_path / "waves.csv"
    data.write_bytes(b"x\n")
    assert snapshot.file_digest(data, cache) == hashlib.sha256(b"x\n").hexdigest()


TYPED_ACTIVITY = BASE["activity"].assign(
    month=BASE["activity"]["month"] + "-01", has_profile=["True", "TRUE", "false"]
)
"""The activity table as exports write it: months ``YYYY-MM-DD`` and booleans Arrow reads itself."""

TYPED_VALUES = [
    *TRICKY,
    "2024-03-01",
    "2024-02-01 ",
    " 2024-02-01",
    "2024-02-01\t",
    "1900-01-01",
    "1899-12-01",
    "2262-01-01",
    "tRuE",
    " true",
    "yes",
    "Y",
    "0",
    "F",
    "no ",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    column=st.sampled_from(["month", "has_profile"]),
    row=st.integers(0, 2),
    value=st.sampled_from(TYPED_VALUES),
)
def test_typed_dates_and_booleans_give_the_strict_answer(
    tmp_path: Path, column: str, row: int, value: str, route: str
) -> None:
    """Months and booleans read by Arrow as dates and booleans: refused iff the strict path fails, else equal.

    A first value spelled otherwise reads the column as a dictionary; a later
    one makes Arrow's read fail and the file is read again as dictionaries.
    """
    frame = TYPED_ACTIVITY.copy()
    frame.loc[row, column] = value
    path = tmp_path / "activity.csv"
    path.write_text(_csv(frame), encoding="utf-8")
    fast = read_table_fast(path, "activity")
    expected, failures = strict(path, "activity")
    if failures:
        assert fast is None, f"fast path accepted a file the strict path refuses: {failures[:3]}"
    else:
        assert fast is not None, f"{value!r} in {column} is valid but left the fast path"
        pd.testing.assert_frame_equal(fast, expected, check_exact=True)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The column types of each of Arrow's reads of a file (the fast reader's ``_arrow_read``).

    pandas' read is turned off: these tests are about Arrow's route.
    """
    seen: list[dict] = []
    real = fast_reader._arrow_read
    monkeypatch.setattr(fast_reader, "_pandas_columns", lambda *args: None)

    def spy(path: Path, types: dict) -> object:
        seen.append({name: str(t) for name, t in types.items()})
        return real(path, types)

    monkeypatch.setattr(fast_reader, "_arrow_read", spy)
    return seen


def test_typed_columns_are_read_once_as_dates_and_booleans(
    tmp_path: Path, reads: list[dict]
) -> None:
    """A clean export is read once, its month as ``date32`` and ``has_profile`` as ``bool``; other spellings are not."""
    path = tmp_path / "activity.csv"
    path.write_text(_csv(TYPED_ACTIVITY), encoding="utf-8")
    frame = read_table_fast(path, "activity")
    assert frame is not None
    assert (
        len(reads) == 1 and reads[0]["month"] == "date32[day]" and reads[0]["has_profile"] == "bool"
    )
    assert frame["month"].tolist() == [
        pd.Timestamp("2024-01-01"),
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-01-01"),
    ]
    assert frame["has_profile"].tolist() == [True, True, False]
    reads.clear()
    path.write_text(_csv(BASE["activity"]), encoding="utf-8")  # months written YYYY-MM
    assert read_table_fast(path, "activity") is not None
    assert len(reads) == 1 and reads[0]["month"].startswith("dictionary")
    reads.clear()
    later = TYPED_ACTIVITY.copy()
    later.loc[2, "month"] = "2024-01"  # a later cell spelled otherwise: read again
    path.write_text(_csv(later), encoding="utf-8")
    assert read_table_fast(path, "activity") is not None
    assert [r["month"] for r in reads] == [
        "date32[day]",
        "dictionary<values=string, indices=int32, ordered=0>",
    ]


def test_a_date_column_blank_in_its_first_rows_is_still_read_as_dates(
    tmp_path: Path, reads: list[dict]
) -> None:
    """The first non-empty value decides: employees not yet enrolled come first, their dates are still ``date32``."""
    header = "employee_id,wave_id,enrolled_on,department,region,profile_created_on,left_on\n"
    blank = "".join(f"E{i:03d},,,IT,North,,\n" for i in range(10))
    path = tmp_path / "employees.csv"
    path.write_text(header + blank + "E100,W1,2024-01-10,IT,North,2020-05-01,\n", encoding="utf-8")
    fast = read_table_fast(path, "employees")
    expected, failures = strict(path, "employees")
    assert failures == [] and fast is not None
    pd.testing.assert_frame_equal(fast, expected, check_exact=True)
    assert len(reads) == 1
    assert reads[0]["enrolled_on"] == reads[0]["profile_created_on"] == "date32[day]"
    assert reads[0]["left_on"].startswith("dictionary")  # empty in every row read: as before
    reads.clear()
    far = header + "".join(f"E{i:03d},,,IT,North,,\n" for i in range(fast_reader.HEAD_RECORDS))
    path.write_text(far + "E999,W1,2024-01-10,IT,North,2020-05-01,\n", encoding="utf-8")
    assert read_table_fast(path, "employees") is not None
    assert reads[0]["enrolled_on"].startswith("dictionary")  # no value among the records read


def test_bool_spellings_are_the_strict_parsers() -> None:
    """Every spelling Arrow reads as a boolean is read the same way by the strict parser."""
    from advocacy_eval.io.fast import bool_spellings
    from advocacy_eval.io.load import _parse_column

    true, false = bool_spellings()
    assert {"True", "TRUE", "true", "1", "Yes", "y", "T"} <= set(true)
    assert {"False", "FALSE", "false", "0", "NO", "n", "f"} <= set(false)
    parsed = _parse_column(pd.Series(true + false, dtype=object), "bool")[0]
    assert parsed.tolist() == [True] * len(true) + [False] * len(false)


# ----------------------------------------------------------------------------- pandas' route


@pytest.fixture
def arrow_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files Arrow's reader reads: the fast path's second route, when pandas' read declines."""
    seen: list[str] = []
    real = fast_reader._arrow_read

    def spy(path: Path, types: dict) -> object:
        seen.append(Path(path).name)
        return real(path, types)

    monkeypatch.setattr(fast_reader, "_arrow_read", spy)
    return seen


def _same_as_strict(path: Path, table: str) -> pd.DataFrame:
    fast = read_table_fast(path, table)
    expected, failures = strict(path, table)
    assert failures == [] and fast is not None
    pd.testing.assert_frame_equal(fast, expected, check_exact=True)
    return fast


def test_pandas_reads_clean_exports_without_arrow(
    sample_dir: Path, generated: Path, arrow_reads: list[str]
) -> None:
    """The sample and a generated programme (an extra column, an absent optional one): pandas' read alone."""
    for folder in (sample_dir, generated):
        for table in TABLES:
            _same_as_strict(folder / f"{table}.csv", table)
    assert arrow_reads == []


def test_blank_counts_and_columns_stay_on_pandas_route(
    tmp_path: Path, arrow_reads: list[str]
) -> None:
    """Empty cells in a count or in a whole column are missing values, as the strict path reads them."""
    posts = BASE["posts"].copy()
    assert posts.loc[2, "follows"] == ""  # a blank optional count
    employees = BASE["employees"].copy()
    employees["wave_id"] = ""  # before launch: no wave yet
    for table, frame in (("posts", posts), ("employees", employees)):
        path = tmp_path / f"{table}.csv"
        path.write_text(_csv(frame), encoding="utf-8")
        fast = _same_as_strict(path, table)
        given = fast[list(frame.columns)]
        assert given.isna().to_numpy().sum() == (frame == "").to_numpy().sum()
    assert arrow_reads == []


@pytest.mark.parametrize("numbers_from", [0, fast_reader.HEAD_RECORDS])
def test_ids_written_as_numbers_are_read_by_arrow_as_text(
    tmp_path: Path, arrow_reads: list[str], monkeypatch: pytest.MonkeyPatch, numbers_from: int
) -> None:
    """pandas infers ids ``0001`` as integers: its read declines, Arrow's keeps them as written.

    When the first records show it, pandas' read stops there and does not read the whole file;
    after text ids, pandas reads every id as text.
    """
    frame = pd.concat([BASE["activity"]] * 40, ignore_index=True)
    frame["month"] = np.tile([f"2024-{m:02d}" for m in range(1, 4)], 40)
    ids = np.repeat([f"{i:04d}" for i in range(40)], 3)
    frame["employee_id"] = [f"E{i}" for i in range(numbers_from)] + list(ids[numbers_from:])
    path = tmp_path / "activity.csv"
    path.write_text(_csv(frame), encoding="utf-8")
    rows_read: list[int | None] = []
    real = fast_reader._inferred

    def spy(path: Path, spellings: dict, nrows: int | None = None) -> pd.DataFrame:
        rows_read.append(nrows)
        return real(path, spellings, nrows)

    monkeypatch.setattr(fast_reader, "_inferred", spy)
    fast = _same_as_strict(path, "activity")
    assert fast["employee_id"].astype(str).tolist()[-2:] == ["0039", "0039"]
    if numbers_from == 0:
        assert rows_read == [fast_reader.HEAD_RECORDS] and arrow_reads == ["activity.csv"]
    else:  # text ids first: pandas reads the whole column as text
        assert rows_read == [fast_reader.HEAD_RECORDS, None] and arrow_reads == []


def test_a_first_record_with_an_extra_cell_is_refused_not_shifted(tmp_path: Path) -> None:
    """pandas would take the first cell of such a file as the rows' labels and shift every column left."""
    text = _csv(BASE["activity"])
    lines = text.splitlines()
    lines[1] = "row-label," + lines[1]
    path = tmp_path / "activity.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert strict(path, "activity")[1] != []
    assert read_table_fast(path, "activity") is None


@pytest.fixture(
    scope="module", params=["spring sale", "spring\nsale, 2024"], ids=["plain", "quoted"]
)
def large_posts(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, int]:
    """A posts file of about 8 MB with an extra text column.

    pandas 3.1 reads the plain one in parallel pieces cut at line ends; one
    whose values hold quoted line breaks, in one piece.
    """
    path = tmp_path_factory.mktemp("large") / "posts.csv"
    rows = BASE["posts"].iloc[:2]
    frame = pd.concat([rows] * 40_000, ignore_index=True)
    frame["post_id"] = [f"P{i:06d}" for i in range(len(frame))]
    frame["note"] = np.where(np.arange(len(frame)) % 7 == 0, request.param, "")
    path.write_text(_csv(frame), encoding="utf-8")
    assert path.stat().st_size > 6 << 20
    return path, len(frame)


def test_a_large_file_read_in_parallel_pieces_is_the_strict_frame(
    large_posts: tuple[Path, int], arrow_reads: list[str]
) -> None:
    path, n_rows = large_posts
    fast = _same_as_strict(path, "posts")
    assert len(fast) == n_rows and fast["note"].iloc[0].startswith("spring")
    assert arrow_reads == []


@pytest.mark.filterwarnings("error")  # pandas' mixed-type warning is not shown to the user
@pytest.mark.parametrize("value", ["0x1A", "12.0", " 12", "", "1e3"])
def test_a_value_in_the_last_piece_of_a_large_file_decides_as_in_a_small_one(
    large_posts: tuple[Path, int], tmp_path: Path, value: str
) -> None:
    source, _ = large_posts
    text = source.read_text(encoding="utf-8")
    head, last = text.rstrip("\n").rsplit("\n", 1)
    cells = last.split(",")
    assert cells[9] == "300"  # impressions
    cells[9] = value
    path = tmp_path / "posts.csv"
    path.write_text(head + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    fast = read_table_fast(path, "posts")
    expected, failures = strict(path, "posts")
    if failures:
        assert fast is None
    elif fast is not None:  # "12.0" is valid, but only the strict parser reads it
        pd.testing.assert_frame_equal(fast, expected, check_exact=True)
    assert (fast is not None) == (value == " 12")


def test_ids_of_mixed_spellings_across_a_large_file_go_to_arrow_not_to_the_strict_path(
    tmp_path: Path, arrow_reads: list[str]
) -> None:
    """Text ids first, numbers later: pandas' pieces disagree, its one-piece read gives Python objects.

    pandas' read declines and Arrow's reads the ids as text: the file stays on the fast path.
    """
    frame = pd.concat([TYPED_ACTIVITY] * 80_000, ignore_index=True)
    ids = np.repeat(np.arange(len(frame) // 3), 3).astype(str)
    frame["employee_id"] = np.where(np.arange(len(frame)) < 200, np.char.add("E", ids), ids)
    frame["month"] = np.tile(["2024-01-01", "2024-02-01", "2024-03-01"], len(frame) // 3)
    path = tmp_path / "activity.csv"
    path.write_text(_csv(frame), encoding="utf-8")
    assert path.stat().st_size > 6 << 20
    fast = _same_as_strict(path, "activity")  # a frame: the fast path read it
    assert fast["employee_id"].astype(str).tolist()[198:201] == ["E66", "E66", "66"]
    assert arrow_reads == ["activity.csv"]
