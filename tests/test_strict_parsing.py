"""Regression tests for hostile inputs: safe ids, missing columns, strict parsing, bounded cost.

Each bad input gives one clear :class:`~advocacy_eval.errors.DataValidationError`
naming the file, the row, the column, the rule and the value as written;
never a traceback.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from advocacy_eval.cli import main
from advocacy_eval.errors import ConfigError, DataValidationError
from advocacy_eval.io import load_programme, read_raw
from advocacy_eval.io.imports.common import Context, Options
from advocacy_eval.io.imports.parsing import (
    Problems,
    RawFile,
    Sheet,
    parse_counts,
    parse_dates,
    parse_numbers,
    read_file,
    sniff_separator,
)
from advocacy_eval.io.imports.store import FolderState
from advocacy_eval.io.load import MAX_COUNT, MAX_FILE_MB_ENV, MB, max_file_bytes
from advocacy_eval.schema import (
    CATEGORICAL,
    COLUMNS,
    OPTIONAL_COLUMNS,
    SAFE_ID_RULE,
    SCHEMAS,
    TEXT_DTYPE,
    safe_id_mask,
)

from .conftest import EMPLOYEES_CSV, POSTS_CSV, WAVES_CSV, replace_line, write_programme
from .test_import_files import KEY, fx, run, snapshot

ACTIVITY_CSV = (
    "employee_id,month,posts,impressions,members_reached,engagements,followers,has_profile\n"
    "E1,2024-01,1,40,20,5,100,true\nE2,2024-02-01,0,0,0,0,50,false\n"
)


def failures(folder: Path, **kwargs) -> pd.DataFrame:
    """The failure table of a folder that must not load."""
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, as_of="2024-12-31", **kwargs)
    assert "Traceback" not in str(info.value)
    return info.value.failures


def drop_column(text: str, name: str) -> str:
    lines = text.splitlines()
    i = lines[0].split(",").index(name)
    return (
        "\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in lines)
        + "\n"
    )


def edit(text: str, line: int, old: str, new: str) -> str:
    original = text.splitlines()[line - 1]
    assert old in original, original
    return replace_line(text, line, original.replace(old, new, 1))


# --------------------------------------------------------------------------- 1. ids are safe names


def test_a_wave_id_that_is_a_path_is_refused_where_it_is_written(tmp_path):
    folder = write_programme(
        tmp_path / "p",
        waves=WAVES_CSV.replace("W1,", "/some/dir/W1,"),
        employees=EMPLOYEES_CSV.replace("W1,", "/some/dir/W1,"),
    )
    f = failures(folder)
    assert len(f) == 3  # waves row 2 and the two employees; no cascade ("wave_id is required ...")
    assert (f["rule"] == SAFE_ID_RULE).all() and (f["column"] == "wave_id").all()
    assert f[["file", "row"]].values.tolist() == [
        ["waves.csv", 2],
        ["employees.csv", 2],
        ["employees.csv", 3],
    ]
    assert (f["value"] == "/some/dir/W1").all()


@pytest.mark.parametrize(
    "bad",
    [
        "../W1",
        "W1/..",
        "W1/x",
        "W 1",
        "-W1",
        ".W1",
        "W1..2",
        "a" * 65,
        "W1\\x",
        "Vague-é",
        "W1\u202e",
    ],
)
def test_unsafe_wave_ids_are_refused(tmp_path, bad):
    folder = write_programme(
        tmp_path / "p",
        waves=edit(WAVES_CSV, 3, "W2,", f'"{bad}",'),
        employees=EMPLOYEES_CSV.replace(",W2,", ",W1,"),
    )
    f = failures(folder)
    hit = f[(f["file"] == "waves.csv") & (f["column"] == "wave_id")]
    assert len(hit) == 1 and hit.iloc[0]["row"] == 3
    assert "safe id" in hit.iloc[0]["rule"] or "control characters" in hit.iloc[0]["rule"]


def test_safe_ids_real_values_pass():
    good = pd.Series(["W1", "wave_2024.01", "E0001", "E-0123456789abcdef", "a" * 64, "2024-W1"])
    assert safe_id_mask(good).all()
    assert not safe_id_mask(
        pd.Series(["", None, "a" * 65, "..", "x..y", "/W1", "W1/"], dtype=object)
    ).any()


def test_employee_ids_are_safe_and_post_ids_may_be_urns_or_links(tmp_path):
    posts = edit(POSTS_CSV, 2, "P1,", "urn:li:activity:7150000000000000001,")
    posts = edit(posts, 3, "P2,", "platform.example/p/42,")
    assert (
        len(load_programme(write_programme(tmp_path / "ok", posts=posts), as_of="2024-12-31").posts)
        == 6
    )
    employees = edit(EMPLOYEES_CSV, 6, "E5,", "../../etc/E5,")
    posts = edit(POSTS_CSV, 7, "P6,", "P" * 513 + ",")
    f = failures(write_programme(tmp_path / "bad", employees=employees, posts=posts))
    assert f[["file", "row", "column"]].values.tolist() == [
        ["employees.csv", 6, "employee_id"],
        ["posts.csv", 7, "post_id"],
    ]
    assert f.iloc[0]["rule"] == SAFE_ID_RULE and "at most 512 characters" in f.iloc[1]["rule"]


def test_roster_import_refuses_a_wave_id_that_is_a_path(tmp_path):
    rows = fx.roster_rows()
    rows[0][7] = "/some/dir/W1"
    roster = fx.write_roster_csv(tmp_path / "roster.csv", rows)
    folder = tmp_path / "data"
    with pytest.raises(DataValidationError) as info:
        run("roster", [roster], folder)
    f = info.value.failures
    assert len(f) == 1
    assert (f.iloc[0]["file"], f.iloc[0]["row"], f.iloc[0]["column"], f.iloc[0]["value"]) == (
        "roster.csv",
        2,
        "Vague",
        "/some/dir/W1",
    )
    assert SAFE_ID_RULE in f.iloc[0]["rule"]
    assert snapshot(folder) == {}


# --------------------------------------------------------------------------- 2. missing columns


@pytest.mark.parametrize(
    "table, column",
    [
        ("posts", "impressions"),
        ("posts", "members_reached"),
        ("posts", "author_type"),
        ("waves", "wave_id"),
        ("employees", "employee_id"),
        *[("activity", c.name) for c in COLUMNS["activity"]],
    ],
)
def test_a_missing_required_column_is_one_clear_error(tmp_path, table, column):
    texts = {"waves": WAVES_CSV, "employees": EMPLOYEES_CSV, "posts": POSTS_CSV}
    if table != "activity":
        texts[table] = drop_column(texts[table], column)
    folder = write_programme(tmp_path / "p", **texts)
    if table == "activity":
        (folder / "activity.csv").write_text(drop_column(ACTIVITY_CSV, column))
    f = failures(folder)
    assert len(f) == 1, f.to_string()
    row = f.iloc[0]
    assert (row["file"], row["column"], row["rule"]) == (
        f"{table}.csv",
        column,
        f"required column {column} is missing",
    )
    assert pd.isna(row["row"])


def test_validate_and_report_give_the_missing_column_without_traceback(tmp_path, capsys):
    folder = write_programme(tmp_path / "p", posts=drop_column(POSTS_CSV, "impressions"))
    assert main(["validate", str(folder), "--as-of", "2024-12-31"]) == 1
    err = capsys.readouterr().err
    assert (
        "Traceback" not in err
        and "1 data problem" in err
        and "required column impressions is missing" in err
    )
    assert main(["report", str(folder), "--wave", "W1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "required column impressions is missing" in err


@pytest.mark.parametrize(
    "table, column", [(t, c) for t, cols in OPTIONAL_COLUMNS.items() for c in cols]
)
def test_documented_optional_columns_are_optional_and_typed(tmp_path, table, column):
    texts = {"waves": WAVES_CSV, "employees": EMPLOYEES_CSV, "posts": POSTS_CSV}
    together = (
        ("wave_id", "enrolled_on") if column in ("wave_id", "enrolled_on") else (column,)
    )  # set together
    for name in together:
        if name in texts[table].splitlines()[0].split(","):
            texts[table] = drop_column(texts[table], name)
    programme = load_programme(write_programme(tmp_path / "p", **texts), as_of="2024-12-31")
    values = getattr(programme, table)[column]
    assert values.isna().all()
    kind = next(c.kind for c in COLUMNS[table] if c.name == column)
    expected = {
        "count": "Int64",
        "date": "datetime64[ns]",
        "id": "string",
        "text": "string",
        "category": "string",
    }
    if column in CATEGORICAL.get(table, ()):  # low-cardinality text: a categorical of text
        assert isinstance(values.dtype, pd.CategoricalDtype)
        assert values.cat.categories.dtype == TEXT_DTYPE
    else:
        assert str(values.dtype) == expected[kind]


def test_optional_columns_match_the_pandera_schemas():
    for table, schema in SCHEMAS.items():
        optional = {name for name, col in schema.columns.items() if not col.required}
        assert optional == set(OPTIONAL_COLUMNS[table]), table


def test_analyses_run_without_an_optional_column(tmp_path, sample_dir):
    from advocacy_eval.analyses.wave import wave_results

    folder = tmp_path / "s"
    shutil.copytree(sample_dir, folder)
    posts = pd.read_csv(folder / "posts.csv", dtype=str, keep_default_na=False)
    posts.drop(columns=["reactions", "theme"]).to_csv(folder / "posts.csv", index=False)
    programme = load_programme(folder)
    assert (
        str(programme.posts["reactions"].dtype) == "Int64"
        and programme.posts["reactions"].isna().all()
    )
    assert wave_results(programme, programme.wave_ids[0]) is not None


# --------------------------------------------------------------------------- 3. strict parsing


@pytest.mark.parametrize(
    "value, rule",
    [
        ("2024-1-1", "must be a date YYYY-MM-DD"),
        ("20240101", "must be a date YYYY-MM-DD"),
        ("01/01/2024", "must be a date YYYY-MM-DD"),
        ("2024-02-30", "must be a date YYYY-MM-DD"),
        ("2024-01-01 10:00:00", "must be a date YYYY-MM-DD without a time of day"),
        ("2024-01-01T00:00", "must be a date YYYY-MM-DD without a time of day"),
        ("0000-01-01", "date out of range (years 1900 to 2261)"),
        ("9999-12-31", "date out of range (years 1900 to 2261)"),
    ],
)
def test_dates_must_be_written_yyyy_mm_dd(tmp_path, value, rule):
    folder = write_programme(tmp_path / "p", waves=edit(WAVES_CSV, 2, "2024-01-01", value))
    f = failures(folder)
    first = f.iloc[0]
    assert (first["file"], first["row"], first["column"], first["rule"], first["value"]) == (
        "waves.csv",
        2,
        "start_date",
        rule,
        value,
    )


@pytest.mark.parametrize(
    "value, ok",
    [
        ("2024-01-05 09:00:00", True),
        ("2024-01-05T09:00:00Z", True),
        ("2024-01-05 09:00:00+01:00", True),
        ("2024-01-05", True),
        ("2024-01-05 9:00", False),
        ("05/01/2024 09:00:00", False),
        ("2024-1-5 09:00:00", False),
    ],
)
def test_date_times_are_iso_8601(tmp_path, value, ok):
    folder = write_programme(tmp_path / "p", posts=edit(POSTS_CSV, 2, "2024-01-05 09:00:00", value))
    if ok:
        assert load_programme(folder, as_of="2024-12-31").posts["published_at"].notna().all()
    else:
        row = failures(folder).iloc[0]
        assert (row["column"], row["value"]) == ("published_at", value) and "date-time" in row[
            "rule"
        ]


@pytest.mark.parametrize(
    "value, ok",
    [
        ("2024-01", True),
        ("2024-01-01", True),
        ("2024-1", False),
        ("2024-01-15", False),
        ("202401", False),
    ],
)
def test_months_are_yyyy_mm(tmp_path, value, ok):
    folder = write_programme(tmp_path / "p")
    (folder / "activity.csv").write_text(edit(ACTIVITY_CSV, 2, "2024-01", value))
    if ok:
        assert load_programme(folder, as_of="2024-12-31").activity["month"].iloc[0] == pd.Timestamp(
            "2024-01-01"
        )
    else:
        row = failures(folder).iloc[0]
        assert (row["file"], row["row"], row["column"], row["value"]) == (
            "activity.csv",
            2,
            "month",
            value,
        )


def test_a_nul_byte_anywhere_is_refused_with_its_line(tmp_path):
    folder = write_programme(tmp_path / "p", posts=edit(POSTS_CSV, 6, "tips", "ti\x00ps"))
    f = failures(folder)
    assert len(f) == 1
    assert (f.iloc[0]["file"], f.iloc[0]["row"]) == ("posts.csv", 6) and "NUL byte" in f.iloc[0][
        "rule"
    ]
    assert "ti\\x00ps" in f.iloc[0]["value"]


def test_a_duplicate_column_header_is_refused(tmp_path):
    posts = POSTS_CSV.replace("members_reached,reactions", "impressions,reactions", 1)
    f = failures(write_programme(tmp_path / "p", posts=posts))
    assert len(f) == 1
    assert (f.iloc[0]["file"], f.iloc[0]["row"], f.iloc[0]["column"]) == (
        "posts.csv",
        1,
        "impressions",
    )
    assert (
        f.iloc[0]["rule"]
        == "duplicate column header: columns 10 and 11 are both named impressions; keep one"
    )


def test_a_posts_file_with_a_header_and_no_rows_is_refused(tmp_path):
    f = failures(write_programme(tmp_path / "p", posts=POSTS_CSV.splitlines()[0] + "\n"))
    hit = f[f["file"] == "posts.csv"]
    assert hit["rule"].tolist() == [
        "the table has a header but no rows: a programme needs at least one post"
    ]
    folder = write_programme(tmp_path / "q")
    (folder / "activity.csv").write_text(ACTIVITY_CSV.splitlines()[0] + "\n")
    assert "activity is optional" in failures(folder).iloc[0]["rule"]


@pytest.mark.parametrize(
    "written, rule_part",
    [
        ("inf", "whole number"),
        ("-inf", "whole number"),
        ("Infinity", "whole number"),
        ("nan", "whole number"),
        ("1e3", "whole number"),
        ("9" * 20, "out of range"),
        ("9007199254740992", "out of range"),
        ("1,5", "whole number"),
    ],
)
def test_counts_refuse_infinite_huge_and_written_numbers(tmp_path, written, rule_part):
    f = failures(
        write_programme(tmp_path / "p", posts=edit(POSTS_CSV, 2, ",150,", f',"{written}",'))
    )
    row = f.iloc[0]
    assert (row["row"], row["column"], row["value"]) == (2, "impressions", written)
    assert rule_part in row["rule"]
    assert not f["value"].astype(str).str.contains("9223372036854775808").any()


def test_a_count_at_the_limit_loads(tmp_path):
    posts = edit(POSTS_CSV, 2, "10000,150,100,", f"10000,{MAX_COUNT},100,")
    assert (
        load_programme(write_programme(tmp_path / "p", posts=posts), as_of="2024-12-31")
        .posts["impressions"]
        .iloc[0]
        == MAX_COUNT
    )


def test_parquet_infinite_and_huge_counts_are_refused_with_their_value(tmp_path, tiny):
    folder = tmp_path / "pq"
    folder.mkdir()
    tiny.waves.to_parquet(folder / "waves.parquet")
    tiny.employees.to_parquet(folder / "employees.parquet")
    posts = tiny.posts.copy()
    posts["impressions"] = posts["impressions"].astype("float64")
    posts.loc[0, "impressions"] = np.inf
    posts["clicks"] = posts["clicks"].astype("float64")
    posts.loc[1, "clicks"] = 2.0**63
    posts.to_parquet(folder / "posts.parquet")
    f = failures(folder)
    assert f[["row", "column"]].values.tolist() == [[1, "impressions"], [2, "clicks"]]
    assert f.iloc[0]["value"] == "inf" or f.iloc[0]["value"] == np.inf
    assert "out of range" in f.iloc[0]["rule"] and "out of range" in f.iloc[1]["rule"]


@pytest.mark.parametrize(
    "data, rule_part, row",
    [
        (b"", "file is empty", None),
        (
            b"wave_id;name;start_date;end_date\nW1;a;2024-01-01;2024-01-31\n",
            "not comma-separated",
            1,
        ),
        (
            "wave_id,name,start_date,end_date\nW1,Vague é,2024-01-01,2024-01-31\n".encode("cp1252"),
            "not UTF-8",
            2,
        ),
        (
            b"wave_id,name,start_date,end_date\nW1,a,2024-01-01,2024-01-31,extra\n",
            "line has 5 cells",
            2,
        ),
        ("wave_id,name,start_date,end_date\n".encode("utf-16"), "not UTF-8", 1),
    ],
)
def test_unreadable_csv_files_are_one_located_error(tmp_path, data, rule_part, row):
    folder = write_programme(tmp_path / "p")
    (folder / "waves.csv").write_bytes(data)
    f = failures(folder)
    hit = f[f["file"] == "waves.csv"]
    assert len(hit) == 1 and rule_part in hit.iloc[0]["rule"], hit.to_string()
    assert (pd.isna(hit.iloc[0]["row"]) and row is None) or hit.iloc[0]["row"] == row


def test_control_characters_in_text_are_refused_and_shown_escaped(tmp_path, capsys):
    folder = write_programme(tmp_path / "p", waves=edit(WAVES_CSV, 2, "Wave 1", "Wave \x1b[31m1"))
    f = failures(folder)
    assert (f.iloc[0]["column"], f.iloc[0]["value"]) == ("name", "Wave \\x1b[31m1")
    assert "control characters" in f.iloc[0]["rule"]
    assert main(["validate", str(folder), "--as-of", "2024-12-31"]) == 1
    assert "\x1b" not in capsys.readouterr().err


def test_bom_quotes_and_spaces_still_load(tmp_path):
    waves = "\ufeff" + WAVES_CSV.replace("W1,Wave 1", '" W1 ","Wave, one"')
    programme = load_programme(write_programme(tmp_path / "p", waves=waves), as_of="2024-12-31")
    assert (
        programme.waves["name"].iloc[0] == "Wave, one"
        and programme.waves["wave_id"].iloc[0] == "W1"
    )


# --------------------------------------------------------------------------- 4. bounded cost


def _never_parse(monkeypatch, *names: str):
    """Make pandas fail loudly if it is asked to parse one of the named files."""
    real = pd.read_csv

    def guarded(path, *args, **kwargs):
        assert Path(path).name not in names, f"{path} was parsed"
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", guarded)


def test_oversized_files_are_refused_before_reading(tmp_path, monkeypatch):
    posts = POSTS_CSV + "".join(
        POSTS_CSV.splitlines()[1].replace("P1,", f"Q{i},") + "\n" for i in range(20_000)
    )
    folder = write_programme(tmp_path / "p", posts=posts)
    size_mb = (folder / "posts.csv").stat().st_size / MB
    assert 1 < size_mb < 3
    _never_parse(monkeypatch, "posts.csv")
    f = failures(folder, max_file_mb=1)
    hit = f[f["file"] == "posts.csv"]
    assert len(hit) == 1 and hit.iloc[0]["rule"] == (
        f"file is too large: {size_mb:.3g} MB, above the limit of "
        f"1 MB (raise it with {MAX_FILE_MB_ENV} or max_file_mb=)"
    )
    monkeypatch.setenv(MAX_FILE_MB_ENV, "1")
    assert "file is too large" in failures(folder).set_index("file").loc["posts.csv", "rule"]


def test_the_size_limit_is_configurable_and_checked():
    assert max_file_bytes(environ={}) == 2048 * MB
    assert max_file_bytes(environ={MAX_FILE_MB_ENV: "4096"}) == 4096 * MB
    assert max_file_bytes(0.5, environ={MAX_FILE_MB_ENV: "4096"}) == MB // 2
    for bad in ("abc", "0", "-1", "inf", "nan"):
        with pytest.raises(ConfigError, match=MAX_FILE_MB_ENV):
            max_file_bytes(environ={MAX_FILE_MB_ENV: bad})
    with pytest.raises(ConfigError, match="max_file_mb"):
        max_file_bytes(0)


def test_a_sparse_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    folder = write_programme(tmp_path / "p")
    path = folder / "posts.csv"
    with open(path, "r+b") as handle:
        handle.truncate(200 * MB)  # the posts, then a 200 MB hole
    assert path.stat().st_size == 200 * MB
    _never_parse(monkeypatch, "posts.csv")
    f = failures(folder)
    rule = f.set_index("file").loc["posts.csv", "rule"]
    assert (
        "sparse" in rule or "NUL byte" in rule
    )  # SEEK_HOLE where the file system has it, else the scan
    empty = folder / "employees.csv"
    with open(empty, "wb") as handle:
        handle.truncate(200 * MB)  # all hole: refused from its first bytes
    _never_parse(monkeypatch, "posts.csv", "employees.csv")
    f = failures(folder)
    assert (
        f.set_index("file")
        .loc["employees.csv", "rule"]
        .startswith(("file is sparse", "file starts with NUL"))
    )


def test_a_file_starting_with_nul_bytes_is_refused(tmp_path):
    folder = write_programme(tmp_path / "p")
    (folder / "waves.csv").write_bytes(b"\x00" * 5000 + WAVES_CSV.encode())
    rule = failures(folder).set_index("file").loc["waves.csv", "rule"]
    assert rule.startswith("file starts with NUL bytes")


def test_parquet_decompressed_size_is_bounded(tmp_path, tiny):
    folder = tmp_path / "pq"
    folder.mkdir()
    tiny.waves.to_parquet(folder / "waves.parquet")
    tiny.employees.to_parquet(folder / "employees.parquet")
    posts = pd.concat([tiny.posts] * 5000, ignore_index=True)
    posts["post_id"] = [f"P{i}" for i in range(len(posts))]
    path = folder / "posts.parquet"
    pq.write_table(pa.Table.from_pandas(posts, preserve_index=False), path, compression="zstd")
    meta = pq.read_metadata(path)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    limit = (path.stat().st_size + unpacked) / 2
    assert path.stat().st_size < limit < unpacked
    rule = failures(folder, max_file_mb=limit / MB).set_index("file").loc["posts.parquet", "rule"]
    assert rule.startswith("Parquet data is too large once decompressed")


def test_read_raw_raises_one_data_error(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("a,a\n1,2\n")
    with pytest.raises(DataValidationError) as info:
        read_raw(path)
    assert (
        len(info.value.failures) == 1
        and "duplicate column header" in info.value.failures.iloc[0]["rule"]
    )


def test_importers_refuse_oversized_and_nul_files(tmp_path, monkeypatch):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"Email;Department;Region\n" + b"a@b.example;IT;Nord\n" * 70_000)
    monkeypatch.setenv(MAX_FILE_MB_ENV, "1")
    problems = Problems()
    assert read_file(path, problems) is None and "file is too large" in problems.rows[0]["rule"]
    monkeypatch.delenv(MAX_FILE_MB_ENV)
    path.write_bytes(b"Email;Department;Region\na@b.example;IT;Nord\nc@d.example;I\x00T;Sud\n")
    problems = Problems()
    assert read_file(path, problems) is None
    assert problems.rows[0]["row"] == 3 and "NUL byte" in problems.rows[0]["rule"]
    assert "\\x00" in problems.rows[0]["value"]


def test_importers_refuse_a_workbook_too_large_once_decompressed(tmp_path, monkeypatch):
    import zipfile

    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (MB // 2))
    assert path.stat().st_size < MB // 100
    monkeypatch.setenv(MAX_FILE_MB_ENV, "1")
    problems = Problems()
    assert read_file(path, problems) is None
    assert problems.rows[0]["rule"].startswith(
        "workbook is too large once decompressed: 3 MB, above the limit of 1 MB"
    )


# --------------------------------------------------------------------------- importers' parsers (hypothesis finds)


def s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_import_numbers_refuse_infinite_and_huge_values():
    values, bad, _ = parse_numbers(s(float("inf"), float("-inf"), "1" * 400, 12.0), "en")
    assert bad.tolist() == [True, True, True, False] and values.iloc[3] == 12
    counts, bad = parse_counts(s("9" * 20, 1e300, 2**53, str(MAX_COUNT)), "en")
    assert bad.tolist() == [True, True, True, False] and counts.iloc[3] == MAX_COUNT


def test_import_dates_out_of_range_or_not_iso_are_bad_not_a_crash():
    values, bad = parse_dates(
        s(
            "9999-12-31",
            dt.datetime(9999, 12, 31),
            dt.date(1, 1, 1),
            "2024-3-5",
            "2024-03-05",
            pd.Timestamp("2024-03-05", tz="Europe/Paris"),
        ),
        "DMY",
    )
    assert bad.tolist() == [True, True, True, True, False, False]
    assert values.iloc[5] == pd.Timestamp("2024-03-04 23:00")


def test_separator_sniffing_survives_a_huge_field():
    assert sniff_separator('a;b\n"' + "x" * 200_000 + '";1\n') == ";"


def test_roster_with_a_duplicate_column_header_is_refused(tmp_path):
    header = [*list(fx.ROSTER_FR_HEADER), "Vague"]
    rows = [[*r, "W2"] for r in fx.roster_rows()]
    path = fx.write_roster_csv(tmp_path / "roster.csv", rows, header=header)
    with pytest.raises(DataValidationError) as info:
        run("roster", [path], tmp_path / "data")
    f = info.value.failures
    assert len(f) == 1 and f.iloc[0]["row"] == 1 and f.iloc[0]["column"] == "Vague"
    assert (
        f.iloc[0]["rule"]
        == "duplicate column header: columns 8 and 15 are both named 'Vague'; keep one"
    )


def test_member_export_with_an_empty_impressions_cell_is_a_problem_not_a_crash(tmp_path):
    from advocacy_eval.io.imports import linkedin_member

    path = fx.write_member_export(
        tmp_path / "m.xlsx", "en", dt.date(2024, 1, 1), dt.date(2024, 1, 31), []
    )
    problems = Problems()
    raw = read_file(path, problems)
    discovery = raw.sheets[0]
    discovery.cells[1][1] = None  # "Impressions" with no value
    ctx = Context(
        Options(key=KEY, employee_id="E-0123456789abcdef", as_of=pd.Timestamp("2024-12-31")),
        FolderState(tmp_path / "d"),
        problems,
    )
    assert linkedin_member.extract(raw, ctx) is None
    assert (
        problems.rows[0]["column"] == "Impressions" and "whole number" in problems.rows[0]["rule"]
    )


def test_problems_show_control_characters_escaped():
    problems = Problems()
    problems.add("f.csv", "rule", value="a\x00b\x1b[2J")
    assert problems.rows[0]["value"] == "a\\x00b\\x1b[2J"


def test_raw_file_built_in_memory_with_hostile_cells_is_parsed(tmp_path):
    from advocacy_eval.io.imports import roster

    cells = [
        ["Email", "Department", "Region", "Wave", "Enrolled on"],
        ["a@b.example", "IT", "Nord", "W1", float("inf")],
        ["c@d.example", 10**30, "Sud", "W1", dt.datetime(9999, 1, 1)],
    ]
    raw = RawFile(tmp_path / "r.xlsx", "excel", [Sheet("S", cells, [1, 2, 3])])
    problems = Problems()
    ctx = Context(
        Options(key=KEY, as_of=pd.Timestamp("2024-12-31")), FolderState(tmp_path / "d"), problems
    )
    assert roster.extract(raw, ctx) is None
    assert [r["row"] for r in problems.rows] == [2, 3] and all(
        "date" in r["rule"] for r in problems.rows
    )
