"""Every malformed input gives one clear error naming file, sheet, row and column; nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.errors import AdvocacyEvalError, DataValidationError
from advocacy_eval.io.imports import ImportRefused, import_files
from advocacy_eval.privacy.pseudonym import ENV_KEY, ENV_KEY_FILE, PseudonymKeyError

from .test_import_files import AS_OF, KEY, PAGE_OPTS, fx, run, snapshot, x


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def failures_of(kind: str, files, into: Path, **kwargs) -> pd.DataFrame:
    before = snapshot(into)
    with pytest.raises(DataValidationError) as info:
        run(kind, files, into, **kwargs)
    assert snapshot(into) == before  # all or nothing
    assert "Traceback" not in str(info.value)
    return info.value.failures


def test_unknown_layout_or_wrong_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Feuil1"
    wb.active.append(["something", "else"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    f = failures_of("linkedin-page", [path], tmp_path / "d", **PAGE_OPTS)
    assert (
        f.iloc[0]["file"] == "export.xlsx"
        and "wrong sheet" in f.iloc[0]["rule"]
        and "Feuil1" in f.iloc[0]["rule"]
    )
    f = failures_of("linkedin-member", [path], tmp_path / "d", employee_id="E-0123456789abcdef")
    assert "DISCOVERY / DÉCOUVERTE" in f.iloc[0]["rule"]


def test_header_language_not_recognised(tmp_path):
    german = [
        "Beitragstitel",
        "Beitragslink",
        "Beitragstyp",
        "Kampagne",
        "Gepostet von",
        "Erstellungsdatum",
        "",
        "",
        "Zielgruppe",
        "Impressionen",
    ]
    path = fx.write_page_export(tmp_path / "de_content.xlsx", fx.JAN[:1], "en", header=german)
    f = failures_of("linkedin-page", [path], tmp_path / "d", **PAGE_OPTS)
    assert f.iloc[0]["file"] == "de_content.xlsx [All posts]"
    assert "header not recognised" in f.iloc[0]["rule"] and "Beitragslink" in f.iloc[0]["value"]


def test_missing_required_column_names_sheet_row_and_column(tmp_path):
    header = list(fx.PAGE_HEADER["en"])
    header[5] = "Creation"  # "Created date" renamed
    path = fx.write_page_export(tmp_path / "p.xlsx", fx.JAN, "en", header=header)
    f = failures_of("linkedin-page", [path], tmp_path / "d", **PAGE_OPTS)
    assert (f.iloc[0]["file"], f.iloc[0]["row"]) == ("p.xlsx [All posts]", 2)
    assert (
        "required column is missing" in f.iloc[0]["rule"] and "Created date" in f.iloc[0]["column"]
    )


def test_bad_french_number_is_reported_never_read_as_fifteen(tmp_path):
    path = fx.write_page_export(
        tmp_path / "contenu_1712397600000.xlsx", fx.MAR, "fr", text_numbers=True
    )
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["Tous les posts"]["P4"] = "1.5"  # J'aime of the second post (row 4)
    wb.save(path)
    f = failures_of("linkedin-page", [path], tmp_path / "d", **PAGE_OPTS)
    row = f.iloc[0]
    assert (row["file"], row["row"], row["column"], row["value"]) == (
        "contenu_1712397600000.xlsx [Tous les posts]",
        4,
        "J’aime",
        "1.5",
    )
    assert "French way" in row["rule"]


def test_x10_misparse_caught_by_range_checks(tmp_path):
    posts = [dict(p) for p in fx.JAN]
    posts[1]["ctr"] = posts[1]["ctr"] * 10  # CTR 12.2 % for 12 clicks / 980 impressions
    path = fx.write_page_export(tmp_path / "content_1706954400000.xls", posts, "en")
    f = failures_of("linkedin-page", [path], tmp_path / "d", **PAGE_OPTS)
    assert (f.iloc[0]["row"], f.iloc[0]["column"]) == (4, "Click through rate (CTR)")
    assert "does not match clicks / impressions" in f.iloc[0]["rule"]
    member = fx.write_member_export(
        tmp_path / "m.xlsx",
        "en",
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
        [],
        impressions_override=15740,
    )
    f = failures_of("linkedin-member", [member], tmp_path / "d", employee_id="E-0123456789abcdef")
    assert "differ from the sum of the daily impressions" in f.iloc[0]["rule"]
    assert f.iloc[0]["file"] == "m.xlsx [DISCOVERY]" and f.iloc[0]["row"] == 2


def test_impossible_date_and_duplicate_employee(tmp_path):
    rows = fx.roster_rows()
    rows[1][11] = "31/02/2024"
    rows.append(list(rows[0]))  # exact duplicate: ignored
    rows.append(list(rows[2]))
    rows[-1][5] = "Finance"  # same person, other department: conflict
    path = fx.write_roster_csv(tmp_path / "roster.csv", rows)
    f = failures_of("roster", [path], tmp_path / "d")
    assert f[["row", "column"]].values.tolist() == [[3, "Date d'inscription"]]  # no cascade
    assert "impossible" in f.iloc[0]["rule"]
    rows[1][11] = "15/01/2024"
    fx.write_roster_csv(path, rows)
    f = failures_of("roster", [path], tmp_path / "d")
    assert len(f) == 1 and "duplicate id with conflicting values (rows 4, 11)" in f.iloc[0]["rule"]


def test_ambiguous_dates_are_an_error_not_a_guess(tmp_path):
    posts = [
        fx.platform_post(
            1,
            fx.A,
            dt.datetime(2024, 3, 4, 9, 0),
            "Expertise",
            "t",
            "Personnel",
            500,
            400,
            300,
            1,
            0,
            0,
            1,
        ),
        fx.platform_post(
            2,
            fx.B,
            dt.datetime(2024, 2, 1, 9, 0),
            "Expertise",
            "t",
            "Personnel",
            500,
            400,
            300,
            1,
            0,
            0,
            1,
        ),
    ]
    path = fx.write_platform_csv(tmp_path / "posts.csv", posts)
    from advocacy_eval.io.imports.platform import load_mapping

    mapping = load_mapping("generic-fr")
    data = {
        "columns": mapping.columns,
        "defaults": mapping.defaults,
        "values": mapping.values,
    }  # no [format] lang
    f = failures_of("platform", [path], tmp_path / "d", mapping=data)
    assert "day-first" in f.iloc[0]["rule"] and "--lang" in f.iloc[0]["rule"]
    assert f.iloc[0]["column"] == "Date de publication"
    result = run("platform", [path], tmp_path / "d", mapping=data, lang="fr")
    assert result.files[0].date_order == "DMY"


def test_platform_conflicting_duplicates_unknown_values_and_missing_columns(tmp_path):
    rows = fx.platform_fr_lines(fx.PLATFORM_FEB)
    rows.append(list(rows[0]))
    rows[-1][8] = "2\u00a0999"  # same post, other impressions
    rows[1][4] = "Divers"  # category not in the mapping
    path = fx.write_platform_csv(tmp_path / "export.csv", fx.PLATFORM_FEB, rows=rows)
    f = failures_of("platform", [path], tmp_path / "d", mapping="generic-fr")
    assert f.iloc[0]["row"] == 3 and "unknown value for content_type" in f.iloc[0]["rule"]
    assert "[values.content_type]" in f.iloc[0]["rule"]
    rows[1][4] = "Expertise"
    fx.write_platform_csv(path, fx.PLATFORM_FEB, rows=rows)
    f = failures_of("platform", [path], tmp_path / "d", mapping="generic-fr")
    assert "duplicate id with conflicting values (rows 2, 6)" in f.iloc[0]["rule"]
    header = [h if h != "Vues uniques" else "Vues" for h in fx.PLATFORM_FR_HEADER]
    fx.write_platform_csv(path, fx.PLATFORM_FEB, header=header)
    f = failures_of("platform", [path], tmp_path / "d", mapping="generic-fr")
    assert "missing column" in f.iloc[0]["rule"] and f.iloc[0]["column"] == "Vues uniques"
    assert "Vues" in f.iloc[0]["rule"]  # the unmapped columns are listed


def test_bad_mappings_are_refused_before_reading(tmp_path):
    path = x(fx.PLATFORM_FILES["fr_feb"])
    with pytest.raises(ImportRefused, match="generic-en, generic-fr"):
        import_files("platform", [path], tmp_path / "d", key=KEY)
    with pytest.raises(ImportRefused, match="unknown canonical column 'likes'"):
        import_files(
            "platform",
            [path],
            tmp_path / "d",
            key=KEY,
            mapping={"columns": {"likes": "Réactions", "post_id": "Lien du post"}},
        )
    bad = tmp_path / "bad.toml"
    bad.write_text("[columns\npost_id = 1\n")
    with pytest.raises(ImportRefused, match="not valid TOML"):
        import_files("platform", [path], tmp_path / "d", key=KEY, mapping=str(bad))
    assert not (tmp_path / "d").exists()


def test_personal_identifiers_without_a_key_are_refused(tmp_path):
    folder = tmp_path / "d"
    with pytest.raises(PseudonymKeyError) as info:
        import_files("roster", [x("roster_fr_2024-03-01.csv")], folder)
    message = str(info.value)
    assert (
        "no pseudonymisation key" in message
        and "ADVOCACY_EVAL_KEY_FILE" in message
        and "python -c" in message
    )
    assert not folder.exists()


def test_member_periods_and_employees(tmp_path):
    folder = tmp_path / "d"
    too_long = fx.write_member_export(
        tmp_path / "Content_2023-01-01_2024-03-31_X.xlsx",
        "en",
        dt.date(2023, 1, 1),
        dt.date(2024, 3, 31),
        [],
    )
    f = failures_of("linkedin-member", [too_long], folder, employee_id="E-0123456789abcdef")
    assert (
        "456 days (2023-01-01..2024-03-31)" in f.iloc[0]["rule"]
        and "7 to 365 days" in f.iloc[0]["rule"]
    )
    assert f.iloc[0]["file"].endswith("[DISCOVERY]") and f.iloc[0]["row"] == 1
    with pytest.raises(ImportRefused, match="--employee"):
        run("linkedin-member", [x(fx.MEMBER_FILES["alice_jan"])], folder)
    run("roster", [x("roster_fr_2024-03-01.csv")], folder)
    f = failures_of(
        "linkedin-member",
        [x(fx.MEMBER_FILES["alice_jan"])],
        folder,
        employee_id="nobody@acme.example",
    )
    assert "not in the roster" in f.iloc[0]["rule"]


def test_same_export_date_with_conflicting_values_is_refused(tmp_path):
    folder = tmp_path / "d"
    run(
        "linkedin-page", [x(fx.PAGE_FILES["en_xls"])], folder, export_date="2024-02-03", **PAGE_OPTS
    )
    changed = [dict(p) for p in fx.JAN]
    changed[0] = fx.page_post(1, dt.date(2024, 1, 3), 1600, 1100, 30, 25, 3, 2, 1)
    other = fx.write_page_export(tmp_path / "again.xlsx", changed, "en")
    f = failures_of("linkedin-page", [other], folder, export_date="2024-02-03", **PAGE_OPTS)
    assert (
        "conflicting values" in f.iloc[0]["rule"] and fx.PAGE_FILES["en_xls"] in f.iloc[0]["rule"]
    )
    assert f.iloc[0]["column"] == "impressions"


def test_refusals_for_kind_file_lock_and_unreadable_workbook(tmp_path):
    with pytest.raises(ImportRefused, match="unknown import kind"):
        import_files("facebook", [x("page_followers.csv")], tmp_path / "d")
    with pytest.raises(ImportRefused, match="file not found"):
        import_files("roster", [tmp_path / "none.csv"], tmp_path / "d", key=KEY)
    folder = tmp_path / "locked"
    folder.mkdir()
    import fcntl
    import os

    held = os.open(
        folder / ".import.lock", os.O_RDWR | os.O_CREAT
    )  # a running import holds the lock
    fcntl.flock(held, fcntl.LOCK_EX)
    os.write(held, b'{"pid": 4242, "host": "analyst-pc", "since": "2024-03-01T10:00:00Z"}')
    try:
        with pytest.raises(
            ImportRefused, match=r"another import .* is running .process 4242 on analyst-pc"
        ):
            run("roster", [x("roster_fr_2024-03-01.csv")], folder)
    finally:
        os.close(held)
    junk = tmp_path / "content.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    f = failures_of("linkedin-page", [junk], tmp_path / "d2", **PAGE_OPTS)
    assert "cannot be read as an Excel workbook" in f.iloc[0]["rule"]
    assert issubclass(ImportRefused, AdvocacyEvalError)


def test_page_posts_need_followers_not_a_classification(tmp_path):
    """Without followers the import is refused (row by row, saying which export to import); without a
    classification the posts are not refused (they are imported as unclassified)."""
    f = failures_of("linkedin-page", [x(fx.PAGE_FILES["en_xls"])], tmp_path / "d", as_of=AS_OF)
    assert set(f["rule"].str.split(":").str[0]) == {"page followers on this day unknown"}
    assert f["rule"].str.contains("import linkedin-followers FILE").all()
    assert set(f["row"]) == {3, 4, 5, 6} and set(f["column"]) == {"audience_size"}


def test_the_resulting_folder_is_validated_before_anything_is_written(tmp_path):
    """Rules spanning tables are checked on the staged result: a roster lacking a post's author is refused."""
    folder = tmp_path / "d"
    first = run("platform", [x(fx.PLATFORM_FILES["fr_feb"])], folder, mapping="generic-fr")
    assert "no roster yet" in first.files[0].notes[0]
    rows = [r for r in fx.roster_rows() if r[3] != fx.C]  # Chloé (author of post 4) missing
    rows[0][11] = "15/02/2024"  # Alice enrolled after W1's window
    roster = fx.write_roster_csv(tmp_path / "roster.csv", rows)
    f = failures_of("roster", [roster], folder)
    by_rule = {r["rule"]: r for r in f.to_dict("records")}
    assert by_rule["employee author must exist in employees.csv"]["file"] == "posts.csv"
    assert (
        by_rule["enrolled_on must fall inside its wave's start_date..end_date"]["file"]
        == "employees.csv"
    )
