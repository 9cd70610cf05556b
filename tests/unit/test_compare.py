"""The comparison of survey rounds (teichaku.compare): linkage, pooled model, trend."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.specs import load_analysis_spec
from teichaku.codebook import load_codebook
from teichaku.compare import linkage, pooled, trend
from teichaku.compare.rounds import CompareError, Round, in_order
from teichaku.disclosure import audit
from teichaku.report.suppress import Privacy
from tests.unit.analysis_cases import make_tables

THRESHOLDS = [6, 12, 18, 24]
REASONS = ["stable", "handover", "death", "reincarceration", "lost", "refused", "other"]
EVENTS = {"stable": "transition", "handover": "transition"} | {r: "competing" for r in REASONS[2:]}


@pytest.fixture(scope="module")
def spec(root):
    return load_analysis_spec(root / "config" / "models.yaml", THRESHOLDS, load_codebook())


def _round(name, rows, reference="2021-10-21", numbers=None) -> Round:
    """A round from (case_id, end_reason or None, start, end or None) rows."""
    frame = pd.DataFrame(rows, columns=["case_id", "end_reason", "followup_start", "followup_end"])
    frame["followup_start"] = pd.to_datetime(frame["followup_start"])
    frame["followup_end"] = pd.to_datetime(frame["followup_end"])
    event = frame["end_reason"].map(EVENTS).fillna("censored")
    frame["event_type"] = pd.Categorical(event, categories=["transition", "competing", "censored"])
    return Round(name, dt.date.fromisoformat(reference), frame, numbers or {})


def _followup_numbers(frame: pd.DataFrame) -> dict:
    """numbers.json's counts of ends as a round publishes them (small ones hidden)."""
    counts = frame["event_type"].value_counts()
    return {"followup": {f"n_{e}": int(k) if k >= 5 else "<5" for e, k in counts.items()}}


def _later(continuing: int, ended: dict[str, int], new_open: int, new_ended: int) -> Round:
    """The round after ``earlier(continuing)``: of its continuing cases ``ended[reason]``
    have ended (on 2022-01-20, started 2020-01-01), the rest still open; plus new cases."""
    rows, i = [], 0
    for reason, k in ended.items():
        rows += [(f"c{i + j}", reason, "2020-01-01", "2022-01-20") for j in range(k)]
        i += k
    rows += [(f"c{j}", None, "2020-01-01", None) for j in range(i, continuing)]
    rows += [(f"n{j}", None, "2021-06-01", None) for j in range(new_open)]
    rows += [(f"m{j}", "stable", "2021-06-01", "2022-02-01") for j in range(new_ended)]
    later = _round("2022", rows, "2022-10-21")
    return Round(
        later.name, later.reference_date, later.analysis, _followup_numbers(later.analysis)
    )


def earlier(continuing: int, ended_before: int = 30) -> Round:
    rows = [(f"c{j}", None, "2020-01-01", None) for j in range(continuing)]
    rows += [(f"e{j}", "stable", "2019-06-01", "2020-06-01") for j in range(ended_before)]
    return _round("2021", rows)


def _by_status(table: pd.DataFrame) -> dict:
    return {
        (r.status, None if pd.isna(r.end_reason) else r.end_reason): r.n for r in table.itertuples()
    }


def test_linked_counts_follow_each_continuing_case_by_its_pseudonym():
    later = _later(60, {"stable": 20, "handover": 10, "death": 6}, new_open=40, new_ended=30)
    table = linkage.linkage_table(earlier(60), later, REASONS, EVENTS, min_cell=5)
    counts = _by_status(table)
    assert counts[("continuing", None)] == 60
    assert counts[("found", None)] == 60 and counts[("not_found", None)] == 0
    assert counts[("ended", None)] == 36 and counts[("still_continuing", None)] == 24
    assert counts[("ended", "stable")] == 20 and counts[("ended", "death")] == 6
    row = table[(table["status"] == "ended") & (table["end_reason"] == "stable")].iloc[0]
    months = (pd.Timestamp("2022-01-20") - pd.Timestamp("2020-01-01")).days / (365.25 / 12)
    assert row["median_followup_months"] == pytest.approx(months, rel=1e-7)
    since = (pd.Timestamp("2022-01-20") - pd.Timestamp("2021-10-21")).days / (365.25 / 12)
    assert row["median_months_since_earlier_round"] == pytest.approx(since, rel=1e-7)


def test_a_case_missing_from_the_later_round_is_counted_as_not_found():
    later = _later(50, {"stable": 20}, new_open=30, new_ended=30)
    later = Round(later.name, later.reference_date, later.analysis.iloc[5:], later.numbers)
    counts = _by_status(linkage.linkage_table(earlier(50), later, REASONS, EVENTS, 5))
    assert counts[("not_found", None)] == 5 and counts[("found", None)] == 45


def _published(table: pd.DataFrame) -> dict:
    return {
        (r.status, r.end_reason): r.n for r in table.itertuples() if not str(r.n).startswith("<")
    }


def test_a_small_end_reason_is_hidden_and_cannot_be_recovered_by_subtraction():
    later = _later(60, {"stable": 20, "handover": 10, "death": 2}, new_open=40, new_ended=30)
    linked = linkage.linked_cases(earlier(60), later)
    cells = linkage.linkage_cells(linked, REASONS, EVENTS, linkage.later_ends(later))
    table = linkage.linkage_table(earlier(60), later, REASONS, EVENTS, min_cell=5)
    counts = _by_status(table)
    assert counts[("ended", "death")] == "<5"
    death = table[table["end_reason"] == "death"].iloc[0]
    assert death["median_followup_months"] == "<5" and death["pct_of_continuing"] == "<5"
    # the intruder's view: every published count and every relation among the cells
    published = {k for k in cells.printed() if _key_published(k, counts)}
    assert not [f for f in audit(cells, published, 5) if not f.ok]
    hidden = [k for k, v in counts.items() if v == "<5"]
    assert len(hidden) >= 2  # one hidden part of a shown sum would be the sum minus the rest


def _key_published(key, counts) -> bool:
    status, reason = (key[0], key[1] if len(key) == 2 else None)
    return counts[(status, reason)] != "<5"


def test_few_new_continuing_cases_of_the_later_round_hide_the_linked_still_continuing():
    """The later round publishes its own count of continuing cases: linked still
    continuing + new continuing; with 2 new ones, the linked count would give them away."""
    later = _later(60, {"stable": 20, "handover": 10, "death": 6}, new_open=2, new_ended=30)
    counts = _by_status(linkage.linkage_table(earlier(60), later, REASONS, EVENTS, 5))
    assert counts[("still_continuing", None)] == "<5"


def test_a_case_id_twice_in_one_round_is_an_error():
    later = _later(10, {"stable": 5}, 5, 5)
    doubled = Round("2022", later.reference_date, pd.concat([later.analysis] * 2), {})
    with pytest.raises(ValueError, match="twice"):
        linkage.linked_cases(earlier(10), doubled)


def test_rounds_are_ordered_by_reference_date_and_need_two():
    a, b = earlier(5), _later(5, {}, 5, 5)
    assert [r.name for r in in_order([b, a])] == ["2021", "2022"]
    with pytest.raises(CompareError, match="at least two"):
        in_order([a])
    with pytest.raises(CompareError, match="same reference date"):
        in_order([a, Round("x", a.reference_date, a.analysis, {})])


def _analysis_round(name, reference, spec, seed, n=1500, scramble=None) -> Round:
    roster, cases, _ = make_tables(n=n, n_centers=24, seed=seed)
    cases["case_id"] = [f"{name}-{i}" for i in range(len(cases))]
    if scramble:  # destroy one barrier's effect in this round
        rng = np.random.default_rng(seed)
        cases[scramble] = cases[scramble].to_numpy()[rng.permutation(len(cases))]
    data = build_analysis_dataset(cases, roster, spec, THRESHOLDS, load_codebook())
    return Round(name, dt.date.fromisoformat(reference), data, {})


def test_the_pooled_frame_keeps_each_person_once_in_the_round_of_entry(spec):
    first = _analysis_round("2021", "2021-10-21", spec, seed=3, n=200)
    data = first.analysis
    open_ids = data.loc[data["end_reason"].isna(), "case_id"].iloc[:10]
    again = data[data["case_id"].isin(open_ids)].copy()
    again["followup_months"] += 12.0  # the later record: a longer follow-up
    second = Round("2022", dt.date(2022, 10, 21), again, {})
    pool = pooled.pooled_frame([first, second])
    assert pool["case_id"].is_unique and len(pool) == len(data)
    kept = pool.set_index("case_id").loc[open_ids]
    assert (kept["round"] == "2021").all()
    original = data.set_index("case_id").loc[open_ids, "followup_months"]
    assert np.allclose(kept["followup_months"], original + 12.0)


def test_the_interaction_finds_an_effect_that_differs_between_rounds(spec):
    primary = next(m for m in spec.models if m.role == "primary")
    a = _analysis_round("2021", "2021-10-21", spec, seed=11)
    b = _analysis_round(
        "2022", "2022-10-21", spec, seed=13, scramble="barrier_no_agency_cooperation"
    )
    fit = pooled.fit_pooled(primary, pooled.pooled_frame([a, b]))
    table, joint = pooled.difference_table(
        fit, list(trend_barriers()), ["2021", "2022"], 0.95, 5, 5, 20
    )
    row = table[(table["term"] == "barrier_no_agency_cooperation") & (table["round"] == "2022")]
    row = row.iloc[0]
    # true HR 0.6 in 2021, none in 2022 (the mark scrambled)
    first = table[(table["term"] == "barrier_no_agency_cooperation") & (table["round"] == "2021")]
    assert first.iloc[0]["hr_conf_low"] < 0.6 < first.iloc[0]["hr_conf_high"]
    assert row["hr_conf_low"] < 1 < row["hr_conf_high"]
    assert row["ratio"] > 1 and row["ratio_p_value"] < 0.01 and joint["p_value"] < 0.05
    same = table[(table["term"] == "barrier_no_stable_service") & (table["round"] == "2022")]
    assert same.iloc[0]["ratio_conf_low"] < 1 < same.iloc[0]["ratio_conf_high"]
    assert joint["df"] == len(pooled.interaction_columns(fit))


def test_the_pooled_model_is_not_reported_on_few_events_or_without_inference_on_few_centers(spec):
    primary = next(m for m in spec.models if m.role == "primary")
    a = _analysis_round("2021", "2021-10-21", spec, seed=21, n=400)
    b = _analysis_round("2022", "2022-10-21", spec, seed=22, n=400)
    fit = pooled.fit_pooled(primary, pooled.pooled_frame([a, b]))
    barriers = list(trend_barriers())
    table, joint = pooled.difference_table(fit, barriers, ["2021", "2022"], 0.95, 5, 5, 30)
    assert fit.n_clusters == 24
    assert table["hr"].notna().all() and table["hr_conf_low"].isna().all()
    assert joint["reasons"] == ["few_clusters"] and "p_value" not in joint
    table, joint = pooled.difference_table(fit, barriers, ["2021", "2022"], 0.95, 5, 1e6, 20)
    assert table["hr"].isna().all() and joint["reasons"] == ["few_events_per_parameter"]


def trend_barriers():
    return (v.name for v in load_codebook().tables["cases"].group_variables("barrier"))


def test_barrier_prevalence_is_hidden_when_its_count_or_complement_is_small():
    privacy = Privacy(5)
    frame = pd.DataFrame({"b": pd.array([True] * 3 + [False] * 40 + [None] * 2, dtype="boolean")})
    assert trend.barrier_prevalence(frame, "b", privacy) == "<5"
    frame = pd.DataFrame({"b": pd.array([True] * 10 + [False] * 30, dtype="boolean")})
    assert trend.barrier_prevalence(frame, "b", privacy) == 25.0
    frame = pd.DataFrame({"b": pd.array([True] * 38 + [False] * 2, dtype="boolean")})
    assert trend.barrier_prevalence(frame, "b", privacy) == "<5"


def test_the_trend_table_takes_each_rounds_published_figures_as_published():
    analysis = pd.DataFrame({"b": pd.array([True] * 10 + [False] * 30, dtype="boolean")})
    numbers = {
        "published": {"survey": {"n_cases": 40}, "basic_attributes": {"pct_male": "<5"}},
        "followup": {"median_involvement_months": 10.5},
        "primary": {"barriers": {"b": {"estimate": 0.61}}},
    }
    rounds = [
        Round("2021", dt.date(2021, 10, 21), analysis, numbers),
        Round("2022", dt.date(2022, 10, 21), analysis, {}),
    ]
    table = trend.trend_table(rounds, ["b"], Privacy(5)).set_index(["section", "item"])
    assert table.loc[("survey", "n_cases"), "2021"] == 40
    assert table.loc[("basic_attributes", "pct_male"), "2021"] == "<5"
    assert table.loc[("followup", "median_involvement_months"), "2021"] == 10.5
    assert table.loc[("barrier_hr", "b"), "2021"] == 0.61
    assert table.loc[("barrier_pct", "b"), "2022"] == 25.0
    assert pd.isna(table.loc[("survey", "n_cases"), "2022"])


@pytest.mark.slow
def test_the_comparison_is_byte_identical_on_the_same_data(root, spec, tmp_path):
    """Same rounds, same outputs to the byte (figures carry no timestamp), and the
    documents show what the tables publish (the markers included)."""
    import json

    from teichaku.compare.stage import write_comparison
    from teichaku.entry import load_config

    config = load_config(base=root / "config" / "config.yaml")
    runs = []
    for name, reference, seed in (("2021", "2021-10-21", 31), ("2022", "2022-10-21", 32)):
        data = _analysis_round(name, reference, spec, seed=seed, n=600).analysis
        data.to_parquet(tmp_path / f"{name}.parquet")
        (tmp_path / f"{name}.json").write_text(json.dumps({"followup": {"n_censored": "<5"}}))
        runs.append(
            {
                "name": name,
                "reference_date": reference,
                "analysis": tmp_path / f"{name}.parquet",
                "numbers": tmp_path / f"{name}.json",
            }
        )
    written = []
    for out in ("a", "b"):
        files = {
            key: str(tmp_path / out / name)
            for key, name in {
                "trend": "trend.csv",
                "difference": "difference.csv",
                "joint": "test.json",
                "linkage": "linkage.csv",
                "document_en": "comparison.en.md",
                "figure_en": "figures/trend",
            }.items()
        }
        write_comparison(
            runs=runs,
            analysis_config={**config["analysis"], "models": str(root / "config/models.yaml")},
            codebook=root / "config" / "codebook.yaml",
            min_cell=5,
            reliability=config["analysis"]["reliability"],
            languages=["en"],
            dpi=72,
            label_file=root / "workflow" / "report" / "labels.yaml",
            outputs=files,
        )
        written.append(
            {p.relative_to(tmp_path / out): p.read_bytes() for p in (tmp_path / out).rglob("*.*")}
        )
    assert len(written[0]) == 7 and written[0] == written[1]
    document = (tmp_path / "a" / "comparison.en.md").read_text()
    assert "enters the pooled model once" in document and "<5" in document
