"""Real-browser checks of the COMEX reports, in headless Chromium (Debian's package).

For each language: every image loads, no code cell, parameter cell or Python
traceback is visible, the claims scorecard is in the first screen, the page
makes no network request at all and breaks no rule of its Content-Security-
Policy, and the PDF export works, with JavaScript off. A first-screen
screenshot is kept in ``reports/browser-test/``.
Where Chromium cannot be found, the tests fail and say how to install it:
they never pass silently.
"""

from __future__ import annotations


import pytest

from advocacy_eval.paths import PROJECT_ROOT
from advocacy_eval.publish.runner import (
    chromium_flags,
    chromium_sandbox_available,
    find_chromium,
    html_to_pdf,
    pdf_page_count,
    run_wave_report,
)

ARTIFACTS = PROJECT_ROOT / "reports" / "browser-test"
VIEWPORT = {"width": 1280, "height": 800}


def _chromium() -> str:
    path = find_chromium()
    assert path, ("Chromium is not installed, so the real-browser test cannot run: install it with "
                  "`make browser` (Debian: apt-get install chromium) or set ADVOCACY_EVAL_CHROMIUM")
    return path


@pytest.fixture(scope="module")
def reports(tmp_path_factory, sample_dir):
    _chromium()
    out = tmp_path_factory.mktemp("browser")
    return {lang: run_wave_report(sample_dir, "W2", out / lang, lang=lang, pdf=True) for lang in ("en", "fr")}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        args = [f for f in chromium_flags(printing=False) if f not in ("--headless", "--no-sandbox")]
        b = p.chromium.launch(executable_path=_chromium(), args=args, chromium_sandbox=chromium_sandbox_available())
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_in_a_real_browser(reports, browser, lang):
    result = reports[lang]
    page = browser.new_page(viewport=VIEWPORT)
    requests: list[str] = []
    console: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    url = result.html.resolve().as_uri()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert [u for u in requests if u != url and not u.startswith("data:")] == [], "the report called out"
    assert requests.count(url) == 1
    assert not [m for m in console if "Content Security Policy" in m or "Refused to" in m or "pageerror" in m], console
    assert page.evaluate("document.scripts.length") == 0
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert len(images) >= 3 and all(done and width > 0 for done, width in images), images
    text = page.inner_text("body")
    for forbidden in ("Traceback", "import ", "wave_summary(", "data_dir:", "min_group_size:", "In [", "Out["):
        assert forbidden not in text, forbidden
    assert page.locator(".jp-InputArea").count() == 0
    heading = "Claims scorecard" if lang == "en" else "Tableau des affirmations"
    box = page.get_by_text(heading, exact=True).bounding_box()
    table = page.locator("table").first.bounding_box()
    assert box and box["y"] < VIEWPORT["height"], "scorecard heading not in the first screen"
    assert table and table["y"] + table["height"] <= VIEWPORT["height"], "scorecard not in the first screen"
    assert ("SUPPORTED" in text or "INCONCLUSIVE" in text) if lang == "en" else ("NON TRANCHÉE" in text or "CONFIRMÉE" in text)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"W2-{lang}-first-screen.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    page.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_export(reports, lang):
    pdf = reports[lang].pdf
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-"
    pages = pdf_page_count(pdf)
    assert 3 <= pages <= 12, pages
    (ARTIFACTS).mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"W2-{lang}.pages.txt").write_text(f"{pages}\n", encoding="utf-8")


def test_pdf_is_printed_with_javascript_off(tmp_path):
    """A page whose script would add four pages prints as one: Chromium ran no JavaScript (and no CSP needed)."""
    _chromium()
    page = tmp_path / "scripted.html"
    page.write_text("<html><body><p>one page</p><script>for (let i = 0; i < 4; i++) { const d = "
                    "document.createElement('div'); d.style.breakBefore = 'page'; d.textContent = 'page ' + i; "
                    "document.body.appendChild(d); }</script></body></html>", encoding="utf-8")
    assert pdf_page_count(html_to_pdf(page, tmp_path / "scripted.pdf")) == 1
