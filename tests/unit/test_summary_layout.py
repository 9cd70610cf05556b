"""The summary's table layout (teichaku.report.layout): grouped headers, measured widths,
portrait, landscape and panels."""

from teichaku.report import layout
from teichaku.report.fonts import font_path
from teichaku.report.summary import markdown_to_html_body

STATS = ["n", "Valid n", "%"]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " :-- |" + " --: |" * (len(header) - 1)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return markdown_to_html_body("\n".join(lines) + "\n", ".")


def _plan(header, rows):
    head, body = layout.parse_table(layout._TABLE.search(_table(header, rows)).group(1))
    return layout.plan(head, body, STATS, layout.text_width(font_path()))


def test_headers_ending_in_a_statistic_are_grouped_and_a_lone_one_is_not():
    columns = layout.group_columns(
        ["Item", "Overall n", "Overall Valid n", "Overall %", "FY2019 ended n", "Total n"],
        STATS,
    )
    assert [(c.group, c.label) for c in columns] == [
        ("", "Item"),
        ("Overall", "n"),
        ("Overall", "Valid n"),  # the longest statistic that ends the header
        ("Overall", "%"),
        ("", "FY2019 ended n"),  # a group of one column keeps its header
        ("", "Total n"),
    ]


def test_japanese_text_breaks_anywhere_latin_words_do_not():
    assert layout._words("関係機関の協力") == list("関係機関の協力")
    assert layout._words("Agencies (12 months)") == ["Agencies", "(12", "months)"]


def test_a_narrow_table_is_portrait_a_wide_one_landscape_a_wider_one_in_panels():
    def groups(k):
        header = ["Item"] + [f"Group{g} {s}" for g in range(k) for s in STATS]
        row = ["A label of some length"] + ["1,234", "2,345", "52.6"] * k
        return _plan(header, [row])

    narrow, wide, wider = groups(2), groups(7), groups(14)
    assert narrow.orientation == "portrait" and len(narrow.panels) == 1
    assert wide.orientation == "landscape" and len(wide.panels) == 1
    assert wider.orientation == "landscape" and len(wider.panels) >= 2
    for plan in (narrow, wide, wider):
        portrait = plan.orientation == "portrait"
        frame = layout.PORTRAIT_WIDTH_PT if portrait else layout.LANDSCAPE_WIDTH_PT
        for panel in plan.panels:
            assert panel[0].index == 0  # every panel repeats the label column
            assert sum(plan.widths[c.index] for c in panel) <= frame
            groups_in = {c.group for c in panel[1:]}
            assert all(  # whole groups only
                sum(c.group == g for c in panel) == 3 for g in groups_in
            )
    columns = sorted(c.index for panel in wider.panels for c in panel[1:])
    assert columns == list(range(1, 1 + 14 * 3))  # every column in exactly one panel


def test_a_table_is_rebuilt_with_two_header_rows_and_every_cell():
    body = _table(
        ["Item", "Overall n", "Overall %", "Note"],
        [["Barrier &lt;b&gt;", "12", "&lt;5", "x"]],
    )
    out = layout.lay_out_tables(f'<div class="table-block">\n{body}</div>\n', STATS, font_path())
    assert '<div class="table-block">' in out and "wide" not in out
    assert '<th rowspan="2">Item</th>' in out
    assert '<th class="group" colspan="2">Overall</th>' in out
    assert '<th class="num group-start">n</th>' in out and '<td class="num">&lt;5</td>' in out
    assert "<td>Barrier &lt;b&gt;</td>" in out  # cells stay escaped
    assert out.count("<col ") == 4 and "table-layout" not in out
