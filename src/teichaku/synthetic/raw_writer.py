"""Write the synthetic survey as a raw folder in the layout of FORMAT.md.

roster.xlsx, awareness.xlsx and cases/ (one file per responding center, mostly xlsx, a few
cp932 or UTF-8-BOM CSV), messy the way real submissions are, plus truth.json (the true
model) and defects.json (where each injected defect row is and which rule must reject it).
Every random choice is drawn from the config's seed, so the same seed writes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook, Table
from teichaku.synthetic.defects import Defect, plan_defects
from teichaku.synthetic.population import SyntheticSurvey, reiwa_fiscal_year
from teichaku.synthetic.sheets import (
    LINE_BREAK,
    HeaderStyle,
    column_blocks,
    header_rows,
    to_rows,
    write_csv,
)
from teichaku.synthetic.spelling import CellStyle, format_date, render_column
from teichaku.synthetic.xlsx import SheetData, write_xlsx

EXTRA_COLUMN = "備考"  # an unknown column some centers add: kept out of the clean data
EXTRA_NOTES = ("要確認", "転居予定", "家族と連絡あり", "入院中")
CENTER_STYLES = ("C01", "1", "01", "C1", "full")
EXAMPLE_SHEET = "記入例"
COUNCIL = "全国地域生活定着支援センター協議会"
SUMMARY_SHEET = "集計"


@dataclass
class FileStyle:
    fmt: str  # xlsx | csv
    cell: CellStyle
    header: HeaderStyle
    title_rows: int
    shuffle: bool
    extra_column: bool
    extra_sheet: bool
    contacts: bool


def _draw_style(
    cfg: dict, codebook: Codebook, rng, fmt: str, encoding: str | None, contacts: bool = True
) -> FileStyle:
    raw = cfg["raw"]
    date_styles = raw["date_styles"]
    names = list(date_styles)
    weights = np.array([date_styles[s] for s in names], dtype=float)
    main = names[rng.choice(len(names), p=weights / weights.sum())]
    if encoding is not None and main == "excel":
        main = "slash"
    cell = CellStyle(
        encoding,
        main,
        date_styles,
        raw["full_width_share"],
        raw["unit_share"],
        raw["missing_code_share"],
        "",
        "",
        "",
    )
    yes = cell.options(codebook.mark_yes)
    cell.mark_yes = yes[rng.integers(len(yes))]
    no = ["", "", *cell.options(codebook.mark_no)]  # blank is the usual "no"
    cell.mark_no = no[rng.integers(len(no))]
    cell.center_style = CENTER_STYLES[rng.integers(len(CENTER_STYLES))]
    separators = list(codebook.group_separators) + ([LINE_BREAK] if fmt == "xlsx" else [])
    header = HeaderStyle(
        two_rows=fmt == "xlsx" and rng.random() < raw["two_row_header_share"],
        merge_vertical=bool(rng.random() < 0.5),
        separator=separators[rng.integers(len(separators))],
        alias_share=raw["alias_share"],
        space_share=raw["header_space_share"],
        full_width_share=raw["full_width_share"],
    )
    return FileStyle(
        fmt=fmt,
        cell=cell,
        header=header,
        title_rows=int(rng.integers(0, raw["title_rows_max"] + 1)),
        shuffle=bool(rng.random() < raw["shuffle_share"]),
        extra_column=bool(rng.random() < raw["extra_column_share"]),
        extra_sheet=fmt == "xlsx" and rng.random() < raw["extra_sheet_share"],
        contacts=contacts,
    )


def survey_texts(codebook: Codebook) -> dict[str, str]:
    """The round's dates as the survey's documents write them (令和3年度, 令和3年10月21日)."""
    survey = codebook.survey
    return {
        "fiscal_year": f"令和{reiwa_fiscal_year([survey['period_start']])[0]}年度",
        "reference_date": format_date(survey["reference_date"], "era_kanji", codebook),
    }


def _title_rows(n: int, table: Table, place: str, codebook: Codebook) -> list[list]:
    texts = survey_texts(codebook)
    lines = [
        f"{texts['fiscal_year']} フォローアップ実態調査 {table.label_ja}",
        place,
        f"※{texts['reference_date']}時点で記入してください",
    ]
    rows = [[lines[i % len(lines)]] for i in range(n)]
    if n:
        rows.append([])  # a blank row between the titles and the header
    return rows


def _columns(table: Table, style: FileStyle, rng) -> list[list[str]]:
    names = [n for n, v in table.variables.items() if style.contacts or n != "contacts"]
    if style.extra_column:
        names.append(EXTRA_COLUMN)
    blocks = column_blocks(table, names)
    if style.shuffle:
        blocks = [blocks[i] for i in rng.permutation(len(blocks))]
        blocks = [b if len(b) == 1 else [b[i] for i in rng.permutation(len(b))] for b in blocks]
    return blocks


def render_table(
    frame: pd.DataFrame, table: Table, columns: list[str], style: FileStyle, codebook: Codebook, rng
) -> np.ndarray:
    """A 2-D object array of raw cells (rows of ``frame`` x ``columns``)."""
    out = np.empty((len(frame), len(columns)), dtype=object)
    numeric = style.fmt == "xlsx"
    for j, name in enumerate(columns):
        if name == EXTRA_COLUMN:
            notes = np.array([None, *EXTRA_NOTES], dtype=object)
            p = np.array([0.85] + [0.15 / len(EXTRA_NOTES)] * len(EXTRA_NOTES))
            out[:, j] = notes[rng.choice(len(notes), len(frame), p=p)]
        else:
            out[:, j] = render_column(
                table.variables[name], frame, style.cell, codebook, rng, numeric
            )
    return out


def _layout(
    table: Table, blocks, style: FileStyle, place: str, codebook: Codebook, rng
) -> tuple[list, list, int]:
    titles = _title_rows(style.title_rows, table, place, codebook)
    heads, merges = header_rows(
        table,
        blocks,
        {EXTRA_COLUMN: EXTRA_COLUMN},
        style.header,
        style.cell,
        rng,
        top=len(titles) + 1,
    )
    return titles + heads, merges, len(titles) + len(heads) + 1


def _sheets(table: Table, sheet: SheetData, n_rows: int, style: FileStyle, rng) -> list[SheetData]:
    """The sheets of a workbook holding ``sheet`` (of ``n_rows`` rows in all), drawn for a
    CSV file too (which holds the data sheet only), so that the draws after it stay the
    same."""
    if not style.extra_sheet:
        if rng.random() < 0.5:
            sheet.name = "Sheet1"
        return [sheet]
    example = SheetData(EXAMPLE_SHEET, rows=[[f"{table.label_ja}の記入例"], ["（省略）"]])
    summary = SheetData(SUMMARY_SHEET, rows=[["件数"], [n_rows]])
    return [example, sheet] if rng.random() < 0.7 else [sheet, summary, example]


def _write_file(
    path: Path, table: Table, sheet: SheetData, body: np.ndarray, style: FileStyle, codebook, rng
) -> str:
    """Write the file of ``sheet`` (its header rows drawn) with ``body``, the cells of its
    data rows, below them; returns the data sheet's name."""
    sheets = _sheets(table, sheet, len(sheet.rows) + len(body), style, rng)
    if style.fmt == "xlsx":
        sheet.rows = sheet.rows + to_rows(body)
        write_xlsx(path, sheets, dt.datetime.combine(codebook.survey["period_end"], dt.time()))
    else:
        write_csv(path, sheet.rows, body, style.cell.encoding)
    return sheet.name


def write_cases_file(
    path: Path,
    frame: pd.DataFrame,
    defects: list[Defect],
    table: Table,
    style: FileStyle,
    place: str,
    codebook: Codebook,
    rng,
) -> list[dict]:
    """One center's file: its valid rows plus the defect rows placed among them.

    Returns the manifest entries (with the 1-based sheet or CSV record row of each defect).
    """
    blocks = _columns(table, style, rng)
    columns = [c for b in blocks for c in b]
    with_values = [d for d in defects if d.values is not None]
    rows = frame
    if with_values:
        extra = pd.DataFrame([d.values for d in with_values]).astype(frame.dtypes.to_dict())
        rows = pd.concat([frame, extra], ignore_index=True)
    cells = render_table(rows, table, columns, style, codebook, rng)
    col_index = {c: j for j, c in enumerate(columns)}
    n_valid = len(frame)
    for k, d in enumerate(with_values):
        for column, text in d.raw.items():
            cells[n_valid + k, col_index[column]] = text
    # order: valid rows, defect rows at random places, duplicates after their source,
    # note rows at the bottom
    sequence: list = list(range(n_valid))
    for k, d in enumerate(with_values):
        sequence.insert(int(rng.integers(0, len(sequence) + 1)), (n_valid + k, d))
    local = {idx: pos for pos, idx in enumerate(frame.index)}
    for d in defects:
        if d.source is not None:
            at = sequence.index(local[d.source])
            sequence.insert(at + 1, (local[d.source], d))
    for d in defects:
        if d.note is not None:
            sequence.append((None, d))
    header, merges, first = _layout(table, blocks, style, place, codebook, rng)
    # the body as positions into the rendered cells followed by the note rows: one take
    order, notes, manifest = [], [], []
    note_col = 1 if columns[0] == "case_ref" else 0
    for pos, item in enumerate(sequence):
        if not isinstance(item, tuple):
            order.append(item)
            continue
        idx, d = item
        if idx is None:
            row = [None] * len(columns)
            row[note_col] = d.note
            order.append(len(cells) + len(notes))
            notes.append(row)
        else:
            order.append(idx)
            row = cells[idx]
        cell = row[col_index[d.column]] if d.column in col_index else None
        manifest.append(
            {
                "file": f"cases/{path.name}",
                "sheet": None,  # filled below for xlsx
                "row": first + pos,
                "kind": d.kind,
                "rule": d.rule,
                "column": d.column,
                "value": cell.isoformat() if isinstance(cell, dt.datetime) else cell,
                "center_id": d.center_id,
                "case_ref": (d.values or {}).get("case_ref")
                if d.source is None
                else frame.loc[d.source, "case_ref"],
            }
        )
    if notes:
        cells = np.concatenate([cells, np.array(notes, dtype=object)])
    sheet = SheetData(table.sheet, rows=header, merges=merges, first_data_row=first)
    name = _write_file(
        path, table, sheet, cells[np.array(order, dtype=np.int64)], style, codebook, rng
    )
    for entry in manifest:
        entry["sheet"] = name if style.fmt == "xlsx" else None
    return manifest


def write_simple(
    path: Path,
    frame: pd.DataFrame,
    table: Table,
    style: FileStyle,
    place: str,
    codebook: Codebook,
    rng,
) -> None:
    """roster.xlsx or awareness.xlsx."""
    blocks = _columns(table, style, rng)
    columns = [c for b in blocks for c in b]
    cells = render_table(frame, table, columns, style, codebook, rng)
    header, merges, first = _layout(table, blocks, style, place, codebook, rng)
    sheet = SheetData(table.sheet, rows=header, merges=merges, first_data_row=first)
    _write_file(path, table, sheet, cells, style, codebook, rng)


def _file_formats(centers: list[str], cfg: dict, rng) -> dict[str, tuple[str, str | None]]:
    raw = cfg["raw"]
    order = [centers[i] for i in rng.permutation(len(centers))]
    n_sjis, n_bom = raw["csv_cp932_centers"], raw["csv_utf8_bom_centers"]
    large = float(cfg["scale"]) > 1 and raw["format_large"] == "csv"
    out = {}
    for k, center in enumerate(order):
        if k < n_sjis:
            out[center] = ("csv", "cp932")
        elif k < n_sjis + n_bom:
            out[center] = ("csv", "utf-8-sig")
        elif large:
            out[center] = ("csv", "utf-8")
        else:
            out[center] = ("xlsx", None)
    return out


def write_survey(
    survey: SyntheticSurvey, cfg: dict, raw_dir: str | Path, codebook: Codebook
) -> dict:
    """Write the raw folder; returns the defect manifest (also written to defects.json)."""
    raw_dir = Path(raw_dir)
    cases_dir = raw_dir / "cases"
    cases_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([int(cfg["seed"]), 1])
    tables = codebook.tables
    pref_ja = {lv.code: lv.ja for lv in codebook.variable("roster", "prefecture").levels}
    place = dict(
        zip(
            survey.roster["center_id"],
            (f"{pref_ja[p]}地域生活定着支援センター" for p in survey.roster["prefecture"]),
            strict=True,
        )
    )
    write_simple(
        raw_dir / "roster.xlsx",
        survey.roster,
        tables["roster"],
        _draw_style(cfg, codebook, rng, "xlsx", None),
        COUNCIL,
        codebook,
        rng,
    )
    write_simple(
        raw_dir / "awareness.xlsx",
        survey.awareness,
        tables["awareness"],
        _draw_style(cfg, codebook, rng, "xlsx", None),
        "認識調査 回答一覧",
        codebook,
        rng,
    )

    cases = survey.cases
    defects = plan_defects(
        cases, cfg["defects"], len(survey.roster), codebook, rng, survey_texts(codebook)
    )
    centers = list(dict.fromkeys(cases["center_id"].tolist()))  # iterating the Series is slow
    formats = _file_formats(centers, cfg, rng)
    no_contacts = set(survey.truth["centers_without_contacts"])
    manifest = []
    for center, idx in cases.groupby("center_id", sort=True).indices.items():
        fmt, encoding = formats[center]
        style = _draw_style(cfg, codebook, rng, fmt, encoding, center not in no_contacts)
        pref = place[center].removesuffix("地域生活定着支援センター")
        path = cases_dir / f"フォローアップ調査_{pref}_{center}.{fmt}"
        here = [d for d in defects if d.center_id == center]
        manifest += write_cases_file(
            path, cases.iloc[idx], here, tables["cases"], style, place[center], codebook, rng
        )
    rejected = [m for m in manifest if m["rule"] != "exact_duplicate"]
    result = {
        "description": "Rows added on purpose beyond the valid ones: each must be rejected "
        "with `rule` (exact_duplicate: kept once and counted as a duplicate). "
        "`row` is the 1-based sheet row (xlsx) or CSV record.",
        "n_valid_rows": len(cases),
        "n_defect_rows": len(manifest),
        "n_rejected_rows": len(rejected),
        "n_duplicate_rows": len(manifest) - len(rejected),
        "files": {
            "cp932_csv": sorted(
                f"cases/{p.name}"
                for p in cases_dir.glob("*.csv")
                if formats[p.stem.rsplit("_", 1)[1]][1] == "cp932"
            ),
        },
        "defects": manifest,
    }
    _write_json(raw_dir / "defects.json", result)
    _write_json(raw_dir / "truth.json", survey.truth)
    return result


def _write_json(path: Path, data: dict) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
