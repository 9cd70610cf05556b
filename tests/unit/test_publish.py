"""The publication layer (teichaku.report.publish), the reliability assessment of fitted
models and the escaping of text on its way to the summary, on hand-made inputs whose right
answer is known."""

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis import reliability
from teichaku.analysis.numbers import published_numbers
from teichaku.disclosure import Cell, CellTable, Protection, Status, protect
from teichaku.report import publish
from teichaku.report.suppress import Privacy

P = Privacy(5)
RULES = reliability.Rules(min_events_per_parameter=5, min_clusters=20)


# --------------------------------------------------------------------------- counts


def test_a_count_is_hidden_when_it_or_its_complement_is_small():
    assert publish.share_count(P, 3, 100) == "<5"
    assert publish.share_count(P, 97, 100) == "<5"  # 3 without
    assert publish.share_count(P, 0, 100) == 0  # nobody: singles out no one
    assert publish.share_count(P, 50, 100) == 50


def test_a_partition_never_leaves_one_hidden_part_to_subtraction():
    parts = publish.partition(P, 30, {"a": 2, "b": 8, "c": 20})
    assert parts == {"a": "<5", "b": "<5", "c": 20}  # 30 - 20 = a + b: a in [0, 10]
    assert publish.partition(P, 30, {"a": 10, "b": 20, "c": 0}) == {"a": 10, "b": 20, "c": 0}
    both = publish.partition(P, 30, {"a": 2, "b": 3, "c": 25})
    assert both == {"a": "<5", "b": "<5", "c": 25}


def _sex_and_age_cells() -> CellTable:
    """Table 1's cells for 男性 and age over two cohorts: 3 men in cohort a (primary), the
    men of cohort b made dear to suppress, so the overall count is what secondary
    suppression hides (23 - 20 = 3 otherwise); age answered by 4 people only."""
    t = CellTable()
    t.add(Cell(("size", "all"), 43))
    for g, valid, men, cost in (("all", 43, 23, None), ("a", 10, 3, None), ("b", 33, 20, 1e6)):
        t.add(Cell(("valid", "sex", g), valid, cost=1e6))
        t.add(Cell(("count", "sex", "male", g), men, denominator=("valid", "sex", g), cost=cost))
        t.add(Cell(("rest", "sex", g), valid - men, printed=False, protect=False))
        t.add_sum(("valid", "sex", g), [("count", "sex", "male", g), ("rest", "sex", g)])
    for family in (("count", "sex", "male"), ("valid", "sex"), ("rest", "sex")):
        t.add_sum((*family, "all"), [(*family, "a"), (*family, "b")])
    t.add(Cell(("valid", "age", "all"), 4))
    return t


def test_published_figures_follow_the_tables_primary_and_secondary_suppression():
    protection = protect(_sex_and_age_cells(), 5)
    assert protection.status[("count", "sex", "male", "a")] is Status.PRIMARY
    assert protection.status[("count", "sex", "male", "all")] is Status.SECONDARY
    computed = {
        "survey": {"n_cases": 43},
        "basic_attributes": {"pct_male": 100 * 23 / 43, "mean_age": 60.5},
        "awareness": {},
    }
    shown, hidden = published_numbers(computed, protection)
    assert shown["survey"]["n_cases"] == 43
    # 23 of 43 is shown nowhere: table 1 hides the count, so numbers.json hides the share
    assert shown["basic_attributes"]["pct_male"] == "<5"
    assert shown["basic_attributes"]["mean_age"] == "<5"  # a mean over 4 people
    assert hidden == {("basic_attributes", "pct_male"), ("basic_attributes", "mean_age")}


# --------------------------------------------------------------------------- models


def _coefficients(model="m", type_="logit", n=40, events=2, clusters=30, se="cluster_robust"):
    return pd.DataFrame(
        {
            "model": model,
            "role": "secondary",
            "type": type_,
            "term": ["Intercept", "x1", "x2"],
            "label_ja": ["切片", "x1", "x2"],
            "label_en": ["Intercept", "x1", "x2"],
            "scale": "OR",
            "estimate": [0.5, 0.0, 2.0],
            "conf_low": [0.1, 0.0, 1.0],
            "conf_high": [0.9, 0.0, 4.0],
            "std_error": [0.1, 0.2, 0.3],
            "p_value": [0.01, 0.5, 0.04],
            "se_type": se,
            "n": n,
            "n_events": events,
            "n_clusters": clusters,
        }
    )


def _diagnostics(model="m", *rows):
    base = [("convergence", "ok", "converged")]
    return pd.DataFrame(
        [
            {
                "model": model,
                "check": c,
                "term": "",
                "value": np.nan,
                "p_value": np.nan,
                "threshold": np.nan,
                "status": s,
                "message": msg,
            }
            for c, s, msg in [*base, *rows]
        ]
    )


@pytest.mark.parametrize(
    ("coef", "diag", "expected"),
    [
        (_coefficients(events=2), _diagnostics(), ("not_reported", "few_events")),
        (_coefficients(events=37), _diagnostics(), ("not_reported", "few_events")),
        (_coefficients(n=40, events=8), _diagnostics(), ("not_reported", "events_per_parameter")),
        (
            _coefficients(n=400, events=100),
            _diagnostics("m", ("separation", "warning", "|log ratio| = 20")),
            ("not_reported", "separation"),
        ),
        (
            _coefficients(n=400, events=100),
            _diagnostics().assign(message="did not converge"),
            ("not_reported", "not_converged"),
        ),
        (
            _coefficients(n=400, events=100, clusters=3),
            _diagnostics(),
            ("estimates_only", "few_clusters"),
        ),
        (
            _coefficients(n=400, events=100, clusters=3, se="model"),
            _diagnostics(),
            ("reported", ""),
        ),
        (_coefficients(n=400, events=100), _diagnostics(), ("reported", "")),
        (_coefficients().iloc[0:0], _diagnostics(), ("not_reported", "not_fitted")),
    ],
)
def test_each_reliability_rule(coef, diag, expected):
    assert reliability.assess_model("m", coef, diag, RULES, 5) == expected


def test_reasons_are_plain_words_in_both_languages():
    out = reliability.assess(
        ["m"], _coefficients(n=400, events=100, clusters=3), _diagnostics(), RULES, 5
    )
    row = out.iloc[0]
    assert "20" in row["reason_ja"] and "20 centers" in row["reason_en"]
    table = reliability.assess(
        ["m"],
        _coefficients(n=400, events=100),
        _diagnostics("m", ("separation", "warning", "")),
        RULES,
        5,
    )
    assert "separation" not in table.iloc[0]["reason_en"]


def test_rules_come_from_the_configuration_with_defaults():
    assert reliability.Rules.from_config(None) == reliability.Rules()
    assert reliability.Rules.from_config({"min_clusters": 10}).min_clusters == 10


def test_published_coefficients_hide_what_is_not_reported():
    coef = pd.concat(
        [
            _coefficients("few", events=2),
            _coefficients("clusters", n=400, events=100, clusters=3),
            _coefficients("fine", n=400, events=100),
        ],
        ignore_index=True,
    )
    diag = pd.concat([_diagnostics(m) for m in ("few", "clusters", "fine")])
    assessment = reliability.assess(["few", "clusters", "fine"], coef, diag, RULES, 5)
    out = publish.publish_coefficients(coef, assessment, P)
    few = out[out["model"] == "few"]
    assert few[list(publish.ESTIMATE_COLUMNS)].isna().all().all()
    assert set(few["n_events"]) == {"<5"}
    clusters = out[out["model"] == "clusters"]
    assert clusters["estimate"].notna().all()
    assert clusters[["conf_low", "conf_high", "p_value"]].isna().all().all()
    fine = out[out["model"] == "fine"]
    pd.testing.assert_frame_equal(
        fine[list(publish.ESTIMATE_COLUMNS)], coef.loc[fine.index, list(publish.ESTIMATE_COLUMNS)]
    )


def test_published_diagnostics_hide_counts_that_give_events_away():
    coef = publish.publish_coefficients(
        _coefficients(events=2),
        reliability.assess(["m"], _coefficients(events=2), _diagnostics(), RULES, 5),
        P,
    )
    diag = _diagnostics(
        "m",
        ("events_per_variable", "warning", "1.0 events per parameter, fewer than 10"),
        ("multiple_imputation", "ok", "10 imputations of ['iq']; 3 of 40 rows had a value imputed"),
    )
    diag.loc[1, "value"] = 1.0
    out = publish.publish_diagnostics(diag, coef, P)
    epv = out[out["check"] == "events_per_variable"].iloc[0]
    assert np.isnan(epv["value"]) and epv["message"] == "<5"
    imputed = out[out["check"] == "multiple_imputation"].iloc[0]["message"]
    assert imputed.endswith("<5 of 40 rows had a value imputed")


def test_a_fit_text_is_rebuilt_from_the_published_rows():
    text = (
        "Model: m (logit, role secondary)\nFormula: x1 + x2\nn: 40\nn_events: 2\n"
        "n_clusters: 30\n\n term  estimate\n   x1  0.0000\n\nDiagnostics:\n  ok convergence\n"
    )
    coef = _coefficients(events=2)
    assessment = reliability.assess(["m"], coef, _diagnostics(), RULES, 5)
    shown = publish.publish_coefficients(coef, assessment, P)
    row = {"model": "m", **assessment.set_index("model").loc["m"].to_dict()}
    out = publish.publish_fit_text(text, shown, ["  ok      convergence converged"], row, P)
    assert "n_events: <5" in out and "n_events: 2" not in out
    assert "No estimates reported: not reported: fewer than 5 people" in out
    assert "0.0000" not in out and out.endswith("Diagnostics:\n  ok      convergence converged\n")


def test_the_fit_text_of_a_model_that_could_not_be_fitted_hides_its_small_counts():
    text = (
        "Model: m (cox, role primary)\nFormula: x1 + x2\nn: 6\nn_events: 1\n"
        "n_clusters: 2\nn_dropped_missing: 3\n\nDiagnostics:\n  error fit not fitted\n"
    )
    assessment = reliability.assess(["m"], _coefficients().iloc[0:0], _diagnostics(), RULES, 5)
    row = {"model": "m", **assessment.set_index("model").loc["m"].to_dict()}
    out = publish.publish_fit_text(text, _coefficients().iloc[0:0], ["  error fit"], row, P)
    assert "n: <5" not in out and "n: 6" in out  # 6 people: not small
    assert "n_events: <5" in out and "n_events: 1" not in out
    assert "No estimates reported: could not be estimated" in out


# --------------------------------------------------------------------------- curves, files


def test_published_curves_have_no_point_with_fewer_than_min_cell_at_risk():
    curves = pd.DataFrame(
        {
            "curve": "km",
            "by": ["all"] * 5 + ["cohort"] * 2,
            "group": ["all"] * 5 + ["tiny"] * 2,
            "time": [0.0, 1.0, 2.0, 10.8, 11.5, 0.0, 3.0],
            "estimate": [1.0, 0.9, 0.8, 0.5, 0.5, 1.0, 0.5],
            "n_at_risk": [20, 12, 6, 4, 1, 3, 2],
        }
    )
    out = publish.publish_curves(curves, P)
    assert (out["n_at_risk"] >= 5).all()
    assert list(out["time"]) == [0.0, 1.0, 2.0]  # the exact ends of the last few are gone
    assert "tiny" not in set(out["group"])


def _curve(by, group, n0):
    return pd.DataFrame(
        {"curve": "km", "by": by, "group": group, "time": [0.0, 1.0],
         "estimate": [1.0, 0.9], "n_at_risk": [n0, n0 - 1]}
    )  # fmt: skip


def test_no_curve_group_can_be_had_as_the_overall_n_minus_the_others():
    """27 followed, 3 of them with a barrier: the curve of the 3 is cut, and so is the curve
    of the 24 without (27 - 24 = 3); a cohort whose size the tables suppress (secondary)
    has no curve either, nor do the other cohorts."""
    curves = pd.concat(
        [
            _curve("all", "all", 27),
            _curve("barrier_x", "yes", 3),
            _curve("barrier_x", "no", 24),
            _curve("barrier_y", "yes", 12),
            _curve("barrier_y", "no", 15),
            _curve("cohort", "a", 12),
            _curve("cohort", "b", 15),
        ],
        ignore_index=True,
    )
    out = publish.publish_curves(curves, P)
    kept = set(zip(out["by"], out["group"], strict=True))
    assert kept == {("all", "all"), ("barrier_y", "yes"), ("barrier_y", "no"),
                    ("cohort", "a"), ("cohort", "b")}  # fmt: skip
    t = CellTable()
    t.add(Cell(("size", "all"), 27))
    t.add(Cell(("size", "a"), 12, cost=1))
    t.add(Cell(("size", "b"), 15))
    t.add(Cell(("size", "c"), 0, printed=False, known=True))
    t.add_sum(("size", "all"), [("size", "a"), ("size", "b"), ("size", "c")])
    protection = Protection(t, 5, {("size", "all"): Status.PUBLISHED,
                                   ("size", "a"): Status.SECONDARY,
                                   ("size", "b"): Status.SECONDARY}, ())  # fmt: skip
    out = publish.publish_curves(curves, P, protection)
    assert set(out["by"]) == {"all", "barrier_y"}


def test_raw_file_names_become_labels_in_the_provenance():
    digests = {
        "config/codebook.yaml": "c",
        "data/raw/r/roster.xlsx": "r",
        "data/raw/r/cases/C42_対象者001_(氏名)_再提出.xlsx": "a",
        "data/raw/r/cases/<img src=x onerror=1>\n.csv": "b",
    }
    out = publish.label_inputs(digests, "data/raw/r")
    assert out == {
        "config/codebook.yaml": "c",
        "data/raw/r/cases-1.csv": "b",
        "data/raw/r/cases-2.xlsx": "a",
        "data/raw/r/roster-1.xlsx": "r",
    }


def test_the_published_validation_summary_names_no_file_and_counts_no_file_rows():
    from teichaku.ingest.report import file_labels_csv, published, summary_csv

    data = {
        "tables": {
            "cases": {
                "rows_read": 7,
                "rows_valid": 7,
                "rows_rejected": 0,
                "rows_duplicate": 0,
                "errors": {},
                "rows_per_error": {},
                "warnings": {},
                "files": [
                    {
                        "file": "cases/C42_対象者001_(氏名).xlsx",
                        "sheet": "山田",
                        "encoding": None,
                        "rows_read": 3,
                        "extra_columns": ["課題:特になし"],
                    },
                    {
                        "file": "cases/C01.csv",
                        "sheet": None,
                        "encoding": "cp932",
                        "rows_read": 4,
                        "extra_columns": [],
                    },
                ],
            }
        },
        "ignored_files": ["cases/memo_氏名.docx"],
        "rejected_share_cases": 0.0,
    }
    out = published(data, 5)
    assert out["tables"]["cases"]["files"] == [
        {"file": "cases-2", "extra_columns": 1, "encoding": None},
        {"file": "cases-1", "extra_columns": 0, "encoding": "cp932"},
    ]
    assert out["ignored_files"] == ["ignored-1"]
    text = str(out) + summary_csv(data, 5)
    for secret in ("氏名", "山田", "課題", "C42", "rows_read': 3"):
        assert secret not in text
    assert "C42_対象者001_(氏名).xlsx" in file_labels_csv(data)  # the mapping, for data/


def test_warnings_per_rule_count_people_of_the_tables_and_hide_few_of_them():
    """A warning counts kept rows: 2 deaths whose residence is not "deceased" would put a
    lower bound of 2 on a count the tables suppress; all but 3 rows with a warning single
    out the 3 without. Rejected rows per rule are records in no table and stay counted."""
    from teichaku.ingest.report import published, summary_csv

    data = {
        "tables": {
            "cases": {
                "rows_read": 42,
                "rows_valid": 40,
                "rows_rejected": 2,
                "rows_duplicate": 0,
                "errors": {"invalid_date": 2},
                "rows_per_error": {"invalid_date": 2},
                "warnings": {
                    "death_not_deceased": 2,
                    "end_outside_cohort_fy": 37,
                    "start_before_release": 9,
                    "deceased_without_death": 0,
                },
                "files": [],
            }
        },
        "ignored_files": [],
        "rejected_share_cases": 0.047619,
    }
    out = published(data, 5)["tables"]["cases"]
    assert out["warnings"] == {
        "death_not_deceased": "<5",
        "end_outside_cohort_fy": "<5",  # 3 of the 40 without
        "start_before_release": 9,
        "deceased_without_death": 0,
    }
    assert out["rows_per_error"] == {"invalid_date": 2}
    assert data["tables"]["cases"]["warnings"]["death_not_deceased"] == 2  # the log's, kept
    text = summary_csv(data, 5)
    assert "cases,warning,death_not_deceased,<5" in text
    assert "cases,warning,end_outside_cohort_fy,<5" in text
    assert "cases,warning,start_before_release,9" in text


# --------------------------------------------------------------------------- escaping


def test_markdown_cells_cannot_open_a_tag_but_keep_the_marker():
    from teichaku.report.tables import _md_cell

    assert _md_cell('<img src=x onerror="alert(1)">\n|') == '&lt;img src=x onerror="alert(1)"> \\|'
    assert _md_cell("<5") == "<5"
    assert _md_cell("</b><!-- x") == "&lt;/b>&lt;!-- x"


def test_text_filled_into_the_summary_is_escaped_and_renders_as_text(tmp_path):
    from teichaku.report.summary import make_environment, markdown_to_html_body

    (tmp_path / "t.md.j2").write_text(
        "- {{ label }}: {{ value | num(1) }}\n\n`{{ where }}`\n\n{{ table }}\n", encoding="utf-8"
    )
    from markupsafe import Markup

    md = (
        make_environment(tmp_path)
        .get_template("t.md.j2")
        .render(
            label="<img src=x onerror=alert(1)>",
            value="<5",
            where='end_reason != "death"',
            table=Markup("| a |\n| --: |\n| <5 |"),
        )
    )
    assert md.startswith("- &lt;img src=x onerror=alert(1)>: <5\n")
    assert '`end_reason != "death"`' in md  # quotes in code spans stay readable
    body = markdown_to_html_body(md, tmp_path)
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;5" in body
