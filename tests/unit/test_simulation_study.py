"""The simulation study's config, its expansion into chunks and the replicate streams."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from teichaku.simulation.study import override_replicates, replicate_rng, study_from_config
from tests.conftest import ROOT

SCHEMA = str(ROOT / "workflow" / "schemas" / "simulation.schema.yaml")


@pytest.fixture()
def study_yaml() -> dict:
    with open(ROOT / "config" / "simulation.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    validate(raw, SCHEMA)
    return raw


def test_default_study_is_valid_and_fans_out(study_yaml):
    study = study_from_config(study_yaml)
    assert study.replicates == study_yaml["replicates"]
    chunks = study.chunks()
    per_scenario = -(-study.replicates // study.chunk_size)
    assert len(chunks) == len(study.scenarios) * per_scenario
    assert [c.wildcard for c in study.chunks(study.scenarios[0].name)] == [
        f"{i:04d}" for i in range(per_scenario)
    ]


def test_schema_fills_defaults_and_rejects_unknown_design_keys(study_yaml):
    minimal = {k: study_yaml[k] for k in ("seed", "models", "resources", "scenarios")}
    validate(minimal, SCHEMA)
    assert minimal["replicates"] == 1000 and minimal["chunk_size"] == 50
    bad = copy.deepcopy(study_yaml)
    bad["scenarios"][0]["design"] = {"n_case": 100}
    with pytest.raises(WorkflowError):
        validate(bad, SCHEMA)


def test_duplicate_scenario_names_are_refused(study_yaml):
    study_yaml["scenarios"].append(dict(study_yaml["scenarios"][0]))
    with pytest.raises(ValueError, match="unique"):
        study_from_config(study_yaml)


def test_replicates_override_accepts_command_line_text(study_yaml):
    assert study_from_config(override_replicates(study_yaml, "40")).replicates == 40
    assert override_replicates(study_yaml, None)["replicates"] == study_yaml["replicates"]


@pytest.mark.slow
@settings(deadline=None, max_examples=50)
@given(replicates=st.integers(2, 300), chunk_size=st.integers(1, 120))
def test_chunks_partition_the_replicates(replicates, chunk_size):
    raw = {
        "seed": 1,
        "replicates": replicates,
        "chunk_size": chunk_size,
        "alpha": 0.05,
        "level": 0.95,
        "models": ["m"],
        "scenarios": [{"name": "a", "series": "s"}, {"name": "b", "series": "s"}],
    }
    study = study_from_config(raw)
    for name in ("a", "b"):
        chunks = study.chunks(name)
        covered = [r for c in chunks for r in c.replicates]
        assert covered == list(range(replicates))
        assert all(0 < len(c.replicates) <= chunk_size for c in chunks)
        assert all(study.chunk(name, c.wildcard) == c for c in chunks)
    with pytest.raises(KeyError):
        study.chunk("a", f"{len(study.chunks('a')):04d}")


def test_replicate_streams_depend_on_seed_scenario_and_replicate_only():
    draw = lambda *key: replicate_rng(*key).random(4)  # noqa: E731
    np.testing.assert_array_equal(draw(7, "survey", 3), draw(7, "survey", 3))
    others = [draw(8, "survey", 3), draw(7, "other", 3), draw(7, "survey", 4)]
    for other in others:
        assert not np.array_equal(draw(7, "survey", 3), other)
