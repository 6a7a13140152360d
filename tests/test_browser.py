"""Real-browser checks of the COMEX reports, in headless Chromium (Debian's package).

For each language: every image loads, no code cell, parameter cell or Python
traceback is visible, the claims scorecard is in the first screen, and the PDF
export works. A first-screen screenshot is kept in ``reports/browser-test/``.
Where Chromium cannot be found, the tests fail and say how to install it:
they never pass silently.
"""

from __future__ import annotations


import pytest

from advocacy_eval.paths import PROJECT_ROOT
from advocacy_eval.publish.runner import CHROMIUM_FLAGS, find_chromium, pdf_page_count, run_wave_report

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
        b = p.chromium.launch(executable_path=_chromium(), args=[f for f in CHROMIUM_FLAGS if f != "--headless"])
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_report_in_a_real_browser(reports, browser, lang):
    result = reports[lang]
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(result.html.resolve().as_uri())
    page.wait_for_load_state("load")
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
