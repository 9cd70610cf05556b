"""The report and privacy sections of the configuration: validated, with defaults."""

import copy

import pytest
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = "workflow/schemas/config.schema.yaml"


def test_default_run_reports_in_japanese_with_cells_below_five_suppressed(default_config):
    assert default_config["report"] == {
        "languages": ["ja"],
        "dpi": 300,
        "spec": "config/report.yaml",
    }
    assert default_config["privacy"] == {"min_cell": 5}


def test_sections_may_be_left_out_and_get_their_defaults(default_config, root):
    cfg = copy.deepcopy(default_config)
    del cfg["report"], cfg["privacy"]
    validate(cfg, str(root / SCHEMA))
    assert cfg["report"] == {"languages": ["ja"], "dpi": 300, "spec": "config/report.yaml"}
    assert cfg["privacy"] == {"min_cell": 5}


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("report", "languages", ["fr"]),
        ("report", "languages", []),
        ("report", "languages", ["ja", "ja"]),
        ("report", "language", "ja"),
        ("report", "dpi", 10),
        ("privacy", "min_cell", 0),
        ("privacy", "min_cel", 5),
    ],
)
def test_bad_values_are_rejected(default_config, root, section, key, value):
    cfg = copy.deepcopy(default_config)
    cfg[section][key] = value
    with pytest.raises(WorkflowError):
        validate(cfg, str(root / SCHEMA))


def test_interval_labels_name_the_configured_confidence_level():
    from pathlib import Path

    import pytest

    from teichaku.report.labels import load_labels

    label_file = Path(__file__).resolve().parents[2] / "workflow" / "report" / "labels.yaml"
    assert load_labels("en", label_file, confidence=0.9).text("ci95") == "90% CI"
    assert (
        load_labels("ja", label_file, confidence=0.95).text("hazard_ratio")
        == "ハザード比(95%信頼区間)"
    )
    with pytest.raises(ValueError, match="confidence"):
        load_labels("en", label_file).text("ci95")
