"""Performance measures of the simulation study, its Markdown section and figure, on
replicate tables built so that every measure is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from teichaku.simulation.figures import power_figure
from teichaku.simulation.performance import REPLICATE_COLUMNS, performance
from teichaku.simulation.report import performance_section
from teichaku.simulation.study import study_from_config

SE = 0.1
TRUTH = np.log(0.7)
N_IN, N_OUT = 30, 10  # replicates whose interval covers the truth / misses it


def _offsets() -> np.ndarray:
    """Errors of the estimates: N_IN well inside the 95% interval, N_OUT well outside it,
    each half above and half below the truth (so the bias is zero)."""
    inside = np.tile([0.05, -0.05], N_IN // 2)
    outside = np.tile([0.3, -0.3], N_OUT // 2)
    return np.concatenate([inside, outside])


def _rows(scenario: str, model: str, truth: float, offsets: np.ndarray) -> list[dict]:
    return [
        {
            "scenario": scenario,
            "replicate": i,
            "model": model,
            "term": "barrier_x",
            "estimate": TRUTH + d,
            "std_error": SE,
            "truth": truth,
            "n": 100,
            "events": 60,
            "clusters": 10,
            "error": "",
        }
        for i, d in enumerate(offsets)
    ]


@pytest.fixture()
def replicates() -> pd.DataFrame:
    offsets = _offsets()
    rows = _rows("s1", "cox", TRUTH, offsets) + _rows("s1", "logit", np.nan, offsets)
    failed = len(offsets)  # one more replicate whose Cox fit failed
    rows.append(
        {
            "scenario": "s1",
            "replicate": failed,
            "model": "cox",
            "term": "",
            "estimate": np.nan,
            "std_error": np.nan,
            "truth": np.nan,
            "n": pd.NA,
            "events": pd.NA,
            "clusters": pd.NA,
            "error": "did not converge",
        }
    )
    rows += _rows("s2", "cox", TRUTH, offsets[:N_IN])
    return pd.DataFrame(rows, columns=REPLICATE_COLUMNS)


def test_performance_measures_by_construction(replicates):
    table = performance(replicates, alpha=0.05, level=0.95).set_index(["scenario", "model"])
    offsets = _offsets()
    n = len(offsets)
    cox = table.loc[("s1", "cox")]
    assert cox["replicates"] == n and cox["failed"] == 1
    assert cox["bias"] == pytest.approx(0.0, abs=1e-12)
    assert cox["true_ratio"] == pytest.approx(0.7)
    assert cox["empirical_se"] == pytest.approx(np.std(offsets, ddof=1))
    assert cox["mean_model_se"] == pytest.approx(SE)
    assert cox["se_ratio"] == pytest.approx(SE / np.std(offsets, ddof=1))
    assert cox["coverage"] == pytest.approx(N_IN / n)
    assert cox["coverage_mcse"] == pytest.approx(np.sqrt(N_IN / n * (1 - N_IN / n) / n))
    # Rejected unless the estimate was pushed 0.3 towards the null (|z| < 1.96 only then).
    not_rejected = np.sum(np.abs((TRUTH + offsets) / SE) < 1.959964)
    assert cox["power"] == pytest.approx(1 - not_rejected / n)
    assert cox["bias_mcse"] == pytest.approx(np.std(offsets, ddof=1) / np.sqrt(n))
    logit = table.loc[("s1", "logit")]
    assert logit["failed"] == 0 and np.isnan(logit["coverage"]) and np.isnan(logit["bias"])
    assert logit["power"] == cox["power"]
    s2 = table.loc[("s2", "cox")]
    assert s2["coverage"] == 1.0 and s2["coverage_mcse"] == 0.0 and s2["replicates"] == N_IN


def _study(replicates: int):
    return study_from_config(
        {
            "seed": 1,
            "replicates": replicates,
            "chunk_size": 10,
            "alpha": 0.05,
            "level": 0.95,
            "models": ["cox", "logit"],
            "scenarios": [{"name": "s1", "series": "A"}, {"name": "s2", "series": "A"}],
        }
    )


def _scenarios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["s1", "s2"],
            "series": ["A", "A"],
            "n_cases": [500, 100],
            "n_centers": [10, 10],
        }
    )


def test_section_shows_the_table_numbers(replicates):
    table = performance(replicates, alpha=0.05, level=0.95)
    text = performance_section(
        _study(len(_offsets()) + 1),
        table,
        _scenarios(),
        {"n_cases": "Cases", "n_centers": "Centers"},
        {"barrier_x": "Barrier X"},
        {"cox": "Cox model", "logit": "Logistic model"},
        "fig.png",
    )
    cox = table[(table["model"] == "cox") & (table["scenario"] == "s1")].iloc[0]
    assert f"{100 * cox['coverage']:.1f} ± {100 * cox['coverage_mcse']:.1f}" in text
    assert f"{100 * cox['power']:.1f} ± {100 * cox['power_mcse']:.1f}" in text
    assert "| s2 | A | 100 | 10 |" in text
    assert "Replicates whose fit failed (excluded): 1 of" in text
    assert "### Logistic model" in text and "no bias or coverage" in text
    assert "](fig.png)" in text


@pytest.mark.slow
def test_power_figure_is_byte_reproducible(replicates, tmp_path):
    table = performance(replicates, alpha=0.05, level=0.95)
    args = (table, _scenarios(), {"barrier_x": "Barrier X"}, {"cox": "cox", "logit": "logit"})
    first = power_figure(*args, tmp_path / "a" / "power", alpha=0.05, dpi=50)
    second = power_figure(*args, tmp_path / "b" / "power", alpha=0.05, dpi=50)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert [p.suffix for p in first] == [".png", ".pdf"]


def test_section_says_how_a_population_truth_was_obtained(replicates):
    table = performance(replicates, alpha=0.05, level=0.95)
    table.loc[table["model"] == "logit", "true_ratio"] = 1.2  # as a population truth gives
    study = _study(len(_offsets()) + 1)
    text = performance_section(
        study,
        table,
        _scenarios(),
        {"n_cases": "Cases", "n_centers": "Centers"},
        {"barrier_x": "Barrier X"},
        {"cox": "Cox model", "logit": "Fine-Gray model"},
        "fig.png",
        population_models={"logit": "subdistribution hazard ratios"},
    )
    part = text.split("### Fine-Gray model")[1]
    f = study.population_factor
    assert "Its subdistribution hazard ratios are not parameters" in part
    assert "hazards of the competing ends" in part
    assert f"s1: {500 * f:,} cases in {10 * f:,} centers; s2: {100 * f:,} cases" in part
    assert f"seed {study.seed}" in part and "no bias or coverage" not in part
    assert "| 1.20 |" in part
