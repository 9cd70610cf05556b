"""Write the hostile-file corpus: one small file per way a real office's file can go wrong.

    .venv/bin/python tests/data/hostile/make_corpus.py [FOLDER]

Writes ``cases/*.csv|xlsx`` and ``roster/*.csv`` under FOLDER (default: this folder). The
files are deterministic (fixed zip times, no random numbers): ``test_hostile_corpus``
regenerates them and compares the bytes with the committed ones. What each file must give
is in ``manifest.json`` beside this script; workbooks are written here part by part (not
with openpyxl) so that they can hold what other tools write: formulas without a cached
value, inline strings, phonetic runs, hidden sheets and rows, a declared dimension far
beyond the cells, damaged parts, and compression bombs.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
HEADER = (
    "センター番号,対象者番号,調査区分,調整区分,性別,相談時年齢,IQ相当値,療育手帳,"
    "精神障害者保健福祉手帳,身体障害者手帳,要介護認定,刑務所入所回数,釈放日,釈放時の帰住先,"
    "帰住先の変更回数,現在の居所,生活保護,フォローアップ開始日,フォローアップ終了日,終了理由,"
    "支援回数,対応:定期的な訪問・面談,課題:関係機関の協力が得られない"
).split(",")
AGE, CONTACTS, MARK = HEADER.index("相談時年齢"), HEADER.index("支援回数"), len(HEADER) - 2
ZIP_TIME = (2021, 12, 7, 0, 0, 0)


def case(center: str, n: int, *, age: object = 65, contacts: object = 12) -> list:
    """A valid ended case (cohort 2) of ``center`` with case number ``A<n>``."""
    return [
        center, f"A{n:03d}", "2", "特別調整", "男", age, "70", "有", "無", "無", "非該当", "3",
        "2020/4/10", "自宅アパート", "1", "自宅アパート", "受給", "2020/4/10", "2021/3/1",
        "地域生活の安定", contacts, "〇", "",
    ]  # fmt: skip


def rows(n: int, center: str = "C01", **kw) -> list[list]:
    return [case(center, i, **kw) for i in range(1, n + 1)]


# --- CSV --------------------------------------------------------------------------------


def csv_text(table: list[list], extra: list[str] | None = None, extra_cells=None) -> str:
    """CRLF lines; cells joined as written (a cell that needs quotes is passed quoted)."""
    header = HEADER + (extra or [])
    lines = [",".join(header)]
    for i, row in enumerate(table):
        cells = [str(c) for c in row] + ([extra_cells[i]] if extra_cells else [])
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n"


def csv_files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    body = rows(26)
    # a stray quote opening a cell of row 5 (line 6) swallows the rest of the file
    lines = csv_text(body).split("\r\n")
    cells = lines[5].split(",")
    cells[HEADER.index("釈放時の帰住先")] = '"自宅アパート'
    lines[5] = ",".join(cells)
    out["cases/stray_quote.csv"] = "\r\n".join(lines).encode("utf-8")
    # the quote opened in the last row is never closed
    lines = csv_text(rows(5)).split("\r\n")
    lines[5] = lines[5].replace("自宅アパート", '"自宅アパート', 1)
    out["cases/quote_open_at_end.csv"] = "\r\n".join(lines).encode("utf-8")
    # a quoted note over three lines with commas, in a column the pipeline ignores: fine
    notes = ['"1行目, 記入者: 山田\r\n2行目, 電話あり\r\n3行目"', "", "", "", ""]
    out["cases/quoted_note.csv"] = csv_text(rows(5), ["備考"], notes).encode("utf-8")
    # a 1 MB note in an ignored column, unquoted and quoted (beyond csv's field limit)
    big = "長い記録" * 90_000  # 360,000 characters, 1 MB
    out["cases/long_note.csv"] = csv_text(rows(3), ["備考"], [big, "", ""]).encode("utf-8")
    quoted = ['"' + big + '"', "", ""]
    out["cases/long_quoted_note.csv"] = csv_text(rows(3), ["備考"], quoted).encode("utf-8")
    # a free-text column headed with a group word: a one-row header, no row lost
    out["cases/group_word_column.csv"] = csv_text(
        rows(4), ["課題"], ["特になし", "", "要確認", ""]
    ).encode("utf-8")
    # digit grouping: valid (1,000 and full-width １，０００) and split digits (errors)
    table = rows(8)
    for i, (age, contacts) in enumerate(
        [
            (65, '"1,000"'),
            ("６５", '"１，０００"'),
            (65, '"1,200回"'),
            ('"1,2"', 12),
            ("1 2", 12),
            ("6 5", 12),
            (65, '"1,2"'),
            (65, "１　２"),
        ]
    ):
        table[i][AGE], table[i][CONTACTS] = age, contacts
    out["cases/digit_grouping.csv"] = csv_text(table).encode("utf-8")
    # cp932: bytes F0 40 (a JIS X 0213 / vendor character) decode to private use U+E000
    text = csv_text(rows(3)).encode("cp932")
    out["cases/cp932_private_use.csv"] = text.replace(b"A002", b"A\xf0\x40\x32", 1)
    # UTF-8 with a private-use character in a category cell and an unassigned one
    table = rows(3)
    table[0][HEADER.index("性別")] = "男\ue001"
    table[1][HEADER.index("要介護認定")] = "非該当\U000e0080"
    out["cases/utf8_undefined.csv"] = csv_text(table).encode("utf-8-sig")
    # neither UTF-8 nor cp932: stop, naming the lines
    out["cases/undecodable.csv"] = csv_text(rows(3)).encode("utf-8") + b"C01,\x80\xff\r\n"
    # a roster listing C02 twice with different content; its cases must go too
    roster = (
        "センター番号,都道府県,運営主体,全定協会員,対象件数,回答状況\r\n"
        "C01,北海道,社会福祉法人,会員,10,回答\r\n"
        "C02,青森県,済生会,会員,5,回答\r\n"
        "C02,青森県,済生会,会員,6,回答\r\n"
        "C03,岩手県,NPO法人,非会員,0,未回答\r\n"
    )
    out["roster/duplicate_center.csv"] = roster.encode("utf-8")
    out["roster/cases_of_duplicate_center.csv"] = csv_text(
        rows(3) + rows(4, "C02")
    ).encode("utf-8")
    return out


# --- xlsx -------------------------------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def column_letters(j: int) -> str:
    """0-based column -> ``A`` … ``XFD``."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def cell_xml(ref: str, value: object) -> str:
    """A cell: numbers as numbers, ``("f", formula, cached)`` as a formula (cached None:
    no value saved), ``("e", "#DIV/0!")`` an error, text inline."""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple) and value[0] == "f":
        cached = "" if value[2] is None else f"<v>{value[2]}</v>"
        return f'<c r="{ref}"><f>{escape(value[1])}</f>{cached}</c>'
    if isinstance(value, tuple) and value[0] == "e":
        return f'<c r="{ref}" t="e"><f>1/0</f><v>{value[1]}</v></c>'
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(
    table: list[list],
    *,
    hidden_rows=(),
    merges=(),
    dimension: str | None = None,
    extra_cells: str = "",
) -> str:
    lines = []
    for i, row in enumerate(table, start=1):
        cells = "".join(cell_xml(f"{column_letters(j)}{i}", v) for j, v in enumerate(row))
        hidden = ' hidden="1"' if i in hidden_rows else ""
        lines.append(f'<row r="{i}"{hidden}>{cells}</row>')
    merged = ""
    if merges:
        refs = "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        merged = f'<mergeCells count="{len(merges)}">{refs}</mergeCells>'
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}" '
        f'xmlns:r="{NS_R}">{dim}<sheetData>{"".join(lines)}{extra_cells}</sheetData>'
        f"{merged}</worksheet>"
    )


def workbook(
    sheets: list[tuple[str, str, str]],
    *,
    shared: str | None = None,
    styles: str | None = None,
    date1904: bool = False,
    replace: dict[str, bytes | list[bytes] | None] | None = None,
) -> bytes:
    """A zip of the parts of a workbook; ``sheets``: (name, state, sheet XML); ``replace``
    part name -> its bytes, a list of chunks (a large part, written chunk by chunk) or None
    (the part left out)."""
    parts: dict[str, bytes | None] = {}
    overrides = []
    sheet_entries, rels = [], []
    for i, (name, state, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml.encode("utf-8")
        st = "" if state == "visible" else f' state="{state}"'
        sheet_entries.append(f'<sheet name="{escape(name)}" sheetId="{i}"{st} r:id="rId{i}"/>')
        rels.append(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        )
    n = len(sheets)
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared.encode("utf-8")  # or replaced
        rels.append(
            f'<Relationship Id="rId{n + 1}" Type="{REL}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    if styles is not None:
        parts["xl/styles.xml"] = styles.encode("utf-8")
        rels.append(f'<Relationship Id="rId{n + 2}" Type="{REL}/styles" Target="styles.xml"/>')
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" '
        f'xmlns:r="{NS_R}">{pr}<sheets>{"".join(sheet_entries)}</sheets></workbook>'
    ).encode()
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        f'xmlns="{NS_PKG}">{"".join(rels)}</Relationships>'
    ).encode()
    parts["_rels/.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
        f'xmlns="{NS_PKG}"><Relationship Id="rId1" Type="{REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ).encode()
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://'
        'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/><Override '
        'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sheet.main+xml"/>{"".join(overrides)}</Types>'
    ).encode()
    parts.update(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(parts):
            if parts[name] is None:
                continue
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            chunks = parts[name]
            with archive.open(info, "w", force_zip64=True) as stream:
                for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
                    stream.write(chunk)
    return out.getvalue()


def table_of(body: list[list]) -> list[list]:
    return [HEADER, *body]


DATE_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts>'
    '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def xlsx_files() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    stale = rows(5, age=99)
    fresh = rows(5)
    # the first sheet is a hidden stale copy: read the visible one, say so
    out["cases/hidden_first_sheet.xlsx"] = workbook(
        [("対象者 (旧)", "hidden", sheet_xml(table_of(stale))),
         ("Sheet2", "visible", sheet_xml(table_of(fresh)))]
    )  # fmt: skip
    # the sheet named 対象者 is hidden: the visible one is read
    out["cases/hidden_named_sheet.xlsx"] = workbook(
        [("Sheet1", "visible", sheet_xml(table_of(fresh))),
         ("対象者", "hidden", sheet_xml(table_of(stale)))]
    )  # fmt: skip
    out["cases/no_visible_sheet.xlsx"] = workbook(
        [("対象者", "hidden", sheet_xml(table_of(fresh))),
         ("old", "veryHidden", sheet_xml(table_of(stale)))]
    )  # fmt: skip
    # hidden data rows: read, with a notice naming them
    out["cases/hidden_rows.xlsx"] = workbook(
        [("対象者", "visible", sheet_xml(table_of(rows(6)), hidden_rows=(3, 4)))]
    )
    # ten ages as formulas saved without a cached value (as openpyxl and others save them)
    body = rows(12)
    for i in range(10):
        body[i][AGE] = ("f", "40+25", None)
    body[10][AGE] = ("f", "40+25", 65)  # with its value: read as 65
    out["cases/formula_without_value.xlsx"] = workbook(
        [("対象者", "visible", sheet_xml(table_of(body)))]
    )
    body = rows(3)
    body[1][AGE] = ("e", "#DIV/0!")
    out["cases/formula_error.xlsx"] = workbook([("対象者", "visible", sheet_xml(table_of(body)))])
    # a mark merged over three data rows (rows 3-5); the header merge is fine
    body = rows(6)
    for i in (2, 3):
        body[i][MARK] = ""
    mark = column_letters(MARK)
    out["cases/merged_mark.xlsx"] = workbook(
        [("対象者", "visible", sheet_xml(table_of(body), merges=(f"{mark}3:{mark}5",)))]
    )
    # one stray value in XFD1048576, and a dimension declaring the whole sheet
    out["cases/stray_cell_xfd1048576.xlsx"] = workbook(
        [
            (
                "対象者",
                "visible",
                sheet_xml(
                    table_of(rows(4)),
                    dimension="A1:XFD1048576",
                    extra_cells=cell_xml_row(1_048_576, "XFD", "x"),
                ),
            )
        ]
    )
    # 2,000 rows, each with a stray cell in column XFD (a far-right note)
    stray = sheet_xml(table_of(rows(2000))).replace(
        "</row>", '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    stray = re.sub(r'<row r="(\d+)">(.*?)<c r="XFD1"', r'<row r="\1">\2<c r="XFD\1"', stray)
    out["cases/stray_column_xfd_every_row.xlsx"] = workbook([("対象者", "visible", stray)])
    # shared strings (with a phonetic guide, rich text) and Excel date cells, 1904 calendar
    strings = [
        "センター番号", "対象者番号", "C01", "自宅アパート",
    ]  # fmt: skip
    shared = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        + "<si><r><t>特別</t></r><r><t>調整</t></r>"
        "<rPh sb=\"0\" eb=\"2\"><t>トクベツ</t></rPh></si></sst>"
    )
    header_cells = "".join(
        f'<c r="{column_letters(j)}1" t="s"><v>{strings.index(h)}</v></c>'
        if h in strings
        else cell_xml(f"{column_letters(j)}1", h)
        for j, h in enumerate(HEADER)
    )
    body_rows = []
    for i, row in enumerate(rows(3), start=2):
        cells = []
        for j, v in enumerate(row):
            ref = f"{column_letters(j)}{i}"
            if HEADER[j] == "センター番号":
                cells.append(f'<c r="{ref}" t="s"><v>2</v></c>')
            elif HEADER[j] == "調整区分":
                cells.append(f'<c r="{ref}" t="s"><v>4</v></c>')
            elif HEADER[j] in ("釈放日", "フォローアップ開始日"):
                cells.append(f'<c r="{ref}" s="1"><v>42469</v></c>')  # 2020-04-10 (1904)
            else:
                cells.append(cell_xml(ref, v))
        body_rows.append(f'<row r="{i}">{"".join(cells)}</row>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
        f'<sheetData><row r="1">{header_cells}</row>{"".join(body_rows)}</sheetData></worksheet>'
    )
    out["cases/shared_strings_dates_1904.xlsx"] = workbook(
        [("対象者", "visible", sheet)], shared=shared, styles=DATE_STYLES, date1904=True
    )
    # 20 million shared strings in a small file: a compression bomb
    bomb = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NS}">'.encode()]
    bomb += [b"<si><t></t></si>" * 100_000] * 200 + [b"</sst>"]
    out["cases/shared_strings_bomb.xlsx"] = workbook(
        [("対象者", "visible", sheet_xml(table_of(rows(2))))],
        replace={"xl/sharedStrings.xml": bomb},
        shared="",
    )
    # a sheet of a million empty rows compressed far beyond any real sheet
    sheet = sheet_xml(table_of(rows(4))).encode().split(b"</sheetData>")
    sheet[1:1] = [b"<row/>" * 100_000] * 10 + [b"</sheetData>"]
    out["cases/sheet_bomb.xlsx"] = workbook(
        [("対象者", "visible", "")], replace={"xl/worksheets/sheet1.xml": sheet}
    )
    good = [("対象者", "visible", sheet_xml(table_of(rows(3))))]
    out["cases/malformed_workbook_xml.xlsx"] = workbook(
        good, replace={"xl/workbook.xml": b"<workbook><sheets><sheet name='x'"}
    )
    out["cases/truncated_sheet_xml.xlsx"] = workbook(
        good,
        replace={"xl/worksheets/sheet1.xml": sheet_xml(table_of(rows(3))).encode()[:900]},
    )
    out["cases/missing_sheet_part.xlsx"] = workbook(
        good, replace={"xl/worksheets/sheet1.xml": None}
    )
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        f'<sst xmlns="{NS}"><si><t>&c;</t></si></sst>'
    )
    out["cases/entity_expansion.xlsx"] = workbook(good, shared=laughs)
    bad_index = sheet_xml(table_of(rows(2))).replace(
        '<c r="A2" t="inlineStr"><is><t>C01</t></is></c>', '<c r="A2" t="s"><v>7</v></c>'
    )
    out["cases/shared_string_index_out_of_range.xlsx"] = workbook(
        [("対象者", "visible", bad_index)], shared=shared
    )
    out["cases/not_a_zip.xlsx"] = b"PK\x03\x04 this is not a workbook"
    return out


def cell_xml_row(row: int, column: str, value: str) -> str:
    return f'<row r="{row}">{cell_xml(f"{column}{row}", value)}</row>'


def corpus() -> dict[str, bytes]:
    return {**csv_files(), **xlsx_files()}


def write(folder: Path) -> list[Path]:
    written = []
    for name, data in corpus().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in write(target):
        print(f"{path.stat().st_size:>9,}  {path.relative_to(target)}")
