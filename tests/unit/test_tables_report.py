"""Report tables: numbers equal to numbers.json and to the processed data, labels from the
codebook, suppression, and the CSV / Markdown / LaTeX writers."""

import io

import pandas as pd
import pytest
import report_fixtures as fx
from markdown_it import MarkdownIt

from teichaku.published import compute_published, compute_valid_n, load_published
from teichaku.report import build
from teichaku.report import tables as tb
from teichaku.report.labels import load_labels
from teichaku.report.protection import survey_protection
from teichaku.report.spec import select_models
from teichaku.report.suppress import Privacy, find_small_counts

P = Privacy(5)


@pytest.fixture(scope="module")
def data():
    return fx.bundle()


@pytest.fixture(scope="module", params=["ja", "en"])
def labels(request):
    return load_labels(request.param, fx.LABEL_FILE, confidence=0.95)


@pytest.fixture(scope="module")
def published():
    return load_published(fx.PUBLISHED)


def _num(cell) -> float:
    return float(str(cell).replace(",", ""))


def test_table1_overall_column_is_numbers_json_at_published_precision(data, labels, published):
    t = tb.basic_attributes_table(
        published,
        data["numbers"]["published"],
        data["roster"],
        data["cases"],
        data["awareness"],
        labels,
        P,
    )
    frame = t.frame.set_index(labels.text("item"))
    valid_n = compute_valid_n(data["roster"], data["cases"], data["awareness"])
    for item in (i for i in tb.ITEMS if i.section in ("survey", "basic_attributes")):
        row = frame.loc[tb.item_label(item, labels)]
        value = data["numbers"]["published"][item.section][item.key]
        if item.kind in ("mean", "pct"):
            digits = tb.decimals(published[item.section][item.key])
            assert _num(row[labels.text("computed")]) == pytest.approx(value, abs=10**-digits / 2)
        elif item.kind != "date":
            assert _num(row[labels.text("computed")]) == value
        if valid_n[item.section][item.key] is not None:
            assert _num(row[labels.text("valid_n")]) == valid_n[item.section][item.key]
        assert str(row[labels.text("published")]).replace(",", "") == str(
            published[item.section][item.key]
        )


def test_table1_cohort_columns_are_recomputed_from_the_cases(data, labels, published):
    t = tb.basic_attributes_table(
        published,
        data["numbers"]["published"],
        data["roster"],
        data["cases"],
        data["awareness"],
        labels,
        P,
    )
    frame = t.frame.set_index(labels.text("item"))
    cases = data["cases"]
    for code in ("r1_ended", "r2_continuing"):
        sub = cases[cases["cohort"] == code]
        col = f"{labels.level('cases', 'cohort', code)} {labels.text('computed')}"
        age = frame.loc[tb.item_label(next(i for i in tb.ITEMS if i.key == "mean_age"), labels)]
        assert _num(age[col]) == pytest.approx(sub["age"].dropna().mean(), abs=0.005)
        male = frame.loc[tb.item_label(next(i for i in tb.ITEMS if i.key == "pct_male"), labels)]
        sex = sub["sex"].dropna()
        assert _num(male[col]) == pytest.approx(100 * (sex == "male").mean(), abs=0.005)


def _shown_or_marker(cell, value, shown: bool, abs_tol: float = 0.0) -> None:
    """A cell shows its true value where the protection publishes it, else the marker."""
    if shown:
        assert _num(cell) == pytest.approx(value, abs=abs_tol)
    else:
        assert cell == P.marker


def test_support_table_counts_and_percentages_match_the_cases(data, labels):
    t = tb.support_table(data["cases"], labels, P)
    protection = survey_protection(data["cases"], labels.codebook, P.min_cell)
    frame = t.frame.set_index(labels.text("item"))
    cases = data["cases"]
    for group in ("act", "guar", "link"):
        assert labels.group("cases", group) in frame.index
        for var in labels.group_items("cases", group):
            row = frame.loc["　" + var.label(labels.language)]
            for code in ("r1_ended", "r2_ended", "r2_continuing"):
                values = cases.loc[cases["cohort"] == code, var.name].dropna().astype(bool)
                prefix = labels.level("cases", "cohort", code)
                k, n = int(values.sum()), len(values)
                count, valid = ("count", var.name, "yes", code), ("valid", var.name, code)
                if P.share_suppressed(k, n):
                    assert not protection.shown(count)
                _shown_or_marker(
                    row[f"{prefix} {labels.text('count')}"], k, protection.shown(count)
                )
                _shown_or_marker(
                    row[f"{prefix} {labels.text('percent')}"],
                    100 * k / n,
                    protection.shown(count) and protection.shown(valid),
                    0.05,
                )
                _shown_or_marker(
                    row[f"{prefix} {labels.text('valid_n')}"], n, protection.shown(valid)
                )


def test_rare_item_is_suppressed_everywhere_in_the_support_table(data, labels):
    t = tb.support_table(data["cases"], labels, P)
    row = t.frame.set_index(labels.text("item")).loc["　" + labels.var("cases", "guar_after_death")]
    overall = labels.text("overall")
    assert row[f"{overall} {labels.text('count')}"] == P.marker
    assert row[f"{overall} {labels.text('percent')}"] == P.marker
    assert find_small_counts(t.frame, t.count_columns, P) == []


def test_barriers_by_prolonged_status(data, labels):
    t = tb.barriers_table(data["analysis"], "prolonged_12", 12, labels, P)
    a = data["analysis"]
    protection = survey_protection(
        a, labels.codebook, P.min_cell, a["prolonged_12"], "prolonged_12"
    )
    frame = t.frame.set_index(labels.text("item"))
    for var in labels.group_items("cases", "barrier"):
        row = frame.loc["　" + var.label(labels.language)]
        for flag, key in ((1, "prolonged"), (0, "not_prolonged")):
            values = a.loc[a["prolonged_12"] == flag, var.name].dropna().astype(bool)
            head = labels.text(key, k=12)
            assert "12" in head
            count = ("count", var.name, "yes", f"prolonged_12={flag}")
            valid = ("valid", var.name, f"prolonged_12={flag}")
            _shown_or_marker(
                row[f"{head} {labels.text('valid_n')}"], len(values), protection.shown(valid)
            )
            _shown_or_marker(
                row[f"{head} {labels.text('percent')}"],
                100 * values.mean(),
                protection.shown(count) and protection.shown(valid),
                0.05,
            )


def test_awareness_table_puts_published_beside_computed(data, labels, published):
    t = tb.awareness_table(published, data["awareness"], labels)
    frame = t.frame.set_index(labels.text("item"))
    computed = compute_published(data["roster"], data["cases"], data["awareness"])["awareness"]
    for key, pub in published["awareness"].items():
        if key == "n_centers":
            continue
        var = key.removeprefix("pct_")
        row = frame.loc["　" + labels.var("awareness", var)]
        assert row[labels.text("published")] == str(pub)
        assert _num(row[labels.text("computed")]) == pytest.approx(computed[key], abs=0.05)
    unpublished = frame.loc["　" + labels.var("awareness", "need_welfare_office")]
    assert unpublished[labels.text("published")] == labels.text("not_published")


def test_model_tables_show_every_model_with_its_counts(data, labels):
    coefs, spec = data["coefficients"], data["spec"]
    t = tb.models_table(coefs, build.model_labels(spec), labels, P)
    cells = t.frame[labels.text("estimate")].tolist()
    for r in coefs.itertuples():
        assert f"{r.estimate:.2f} ({r.conf_low:.2f}–{r.conf_high:.2f})" in cells
    heads = t.frame[t.frame[labels.text("n_model")] != ""]
    assert len(heads) == coefs["model"].nunique()
    assert P.marker in heads[labels.text("n_events")].tolist()  # the 3-event model
    side = tb.sensitivity_table(
        "table4b_sensitivity_primary",
        coefs,
        select_models(
            ["primary", {"role": "sensitivity", "type": "cox"}],
            spec,
            ("cox_transition",),
            set(coefs["model"]),
        ),
        build.model_labels(spec),
        labels,
        P,
    )
    assert list(side.frame.columns)[1:] == [
        getattr(m, f"label_{labels.language}") for m in spec.models if m.type == "cox"
    ]


def test_writers_agree(data, labels, published):
    t = tb.support_table(data["cases"], labels, P)
    csv = pd.read_csv(io.StringIO(tb.to_csv(t)), dtype=str, keep_default_na=False)
    assert csv.equals(t.frame.astype(str))
    md = tb.to_markdown(t)
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert sum(tok.type == "tr_open" for tok in tokens) == len(t.frame) + 1
    tex = tb.to_latex(t)
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert tex.count(rule) == 1
    assert tex.count(r" \\") == len(t.frame) + 1
    assert r"\textless{}5" in tex and "<5" not in tex
    assert tb.latex_escape("a_b & 50%") == r"a\_b \& 50\%"


def test_labels_come_from_the_codebook(labels):
    cohort = labels.variable("cases", "cohort")
    assert labels.level("cases", "cohort", "r1_ended") == (
        cohort.levels[0].ja if labels.language == "ja" else cohort.levels[0].en
    )
    with pytest.raises(KeyError, match="no text"):
        labels.text("no_such_word")
