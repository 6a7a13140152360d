"""Importing real-layout exports: full pipeline, merge rules, idempotency, atomicity, privacy."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.errors import DataValidationError
from advocacy_eval.io import load_programme
from advocacy_eval.io.imports import ImportRefused, import_files
from advocacy_eval.io.load import file_sha256

EXPORTS = Path(__file__).parent / "data" / "exports"
KEY_HEX = "5f0c1d2e3b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
KEY = bytes.fromhex(KEY_HEX)
AS_OF = "2024-12-31"


def load_fixtures():
    """The fixture builder module (tests/data/exports/make_fixtures.py)."""
    spec = importlib.util.spec_from_file_location("make_fixtures", EXPORTS / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fx = load_fixtures()


def x(name: str) -> Path:
    """A committed fixture file."""
    return EXPORTS / name


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by relative path, with its bytes."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def run(kind: str, files, into: Path, **kwargs):
    kwargs.setdefault("key", KEY)
    kwargs.setdefault("as_of", AS_OF)
    return import_files(kind, files, into, **kwargs)


PAGE_OPTS = {
    "page_followers": str(x("page_followers.csv")),
    "content_type": str(x("page_posts_content_types.csv")),
}


def build_programme(folder: Path) -> dict:
    """Import roster, page, platform, member and an updated roster into an empty folder."""
    results = {}
    results["roster_fr"] = run("roster", [x("roster_fr_2024-03-01.csv")], folder)
    results["page"] = run(
        "linkedin-page",
        [x(fx.PAGE_FILES["en_xls"]), x(fx.PAGE_FILES["en_xlsx"]), x(fx.PAGE_FILES["fr_xlsx"])],
        folder,
        **PAGE_OPTS,
    )
    results["platform_fr"] = run(
        "platform",
        [x(fx.PLATFORM_FILES["fr_feb"]), x(fx.PLATFORM_FILES["fr_mar"])],
        folder,
        mapping="generic-fr",
    )
    results["platform_en"] = run(
        "platform", [x(fx.PLATFORM_FILES["en"])], folder, mapping="generic-en"
    )
    results["member"] = run(
        "linkedin-member",
        [x(fx.MEMBER_FILES[k]) for k in ("alice_jan", "alice_feb", "bruno_jan_fr")],
        folder,
        employee_id=str(x("member_employees.csv")),
    )
    results["roster_en"] = run("roster", [x("roster_en_2024-04-30.xlsx")], folder)
    return results


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("imported") / "data"
    results = build_programme(folder)
    return folder, results


def test_everything_imported_into_an_empty_folder_loads_and_validates(built):
    folder, results = built
    programme = load_programme(folder, as_of=AS_OF)
    assert len(programme.waves) == 2 and len(programme.employees) == 9
    assert len(programme.posts) == 18 and len(programme.activity) == 3
    from advocacy_eval.cli import main

    assert main(["validate", str(folder), "--as-of", AS_OF]) == 0
    assert results["roster_fr"].counts == {
        "waves": {"added": 2, "updated": 0, "unchanged": 0},
        "employees": {"added": 8, "updated": 0, "unchanged": 0},
    }


def test_overlapping_page_exports_keep_the_latest_snapshot_of_each_post(built):
    folder, results = built
    posts = pd.read_csv(folder / "posts.csv", dtype=str).set_index("post_id")
    post = lambda n: posts.loc[f"urn:li:activity:71500000000000{n:05d}"]  # noqa: E731
    assert post(1)["impressions"] == "1520"  # only in January's export
    assert (
        post(3)["impressions"] == "2390" and post(3)["members_reached"] == "1720"
    )  # February's update
    assert post(7)["impressions"] == "905"  # the French March export
    assert post(9)["impressions"] == "15230" and post(9)["clicks"] == "1204"  # "15 230" with NBSP
    assert (
        post(9)["audience_size"] == "25310" and post(1)["audience_size"] == "25000"
    )  # followers on the day
    assert post(3)["content_type"] == "corporate" and post(3)["theme"] == "offers"
    assert (posts.loc[posts["author_type"] == "company", "author_id"] == "company-page").all()
    assert results["page"].counts["posts"] == {"added": 10, "updated": 3, "unchanged": 0}
    history = pd.read_csv(folder / "history" / "posts.csv", dtype=str)
    snaps = history[history["post_id"] == "urn:li:activity:7150000000000000003"]
    assert snaps["impressions"].tolist() == ["2210", "2390"]
    assert snaps["export_date"].tolist() == ["2024-02-03 10:00:00", "2024-03-06 10:00:00"]


def test_platform_exports_pseudonymised_converted_and_merged(built):
    folder, results = built
    posts = pd.read_csv(folder / "posts.csv", dtype=str).set_index("post_id")
    employees = pd.read_csv(folder / "employees.csv", dtype=str)
    p4 = posts.loc["urn:li:activity:7200000000000000004"]
    assert p4["impressions"] == "13020"  # March export updated February's numbers
    assert p4["published_at"] == "2024-02-20 11:45:00"  # 12:45 Paris time is 11:45 UTC
    assert (
        p4["content_type"] == "corporate"
        and p4["origin"] == "suggested"
        and p4["theme"] == "recrutement"
    )
    emp = posts[posts["author_type"] == "employee"]["author_id"]
    assert emp.isin(employees["employee_id"]).all() and emp.str.fullmatch(r"E-[0-9a-f]{16}").all()
    assert results["platform_fr"].encodings == {
        fx.PLATFORM_FILES["fr_feb"]: "cp1252",
        fx.PLATFORM_FILES["fr_mar"]: "cp1252",
    }
    assert results["roster_fr"].encodings == {"roster_fr_2024-03-01.csv": "utf-8-sig"}
    log = pd.read_csv(folder / "import_log.csv", dtype=str).set_index("file")
    assert log.loc[fx.PLATFORM_FILES["fr_feb"], "encoding"] == "cp1252"
    assert log.loc[fx.PLATFORM_FILES["fr_feb"], "date_order"] == "DMY"


def test_member_exports_feed_the_activity_table(built):
    folder, _ = built
    activity = pd.read_csv(folder / "activity.csv", dtype=str)
    employees = pd.read_csv(folder / "employees.csv", dtype=str)
    assert activity["employee_id"].isin(employees["employee_id"]).all()
    assert activity["month"].tolist().count("2024-01-01") == 2
    bruno = activity[activity["followers"] == "2310"].iloc[
        0
    ]  # mapped by profile URL through aliases
    assert (
        bruno["month"] == "2024-01-01" and bruno["posts"] == "1" and bruno["has_profile"] == "True"
    )
    days = range(31)
    assert int(bruno["impressions"]) == sum(1100 + (i * 7) % 23 for i in days)
    alice = activity[activity["month"] == "2024-02-01"].iloc[0]
    assert (
        alice["followers"] == "1230" and alice["posts"] == "1"
    )  # the January post listed in Feb is not counted


def test_a_later_roster_updates_and_adds_without_dropping(built):
    folder, results = built
    assert results["roster_en"].counts["employees"] == {"added": 1, "updated": 1, "unchanged": 7}
    employees = pd.read_csv(folder / "employees.csv", dtype=str)
    assert employees["left_on"].tolist().count("2024-04-15") == 1
    assert employees["left_on"].tolist().count("2024-02-29") == 1  # DD/MM in the French roster
    waves = pd.read_csv(folder / "waves.csv", dtype=str)
    first = waves.drop(columns=["name_en", "name_fr"]).to_dict("records")[0]
    assert first == {
        "wave_id": "W1",
        "name": "Vague 1 — pilote",
        "start_date": "2024-01-08",
        "end_date": "2024-01-31",
    }
    assert (
        waves[["name_en", "name_fr"]].isna().all().all()
    )  # optional per-language wave names, written empty


def test_raw_files_copied_unchanged_and_logged(built):
    folder, results = built
    log = pd.read_csv(folder / "import_log.csv", dtype=str)
    assert len(log) == 11 and log["sha256"].is_unique
    sources = {file_sha256(p): p for p in EXPORTS.iterdir() if p.is_file()}
    for row in log.itertuples():
        copy = folder / row.raw_file
        assert (
            file_sha256(copy) == row.sha256
            and copy.read_bytes() == sources[row.sha256].read_bytes()
        )
        assert int(row.bytes) == copy.stat().st_size
        assert row.kind in ("roster", "linkedin-page", "platform", "linkedin-member")
        assert row.imported_at.endswith("Z") and row.export_date
    assert results["page"].files_copied == [f.raw_file for f in results["page"].files]


def test_no_key_and_no_personal_identifier_lands_in_the_tables(built):
    folder, _ = built
    secrets = [KEY_HEX, KEY_HEX.upper(), base64.b64encode(KEY).decode()]
    for rel, data in snapshot(folder).items():
        assert KEY not in data, rel
        assert not any(p in rel for p in ("Alice", "Martin", "Bruno", "Petit")), (
            rel
        )  # member exports renamed
        text = data.decode("latin-1")
        assert not any(s in text for s in secrets), rel
        if rel.startswith("raw/"):
            continue  # the raw exports are kept as they came (they hold names: restrict access to raw/)
        for person in ("alice", "Martin", "acme.example", "bruno-petit", "A001", "Admin Person"):
            assert person not in text, (rel, person)


def test_reimporting_the_same_files_changes_nothing(built, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(built[0], folder)
    before = snapshot(folder)
    again = run(
        "linkedin-page",
        [x(fx.PAGE_FILES["fr_xlsx"]), x(fx.PAGE_FILES["en_xls"])],
        folder,
        **PAGE_OPTS,
    )
    assert again.noop and all(f.status == "already imported" for f in again.files)
    assert "already imported" in again.summary()
    assert snapshot(folder) == before


def test_an_older_export_imported_late_does_not_overwrite_newer_values(tmp_path):
    folder = tmp_path / "data"
    run("linkedin-page", [x(fx.PAGE_FILES["en_xlsx"])], folder, **PAGE_OPTS)
    late = run("linkedin-page", [x(fx.PAGE_FILES["en_xls"])], folder, **PAGE_OPTS)
    assert late.counts["posts"] == {"added": 2, "updated": 0, "unchanged": 2}
    posts = pd.read_csv(folder / "posts.csv", dtype=str).set_index("post_id")
    assert posts.loc["urn:li:activity:7150000000000000003", "impressions"] == "2390"
    assert len(pd.read_csv(folder / "history" / "posts.csv")) == 9


def test_a_failing_second_file_leaves_the_folder_byte_for_byte_unchanged(built, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(built[0], folder)
    before = snapshot(folder)
    bad = fx.write_platform_csv(tmp_path / "plateforme_bad_2024-05-01.csv", fx.PLATFORM_MAR)
    text = bad.read_bytes().decode("cp1252").replace("1\u00a0940", "1.9.4")
    bad.write_bytes(text.encode("cp1252"))
    new_good = fx.write_platform_csv(tmp_path / "plateforme_ok_2024-05-02.csv", fx.PLATFORM_EN)
    with pytest.raises(DataValidationError) as info:
        run("platform", [new_good, bad], folder, mapping="generic-fr")
    failures = info.value.failures
    assert failures["file"].tolist() == ["plateforme_bad_2024-05-01.csv"]
    assert failures.iloc[0]["row"] == 5 and failures.iloc[0]["column"] == "Impressions"
    assert snapshot(folder) == before
    assert not list(folder.glob(".import*"))


def test_a_failed_import_into_a_new_folder_leaves_no_folder(tmp_path):
    folder = tmp_path / "new"
    with pytest.raises(DataValidationError):  # no follower count for the page's posts
        run("linkedin-page", [x(fx.PAGE_FILES["old_xls"])], folder)
    assert not folder.exists()


def test_page_export_without_unique_reach_leaves_members_reached_empty(tmp_path):
    """Impressions are never stored as reach: members_reached stays empty, and the old flag is refused."""
    folder = tmp_path / "data"
    with pytest.raises(ImportRefused, match="never stored as members_reached"):
        run(
            "linkedin-page",
            [x(fx.PAGE_FILES["old_xls"])],
            folder,
            reach_from_impressions=True,
            **PAGE_OPTS,
        )
    assert not folder.exists()
    result = run("linkedin-page", [x(fx.PAGE_FILES["old_xls"])], folder, **PAGE_OPTS)
    posts = pd.read_csv(folder / "posts.csv")
    assert posts["members_reached"].isna().all() and (posts["impressions"] > 0).all()
    assert posts["reposts"].tolist() == [1, 2]  # older "Shares" column
    assert "never filled from impressions" in result.files[0].notes[0]
    assert (
        "never filled from impressions" in pd.read_csv(folder / "import_log.csv")["notes"].iloc[0]
    )


def test_a_crash_while_moving_files_into_place_is_rolled_back(built, tmp_path, monkeypatch):
    folder = tmp_path / "copy"
    shutil.copytree(built[0], folder)
    before = snapshot(folder)
    from advocacy_eval.io.imports import store

    real_replace, calls = store.os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 4:  # raw copy, history and posts.csv moved; the log is next
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", flaky)
    with pytest.raises(OSError, match="disk full"):
        run(
            "platform",
            [fx.write_platform_csv(tmp_path / "plateforme_2024-06-01.csv", fx.PLATFORM_EN)],
            folder,
            mapping="generic-fr",
        )
    monkeypatch.setattr(store.os, "replace", real_replace)
    assert snapshot(folder) == before and len(calls) > 4


def test_page_followers_from_the_metrics_sheet(tmp_path):
    path = fx.write_page_export(
        tmp_path / "content_1706954400000.xlsx",
        fx.JAN,
        "en",
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        followers_from=30000,
    )
    run("linkedin-page", [path], tmp_path / "d", content_type="corporate")
    posts = pd.read_csv(tmp_path / "d" / "posts.csv")
    days = [p["day"].day for p in fx.JAN]
    assert posts["audience_size"].tolist() == [30000 + 10 * (d - 1) for d in days]
