"""summary.docx (teichaku.report.word) from a small Markdown document, read back with
python-docx: real tables with the booktabs rules, figures embedded, East Asian fonts, page
numbers, wide tables on landscape sections, fixed bytes."""

import io
import zipfile

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from PIL import Image

from teichaku.report import word

WIDE_COLUMNS = 14


def _png(path, color):
    Image.new("RGB", (60, 30), color).save(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("word")
    (root / "figures").mkdir()
    _png(root / "figures" / "fig_a.png", "red")
    _png(root / "figures" / "fig_b.png", "blue")
    wide_head = " | ".join(f"令和2年度 支援終了 列{j}" for j in range(WIDE_COLUMNS))
    wide_row = " | ".join(f"{1000 + j:,}" for j in range(WIDE_COLUMNS))
    md = f"""# 再解析の要約

<div class="banner">注意: 合成データ</div>

## 結果

本文の段落で **強調** と `code` を含む。
二行目。

- 項目その一
- 項目その二

**表1 狭い表**

| 項目 | 算出値 | 有効回答数 |
| :-- | --: | --: |
| 相談時年齢 (平均) | 56.71 | 2,783 |
| 　男性 | <5 | 1,439 |

<5: 秘匿。

![図1 一つ目](figures/fig_a.png)

図1 一つ目

**表2 広い表**

| 項目 | {wide_head} |
| :-- | {" | ".join(["--:"] * WIDE_COLUMNS)} |
| 関係機関の協力が得られない | {wide_row} |

注: 広い表の注。

![図2 二つ目](figures/fig_b.png)

## 付録

最後の段落。
"""
    (root / "summary").mkdir()
    (root / "summary" / "summary.md").write_text(md.replace("figures/", "../figures/"), "utf-8")
    return root


@pytest.fixture(scope="module")
def data(folder):
    return word.docx_bytes(folder / "summary" / "summary.md")


@pytest.fixture(scope="module")
def document(data):
    return docx.Document(io.BytesIO(data))


def _cells(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_every_markdown_table_is_a_word_table_with_the_same_cells(document):
    assert len(document.tables) == 2
    assert _cells(document.tables[0]) == [
        ["項目", "算出値", "有効回答数"],
        ["相談時年齢 (平均)", "56.71", "2,783"],
        ["男性", "<5", "1,439"],  # as rendered: a pipe table's cells are trimmed
    ]
    wide = _cells(document.tables[1])
    assert len(wide) == 2 and len(wide[0]) == WIDE_COLUMNS + 1
    assert wide[1][1:] == [f"{1000 + j:,}" for j in range(WIDE_COLUMNS)]


def test_tables_have_the_booktabs_rules_and_no_vertical_lines(document):
    for table in document.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        sides = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
        assert sides == {
            "top": "single",
            "left": "nil",
            "bottom": "single",
            "right": "nil",
            "insideH": "nil",
            "insideV": "nil",
        }
        assert borders.find(qn("w:top")).get(qn("w:sz")) == str(word.HEAVY_RULE)
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        for cell in header.cells:
            rule = cell._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
            assert rule.get(qn("w:sz")) == str(word.LIGHT_RULE)
            assert all(run.bold for p in cell.paragraphs for run in p.runs)
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
        # numbers right-aligned as the Markdown says
        assert table.rows[1].cells[1].paragraphs[0].alignment == 2


def test_every_figure_is_embedded_with_its_bytes_and_alt_text(folder, document):
    shapes = document.inline_shapes
    assert len(shapes) == 2
    blobs = []
    for shape in shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        blobs.append(document.part.related_parts[rid].blob)
    assert blobs == [(folder / "figures" / n).read_bytes() for n in ("fig_a.png", "fig_b.png")]
    assert [s._inline.docPr.get("descr") for s in shapes] == ["図1 一つ目", "図2 二つ目"]
    assert all(s.width <= word.PORTRAIT_TEXT_WIDTH for s in shapes)


def test_a_wide_table_gets_a_landscape_section_with_its_title_and_notes(document):
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = document.sections[1]
    assert landscape.page_width > landscape.page_height
    # the section of each paragraph and table of the body (a section ends at the paragraph
    # holding its w:sectPr)
    where, section = {}, 0
    for child in document.element.body.iterchildren():
        text = "".join(t.text for t in child.iter(qn("w:t")))
        where.setdefault(text, section)
        if child.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None:
            section += 1
    wide_cells = "".join(t.text for t in document.tables[1]._tbl.iter(qn("w:t")))
    assert where["表2 広い表"] == where["注: 広い表の注。"] == 1
    assert where[wide_cells] == 1
    assert where["表1 狭い表"] == where["図1 一つ目"] == 0 and where["最後の段落。"] == 2
    widths = [c.width for c in document.tables[1].rows[0].cells]
    assert sum(widths) <= word.LANDSCAPE_TEXT_WIDTH


def test_headings_lists_and_inline_marks(document):
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert ("Title", "再解析の要約") in styles
    assert ("Heading 1", "結果") in styles and ("Heading 1", "付録") in styles
    assert ("List Bullet", "項目その一") in styles
    assert ("Normal", "注意: 合成データ") in styles  # the banner's text
    body = next(p for p in document.paragraphs if p.text.startswith("本文"))
    assert body.text == "本文の段落で 強調 と code を含む。 二行目。"
    assert [r.text for r in body.runs if r.bold] == ["強調"]
    assert [r.font.name for r in body.runs if r.text == "code"] == [word.CODE_FONT]


def test_japanese_text_is_set_in_an_east_asian_font(data, document):
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == word.EAST_ASIAN_FONT
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "ja-JP"
    for style in document.styles.element.findall(qn("w:style")):
        rfonts = style.find(qn("w:rPr") + "/" + qn("w:rFonts"))
        if rfonts is not None:  # no theme font overrides the East Asian one
            assert rfonts.get(qn("w:eastAsia")) == word.EAST_ASIAN_FONT
            assert not any(k.endswith("Theme") for k in rfonts.attrib)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        table = z.read("word/fontTable.xml").decode()
    assert f'w:name="{word.EAST_ASIAN_FONT}"' in table and 'w:charset w:val="80"' in table


def test_the_footer_numbers_the_pages(document):
    for section in document.sections:
        footer = section.footer._element
        fields = [f.get(qn("w:instr")) for f in footer.iter(qn("w:fldSimple"))]
        assert fields == ["PAGE"]


def test_the_bytes_are_fixed_and_carry_no_time(folder, data):
    assert word.docx_bytes(folder / "summary" / "summary.md") == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2 and "python-docx" not in core


def test_a_missing_figure_is_named(tmp_path):
    md = tmp_path / "summary.md"
    md.write_text("![図](../figures/none.png)\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match=r"none\.png"):
        word.docx_bytes(md)


def test_a_squeezed_table_keeps_its_numbers_on_one_line(folder):
    blocks = word.parse_markdown((folder / "summary" / "summary.md").read_text("utf-8"))
    wide = [b for b in blocks if b.kind == "table"][1]
    natural = word.column_widths(wide)
    for available in (word.LANDSCAPE_TEXT_WIDTH, word.PORTRAIT_TEXT_WIDTH):
        widths = word.fitted_widths(wide, available)
        if available == word.LANDSCAPE_TEXT_WIDTH:  # it fits there, squeezed
            assert sum(widths) <= available < sum(natural)
        for j, width in enumerate(widths[1:], start=1):  # "1,000": five characters
            assert width >= 5 * word.CHAR_WIDTH + word.CELL_PADDING - 1, j
    narrow = next(b for b in blocks if b.kind == "table")
    assert word.fitted_widths(narrow, word.PORTRAIT_TEXT_WIDTH) == word.column_widths(narrow)
