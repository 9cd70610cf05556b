"""Replicates: scenario designs, true values, and chunks that give the same replicates
whatever the chunk size (so local and SLURM runs, or other chunkings, agree)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from teichaku.simulation.replicate import run_chunk, scenario_design, true_log_ratio
from teichaku.simulation.stage import load_simulation
from teichaku.simulation.study import study_from_config
from tests.conftest import ROOT


def _config() -> dict:
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)

    def absolute(node):
        if isinstance(node, dict):
            return {k: absolute(v) for k, v in node.items()}
        return str(ROOT / node) if isinstance(node, str) and node.startswith("config/") else node

    return absolute(config)


def _study(chunk_size: int, replicates: int = 4) -> dict:
    return {
        "seed": 5,
        "replicates": replicates,
        "chunk_size": chunk_size,
        "alpha": 0.05,
        "level": 0.95,
        "models": ["cox_transition", "logit_prolonged_12"],
        "resources": {
            "chunk": {"threads": 1, "mem_mb": 500, "runtime": 5},
            "gather": {"threads": 1, "mem_mb": 500, "runtime": 5},
        },
        "scenarios": [{"name": "tiny", "series": "s", "design": {"n_cases": 150, "n_centers": 10}}],
    }


@pytest.fixture(scope="module")
def sim():
    return load_simulation(study_config=_study(2), config=_config())


def test_base_design_is_the_published_survey(sim):
    with open(ROOT / "config" / "published-2021.yaml", encoding="utf-8") as fh:
        survey = yaml.safe_load(fh)["survey"]
    assert sim.base.n_cases == survey["n_cases"]
    assert sim.base.n_centers == survey["n_centers_responded"]


def test_scenario_overrides(sim):
    design = scenario_design(
        sim.base,
        {
            "n_cases": 500,
            "frailty_sd": 0.0,
            "entry_start": "2020-01-01",
            "hazard_ratios": {"transition": {"barrier_no_stable_service": 0.5}},
        },
    )
    assert (design.n_cases, design.frailty_sd, design.entry_start.isoformat()) == (
        500,
        0.0,
        "2020-01-01",
    )
    for cause in sim.analysis.transition:
        assert design.log_hr[cause]["barrier_no_stable_service"] == pytest.approx(math.log(0.5))
    for cause in sim.analysis.competing:
        assert design.log_hr[cause] == sim.base.log_hr[cause]
    with pytest.raises(ValueError, match="unknown design keys"):
        scenario_design(sim.base, {"n_case": 10})
    with pytest.raises(ValueError, match="unknown terms"):
        scenario_design(sim.base, {"hazard_ratios": {"transition": {"barrier_typo": 0.5}}})
    with pytest.raises(ValueError, match="reference date"):
        scenario_design(sim.base, {"entry_end": "2022-01-01"})


def test_true_values_only_for_parameters_of_the_model(sim):
    cox = sim.analysis.model("cox_transition")
    logit = sim.analysis.model("logit_prolonged_12")
    design = scenario_design(sim.base, {"hazard_ratios": {"death": {"age_10": 3.0}}})
    term = "barrier_no_agency_cooperation"
    assert true_log_ratio(cox, sim.analysis, design, term) == pytest.approx(
        design.log_hr["stable"][term]
    )
    assert np.isnan(true_log_ratio(logit, sim.analysis, design, term))
    assert np.isnan(true_log_ratio(cox, sim.analysis, design, "sex[female]"))


@pytest.mark.slow
def test_chunking_does_not_change_the_replicates(sim):
    tables = {}
    for size in (2, 4):
        study = study_from_config(_study(size))
        design = scenario_design(sim.base, study.scenarios[0].design)
        parts = [run_chunk(study, c, design, sim.models) for c in study.chunks()]
        tables[size] = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(tables[2], tables[4])
    table = tables[2]
    assert sorted(table["replicate"].unique()) == [0, 1, 2, 3]
    fitted = table[table["error"] == ""]
    assert set(fitted["model"]) == {"cox_transition", "logit_prolonged_12"}
    cox = fitted[fitted["model"] == "cox_transition"]
    assert cox["truth"].notna().all() and (cox["clusters"] <= 10).all()
    assert fitted.loc[fitted["model"] == "logit_prolonged_12", "truth"].isna().all()
    # Different replicates are different surveys.
    estimates = cox.pivot(index="replicate", columns="term", values="estimate")
    assert estimates.drop_duplicates().shape[0] == 4
