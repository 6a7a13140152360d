"""Property-based tests: hostile input gives a result or the package's own error, never a traceback.

Hypothesis generates hostile cells and rows (random unicode, NUL and control
characters, huge numbers, inf/nan, odd dates, duplicate headers, empty files,
BOMs, other separators, random bytes) for the CSV/Parquet loader and for the
parser of every importer. The only outcomes allowed are success or an
:class:`~advocacy_eval.errors.AdvocacyEvalError` subclass; a success must
hold typed, bounded, safe values.

The budget is bounded for every CI run (``max_examples`` per test,
``deadline=None``); the number of examples run, their outcomes and the time
taken are printed at the end of the module (and written to the file named by
``ADVOCACY_EVAL_HYPOTHESIS_STATS`` when set).
Examples are derandomised (the same on every run); ``ADVOCACY_EVAL_HYPOTHESIS_EXAMPLES=1000``
explores further with random examples.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy_eval.errors import AdvocacyEvalError, DataValidationError
from advocacy_eval.io import load_programme
from advocacy_eval.io.imports import linkedin_member, linkedin_page, platform, roster
from advocacy_eval.io.imports.common import Context, Extract, Options
from advocacy_eval.io.imports.parsing import Problems, RawFile, read_file
from advocacy_eval.io.imports.store import FolderState, format_canonical
from advocacy_eval.io.load import (
    CONTROL_CHARACTERS,
    DATE_RANGE,
    MAX_COUNT,
    parse_table,
    schema_failures,
)
from advocacy_eval.schema import COLUMNS, SAFE_ID_PATTERN

from .conftest import EMPLOYEES_CSV, POSTS_CSV, WAVES_CSV
from .test_import_files import AS_OF, KEY, PAGE_OPTS, fx, x

BUDGET = int(os.environ.get("ADVOCACY_EVAL_HYPOTHESIS_EXAMPLES", "0")) or None
"""Examples per test when set (default: each test's own bounded number)."""

STATS: Counter = Counter()
SECONDS: Counter = Counter()
OUTCOMES: Counter = Counter()
ACTIVITY_CSV = (
    "employee_id,month,posts,impressions,members_reached,engagements,followers,has_profile\n"
    "E1,2024-01,1,40,20,5,100,true\nE2,2024-02,0,0,0,0,50,false\n"
)
TEXTS = {
    "waves": WAVES_CSV,
    "employees": EMPLOYEES_CSV,
    "posts": POSTS_CSV,
    "activity": ACTIVITY_CSV,
}


def fast(n: int):
    """Hypothesis settings of one test: ``n`` examples (or the budget), no deadline, quiet health checks."""
    return settings(
        max_examples=BUDGET or n,
        deadline=None,
        derandomize=BUDGET is None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(scope="module", autouse=True)
def report_budget(request):
    """Print how many examples ran and how long they took, per test and in total."""
    start = time.perf_counter()
    yield
    total = time.perf_counter() - start
    lines = [f"hypothesis: {sum(STATS.values())} examples in {total:.1f} s"]
    lines += [
        f"  {name}: {STATS[name]} examples, {SECONDS[name]:.1f} s ("
        + ", ".join(f"{n} {o}" for (t, o), n in sorted(OUTCOMES.items()) if t == name)
        + ")"
        for name in sorted(STATS)
    ]
    stats_file = os.environ.get("ADVOCACY_EVAL_HYPOTHESIS_STATS")
    if stats_file:
        Path(stats_file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is None or reporter is None:  # pragma: no cover
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


class counted:
    """Context manager counting one example of a test and its time."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> counted:
        self.start = time.perf_counter()
        self.outcome = "refused"
        return self

    def __exit__(self, *exc: object) -> None:
        STATS[self.name] += 1
        SECONDS[self.name] += time.perf_counter() - self.start
        OUTCOMES[self.name, "crashed" if exc[0] is not None else self.outcome] += 1


# --------------------------------------------------------------------------- strategies

SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "inf",
    "-inf",
    "Infinity",
    "nan",
    "NaN",
    "NA",
    "null",
    "1e400",
    "9" * 30,
    "-1",
    "1.5",
    "12.0",
    "1,5",
    "1 234",
    "1\u00a0234",
    "0x10",
    "1e3",
    "+7",
    "2020-3-5",
    "20200305",
    "2024-02-30",
    "2024-02-29",
    "2024-01-01 10:00:00",
    "2024-01-01T10:00:00+02:00",
    "0000-01-01",
    "9999-12-31",
    "1677-01-01",
    "2262-05-01",
    "2024-13",
    "2024-01",
    "31/02/2024",
    "13/45/2024",
    "03/04/2024",
    "\ufeff",
    "\ufeffW1",
    ",",
    ";",
    "\t",
    '"',
    '""',
    "\n",
    "\r\n",
    "\r",
    "..",
    "/etc/passwd",
    "../W1",
    "W1/..",
    "C:\\x",
    " W1 ",
    "true",
    "FALSE",
    "yes",
    "é",
    "\u202e",
    "\u200b",
    "%",
    "3,5 %",
    "-0",
    "٣",
    "１２",
    "E1",
    "W1",
    "company",
    "employee",
    "corporate",
]
"""Hand-picked hostile cell texts."""

cell_text = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
"""A hostile CSV cell (text)."""

cell_object = st.one_of(
    cell_text,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
    st.booleans(),
    st.none(),
    st.times(),
)
"""A hostile spreadsheet cell (text, number, date, boolean, empty, time)."""


def csv_text(rows: list[list[str]], sep: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def grid(text: str) -> list[list[str]]:
    return [list(r) for r in csv.reader(io.StringIO(text))]


@st.composite
def mutated_programme(draw) -> dict[str, bytes]:
    """The tiny valid programme (with activity), then 1-3 hostile edits of cells, rows, headers or bytes."""
    grids = {t: grid(TEXTS[t]) for t in TEXTS}
    raw_bytes: dict[str, bytes | None] = dict.fromkeys(TEXTS)
    seps = dict.fromkeys(TEXTS, ",")
    for _ in range(draw(st.integers(1, 3))):
        table = draw(st.sampled_from(sorted(TEXTS)))
        g = grids[table]
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "header",
                    "dup_header",
                    "drop_column",
                    "drop_rows",
                    "extra_cells",
                    "bytes",
                    "truncate",
                    "replace_file",
                    "separator",
                    "bom",
                ]
            )
        )
        if op == "cell" and len(g) > 1:
            r = draw(st.integers(1, len(g) - 1))
            c = draw(st.integers(0, len(g[r]) - 1))
            g[r][c] = draw(cell_text)
        elif op == "header":
            g[0][draw(st.integers(0, len(g[0]) - 1))] = draw(cell_text)
        elif op == "dup_header":
            c = draw(st.integers(0, len(g[0]) - 1))
            for row in g:
                row.append(row[c] if c < len(row) else "")
        elif op == "drop_column":
            c = draw(st.integers(0, len(g[0]) - 1))
            for row in g:
                if c < len(row):
                    del row[c]
        elif op == "drop_rows":
            del g[draw(st.integers(1, len(g))) :]
        elif op == "extra_cells" and len(g) > 1:
            g[draw(st.integers(1, len(g) - 1))].extend(
                draw(st.lists(cell_text, min_size=1, max_size=2))
            )
        elif op == "bytes":
            data = raw_bytes[table] or csv_text(g, seps[table]).encode("utf-8")
            at = draw(st.integers(0, len(data)))
            raw_bytes[table] = (
                data[:at]
                + draw(
                    st.sampled_from(
                        [
                            b"\x00",
                            b"\xff",
                            b"\xe9",
                            b"\r",
                            b'"',
                            b"\n,\n",
                            b"\xef\xbb\xbf",
                            b"\x00" * 64,
                        ]
                    )
                    | st.binary(max_size=8)
                )
                + data[at:]
            )
        elif op == "truncate":
            data = raw_bytes[table] or csv_text(g, seps[table]).encode("utf-8")
            raw_bytes[table] = data[: draw(st.integers(0, len(data)))]
        elif op == "replace_file":
            raw_bytes[table] = draw(
                st.sampled_from(
                    [
                        b"",
                        b"\xef\xbb\xbf",
                        b"\n\n",
                        b"\x00" * 5000,
                        b"PAR1",
                        "\ufeffwave_id".encode("utf-16"),
                    ]
                )
                | st.binary(max_size=64)
            )
        elif op == "separator":
            seps[table] = draw(st.sampled_from([";", "\t", "|"]))
        elif op == "bom":
            raw_bytes[table] = b"\xef\xbb\xbf" + (
                raw_bytes[table] or csv_text(g, seps[table]).encode("utf-8")
            )
    return {
        t: raw_bytes[t] if raw_bytes[t] is not None else csv_text(grids[t], seps[t]).encode("utf-8")
        for t in TEXTS
    }


def check_programme(programme) -> None:
    """A loaded programme holds typed, bounded, safe values."""
    for table in ("waves", "employees", "posts", "activity"):
        df = getattr(programme, table)
        if df is None:
            continue
        for col in COLUMNS[table]:
            values = df[col.name]
            if col.kind == "count":
                assert str(values.dtype) == "Int64"
                present = values.dropna()
                assert ((present >= 0) & (present <= MAX_COUNT)).all(), (
                    table,
                    col.name,
                    present.tolist(),
                )
            elif col.kind in ("date", "datetime", "month"):
                assert str(values.dtype) == "datetime64[ns]"
                present = values.dropna()
                assert ((present >= DATE_RANGE[0]) & (present < DATE_RANGE[1])).all()
                if col.kind != "datetime":
                    assert (present == present.dt.normalize()).all()
            elif col.kind in ("id", "text", "category"):
                present = values.dropna().astype(str)
                assert not present.str.contains(CONTROL_CHARACTERS).any(), (table, col.name)
    for ids in (
        programme.waves["wave_id"],
        programme.employees["wave_id"],
        programme.employees["employee_id"],
    ):
        assert ids.dropna().astype(str).str.fullmatch(SAFE_ID_PATTERN).all(), ids.tolist()
    assert len(programme.posts) and len(programme.waves) and len(programme.employees)


def check_error(exc: AdvocacyEvalError) -> None:
    """A refusal is one readable message; a data error names file, row, column, rule and value."""
    text = str(exc)
    assert text and "Traceback" not in text
    if isinstance(exc, DataValidationError):
        assert list(exc.failures.columns) == ["file", "row", "column", "rule", "value"]
        assert len(exc.failures) >= 1 and exc.failures["rule"].astype(str).str.len().gt(0).all()
        assert "\x00" not in exc.render()


# --------------------------------------------------------------------------- loader


@fast(80)
@given(files=mutated_programme())
def test_csv_loader_gives_a_programme_or_one_data_error(files):
    with counted("csv loader") as example, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for table, data in files.items():
            (folder / f"{table}.csv").write_bytes(data)
        try:
            programme = load_programme(folder, as_of="2024-12-31")
        except AdvocacyEvalError as exc:
            check_error(exc)
        else:
            check_programme(programme)
            example.outcome = "loaded"


hostile_arrays = st.sampled_from(
    [
        pa.array([float("inf"), 1.0, float("nan"), -0.0, 1e300, 2.5]),
        pa.array([2**63 - 1, 0, -1, 2**53, 2**53 + 1, 7], type=pa.int64()),
        pa.array([2**64 - 1, 0, 1, 2, 3, 4], type=pa.uint64()),
        pa.array(["W\x001", "", None, "../x", "1e3", "inf"]),
        pa.array([True, False, None, True, False, True]),
        pa.array([b"\x00\xff", b"", None, b"a", b"b", b"c"]),
        pa.array(
            [
                dt.datetime(1, 1, 1),
                dt.datetime(9999, 12, 31),
                None,
                dt.datetime(2024, 1, 1, 10),
                dt.datetime(2024, 1, 1),
                dt.datetime(2262, 4, 12),
            ],
            type=pa.timestamp("us"),
        ),
        pa.array([dt.datetime(2024, 1, 1, 23, 30)] * 6, type=pa.timestamp("us", tz="Europe/Paris")),
        pa.array(
            [
                dt.date(1, 1, 1),
                dt.date(9999, 12, 31),
                None,
                dt.date(2024, 1, 1),
                dt.date(2024, 2, 1),
                dt.date(2024, 3, 1),
            ]
        ),
        pa.array([[1], [], None, [2, 3], [4], [5]]),
        pa.array([dt.time(10, 0)] * 6),
        pa.array([{"a": 1}] * 6),
    ]
)
"""Typed Parquet columns CSV cannot hold (6 rows, as the tiny posts table)."""


@fast(30)
@given(
    table=st.sampled_from(["waves", "employees", "posts"]),
    column=st.integers(0, 15),
    array=hostile_arrays,
    duplicate=st.booleans(),
)
def test_parquet_loader_gives_a_programme_or_one_data_error(table, column, array, duplicate):
    with counted("parquet loader") as example, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("waves", "employees", "posts"):
            df = pd.read_csv(io.StringIO(TEXTS[name]), dtype=str, keep_default_na=False)
            arrow = pa.Table.from_pandas(df, preserve_index=False)
            if name == table:
                i = column % arrow.num_columns
                n = arrow.num_rows
                arrow = arrow.set_column(
                    i,
                    arrow.column_names[i],
                    array.slice(0, n)
                    if len(array) >= n
                    else pa.concat_arrays([array] * (n // len(array) + 1)).slice(0, n),
                )
                if duplicate:
                    arrow = arrow.append_column(arrow.column_names[i], arrow.column(i))
            pq.write_table(arrow, folder / f"{name}.parquet")
        try:
            programme = load_programme(folder, as_of="2024-12-31")
        except AdvocacyEvalError as exc:
            check_error(exc)
        else:
            check_programme(programme)
            example.outcome = "loaded"


# --------------------------------------------------------------------------- importers: reading files

hostile_file = st.one_of(
    st.binary(max_size=200),
    st.builds(
        lambda rows, sep, enc: csv_text(rows, sep).encode(enc, errors="replace"),
        st.lists(st.lists(cell_text, min_size=1, max_size=5), max_size=6),
        st.sampled_from([",", ";", "\t"]),
        st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    ),
    st.sampled_from(
        [
            b"",
            b"\x00" * 5000,
            b"PK\x03\x04junk",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk",
            b'a,b\n"unclosed\n',
            b"\xff\xfe",
            b"\xfe\xff\x00",
            b"BIG FIELD",
        ]
    ),
)
"""Bytes of an export; ``BIG FIELD`` stands for a quoted field above the csv module's limit (shown short)."""


@fast(200)
@given(data=hostile_file, suffix=st.sampled_from([".csv", ".txt", ".xlsx", ".xls"]))
def test_reading_an_export_gives_a_raw_file_or_a_problem(data, suffix):
    with counted("read_file") as example, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(b'a,"' + b"x" * 200_000 + b'"\n' if data == b"BIG FIELD" else data)
        problems = Problems()
        raw = read_file(path, problems)
        assert (raw is None) == bool(len(problems)), problems.rows
        if raw is not None:
            assert raw.sheets and all(len(s.cells) == len(s.row_numbers) for s in raw.sheets)
            example.outcome = "read"
        else:
            with pytest.raises(DataValidationError) as info:
                problems.raise_if_any("reading")
            check_error(info.value)


# --------------------------------------------------------------------------- importers: parsers


def _load(name: str) -> RawFile:
    problems = Problems()
    raw = read_file(x(name), problems)
    assert raw is not None, problems.rows
    return raw


SOURCES = {
    "roster": [_load("roster_fr_2024-03-01.csv"), _load("roster_en_2024-04-30.xlsx")],
    "linkedin-page": [_load(fx.PAGE_FILES["en_xls"]), _load(fx.PAGE_FILES["fr_xlsx"])],
    "linkedin-member": [
        _load(fx.MEMBER_FILES["alice_jan"]),
        _load(fx.MEMBER_FILES["bruno_jan_fr"]),
    ],
    "platform": [_load(fx.PLATFORM_FILES["fr_feb"]), _load(fx.PLATFORM_FILES["en"])],
}
"""Real-layout exports whose cells the tests make hostile."""

IMPORTERS = {
    "roster": roster.extract,
    "linkedin-page": linkedin_page.extract,
    "linkedin-member": linkedin_member.extract,
    "platform": platform.extract,
}


def options(kind: str, source: RawFile) -> Options:
    extra = {
        "roster": {},
        "linkedin-page": {
            "page_followers": PAGE_OPTS["page_followers"],
            "content_type": PAGE_OPTS["content_type"],
        },
        "linkedin-member": {"employee_id": "E-0123456789abcdef"},
        "platform": {"mapping": "generic-fr" if source.kind == "csv" else "generic-en"},
    }[kind]
    return Options(key=KEY, as_of=pd.Timestamp(AS_OF), **extra)


edit = st.one_of(
    st.tuples(
        st.just("cell"), st.integers(0, 9), st.integers(0, 60), st.integers(0, 20), cell_object
    ),
    st.tuples(st.just("dup_column"), st.integers(0, 9), st.integers(0, 60), st.integers(0, 20)),
    st.tuples(
        st.sampled_from(["drop_row", "copy_row", "clear_sheet"]),
        st.integers(0, 9),
        st.integers(0, 60),
    ),
)
"""One edit of a spreadsheet: (operation, sheet, row, column[, value]), positions taken modulo the sizes."""


def apply_edits(source: RawFile, edits: list[tuple]) -> RawFile:
    """A copy of ``source`` with the edits applied (CSV files only get text cells)."""
    raw = copy.deepcopy(source)
    for op, s, r, *rest in edits:
        sheet = raw.sheets[s % len(raw.sheets)]
        if not sheet.cells:
            continue
        r %= len(sheet.cells)
        row = sheet.cells[r]
        if op == "cell" and row:
            value = rest[1] if raw.kind == "excel" or isinstance(rest[1], str) else str(rest[1])
            row[rest[0] % len(row)] = value
        elif op == "dup_column" and row:
            c = rest[0] % len(row)
            for line in sheet.cells:
                line.append(line[c] if c < len(line) else "")
        elif op == "drop_row":
            del sheet.cells[r], sheet.row_numbers[r]
        elif op == "copy_row":
            sheet.cells.append(list(row))
            sheet.row_numbers.append(sheet.row_numbers[-1] + 1)
        elif op == "clear_sheet":
            sheet.cells, sheet.row_numbers = [], []
    return raw


def run_importer(kind: str, source: RawFile, raw: RawFile) -> str:
    """Run one importer's parser; only an Extract, None with problems, or a package error may come out."""
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(options(kind, source), FolderState(Path(tmp)), Problems())
        try:
            extract = IMPORTERS[kind](raw, ctx)
        except AdvocacyEvalError as exc:
            check_error(exc)
            return "refused"
        if extract is None or len(ctx.problems):
            assert len(ctx.problems), "an importer returned nothing without saying why"
            with pytest.raises(DataValidationError) as info:
                ctx.problems.raise_if_any(f"the {kind} import")
            check_error(info.value)
            return "refused"
        assert isinstance(extract, Extract)
        for (
            table,
            rows,
        ) in extract.tables.items():  # what the store would write, read back by the loader
            text = format_canonical(rows, table)
            parsed, failures = parse_table(text, table, f"{table}.csv")
            schema_failures(
                parsed, table, f"{table}.csv", True, {(f["row"], f["column"]) for f in failures}
            )
        return "extracted"


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_each_importer_parser_gives_an_extract_or_problems(kind):
    @fast(60)
    @given(
        source=st.integers(0, len(SOURCES[kind]) - 1), edits=st.lists(edit, min_size=1, max_size=4)
    )
    def check(source, edits):
        with counted(f"{kind} parser") as example:
            original = SOURCES[kind][source]
            example.outcome = run_importer(kind, original, apply_edits(original, edits))

    check()
