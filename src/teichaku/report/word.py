"""summary.<lang>.docx: the rendered summary Markdown as a Word document (python-docx).

Reports to the ministry and the council are edited in Word, so the document is made to be
edited: headings as Word headings, tables as real Word tables (not pictures) with the
booktabs look of the PDF (a heavy rule above and below, a light one under the header, no
vertical lines; the header row repeats on every page and no row splits across pages), the
figures embedded at the text width, page numbers in the footer, A4 pages, and a table too
wide for a portrait page on a landscape section of its own (with its title and notes). A
cell the Markdown indents with full-width spaces (an item under its group's heading row) is
indented by a paragraph indent of one em of the table's font per level, so that a wrapped
label stays indented (:mod:`teichaku.report.indents`).

Japanese text is set in East Asian fonts (``w:eastAsia``, the document's language for East
Asian text ja-JP): Yu Gothic, which Word has on Windows and macOS; the font table names its
Japanese character set and family so that an application without it (LibreOffice on Linux)
substitutes an installed Japanese Gothic font (IPAexGothic, which the figures use) instead
of dropping glyphs.

The bytes depend on the Markdown and the figures only (fixed core properties, no time
stamps: :func:`teichaku.report.package.deterministic_zip`).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from markdown_it import MarkdownIt

from teichaku.report.indents import indent_plugin, level_of
from teichaku.report.package import FIXED_DATE, deterministic_zip

EAST_ASIAN_FONT = "Yu Gothic"
EAST_ASIAN_FONT_NAME_JA = "游ゴシック"
LATIN_FONT = "Arial"
CODE_FONT = "Courier New"
BODY_SIZE = Pt(10.5)
TABLE_SIZE = Pt(8)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)  # A4
MARGIN = Mm(20)
#: what a table may take on a portrait page, and on a landscape one
PORTRAIT_TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LANDSCAPE_TEXT_WIDTH = PAGE_HEIGHT - 2 * MARGIN

#: the width of a half-width character at the table's font size, a cell's side padding
CHAR_WIDTH = Pt(4.5)
CELL_PADDING = Pt(10.8)
#: a heading wraps onto lines of this many half-width characters at most; a row label too
HEADING_WRAP, LABEL_WRAP = 10, 36
#: how much narrower than its natural width a table may be set on a portrait page
SQUEEZE = 0.15
#: the fewest half-width characters a line of a row label keeps in a table squeezed to fit
LABEL_MIN = 12

HEAVY_RULE, LIGHT_RULE = 12, 6  # eighths of a point: 1.5 pt and 0.75 pt


# --------------------------------------------------------------------------- the Markdown


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    #: a line break (a hard break of the Markdown) instead of text
    line_break: bool = False


@dataclass
class Image:
    src: str
    alt: str


@dataclass
class Block:
    """One block of the document: a heading, a paragraph, a list item, an image, a table."""

    kind: str  # heading, paragraph, item, image, table
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # a heading's level, a list item's depth
    ordered: bool = False
    image: Image | None = None
    #: a table: header cells, body rows, the alignment of each column (left, right, center)
    header: list[list[Run]] = field(default_factory=list)
    rows: list[list[list[Run]]] = field(default_factory=list)
    align: list[str] = field(default_factory=list)
    #: the indent level of each body cell (the full-width spaces the Markdown indents it by)
    indents: list[list[int]] = field(default_factory=list)


def _plain(runs: list[Run]) -> str:
    return "".join("\n" if r.line_break else r.text for r in runs)


def _inline(children) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0
    for tok in children or []:
        if tok.type == "text":
            runs.append(Run(tok.content, bool(bold), bool(italic)))
        elif tok.type == "code_inline":
            runs.append(Run(tok.content, bool(bold), bool(italic), code=True))
        elif tok.type == "softbreak":
            runs.append(Run(" "))
        elif tok.type == "hardbreak":
            runs.append(Run("", line_break=True))
        elif tok.type in ("strong_open", "strong_close"):
            bold += 1 if tok.type == "strong_open" else -1
        elif tok.type in ("em_open", "em_close"):
            italic += 1 if tok.type == "em_open" else -1
        elif tok.type == "html_inline":
            if re.fullmatch(r"<br\s*/?>", tok.content.strip(), re.I):
                runs.append(Run("", line_break=True))
        elif tok.type == "image":
            runs.append(Run(_plain(_inline(tok.children))))  # an image inside text: its alt
    return [r for r in runs if r.text or r.line_break]


def _html_text(source: str) -> str:
    """The text of an HTML block: tags dropped, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", source))
    return re.sub(r"\s+", " ", text).strip()


def _cell_align(tok) -> str:
    style = tok.attrGet("style") or ""
    m = re.search(r"text-align:\s*(left|right|center)", style)
    return m.group(1) if m else "left"


def parse_markdown(text: str) -> list[Block]:
    """The blocks of a Markdown document (CommonMark with pipe tables, as the summary is
    rendered to HTML; a cell's full-width indent kept as its level)."""
    tokens = MarkdownIt("commonmark").enable("table").use(indent_plugin).parse(text)
    blocks: list[Block] = []
    lists: list[bool] = []  # ordered or not, of each open list
    table: Block | None = None
    row: list[list[Run]] | None = None
    levels: list[int] = []
    in_head = False
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "table_open":
            table = Block("table")
        elif kind == "table_close":
            blocks.append(table)
            table = None
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row, levels = [], []
        elif kind == "tr_close":
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
                table.indents.append(levels)
        elif kind in ("th_open", "td_open"):
            levels.append(level_of(tok))
            if in_head:
                table.align.append(_cell_align(tok))
        elif kind == "inline" and table is not None:
            row.append(_inline(tok.children))
        elif kind == "inline" and tokens[i - 1].type == "heading_open":
            level = int(tokens[i - 1].tag[1:])
            blocks.append(Block("heading", _inline(tok.children), level=level))
        elif kind == "inline":
            images = [c for c in tok.children or [] if c.type == "image"]
            others = [c for c in tok.children or [] if c.type not in ("image", "softbreak")]
            if images and not others:  # a paragraph of figures
                for img in images:
                    alt = _plain(_inline(img.children))
                    blocks.append(Block("image", image=Image(img.attrGet("src"), alt)))
            elif lists:
                blocks.append(
                    Block("item", _inline(tok.children), level=len(lists) - 1, ordered=lists[-1])
                )
            else:
                blocks.append(Block("paragraph", _inline(tok.children)))
        elif kind == "html_block":
            text = _html_text(tok.content)
            if text:
                blocks.append(Block("paragraph", [Run(text, bold=True)]))
        elif kind in ("fence", "code_block"):
            blocks.append(Block("paragraph", [Run(tok.content.rstrip("\n"), code=True)]))
    return blocks


# --------------------------------------------------------------------------- the layout


def text_width(text: str) -> int:
    """Half-width characters a text takes: East Asian wide ones count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _indent(table: Block, i: int, j: int) -> int:
    """The indent level of body cell (i, j)."""
    levels = table.indents[i] if i < len(table.indents) else []
    return levels[j] if j < len(levels) else 0


def _body_chars(table: Block, j: int) -> int:
    """The widest body cell of column j in half-width characters, its indent included (a
    full-width space a level)."""
    return max(
        (
            text_width(_plain(r[j])) + 2 * _indent(table, i, j)
            for i, r in enumerate(table.rows)
            if j < len(r)
        ),
        default=0,
    )


def column_widths(table: Block) -> list[int]:
    """Each column's natural width (EMU) at the table's font: its widest cell, headings and
    row labels wrapped."""
    widths = []
    for j, head in enumerate(table.header):
        body = _body_chars(table, j)
        if j == 0:
            body = min(body, LABEL_WRAP)
        chars = max(body, min(text_width(_plain(head)), HEADING_WRAP), 3)
        widths.append(int(chars * CHAR_WIDTH + CELL_PADDING))
    return widths


def fitted_widths(table: Block, available: int) -> list[int]:
    """Column widths within ``available``: the natural ones where they fit; else each column
    gives up part of what it has beyond its narrowest (a number column: its widest number,
    which must not wrap; the label column: LABEL_MIN characters), in proportion."""
    natural = column_widths(table)
    if sum(natural) <= available:
        return natural
    least = [
        int(min(_body_chars(table, j), LABEL_MIN if j == 0 else 10**6) * CHAR_WIDTH + CELL_PADDING)
        for j in range(len(natural))
    ]
    least = [min(lo, w) for lo, w in zip(least, natural, strict=True)]
    spare = sum(natural) - sum(least)
    keep = max(0.0, (available - sum(least)) / spare) if spare else 0.0
    return [int(lo + (w - lo) * keep) for lo, w in zip(least, natural, strict=True)]


def is_wide(table: Block) -> bool:
    """Whether the table needs a landscape page (on a portrait one its columns would be
    squeezed by more than SQUEEZE)."""
    return sum(column_widths(table)) > PORTRAIT_TEXT_WIDTH * (1 + SQUEEZE)


def _is_title(block: Block) -> bool:
    """A paragraph wholly in bold: a table's title."""
    return block.kind == "paragraph" and bool(block.runs) and all(r.bold for r in block.runs)


def landscape_spans(blocks: list[Block]) -> list[tuple[int, int]]:
    """(first, last) block of each wide table's landscape section: its title before it and
    its notes (the paragraph right after it) with it."""
    spans = []
    for i, block in enumerate(blocks):
        if block.kind == "table" and is_wide(block):
            first = i - 1 if i and _is_title(blocks[i - 1]) else i
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            last = (
                i + 1 if nxt is not None and nxt.kind == "paragraph" and not _is_title(nxt) else i
            )
            spans.append((first, last))
    return spans


# --------------------------------------------------------------------------- Word


def _set(element, tag: str, **attrs) -> OxmlElement:
    """The child ``tag`` of ``element`` (created when missing) with ``attrs`` set."""
    child = element.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        element.append(child)
    for key, value in attrs.items():
        child.set(qn(key), str(value))
    return child


def _fonts(rpr, latin: str = LATIN_FONT) -> None:
    """Explicit fonts (theme fonts dropped): Latin, and East Asian for Japanese."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        if key.endswith("Theme"):
            del fonts.attrib[key]
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), latin)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    fonts.set(qn("w:hint"), "eastAsia")


def _style_document(doc) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    _set(rpr, "w:lang", **{"w:val": "en-US", "w:eastAsia": "ja-JP", "w:bidi": "ar-SA"})
    for style in styles.findall(qn("w:style")):
        style_rpr = style.find(qn("w:rPr"))
        if style_rpr is None:
            continue
        if style_rpr.find(qn("w:rFonts")) is not None:
            _fonts(style_rpr)
        color = style_rpr.find(qn("w:color"))
        if color is not None:  # the template's blue headings: black, as in the PDF
            style_rpr.remove(color)
    doc.styles["Normal"].font.size = BODY_SIZE
    table_text = doc.styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = TABLE_SIZE
    table_text.paragraph_format.space_before = Pt(0)
    table_text.paragraph_format.space_after = Pt(0)
    _font_table(doc)


def _font_table(doc) -> None:
    """Yu Gothic in the font table as a Japanese (Shift-JIS charset) Gothic font, so that
    an application without it substitutes a Japanese one."""
    from lxml import etree

    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))

    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for font in root.findall(f"{{{w}}}font"):
        if font.get(f"{{{w}}}name") == EAST_ASIAN_FONT:
            root.remove(font)
    font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": EAST_ASIAN_FONT})
    for tag, value in (
        ("altName", EAST_ASIAN_FONT_NAME_JA),
        ("panose1", "020B0400000000000000"),
        ("charset", "80"),
        ("family", "swiss"),
        ("pitch", "variable"),
    ):
        etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": value})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    )
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field_ = OxmlElement("w:fldSimple")
    field_.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_.append(run)
    paragraph._p.append(field_)


def _add_runs(paragraph, runs: list[Run], bold: bool = False) -> None:
    for r in runs:
        if r.line_break:
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(r.text)
        run.bold = r.bold or bold or None
        run.italic = r.italic or None
        if r.code:
            run.font.name = CODE_FONT


def _borders(element, tag: str, **sides) -> None:
    """``tag`` (w:tblBorders or w:tcBorders) of a tblPr/tcPr: each side a single rule of
    the given size, or none (size 0)."""
    borders = _set(element, tag)
    for side, size in sides.items():
        if size:
            _set(
                borders,
                f"w:{side}",
                **{"w:val": "single", "w:sz": size, "w:space": 0, "w:color": "000000"},
            )
        else:
            _set(borders, f"w:{side}", **{"w:val": "nil"})


_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
}


def _add_table(doc, block: Block, text_width: int) -> None:
    n_cols = len(block.header)
    table = doc.add_table(rows=1 + len(block.rows), cols=n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = fitted_widths(block, text_width)
    tbl_pr = table._tbl.tblPr
    _borders(
        tbl_pr,
        "w:tblBorders",
        top=HEAVY_RULE,
        left=0,
        bottom=HEAVY_RULE,
        right=0,
        insideH=0,
        insideV=0,
    )
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # What `paragraph.style = "Table Text"` writes, looked up once: python-docx's setter
    # scans every style of the document for the default on each call (most of the job).
    table_text = doc.part.get_style_id(doc.styles["Table Text"], WD_STYLE_TYPE.PARAGRAPH)
    for i, (cells, row) in enumerate(zip([block.header, *block.rows], table.rows, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        _set(tr_pr, "w:cantSplit")
        if i == 0:
            _set(tr_pr, "w:tblHeader")  # repeated at the top of every page
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]
            paragraph = cell.paragraphs[0]
            paragraph._p.style = table_text
            paragraph.alignment = _ALIGN[block.align[j] if j < len(block.align) else "left"]
            _add_runs(paragraph, cells[j] if j < len(cells) else [], bold=i == 0)
            if i and (level := _indent(block, i - 1, j)):
                paragraph.paragraph_format.left_indent = Emu(int(TABLE_SIZE) * level)
            if i == 0:
                _borders(cell._tc.get_or_add_tcPr(), "w:tcBorders", bottom=LIGHT_RULE)


def _add_image(doc, block: Block, base: Path, text_width: int) -> None:
    path = (base / block.image.src).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"the summary embeds {block.image.src}, which is not at {path}")
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True  # with its caption
    paragraph.add_run().add_picture(str(path), width=text_width)
    doc.inline_shapes[-1]._inline.docPr.set("descr", block.image.alt)


HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2", 4: "Heading 3"}


def _add_block(doc, block: Block, base: Path, text_width: int) -> None:
    if block.kind == "heading":
        paragraph = doc.add_paragraph(style=HEADING_STYLES.get(block.level, "Heading 4"))
        _add_runs(paragraph, block.runs)
    elif block.kind == "paragraph":
        paragraph = doc.add_paragraph()
        _add_runs(paragraph, block.runs)
        if _is_title(block):
            paragraph.paragraph_format.keep_with_next = True  # a table's title with it
    elif block.kind == "item":
        style = "List Number" if block.ordered else "List Bullet"
        if block.level:
            style += f" {min(block.level + 1, 3)}"
        _add_runs(doc.add_paragraph(style=style), block.runs)
    elif block.kind == "image":
        _add_image(doc, block, base, text_width)
    elif block.kind == "table":
        _add_table(doc, block, text_width)
    else:
        raise ValueError(f"unknown block {block.kind!r}")


def build_document(markdown: str, base: Path, title: str = ""):
    """The Word document of the Markdown (images resolved from ``base``, the Markdown
    file's folder)."""
    blocks = parse_markdown(markdown)
    doc = Document()
    _style_document(doc)
    section = doc.sections[0]
    _page(section, landscape=False)
    _page_number_footer(section)
    starts = {first: last for first, last in landscape_spans(blocks)}
    i = 0
    while i < len(blocks):
        if i in starts:
            last = starts[i]
            _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
            for block in blocks[i : last + 1]:
                _add_block(doc, block, base, LANDSCAPE_TEXT_WIDTH)
            i = last + 1
            if i < len(blocks):
                _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)
            continue
        _add_block(doc, blocks[i], base, PORTRAIT_TEXT_WIDTH)
        i += 1
    _core_properties(
        doc, title or next((_plain(b.runs) for b in blocks if b.kind == "heading"), "")
    )
    return doc


def _core_properties(doc, title: str) -> None:
    from datetime import datetime

    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "teichaku"
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    props.created = props.modified = datetime(*FIXED_DATE)


def docx_bytes(markdown_path: str | Path) -> bytes:
    """summary.<lang>.docx of the summary Markdown file as bytes."""
    path = Path(markdown_path)
    doc = build_document(path.read_text(encoding="utf-8"), path.parent)
    buffer = io.BytesIO()
    doc.save(buffer)
    return deterministic_zip(buffer.getvalue())


def write_docx(markdown_path: str | Path, out: str | Path) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(docx_bytes(markdown_path))
    return out
