"""Typography of the reports, French and English, in one place.

Every text a reader sees goes through :func:`typeset`: the exported HTML
(text nodes and image descriptions, :func:`typeset_html`, applied by the
publishing step to the whole page), the figures' labels and the page
footer. Number formats themselves (decimal comma, thousands separator) come
from :mod:`advocacy_eval.reports.i18n`; this module places the spaces and
characters around them.

French (Imprimerie nationale conventions, as the issue asks):

- a narrow no-break space (U+202F) before ``: ; ! ?`` and ``%``, and inside
  guillemets (``«\u202fx\u202f»``);
- a narrow no-break space between thousands (``1\u202f234``) and a no-break
  space (U+00A0) between a number and its unit (``12,4\u00a0pts``, ``3\u00a0mois``);
- ``1er`` for the first day of a month;
- typographic apostrophes (``l’inscription``) and true minus signs (``−4,0``).

Both languages: an interval is not broken at its dash (a word joiner follows
the en dash of ``3,6–4,6``).

English: no space before ``: ;`` and ``%``, typographic apostrophes, true
minus signs, a no-break space between a number and its unit.

Both: ``p = < 0.001`` is written ``p < 0.001``; ``...`` becomes ``…``.

:func:`violations` lists what breaks these rules in a text (the French
typography test runs it on every text node of every French report);
:func:`fold` maps the typographic characters back to ASCII (the leak guard
searches both forms, so that typography never hides an identifier).
"""

from __future__ import annotations

import re

NNBSP = "\u202f"
"""Narrow no-break space: before ``: ; ! ? %`` in French, inside guillemets, between thousands."""

NBSP = "\u00a0"
"""No-break space: between a number and its unit."""

MINUS = "\u2212"
"""Minus sign (the hyphen-minus ``-`` is a hyphen)."""

APOSTROPHE = "\u2019"
"""Typographic apostrophe."""

WORD_JOINER = "\u2060"
"""Invisible character that forbids a line break: placed after the en dash of an interval (``3,6–4,6``)."""

LANGS: tuple[str, ...] = ("en", "fr")
"""Languages with typographic rules."""

_FR_MONTHS = r"(?:janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.|janvier|février|avril|juillet|septembre|octobre|novembre|décembre)"

# --------------------------------------------------------------------------- rules shared by both languages
_APOSTROPHE = re.compile(r"'")
_ELLIPSIS = re.compile(r"\.\.\.")
_MINUS = re.compile(r"(?<![\w.,\-\u2212/])-(?=\d)")
_P_EQUALS_LESS = re.compile(r"=\s*<\s*")
_UNITS = r"(?:pts?|points?|mois|months?|jours?|days?|semaines?|weeks?|ans|years?|h|min|k?€|M€|Mo|Go|ko|KB|MB|GB)"
"""Units written after a number (``%`` has its own rule; multiples are written ``4x``, without a space)."""
_NUMBER_UNIT = re.compile(r"(?<=\d)[ ](?=" + _UNITS + r"(?![\w]))")
_INTERVAL_DASH = re.compile(r"(?<=[\dx%])–(?![\u2060\s])(?=[\d\u2212+])")

# --------------------------------------------------------------------------- French
_FR_SPACE_BEFORE = re.compile(r"(?<=[^\s,;:(\[«])[ \u00a0]+(?=[;:!?](?:\s|$|[»)\]\u202f\u00a0]))")
_FR_NO_SPACE_BEFORE = re.compile(
    r"(?<=[^\s\d\u202f\u00a0(\[«])(?=[;:!?](?:\s|$))|(?<=\d)(?=[;!?](?:\s|$))"
)
_FR_PERCENT = re.compile(r"(?<=\d)[ \u00a0]?%")
_FR_OPEN_QUOTE = re.compile(r"«[ \u00a0]*(?!\u202f)")
_FR_CLOSE_QUOTE = re.compile(r"(?<!\u202f)[ \u00a0]*»")
_FR_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})[ \u00a0](?=\d{3}(?!\d))")
_FR_THOUSANDS_NEXT = re.compile(r"(?<=\d\u202f\d{3})[ \u00a0](?=\d{3}(?!\d))")
_FR_FIRST = re.compile(r"(?<![\d,.])\b1[ \u00a0](?=" + _FR_MONTHS + r")")

# --------------------------------------------------------------------------- English
_EN_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]+(?=[;:](?:\s|$))")
_EN_PERCENT = re.compile(r"(?<=\d)[ \u00a0\u202f]%")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it has typographic rules, else raise a clear error."""
    if lang not in LANGS:
        raise ValueError(f"unsupported report language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def typeset(text: str, lang: str) -> str:
    """Apply the typographic rules of ``lang`` to a plain text (idempotent).

    Parameters
    ----------
    text : str
        Plain text (not Markdown, not HTML: for a page use :func:`typeset_html`).
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str

    Examples
    --------
    >>> typeset("Taux : 95 % de l'effectif, soit 1 234 personnes en 3 mois ; écart -4,0 pts", "fr") == (
    ...     "Taux\u202f: 95\u202f% de l’effectif, soit 1\u202f234 personnes en 3\u00a0mois\u202f; écart \u22124,0\u00a0pts")
    True
    >>> typeset("The page's rate : 3.6 %, p = < 0.001", "en")
    'The page’s rate: 3.6%, p < 0.001'
    """
    check_lang(lang)
    if not text:
        return text
    text = _APOSTROPHE.sub(APOSTROPHE, text)
    text = _ELLIPSIS.sub("…", text)
    text = _MINUS.sub(MINUS, text)
    text = _P_EQUALS_LESS.sub("< ", text)
    if lang == "fr":
        text = _FR_FIRST.sub("1er" + NBSP, text)
        text = _FR_THOUSANDS.sub(lambda m: m.group(1) + NNBSP, text)
        while True:
            joined = _FR_THOUSANDS_NEXT.sub(NNBSP, text)
            if joined == text:
                break
            text = joined
        text = _FR_PERCENT.sub(NNBSP + "%", text)
        text = _FR_OPEN_QUOTE.sub("«" + NNBSP, text)
        text = _FR_CLOSE_QUOTE.sub(NNBSP + "»", text)
        text = _FR_SPACE_BEFORE.sub(NNBSP, text)
        text = _FR_NO_SPACE_BEFORE.sub(NNBSP, text)
    else:
        text = _EN_PERCENT.sub("%", text)
        text = _EN_SPACE_BEFORE.sub("", text)
    text = _INTERVAL_DASH.sub("–" + WORD_JOINER, text)  # an interval is never broken at its dash
    return _NUMBER_UNIT.sub(NBSP, text)


_SKIPPED_ELEMENTS: frozenset[str] = frozenset(
    {"style", "script", "code", "pre", "kbd", "samp", "svg", "math"}
)
"""Elements whose text is code or markup, never typeset."""

_TEXT_ATTRIBUTES: tuple[str, ...] = ("alt", "title", "aria-label")
"""Attributes holding words a reader hears or sees."""


def typeset_html(html: str, lang: str) -> str:
    """Typeset every text node and image description of an HTML page or fragment.

    Text inside ``<style>``, ``<script>``, ``<code>``, ``<pre>``, ``<svg>``
    (and the like) is left as it is; ``alt``, ``title`` and ``aria-label``
    attributes are typeset. Markup is otherwise unchanged.

    Parameters
    ----------
    html : str
        The HTML.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
    """
    from bs4 import BeautifulSoup, Comment, Doctype, NavigableString

    check_lang(lang)
    soup = BeautifulSoup(html, "html.parser")
    for node in list(soup.find_all(string=True)):
        if isinstance(node, (Comment, Doctype)) or type(node) is not NavigableString:
            continue  # comments, doctype, and the raw text of <style> and <script>
        if any(parent.name in _SKIPPED_ELEMENTS for parent in node.parents):
            continue
        new = typeset(str(node), lang)
        if new != node:
            node.replace_with(new)
    for tag in soup.find_all(True):
        if tag.name in _SKIPPED_ELEMENTS:
            continue
        for attribute in _TEXT_ATTRIBUTES:
            value = tag.get(attribute)
            if isinstance(value, str) and value:
                tag[attribute] = typeset(value, lang).replace(
                    WORD_JOINER, ""
                )  # read aloud, never wrapped
    return str(soup)


def fold(text: str) -> str:
    """The text with its typographic characters back in ASCII (spaces, apostrophes, minus signs, ellipses).

    Used by the leak guard: an identifier typeset in a report (``O’Brien``)
    is still found (``O'Brien``).

    Examples
    --------
    >>> fold("l’effectif\u202f: \u22124,0\u00a0pts…")
    "l'effectif : -4,0 pts..."
    """
    return (
        text.replace(NNBSP, " ")
        .replace(NBSP, " ")
        .replace(APOSTROPHE, "'")
        .replace(MINUS, "-")
        .replace("…", "...")
        .replace(WORD_JOINER, "")
    )


# --------------------------------------------------------------------------- checking a rendered report

_ENGLISH_IN_FRENCH: tuple[str, ...] = (
    "Wave ",
    " the ",
    " and ",
    " of ",
    "supported",
    "contradicted",
    "inconclusive",
    "reactions",
    "comments",
    "reposts",
    "clicks",
    "posts independent",
    "Read:",
    "Month",
    " per ",
    "claim",
    "target",
)
"""English words that must not appear in a French report's text (data values aside)."""

_FORBIDDEN_WORDING: dict[str, tuple[str, ...]] = {
    "fr": (
        "intégration",
        "Estimation 2x2",
        "2x2",
        "0,000",
        "= <",
        " est ni ",
        "NON TRANCHÉE",
        "CONFIRMÉE",
        "CONTREDITE",
        "ni contredite",
        "ni confirmée",
        "ni démontrée",
        "ni exclue",
        "Non tranchées par",
    ),
    "en": (
        "2x2",
        "0.000",
        "= <",
        "NOT SETTLED",
        "SUPPORTED",
        "CONTRADICTED",
        "INCONCLUSIVE",
        "Not settled by",
    ),
}
"""Wording the reports must not use: p-values of 0, one verdict worded several ways, "2x2", "intégration"."""

_VIOLATIONS_FR: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("straight apostrophe", re.compile(r"'")),
    ("straight double quote", re.compile(r'"')),
    (
        "space before : ; ! ? not narrow and no-break",
        re.compile(r"(?<=[^\s,;:(\[«])[ \u00a0][;:!?](?:\s|$)"),
    ),
    ("no space before ; ! ?", re.compile(r"(?<=[^\s\u202f\u00a0(\[«])[;!?](?:\s|$)")),
    ("no space before :", re.compile(r"(?<=[^\s\d\u202f\u00a0(\[«]):(?:\s|$)")),
    ("% without a narrow no-break space", re.compile(r"\d[ \u00a0]?%")),
    ("« without a narrow no-break space", re.compile(r"«(?!\u202f)")),
    ("» without a narrow no-break space", re.compile(r"(?<!\u202f)»")),
    (
        "thousands separated by an ordinary space",
        re.compile(r"(?<![\d.,])\d{1,3}[ \u00a0]\d{3}(?!\d)"),
    ),
    ("hyphen used as a minus sign", re.compile(r"(?:^|[\s(\[;:=])-\d")),
    ("ordinary space between a number and its unit", re.compile(r"\d (?=" + _UNITS + r"(?!\w))")),
    ("first day of a month without 1er", re.compile(r"(?<![\d,.])\b1[ \u00a0]" + _FR_MONTHS)),
    ("decimal point in a French number", re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")),
)

_VIOLATIONS_EN: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("straight apostrophe", re.compile(r"'")),
    ("space before : or ;", re.compile(r"[ \u00a0\u202f][;:](?:\s|$)")),
    ("space before %", re.compile(r"\d[ \u00a0\u202f]%")),
    ("hyphen used as a minus sign", re.compile(r"(?:^|[\s(\[;:=])-\d")),
    ("ordinary space between a number and its unit", re.compile(r"\d (?=" + _UNITS + r"(?!\w))")),
)


def violations(text: str, lang: str) -> list[str]:
    """What in a rendered text breaks the typographic and wording rules of ``lang``.

    Parameters
    ----------
    text : str
        One text node of a rendered report (a cell, a paragraph, a heading,
        an image description); not code.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    list of str
        ``"<rule>: …<context>…"`` for each problem (empty when the text is clean).

    Examples
    --------
    >>> violations("Taux : 95 %", "fr")
    ['space before : ; ! ? not narrow and no-break: …Taux : 95 %…', '% without a narrow no-break space: …Taux : 95 %…']
    >>> violations("Taux\u202f: 95\u202f%", "fr")
    []
    """
    check_lang(lang)
    found = []
    rules = _VIOLATIONS_FR if lang == "fr" else _VIOLATIONS_EN
    for name, pattern in rules:
        for m in pattern.finditer(text):
            found.append(f"{name}: …{text[max(0, m.start() - 20) : m.end() + 20]}…")
    for word in _FORBIDDEN_WORDING[lang]:
        if word in text:
            found.append(f"wording {word!r}: …{text[:80]}…")
    if lang == "fr":
        padded = f" {text} "
        for word in _ENGLISH_IN_FRENCH:
            if word in padded:
                found.append(f"English in a French report ({word.strip()!r}): …{text[:80]}…")
    return found


__all__ = [
    "APOSTROPHE",
    "MINUS",
    "NBSP",
    "NNBSP",
    "WORD_JOINER",
    "check_lang",
    "fold",
    "typeset",
    "typeset_html",
    "violations",
]
