"""Loader and schema: types, ranges, cross-table rules and one clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.errors import DataValidationError
from advocacy_eval.io import load_programme
from advocacy_eval.schema import COLUMNS, SCHEMAS

from .conftest import EMPLOYEES_CSV, POSTS_CSV, WAVES_CSV, replace_line, write_programme


def _errors(folder: Path, as_of: str = "2024-12-31") -> pd.DataFrame:
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, as_of=as_of)
    return info.value.failures


def test_valid_programme_loads_with_types_and_provenance(tiny):
    assert len(tiny.waves) == 2 and len(tiny.employees) == 5 and len(tiny.posts) == 6
    assert str(tiny.posts["impressions"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(tiny.posts["published_at"])
    assert tiny.employees["wave_id"].isna().sum() == 2
    assert set(tiny.sources["table"]) == {"waves", "employees", "posts"}
    assert tiny.sources["sha256"].str.len().eq(64).all()
    assert tiny.sources.set_index("table").loc["posts", "rows"] == 6
    assert tiny.wave_ids == ["W1", "W2"]


def test_bad_posts_give_one_error_naming_both_rows(tmp_path):
    posts = replace_line(POSTS_CSV, 4, POSTS_CSV.splitlines()[3].replace(",40,20,", ",-40,20,"))
    posts = replace_line(posts, 6, posts.splitlines()[5].replace(",20,10,", ",20,30,"))
    failures = _errors(write_programme(tmp_path / "bad", posts=posts))
    assert len(failures) == 2  # no cascade from the blanked negative value
    first, second = failures.iloc[0], failures.iloc[1]
    assert (first["file"], first["row"], first["column"]) == ("posts.csv", 4, "impressions")
    assert ">= 0" in first["rule"] and str(first["value"]) == "-40"
    assert (second["file"], second["row"], second["column"]) == ("posts.csv", 6, "members_reached")
    assert "<= impressions" in second["rule"]


def test_message_is_a_table_with_file_row_column_rule(tmp_path):
    posts = replace_line(POSTS_CSV, 3, POSTS_CSV.splitlines()[2].replace("10000,300", "0,300"))
    with pytest.raises(DataValidationError) as info:
        load_programme(write_programme(tmp_path / "bad", posts=posts), as_of="2024-12-31")
    text = str(info.value)
    assert text.startswith("1 data problem in")
    for word in ("file", "row", "column", "rule", "posts.csv", "audience_size", "> 0"):
        assert word in text


@pytest.mark.parametrize(
    "table, line, old, new, column, rule_part",
    [
        ("posts", 2, "2024-01-05 09:00:00", "05/01/2024 9h", "published_at", "date-time"),
        ("posts", 2, ",150,", ",1.5e9x,", "impressions", "whole number"),
        ("posts", 2, ",150,", ",12.5,", "impressions", "whole number"),
        ("posts", 2, "corporate,brand", "corpo,brand", "content_type", "one of"),
        ("posts", 2, "company,page", "bot,page", "author_type", "one of"),
        ("posts", 3, "P2,", "P1,", "post_id", "unique"),
        ("posts", 4, "employee,E1", "employee,E99", "author_id", "must exist"),
        ("posts", 2, "2024-01-05", "2099-01-05", "published_at", "future"),
        ("employees", 2, "W1,2024-01-10", "W1,2024-02-10", "enrolled_on", "inside its wave"),
        ("employees", 2, "W1,2024-01-10", "W9,2024-01-10", "wave_id", "must exist"),
        ("employees", 2, "W1,2024-01-10", ",2024-01-10", "wave_id", "required when enrolled_on"),
        ("employees", 4, "W2,2024-03-05", "W2,", "enrolled_on", "required when wave_id"),
        ("employees", 3, "E2,", "E1,", "employee_id", "unique"),
        ("waves", 2, "2024-01-31", "2023-12-31", "end_date", "on or after start_date"),
    ],
)
def test_each_rule_names_file_row_column(tmp_path, table, line, old, new, column, rule_part):
    texts = {"waves": WAVES_CSV, "employees": EMPLOYEES_CSV, "posts": POSTS_CSV}
    original = texts[table].splitlines()[line - 1]
    assert old in original
    texts[table] = replace_line(texts[table], line, original.replace(old, new, 1))
    failures = _errors(write_programme(tmp_path / "bad", **texts))
    hit = failures[(failures["column"] == column) & failures["rule"].str.contains(rule_part)]
    assert len(hit) >= 1, failures.to_string()
    assert hit.iloc[0]["file"] == f"{table}.csv"
    assert hit.iloc[0]["row"] == line or "unique" in rule_part


def test_missing_required_column_and_table(tmp_path):
    posts = (
        "\n".join(
            ",".join(c for i, c in enumerate(line.split(",")) if i != 9)
            for line in POSTS_CSV.splitlines()
        )
        + "\n"
    )
    folder = write_programme(tmp_path / "bad", posts=posts)
    (folder / "waves.csv").unlink()
    failures = _errors(folder)
    assert ((failures["column"] == "impressions") & failures["rule"].str.contains("missing")).any()
    assert failures["rule"].str.contains("required table waves is missing").any()


def test_optional_columns_may_be_absent(tmp_path):
    keep = [
        i
        for i, c in enumerate(POSTS_CSV.splitlines()[0].split(","))
        if c not in ("follows", "theme")
    ]
    posts = (
        "\n".join(",".join(line.split(",")[i] for i in keep) for line in POSTS_CSV.splitlines())
        + "\n"
    )
    programme = load_programme(write_programme(tmp_path / "ok", posts=posts), as_of="2024-12-31")
    assert programme.posts["follows"].isna().all()


def test_parquet_is_read_like_csv(tmp_path, tiny):
    folder = tmp_path / "pq"
    folder.mkdir()
    tiny.waves.to_parquet(folder / "waves.parquet")
    tiny.employees.to_parquet(folder / "employees.parquet")
    bad = tiny.posts.copy()
    bad.loc[2, "members_reached"] = 999
    bad.to_parquet(folder / "posts.parquet")
    failures = _errors(folder)
    assert failures.iloc[0]["row"] == 3  # record number from 1 in Parquet
    assert failures.iloc[0]["column"] == "members_reached"


def test_raw_input_is_never_modified(tiny_dir):
    before = {p.name: p.read_bytes() for p in tiny_dir.iterdir()}
    load_programme(tiny_dir, as_of="2024-12-31")
    assert {p.name: p.read_bytes() for p in tiny_dir.iterdir()} == before


def test_schema_documents_every_column():
    for table, schema in SCHEMAS.items():
        assert [c.name for c in COLUMNS[table]] == list(schema.columns)
    doc = (Path(__file__).parents[1] / "docs" / "data-model.md").read_text(encoding="utf-8")
    for table, cols in COLUMNS.items():
        assert f"## {table}" in doc
        for col in cols:
            assert f"`{col.name}`" in doc, col.name


def test_sample_data_is_valid(sample_programme):
    assert len(sample_programme.waves) == 3
    assert sample_programme.activity is not None


def test_folder_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_programme(tmp_path / "nope")


def test_bom_and_whitespace_are_tolerated(tmp_path):
    folder = write_programme(
        tmp_path / "bom", waves="\ufeff" + WAVES_CSV.replace("W1,Wave 1", " W1 ,Wave 1")
    )
    programme = load_programme(folder, as_of="2024-12-31")
    assert programme.waves["wave_id"].tolist() == ["W1", "W2"]
    shutil.rmtree(folder)


def test_empty_waves_table_is_a_clear_error(tmp_path):
    folder = write_programme(tmp_path / "nowaves", waves="wave_id,name,start_date,end_date\n")
    failures = _errors(folder)
    assert (failures["column"] == "wave_id").any() and failures["rule"].str.contains(
        "must exist"
    ).any()


def test_cross_table_sections_checked_side_by_side_give_the_same_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The posts' cross-table rules run in the load's pool beside the others; the failures and their order are unchanged."""
    import threading

    from advocacy_eval.io import load as load_module
    from advocacy_eval.io import validate

    folder = write_programme(
        tmp_path / "p",
        waves=WAVES_CSV.replace(
            "W2,Wave 2,2024-03-01,2024-03-31", "W2,Wave 2,2024-03-01,2024-02-28"
        ),
        posts=POSTS_CSV.replace("P3,employee,E1,", "P3,employee,E9,").replace(
            ",500,50,30,4,0,1,2,", ",500,50,60,4,0,1,2,"
        ),
    )
    (folder / "activity.csv").write_text(
        "employee_id,month,posts,impressions,members_reached,engagements,followers,has_profile\n"
        "E1,2024-01-01,1,40,20,5,100,true\nE1,2024-02-01,0,10,30,0,101,true\n"
        "E8,2024-01-01,2,30,10,3,50,false\n",
        encoding="utf-8",
    )
    calls: list[tuple[tuple[str, ...], bool]] = []
    real = validate.cross_table_failures

    def spy(*args, **kwargs):
        main = threading.current_thread() is threading.main_thread()
        calls.append((kwargs.get("sections", validate.SECTIONS), main))
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "cross_table_failures", spy)
    side_by_side = _errors(folder)
    assert sorted(calls) == sorted(
        [(("posts",), False), (("waves", "employees"), True), (("activity",), True)]
    )
    assert set(zip(side_by_side["file"], side_by_side["column"], strict=True)) == {
        ("waves.csv", "end_date"),
        ("employees.csv", "enrolled_on"),  # E3 enrolled after its wave's new end
        ("posts.csv", "author_id"),
        ("posts.csv", "members_reached"),
        ("activity.csv", "members_reached"),
        ("activity.csv", "employee_id"),
    }
    calls.clear()
    monkeypatch.setattr(load_module, "_cross_failures", lambda pool, *a: spy(*a))
    one_call = _errors(folder)
    assert calls == [(validate.SECTIONS, True)]
    pd.testing.assert_frame_equal(side_by_side, one_call)
    # the sections' failures, concatenated in the order of SECTIONS, are all the failures
    tables = {
        t: load_module.parse_table(
            load_module._read_raw(folder / f"{t}.csv", 1 << 30), t, f"{t}.csv", True
        )[0]
        for t in validate.SECTIONS
    }
    args = (
        tables,
        {t: f"{t}.csv" for t in tables},
        dict.fromkeys(tables, True),
        pd.Timestamp("2024-12-31"),
    )
    whole = real(*args)
    assert len(whole) == 6
    assert whole == [f for s in validate.SECTIONS for f in real(*args, sections=(s,))]
