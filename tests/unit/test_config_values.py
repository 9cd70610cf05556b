"""Numbers given through ``snakemake --config`` arrive as text; they are coerced where the
config schema expects a number, and the config then validates."""

import copy

import pytest
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from teichaku.config_values import coerce, coerce_to_schema

SCHEMA = "workflow/schemas/config.schema.yaml"


def test_text_numbers_become_the_numbers_the_schema_expects(default_config, root):
    cfg = copy.deepcopy(default_config)
    cfg["validation"]["max_rejected_share"] = "0.5"  # as --config validation='{...}' gives it
    cfg["analysis"]["thresholds"] = ["6", "12"]
    cfg["analysis"]["seed"] = "7"
    cfg["privacy"] = {"min_cell": "3"}
    cfg["simulation"] = {"replicates": "null"}
    with pytest.raises(WorkflowError, match="max_rejected_share"):
        validate(copy.deepcopy(cfg), str(root / SCHEMA))
    coerce_to_schema(cfg, root / SCHEMA)
    assert cfg["validation"]["max_rejected_share"] == 0.5
    assert cfg["analysis"]["thresholds"] == [6, 12]
    assert cfg["analysis"]["seed"] == 7 and cfg["privacy"]["min_cell"] == 3
    assert cfg["simulation"]["replicates"] is None
    validate(cfg, str(root / SCHEMA))


def test_text_stays_text_where_the_schema_wants_text_or_the_value_is_no_number(root):
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "share": {"type": "number"},
            "flag": {"type": "boolean"},
            "count": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        },
    }
    value = coerce({"name": "12", "share": "five", "flag": "true", "count": "3"}, schema)
    assert value == {"name": "12", "share": "five", "flag": True, "count": 3}
