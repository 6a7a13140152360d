"""The advocacy-eval command: clear messages, exit codes, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from advocacy_eval.cli import main

from .conftest import POSTS_CSV, replace_line, write_programme


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "advocacy_eval.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_names_both_bad_rows_without_traceback(tmp_path):
    posts = replace_line(POSTS_CSV, 4, POSTS_CSV.splitlines()[3].replace(",40,20,", ",-40,20,"))
    posts = replace_line(posts, 6, posts.splitlines()[5].replace(",20,10,", ",20,30,"))
    folder = write_programme(tmp_path / "bad", posts=posts)
    done = _run("validate", str(folder), "--as-of", "2024-12-31")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("2 data problems")
    assert any(
        "posts.csv" in line and " 4 " in line and "impressions" in line and ">= 0" in line
        for line in lines
    )
    assert any(
        "posts.csv" in line
        and " 6 " in line
        and "members_reached" in line
        and "<= impressions" in line
        for line in lines
    )


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
    assert "unknown wave 'W9'; known waves: W1, W2, W3" in capsys.readouterr().err


def test_report_refuses_invalid_data(tmp_path, capsys):
    posts = replace_line(POSTS_CSV, 4, POSTS_CSV.splitlines()[3].replace(",40,20,", ",-40,20,"))
    folder = write_programme(tmp_path / "bad", posts=posts)
    assert main(["report", str(folder), "--wave", "W1", "--out", str(tmp_path / "out")]) == 1
    assert "not valid" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sample_command_writes_a_valid_folder(tmp_path, capsys):
    assert (
        main(
            [
                "sample",
                "--out",
                str(tmp_path / "s"),
                "--seed",
                "3",
                "--employees",
                "300",
                "--months",
                "20",
            ]
        )
        == 0
    )
    assert main(["validate", str(tmp_path / "s")]) == 0


def test_sample_command_with_anticipation(tmp_path, capsys):
    import json

    out = tmp_path / "a"
    assert (
        main(
            [
                "sample",
                "--out",
                str(out),
                "--seed",
                "3",
                "--employees",
                "300",
                "--months",
                "20",
                "--anticipation-months",
                "1",
                "--anticipation-multiplier",
                "1.8",
            ]
        )
        == 0
    )
    payload = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert payload["parameters"]["anticipation_months"] == 1
    assert payload["parameters"]["anticipation_multiplier"] == 1.8
    assert payload["truth"]["onboarding_effect"]["posts"]["anticipation"]["months"] == 1
    assert main(["sample", "--out", str(tmp_path / "b"), "--anticipation-months", "-1"]) == 1
    assert "anticipation_months must be an integer >= 0" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_claims_file_changes_the_scorecard_from_the_cli_alone(capsys, sample_dir, tmp_path):
    """A custom target on a built-in metric, from a claims file: the verdicts follow, the CSV says so."""
    import pandas as pd

    claims = tmp_path / "claims.toml"
    claims.write_text(
        '[[claims]]\nmetric = "amplification"\nop = ">="\ntarget = 2.5\n'
        'label_en = "Volunteers reach at least 2.5x the page\'s rate"\n\n'
        '[[claims]]\nmetric = "corporate_share"\nop = "=="\ntarget = 0.5\ntolerance = 0.05\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            ["report", str(sample_dir), "--wave", "W2", "--out", str(out), "--claims", str(claims)]
        )
        == 0
    )
    card = pd.read_csv(out / "W2.scorecard.csv")
    assert list(card.columns) == [
        "claim",
        "metric",
        "population",
        "op",
        "target",
        "tolerance",
        "estimate",
        "ci_low",
        "ci_high",
        "unit",
        "verdict",
        "n",
        "flag",
        "sensitivity_estimate",
        "sensitivity_ci_low",
        "sensitivity_ci_high",
        "sensitivity_verdict",
    ]
    assert card["flag"].isna().all()  # the committed sample's effect is not at risk (empty cells)
    assert list(card["claim"]) == ["amplification >= 2.5", "corporate_share == 0.5 ± 0.05"]
    assert list(card["verdict"]) == ["supported", "contradicted"]
    html = (out / "W2.html").read_text(encoding="utf-8")
    assert (
        "Volunteers reach at least 2.5x the page\u2019s rate" in html
    )  # the user's label, typeset
    from advocacy_eval.publish.runner import visible_text

    assert "✓ Supported" in visible_text(html) and "✗ Contradicted" in visible_text(html)


def test_bad_claims_file_is_one_clear_error(capsys, sample_dir, tmp_path):
    claims = tmp_path / "claims.toml"
    claims.write_text('[[claims]]\nmetric = "reach"\nop = "=>"\ntarget = 4\n', encoding="utf-8")
    out = tmp_path / "out"
    assert (
        main(
            ["report", str(sample_dir), "--wave", "W2", "--out", str(out), "--claims", str(claims)]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert str(claims) in err and "claim 1" in err
    assert "valid metrics: amplification, reach_per_post_ratio" in err
    assert "valid operators: >=, >, <=, <, ==" in err
    assert "Traceback" not in err
    assert not out.exists()  # nothing written


def test_workers_start_before_the_parser_only_for_a_parallel_all_wave_report() -> None:
    from advocacy_eval.cli import _early_pool

    for argv in (
        ["validate", "data", "--all-waves"],
        ["report", "data", "--wave", "W1"],
        ["report", "data", "--all-waves", "--jobs", "1"],
        ["report", "data", "--all-waves", "--jobs=1"],
        ["report", "data", "--all-waves", "--jobs", "two"],
        ["report", "data", "--all-waves", "--help"],
        [],
    ):
        assert _early_pool(argv) is None, argv
    pool = _early_pool(["report", "data", "--all-waves", "--jobs=3"])
    try:
        assert pool is not None and pool.size == 2  # at least a wave and the programme
    finally:
        pool.close()
    assert pool.size == 0


def test_a_refused_command_line_stops_the_early_workers() -> None:
    import psutil

    from advocacy_eval.cli import main

    before = {p.pid for p in psutil.Process().children()}
    with pytest.raises(SystemExit):
        main(["report", "data", "--all-waves", "--no-such-option"])
    left = [
        p
        for p in psutil.Process().children()
        if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE
    ]
    assert left == []
