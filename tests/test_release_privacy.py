"""Release-set privacy: the reports of one run are attacked together and reveal no hidden cell.

The adversarial programme has a wave of 4 volunteers (W3) and, in wave 1, two
small departments (3 and 6 volunteers) none of whose members ever post. On the
code before release-set suppression, the differencing helper recovered W3 = 4
from the programme's volunteer total minus the wave reports; it must find
nothing now. Unit tests show each attack can fail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from advocacy_eval.privacy import cells_to_hide
from advocacy_eval.privacy.release import plan_release
from advocacy_eval.privacy.suppression import hidden_label_keys
from advocacy_eval.publish.runner import run_programme_report, run_wave_report
from advocacy_eval.sample import generate_programme

from .privacy_attacks import attack_run

K = 5


# ----------------------------------------------------------------------------- the rule


def test_hidden_pool_may_not_be_homogeneous() -> None:
    n, posted = np.array([3, 6, 40, 50]), np.array([0, 0, 30, 45])
    plain = cells_to_hide(n, K)
    assert plain.tolist() == [
        True,
        True,
        False,
        False,
    ]  # 9 people, >= k: enough for the size rule ...
    hide = cells_to_hide(n, K, successes=posted)
    assert hide.tolist() == [
        True,
        True,
        True,
        False,
    ]  # ... but none of the 9 posted: hide one more group
    assert posted[hide].sum() not in (0, n[hide].sum())


def test_labels_say_why() -> None:
    n = np.array([3, 6, 40])
    keys = hidden_label_keys(n, cells_to_hide(n, K), K)
    assert keys.tolist() == [
        "suppressed",
        "suppressed_secondary",
        "",
    ]  # the 6-person group is not "fewer than 5"


def test_release_plan_is_complementary_across_waves() -> None:
    plan = plan_release(
        K,
        {"W1": 150, "W2": 250, "W3": 4},
        quantities={"profiles": {"W1": 22, "W2": 3, "W3": 1}},
        successes={"profiles": {"W1": 19, "W2": 2, "W3": 1}},
    )
    assert plan.excluded_waves == ("W3",)
    assert plan.hides("profiles", "W2") and plan.label_key("profiles", "W2") == "suppressed"
    # W2 alone cannot be hidden under a published total: W1 is hidden too, in every report
    assert (
        plan.hides("profiles", "W1") and plan.label_key("profiles", "W1") == "suppressed_secondary"
    )
    assert plan.hides("anything", "W3")


# ----------------------------------------------------------------------------- the attacks can fail


def _html(tables: list[tuple[list[str], list[list[str]]]], text: str = "") -> str:
    parts = [f"<p>{text}</p>"]
    for headers, rows in tables:
        head = "".join(f"<th>{h}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def test_differencing_attacks_find_a_leaky_release(tmp_path: Path) -> None:
    """Reports as the package wrote them before release-set suppression: every attack succeeds."""
    kpi = ["Indicator", "Value", "95% interval", "Based on", "Reading"]
    (tmp_path / "programme.html").write_text(
        _html(
            [
                (
                    [
                        "Monthly outcome",
                        "Effect per volunteer",
                        "95% interval",
                        "Pre-enrolment test (p)",
                        "Volunteers in the estimate",
                    ],
                    [["Posts per month", "1.00", "0.9 to 1.1", "0.2", "400"]],
                ),
                (
                    [
                        "Wave",
                        "Enrolment month",
                        "Effect per volunteer",
                        "95% interval",
                        "Volunteers in the estimate",
                    ],
                    [
                        ["W1", "W1 (2024-07)", "1.20", "–", "150"],
                        ["W2", "W2 (2024-12)", "0.90", "–", "246"],
                    ],
                ),
                (
                    [
                        "Wave",
                        "Without a profile at enrolment",
                        "Created one after enrolling",
                        "Profiles attributable",
                        "95% interval",
                    ],
                    [
                        ["W1", "fewer than 5 people", "fewer than 5 people", "–", "–"],
                        ["W2", "40", "35", "31", "–"],
                        ["W3", "fewer than 5 people", "–", "–", "–"],
                        ["Total", "64", "50", "40", "–"],
                    ],
                ),
            ],
            "3 waves, 404 volunteers and 1,287 colleagues not enrolled",
        )
    )
    (tmp_path / "W1.html").write_text(
        _html(
            [
                (
                    kpi,
                    [
                        ["Volunteers enrolled", "150", "", "150 people", ""],
                        [
                            "LinkedIn profiles created after enrolment",
                            "19",
                            "",
                            "of 22 without a profile",
                            "",
                        ],
                    ],
                ),
                (
                    ["Department", "Volunteers", "Posted at least once", "95% interval"],
                    [
                        ["IT", "100", "70.0%", "–"],
                        ["Legal", "fewer than 5 people", "fewer than 5 people", "–"],
                        ["Audit", "fewer than 5 people", "fewer than 5 people", "–"],
                        ["Retail", "41", "100.0%", "–"],
                    ],
                ),
            ],
            "111 of 150 volunteers (74.0%) have posted at least once since enrolling",
        )
    )
    (tmp_path / "W2.html").write_text(
        _html([(kpi, [["Volunteers enrolled", "250", "", "250 people", ""]])])
    )
    found = {(f.attack, f.wave): f.value for f in attack_run(tmp_path, ["W1", "W2", "W3"], K)}
    assert found[("volunteers", "W3")] == 4
    assert found[("profiles", "W3")] == 2  # 64 - 22 (from W1's own report) - 40
    assert found[("estimate", "W3")] == 4
    assert ("weighted_mean", "W3") in found
    assert found[("homogeneous", "W1")] == 0  # none of the 9 hidden people posted


# ----------------------------------------------------------------------------- the real run


@pytest.fixture(scope="module")
def adversarial_run(tmp_path_factory):
    prog = generate_programme(seed=11, n_employees=1000, wave_volunteer_shares=(0.12, 0.15, 0.004))
    emp, posts, act = prog.employees.copy(), prog.posts.copy(), prog.activity.copy()
    w1 = emp.index[emp["wave_id"] == "W1"]
    emp.loc[w1[:3], "department"] = "Legal"
    emp.loc[w1[3:9], "department"] = "Audit"
    silent = set(emp.loc[w1[:9], "employee_id"])
    posts = posts.loc[~posts["author_id"].isin(silent)]
    for col in ("posts", "impressions", "members_reached", "engagements"):
        act.loc[act["employee_id"].isin(silent), col] = 0
    folder = tmp_path_factory.mktemp("adversarial")
    prog.waves.to_csv(folder / "waves.csv", index=False, date_format="%Y-%m-%d")
    emp.to_csv(folder / "employees.csv", index=False, date_format="%Y-%m-%d")
    posts.to_csv(folder / "posts.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    act.to_csv(folder / "activity.csv", index=False, date_format="%Y-%m-%d")
    assert (emp["wave_id"] == "W3").sum() == 4
    out = tmp_path_factory.mktemp("release")
    for wave in ("W1", "W2"):
        run_wave_report(folder, wave, out, lang="en", extra={"min_group_size": K})
    run_programme_report(folder, out, lang="en", extra={"min_group_size": K})
    return folder, out, emp


def test_no_attack_succeeds_on_the_adversarial_release(adversarial_run) -> None:
    _, out, _ = adversarial_run
    assert sorted(p.name for p in out.glob("*.html")) == ["W1.html", "W2.html", "programme.html"]
    findings = attack_run(out, ["W1", "W2", "W3"], K)
    assert findings == [], findings


def test_the_wave_left_out_is_announced_in_waves_not_people(adversarial_run) -> None:
    import re

    from .privacy_attacks import read_report

    _, out, _ = adversarial_run
    text = read_report(out / "programme.html").text
    assert "1 wave(s) with fewer than 5 volunteers are left out of every figure" in text
    assert not re.search(r"\bW3\b", text.split("Appendix")[0])  # no column, row or figure for it


def test_hidden_labels_tell_the_truth(adversarial_run) -> None:
    from .privacy_attacks import read_report

    _, out, emp = adversarial_run
    w1 = read_report(out / "W1.html")
    dept = next(rows for headers, rows in w1.tables if headers and headers[0] == "Department")
    sizes = emp.loc[emp["wave_id"] == "W1"].groupby("department").size()
    labelled = {row[0]: row[1] for row in dept}
    assert labelled["Legal"] == "fewer than 5 people"
    assert labelled["Audit"] == "hidden to protect a smaller group" and sizes["Audit"] == 6
    for name, cell in labelled.items():
        if cell == "fewer than 5 people":
            assert sizes[name] < K, name


def test_published_provenance_gives_no_roster_size(adversarial_run) -> None:
    """File row counts minus the released population would tell how many people were left out."""
    import json

    from .privacy_attacks import read_report

    _folder, out, emp = adversarial_run
    for stem in ("W1", "W2", "programme"):
        record = json.loads((out / f"{stem}.run.json").read_text(encoding="utf-8"))
        assert all(set(i) == {"table", "file", "sha256"} for i in record["inputs"]), stem
        text = read_report(out / f"{stem}.html").text
        assert f"{len(emp):,}" not in text and f"{len(emp)} " not in text, (
            stem
        )  # the roster size (1,000)
