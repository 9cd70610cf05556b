"""teichaku.validation agrees with snakemake.utils.validate: the same defaults filled in for
every schema of the workflow and its configuration file, the same error for a bad one."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate as snakemake_validate

from teichaku.validation import validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "workflow" / "schemas"
CASES = {
    "config": "config/config.yaml",
    "models": "config/models.yaml",
    "report": "config/report.yaml",
    "simulation": "config/simulation.yaml",
    "synthetic": "config/synthetic.yaml",
}


def _both(data: dict, schema: Path) -> tuple[dict, dict]:
    ours, theirs = copy.deepcopy(data), copy.deepcopy(data)
    validate(ours, schema)
    snakemake_validate(theirs, str(schema))
    return ours, theirs


@pytest.mark.parametrize("name", sorted(CASES))
def test_defaults_filled_in_as_snakemake_does(name):
    data = yaml.safe_load((ROOT / CASES[name]).read_text(encoding="utf-8"))
    ours, theirs = _both(data, SCHEMAS / f"{name}.schema.yaml")
    assert ours == theirs
    assert ours != data or name != "config"  # the configuration's defaults are filled in


def test_defaults_are_not_shared_between_configurations():
    schema = SCHEMAS / "config.schema.yaml"
    first = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    second = copy.deepcopy(first)
    validate(first, schema)
    validate(second, schema)
    containers = [k for k, v in first.items() if isinstance(v, dict | list)]
    assert containers
    assert all(first[k] is not second[k] for k in containers)


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c.update(run=3),
        lambda c: c["privacy"].update(min_cell="five"),
        lambda c: c.update(unknown_key=1),
    ],
)
def test_a_bad_configuration_gets_snakemakes_error(edit):
    data = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    edit(data)
    schema = SCHEMAS / "config.schema.yaml"
    with pytest.raises(WorkflowError) as theirs:
        snakemake_validate(copy.deepcopy(data), str(schema))
    with pytest.raises(WorkflowError) as ours:
        validate(copy.deepcopy(data), schema)
    assert str(ours.value) == str(theirs.value)
