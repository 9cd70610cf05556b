"""YAML read with libyaml's parser when PyYAML has it (CSafeLoader: the same safe
constructors and resolver as ``yaml.safe_load``, so the same values, about ten times
faster). The workflow parses the configuration, the codebook and the model specification
every time it starts, a no-op rerun included."""

from __future__ import annotations

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream):
    """``yaml.safe_load`` of ``stream`` (text or an open file)."""
    return yaml.load(stream, Loader=SafeLoader)
