"""How the summary's tables are laid out on the page (HTML and PDF): column headers grouped,
the page orientation of each table and, where even a landscape page is too narrow, panels.

markdown-it writes every Markdown table as one flat header row (``FY2019 ended n``,
``FY2019 ended Valid n``, ...). Here each table is rebuilt:

- Grouped headers: a header that ends in a statistic's label (``n``, ``Valid n``, ``%``,
  ...; given by the caller from labels.yaml) after a group's label (``FY2019 ended``) becomes
  a two-row header, the group spanning its columns, so a column is as wide as its numbers,
  not as its whole header.
- Widths are measured with the metrics of the font the documents embed (IPAexGothic), so the
  decision is the same on every machine: a table goes on a portrait page when its columns fit
  the portrait text width, on a landscape page (``page: wide`` in summary.css) when they fit
  that, and is otherwise split into panels of whole column groups, each repeating the label
  column, stacked on landscape pages. Nothing is ever clipped.
- Every column gets its measured width (``table-layout: fixed``): numbers on one line,
  headers wrapped, the label column what the page leaves up to its labels' length (wrapping
  at words beyond it, never to a character a line). Rows are kept whole across page breaks
  (summary.css: ``tr { break-inside: avoid }``); the header repeats on every page a table
  continues on.
- Indents: a cell the Markdown indents with full-width spaces (an item under its group's
  heading row; markdown-it trims them, :mod:`teichaku.report.indents` keeps its level as
  the class ``indent-<level>``) gets a left padding of one em of the table font per level,
  counted in its column's width.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

#: Font size of table text in summary.css (pt) and the cell padding (pt, left + right).
TABLE_FONT_PT = 7.0
CELL_PADDING_PT = 6.0
#: Extra space before the first column of a group of columns (summary.css ``.group-start``).
GROUP_GAP_PT = 6.0
#: A4 minus summary.css's left and right page margins (14 mm each), in pt.
PORTRAIT_WIDTH_PT = (210 - 28) / 25.4 * 72
LANDSCAPE_WIDTH_PT = (297 - 28) / 25.4 * 72
#: Headroom for rounding (the widths are set: table-layout fixed).
FILL = 0.98
#: The label column wraps beyond this width (in em of the table font) ...
LABEL_MAX_EM = 15
#: ... and never gets narrower than this (so Japanese labels never wrap a character a line).
LABEL_MIN_EM = 7
#: A header wraps at words (Latin) or anywhere (Japanese), but not narrower than this ...
HEADER_MIN_EM = 6
#: ... and stays on one line up to this width (a group's label spanning its columns: this).
HEADER_ONE_LINE_EM = 9
GROUP_ONE_LINE_EM = 12
#: Headers are bold; a font without a bold face is emboldened, a little wider (browsers).
BOLD = 1.07


class TextWidth:
    """Advance width of text in a TrueType font (fontTools): the same on every machine."""

    def __init__(self, font_file: str | Path):
        from fontTools.ttLib import TTFont

        font = TTFont(str(font_file), lazy=True)
        self._cmap = font.getBestCmap()
        metrics = font["hmtx"].metrics
        self._advance = {code: metrics[glyph][0] for code, glyph in self._cmap.items()}
        self._missing = metrics[".notdef"][0]
        self._upm = font["head"].unitsPerEm

    def __call__(self, text: str, size_pt: float = TABLE_FONT_PT) -> float:
        units = sum(self._advance.get(ord(ch), self._missing) for ch in text)
        return units / self._upm * size_pt


@functools.lru_cache(maxsize=2)
def text_width(font_file: str | Path) -> TextWidth:
    return TextWidth(font_file)


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Cell:
    html: str  # inner HTML as markdown-it wrote it (escaped)
    align: str  # left | right | center | ""
    indent: int = 0  # the full-width spaces the Markdown indents it by

    @property
    def text(self) -> str:
        return html.unescape(re.sub(r"<[^>]*>", "", self.html))

    @property
    def indent_pt(self) -> float:
        """The left padding of its indent: one em of the table font per level."""
        return self.indent * TABLE_FONT_PT

    def width(self, measure: TextWidth, text: str | None = None) -> float:
        """The width of its text (or of ``text``, a part of it) with its indent."""
        return measure(self.text if text is None else text) + self.indent_pt


_TABLE = re.compile(r"<table>\n(.*?)</table>\n", re.S)
_ROW = re.compile(r"<tr>\n(.*?)</tr>\n", re.S)
_CELL = re.compile(
    r'<(t[hd])(?: style="text-align:(\w+)")?(?: class="indent-(\d+)")?>(.*?)</\1>\n', re.S
)


def _rows(fragment: str) -> list[list[Cell]]:
    return [
        [Cell(m.group(4), m.group(2) or "", int(m.group(3) or 0)) for m in _CELL.finditer(row)]
        for row in _ROW.findall(fragment)
    ]


def parse_table(table_html: str) -> tuple[list[Cell], list[list[Cell]]]:
    """Header cells and body rows of a table as markdown-it renders a pipe table."""
    head, _, body = table_html.partition("</thead>")
    header = _rows(head)
    return (header[0] if header else []), _rows(body)


# --------------------------------------------------------------------------- header groups


@dataclass(frozen=True)
class Column:
    index: int  # position in the Markdown table
    group: str  # the group's label ("" when the header is not grouped)
    label: str  # the header (without the group's label)


def group_columns(headers: list[str], statistics: list[str]) -> list[Column]:
    """Split each header into (group, statistic) where it ends in one of ``statistics``
    after a space and the group covers at least two neighbouring columns; the first
    column (the row labels) is never grouped."""
    stats = sorted({s for s in statistics if s}, key=len, reverse=True)
    split = []
    for i, header in enumerate(headers):
        group, label = "", header
        if i > 0:
            for stat in stats:
                if header.endswith(" " + stat) and header[: -len(stat) - 1].strip():
                    group, label = header[: -len(stat) - 1].strip(), stat
                    break
        split.append([group, label])
    for i, (group, _) in enumerate(split):  # a group of one column stays one header
        neighbours = [split[j][0] for j in (i - 1, i + 1) if 0 <= j < len(split)]
        if group and group not in neighbours:
            split[i] = ["", headers[i]]
    return [Column(i, g, label) for i, (g, label) in enumerate(split)]


def column_groups(columns: list[Column]) -> list[list[Column]]:
    """Neighbouring columns of one group together; an ungrouped column alone."""
    groups: list[list[Column]] = []
    for col in columns:
        if groups and col.group and groups[-1][0].group == col.group:
            groups[-1].append(col)
        else:
            groups.append([col])
    return groups


# --------------------------------------------------------------------------- widths


#: What a line may not break inside: a run of Latin letters, digits and punctuation (a word,
#: a number) or a single character of Japanese text, which breaks between any two.
_UNBREAKABLE = re.compile(r"[^\s\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+|[^\s]")


def _words(text: str) -> list[str]:
    return _UNBREAKABLE.findall(text) or [""]


def _header_width(text: str, measure: TextWidth, one_line_em: float = HEADER_ONE_LINE_EM) -> float:
    """What a (bold) header needs: on one line up to ``one_line_em``, else wrapped (not
    below HEADER_MIN_EM), but never narrower than its longest word."""
    natural = BOLD * measure(text)
    if natural <= one_line_em * TABLE_FONT_PT:
        return natural
    return max(
        HEADER_MIN_EM * TABLE_FONT_PT,
        max(BOLD * measure(w) for w in _words(text)),
    )


def _label_widths(rows: list[list[Cell]], label: str, measure: TextWidth) -> tuple[float, float]:
    """The label column's (least, natural) width: wrapped at LABEL_MAX_EM but never narrower
    than LABEL_MIN_EM or its longest word; on one line (indents included)."""
    cells = [row[0] for row in rows if row] + [Cell(html.escape(label, quote=False), "")]
    natural = max(c.width(measure) for c in cells)
    longest = max(c.width(measure, w) for c in cells for w in _words(c.text))
    least = max(min(natural, LABEL_MAX_EM * TABLE_FONT_PT), longest, LABEL_MIN_EM * TABLE_FONT_PT)
    return least + CELL_PADDING_PT, max(natural, least) + CELL_PADDING_PT


def column_widths(rows: list[list[Cell]], columns: list[Column], measure: TextWidth) -> list[float]:
    """Width (pt, padding included) each column needs: body cells on one line (numbers
    never wrap), headers wrapped; the label column at its least width."""
    widths = [_label_widths(rows, columns[0].label, measure)[0]]
    for col in columns[1:]:
        cells = [row[col.index] for row in rows if col.index < len(row)]
        body = max([c.width(measure) for c in cells] + [0.0])
        # a statistic under a group's header (n, %) is short: on one line
        head = BOLD * measure(col.label) if col.group else _header_width(col.label, measure)
        widths.append(max(body, head) + CELL_PADDING_PT)
    for group in column_groups(columns):  # a spanning group header wraps like any header
        if group[0].group:
            widths[group[0].index] += GROUP_GAP_PT
            span = sum(widths[c.index] for c in group)
            label = _header_width(group[0].group, measure, GROUP_ONE_LINE_EM)
            extra = label + CELL_PADDING_PT + GROUP_GAP_PT - span  # th.group is padded so
            for c in group:
                widths[c.index] += max(extra, 0.0) / len(group)
    return widths


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    orientation: str  # portrait | landscape
    panels: list[list[Column]]  # columns of each panel (the label column first in each)
    widths: list[float]


def plan(header: list[Cell], rows: list[list[Cell]], statistics, measure: TextWidth) -> Layout:
    """Portrait when the table fits the portrait text width, landscape when it fits that,
    else landscape panels of whole column groups."""
    columns = group_columns([c.text for c in header], list(statistics))
    widths = column_widths(rows, columns, measure)
    natural_label = _label_widths(rows, columns[0].label, measure)[1]

    def widen(frame: float) -> list[float]:
        """The room a frame leaves goes to the label column, up to its natural width, then
        to the headers that wrap, up to theirs."""
        out = list(widths)
        room = max(FILL * frame - sum(out), 0.0)
        grow = min(room, natural_label - out[0])
        out[0] += grow
        room -= grow
        wrapped = {
            c.index: measure(c.label) + CELL_PADDING_PT - out[c.index]
            for c in columns[1:]
            if not c.group and measure(c.label) + CELL_PADDING_PT > out[c.index]
        }
        while room > 0.5 and wrapped:
            share = room / len(wrapped)
            for i, short in list(wrapped.items()):
                step = min(share, short)
                out[i] += step
                room -= step
                if short - step <= 0.5:
                    del wrapped[i]
                else:
                    wrapped[i] = short - step
        return out

    total = sum(widths)
    if total <= FILL * PORTRAIT_WIDTH_PT:
        return Layout("portrait", [columns], widen(PORTRAIT_WIDTH_PT))
    if total <= FILL * LANDSCAPE_WIDTH_PT or len(columns) <= 2:
        return Layout("landscape", [columns], widen(LANDSCAPE_WIDTH_PT))
    label, rest = columns[0], column_groups(columns[1:])
    room = FILL * LANDSCAPE_WIDTH_PT - widths[0]
    panels: list[list[Column]] = [[]]
    used = 0.0
    for group in rest:
        need = sum(widths[c.index] for c in group)
        if panels[-1] and used + need > room:
            panels.append([])
            used = 0.0
        panels[-1] += group
        used += need
    return Layout("landscape", [[label, *p] for p in panels], widths)


def _cell(tag: str, cell: Cell, attrs: str = "", starts_group: bool = False) -> str:
    classes = [
        *(["num"] if cell.align == "right" else []),
        *(["group-start"] * starts_group),
        *([f"indent-{cell.indent}"] if cell.indent else []),
    ]
    cls = f' class="{" ".join(classes)}"' if classes else ""
    if cell.indent:
        attrs += f' style="padding-left:{CELL_PADDING_PT / 2 + cell.indent_pt:.1f}pt"'
    return f"<{tag}{cls}{attrs}>{cell.html}</{tag}>\n"


def render(header: list[Cell], rows: list[list[Cell]], layout: Layout) -> str:
    """The table (or its panels) as HTML, with grouped headers and the label column's width."""
    out = []
    for panel in layout.panels:
        grouped = any(c.group for c in panel)
        cls = ' class="panel"' if len(layout.panels) > 1 else ""
        width = sum(layout.widths[c.index] for c in panel)
        parts = [f'<table{cls} style="width:{width:.1f}pt">\n<colgroup>\n']
        parts += [f'<col style="width:{layout.widths[c.index]:.1f}pt">\n' for c in panel]
        parts.append("</colgroup>\n")
        parts.append("<thead>\n<tr>\n")
        span = ' rowspan="2"' if grouped else ""
        for group in column_groups(panel):
            first = header[group[0].index]
            if group[0].group:
                name = html.escape(group[0].group, quote=False)
                parts.append(f'<th class="group" colspan="{len(group)}">{name}</th>\n')
            else:
                parts.append(_cell("th", first, span))
        parts.append("</tr>\n")
        starts = {g[0].index for g in column_groups(panel) if g[0].group}
        if grouped:
            parts.append("<tr>\n")
            for col in panel:
                if col.group:
                    label = Cell(html.escape(col.label, quote=False), header[col.index].align)
                    parts.append(_cell("th", label, starts_group=col.index in starts))
            parts.append("</tr>\n")
        parts.append("</thead>\n<tbody>\n")
        for row in rows:
            cells = [(row[c.index], c.index in starts) for c in panel if c.index < len(row)]
            parts.append("<tr>\n" + "".join(_cell("td", c, "", s) for c, s in cells) + "</tr>\n")
        parts.append("</tbody>\n</table>\n")
        out.append("".join(parts))
    return "".join(out)


_BLOCK = re.compile(r'<div class="table-block">\n(.*?)</div>\n', re.S)


def lay_out_tables(body: str, statistics, font_file: str | Path) -> str:
    """Every table of the summary's table blocks (``<div class="table-block">``, one per
    table file) rebuilt; a block whose table needs a landscape page gets the class ``wide``."""
    measure = text_width(font_file)

    def block(match: re.Match) -> str:
        wide = False

        def table(tm: re.Match) -> str:
            nonlocal wide
            header, rows = parse_table(tm.group(1))
            if not header:
                return tm.group(0)
            layout = plan(header, rows, statistics, measure)
            wide = wide or layout.orientation == "landscape"
            return render(header, rows, layout)

        inner = _TABLE.sub(table, match.group(1))
        cls = "table-block wide" if wide else "table-block"
        return f'<div class="{cls}">\n{inner}</div>\n'

    return _BLOCK.sub(block, body)
