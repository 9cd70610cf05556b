"""The full-width indents of table cells (an item under its group's heading row) survive in
the HTML, the PDF and the Word document, which markdown-it would trim them from: the
report's own Tables 2 and 3 of the fixture data, each indented row read back from the
rendered HTML (class and padding), the PDF's text layer (x position) and the docx (paragraph
indent). The Markdown itself keeps its full-width spaces."""

from __future__ import annotations

import io
import re

import docx
import pdfplumber
import pytest
import report_fixtures as fx
from docx.shared import Pt

from teichaku.report import layout, tables, word
from teichaku.report.fonts import font_path
from teichaku.report.indents import cell_indents
from teichaku.report.summary import (
    STATISTIC_HEADERS,
    html_document,
    html_to_pdf,
    markdown_to_html_body,
    pdf_font_css,
    table_block,
)

INDENT = "\u3000"


def indented_rows(markdown: str) -> list[tuple[str, int]]:
    """(label, level) of every body row of a pipe table, read off the Markdown's lines: the
    first cell's leading full-width spaces (the labels hold no pipe)."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("| :--"):
            first = line[2:].split(" | ", 1)[0]
            out.append((first.lstrip(INDENT), len(first) - len(first.lstrip(INDENT))))
    return out[1:]  # the header row


@pytest.fixture(scope="module", params=["ja", "en"])
def report_tables(request):
    """The Markdown of the fixture data's Tables 2 (support) and 3 (barriers, wide: on a
    landscape page, maybe in panels)."""
    language = request.param
    made = fx.every_table(fx.bundle(), language)
    markdown = [tables.to_markdown(t) for t in made if INDENT in tables.to_markdown(t)]
    assert len(markdown) >= 2
    return language, markdown


def test_cell_indents_are_read_from_the_row_with_escaped_pipes():
    assert cell_indents("| 見出し | 1 |") == [0, 0]
    assert cell_indents("| 　項目 | 2 |") == [1, 0]
    assert cell_indents("| 　　a \\| b | 　3 |") == [2, 1]
    assert cell_indents("|\u3000x|y") == [1, 0]


def test_the_markdown_keeps_its_full_width_spaces(report_tables):
    _, markdown = report_tables
    for text in markdown:
        assert any(level for _, level in indented_rows(text))


def _html(text: str) -> str:
    body = markdown_to_html_body(f"{table_block(text)}\n", ".")
    return layout.lay_out_tables(body, tuple(STATISTIC_HEADERS), font_path())


def _td_rows(document: str) -> list[tuple[str, str]]:
    """(opening tag, text) of the first cell of every body row."""
    return [
        (m.group(1), re.sub(r"<[^>]+>", "", m.group(2)))
        for m in re.finditer(r"<tr>\n(<td[^>]*>)(.*?)</td>", document)
    ]


def test_indented_cells_carry_their_level_and_padding_in_the_html(report_tables):
    language, markdown = report_tables
    for text in markdown:
        rows = dict(indented_rows(text))
        document = _html(text)
        cells = _td_rows(document)
        assert {label for _, label in cells} == set(rows), language  # every row, panels too
        for tag, label in cells:
            level = rows[label]
            if level:
                assert f"indent-{level}" in tag
                padding = float(re.search(r"padding-left:([\d.]+)pt", tag).group(1))
                assert padding == pytest.approx(3 + level * layout.TABLE_FONT_PT)
            else:
                assert "indent" not in tag and "padding" not in tag


def test_an_indent_widens_its_column_by_an_em_a_level():
    measure = layout.text_width(font_path())
    plain = layout.Cell("生活支援", "left")
    indented = layout.Cell("生活支援", "left", indent=2)
    assert indented.width(measure) - plain.width(measure) == pytest.approx(2 * layout.TABLE_FONT_PT)


def first_cells(page) -> list[tuple[float, str]]:
    """(x, text) of the first cell's first line of every line of table text (7 pt) of a PDF
    page: its words from the leftmost up to the gap before the next cell."""
    lines: dict[int, list[dict]] = {}
    for w in page.extract_words(extra_attrs=["size"]):
        if w["size"] < 7.5:
            lines.setdefault(round(w["top"]), []).append(w)
    out = []
    for words in lines.values():
        words.sort(key=lambda w: w["x0"])
        cell = [words[0]]
        for w in words[1:]:
            if w["x0"] - cell[-1]["x1"] > 4:
                break
            cell.append(w)
        out.append((words[0]["x0"], " ".join(w["text"] for w in cell)))
    return out


@pytest.mark.slow
def test_indented_cells_stand_further_right_in_the_pdf(report_tables):
    language, markdown = report_tables
    document = html_document(
        _html("\n\n".join(markdown)), "t", (fx.REPORT_ASSETS / "summary.css").read_text(), language
    )
    pdf = html_to_pdf(document.replace("<style>\n", "<style>\n" + pdf_font_css(), 1))
    levels: dict[str, int] = {}
    for text in markdown:
        levels.update(indented_rows(text))
    found = {0: 0, 1: 0}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            starts = []
            for x, text in first_cells(page):
                matches = {level for label, level in levels.items() if label.startswith(text)}
                if len(text) >= 3 and len(matches) == 1:
                    starts.append((x, matches.pop()))
            if not starts:
                continue
            margin = min(x for x, level in starts if level == 0)
            for x, level in starts:
                assert x - margin == pytest.approx(level * layout.TABLE_FONT_PT, abs=0.6), (
                    language,
                    page.page_number,
                )
                found[min(level, 1)] += 1
    assert found[0] > 3 and found[1] > 10


@pytest.mark.slow
def test_indented_cells_are_indented_paragraphs_in_the_docx(report_tables, tmp_path):
    language, markdown = report_tables
    path = tmp_path / "summary.md"
    path.write_text("\n\n".join(markdown), encoding="utf-8")
    document = docx.Document(io.BytesIO(word.docx_bytes(path)))
    levels: dict[str, int] = {}
    for text in markdown:
        levels.update(indented_rows(text))
    seen = 0
    for table in document.tables:
        for row in table.rows[1:]:
            paragraph = row.cells[0].paragraphs[0]
            level = levels[paragraph.text]
            indent = paragraph.paragraph_format.left_indent
            assert (indent or 0) == Pt(8) * level, (language, paragraph.text)
            seen += bool(level)
    assert seen == sum(bool(level) for text in markdown for _, level in indented_rows(text))
