"""Values given on the command line with ``snakemake --config`` arrive as text when nested
(``--config validation='{max_rejected_share: 0.5}'`` gives ``'0.5'``: Snakemake reads the
value with YAML's base loader), and the config schema then rejects them (``'0.5' is not of
type 'number'``). :func:`coerce_to_schema` turns such text into the number, boolean or null
the schema expects at that place, before the config is validated; text the schema expects
as text is left alone, and text that is not a number stays text (and fails validation,
naming the key)."""

from __future__ import annotations

import re
from pathlib import Path

from teichaku import yamlio

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _types(schema: dict) -> set[str]:
    """Every type a (sub)schema allows, through anyOf/oneOf."""
    found = schema.get("type", [])
    types = {found} if isinstance(found, str) else set(found)
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, []):
            types |= _types(option)
    return types


def _text_fits(text: str, schema: dict) -> bool:
    """Whether a text branch of ``schema`` accepts ``text`` (its pattern and enum)."""
    branches = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    for branch in branches:
        kind = branch.get("type")
        if kind == "string" or (isinstance(kind, list) and "string" in kind):
            pattern, enum = branch.get("pattern"), branch.get("enum")
            if (pattern is None or re.search(pattern, text)) and (enum is None or text in enum):
                return True
    return False


def _coerce_text(text: str, schema: dict) -> object:
    types = _types(schema)
    if "string" in types and _text_fits(text, schema):
        return text
    stripped = text.strip()
    if "integer" in types and _INTEGER.fullmatch(stripped):
        return int(stripped)
    if "number" in types and _NUMBER.fullmatch(stripped):
        number = float(stripped)
        return int(number) if "integer" in types and number.is_integer() else number
    if "boolean" in types and stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    if "null" in types and stripped in ("null", "~", ""):
        return None
    return text


def coerce(value: object, schema: dict) -> object:
    """``value`` with text turned into what ``schema`` expects, recursively."""
    if isinstance(value, str):
        return _coerce_text(value, schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = properties.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                value[key] = coerce(item, sub)
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [coerce(item, schema["items"]) for item in value]
    return value


def coerce_to_schema(config: dict, schema_path: str | Path) -> dict:
    """Coerce ``config`` in place against the JSON schema at ``schema_path``."""
    with open(schema_path, encoding="utf-8") as fh:
        schema = yamlio.safe_load(fh)
    return coerce(config, schema)
