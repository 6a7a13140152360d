"""Automatic differencing attacks on the reports of one run (a test helper).

An attacker holds every report of a release (each wave's HTML, the programme's
HTML) and the list of waves. The helper tries what a hostile insider would:

- ``volunteers``: the programme's volunteer total minus the waves' own reports
  gives a wave that has no report;
- ``profiles``: a hidden cell of the programme's profiles table recovered from
  its total minus the values published elsewhere (any report);
- ``estimate``: the same for "volunteers in the estimate";
- ``weighted_mean``: a hidden wave's effect solved from the published overall
  effect as a mean of the per-wave effects weighted by their volunteers;
- ``homogeneous``: hidden departments of a wave report whose people all share
  one value ("X of N posted" minus the shown departments).

It reads the HTML only (English reports), so it can be run on the output of
any version of the package. Each finding is a :class:`Finding`; an empty list
means no attack succeeded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup


@dataclass(frozen=True)
class Finding:
    """A hidden value an attacker recovered."""

    attack: str
    wave: str
    value: float
    detail: str


@dataclass
class Report:
    """One HTML report: its visible text and its tables (headers, rows of cell texts)."""

    name: str
    text: str
    tables: list[tuple[list[str], list[list[str]]]]


def number(text: str) -> float | None:
    """A number as written in an English report (``1,287``, ``0.85``, ``+1.11 posts ...``), else None."""
    m = re.fullmatch(r"\s*[+−-]?\d[\d,]*(\.\d+)?\s*", text.replace("\u2212", "-"))
    if not m:
        return None
    return float(text.replace(",", "").replace("\u2212", "-").replace("+", "").strip())


def leading_number(text: str) -> float | None:
    """The first number of a text (``238 volunteers vs ...`` -> 238)."""
    m = re.search(r"[+−-]?\d[\d,]*(\.\d+)?", text)
    return (
        None if m is None else float(m.group(0).replace(",", "").replace("−", "-").replace("+", ""))
    )


def read_report(path: Path) -> Report:
    """Parse one exported HTML report."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for table in soup.find_all("table"):
        headers = [th.get_text(" ", strip=True) for th in table.find_all("th")]
        rows = [
            [td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in table.find_all("tr")
        ]
        tables.append((headers, [r for r in rows if r]))
    return Report(path.stem, soup.get_text(" ", strip=True), tables)


def _table(report: Report, *keywords: str) -> tuple[list[str], list[list[str]]] | None:
    for headers, rows in report.tables:
        joined = " ".join(headers).lower()
        if all(k in joined for k in keywords):
            return headers, rows
    return None


def _col(headers: list[str], *keywords: str) -> int | None:
    for i, h in enumerate(headers):
        if all(k in h.lower() for k in keywords):
            return i
    return None


def _kpi(report: Report, label_start: str) -> list[str] | None:
    found = _table(report, "indicator", "value")
    if found is None:
        return None
    for row in found[1]:
        if row and row[0].startswith(label_start):
            return row
    return None


def _difference(
    attack: str, waves: list[str], total: float | None, known: dict[str, float], k: int, detail: str
) -> list[Finding]:
    """Total minus the known cells, when exactly one wave's cell is unknown."""
    unknown = [w for w in waves if w not in known]
    if total is None or len(unknown) != 1:
        return []
    value = total - sum(known[w] for w in waves if w in known)
    leak = 0 < value < k if attack == "volunteers" else value > 0  # a hidden cell recovered exactly
    return [Finding(attack, unknown[0], value, detail)] if leak else []


def attack_run(folder: Path, waves: list[str], k: int) -> list[Finding]:
    """Every attack on the English reports of one run in ``folder`` (``<wave>.html``, ``programme.html``)."""
    reports = {p.stem: read_report(p) for p in sorted(Path(folder).glob("*.html"))}
    programme = reports.get("programme")
    wave_reports = {w: reports[w] for w in waves if w in reports}
    findings: list[Finding] = []

    # volunteers: programme total minus each wave report's "Volunteers enrolled"
    if programme is not None:
        m = re.search(r"\d+ waves, ([\d,]+) ", programme.text)
        total = float(m.group(1).replace(",", "")) if m else None
        known = {}
        for w, rep in wave_reports.items():
            row = _kpi(rep, "Volunteers enrolled")
            if row is not None and number(row[1]) is not None:
                known[w] = number(row[1])
        findings += _difference(
            "volunteers", waves, total, known, k, "programme total minus wave reports"
        )

    # profiles and volunteers in the estimate: totals of the programme report minus every published cell
    for attack, keywords, col_keywords in (
        ("profiles", ("without a profile",), ("without a profile",)),
    ):
        known: dict[str, float] = {}
        total = None
        if programme is not None and (found := _table(programme, *keywords)) is not None:
            headers, rows = found
            c = _col(headers, *col_keywords)
            for row in rows:
                v = number(row[c]) if c is not None else None
                if row[0] == "Total":
                    total = v
                elif v is not None:
                    known[row[0]] = v
        for w, rep in wave_reports.items():
            row = _kpi(rep, "LinkedIn profiles created")
            if row is not None and w not in known:
                v = leading_number(row[3].replace("of ", "")) if row[3].startswith("of ") else None
                if v is not None:
                    known[w] = v
        findings += _difference(
            attack, waves, total, known, k, "profiles table total minus cells published anywhere"
        )

    if programme is not None:
        known = {}
        effects: dict[str, float] = {}
        total = overall = None
        found = _table(programme, "monthly outcome", "estimate")
        if found is not None:
            headers, rows = found
            c, e = _col(headers, "estimate"), _col(headers, "effect")
            for row in rows:
                if row[0].startswith("Posts per month"):
                    total, overall = number(row[c]), number(row[e])
        for keywords in (("wave", "enrolment month"), ("wave", "effect on posts")):
            found = _table(programme, *keywords)
            if found is None:
                continue
            headers, rows = found
            c, e = _col(headers, "estimate"), _col(headers, "effect")
            for row in rows:
                if c is not None and number(row[c]) is not None:
                    known[row[0]] = number(row[c])
                if e is not None and number(row[e]) is not None:
                    effects[row[0]] = number(row[e])
        for w, rep in wave_reports.items():
            row = _kpi(rep, "Effect of enrolling on posts")
            if row is not None:
                if w not in known and leading_number(row[3]) is not None:
                    known[w] = leading_number(row[3])
                if w not in effects and leading_number(row[1]) is not None:
                    effects[w] = leading_number(row[1])
        found_n = _difference(
            "estimate", waves, total, known, k, "volunteers in the estimate: total minus cells"
        )
        findings += found_n
        weights = dict(known)
        for f in found_n:
            weights[f.wave] = f.value
        missing = [w for w in waves if w not in effects]
        if (
            overall is not None
            and len(missing) == 1
            and all(w in weights for w in waves)
            and weights[missing[0]] > 0
        ):
            u = missing[0]
            solved = (
                overall * sum(weights.values())
                - sum(weights[w] * effects[w] for w in waves if w != u)
            ) / weights[u]
            findings.append(
                Finding(
                    "weighted_mean", u, solved, "overall effect as a mean weighted by volunteers"
                )
            )

    # homogeneous hidden departments in each wave report
    for w, rep in wave_reports.items():
        m = re.search(r"([\d,]+) of ([\d,]+) volunteers \([\d.]+%\) have posted", rep.text)
        found = _table(rep, "department", "posted at least once")
        if m is None or found is None:
            continue
        active, size = (float(g.replace(",", "")) for g in m.groups())
        headers, rows = found
        shown_n = shown_x = 0.0
        for row in rows:
            n, share = number(row[1]), row[2].rstrip("%")
            if n is not None and number(share) is not None:
                shown_n += n
                shown_x += round(n * number(share) / 100)
        hidden_n, hidden_x = size - shown_n, active - shown_x
        if hidden_n > 0 and hidden_x in (0, hidden_n):
            findings.append(
                Finding(
                    "homogeneous",
                    w,
                    hidden_x / hidden_n,
                    f"the {hidden_n:.0f} people of hidden departments all share one value",
                )
            )
    return findings
