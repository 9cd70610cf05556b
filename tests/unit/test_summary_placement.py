"""The summary places the tables and figures config/report.yaml assigns to each section, from a
report.yaml edited in the test (the fixture bundle's tables, built as the rules build them):
an added table shows in its section of the Markdown, the HTML, the PDF's text layer and the
Word document with the cells of its .md file; removed items are absent and the summary still
renders; a moved item shows in its new section; a section the template does not show stops
the summary with a message naming it."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import docx
import pdfplumber
import pytest
import report_fixtures as fx
import yaml
from markdown_it import MarkdownIt
from PIL import Image

from teichaku.report import stage, summary, word
from teichaku.report.provenance import write_provenance
from teichaku.report.spec import parse_report_spec
from teichaku.report.summary import SummaryPlacementError

pytestmark = pytest.mark.slow  # every summary is rendered to PDF (seconds each)

DEFAULT = yaml.safe_load(fx.REPORT_SPEC.read_text(encoding="utf-8"))
EXTRA = {
    "name": "tableX_extra",
    "builder": "basic_attributes",
    "section": "support",
    "category": "support",
    "title": {"ja": "表X 追加の表(基本属性)", "en": "Table X. An added table (basic attributes)"},
}
#: The heading of each section in the templates, as the summary prints it.
HEADINGS = {
    "ja": {
        "basic_attributes": "調査の概要と基本属性",
        "support": "センターによる支援",
        "followup": "支援上の課題とフォローアップの経過",
        "models": "モデル",
        "awareness": "認識調査",
    },
    "en": {
        "basic_attributes": "The survey and basic attributes",
        "support": "Support given by the centers",
        "followup": "Barriers and the course of follow-up",
        "models": "Models",
        "awareness": "Awareness survey",
    },
}


def edited(edit) -> dict:
    raw = copy.deepcopy(DEFAULT)
    edit(raw)
    return raw


@pytest.fixture(scope="module")
def bundle():
    return fx.bundle()


@pytest.fixture(scope="module", params=["ja", "en"])
def built(request, bundle, tmp_path_factory):
    """The tables of the default report and the added one in ``language`` (as the
    report_table jobs write them), a stand-in PNG for every figure and provenance.txt."""
    language = request.param
    out = tmp_path_factory.mktemp(f"placement_{language}")
    raw = edited(lambda r: r["tables"].append(dict(EXTRA)))
    stage.run_tables(
        inputs=fx.report_inputs(bundle),
        settings=stage.settings_from_config(fx.fixture_config(language), language),
        codebook=fx.fixture_config(language)["codebook"],
        label_file=fx.LABEL_FILE,
        out_dir=out / "tables",
        report=parse_report_spec(raw, analysis=bundle["spec"]),
    )
    (out / "figures").mkdir()
    for i, figure in enumerate(DEFAULT["figures"]):
        Image.new("RGB", (40, 20), (20 * i, 90, 160)).save(
            out / "figures" / f"{figure['name']}.png"
        )
    write_provenance(
        config=fx.fixture_config(language),
        inputs=[fx.PUBLISHED],
        repo_dir=out,
        extra_configs={},
        raw_dir=out / "raw",
        out=out / "provenance.txt",
    )
    return language, out


def render(built, bundle, raw: dict, name: str, with_docx: bool = True) -> dict:
    """The summary (md, html, pdf, and docx unless not ``with_docx``) of report.yaml ``raw`` from
    the built tables."""
    language, out = built
    folder = out / name
    folder.mkdir()
    stage.run_summary(
        inputs=fx.report_inputs(bundle),
        config=fx.fixture_config(language),
        language=language,
        codebook=fx.fixture_config(language)["codebook"],
        label_file=fx.LABEL_FILE,
        template_dir=fx.REPORT_ASSETS,
        css=fx.REPORT_ASSETS / "summary.css",
        tables_dir=out / "tables",
        figures_dir=out / "figures",
        report=parse_report_spec(raw, analysis=bundle["spec"]),
        provenance_file=out / "provenance.txt",
        out_md=folder / "summary.md",
        out_html=folder / "summary.html",
        out_pdf=folder / "summary.pdf",
    )
    if with_docx:
        word.write_docx(folder / "summary.md", folder / "summary.docx")
    return {ext: folder / f"summary.{ext}" for ext in ("md", "html", "pdf", "docx")}


# --------------------------------------------------------------------------- reading


def sections_of(markdown: str) -> dict[str, str]:
    """The Markdown under each heading of level 2 or 3 (up to the next such heading)."""
    parts = re.split(r"^#{2,3} (.+)$", markdown, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def md_table(text: str) -> list[list[str]]:
    """The rows (header first) of the one pipe table of a table's .md file, as rendered."""
    rows, row = [], None
    for tok in MarkdownIt("commonmark").enable("table").parse(text):
        if tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "inline" and row is not None:
            row.append(
                "".join(c.content for c in tok.children if c.type in ("text", "code_inline"))
            )
    return rows


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def html_sections(document: str) -> dict[str, str]:
    """The HTML under each h2/h3 heading."""
    parts = re.split(r"<h[23]>(.*?)</h[23]>", document)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def html_block(section_html: str, title: str) -> str:
    """The table block of ``section_html`` whose title is ``title``."""
    blocks = re.findall(r'<div class="table-block[^"]*">\n(.*?)</div>\n', section_html, re.S)
    hits = [b for b in blocks if f"<strong>{title}</strong>" in b]
    assert len(hits) == 1, f"{title!r}: {len(hits)} blocks in the section"
    return hits[0]


def html_rows(block: str) -> list[list[str]]:
    """The body rows of a table block; a table split into panels joined row by row (each
    panel repeats the label column)."""
    panels = re.findall(r"<tbody>\n(.*?)</tbody>", block, re.S)
    joined: list[list[str]] = []
    for p, body in enumerate(panels):
        rows = [
            [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>\n(.*?)</tr>", body, re.S)
        ]
        joined = rows if p == 0 else [a + b[1:] for a, b in zip(joined, rows, strict=True)]
    return joined


def pdf_text(path: Path) -> str:
    """The PDF's characters in the order they are written (a wrapped cell's lines one after
    the other), white space left out."""
    with pdfplumber.open(path) as pdf:
        return "".join(
            c["text"] for page in pdf.pages for c in page.chars if not c["text"].isspace()
        )


def header_shown(cell: str, text: str) -> bool:
    """A header cell is in ``text`` whole, or split at a space into a group's label and the
    statistic under it (the HTML's two-row header of grouped columns)."""
    words = cell.split()
    return squeeze(cell) in text or any(
        squeeze(" ".join(words[:i])) in text and squeeze(" ".join(words[i:])) in text
        for i in range(1, len(words))
    )


def between(text: str, headings: list[str], first: str, then: str | None) -> str:
    """The part of ``text`` from heading ``first`` to heading ``then``, the headings found
    in the order of ``headings`` (a heading's words may come earlier in the prose)."""
    cursor, spans = 0, {}
    for heading in headings:
        pos = text.find(squeeze(heading), cursor)
        assert pos >= 0, f"heading {heading!r} not found after position {cursor}"
        spans[heading] = pos
        cursor = pos + len(squeeze(heading))
    return text[spans[first] : spans[then] if then else len(text)]


def docx_sections(path: Path) -> dict[str, dict]:
    """The Word document's tables under each heading paragraph (Heading 1/2 styles), by the
    text of the paragraph before each (a table's title)."""
    doc = docx.Document(io.BytesIO(path.read_bytes()))
    out: dict[str, dict] = {}
    current, before = None, ""
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, doc)
            if paragraph.style.name in ("Heading 1", "Heading 2"):
                current = paragraph.text
                out[current] = {}
            elif paragraph.text:
                before = paragraph.text
        elif tag == "tbl" and current is not None:
            table = docx.table.Table(child, doc)
            out[current][before] = [[cell.text for cell in row.cells] for row in table.rows]
    return out


# --------------------------------------------------------------------------- tests


def test_an_added_table_is_in_its_section_of_every_document(built, bundle):
    language, out = built
    files = render(built, bundle, edited(lambda r: r["tables"].append(dict(EXTRA))), "added")
    table_md = (out / "tables" / "tableX_extra.md").read_text(encoding="utf-8")
    title, rows = EXTRA["title"][language], md_table(table_md)
    heads = HEADINGS[language]
    assert len(rows) > 10 and title in table_md

    markdown = files["md"].read_text(encoding="utf-8")
    sections = sections_of(markdown)
    assert table_md.rstrip() in sections[heads["support"]]
    assert sum(table_md.rstrip() in text for text in sections.values()) == 1
    # after the support section's own table, before the next section
    support = sections[heads["support"]]
    default_md = (out / "tables" / "table2_support_by_cohort.md").read_text(encoding="utf-8")
    assert support.index(default_md.rstrip()) < support.index(table_md.rstrip())

    block = html_block(
        html_sections(files["html"].read_text(encoding="utf-8"))[heads["support"]], title
    )
    assert html_rows(block) == rows[1:]
    head_text = squeeze(re.sub(r"<[^>]+>", "", block.split("<tbody>")[0]))
    assert all(header_shown(cell, head_text) for cell in rows[0])

    text = pdf_text(files["pdf"])
    order = [heads[s] for s in ("support", "followup")]
    part = between(text, order, heads["support"], heads["followup"])
    assert squeeze(title) in part
    assert all(header_shown(cell, part) for cell in rows[0])
    missing = [cell for row in rows[1:] for cell in row if squeeze(cell) not in part]
    assert missing == []
    assert squeeze(title) not in text.replace(part, "")

    tables = docx_sections(files["docx"])
    assert tables[heads["support"]][title] == rows
    assert [h for h in tables if title in tables[h]] == [heads["support"]]


def _removed_and_moved(raw: dict) -> None:
    """Table 1 and Figure 1 out; Table 2 to the appendix, Figure 7 to the support section."""
    raw["tables"] = [t for t in raw["tables"] if t["name"] != "table1_basic_attributes"]
    raw["figures"] = [f for f in raw["figures"] if f["name"] != "fig1_coverage"]
    next(t for t in raw["tables"] if t["name"] == "table2_support_by_cohort")["section"] = (
        "appendix"
    )
    next(f for f in raw["figures"] if f["name"] == "fig7_threshold_sensitivity")["section"] = (
        "support"
    )


def test_removed_items_are_absent_and_moved_ones_in_their_new_section(built, bundle):
    language, out = built
    files = render(built, bundle, edited(_removed_and_moved), "edited")
    heads = HEADINGS[language]
    markdown = files["md"].read_text(encoding="utf-8")
    sections = sections_of(markdown)

    def title(name: str) -> str:
        return md_title(out / "tables" / f"{name}.md")

    assert title("table1_basic_attributes") not in markdown
    assert "fig1_coverage.png" not in markdown
    # the sentences that cited them do not
    cite = {"ja": ("(表1)", "(図1)"), "en": ("(Table 1)", "(Figure 1)")}[language]
    assert not any(c in markdown for c in cite)

    table2 = (out / "tables" / "table2_support_by_cohort.md").read_text(encoding="utf-8").rstrip()
    appendix = [h for h in sections if table2 in sections[h]]
    assert appendix == [{"ja": "付録の図表", "en": "Further tables and figures"}[language]]
    assert list(sections).index(appendix[0]) > list(sections).index(heads["awareness"])
    assert "fig7_threshold_sensitivity.png" in sections[heads["support"]]
    assert "fig7_threshold_sensitivity.png" not in sections[heads["models"]]

    # the same in the HTML, the PDF (which still renders) and the Word document
    document = files["html"].read_text(encoding="utf-8")
    assert title("table1_basic_attributes") not in document
    assert title("table2_support_by_cohort") in html_sections(document)[appendix[0]]
    with pdfplumber.open(files["pdf"]) as pdf:
        assert len(pdf.pages) > 3
    assert squeeze(title("table1_basic_attributes")) not in pdf_text(files["pdf"])
    tables = docx_sections(files["docx"])
    in_word = [h for h in tables if title("table2_support_by_cohort") in tables[h]]
    assert in_word == appendix
    assert tables[appendix[0]][title("table2_support_by_cohort")] == md_table(table2)


def md_title(path: Path) -> str:
    """The bold title line of a table's .md file."""
    return re.match(r"\*\*(.+)\*\*", path.read_text(encoding="utf-8")).group(1)


def test_a_default_report_keeps_the_appendix_of_models(built, bundle, monkeypatch):
    """The sentence that points to the appendix and the appendix's heading follow what it
    holds: sensitivity analyses and secondary models, or only the model checks (the
    Markdown only: no PDF drawn)."""
    monkeypatch.setattr(summary, "html_to_pdf", lambda document: b"")
    language, _ = built
    with_models = render(built, bundle, DEFAULT, "default", with_docx=False)["md"].read_text(
        encoding="utf-8"
    )
    without = edited(
        lambda r: r.update(tables=[t for t in r["tables"] if t["section"] != "appendix"])
    )
    only_checks = render(built, bundle, without, "no_appendix_tables", with_docx=False)[
        "md"
    ].read_text(encoding="utf-8")
    heading = {"ja": "感度分析と副次モデル", "en": "Sensitivity analyses and secondary models"}
    assert heading[language] in sections_of(with_models)
    assert heading[language] not in sections_of(only_checks)
    pointer = {
        "ja": (
            "感度分析・副次モデルの推定値とモデル診断の結果は付録に示す。",
            "モデル診断の結果は付録に示す。",
        ),
        "en": (
            "The sensitivity analyses, the secondary models and the model checks are in the "
            "appendix.",
            "The model checks are in the appendix.",
        ),
    }[language]
    assert pointer[0] in with_models and pointer[0] not in only_checks
    assert pointer[1] in only_checks


def test_a_section_the_template_does_not_show_stops_the_summary(built, bundle):
    def new_section(raw):
        raw["sections"].append("crosstabs")
        raw["tables"].append(dict(EXTRA, section="crosstabs"))

    with pytest.raises(SummaryPlacementError, match=r"crosstabs: tableX_extra") as error:
        render(built, bundle, edited(new_section), "unplaced")
    assert "report.place" in str(error.value)
    assert not (built[1] / "unplaced" / "summary.md").exists()
