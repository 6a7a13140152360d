"""Shared fixtures: a tiny hand-made programme whose metrics are known by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

# The session's private snapshot cache (ADVOCACY_EVAL_CACHE) is set by the root conftest.py,
# for the doctests of the package too.


@pytest.fixture
def record_figure(request: pytest.FixtureRequest):
    """Record a figure a simulation measured (a coverage, a bias); the run's summary lists them all.

    Call ``record_figure("CR3 coverage", "94.1%")`` before asserting on the figure, so that it is
    shown also when the assertion fails. The figures travel with the test report, so they are
    listed by the main process under pytest-xdist too (a worker's own prints are not shown).
    """

    def record(name: str, value: str) -> None:
        request.node.user_properties.append(("figure", f"{name}: {value}"))

    return record


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """List the figures recorded by :func:`record_figure`, test by test, at the end of the run."""
    lines = []
    for reports in terminalreporter.stats.values():
        for rep in reports:
            if getattr(rep, "when", None) != "call":
                continue
            for key, value in getattr(rep, "user_properties", ()):
                if key == "figure":
                    lines.append((rep.nodeid, value))
    if lines:
        terminalreporter.section("figures measured by the simulations (calibration)")
        for nodeid, value in sorted(lines, key=lambda line: line[0]):
            terminalreporter.write_line(f"{nodeid}: {value}")


WAVES_CSV = """wave_id,name,start_date,end_date
W1,Wave 1,2024-01-01,2024-01-31
W2,Wave 2,2024-03-01,2024-03-31
"""

EMPLOYEES_CSV = """employee_id,wave_id,enrolled_on,department,region,profile_created_on,left_on
E1,W1,2024-01-10,IT,North,2020-05-01,
E2,W1,2024-01-15,IT,North,2024-02-01,
E3,W2,2024-03-05,HR,South,,
E4,,,HR,South,2019-01-01,2024-02-15
E5,,,HR,South,2024-02-10,
"""

POSTS_CSV = """post_id,author_type,author_id,published_at,network,content_type,theme,origin,audience_size,impressions,members_reached,reactions,comments,reposts,clicks,follows
P1,company,page,2024-01-05 09:00:00,linkedin,corporate,brand,own,10000,150,100,5,1,0,3,1
P2,company,page,2024-02-05 09:00:00,linkedin,non_corporate,expertise,own,10000,300,200,10,2,1,4,0
P3,employee,E1,2024-01-20 12:00:00,linkedin,corporate,brand,suggested,500,40,20,3,1,0,1,
P4,employee,E1,2024-02-20 12:00:00,linkedin,non_corporate,tips,own,500,50,30,4,0,1,2,
P5,employee,E2,2024-02-25 12:00:00,linkedin,non_corporate,tips,suggested,300,20,10,1,0,0,0,
P6,employee,E3,2024-03-10 12:00:00,linkedin,non_corporate,tips,suggested,200,20,10,2,0,0,1,
"""


def write_programme(
    folder: Path, waves: str = WAVES_CSV, employees: str = EMPLOYEES_CSV, posts: str = POSTS_CSV
) -> Path:
    """Write the three canonical CSV files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "waves.csv").write_text(waves, encoding="utf-8")
    (folder / "employees.csv").write_text(employees, encoding="utf-8")
    (folder / "posts.csv").write_text(posts, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A valid hand-made programme folder."""
    return write_programme(tmp_path / "tiny")


@pytest.fixture
def tiny(tiny_dir: Path):
    """The hand-made programme, loaded."""
    from advocacy_eval.io import load_programme

    return load_programme(tiny_dir, as_of="2024-12-31")


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample programme."""
    from advocacy_eval.paths import sample_data_dir

    return sample_data_dir()


@pytest.fixture(scope="session")
def sample_programme(sample_dir: Path):
    """The committed sample programme, loaded."""
    from advocacy_eval.io import load_programme

    return load_programme(sample_dir)


def replace_line(csv: str, line_no: int, new: str) -> str:
    """Return ``csv`` with its ``line_no``-th line (1 = header) replaced."""
    lines = csv.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


def frame(csv: str) -> pd.DataFrame:
    """Parse a small CSV literal (helper for expected values)."""
    import io

    return pd.read_csv(io.StringIO(csv))


@pytest.fixture(scope="session")
def published_reports(tmp_path_factory, sample_dir, sample_programme):
    """Every report of the sample (each wave and the programme) in both languages, as published.

    Keys ``(lang, report)`` (``report``: a wave id or ``"programme"``); values
    :class:`~advocacy_eval.publish.runner.ReportResult`. PDFs are printed when
    Chromium is installed (the real-browser tests need it and say so).
    """
    from advocacy_eval.publish.runner import find_chromium, run_all_waves

    out = tmp_path_factory.mktemp("published")
    reports = {}
    for lang in ("en", "fr"):
        done, failed = run_all_waves(
            sample_dir,
            list(sample_programme.wave_ids),
            out / lang,
            lang=lang,
            pdf=find_chromium() is not None,
            jobs=2,
            programme=True,
        )
        assert not failed, failed
        reports.update({(lang, key): result for key, result in done.items()})
    return reports
