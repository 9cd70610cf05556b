"""The tables of the small end-to-end run are the audited protection of its data: the
intruder audit passes on the run's own cases, and every count cell the report rule wrote
shows the true count exactly where the protection publishes it, the marker elsewhere."""

import pandas as pd
import pytest

from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.disclosure import audit
from teichaku.report import tables as tb
from teichaku.report.labels import load_labels
from teichaku.report.protection import model_protection, survey_protection

from .conftest import DEFAULT_RUN, ROOT

RUN = DEFAULT_RUN  # the small run is a copy of the default run

LABELS = ROOT / "workflow" / "report" / "labels.yaml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def protected(small_run, default_config):
    codebook = load_codebook(ROOT / default_config["codebook"])
    thresholds = list(default_config["analysis"]["thresholds"])
    spec = load_analysis_spec(ROOT / default_config["analysis"]["models"], thresholds, codebook)
    name = next(m for m in spec.models if m.role == "secondary" and m.type == "logit").outcome
    cases = pd.read_parquet(small_run / RUN.PROCESSED["cases"])
    analysis = pd.read_parquet(small_run / RUN.ANALYSIS_DATASET)
    min_cell = default_config["privacy"]["min_cell"]
    labels = load_labels(
        default_config["report"]["languages"][0],
        LABELS,
        codebook,
        default_config["analysis"]["confidence"],
    )
    return {
        "protection": survey_protection(cases, codebook, min_cell, analysis[name], name),
        "models": model_protection(pd.read_csv(small_run / RUN.COEFFICIENTS), min_cell),
        "labels": labels,
        "cases": cases,
        "tables": small_run / RUN.TABLES_DIR,
        "min_cell": min_cell,
    }


def test_the_audit_passes_on_the_small_run(protected):
    p = protected["protection"]
    findings = audit(p.table, p.published(), protected["min_cell"])
    assert [f for f in findings if not f.ok] == []
    models = protected["models"]
    assert [
        f for f in audit(models.table, models.published(), protected["min_cell"]) if not f.ok
    ] == []


def test_the_written_tables_print_the_protected_counts(protected):
    p, labels = protected["protection"], protected["labels"]
    t = labels.text
    heads = [label for label, _ in tb.cohort_groups(protected["cases"], labels)]
    groups = list(zip(heads, tb.cohort_group_keys(labels), strict=True))
    checked = 0
    for name, marks in (
        ("table2_support_by_cohort", ("act", "guar", "link")),
        ("table3_barriers", ("barrier",)),
    ):
        table = pd.read_csv(protected["tables"] / f"{name}.csv", dtype=str, keep_default_na=False)
        rows = table.set_index(t("item"))
        for group in marks:
            for var in labels.group_items("cases", group):
                row = rows.loc["　" + var.label(labels.language)]
                for head, key in groups:
                    for cell, what in (
                        (("count", var.name, "yes", key), "count"),
                        (("valid", var.name, key), "valid_n"),
                    ):
                        if p.table.value(("valid", var.name, key)):
                            assert row[f"{head} {t(what)}"] == p.count(cell), (name, cell)
                            checked += 1
    assert checked > 100
