"""One cell parser per codebook variable, built from the codebook's spellings and ranges."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from teichaku.codebook import Codebook, Variable
from teichaku.ingest import values as V


def _spellings(var: Variable) -> dict[str, str]:
    """Squeezed spelling -> code; the code itself and its Japanese label are spellings too."""
    out: dict[str, str] = {}
    for level in var.levels:
        for spelling in (*level.spellings, level.ja, level.code):
            key = V.squeeze(spelling)
            if out.setdefault(key, level.code) != level.code:
                raise ValueError(f"codebook: {var.name}: spelling {spelling!r} names two codes")
    return out


def cell_parser(var: Variable, codebook: Codebook) -> Callable[[object], object]:
    """A function raw cell -> clean value (None when missing), raising ``CellError``."""
    missing = V.spelling_set(codebook.missing_codes)
    yes, no = V.spelling_set(codebook.mark_yes), V.spelling_set(codebook.mark_no)
    if var.type == "center_id":
        return partial(V.parse_center_id, missing=missing)
    if var.type == "text":
        return partial(V.parse_text, missing=missing)
    if var.type == "category":
        codes = var.codes
        return partial(
            V.parse_category,
            spellings=_spellings(var),
            missing=missing,
            marks=(codes[0], codes[1]) if var.accept_marks else None,
            yes=yes,
            no=no,
        )
    if var.type == "boolean":
        return partial(
            V.parse_boolean,
            spellings={k: v == "true" for k, v in _spellings(var).items()},
            missing=missing,
            own_missing=V.spelling_set(var.missing),
            accept_marks=var.accept_marks,
            yes=yes,
            no=no,
        )
    if var.type == "integer":
        return partial(
            V.parse_integer, units=var.units, missing=missing, minimum=var.min, maximum=var.max
        )
    if var.type == "date":
        return partial(
            V.parse_date,
            eras=codebook.eras,
            earliest=codebook.date_min,
            latest=codebook.survey["period_end"],
            missing=missing,
        )
    if var.type == "iq":
        return partial(
            V.parse_iq,
            minimum=var.min,
            maximum=var.max,
            unmeasurable=V.spelling_set(var.unmeasurable),
            missing=missing,
        )
    if var.type == "mark":
        return partial(V.parse_mark, yes=yes, no=no)
    raise ValueError(f"codebook: {var.name}: unknown type {var.type!r}")
