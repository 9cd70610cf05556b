"""The configuration is validated against its JSON schema before anything runs."""

import copy

import pytest
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = "workflow/schemas/config.schema.yaml"


@pytest.fixture
def schema(root):
    return str(root / SCHEMA)


def test_default_config_is_valid(default_config, schema):
    validate(copy.deepcopy(default_config), schema)


def test_unknown_key_is_rejected_and_named(default_config, schema):
    cfg = copy.deepcopy(default_config)
    cfg["validation"]["max_rejectd_share"] = 0.1
    with pytest.raises(WorkflowError, match="max_rejectd_share"):
        validate(cfg, schema)


def test_wrong_type_is_rejected_and_named(default_config, schema):
    cfg = copy.deepcopy(default_config)
    cfg["validation"]["max_rejected_share"] = "five percent"
    with pytest.raises(WorkflowError, match="max_rejected_share"):
        validate(cfg, schema)


def test_unknown_source_is_rejected(default_config, schema):
    cfg = copy.deepcopy(default_config)
    cfg["input"]["source"] = "database"
    with pytest.raises(WorkflowError, match="database"):
        validate(cfg, schema)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("config/published-2021.yaml", "published-2021.yaml"),
        ("docs/FORMAT.md", "FORMAT.md"),
    ],
)
def test_contract_files_are_copies_of_the_shared_ones(root, ours, theirs):
    """The published figures are an exact copy; docs/FORMAT.md holds every line of the
    shared contract in its order and may add to it where the contract is silent (issue 12)."""
    shared = root.parent / "shared" / "survey" / theirs
    if not shared.exists():
        pytest.skip("../shared is not beside this clone")
    if ours != "docs/FORMAT.md":
        assert (root / ours).read_bytes() == shared.read_bytes()
        return
    lines = iter((root / ours).read_text(encoding="utf-8").splitlines())
    missing = [
        line
        for line in shared.read_text(encoding="utf-8").splitlines()
        if not any(line == ours_line for ours_line in lines)
    ]
    assert missing == []
