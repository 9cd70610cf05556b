"""The report's Word and Excel files of the shared small run, read back as a user's
application would: summary.<lang>.docx (python-docx) holds every table of the rendered
summary Markdown with the same cells and every figure it embeds; tables.xlsx (openpyxl)
holds every table of the run, a sheet each, with the display CSV's numbers as numbers and
its suppressed cells as the marker text."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pandas as pd
import pytest
import yaml
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from teichaku import paths as run_paths

from .conftest import run_paths as paths_of

pytestmark = pytest.mark.slow  # the shared small run


def _config(workdir: Path) -> dict:
    return yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))


def _languages(workdir: Path) -> list[str]:
    return _config(workdir)["report"]["languages"]


def _rendered(children) -> str:
    """An inline token's text as a reader sees it (entities decoded, marks dropped)."""
    parts = []
    for tok in children or []:
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type == "softbreak":
            parts.append(" ")
    return "".join(parts)


def markdown_tables_and_images(text: str) -> tuple[list[list[list[str]]], list[str]]:
    """Every pipe table of the Markdown (rows of rendered cells, header first) and the
    source of every image, in order."""
    tables, images, table, row = [], [], None, None
    for tok in MarkdownIt("commonmark").enable("table").parse(text):
        if tok.type == "table_open":
            table = []
        elif tok.type == "table_close":
            tables.append(table)
            table = None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            table.append(row)
        elif tok.type == "inline" and table is not None:
            row.append(_rendered(tok.children))
        elif tok.type == "inline":
            images += [c.attrGet("src") for c in tok.children or [] if c.type == "image"]
    return tables, images


@pytest.mark.parametrize("part", ["tables", "figures"])
def test_the_word_summary_has_every_table_and_figure_of_the_markdown(small_run, part):
    for lang in _languages(small_run):
        run = paths_of(small_run, lang)
        md_path = small_run / run_paths.fill(run.SUMMARY, ext="md")
        document = docx.Document(small_run / run_paths.fill(run.SUMMARY, ext="docx"))
        tables, images = markdown_tables_and_images(md_path.read_text(encoding="utf-8"))
        if part == "tables":
            assert len(tables) >= len(list((small_run / run.TABLES_DIR).glob("*.json")))
            got = [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]
            assert got == tables
        else:
            assert len(images) >= len(list((small_run / run.FIGURES_DIR).glob("*.png")))
            shapes = document.inline_shapes
            assert len(shapes) == len(images)
            for shape, src in zip(shapes, images, strict=True):
                rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
                blob = document.part.related_parts[rid].blob
                assert blob == (md_path.parent / src).read_bytes(), src


NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?$")
ESTIMATE = re.compile(r"^(-?\d+\.\d+) \((-?\d+\.\d+)–(-?\d+\.\d+)\)$")


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_tables_xlsx_stores_the_display_numbers_as_numbers(small_run):
    min_cell = int(_config(small_run)["privacy"]["min_cell"])
    marker = f"<{min_cell}"
    numbers = suppressed = 0
    for lang in _languages(small_run):
        run = paths_of(small_run, lang)
        book = load_workbook(small_run / run.TABLES_WORKBOOK)
        names = [p.name.removesuffix(".json") for p in (small_run / run.TABLES_DIR).glob("*.json")]
        assert sorted(book.sheetnames) == sorted(names)  # in the report's order
        for name in book.sheetnames:
            display = pd.read_csv(
                small_run / run.TABLES_DIR / f"{name}.csv", dtype=str, keep_default_na=False
            )
            ws = book[name]
            rows = list(ws.iter_rows(min_row=3, max_row=2 + len(display)))
            header = [c.value for c in ws[2]]
            assert [h for h in header if h in display.columns] == list(display.columns)
            for i, row in enumerate(rows):
                sheet = dict(zip(header, row, strict=True))
                for column in display.columns[1:]:
                    text, cell = display.iloc[i][column], sheet[column]
                    if text == marker:
                        assert cell.value == marker and cell.data_type == "s"
                        suppressed += 1
                    elif NUMBER.match(text):
                        assert isinstance(cell.value, int | float), (name, column, text)
                        digits = _decimals(text)  # p unrounded, the rest as shown
                        assert f"{cell.value:,.{digits}f}" == text, (name, column, text)
                        assert cell.number_format != "General"
                        numbers += 1
                    elif m := ESTIMATE.match(text):
                        at = header.index(column)
                        values = [c.value for c in row[at : at + 3]]
                        assert all(isinstance(v, float) for v in values), (name, text)
                        assert [f"{v:.2f}" for v in values] == list(m.groups())
                        numbers += 1
                    elif text == "<0.001":
                        assert cell.value < 0.001 and "<0.001" in cell.number_format
                    elif text == "":
                        assert cell.value is None
                    else:  # a word: a date, "—", the ratio a model is on, k/n of centers
                        assert cell.value == text or (
                            isinstance(cell.value, int) and text.startswith(f"{cell.value}/")
                        )
            notes = [ws.cell(ws.max_row - k, 1).value for k in range(2)]
            assert any(isinstance(n, str) and n for n in notes)
    assert numbers > 500
    assert suppressed  # the small run's table 1 suppresses some cohort figures
