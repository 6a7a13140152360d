"""The optional ``employees.trained_on`` column: loader, rules, roster import."""

from __future__ import annotations

import pandas as pd
import pytest

from advocacy_eval.errors import DataValidationError
from advocacy_eval.io import load_programme
from advocacy_eval.schema import COLUMNS, OPTIONAL_COLUMNS, SCHEMAS

from .conftest import EMPLOYEES_CSV, write_programme
from .test_import_files import KEY, run

AS_OF = "2024-12-31"


def _with_trained_on(values: list[str]) -> str:
    """EMPLOYEES_CSV (5 employees) with a trained_on column holding ``values``."""
    lines = EMPLOYEES_CSV.splitlines()
    out = [lines[0] + ",trained_on"] + [
        line + "," + v for line, v in zip(lines[1:], values, strict=True)
    ]
    return "\n".join(out) + "\n"


def _errors(folder, as_of: str = AS_OF) -> pd.DataFrame:
    with pytest.raises(DataValidationError) as info:
        load_programme(folder, as_of=as_of)
    return info.value.failures


def test_trained_on_is_an_optional_documented_date_column():
    col = {c.name: c for c in COLUMNS["employees"]}["trained_on"]
    assert (col.kind, col.required) == ("date", False)
    assert "session" in col.meaning
    assert "trained_on" in OPTIONAL_COLUMNS["employees"]
    assert not SCHEMAS["employees"].columns["trained_on"].required
    assert SCHEMAS["employees"].columns["trained_on"].nullable


def test_valid_file_with_trained_on_loads(tmp_path):
    employees = _with_trained_on(["2024-01-05", "2024-01-15", "", "2024-01-20", " 2024-02-01 "])
    programme = load_programme(write_programme(tmp_path / "ok", employees=employees), as_of=AS_OF)
    trained = programme.employees.set_index("employee_id")["trained_on"]
    assert pd.api.types.is_datetime64_any_dtype(trained)
    assert trained.isna().tolist() == [False, False, True, False, False]
    assert trained["E1"] == pd.Timestamp("2024-01-05") and trained["E5"] == pd.Timestamp(
        "2024-02-01"
    )


def test_bad_trained_on_date_names_file_row_column_and_rule(tmp_path):
    employees = _with_trained_on(["2024-01-05", "", "2024-13-01", "", "05/02/2024"])
    failures = _errors(write_programme(tmp_path / "bad", employees=employees))
    assert len(failures) == 2  # one message per bad cell, no cascade into the cross-table rules
    assert failures[["file", "row", "column"]].values.tolist() == [
        ["employees.csv", 4, "trained_on"],
        ["employees.csv", 6, "trained_on"],
    ]
    assert (failures["rule"] == "must be a date YYYY-MM-DD").all()
    assert failures["value"].tolist() == ["2024-13-01", "05/02/2024"]


def test_trained_on_in_the_future_is_an_error(tmp_path):
    employees = _with_trained_on(["", "2025-01-01", "", "", ""])
    folder = write_programme(tmp_path / "future", employees=employees)
    failures = _errors(folder)
    assert failures[["file", "row", "column", "rule"]].values.tolist() == [
        ["employees.csv", 3, "trained_on", "date is in the future"]
    ]
    assert load_programme(folder, as_of="2025-01-01").employees["trained_on"].notna().sum() == 1


def test_folder_without_trained_on_still_loads(tiny_dir):
    assert "trained_on" not in (tiny_dir / "employees.csv").read_text().splitlines()[0]
    programme = load_programme(tiny_dir, as_of=AS_OF)
    trained = programme.employees["trained_on"]
    assert trained.isna().all() and pd.api.types.is_datetime64_any_dtype(trained)
    assert list(programme.employees.columns)[: len(COLUMNS["employees"])] == [
        c.name for c in COLUMNS["employees"]
    ]


def test_parquet_without_trained_on_loads(tmp_path, tiny):
    folder = tmp_path / "pq"
    folder.mkdir()
    tiny.waves.to_parquet(folder / "waves.parquet")
    tiny.employees.drop(columns="trained_on").to_parquet(folder / "employees.parquet")
    tiny.posts.to_parquet(folder / "posts.parquet")
    assert load_programme(folder, as_of=AS_OF).employees["trained_on"].isna().all()


def test_sample_has_trained_on(sample_programme):
    trained = sample_programme.employees["trained_on"]
    assert pd.api.types.is_datetime64_any_dtype(trained) and 0.3 < trained.notna().mean() < 0.6


# ----------------------------------------------------------------------------- HR roster


def _roster(path, header_trained: str, rows: list[tuple[str, ...]], lang: str = "fr"):
    if lang == "fr":
        header = ["E-mail", "Département", "Région", "Vague", "Date d’inscription", header_trained]
        sep = ";"
    else:
        header = ["Email", "Department", "Region", "Wave", "Enrolled on", header_trained]
        sep = ","
    lines = [sep.join(header)] + [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


FR_ROWS = [
    ("alice@acme.example", "IT", "Nord", "W1", "10/01/2024", "20/12/2023"),
    ("bruno@acme.example", "IT", "Sud", "W1", "15/01/2024", ""),
    ("chloe@acme.example", "HR", "Nord", "", "", "25/01/2024"),
]


@pytest.mark.parametrize("header", ["Date de formation", "Formé le", "formée le", "Formé(e) le"])
def test_french_roster_training_column(tmp_path, header):
    path = _roster(tmp_path / "effectifs_2024-03-01.csv", header, FR_ROWS)
    run("roster", [path], tmp_path / "d")
    employees = pd.read_csv(tmp_path / "d" / "employees.csv", dtype=str)
    assert sorted(employees["trained_on"].dropna()) == [
        "2023-12-20",
        "2024-01-25",
    ]  # DD/MM/YYYY read day first
    assert employees["trained_on"].isna().sum() == 1


@pytest.mark.parametrize("header", ["Trained on", "Training date", "training session date"])
def test_english_roster_training_column(tmp_path, header):
    rows = [
        ("alice@acme.example", "IT", "North", "W1", "2024-01-10", "2023-12-20"),
        ("chloe@acme.example", "HR", "North", "", "", "2024-01-25"),
    ]
    path = _roster(tmp_path / "roster_2024-03-01.csv", header, rows, lang="en")
    run("roster", [path], tmp_path / "d")
    employees = pd.read_csv(tmp_path / "d" / "employees.csv", dtype=str)
    assert sorted(employees["trained_on"].dropna()) == ["2023-12-20", "2024-01-25"]


def test_roster_with_a_bad_training_date_is_refused(tmp_path):
    rows = [list(r) for r in FR_ROWS]
    rows[1][5] = "31/02/2024"
    rows[2][5] = "12/07/2031"
    path = _roster(tmp_path / "effectifs_2024-03-01.csv", "Formé le", [tuple(r) for r in rows])
    with pytest.raises(DataValidationError) as info:
        run("roster", [path], tmp_path / "d")
    f = info.value.failures
    assert f[["file", "row", "column"]].values.tolist() == [
        ["effectifs_2024-03-01.csv", 3, "Formé le"],
        ["effectifs_2024-03-01.csv", 4, "Formé le"],
    ]
    assert (
        "impossible or unreadable date" in f.iloc[0]["rule"] and f.iloc[0]["value"] == "31/02/2024"
    )
    assert "in the future" in f.iloc[1]["rule"]
    assert not (tmp_path / "d").exists()  # nothing written


def test_roster_without_training_column_keeps_stored_dates(tmp_path):
    folder = tmp_path / "d"
    run("roster", [_roster(tmp_path / "effectifs_2024-03-01.csv", "Formé le", FR_ROWS)], folder)
    rows = [r[:5] for r in FR_ROWS]
    later = tmp_path / "effectifs_2024-04-01.csv"
    later.write_text(
        "\n".join(
            [";".join(["E-mail", "Département", "Région", "Vague", "Date d’inscription"])]
            + [";".join(r) for r in rows]
        )
        + "\n",
        encoding="utf-8",
    )
    run("roster", [later], folder)
    employees = pd.read_csv(folder / "employees.csv", dtype=str)
    assert sorted(employees["trained_on"].dropna()) == ["2023-12-20", "2024-01-25"]


def test_folder_imported_before_the_column_existed(tmp_path):
    """Tables and history written before trained_on existed still merge, even at the same export date."""
    folder = tmp_path / "d"
    header = "E-mail;Département;Région;Vague;Début de vague;Fin de vague;Date d’inscription"
    rows = [
        "alice@acme.example;IT;Nord;W1;08/01/2024;31/01/2024;10/01/2024",
        "chloe@acme.example;HR;Nord;;;;",
    ]
    first = tmp_path / "effectifs_2024-03-01.csv"
    first.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    run("roster", [first], folder)
    for rel in ("employees.csv", "history/employees.csv"):  # as written by the previous version
        frame = pd.read_csv(folder / rel, dtype=str, keep_default_na=False)
        frame.drop(columns="trained_on").to_csv(folder / rel, index=False, lineterminator="\n")
    same = tmp_path / "effectifs_copie_2024-03-01.csv"  # same values, same export date, other bytes
    same.write_text(
        "\n".join([header + ";Commentaire", *(r + ";x" for r in rows)]) + "\n", encoding="utf-8"
    )
    result = run("roster", [same], folder)
    assert result.counts["employees"] == {"added": 0, "updated": 0, "unchanged": 2}
    later = _roster(
        tmp_path / "effectifs_2024-04-01.csv",
        "Formé le",
        [("alice@acme.example", "IT", "Nord", "W1", "10/01/2024", "20/12/2023")],
    )
    run("roster", [later], folder)
    employees = pd.read_csv(folder / "employees.csv", dtype=str)
    assert employees["trained_on"].dropna().tolist() == ["2023-12-20"]
    assert len(employees) == 2 and KEY
