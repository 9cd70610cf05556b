"""The intruder audit on tables 1-3 of a battery of synthetic surveys, small to default size.

Each survey is drawn by the synthetic generator (no spreadsheets, no Snakemake), optionally
cut down to its first few centers, and goes through the library functions the report rule
calls: the joint protection of tables 1-3 and the three table builders. Then

- the audit, run again independently of the suppression, finds every sensitive count
  protected and no suppressed cell recoverable;
- the printed tables show each count's true value exactly where the protection publishes
  it and the marker everywhere else, no small count, no percentage of a hidden count;
- a plain intruder who only subtracts printed columns (overall minus the other cohorts)
  recovers nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import report_fixtures as fx
import yaml

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.numbers import published_numbers
from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.disclosure import Status, audit
from teichaku.published import ITEMS, compute_published, compute_valid_n, load_published
from teichaku.report import tables as tb
from teichaku.report.groups import item_label
from teichaku.report.labels import load_labels
from teichaku.report.protection import survey_protection
from teichaku.report.suppress import Privacy, find_small_counts
from teichaku.synthetic.population import generate_survey

ROOT = fx.ROOT
PRIVACY = Privacy(5)

#: (scale, centers kept (0: all that answered), seed): about 20, 60, 150 and 500 cases over
#: 3 to 46 centers, and the default survey.
SURVEYS = [
    (0.007, 0, 1),
    (0.2, 3, 2),
    (0.02, 0, 3),
    (0.2, 5, 4),
    (0.054, 0, 5),
    (0.2, 12, 6),
    (0.18, 0, 7),
    (1.0, 0, 20211021),
]


@pytest.fixture(scope="module")
def setting():
    codebook = load_codebook(ROOT / "config" / "codebook.yaml")
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    thresholds = list(config["analysis"]["thresholds"])
    spec = load_analysis_spec(ROOT / "config" / "models.yaml", thresholds, codebook)
    prolonged = next(m for m in spec.models if m.role == "secondary" and m.type == "logit")
    synthetic = yaml.safe_load((ROOT / "config" / "synthetic.yaml").read_text(encoding="utf-8"))
    return {
        "codebook": codebook,
        "spec": spec,
        "thresholds": thresholds,
        "prolonged": prolonged.outcome,
        "synthetic": synthetic,
        "published": load_published(ROOT / "config" / "published-2021.yaml"),
        "labels": load_labels("ja", fx.LABEL_FILE, codebook, 0.95),
    }


def _survey(setting, scale: float, centers: int, seed: int):
    cfg = {**setting["synthetic"], "scale": scale, "seed": seed}
    survey = generate_survey(cfg, setting["published"], setting["codebook"])
    cases = survey.cases
    if centers:
        keep = sorted(cases["center_id"].unique())[:centers]
        cases = cases[cases["center_id"].isin(keep)].reset_index(drop=True)
    analysis = build_analysis_dataset(
        cases, survey.roster, setting["spec"], setting["thresholds"], setting["codebook"]
    )
    return survey, cases, analysis


def _subtraction_leaks(frame: pd.DataFrame, overall: str, parts: list[str], what: str):
    """Rows where the overall count is printed and exactly one cohort count is hidden."""
    leaks = []
    for i, row in frame.iterrows():
        cells = [row[f"{overall} {what}"]] + [row[f"{p} {what}"] for p in parts]
        if "" in cells:
            continue
        hidden = [c == PRIVACY.marker for c in cells]
        if not hidden[0] and sum(hidden[1:]) == 1:
            leaks.append((i, what, cells))
    return leaks


#: (scale, centers, seed) -> (survey, cases, analysis, protection): each survey is protected
#: once for the tests of this module (the suppression of a small survey takes seconds).
_PROTECTED: dict = {}


def _protected(setting, scale: float, centers: int, seed: int):
    if (scale, centers, seed) not in _PROTECTED:
        survey, cases, analysis = _survey(setting, scale, centers, seed)
        name = setting["prolonged"]
        protection = survey_protection(
            cases, setting["codebook"], PRIVACY.min_cell, analysis[name], name
        )
        _PROTECTED[(scale, centers, seed)] = (survey, cases, analysis, protection)
    return _PROTECTED[(scale, centers, seed)]


@pytest.mark.slow
@pytest.mark.parametrize(("scale", "centers", "seed"), SURVEYS)
def test_no_suppressed_count_of_tables_1_to_3_can_be_recovered(setting, scale, centers, seed):
    survey, cases, analysis, protection = _protected(setting, scale, centers, seed)
    name, codebook, labels = setting["prolonged"], setting["codebook"], setting["labels"]

    findings = audit(protection.table, protection.published(), PRIVACY.min_cell)
    assert [f for f in findings if not f.ok] == []
    for f in findings:
        if f.kind == "sensitive":
            assert f.high - f.low >= PRIVACY.min_cell
        else:
            assert f.low < f.high
    small = [k for k, c in protection.table.cells.items() if c.printed and 0 < c.value < 5]
    assert all(not protection.shown(k) for k in small)

    computed = compute_published(survey.roster, cases, survey.awareness, codebook)
    t1 = tb.basic_attributes_table(
        setting["published"],
        computed,
        survey.roster,
        cases,
        survey.awareness,
        labels,
        PRIVACY,
        protection,
    )
    t2 = tb.support_table(cases, labels, PRIVACY, protection)
    t3 = tb.barriers_table(analysis, name, 12, labels, PRIVACY, protection)
    t = labels.text
    cohorts = [lbl for lbl, _ in tb.cohort_groups(cases, labels)[1:]]
    keys = tb.cohort_group_keys(labels)
    for table in (t1, t2, t3):
        assert find_small_counts(table.frame, table.count_columns, PRIVACY) == []
    for table in (t2, t3):
        heads = [lbl for lbl, _ in tb.cohort_groups(cases, labels)]
        groups = list(zip(heads, keys, strict=True))
        if table is t3:
            prolonged = [lbl for lbl, _ in tb.prolonged_groups(analysis, name, 12, labels)]
            groups += list(zip(prolonged, tb.prolonged_group_keys(name), strict=True))
        rows = table.frame.set_index(t("item"))
        for group in ("act", "guar", "link") if table is t2 else ("barrier",):
            for var in labels.group_items("cases", group):
                row = rows.loc["　" + var.label("ja")]
                for head, key in groups:
                    count, valid = ("count", var.name, "yes", key), ("valid", var.name, key)
                    n = protection.table.value(valid)
                    if not n:
                        continue
                    for cell, what in ((count, "count"), (valid, "valid_n")):
                        printed = row[f"{head} {t(what)}"]
                        expected = protection.count(cell)
                        assert printed == expected, (var.name, key, what)
                    pct = row[f"{head} {t('percent')}"]
                    assert (pct != PRIVACY.marker) == protection.share_shown(count, valid)
        for what in ("count", "valid_n"):
            assert _subtraction_leaks(table.frame, t("overall"), cohorts, t(what)) == []
    size_row = t1.frame.set_index(t("item")).loc[labels.entry("published_items", "n_cases")]
    for head, key in zip(cohorts, keys[1:], strict=True):
        assert size_row[f"{head} {t('computed')}"] == protection.count(("size", key))


def _printed_number(cell: str) -> float | None:
    return None if cell in (PRIVACY.marker, "") else float(cell.replace(",", ""))


@pytest.mark.slow
@pytest.mark.parametrize(("scale", "centers", "seed"), SURVEYS)
def test_figures_and_numbers_show_what_the_tables_publish(setting, scale, centers, seed):
    """Figures 2 and 3 and numbers.json read the tables' statuses, primary and secondary:
    a share or mean the table hides is no bar and the marker in numbers.json, one it shows
    is drawn at the printed value."""
    from teichaku.report import figures as fg

    survey, cases, _, protection = _protected(setting, scale, centers, seed)
    codebook, labels = setting["codebook"], setting["labels"]
    t = labels.text
    computed = compute_published(survey.roster, cases, survey.awareness, codebook)
    valid_n = compute_valid_n(survey.roster, cases, survey.awareness, codebook)
    t1 = tb.basic_attributes_table(
        setting["published"],
        computed,
        survey.roster,
        cases,
        survey.awareness,
        labels,
        PRIVACY,
        protection,
    )
    shown, _ = published_numbers(computed, protection)
    rows = t1.frame.set_index(t("item"))
    items = [i for i in ITEMS if i.section == "basic_attributes"]
    drawn = fg.attribute_values(items, computed, valid_n, protection)
    for item, (value, n) in zip(items, drawn, strict=True):
        row = rows.loc[item_label(item, labels)]
        printed = _printed_number(row[t("computed")])
        number = shown["basic_attributes"][item.key]
        if printed is None:
            assert np.isnan(value) and number == PRIVACY.marker, item.key
        else:
            assert value == pytest.approx(printed, abs=0.006) and number == value, item.key
        assert str(n) == row[t("valid_n")].replace(",", ""), item.key

    t2 = tb.support_table(cases, labels, PRIVACY, protection).frame.set_index(t("item"))
    heads = [lbl for lbl, _ in tb.cohort_groups(cases, labels)[1:]]
    statuses = set()
    for group in ("act", "guar", "link"):
        variables, per_cohort = fg.group_shares(labels, protection, group)
        for head, key, (_, ns, pct) in zip(
            heads, tb.cohort_group_keys(labels)[1:], per_cohort, strict=True
        ):
            for var, n, p in zip(variables, ns, pct, strict=True):
                row = t2.loc["　" + var.label(labels.language)]
                printed = _printed_number(row[f"{head} {t('percent')}"])
                if printed is None:
                    assert np.isnan(p), (var.name, key)
                else:
                    assert p == pytest.approx(printed, abs=0.051), (var.name, key)
                if n:
                    assert str(n) == row[f"{head} {t('valid_n')}"].replace(",", "")
                statuses.add(protection.status.get(("count", var.name, "yes", key)))
    if len(cases) < 300:  # a small survey: the figure leaves out cells of both kinds
        assert {Status.PRIMARY, Status.SECONDARY} <= statuses
