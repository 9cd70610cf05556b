"""Term names and labels shared by every model output.

Numeric terms keep their column name (``age_10``); categorical terms are
``<variable>[<level>]`` whatever the formula engine called them
(``C(coordination, Treatment('special'))[T.general]`` -> ``coordination[general]``).
Labels come from the codebook (variables and levels), the scaled covariates and the
``term_labels`` of the model specification, never from code.
"""

from __future__ import annotations

import re

from teichaku.analysis.specs import AnalysisSpec
from teichaku.codebook import Codebook, Variable

_CATEGORICAL = re.compile(r"^(?:C\(\s*)?(?P<var>\w+)(?:\s*,[^\]]*\))?\)?\[(?:T\.)?(?P<level>.+)\]$")


def tidy_term(name: str) -> str:
    """The output name of a design-matrix column (each factor of an interaction a:b too)."""
    if ":" in name:
        return ":".join(tidy_term(part) for part in name.split(":"))
    m = _CATEGORICAL.match(name)
    if m:
        return f"{m.group('var')}[{m.group('level')}]"
    return name


def _codebook_variables(codebook: Codebook) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for table in codebook.tables.values():
        for name, var in table.variables.items():
            out.setdefault(name, var)
    return out


def term_label(term: str, spec: AnalysisSpec, codebook: Codebook, language: str) -> str:
    """Label of a tidy term in ``language`` (ja or en); the term itself when none is known.
    An interaction a:b is labelled "label(a) × label(b)"."""
    if ":" in term and term not in spec.term_labels:
        return " × ".join(term_label(part, spec, codebook, language) for part in term.split(":"))
    if term in spec.term_labels:
        return spec.term_labels[term][language]
    variables = _codebook_variables(codebook)
    if term in spec.scaled:
        s = spec.scaled[term]
        unit = s.unit_ja if language == "ja" else s.unit_en
        base = variables[s.source].label(language)
        return f"{base}({unit})" if language == "ja" else f"{base} ({unit})"
    m = re.match(r"^(\w+)\[(.+)\]$", term)
    if m and m.group(1) in variables:
        var = variables[m.group(1)]
        level = m.group(2)
        level_label = var.level_label(level, language) if level in var.codes else level
        return f"{var.label(language)}: {level_label}"
    if term in variables:
        return variables[term].label(language)
    return term
