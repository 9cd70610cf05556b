"""An intruder's scan of a run's results/: every file is read (CSV, Markdown, TeX, JSON,
text, HTML, Parquet, XLSX, DOCX, notebooks, the text of every PDF) and searched for what must not
be published on a survey of any size:

- a sensitive count of people (0 < k < min_cell, or 0 < n - k < min_cell) where counts are
  labelled (n, n_events, valid n; "n = k" and "events k" in the summary text), or one
  recoverable from what is shown (events per parameter x parameters);
- a number derived from a sensitive count: each share and mean of the published figures,
  of the support and barrier items and of prolonged involvement is recomputed here from the
  processed data, and where it rests on a sensitive count its printed forms (1 and 2
  decimals, and the 8 significant digits of numbers.json) must not occur;
- a curve point with fewer than min_cell at risk;
- a raw file name, a per-file row count, a raw header cell, a sensitive count of the rows
  kept with a validation warning;
- markup from a file name or label that opens an HTML tag in summary.html;
- an estimate of 0.00 (0.00–0.00).

The ground truth is computed from data/processed/, independently of the report code.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .conftest import DEFAULT_RUN as paths  # the rounds here are runs of the default config


def _in(results: Path, path: str) -> Path:
    """A file of :mod:`teichaku.paths` (relative to the run folder) inside ``results``."""
    return results / Path(path).relative_to(paths.RESULTS_DIR)


TEXT_SUFFIXES = (".csv", ".md", ".tex", ".html", ".json", ".txt", ".tsv", ".yaml", ".ipynb")
CENTER_COUNT_KEYS = re.compile(r"^n_(centers|clusters)")


def _is_small(k, min_cell: int) -> bool:
    return k is not None and 0 < k < min_cell


def _sensitive(k, n, min_cell: int) -> bool:
    if k is None:  # not a number: the marker, or nothing
        return False
    return _is_small(k, min_cell) or (n is not None and _is_small(n - k, min_cell))


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    return None


def read_texts(results: Path) -> dict[str, str]:
    """relative path -> the text a reader of the file sees."""
    out = {}
    for path in sorted(results.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(results).as_posix()
        if not path.stat().st_size:  # an empty file (.gitkeep) says nothing
            out[rel] = ""
        elif path.suffix in TEXT_SUFFIXES:
            out[rel] = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".html":  # the style sheet, embedded images and the layout's
                # style attributes (column widths in pt, measured from the shown text) are no text
                out[rel] = re.sub(r"<style>.*?</style>", "", out[rel], flags=re.S)
                out[rel] = re.sub(r"data:[^\"]+", "", out[rel])
                out[rel] = re.sub(r'\sstyle="[^"]*"', "", out[rel])
        elif path.suffix == ".parquet":
            out[rel] = pd.read_parquet(path).to_csv(index=False)
        elif path.suffix == ".xlsx":  # tables.xlsx: each sheet placed as its table
            for name, rows in read_xlsx(path).items():
                cells = [str(v) for row in rows for v in row if v is not None]
                out[rel if rel.endswith("template.xlsx") else f"{rel}/{name}"] = "\n".join(cells)
        elif path.suffix == ".docx":
            out[rel] = docx_text(path)
        elif path.suffix == ".pdf":
            from pypdf import PdfReader  # the test extra (pyproject.toml) has it

            out[rel] = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
        elif path.suffix != ".png":  # the figures' PNGs have their text in the PDFs
            raise AssertionError(f"{rel}: the scanner cannot read a {path.suffix!r} file")
    return out


def read_xlsx(path: Path) -> dict[str, list[tuple]]:
    """sheet name -> its rows of cell values (numbers as numbers)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def docx_text(path: Path) -> str:
    """The text of a Word file: its body, headers and footers (every w:t run), a line per
    paragraph."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = [
            n for n in z.namelist() if re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", n)
        ]
        xml = "\n".join(z.read(n).decode("utf-8") for n in sorted(parts))
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)


# --------------------------------------------------------------------------- ground truth


def _mark_shares(frame: pd.DataFrame, column: str, mask: pd.Series) -> tuple[int, int]:
    values = frame.loc[mask.to_numpy(), column].dropna()
    return int(values.astype(bool).sum()), len(values)


def derived_values(workdir: Path, min_cell: int) -> tuple[list[tuple[str, float]], set[str]]:
    """(what, value) of every share or mean that rests on a sensitive count, and the printed
    forms of those that do not (and of the awareness shares over centers): a form both
    sensitive and shown elsewhere legitimately cannot be told apart and is not searched."""
    from teichaku.codebook import load_codebook
    from teichaku.published import ITEMS, compute_published, compute_valid_n

    roster = pd.read_parquet(workdir / paths.PROCESSED["roster"])
    cases = pd.read_parquet(workdir / paths.PROCESSED["cases"])
    awareness = pd.read_parquet(workdir / paths.PROCESSED["awareness"])
    analysis = pd.read_parquet(workdir / paths.ANALYSIS_DATASET)
    codebook = load_codebook()
    out = []
    shown: set[str] = set()
    groups = [("all", cases)] + [
        (str(code), cases[cases["cohort"].astype(str) == str(code)])
        for code in cases["cohort"].dropna().unique()
    ]
    for label, sub in groups:
        values = compute_published(roster, sub, awareness, codebook)
        ns = compute_valid_n(roster, sub, awareness, codebook)
        for item in ITEMS:
            if item.table != "cases" or item.kind not in ("pct", "mean"):
                continue
            v, n = values[item.section][item.key], ns[item.section][item.key]
            if v is None or not n or (isinstance(v, float) and math.isnan(v)):
                continue
            if item.kind == "pct" and _sensitive(round(v * n / 100), n, min_cell):
                out.append((f"{label} {item.key}", v))
            elif item.kind == "mean" and _is_small(n, min_cell):
                out.append((f"{label} {item.key}", v))
            else:
                shown |= printed_forms(v)
        for v in values["awareness"].values():
            if isinstance(v, float):
                shown |= printed_forms(v)
    marks = [
        c
        for c in analysis.columns
        if c.startswith(("act_", "guar_", "link_", "barrier_"))
        and (pd.api.types.is_bool_dtype(analysis[c]) or str(analysis[c].dtype) == "boolean")
    ]
    masks = [("all", pd.Series(True, index=analysis.index))]
    masks += [
        (f"cohort {c}", analysis["cohort"].astype(str) == str(c))
        for c in analysis["cohort"].dropna().unique()
    ]
    masks += [
        (f"{p}={v}", (analysis[p] == v).fillna(False).astype(bool))
        for p in analysis.columns
        if p.startswith("prolonged_")
        for v in (0, 1)
    ]
    for column in marks:
        for label, mask in masks:
            k, n = _mark_shares(analysis, column, mask)
            if n and _sensitive(k, n, min_cell):
                out.append((f"{label} {column}", 100.0 * k / n))
            elif n:
                shown |= printed_forms(100.0 * k / n)
    # the median follow-up (Kaplan-Meier) is shown where enough people are followed at it
    from statsmodels.duration.survfunc import SurvfuncRight

    timed = analysis[analysis["followup_months"].notna()]
    if len(timed):
        fit = SurvfuncRight(
            timed["followup_months"].to_numpy(float), timed["ended"].to_numpy(float)
        )
        with np.errstate(divide="ignore", invalid="ignore"):  # a CI bound at 0 or 1
            values = (fit.quantile(0.5), *fit.quantile_ci(0.5))
        for value in values:
            if value is not None and math.isfinite(value):
                if (timed["followup_months"] >= value).sum() >= min_cell:
                    shown |= printed_forms(float(value))
    for column in [c for c in analysis.columns if c.startswith("prolonged_")]:
        valid = analysis[column].dropna()
        k, n = int(valid.sum()), len(valid)
        if n and _sensitive(k, n, min_cell):
            out.append((f"pct_{column}", 100.0 * k / n))
        elif n:
            shown |= printed_forms(100.0 * k / n)
    return out, shown


def printed_forms(value: float) -> set[str]:
    forms = {f"{value:.1f}", f"{value:.2f}", json.dumps(float(f"{value:.8g}"))}
    return {f for f in forms if f not in ("0.0", "0.00", "100.0", "100.00")}


# --------------------------------------------------------------------------- checks


def _number_token(form: str) -> re.Pattern:
    # not inside a longer number, nor a version such as 4.3.0
    return re.compile(r"(?<![\d.])" + re.escape(form) + r"(?!\d|\.\d)")


def _place(rel: str) -> str:
    """A file's place without its language folder: tables/<lang>/table1_x.csv ->
    tables/table1_x.csv (a sheet of tables.xlsx, tables/<lang>/tables.xlsx/<sheet>, is
    placed as its table)."""
    return re.sub(r"^tables/[^/]+/(tables\.xlsx/)?", "tables/", rel)


#: Where a share or mean of people is printed (model files hold estimates, not shares).
DERIVED_PLACES = (
    "tables/table1",
    "tables/table2",
    "tables/table3",
    "tables/table5",
    "summary/",
    "numbers.json",
    "notebooks/",
)


def check_derived(texts: dict[str, str], derived) -> list[str]:
    sensitive, shown = derived
    findings = []
    for what, value in sensitive:
        for form in printed_forms(value) - shown:
            pattern = _number_token(form)
            for rel, text in texts.items():
                if not _place(rel).startswith(DERIVED_PLACES):
                    continue
                if pattern.search(text):
                    findings.append(f"{rel}: {form} ({what}, rests on a sensitive count)")
    return findings


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def check_numbers_json(results: Path, min_cell: int) -> list[str]:
    path = _in(results, paths.NUMBERS)
    if not path.is_file():
        return []
    findings = []
    for where, node in _walk(json.loads(path.read_text(encoding="utf-8"))):
        if where.startswith(".validation"):
            continue  # rows rejected per rule over the survey: data quality, not people
        for key, value in node.items():
            k = _as_int(value)
            if key == "valid_n" or (key.startswith("n_") and not CENTER_COUNT_KEYS.match(key)):
                if _is_small(k, min_cell):
                    findings.append(f"numbers.json{where}.{key} = {value}")
        n, e = _as_int(node.get("n")), _as_int(node.get("n_events"))
        if n is not None and e is not None and node.get("type") not in (None, "binomial_counts"):
            if _sensitive(e, n, min_cell):
                findings.append(f"numbers.json{where}: n_events {e} of n {n}")
    return findings


def check_models(results: Path, min_cell: int) -> list[str]:
    findings = []
    coef_path = _in(results, paths.COEFFICIENTS)
    if not coef_path.is_file():
        return findings
    coef = pd.read_csv(coef_path, dtype=str, keep_default_na=False)
    firsts = coef.drop_duplicates("model").set_index("model")
    for model, r in firsts.iterrows():
        n, e = _as_int(r["n"]), _as_int(r["n_events"])
        complement = r["type"] != "binomial_counts"
        if _is_small(n, min_cell) or (
            e is not None
            and (_is_small(e, min_cell) or (complement and n and _sensitive(e, n, min_cell)))
        ):
            findings.append(f"coefficients.csv: {model} n = {r['n']}, n_events = {r['n_events']}")
    diag_path = _in(results, paths.DIAGNOSTICS)
    if diag_path.is_file():
        diag = pd.read_csv(diag_path)
        epv = diag[(diag["check"] == "events_per_variable") & diag["value"].notna()]
        for r in epv.itertuples():
            terms = coef[(coef["model"] == r.model) & (coef["term"] != "Intercept")]
            events = round(float(r.value) * len(terms))
            n = _as_int(firsts.loc[r.model, "n"]) if r.model in firsts.index else None
            if n is not None and _sensitive(events, n, min_cell):
                findings.append(
                    f"diagnostics.csv: {r.model} events per parameter {r.value} x "
                    f"{len(terms)} parameters = {events} events"
                )
    for fit in sorted(_in(results, paths.FIT).parent.glob("*.txt")):
        text = fit.read_text(encoding="utf-8")
        counts = dict(re.findall(r"^(n|n_events|n_cases): (\S+)$", text, re.M))
        n, e = _as_int(counts.get("n")), _as_int(counts.get("n_events"))
        cases = _as_int(counts.get("n_cases"))
        total = cases if cases is not None else n
        if (_is_small(n, min_cell) and cases is None) or (
            e is not None and _sensitive(e, total, min_cell)
        ):
            findings.append(
                f"fits/{fit.name}: n = {counts.get('n')}, n_events = {counts.get('n_events')}"
            )
    return findings


def check_tables(results: Path, min_cell: int, count_words) -> list[str]:
    findings = []
    for csv in sorted(_in(results, paths.TABLES_DIR).parent.glob("*/*.csv")):
        rel = csv.relative_to(results).as_posix()
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        if csv.name.endswith(".tidy.csv"):  # one line per cell: the count in value
            counts = table[table["column"].str.endswith(tuple(count_words))]
            for r in counts.itertuples():
                if _is_small(_as_int(r.value), min_cell) or _is_small(_as_int(r.text), min_cell):
                    findings.append(f"{rel}: {r.column} of {r.label!r} = {r.value}")
            table = table[["text"]]
        for column in [c for c in table.columns if c.endswith(tuple(count_words))]:
            for i, cell in table[column].items():
                if _is_small(_as_int(cell), min_cell):
                    findings.append(f"{rel}: {column}[{i}] = {cell}")
        for column in table.columns:
            for i, cell in table[column].items():
                if "0.00 (0.00–0.00)" in cell or "inf" in cell.lower().split():
                    findings.append(f"{rel}: {column}[{i}] = {cell}")
    for book in sorted(_in(results, paths.TABLES_WORKBOOK).parent.parent.glob("*/*.xlsx")):
        rel = book.relative_to(results).as_posix()
        for name, rows in read_xlsx(book).items():  # the title, the header, the rows
            header = rows[1] if len(rows) > 1 else ()
            for j, heading in enumerate(header):
                if isinstance(heading, str) and heading.endswith(tuple(count_words)):
                    for i, row in enumerate(rows[2:]):
                        if j < len(row) and _is_small(_as_int(row[j]), min_cell):
                            findings.append(f"{rel}/{name}: {heading}[{i}] = {row[j]}")
    return findings


_TEXT_COUNTS = (
    re.compile(r"\bn\s*=\s*(\d[\d,]*)"),
    re.compile(r"\bn\s*=\s*[<\d][\d,]*\s*[–-]\s*(\d[\d,]*)"),  # a range of panels' n
    re.compile(r"イベント\s*(\d[\d,]*)"),
    re.compile(r"\bevents\s+(\d[\d,]*)"),
)


def check_summary_text(texts: dict[str, str], min_cell: int) -> list[str]:
    findings = []
    for rel, text in texts.items():
        if not rel.startswith(("summary/", "figures/")):
            continue
        for pattern in _TEXT_COUNTS:
            for m in pattern.finditer(text):
                if _is_small(_as_int(m.group(1)), min_cell):
                    findings.append(f"{rel}: '{m.group(0)}'")
    return findings


def check_curves(workdir: Path, min_cell: int) -> list[str]:
    """No point with fewer than min_cell at risk, and no group left out while the others of
    its grouping and the overall curve are shown (its n would be the overall n at time 0
    minus theirs)."""
    path = workdir / paths.CURVES
    if not path.is_file():
        return []
    curves = pd.read_parquet(path)
    few = curves[curves["n_at_risk"] < min_cell]
    findings = (
        [
            f"models/curves.parquet: {len(few)} rows with fewer than {min_cell} at risk "
            f"(times {sorted(few['time'].round(3).unique())[:6]} ...)"
        ]
        if len(few)
        else []
    )
    analysis = pd.read_parquet(workdir / paths.ANALYSIS_DATASET)
    followed = analysis[analysis["followup_months"].notna()]
    for (curve, by), shown in curves.groupby(["curve", "by"]):
        if by == "all" or curves[(curves["curve"] == curve) & (curves["by"] == "all")].empty:
            continue
        column = followed[by]
        if pd.api.types.is_bool_dtype(column) or str(column.dtype) == "boolean":
            present = {"yes" if v else "no" for v in column.dropna()}
        else:
            present = {str(v) for v in column.dropna()}
        missing = present - set(shown["group"])
        if missing and shown["group"].nunique():
            findings.append(
                f"models/curves.parquet: {curve} by {by} shows {sorted(set(shown['group']))} "
                f"and the overall curve without {sorted(missing)}"
            )
    return findings


def check_validation(results: Path, min_cell: int) -> list[str]:
    path = _in(results, paths.VALIDATION_JSON)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    findings = []
    numbers = _in(results, paths.NUMBERS)
    copies = [("validation/summary.json", data["tables"])]
    if numbers.is_file():
        validation = json.loads(numbers.read_text(encoding="utf-8")).get("validation", {})
        copies.append(("numbers.json validation", validation.get("tables", {})))
    for where, tables in copies:
        for table, t in tables.items():
            for rule, value in t.get("warnings", {}).items():  # kept rows: people
                if _sensitive(_as_int(value), t["rows_valid"], min_cell):
                    findings.append(f"{where}: {table} warning {rule} = {value}")
    csv_path = _in(results, paths.VALIDATION_CSV)
    if csv_path.is_file():
        rows = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        for r in rows[rows["kind"] == "warning"].itertuples():
            valid = data["tables"][r.table]["rows_valid"]
            if _sensitive(_as_int(r.value), valid, min_cell):
                findings.append(f"validation/summary.csv: {r.table} warning {r.name} = {r.value}")
    for table, t in data["tables"].items():
        for f in t.get("files", []):
            if "rows_read" in f:
                findings.append(f"validation/summary.json: rows read of file {f['file']!r}")
            if isinstance(f.get("extra_columns"), list) and f["extra_columns"]:
                findings.append(
                    f"validation/summary.json: raw header cells {f['extra_columns']} ({table})"
                )
    return findings


def raw_file_names(workdir: Path) -> list[str]:
    raw = workdir / "data" / "raw"
    names = set()
    for path in raw.rglob("*"):
        # Snakemake's marker of a directory output (cases/.snakemake_timestamp) is no raw file
        if path.is_file() and path.parent.name == "cases" and not path.name.startswith("."):
            names.update({path.name, path.stem})
            names.update(
                p for p in re.split(r"[_\n]", path.stem) if len(p) >= 4 and not p.isdigit()
            )
    return sorted(names)


#: Documents generated from the codebook alone (prefecture names and such are its words).
FROM_CODEBOOK = ("codebook/", "templates/")


def check_file_names(texts: dict[str, str], names: list[str]) -> list[str]:
    return [
        f"{rel}: raw file name {name!r}"
        for name in names
        for rel, text in texts.items()
        if name in text and not rel.startswith(FROM_CODEBOOK)
    ]


_MARKUP = re.compile(r"<(img|b|script)\b[^>]*\bon\w+\s*=", re.I)


def check_markup(texts: dict[str, str]) -> list[str]:
    return [
        f"{rel}: raw markup {m.group(0)!r}"
        for rel, text in texts.items()
        if rel.endswith((".html", ".md"))
        for m in _MARKUP.finditer(text)
    ]


def scan(workdir: Path, min_cell: int, count_words) -> list[str]:
    """Every finding of every check on workdir/results/ (empty: nothing found)."""
    results = workdir / paths.RESULTS_DIR
    texts = read_texts(results)
    return [
        *check_derived(texts, derived_values(workdir, min_cell)),
        *check_numbers_json(results, min_cell),
        *check_models(results, min_cell),
        *check_tables(results, min_cell, count_words),
        *check_summary_text(texts, min_cell),
        *check_curves(workdir, min_cell),
        *check_validation(results, min_cell),
        *check_file_names(texts, raw_file_names(workdir)),
        *check_markup(texts),
    ]
