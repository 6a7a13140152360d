"""The Markdown tables of the documentation keep one cell per column in every row.

A row with more cells than its header renders with the extra cells dropped
(GitHub) or breaks the table; one such row, numbers appended to the wrong
table, sat in docs/scaling.md until the tenth pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = sorted(
    [*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / "benchmarks").glob("*.md")]
)
SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")


def _cells(line: str) -> int:
    """Cells of a table row: pipes not escaped and not inside inline code, minus the outer two."""
    text = re.sub(r"`[^`]*`", "code", line.strip()).replace(r"\|", "")
    return text.count("|") - 1


def tables(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """Each table as (line number of its header, [(line number, row), ...]) with the header first."""
    lines = text.splitlines()
    found: list[tuple[int, list[tuple[int, str]]]] = []
    in_code = False
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("```"):
            in_code = not in_code
        elif (
            not in_code
            and lines[i].lstrip().startswith("|")
            and i + 1 < len(lines)
            and SEPARATOR.match(lines[i + 1].strip())
        ):
            rows = [(i + 1, lines[i])]
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append((j + 1, lines[j]))
                j += 1
            found.append((i + 1, rows))
            i = j
            continue
        i += 1
    return found


def test_the_checker_sees_a_row_with_extra_cells() -> None:
    text = "x\n\n| a | b |\n| --- | --- |\n| 1 | `x|y` |\n| 1 | 2 | 3 |\n"
    [(header_line, rows)] = tables(text)
    assert header_line == 3
    assert [_cells(row) for _, row in rows] == [2, 2, 3]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_table_row_has_its_headers_cells(document: Path) -> None:
    wrong = [
        f"{document.name}:{number}: {_cells(row)} cells, header has {_cells(rows[0][1])}"
        for _, rows in tables(document.read_text(encoding="utf-8"))
        for number, row in rows
        if _cells(row) != _cells(rows[0][1])
    ]
    assert not wrong, "\n".join(wrong)
