"""The data dictionary: every raw variable of the codebook as a CSV row and a markdown page.

Everything here is derived from the codebook (``config/codebook.yaml``); the functions that
describe one variable's allowed values, spellings, range and missing codes in words are also
used by the data-entry template (``teichaku.template``) for its instructions sheet.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from teichaku.codebook import Codebook, Level, Table, Variable

#: Columns of ``codebook.csv``, in order.
COLUMNS = (
    "table",
    "variable",
    "header",
    "aliases",
    "group",
    "group_header",
    "item",
    "label_ja",
    "label_en",
    "type",
    "required",
    "personal",
    "values",
    "spellings",
    "range",
    "units",
    "missing",
)

#: How each codebook type is entered, in English and Japanese.
TYPE_NAMES = {
    "center_id": ("center number", "センター番号"),
    "text": ("text", "文字"),
    "category": ("category", "選択肢"),
    "integer": ("whole number", "整数"),
    "date": ("date", "日付"),
    "iq": ("IQ value or range", "IQ相当値"),
    "mark": ("yes/no mark", "〇印"),
    "boolean": ("yes/no", "二択"),
}

#: Types whose cells are read as one of a list of codes.
CODED = ("category", "boolean", "mark")

BLANK = {"en": "blank", "ja": "空欄"}
LIST_SEP = ", "
ITEM_SEP = "; "


def _join(items) -> str:
    return LIST_SEP.join(str(i) for i in items)


def type_name(var: Variable, language: str = "en") -> str:
    en, ja = TYPE_NAMES[var.type]
    return ja if language == "ja" else en


def center_codes(var: Variable) -> list[str]:
    """Every center number allowed by a ``center_id`` variable (C01 … C<max>)."""
    return [f"C{i:02d}" for i in range(1, var.max + 1)]


def value_levels(var: Variable, cb: Codebook) -> tuple[Level, ...]:
    """The levels of a category, boolean or mark variable, with every accepted spelling.

    A mark is a yes/no variable spelled with the codebook's marks; a boolean that accepts
    marks takes the mark spellings beside its own (true ← yes marks, false ← no marks).
    """
    if var.type == "mark":
        return (
            Level("true", "該当", "yes", cb.mark_yes),
            Level("false", "非該当", "no", cb.mark_no),
        )
    if var.type == "boolean" and var.accept_marks:
        marks = {"true": cb.mark_yes, "false": cb.mark_no}
        return tuple(
            Level(
                lv.code,
                lv.ja,
                lv.en,
                tuple(s for s in _unique(lv.spellings + marks[lv.code]) if s not in var.missing),
            )
            for lv in var.levels
        )
    return var.levels


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def blank_means(var: Variable) -> str:
    """What an empty cell means: ``missing``, ``false`` (marks and mark-like booleans)."""
    if var.type == "mark":
        return "false"
    if var.type == "boolean" and var.accept_marks and "" not in var.missing:
        return "false"
    return "missing"


def must_be_filled(var: Variable, cb: Codebook) -> bool:
    """A blank rejects the row: the center, the table's key and the cohort (the variable
    whose codes name the fiscal years of the ended cohorts)."""
    table = cb.tables[var.table]
    return (
        var.type == "center_id"
        or var.name == table.key
        or (bool(var.levels) and set(cb.fiscal_years) <= set(var.codes))
    )


def missing_spellings(var: Variable, cb: Codebook) -> tuple[str, ...]:
    """Cell spellings (besides a blank, see :func:`blank_means`) that mean "missing".

    A mark cell is never missing (a blank means no); the column may only be absent. Where a
    spelling is both a missing code and a mark-no (``-``), a variable that accepts marks reads
    it as no unless the variable lists it as missing.
    """
    if var.type == "mark":
        return ()
    codes = cb.missing_codes
    if var.type == "boolean" and var.accept_marks:
        codes = tuple(c for c in codes if c not in cb.mark_no or c in var.missing)
    return _unique(tuple(m for m in var.missing if m) + codes)


def allowed_values(var: Variable, cb: Codebook, language: str = "en") -> str:
    """The allowed values in words: codes with labels, a range, or a date window."""
    if var.type in CODED:
        levels = value_levels(var, cb)
        if language == "ja":
            return " / ".join(lv.ja for lv in levels)
        return ITEM_SEP.join(f"{lv.code}={lv.ja} ({lv.en})" for lv in levels)
    return value_range(var, cb, language)


def value_range(var: Variable, cb: Codebook, language: str = "en") -> str:
    """The range of a number, date or center number; empty for other types."""
    to = "～" if language == "ja" else "–"
    date_to = "～" if language == "ja" else " … "
    if var.type == "center_id":
        codes = center_codes(var)
        return f"{codes[0]}{to}{codes[-1]}"
    if var.type in ("integer", "iq"):
        return f"{var.min}{to}{var.max}"
    if var.type == "date":
        return f"{cb.date_min.isoformat()}{date_to}{cb.survey['period_end'].isoformat()}"
    return ""


def level_spellings(var: Variable, cb: Codebook) -> list[tuple[str, list[str]]]:
    """(code, spellings) of each level, with "(blank)" where an empty cell means that code."""
    out = []
    for lv in value_levels(var, cb):
        spellings = list(lv.spellings)
        if blank_means(var) == lv.code:
            spellings.append(f"({BLANK['en']})")
        out.append((lv.code, spellings))
    return out


def raw_spellings(var: Variable, cb: Codebook) -> str:
    """Every raw spelling read as each code (``code: a, b, c; code: …``), or for numbers and
    identifiers the other accepted forms."""
    if var.type in CODED:
        return ITEM_SEP.join(f"{code}: {_join(sp)}" for code, sp in level_spellings(var, cb))
    if var.type == "iq":
        ranges = "a range such as 50～55, 50〜55 or 50-55 (its midpoint, iq_status=range)"
        unmeasurable = _join(var.unmeasurable)
        return f"{ranges}; {unmeasurable} (missing, iq_status=unmeasurable)"
    if var.type == "center_id":
        return "C01, C1, 01, 1 or full-width Ｃ０１ are one center"
    if var.type == "date":
        eras = _join(f"{era} ({d['abbrev']})" for era, d in cb.eras.items())
        return (
            "Excel date, 2020/3/15, 2020-03-15, 2020.3.15, 20200315, "
            f"or a Japanese era date in {eras}, e.g. 令和2年3月15日, R2.3.15"
        )
    return ""


def missing_description(var: Variable, cb: Codebook) -> str:
    """What reads as missing, including the blank cell, in English."""
    if var.type == "mark":
        return "never: a blank means no; an absent column means missing"
    if must_be_filled(var, cb):
        return "never: a blank or missing code rejects the row"
    spellings = list(missing_spellings(var, cb))
    if blank_means(var) == "missing":
        spellings.insert(0, BLANK["en"])
    text = _join(spellings)
    if var.type == "iq":
        text += "; no value gives iq_status=unknown"
    return text


def dictionary_rows(cb: Codebook) -> list[dict[str, str]]:
    """One row per variable of every table, with the columns of :data:`COLUMNS`."""
    rows = []
    for table in cb.tables.values():
        for var in table.variables.values():
            group = table.groups.get(var.group) if var.group else None
            rows.append(
                {
                    "table": table.name,
                    "variable": var.name,
                    "header": var.header,
                    "aliases": _join(var.aliases),
                    "group": var.group or "",
                    "group_header": group.header if group else "",
                    "item": var.item or "",
                    "label_ja": var.label_ja,
                    "label_en": var.label_en,
                    "type": var.type,
                    "required": "yes" if var.required else "no",
                    "personal": "yes" if var.personal else "no",
                    "values": allowed_values(var, cb) if var.type in CODED else "",
                    "spellings": raw_spellings(var, cb),
                    "range": value_range(var, cb),
                    "units": _join(var.units),
                    "missing": missing_description(var, cb),
                }
            )
    return rows


def render_csv(cb: Codebook) -> str:
    """The dictionary as CSV text (one row per variable, ``\\n`` line ends)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(dictionary_rows(cb))
    return buf.getvalue()


def _cell(text: str) -> str:
    """Make text safe inside a markdown table cell."""
    return text.replace("|", "\\|").replace("\n", "<br>")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _values_cell(var: Variable, cb: Codebook) -> str:
    if var.value_set:
        return f"value set [`{var.value_set}`](#value-set-{var.value_set})"
    if var.type in CODED:
        return "<br>".join(f"`{code}` ← {_join(sp)}" for code, sp in level_spellings(var, cb))
    parts = [p for p in (value_range(var, cb), raw_spellings(var, cb)) if p]
    if var.units:
        parts.append("units " + _join(var.units))
    return "<br>".join(parts)


def _conventions(cb: Codebook) -> list[str]:
    eras = _join(
        f"{era} ({d['abbrev']}) = year + {d['offset']}, from {d['start']}"
        for era, d in cb.eras.items()
    )
    fiscal = _join(f"{c}: {a} … {b}" for c, (a, b) in cb.fiscal_years.items())
    return [
        "## Conventions for every cell",
        "",
        "- Headers and cells are compared after Unicode NFKC normalisation (full-width digits and"
        " letters are read as half-width); headers also after removing all whitespace.",
        f"- Missing codes: {BLANK['en']}, {_join(cb.missing_codes)}.",
        "- A category also accepts its code (`male`) and its Japanese label besides the"
        " spellings listed.",
        f"- Marks: yes = {_join(cb.mark_yes)}; no = {BLANK['en']}, {_join(cb.mark_no)}.",
        f"- Grouped headers: `group` and `item` joined by one of {_join(cb.group_separators)}"
        " or a line break, or two header rows (the group row merged over its items).",
        f"- Dates: {cb.date_min} … {cb.survey['period_end']} (the survey's end). Eras: {eras};"
        " 元年 is year 1.",
        f"- Survey period {cb.survey['period_start']} … {cb.survey['period_end']}; open"
        f" follow-up is censored at the reference date {cb.survey['reference_date']}.",
        f"- Fiscal year of each ended cohort (a warning outside it): {fiscal}.",
        "",
    ]


def _table_section(table: Table, cb: Codebook) -> list[str]:
    lines = [
        f"## Table `{table.name}`: {table.label_en} ({table.label_ja})",
        "",
        f"Raw file `{table.file}.xlsx` or `{table.file}.csv` (or a folder `{table.file}/` of such"
        f" files), sheet `{table.sheet}` if present; the header row"
        f" is the first row holding the header of `{table.key}`.",
        "",
    ]
    if table.groups:
        lines += ["Groups of mark columns:", ""]
        lines += _table(
            ["Group", "Header", "Aliases", "Label (en)", "Label (ja)"],
            [
                [f"`{g.name}`", g.header, _join(g.aliases), g.label_en, g.label_ja]
                for g in table.groups.values()
            ],
        )
        lines.append("")
    header = [
        "Variable", "Header", "Aliases", "Label (en)", "Label (ja)", "Type", "Required",
        "Values and spellings", "Missing",
    ]  # fmt: skip
    rows = []
    for var in table.variables.values():
        name = f"`{var.name}`" + (" (personal)" if var.personal else "")
        rows.append(
            [
                name,
                var.header,
                _join(var.aliases),
                var.label_en,
                var.label_ja,
                var.type,
                "yes" if var.required else "no",
                _values_cell(var, cb),
                missing_description(var, cb),
            ]
        )
    return [*lines, *_table(header, rows), ""]


def _value_set_section(name: str, levels: tuple[Level, ...]) -> list[str]:
    return [
        f'<a id="value-set-{name}"></a>',
        "",
        f"### Value set `{name}`",
        "",
        *_table(
            ["Code", "Label (ja)", "Label (en)", "Spellings"],
            [[f"`{lv.code}`", lv.ja, lv.en, _join(lv.spellings)] for lv in levels],
        ),
        "",
    ]


def render_markdown(cb: Codebook, source: str = "config/codebook.yaml") -> str:
    """The dictionary as a markdown page: conventions, one section per table, value sets."""
    lines = [
        "# Data dictionary of the follow-up survey (フォローアップ実態調査)",
        "",
        f"Generated from `{source}` by `teichaku.dictionary`; edit the codebook, not this page."
        " The same content, one row per variable, is in `codebook.csv`.",
        "",
        *_conventions(cb),
    ]
    for table in cb.tables.values():
        lines += _table_section(table, cb)
    lines += ["## Value sets", ""]
    for name, levels in cb.value_sets.items():
        lines += _value_set_section(name, levels)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_dictionary(
    cb: Codebook, markdown: str | Path, csv_path: str | Path, source: str = "config/codebook.yaml"
) -> None:
    """Write ``codebook.md`` and ``codebook.csv``; the CSV is UTF-8 with a byte-order mark so
    that Excel shows its Japanese text."""
    for path in (markdown, csv_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(markdown).write_text(render_markdown(cb, source), encoding="utf-8")
    Path(csv_path).write_text(render_csv(cb), encoding="utf-8-sig")
