"""Read and validate config/synthetic.yaml."""

from __future__ import annotations

from pathlib import Path

from teichaku import yamlio

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_CONFIG = ROOT / "config" / "synthetic.yaml"
DEFAULT_SCHEMA = ROOT / "workflow" / "schemas" / "synthetic.schema.yaml"


def load_synthetic_config(
    path: str | Path = DEFAULT_CONFIG, schema: str | Path | None = DEFAULT_SCHEMA
) -> dict:
    """The synthetic-survey parameters, validated against the JSON schema when given."""
    with open(path, encoding="utf-8") as fh:
        cfg = yamlio.safe_load(fh)
    if schema is not None:
        import jsonschema  # imported here: the rule, which has validated them, never pays for it

        with open(schema, encoding="utf-8") as fh:
            jsonschema.validate(cfg, yamlio.safe_load(fh))
    return cfg
