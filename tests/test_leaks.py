"""Leak tests: small groups and planted identifiers never reach a COMEX report.

The data have a department of 3 volunteers, a region of 1 employee, a wave of
4 volunteers, and names, e-mails and profile URLs planted in extra text
columns and in free-text columns. The reports are generated and their HTML
scanned for (a) any identifier, (b) any displayed group with n < k and
(c) any hidden cell recoverable from a total minus the shown groups.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from advocacy_eval.errors import ReportError
from advocacy_eval.io import load_programme
from advocacy_eval.publish.runner import (
    identifiers,
    leaks,
    run_programme_report,
    run_wave_report,
    visible_text,
)
from advocacy_eval.reports.i18n import t
from advocacy_eval.reports.typography import fold
from advocacy_eval.sample import generate_programme

K = 5
HIDDEN_LABELS = {
    t(key, lang, k=K) for key in ("suppressed", "suppressed_secondary") for lang in ("en", "fr")
}
"""What a hidden cell says: "fewer than k people" (primary) or "hidden to protect a smaller group" (complementary)."""
PEOPLE_HEADERS = {
    "Volunteers",
    "Volontaires",
    "Volunteers in the estimate",
    "Volontaires dans l'estimation",
    "Collaborateurs volontaires",
    "Collaborateurs volontaires dans l'estimation",
    "Without a profile at enrolment",
    "Sans profil à l'inscription",
    "Created one after enrolling",
    "En ont créé un après l'inscription",
}


@pytest.fixture(scope="module")
def leaky_dir(tmp_path_factory) -> Path:
    prog = generate_programme(seed=11, n_employees=1000, wave_volunteer_shares=(0.12, 0.15, 0.004))
    emp, posts = prog.employees.copy(), prog.posts.copy()
    w1 = emp.index[emp["wave_id"] == "W1"]
    emp.loc[w1[:3], "department"] = "Legal"  # a department of 3 volunteers
    emp.loc[emp.index[0], "region"] = "Corse"  # a region of 1
    emp["full_name"] = [f"Jean{i} Dupont{i}" for i in range(len(emp))]
    emp["email"] = [f"jean{i}.dupont@banque-exemple.fr" for i in range(len(emp))]
    emp["profile_url"] = [f"https://www.linkedin.com/in/jean-dupont-{i}" for i in range(len(emp))]
    posts["theme"] = posts["theme"].where(
        posts.index % 7 != 0, "contact marie.curie@banque-exemple.fr"
    )
    posts["author_name"] = posts["author_id"].map(
        dict(zip(emp["employee_id"], emp["full_name"], strict=True))
    )
    folder = tmp_path_factory.mktemp("leaky")
    prog.waves.to_csv(folder / "waves.csv", index=False)
    emp.to_csv(folder / "employees.csv", index=False, date_format="%Y-%m-%d")
    posts.to_csv(folder / "posts.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    prog.activity.to_csv(folder / "activity.csv", index=False, date_format="%Y-%m-%d")
    assert (emp.loc[emp.wave_id == "W3"].shape[0]) == 4
    return folder


@pytest.fixture(scope="module")
def reports(leaky_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    made = {
        (wave, lang): run_wave_report(
            leaky_dir, wave, out / lang, lang=lang, extra={"min_group_size": K}
        )
        for wave, lang in (("W1", "en"), ("W2", "fr"))
    }
    for lang in ("en", "fr"):
        made[("programme", lang)] = run_programme_report(
            leaky_dir, out / lang, lang=lang, extra={"min_group_size": K}
        )
    return made


def _tables(html: str):
    soup = BeautifulSoup(html, "html.parser")
    for table in soup.find_all(
        "table"
    ):  # typeset text (l’estimation, 5\u00a0pts) read back as plain text
        headers = [fold(th.get_text(strip=True)) for th in table.find_all("th")]
        rows = [
            [fold(td.get_text(strip=True)) for td in tr.find_all("td")]
            for tr in table.find_all("tr")
        ]
        yield headers, [r for r in rows if r]


def _count(text: str) -> int | None:
    digits = re.sub(r"[\s\u202f,]", "", text)
    return int(digits) if digits.isdigit() else None


def test_no_identifier_in_any_report(reports, leaky_dir):
    forbidden = identifiers(load_programme(leaky_dir))
    assert any("@" in f for f in forbidden) and any("linkedin.com/in/" in f for f in forbidden)
    for result in reports.values():
        html = result.html.read_text(encoding="utf-8")
        text = visible_text(html)
        assert leaks(text, forbidden) == []
        for planted in ("Dupont", "banque-exemple", "linkedin.com/in", "E0001", "P00"):
            assert planted not in html, planted
        if "programme" not in str(result.html):
            assert (
                "Legal" in text or "moins de" in text
            )  # the small department is there, but hidden


def test_no_displayed_group_smaller_than_k(reports):
    for (wave, lang), result in reports.items():
        html = result.html.read_text(encoding="utf-8")
        checked = 0
        for headers, rows in _tables(html):
            people_cols = [i for i, h in enumerate(headers) if h in PEOPLE_HEADERS]
            for row in rows:
                for i in people_cols:
                    n = _count(row[i])
                    if n is None:
                        assert row[i] in HIDDEN_LABELS, row
                    else:
                        assert n >= K, (wave, lang, row)
                        checked += 1
        assert checked >= 3


def test_hidden_cells_cannot_be_recovered_by_subtraction(reports, leaky_dir):
    programme = load_programme(leaky_dir)
    result = reports[("W1", "en")]
    html = result.html.read_text(encoding="utf-8")
    for headers, rows in _tables(html):
        if headers[:2] != ["Department", "Volunteers"]:
            continue
        shown = [_count(r[1]) for r in rows]
        hidden = [r[0] for r, n in zip(rows, shown, strict=True) if n is None]
        total = int((programme.employees["wave_id"] == "W1").sum())  # shown in the KPI table
        assert str(total) in visible_text(html)
        assert len(hidden) >= 2, "a single hidden cell is recoverable from the total"
        assert total - sum(n for n in shown if n is not None) >= K
        assert "Legal" in hidden
        return
    pytest.fail("department table not found")


def test_wave_of_four_is_refused_and_writes_nothing(leaky_dir, tmp_path):
    with pytest.raises(ReportError, match="fewer than 5 volunteers"):
        run_wave_report(leaky_dir, "W3", tmp_path, extra={"min_group_size": K})
    assert not (tmp_path / "W3.html").exists()


def test_comex_mode_refuses_a_report_that_shows_an_identifier(tmp_path, monkeypatch, sample_dir):
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'data_dir: str = ""  # data\nwave: str = "W1"  # wave\nlang: str = "en"  # lang'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            "from advocacy_eval.io import load_programme\n"
            "load_programme(data_dir).employees[['employee_id', 'department']].head(3)"
        ),
    ]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "wave_report.ipynb")
    monkeypatch.setenv("ADVOCACY_EVAL_NOTEBOOKS", str(tmp_path / "nb"))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "W1.html").write_text("previous", encoding="utf-8")
    with pytest.raises(ReportError, match="refused in COMEX mode"):
        run_wave_report(sample_dir, "W1", tmp_path / "out")
    assert (tmp_path / "out" / "W1.html").read_text(encoding="utf-8") == "previous"
