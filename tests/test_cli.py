"""The advocacy-eval command: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

from advocacy_eval.cli import main

from .conftest import POSTS_CSV, replace_line, write_programme


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "advocacy_eval.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_validate_names_both_bad_rows_without_traceback(tmp_path):
    posts = replace_line(POSTS_CSV, 4, POSTS_CSV.splitlines()[3].replace(",40,20,", ",-40,20,"))
    posts = replace_line(posts, 6, posts.splitlines()[5].replace(",20,10,", ",20,30,"))
    folder = write_programme(tmp_path / "bad", posts=posts)
    done = _run("validate", str(folder), "--as-of", "2024-12-31")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("2 data problems")
    assert any("posts.csv" in l and " 4 " in l and "impressions" in l and ">= 0" in l for l in lines)
    assert any("posts.csv" in l and " 6 " in l and "members_reached" in l and "<= impressions" in l for l in lines)


def test_validate_ok(tmp_path, capsys):
    folder = write_programme(tmp_path / "ok")
    assert main(["validate", str(folder), "--as-of", "2024-12-31"]) == 0
    assert "OK" in capsys.readouterr().out


def test_missing_folder_is_a_message(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err


def test_report_unknown_wave(capsys, sample_dir, tmp_path):
    assert main(["report", str(sample_dir), "--wave", "W9", "--out", str(tmp_path)]) == 2
    assert "unknown wave W9" in capsys.readouterr().err


def test_report_refuses_invalid_data(tmp_path, capsys):
    posts = replace_line(POSTS_CSV, 4, POSTS_CSV.splitlines()[3].replace(",40,20,", ",-40,20,"))
    folder = write_programme(tmp_path / "bad", posts=posts)
    assert main(["report", str(folder), "--wave", "W1", "--out", str(tmp_path / "out")]) == 1
    assert "not valid" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sample_command_writes_a_valid_folder(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "s"), "--seed", "3", "--employees", "300", "--months", "20"]) == 0
    assert main(["validate", str(tmp_path / "s")]) == 0
