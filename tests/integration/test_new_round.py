"""A new survey round, as a coordinator would set it up: a run of its own (run: round-2022),
a survey section of other years (reference date 2022-10-21, ended cohorts of FY2020 and
FY2021, FY2021 continuing, 4 centers asked), no published figures (published: null), and
the centers' files made with that round's own entry template (written by the workflow,
filled in here). The whole workflow runs on them in Japanese and English; every cohort
label is the round's own and nothing of the 2021 round is left in results/<run>/."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from teichaku import paths
from teichaku.codebook import load_codebook
from teichaku.template import dropdown_options, first_data_row

from .conftest import run_snakemake, write_small_config

pytestmark = pytest.mark.slow

RUN = "round-2022"
SURVEY = {
    "round": 2022,
    "period_start": "2022-10-21",
    "period_end": "2022-12-07",
    "reference_date": "2022-10-21",
    "ended_fiscal_years": [2020, 2021],
    "continuing_fiscal_year": 2021,
    "n_centers_asked": 5,
}
CENTERS = ["C01", "C02", "C03", "C04"]  # the roster: C05 was asked and is not on it
CASES_PER_CENTER = 12
#: Text that belongs to the 2021 round or to published figures, never to this round.
FOREIGN = (
    "令和元年度",
    "FY2019",
    "2021-10-21",
    "2021-12-07",
    "令和3年10月",
    "2021年",
    "公表値(",
    "(公表値",
    "公表値と算出値",
    "と公表している",
    "Published (",
    "(published ",
    "published figure",
    "published and computed",
    "C48",
)
BASE64 = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
TEXT = (".csv", ".md", ".tex", ".html", ".json", ".txt", ".yaml", ".tsv")


def _fill(ws, table, rows: list[dict]) -> None:
    first, names = first_data_row(table), list(table.variables)
    for r, values in enumerate(rows):
        for name, value in values.items():
            ws.cell(first + r, names.index(name) + 1, value)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.datetime:
    day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
    return dt.datetime.combine(day, dt.time())


def _case(cb, rng: random.Random, i: int, center: str) -> dict:
    """A valid case of the round: its cohort's labels and fiscal years, varied values."""
    table = cb.tables["cases"]
    cohort = table.variables["cohort"].levels[i % 3]
    row: dict = {}
    for name, var in table.variables.items():
        if var.type in ("category", "boolean"):
            row[name] = rng.choice(dropdown_options(var, cb))
        elif var.type in ("integer", "iq"):
            row[name] = rng.randint(var.min, min(var.max, var.min + 60))
        elif var.type == "mark":
            row[name] = dropdown_options(var, cb)[0] if rng.random() < 0.4 else None
    row |= {"center_id": center, "case_ref": f"{i:03d}", "cohort": cohort.ja}
    reference = cb.survey["reference_date"]
    if cohort.code in cb.fiscal_years:
        fy_start, fy_end = cb.fiscal_years[cohort.code]
        end = _day(rng, fy_start, fy_end)
        start = end - dt.timedelta(days=rng.randint(40, 900))
        reasons = table.variables["end_reason"]
        options = [lv.ja for lv in reasons.levels if lv.code != "death"]
        row |= {"followup_end": end, "end_reason": options[i % len(options)]}
    else:
        start = _day(rng, reference - dt.timedelta(days=1000), reference - dt.timedelta(days=30))
        row |= {"followup_end": None, "end_reason": None}
    row["followup_start"] = start
    row["release_date"] = start - dt.timedelta(days=rng.randint(0, 20))
    residence = table.variables["current_residence"]
    row["current_residence"] = rng.choice(
        [o for o in dropdown_options(residence, cb) if o != residence.level_label("deceased")]
    )
    return row


def _roster_row(cb, i: int, center: str) -> dict:
    out = {}
    for name, var in cb.tables["roster"].variables.items():
        if var.type == "center_id":
            out[name] = center
        elif var.type in ("category", "boolean"):
            out[name] = dropdown_options(var, cb)[i % len(dropdown_options(var, cb))]
        else:
            out[name] = CASES_PER_CENTER + 3
    out["responded"] = dropdown_options(cb.tables["roster"].variables["responded"], cb)[0]
    return out


@pytest.fixture(scope="module")
def new_round(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("new_round")
    write_small_config(workdir)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    config |= {"run": RUN, "survey": SURVEY, "published": None}
    config["input"] |= {"source": "files", "raw_dir": "data/raw/2022"}
    config["report"]["languages"] = ["ja", "en"]
    config["analysis"]["seed"] = 7
    config["analysis"]["mice"]["imputations"] = 2
    (workdir / "config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    run = paths.of(RUN)
    # 1. the round's entry template, as the coordinator sends it to the centers
    run_snakemake(workdir, run.ENTRY_TEMPLATE)
    cb = load_codebook(str(workdir / run.ROUND_CODEBOOK))
    template = workdir / run.ENTRY_TEMPLATE
    before = _cell_values(template)  # no roster yet: every center number of the round
    assert {f"C{i:02d}" for i in range(1, 6)} <= before and "C06" not in before
    raw = workdir / "data" / "raw" / "2022"
    (raw / "cases").mkdir(parents=True)
    rng = random.Random(2022)

    def filled(table: str, rows: list[dict], target: Path) -> None:
        wb = openpyxl.load_workbook(template)
        _fill(wb[cb.tables[table].sheet], cb.tables[table], rows)
        wb.save(target)

    filled("roster", [_roster_row(cb, i, c) for i, c in enumerate(CENTERS)], raw / "roster.xlsx")
    awareness = [
        {
            name: c
            if var.type == "center_id"
            else (dropdown_options(var, cb)[0] if rng.random() < 0.6 else None)
            for name, var in cb.tables["awareness"].variables.items()
        }
        for c in CENTERS
    ]
    filled("awareness", awareness, raw / "awareness.xlsx")
    for k, center in enumerate(CENTERS):
        rows = [_case(cb, rng, k * CASES_PER_CENTER + i, center) for i in range(CASES_PER_CENTER)]
        filled("cases", rows, raw / "cases" / f"{center}.xlsx")
    # 2. the whole run on the centers' files
    run_snakemake(workdir)
    return workdir


def test_the_round_runs_end_to_end_from_files_made_with_its_template(new_round):
    run = paths.of(RUN)
    cases = pd.read_parquet(new_round / run.PROCESSED["cases"])
    assert len(cases) == len(CENTERS) * CASES_PER_CENTER  # every row read, none rejected
    assert sorted(cases["center_id"].unique()) == CENTERS
    for lang in ("ja", "en"):
        summary = new_round / paths.fill(paths.of(RUN, lang).SUMMARY, ext="pdf")
        assert summary.stat().st_size > 10_000, summary
        assert (new_round / paths.of(RUN, lang).FIGURES_DIR / "fig2_basic_attributes.png").is_file()


def _cell_values(path: Path) -> set:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}


def test_the_template_limits_dates_and_centers_to_the_round(new_round):
    template = new_round / paths.of(RUN).ENTRY_TEMPLATE
    wb = openpyxl.load_workbook(template)
    formulas = [
        f"{dv.formula1} {dv.formula2}"
        for ws in wb.worksheets
        for dv in ws.data_validations.dataValidation
    ]
    assert any("DATE(2022,12,7)" in f for f in formulas)
    assert not any("DATE(2021" in f for f in formulas)
    lists = _cell_values(template)  # now that the roster is there: its centers
    assert set(CENTERS) <= lists and "C05" not in lists and "C48" not in lists
    assert {"令和2年度 支援終了", "令和3年度 支援終了", "令和3年度 支援継続"} <= lists


def test_cohort_labels_are_the_rounds_own_in_every_table_and_the_summary(new_round):
    ja, en = paths.of(RUN, "ja"), paths.of(RUN, "en")
    own_ja = ["令和2年度 支援終了", "令和3年度 支援終了", "令和3年度 支援継続"]
    own_en = ["FY2020 ended", "FY2021 ended", "FY2021 continuing"]
    for name in ("table1_basic_attributes", "table2_support_by_cohort", "table3_barriers"):
        for folder, labels in ((ja, own_ja), (en, own_en)):
            header = (new_round / folder.TABLES_DIR / f"{name}.csv").read_text("utf-8")
            header = header.splitlines()[0]
            assert all(label in header for label in labels), (name, header)
    summary = (new_round / paths.fill(ja.SUMMARY, ext="md")).read_text("utf-8")
    assert "令和2年度・3年度の終了事例" in summary
    assert "5か所" in summary and "2022年のフォローアップ実態調査" in summary
    assert "基準日2022-10-21" in summary


def test_without_published_figures_there_is_no_published_column_check_or_sentence(new_round):
    numbers = json.loads((new_round / paths.of(RUN).NUMBERS).read_text("utf-8"))
    assert numbers["published_check"] is None
    for lang in ("ja", "en"):
        table = pd.read_csv(
            new_round / paths.of(RUN, lang).TABLES_DIR / "table1_basic_attributes.csv"
        )
        assert not [c for c in table.columns if "公表" in c or "Published" in c]


def test_nothing_of_the_2021_round_is_left_in_the_rounds_results(new_round):
    results = new_round / paths.of(RUN).RESULTS_DIR
    texts = {  # images embedded in the HTML (base64) are no text
        p.relative_to(results).as_posix(): BASE64.sub("", p.read_text("utf-8", errors="replace"))
        for p in results.rglob("*")
        if p.is_file() and p.suffix in TEXT
    }
    assert len(texts) > 40
    found = [(name, word) for name, text in texts.items() for word in FOREIGN if word in text]
    assert found == []
