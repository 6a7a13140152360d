"""Typography engine (French and English) and the French typography of every published French report."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, NavigableString

from advocacy_eval.reports.typography import (
    APOSTROPHE,
    MINUS,
    NBSP,
    NNBSP,
    WORD_JOINER,
    fold,
    typeset,
    typeset_html,
    violations,
)

FR_CASES = [
    # (raw, typeset) — French
    ("Lecture : la bande", f"Lecture{NNBSP}: la bande"),
    ("a ; b ! c ?", f"a{NNBSP}; b{NNBSP}! c{NNBSP}?"),
    ("Pourquoi? Parce que!", f"Pourquoi{NNBSP}? Parce que{NNBSP}!"),
    ("95 %", f"95{NNBSP}%"),
    ("95%", f"95{NNBSP}%"),
    ("« 4,0x »", f"«{NNBSP}4,0x{NNBSP}»"),
    ("«4,0x»", f"«{NNBSP}4,0x{NNBSP}»"),
    ("1 234 567", f"1{NNBSP}234{NNBSP}567"),
    ("12,4 pts", f"12,4{NBSP}pts"),
    ("dans les 3 mois", f"dans les 3{NBSP}mois"),
    ("250 personnes", "250 personnes"),  # a count and its noun: an ordinary space
    ("l'inscription", f"l{APOSTROPHE}inscription"),
    ("écart -4,0", f"écart {MINUS}4,0"),
    ("[-4,0 ; 11,6]", f"[{MINUS}4,0{NNBSP}; 11,6]"),
    ("du 1 déc. 2024", f"du 1er{NBSP}déc. 2024"),
    ("p = < 0,001", "p < 0,001"),
    ("0,93–1,29", f"0,93–{WORD_JOINER}1,29"),
    # left alone: times, ISO months, identifiers, a verdict symbol after a comma
    ("09:12 UTC", "09:12 UTC"),
    ("W1 (2024-07)", "W1 (2024-07)"),
    ("SHA-256", "SHA-256"),
    ("✗ contredite, ? non tranchée", "✗ contredite, ? non tranchée"),
]

EN_CASES = [
    ("Read: the band", "Read: the band"),
    ("Read : the band", "Read: the band"),
    ("3.6 %", "3.6%"),
    ("the page's rate", f"the page{APOSTROPHE}s rate"),
    ("volunteers' posts", f"volunteers{APOSTROPHE} posts"),
    ("change -0.41x", f"change {MINUS}0.41x"),
    ("p = < 0.001", "p < 0.001"),
    ("+3.0 pts", f"+3.0{NBSP}pts"),
    ("4,995 posts", "4,995 posts"),
]


@pytest.mark.parametrize("raw, expected", FR_CASES)
def test_french_rules(raw, expected):
    assert typeset(raw, "fr") == expected
    assert typeset(expected, "fr") == expected  # idempotent
    assert violations(expected, "fr") == []


@pytest.mark.parametrize("raw, expected", EN_CASES)
def test_english_rules(raw, expected):
    assert typeset(raw, "en") == expected
    assert typeset(expected, "en") == expected


def test_violations_name_each_broken_rule():
    found = " | ".join(
        violations("Taux : 95 % de l'effectif, soit 1 234 personnes ; écart -4,0 du 1 déc.", "fr")
    )
    for rule in (
        "space before : ; ! ? not narrow",
        "% without a narrow",
        "straight apostrophe",
        "thousands separated by an ordinary space",
        "hyphen used as a minus sign",
        "without 1er",
    ):
        assert rule in found, rule
    for wording in (
        "Estimation 2x2 moyenne",
        "p-valeur 0,000",
        "l'affirmation est ni contredite ni démontrée",
        "Wave 2 — extension",
        "NON TRANCHÉE",
        "intégration",
        "(reactions + comments)",
    ):
        assert violations(wording, "fr"), wording
    assert violations("La portée : 3.6 %", "fr")  # a decimal point in French
    assert (
        violations(typeset("Programme — Vague 2 — extension : 3,6 %, 1 234 personnes", "fr"), "fr")
        == []
    )


def test_typeset_html_leaves_code_and_styles_and_typesets_descriptions():
    html = (
        '<html><head><style>a::before { content: "x : y"; }</style><title>Taux : 3 %</title></head>'
        '<body><p>Taux : 3 %</p><code>a : b</code><img alt="Taux : 3 %" src="data:image/svg+xml;base64,AA">'
        "<td>0,93–1,29</td></body></html>"
    )
    out = BeautifulSoup(typeset_html(html, "fr"), "html.parser")
    assert (
        out.p.get_text() == f"Taux{NNBSP}: 3{NNBSP}%"
        and out.title.get_text() == f"Taux{NNBSP}: 3{NNBSP}%"
    )
    assert out.code.get_text() == "a : b" and 'content: "x : y"' in out.style.get_text()
    assert out.img["alt"] == f"Taux{NNBSP}: 3{NNBSP}%"
    assert out.td.get_text() == f"0,93–{WORD_JOINER}1,29"


def test_fold_gives_back_what_the_leak_guard_looks_for():
    assert fold(typeset("O'Brien : -4,0 %…", "fr")) == "O'Brien : -4,0 %..."


def test_figure_axes_use_the_report_number_format():
    import matplotlib.pyplot as plt

    from advocacy_eval.reports.figures import NumberFormatter

    for lang, expected in (
        ("fr", ["−0,5", "0,0", "0,5", "1,0"]),
        ("en", ["−0.5", "0.0", "0.5", "1.0"]),
    ):
        formatter = NumberFormatter(lang)
        assert formatter.format_ticks([-0.5, 0.0, 0.5, 1.0]) == expected
    assert NumberFormatter("fr", scale=100).format_ticks([0.0, 0.25, 0.5]) == ["0", "25", "50"]
    plt.close("all")


def _text_nodes(html: str) -> list[str]:
    """Every text a reader sees in a published report: text nodes (not code or styles), titles, descriptions."""
    soup = BeautifulSoup(html, "html.parser")
    texts = [
        str(n)
        for n in soup.body.find_all(string=True)
        if type(n) is NavigableString
        and str(n).strip()
        and not any(p.name in ("style", "script", "code", "pre") for p in n.parents)
    ]
    texts += [img.get("alt", "") for img in soup.find_all("img")] + [soup.title.get_text()]
    return texts


@pytest.mark.parametrize("report", ["W1", "W2", "W3", "programme"])
def test_every_french_report_follows_french_typography(published_reports, report):
    result = published_reports[("fr", report)]
    html = result.html.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    problems = [v for text in _text_nodes(html) for v in violations(text, "fr")]
    assert problems == [], "\n".join(problems[:30])
    text = " ".join(_text_nodes(html))
    assert "1er déc." in text.replace(NBSP, " ") or report != "W2"  # W2 enrolled from 1 Dec
    assert "Confidentiel — usage interne" in html  # the print footer, in French


@pytest.mark.parametrize("report", ["W2", "programme"])
def test_english_reports_are_typeset_in_english(published_reports, report):
    html = published_reports[("en", report)].html.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Confidential — internal use" in html
    problems = [v for text in _text_nodes(html) for v in violations(text, "en")]
    assert problems == [], "\n".join(problems[:30])
