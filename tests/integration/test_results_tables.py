"""The report tables of the small end-to-end run agree with results/numbers.json and with
the processed data."""

import json

import pandas as pd
import pytest

from teichaku.published import ITEMS, decimals, load_published
from teichaku.report.labels import load_labels
from teichaku.report.suppress import Privacy
from teichaku.report.tables import item_label

from .conftest import DEFAULT_RUN, ROOT

RUN = DEFAULT_RUN  # the small run is a copy of the default run

LABELS = ROOT / "workflow" / "report" / "labels.yaml"


@pytest.fixture(scope="module")
def run(small_run):
    """Paths of the small run's tables, numbers.json and clean cases."""
    return {
        "tables": small_run / RUN.TABLES_DIR,
        "numbers": small_run / RUN.NUMBERS,
        "cases": small_run / RUN.PROCESSED["cases"],
    }


def _labels(table: pd.DataFrame):
    """The labels of the language the table was written in."""
    for lang in ("ja", "en"):
        labels = load_labels(lang, LABELS)
        if {labels.text("item"), labels.text("term")} & set(table.columns):
            return labels
    raise AssertionError(f"no labels of labels.yaml head this table: {list(table.columns)}")


def _num(cell) -> float:
    return float(str(cell).replace(",", ""))


def test_table1_is_numbers_json_at_the_published_precision(run, default_config, root):
    table = pd.read_csv(
        run["tables"] / "table1_basic_attributes.csv", dtype=str, keep_default_na=False
    )
    labels = _labels(table)
    computed = json.loads(run["numbers"].read_text(encoding="utf-8"))["published"]
    published = load_published(root / default_config["published"])
    rows = table.set_index(labels.text("item"))
    for item in ITEMS:
        if item.section not in ("survey", "basic_attributes") or item.kind == "date":
            continue
        cell = rows.loc[item_label(item, labels), labels.text("computed")]
        digits = decimals(published[item.section][item.key])
        assert _num(cell) == pytest.approx(
            computed[item.section][item.key], abs=0.5 * 10**-digits + 1e-9
        ), item.key


def test_support_table_counts_are_the_processed_cases(run, default_config):
    table = pd.read_csv(
        run["tables"] / "table2_support_by_cohort.csv", dtype=str, keep_default_na=False
    )
    labels = _labels(table)
    cases = pd.read_parquet(run["cases"])
    rows = table.set_index(labels.text("item"))
    overall = labels.text("overall")
    marker = Privacy(default_config["privacy"]["min_cell"]).marker
    checked = 0
    for group in ("act", "guar", "link"):
        for var in labels.group_items("cases", group):
            values = cases[var.name].dropna().astype(bool)
            row = rows.loc["　" + var.label(labels.language)]
            assert _num(row[f"{overall} {labels.text('valid_n')}"]) == len(values)
            if row[f"{overall} {labels.text('count')}"] != marker:
                assert _num(row[f"{overall} {labels.text('count')}"]) == values.sum()
                checked += 1
    assert checked >= 10


def test_model_tables_hold_every_estimate_of_numbers_json(run):
    """Table 4 the primary model's (the main text's by default), Table A1 every other's."""
    main, other = (
        pd.read_csv(run["tables"] / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("table4_models", "tableA1_models")
    )
    labels = _labels(main)
    models = json.loads(run["numbers"].read_text(encoding="utf-8"))["models"]
    term = labels.text("term")
    primary = next(name for name, m in models.items() if m["role"] == "primary")
    assert main[term].iloc[0] == models[primary][f"label_{labels.language}"]
    heads = [t for t in other[term] if not t.startswith("　")]
    assert set(heads) == {
        m[f"label_{labels.language}"] for name, m in models.items() if name != primary
    }
    checked = 0
    for name, model in models.items():
        cells = set((main if name == primary else other)[labels.text("estimate")])
        for t in model["terms"].values():
            if None in (t["estimate"], t["conf_low"], t["conf_high"]):
                continue
            assert f"{t['estimate']:.2f} ({t['conf_low']:.2f}–{t['conf_high']:.2f})" in cells
            checked += 1
    assert checked >= 20


def test_awareness_table_is_numbers_json(run, default_config, root):
    table = pd.read_csv(run["tables"] / "table5_awareness.csv", dtype=str, keep_default_na=False)
    labels = _labels(table)
    computed = json.loads(run["numbers"].read_text(encoding="utf-8"))["published"]["awareness"]
    rows = table.set_index(labels.text("item"))
    for key, value in computed.items():
        if key.startswith("pct_"):
            row = rows.loc["　" + labels.var("awareness", key.removeprefix("pct_"))]
            assert _num(row[labels.text("computed")]) == pytest.approx(value, abs=0.05)
