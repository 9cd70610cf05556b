"""summary.html (ja and en, of the small run) opened in headless Chromium: every cell of
every table is in the rendered text, nothing reaches past the window's width or scrolls
sideways, the embedded Japanese font is the one used, and a screenshot is not blank.

Where Chromium is missing these tests skip, except in CI, where they fail (tests/integration/
browser.py; .ci/run installs Debian's chromium and sets TEICHAKU_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import pytest
from PIL import Image, ImageStat

from . import browser
from .summaries import header_shown, markdown_tables, squeeze, summary_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium() -> str:
    return browser.require_chromium()


@pytest.fixture(scope="module", params=["ja", "en"])
def rendered(request, chromium, small_run_both, tmp_path_factory):
    lang = request.param
    page = summary_file(small_run_both, lang, "html")
    workdir = tmp_path_factory.mktemp(f"browser_{lang}")
    return lang, page, browser.probe(chromium, page, workdir), workdir


def test_every_cell_of_every_table_is_in_the_rendered_text(rendered, small_run_both):
    lang, _, dom, _ = rendered
    text = squeeze(dom["text"])
    markdown = summary_file(small_run_both, lang, "md").read_text(encoding="utf-8")
    tables = markdown_tables(markdown)
    assert len(tables) >= 7
    missing = [
        (n, row[:3])
        for n, table in enumerate(tables, start=1)
        for row in table["rows"]
        if "".join(map(squeeze, row)) not in text
    ]
    missing += [
        (n, cell)
        for n, table in enumerate(tables, start=1)
        for cell in table["header"]
        if not header_shown(cell, text)
    ]
    assert missing == [], f"{lang}: table rows or headers not rendered (table, cells)"


def test_no_element_is_wider_than_the_page(rendered):
    lang, _, dom, _ = rendered
    assert dom["scrollWidth"] <= dom["width"], lang
    assert dom["overflowing"] == [], lang


def test_the_embedded_japanese_font_is_loaded_and_used(rendered):
    lang, _, dom, _ = rendered
    assert ["IPAexGothic", "loaded"] in dom["fonts"], f"{lang}: {dom['fonts']}"
    assert dom["rendersIPAex"] is True, lang


def test_a_screenshot_is_not_blank(rendered, chromium):
    lang, page, _, workdir = rendered
    png = browser.screenshot(chromium, page, workdir / f"summary.{lang}.png")
    image = Image.open(png).convert("L")
    assert image.size == (1280, 2400)
    dark = sum(image.histogram()[:128]) / (image.size[0] * image.size[1])
    assert 0.005 < dark < 0.5, f"{lang}: {dark:.4f} of the pixels dark"
    assert ImageStat.Stat(image).stddev[0] > 10


@pytest.mark.parametrize(
    ("env", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"TEICHAKU_REQUIRE_BROWSER": "1"}, pytest.fail.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
    ],
)
def test_without_chromium_the_browser_tests_skip_except_in_ci(monkeypatch, env, outcome):
    monkeypatch.delenv("TEICHAKU_REQUIRE_BROWSER", raising=False)
    monkeypatch.delenv("CI", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(browser, "_find", lambda: None)
    with pytest.raises(outcome, match="Chromium not found"):
        browser.require_chromium()
