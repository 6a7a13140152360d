"""The ``import`` sub-command through :func:`add_import_command`: exit codes and messages, no tracebacks."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from advocacy_eval.io.imports.cli import add_import_command
from advocacy_eval.privacy.pseudonym import ENV_KEY, ENV_KEY_FILE

from .test_import_files import KEY_HEX, fx, snapshot, x


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="advocacy-eval")
    sub = parser.add_subparsers(dest="command", required=True)
    add_import_command(sub)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(autouse=True)
def no_key_in_env(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)


def test_import_roster_with_a_key_file_then_a_page_export(tmp_path, capsys):
    key_file = tmp_path / "k.key"
    key_file.write_text(KEY_HEX + "\n")
    data = tmp_path / "data"
    assert (
        main(
            [
                "import",
                "roster",
                str(x("roster_fr_2024-03-01.csv")),
                "--into",
                str(data),
                "--key-file",
                str(key_file),
                "--as-of",
                "2024-12-31",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "imported 1 roster file(s)" in out and "utf-8-sig" in out and "employees: +8 added" in out
    )
    assert (
        main(
            [
                "import",
                "linkedin-page",
                str(x(fx.PAGE_FILES["fr_xlsx"])),
                "--into",
                str(data),
                "--page-followers",
                "25300",
                "--content-type",
                "non_corporate",
            ]
        )
        == 0
    )
    posts = pd.read_csv(data / "posts.csv")
    assert (posts["audience_size"] == 25300).all() and (
        posts["content_type"] == "non_corporate"
    ).all()
    assert (
        main(["import", "linkedin-page", str(x(fx.PAGE_FILES["fr_xlsx"])), "--into", str(data)])
        == 0
    )
    assert "already imported" in capsys.readouterr().out


def test_environment_key_and_member_import(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_KEY, KEY_HEX)
    data = tmp_path / "data"
    assert main(["import", "roster", str(x("roster_fr_2024-03-01.csv")), "--into", str(data)]) == 0
    assert (
        main(
            [
                "import",
                "linkedin-member",
                str(x(fx.MEMBER_FILES["bruno_jan_fr"])),
                "--into",
                str(data),
                "--employee",
                "https://www.linkedin.com/in/bruno-petit",
            ]
        )
        == 0
    )
    assert "activity: +1 added" in capsys.readouterr().out


def test_bad_file_exits_1_with_a_located_message_and_no_traceback(tmp_path, capsys):
    path = fx.write_page_export(tmp_path / "p.xlsx", fx.JAN, "en")
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["All posts"]["F3"] = "13/45/2024"
    wb.save(path)
    data = tmp_path / "data"
    code = main(
        [
            "import",
            "linkedin-page",
            str(path),
            "--into",
            str(data),
            "--page-followers",
            "25000",
            "--content-type",
            "corporate",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert (
        "left unchanged" in err
        and "p.xlsx [All posts]" in err
        and "Created date" in err
        and " 3 " in err
    )
    assert snapshot(data) == {}


def test_missing_key_is_refused_with_instructions(tmp_path, capsys):
    code = main(
        ["import", "roster", str(x("roster_fr_2024-03-01.csv")), "--into", str(tmp_path / "d")]
    )
    err = capsys.readouterr().err
    assert code == 1 and "refused" in err and "ADVOCACY_EVAL_KEY_FILE" in err and "python -c" in err
    assert "Traceback" not in err


def test_the_parser_lists_exactly_the_importers_kinds() -> None:
    from advocacy_eval.cli_import import KIND_HELP
    from advocacy_eval.io.imports import KINDS

    assert list(KIND_HELP) == list(KINDS)


def test_building_the_parser_imports_no_data_layer() -> None:
    """Every command pays for what building the parser imports: about 1 s and 0.1 GB for pandas and pandera."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from advocacy_eval.cli import build_parser\n"
        "build_parser().parse_args(['import', 'roster', 'f.csv', '--into', 'd'])\n"
        "heavy = [m for m in ('pandas', 'pandera', 'pyarrow', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", out.stdout
