"""The summary PDF of the small run, read back from its text layer (ja and en): every cell
of every table is drawn inside its page (nothing clipped), every row lies whole on one page,
and a table's header is repeated on every page it continues on.

weasyprint writes a page's text in document order (cell after cell, each cell's lines
together), so a page's characters without white space hold each row as the concatenation of
its cells, however its cells wrap; a row split between two pages is on neither whole."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from teichaku.report.summary import html_to_pdf, markdown_to_html_body

from .summaries import header_shown, markdown_tables, squeeze, summary_file

pytestmark = pytest.mark.slow


def _read_pages(pdf) -> list[dict]:
    """Each page's characters (white space left out) in the order they are written, those
    drawn outside the page, and whether the page is landscape."""
    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            chars = [c for c in page.chars if not c["text"].isspace()]
            pages.append(
                {
                    "text": "".join(c["text"] for c in chars),
                    "outside": [
                        c["text"]
                        for c in chars
                        if c["x0"] < -0.5
                        or c["x1"] > page.width + 0.5
                        or c["top"] < -0.5
                        or c["bottom"] > page.height + 0.5
                    ],
                    "landscape": page.width > page.height,
                }
            )
    return pages


@pytest.fixture(scope="module", params=["ja", "en"])
def summary_pdf(request, small_run_both):
    lang = request.param
    markdown = summary_file(small_run_both, lang, "md").read_text(encoding="utf-8")
    return lang, markdown_tables(markdown), _read_pages(summary_file(small_run_both, lang, "pdf"))


def test_no_text_is_drawn_outside_its_page(summary_pdf):
    lang, _, pages = summary_pdf
    outside = {i + 1: "".join(p["outside"]) for i, p in enumerate(pages) if p["outside"]}
    assert outside == {}, f"{lang}: text off the page (page: characters)"


def _locate(tables: list[dict], pages: list[dict]) -> list[list[tuple]]:
    """Each row of each table found in the document, in order: (row, first page, last page),
    the pages None when the row is not there whole. A row of numbers is looked for after the
    row before it; a row of a label alone (which the prose may repeat) as the last
    occurrence before the next row of numbers."""
    starts, text = [], ""
    for page in pages:
        starts.append(len(text))
        text += page["text"]

    def page_of(pos: int) -> int:
        return max(i for i, s in enumerate(starts) if s <= pos)

    cursor, found = 0, []
    for table in tables:
        keys = ["".join(map(squeeze, row)) for row in table["rows"]]
        numbers = [sum(map(bool, row)) > 1 for row in table["rows"]]
        spans: list[tuple[int, int] | None] = [None] * len(keys)
        for i, key in enumerate(keys):  # the rows of numbers, in order
            if numbers[i] and (pos := text.find(key, cursor)) >= 0:
                spans[i] = (pos, pos + len(key))
                cursor = pos + len(key)
        for i, key in enumerate(keys):  # the rows of a label, between their neighbours
            if numbers[i] or not key:
                continue
            before = max([s[1] for s in spans[:i] if s] + [0])
            after = min([s[0] for s in spans[i + 1 :] if s] + [cursor])
            if (pos := text.rfind(key, before, after)) >= 0:
                spans[i] = (pos, pos + len(key))
        found.append(
            [
                (row, page_of(s[0]), page_of(s[1] - 1)) if s else (row, None, None)
                for row, s in zip(table["rows"], spans, strict=True)
            ]
        )
    return found


def test_every_row_of_every_table_is_whole_on_one_page(summary_pdf):
    lang, tables, pages = summary_pdf
    assert len(tables) >= 7
    located = _locate(tables, pages)
    missing = [
        (n, row[0], row[1:4], first, last)
        for n, rows in enumerate(located, start=1)
        for row, first, last in rows
        if first is None or first != last
    ]
    assert missing == [], f"{lang}: rows not whole on one page (table, label, cells, pages)"


def test_every_header_cell_is_on_every_page_its_table_continues_on(summary_pdf):
    lang, tables, pages = summary_pdf
    absent = []
    for n, (table, rows) in enumerate(zip(tables, _locate(tables, pages), strict=True), 1):
        on = sorted({first for _, first, _ in rows if first is not None})
        assert on, f"{lang}: table {n} ({table['header'][:2]}) is on no page"
        for i in on:
            text = pages[i]["text"]
            absent += [(n, i + 1, c) for c in table["header"] if not header_shown(c, text)]
    assert absent == [], f"{lang}: header cells missing (table, page, header)"


def test_the_widest_table_is_on_landscape_pages(summary_pdf):
    """Table 3 (18 columns of counts) does not fit a portrait page."""
    lang, tables, pages = summary_pdf
    widest = max(range(len(tables)), key=lambda n: len(tables[n]["header"]))
    on = {first for _, first, _ in _locate(tables, pages)[widest] if first is not None}
    assert on and all(pages[i]["landscape"] for i in on), lang


def test_the_checks_catch_a_split_row_and_a_clipped_table():
    """A row of wrapped cells that does not fit what is left of a page splits unless rows
    are ``break-inside: avoid`` (which weasyprint honours); a table of unbreakable cells
    wider than the page runs off it."""
    words = {i: " ".join(["word"] * (40 if i == 30 else 3)) for i in range(60)}
    rows = [f"| label {i} | {text} | {i} |" for i, text in words.items()]
    markdown = "| Item | Text | n |\n| :-- | :-- | --: |\n" + "\n".join(rows) + "\n"
    css = "@page { size: A6; margin: 10mm } td { font-size: 9pt }"

    def not_whole(extra_css: str) -> list[str]:
        document = f"<style>{css} {extra_css}</style>{markdown_to_html_body(markdown, '.')}"
        pages = _read_pages(io.BytesIO(html_to_pdf(document)))
        located = _locate(markdown_tables(markdown), pages)[0]
        return [row[0] for row, first, last in located if first is None or first != last]

    assert not_whole("") == ["label 30"]
    assert not_whole("tr { break-inside: avoid }") == []

    wide = "| " + " | ".join(f"column{i:02d}" for i in range(30)) + " |\n"
    wide += "|" + " --: |" * 30 + "\n| " + " | ".join("1234567" for _ in range(30)) + " |\n"
    document = f"<style>{css} td, th {{ white-space: nowrap }}</style>"
    document += markdown_to_html_body(wide, ".")
    assert any(p["outside"] for p in _read_pages(io.BytesIO(html_to_pdf(document))))
