"""Real-browser checks of the COMEX reports, in headless Chromium (Debian's package), and of their PDFs.

Every report of the sample (each wave and the programme), in both languages,
is opened at laptop width (1440 px) and phone width (390 px): no request
leaves the page, no script and no Content-Security-Policy complaint, every
image loads and carries a description of what it shows, ``<html lang>`` is
the report's language, nothing overflows sideways on the phone (wide tables
scroll inside their own box), and the claims scorecard is on the first
screen. First-screen screenshots are kept in ``reports/browser-test/``.

Every PDF is then read back with pypdf: A4 pages, each with the running
footer (title, date, confidentiality, ``page X / Y``), the title and
language in its metadata, the title, summary box and scorecard on the first
page, and no table or figure split across two pages, no heading left at the
bottom of a page: checked from the PDF's text, whose order is the page's.
Page counts are written to ``reports/browser-test/<report>-<lang>.pages.txt``.

Where Chromium cannot be found, the tests fail and say how to install it:
they never pass silently.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from bs4 import BeautifulSoup, NavigableString

from advocacy_eval.paths import PROJECT_ROOT
from advocacy_eval.publish.runner import (
    chromium_flags,
    chromium_sandbox_available,
    find_chromium,
    html_to_pdf,
    pdf_page_count,
)
from advocacy_eval.reports.i18n import t
from advocacy_eval.reports.typography import typeset

ARTIFACTS = PROJECT_ROOT / "reports" / "browser-test"
VIEWPORTS = {"laptop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
REPORTS = ("W1", "W2", "W3", "programme")
NO_DESCRIPTION = "No description has been provided for this image"


def _chromium() -> str:
    path = find_chromium()
    assert path, (
        "Chromium is not installed, so the real-browser test cannot run: install it with "
        "`make browser` (Debian: apt-get install chromium) or set ADVOCACY_EVAL_CHROMIUM"
    )
    return path


@pytest.fixture(scope="module")
def reports(published_reports):
    _chromium()
    return published_reports


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        args = [
            f for f in chromium_flags(printing=False) if f not in ("--headless", "--no-sandbox")
        ]
        b = p.chromium.launch(
            executable_path=_chromium(), args=args, chromium_sandbox=chromium_sandbox_available()
        )
        yield b
        b.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_in_a_real_browser(reports, browser, lang, report, device):
    result = reports[(lang, report)]
    viewport = VIEWPORTS[device]
    page = browser.new_page(viewport=viewport)
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    url = result.html.resolve().as_uri()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # calls nobody, runs nothing
    assert [u for u in requests if u != url and not u.startswith("data:")] == [], (
        "the report called out"
    )
    assert requests.count(url) == 1
    assert not [
        m
        for m in console
        if "Content Security Policy" in m or "Refused to" in m or "pageerror" in m
    ], console
    assert page.evaluate("document.scripts.length") == 0
    # the report's language
    assert page.evaluate("document.documentElement.lang") == lang
    # every image loads, as vector SVG, and says what it shows
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt, "
        "i.getAttribute('src').slice(0, 26)])"
    )
    assert len(images) >= 3, images
    for done, width, alt, src in images:
        assert done and width > 0, (alt, src)
        assert src == "data:image/svg+xml;base64,"
        assert alt and alt != NO_DESCRIPTION and len(alt) > 30 and re.search(r"\d", alt), alt
    # no code, no parameters, no traceback
    text = page.inner_text("body")
    for forbidden in (
        "Traceback",
        "import ",
        "wave_summary(",
        "data_dir:",
        "min_group_size:",
        "In [",
        "Out[",
    ):
        assert forbidden not in text, forbidden
    assert page.locator(".jp-InputArea").count() == 0
    # nothing overflows sideways: wide tables scroll inside their own box
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px of horizontal scrolling at {viewport['width']} px"
    sticking_out = page.evaluate("""() => Array.from(document.querySelectorAll('main *'))
        .filter(e => !e.closest('.advocacy-table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className)""")
    assert sticking_out == [], sticking_out
    # the claims scorecard is on the first screen: its heading and verdicts (the box); on a laptop its table too
    heading = t("scorecard" if report != "programme" else "prog_scorecard", lang)
    box = page.get_by_role("heading", name=typeset(heading, lang), exact=True).bounding_box()
    assert box and box["y"] + box["height"] < viewport["height"], (
        "scorecard heading not in the first screen"
    )
    first_verdict = page.locator(".advocacy-box .verdict-item").first.bounding_box()
    assert first_verdict and first_verdict["y"] + first_verdict["height"] <= viewport["height"]
    assert page.locator(".advocacy-box .verdict-item").count() >= 8
    if device == "laptop":
        first_row = page.locator("table.advocacy-table tbody tr").first.bounding_box()
        assert first_row and first_row["y"] + first_row["height"] <= viewport["height"], (
            "scorecard table not visible"
        )
    # verdicts: one vocabulary, symbol and colour
    verdicts = {t(f"verdict_{v}", lang) for v in ("supported", "contradicted", "inconclusive")}
    cells = page.evaluate(
        "Array.from(document.querySelectorAll('td.verdict-cell')).map(c => [c.className, "
        "c.innerText, getComputedStyle(c).color])"
    )
    assert cells, "no verdict cell in the scorecard"
    for cls, cell_text, colour in cells:
        symbol, word = cell_text.split(" ", 1)
        assert symbol in "✓✗?" and word.split(" (")[0].lower() in verdicts, cell_text
        assert colour != "rgb(26, 26, 26)", (cls, colour)  # coloured, not body text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{report}-{lang}-{device}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


# ----------------------------------------------------------------------------- the PDF, read back as text


def _norm(text: str) -> str:
    """Text without white space (line breaks, spaces of every kind, word joiners), ligatures unfolded."""
    return re.sub(r"[\s\u2060\u00ad]+", "", unicodedata.normalize("NFKC", text))


def _offsets(main) -> dict[int, tuple[int, int]]:
    """Start and end offset, in the normalised text of ``main``, of each of its text nodes (by ``id``)."""
    found, position = {}, 0
    for node in main.find_all(string=True):
        if type(node) is not NavigableString or any(
            p.name in ("style", "script") for p in node.parents
        ):
            continue
        length = len(_norm(str(node)))
        found[id(node)] = (position, position + length)
        position += length
    return found


def _span(element, offsets) -> tuple[int, int] | None:
    nodes = [
        offsets[id(n)]
        for n in element.find_all(string=True)
        if id(n) in offsets and offsets[id(n)][1] > offsets[id(n)][0]
    ]
    return (nodes[0][0], nodes[-1][1]) if nodes else None


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_pages_footer_and_nothing_split(reports, lang, report):
    import pypdf

    result = reports[(lang, report)]
    pdf = result.pdf
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(pdf)
    n = len(reader.pages)
    assert n == pdf_page_count(pdf) and 3 <= n <= 12, n
    soup = BeautifulSoup(result.html.read_text(encoding="utf-8"), "html.parser")
    title = soup.find("h1").get_text(" ", strip=True)
    # metadata: title and language
    assert reader.metadata.get("/Title") == soup.title.get_text() == title
    assert str(reader.trailer["/Root"].get("/Lang")) == lang
    for page in reader.pages:  # A4 portrait
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, (width, height)
    # the running footer on every page: title, date, confidentiality, page X / Y
    confidential = _norm(typeset(t("footer_confidential", lang), lang))
    pages = []
    for i, page in enumerate(reader.pages, start=1):
        text = _norm(page.extract_text())
        label = _norm(f"{t('footer_page', lang)} {i} / {n}")
        assert text.startswith(label), (i, text[:80])
        footer = re.match(re.escape(label) + r"(.*?" + re.escape(confidential) + ")", text)
        assert (
            footer
            and _norm(typeset(title, lang)) in footer.group(1)
            and re.search(r"\d{4}", footer.group(1))
        ), (i, text[:160])
        pages.append(text[footer.end() :])
    # the body, page after page, is the page's own text in order: map each element to its pages
    main = soup.find("main")
    offsets = _offsets(main)
    body = "".join(pages)
    document = "".join(
        _norm(str(node)) for node in main.find_all(string=True) if id(node) in offsets
    )
    assert body == document, "the PDF's text is not the page's text"
    ends = [sum(len(p) for p in pages[: k + 1]) for k in range(n)]

    def page_of(position: int) -> int:
        return next(k for k, end in enumerate(ends) if position < end) + 1

    def same_page(element, what: str) -> None:
        span = _span(element, offsets)
        assert span is not None, what
        first, last = page_of(span[0]), page_of(span[1] - 1)
        assert first == last, (
            f"{what} split across pages {first} and {last}: {element.get_text(' ', strip=True)[:80]}"
        )

    tables, figures = soup.select("table.advocacy-table"), soup.select("figure.advocacy-figure")
    assert tables and len(figures) >= 3
    for table in tables:
        same_page(table, "table")
    for figure in figures:
        same_page(figure, "figure (title, image and caption)")
        assert figure.find("img")["alt"] not in ("", NO_DESCRIPTION)
    for heading in soup.select("main h2, main h3"):  # never alone at the bottom of a page
        span = _span(heading, offsets)
        assert span is not None and span[1] < len(document)
        assert page_of(span[0]) == page_of(span[1]), (
            f"heading left at the bottom of a page: {heading.get_text()}"
        )
    # the first page holds the title, the summary box and the (pooled) scorecard
    first_table = _span(tables[0], offsets)
    assert page_of(_span(soup.find("h1"), offsets)[0]) == 1
    assert page_of(_span(soup.select_one(".advocacy-box"), offsets)[1] - 1) == 1
    assert page_of(first_table[1] - 1) == 1, "the scorecard does not fit on the first page"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{report}-{lang}.pages.txt").write_text(f"{n}\n", encoding="utf-8")


def test_pdf_is_printed_with_javascript_off(tmp_path):
    """A page whose script would add four pages prints as one: Chromium ran no JavaScript (and no CSP needed)."""
    _chromium()
    page = tmp_path / "scripted.html"
    page.write_text(
        "<html><body><p>one page</p><script>for (let i = 0; i < 4; i++) { const d = "
        "document.createElement('div'); d.style.breakBefore = 'page'; d.textContent = 'page ' + i; "
        "document.body.appendChild(d); }</script></body></html>",
        encoding="utf-8",
    )
    assert pdf_page_count(html_to_pdf(page, tmp_path / "scripted.pdf")) == 1
