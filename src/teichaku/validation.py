"""Validation of a configuration against one of the workflow's JSON schemas
(workflow/schemas/), filling in the schema's defaults: what ``snakemake.utils.validate``
does for a dict (draft 2020-12, ``$ref`` resolved relative to the schema's file, defaults
set on ``properties``, the same ``WorkflowError`` on a bad configuration), with the schema
read by libyaml (teichaku.yamlio) once per process instead of by the pure-Python YAML
parser at every call: the workflow validates several files at every start, a no-op rerun
included."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from teichaku import yamlio


@cache
def _schema(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        schema = yamlio.safe_load(fh)
    # Relative $refs resolve against this file, as in snakemake.utils.validate.
    schema["$id"] = Path(path).resolve().as_uri()
    return schema


@cache
def _validator_class():
    from jsonschema import Draft202012Validator, validators

    validate_properties = Draft202012Validator.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        for name, subschema in properties.items():
            if "default" in subschema and isinstance(instance, dict):
                # A copy: the schema is shared by every configuration validated against it.
                instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(Draft202012Validator, {"properties": set_defaults})


def validate(data: dict, schema: str | Path) -> None:
    """Validate ``data`` against the schema file ``schema`` and fill in its defaults, in
    place; a violation raises snakemake's ``WorkflowError("Error validating config file.")``
    with jsonschema's error, as ``snakemake.utils.validate`` does."""
    import jsonschema
    from referencing import Registry, Resource
    from snakemake.exceptions import WorkflowError

    path = str(schema)
    contents = _schema(path)

    def retrieve(uri: str) -> Resource:
        return Resource.from_contents(_schema(url2pathname(urlparse(uri).path)))

    registry = Registry(retrieve=retrieve).with_resource(
        uri=path, resource=Resource.from_contents(contents)
    )
    try:
        _validator_class()(contents, registry=registry).validate(data)
    except jsonschema.exceptions.ValidationError as error:
        raise WorkflowError("Error validating config file.", error) from error
