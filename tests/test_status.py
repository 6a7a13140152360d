"""``advocacy-eval status``: sources, coverage, gaps, and which claims the data can and cannot test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from advocacy_eval.claims import default_claims
from advocacy_eval.cli import main
from advocacy_eval.status import folder_status

from . import export_fixtures as ef
from .test_real_exports import AS_OF, run

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> ef.ProgrammeExports:
    return ef.programme_exports(tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def import_only(tmp_path_factory, exports) -> Path:
    """LinkedIn's own files only: followers, page content and member exports; no roster, no platform."""
    folder = tmp_path_factory.mktemp("import_only") / "data"
    run("linkedin-followers", exports.followers, folder)
    run("linkedin-page", [exports.page_jan_mar, exports.page_feb_apr], folder)
    run(
        "linkedin-member",
        [exports.members["v0_fr"], exports.members["v0_en"]],
        folder,
        employee_id="E-00000000000000a0",
    )
    return folder


@pytest.fixture(scope="module")
def full(tmp_path_factory, exports) -> Path:
    folder = tmp_path_factory.mktemp("full") / "data"
    run("roster", exports.roster, folder)
    run("linkedin-followers", exports.followers, folder)
    run("linkedin-page", [exports.page_jan_mar, exports.page_feb_apr], folder, rules=exports.rules)
    run("platform", exports.platform, folder, mapping=str(exports.mapping), rules=exports.rules)
    run(
        "linkedin-member",
        list(exports.members.values()),
        folder,
        employee_id=str(exports.member_employees),
    )
    return folder


def by_metric(status) -> dict[str, object]:
    return {c.claim.metric: c for c in status.claims}


def test_the_sample_can_test_every_default_claim_and_is_not_changed():
    before = digest(SAMPLE)
    status = folder_status(SAMPLE)
    assert digest(SAMPLE) == before
    assert [c.claim for c in status.claims] == default_claims()
    assert status.untestable == [] and len(status.testable) == 9
    assert status.valid.startswith("valid") and not status.built_by_imports
    assert all(s.present for s in status.sources)
    assert status.gaps == []
    assert by_metric(status)["amplification"].how.startswith("unique reach per audience")
    text = status.render()
    assert "Claims: 9 of 9 can be tested" in text and "[cannot test]" not in text


def test_an_import_only_folder_says_what_it_cannot_test_and_which_file_would(import_only):
    status = folder_status(import_only, as_of=AS_OF)
    assert status.built_by_imports and status.valid.startswith(
        "incomplete: no waves.csv, employees.csv"
    )
    present = {s.name: s.present for s in status.sources}
    assert present == {
        "roster": False,
        "page content exports": True,
        "page followers export": True,
        "platform export": False,
        "member exports": True,
    }
    claims = by_metric(status)
    assert (
        status.testable == []
    )  # without the roster and the volunteers' posts, nothing can be tested
    assert any("advocacy-eval import platform" in n for n in claims["amplification"].needs)
    assert any("import roster" in n for n in claims["amplification"].needs)
    assert claims["corporate_share"].needs == [ef_import("platform")]
    assert any("import roster" in n for n in claims["staff_reached_share"].needs)
    assert claims["effect_posts"].how == "needs the volunteers' enrolment dates"
    text = status.render()
    assert "Claims: 0 of 9 can be tested" in text and "needs the LinkedIn Page" not in text
    assert "page content exports   2 file(s); covers 2024-01-01..2024-04-30; 8 page posts" in text
    assert "unique reach for 0 of 8" in text


def ef_import(kind: str) -> str:
    from advocacy_eval.status import EXPORT_TO_IMPORT

    return EXPORT_TO_IMPORT[kind]


def test_a_full_imported_folder_lists_coverage_gaps_and_testable_claims(full, exports):
    status = folder_status(full, as_of=AS_OF)
    assert status.valid.startswith("valid")
    claims = by_metric(status)
    assert len(status.testable) == 9, [(c.claim.key, c.how) for c in status.untestable]
    assert claims["amplification"].how == (
        "impressions per audience (followers or connections when posted): the "
        "page's posts have no unique reach"
    )
    assert (
        "among" in claims["corporate_share"].how
        and "unclassified left out" in claims["corporate_share"].how
    )
    gaps = " | ".join(status.gaps)
    assert (
        "months without a page export: 2024-05, 2024-06" in gaps
    )  # the page exports stop in April
    volunteers = sum(1 for p in exports.staff if p.wave)
    assert f"volunteers without member exports: {volunteers - 4} of {volunteers}" in gaps
    assert "unclassified (kept, left out of the content mix)" in gaps
    assert any("no unique reach" in n for n in status.notes)


def test_status_says_when_every_post_is_unclassified_and_what_to_do(full, tmp_path):
    import shutil

    folder = tmp_path / "data"
    shutil.copytree(full, folder)
    posts = pd.read_csv(folder / "posts.csv")
    posts.loc[posts["author_type"] == "employee", "content_type"] = "unclassified"
    posts.to_csv(folder / "posts.csv", index=False)
    claims = by_metric(folder_status(folder, as_of=AS_OF))
    share = claims["corporate_share"]
    assert (
        not share.testable
        and share.how.startswith("all ")
        and share.how.endswith("posts are unclassified")
    )
    assert share.needs == [ef_import("rules")]


def test_the_status_command(full, capsys):
    assert main(["status", str(full), "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert "Sources" in out and "Coverage and gaps" in out and "Claims: 9 of 9 can be tested" in out
    assert main(["status", str(full / "nope")]) == 1
    assert "data folder not found" in capsys.readouterr().err
