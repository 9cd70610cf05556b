"""The report declared in config/report.yaml: its sections, tables and figures, and which
models the main text shows.

Cheap to import (PyYAML and jsonschema only): the Snakefile reads the specification to
declare one job per table and figure. :func:`load_report_spec` validates the file against
workflow/schemas/report.schema.yaml, then checks what a schema cannot see (sections
declared, names unique, the variables of a cross-tabulation in the codebook, model names
in config/models.yaml); every problem is a :class:`ReportSpecError` whose message names the
file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "report.schema.yaml"
APPENDIX = "appendix"
#: The builders of tables and of figures (teichaku.report.build holds their functions).
TABLE_BUILDERS = (
    "basic_attributes",
    "support",
    "barriers",
    "models",
    "sensitivity",
    "awareness",
    "crosstab",
)
FIGURE_BUILDERS = (
    "coverage",
    "basic_attributes",
    "support",
    "km",
    "cif",
    "forest",
    "threshold",
    "awareness",
    "fine_gray",
)
#: Keywords of options.models (the rest are model names or selections).
MAIN, OTHER, PRIMARY = "main", "other", "primary"
#: What a cross-tabulation's columns may be.
COHORT, PROLONGED = "cohort", "prolonged"
CROSSTAB_CELLS = ("n", "pct", "mean")
#: Codebook types a cross-tabulation may split by (rows or columns) and average (cells: mean).
CATEGORICAL_TYPES = ("category", "boolean")
NUMERIC_TYPES = ("integer",)


class ReportSpecError(ValueError):
    """config/report.yaml is not a valid report (the message says where and why)."""


@dataclass(frozen=True)
class Item:
    """A table or a figure of the report."""

    name: str
    builder: str
    section: str
    category: str
    title: dict[str, str] | None = None
    caption: dict[str, str] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def plain(self) -> dict:
        """The entry as in report.yaml (what a job receives as its params)."""
        out = {
            "name": self.name,
            "builder": self.builder,
            "section": self.section,
            "category": self.category,
        }
        for key in ("title", "caption"):
            if getattr(self, key):
                out[key] = dict(getattr(self, key))
        if self.options:
            out["options"] = dict(self.options)
        return out


class TableSpec(Item):
    """A table: written as results/<run>/tables/<lang>/<name>.<format>."""


class FigureSpec(Item):
    """A figure: drawn as results/<run>/figures/<lang>/<name>.<format>."""


@dataclass(frozen=True)
class ReportSpec:
    """The report: main-text sections in order then ``appendix``, the tables and figures in
    the order of the file (within a section, the order of the summary), and the models of
    the main text (none declared: the primary model, filled in when the models are known)."""

    sections: tuple[str, ...]
    tables: tuple[TableSpec, ...]
    figures: tuple[FigureSpec, ...]
    models_main: tuple[str, ...] = ()

    def table(self, name: str) -> TableSpec:
        return _by_name(self.tables, name, "table")

    def figure(self, name: str) -> FigureSpec:
        return _by_name(self.figures, name, "figure")

    def table_names(self) -> list[str]:
        return [t.name for t in self.tables]

    def figure_names(self) -> list[str]:
        return [f.name for f in self.figures]

    def section_tables(self, section: str) -> list[TableSpec]:
        return [t for t in self.tables if t.section == section]

    def section_figures(self, section: str) -> list[FigureSpec]:
        return [f for f in self.figures if f.section == section]

    def crosstabs(self) -> list[TableSpec]:
        return [t for t in self.tables if t.builder == "crosstab"]

    def plain(self, tables=None, figures=None) -> dict:
        """The report as in report.yaml (models_main filled in), with only the tables and
        figures named in ``tables`` / ``figures`` (default: all): a job's params, read
        back by :func:`parse_report_spec`."""
        out = {
            "sections": [s for s in self.sections if s != APPENDIX],
            "tables": [t.plain() for t in self.tables if tables is None or t.name in tables],
            "figures": [f.plain() for f in self.figures if figures is None or f.name in figures],
        }
        if self.models_main:
            out["models_main"] = list(self.models_main)
        return out


def _by_name(items, name: str, what: str):
    hit = next((i for i in items if i.name == name), None)
    if hit is None:
        raise KeyError(f"the report has no {what} {name!r}")
    return hit


# --------------------------------------------------------------------------- loading


def load_report_spec(path: str | Path, codebook=None, analysis=None) -> ReportSpec:
    """The report of ``path`` (config/report.yaml), validated.

    ``codebook`` (a :class:`teichaku.codebook.Codebook`): the variables of every
    cross-tabulation are checked against its cases table. ``analysis`` (an
    :class:`teichaku.analysis.specs.AnalysisSpec`): model names are checked against its
    models and ``models_main`` defaults to its primary model.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportSpecError(
            f"{path}: the report specification (report.spec) is missing"
        ) from None
    except yaml.YAMLError as error:
        raise ReportSpecError(f"{path}: not valid YAML: {error}") from None
    return parse_report_spec(raw, str(path), codebook, analysis)


def parse_report_spec(raw: Any, where: str = "report.yaml", codebook=None, analysis=None):
    """The report of the parsed YAML ``raw`` (``where`` names it in messages)."""
    if not isinstance(raw, dict):
        raise ReportSpecError(f"{where}: expected a mapping with sections, tables and figures")
    _check_builders(raw, where)
    _check_schema(raw, where)
    sections = (*raw["sections"], APPENDIX)
    if raw["sections"].count(APPENDIX):
        raise ReportSpecError(f"{where}: sections: the appendix follows them and is not listed")
    tables = tuple(TableSpec(**_item(t)) for t in raw["tables"])
    figures = tuple(FigureSpec(**_item(f)) for f in raw["figures"])
    seen: dict[str, str] = {}
    for kind, items in (("tables", tables), ("figures", figures)):
        for i, item in enumerate(items):
            at = f"{where}: {kind}[{i}] ({item.name})"
            if item.name in seen:
                raise ReportSpecError(f"{at}: the name is already used by {seen[item.name]}")
            seen[item.name] = f"{kind}[{i}]"
            if item.section not in sections:
                raise ReportSpecError(
                    f"{at}: section {item.section!r} is not declared "
                    f"(sections: {', '.join(sections)})"
                )
            if kind == "tables" and item.builder == "crosstab" and codebook is not None:
                _check_crosstab(item.options, codebook, at, analysis)
    models_main = tuple(raw.get("models_main") or ())
    if analysis is not None:
        models_main = _check_models(raw, models_main, tables, analysis, where)
    return ReportSpec(sections, tables, figures, models_main)


def template_sections(template: str | Path) -> set[str]:
    """The sections a summary template places (its ``report.place("<section>", ...)``)."""
    text = Path(template).read_text(encoding="utf-8")
    return {
        name
        for call in re.findall(r"report\.place\(([^)]*)\)", text)
        for name in re.findall(r"[\"']([^\"']+)[\"']", call)
    }


def check_placement(spec: ReportSpec, template: str | Path) -> None:
    """Every section holding tables or figures has its place in the summary template, so
    that nothing of the report is left out of the summary (checked when the workflow
    starts; the summary job checks it again as it renders)."""
    placed = template_sections(template)
    items = (*spec.tables, *spec.figures)
    lost = []
    for section in spec.sections:
        names = [item.name for item in items if item.section == section]
        if names and section not in placed:
            lost.append(f"{section}: {', '.join(names)}")
    if lost:
        raise ReportSpecError(
            f"{Path(template).name} has no place for the section(s) {'; '.join(lost)} of the "
            f"report: move those tables and figures to a section it places "
            f"({', '.join(sorted(placed))}), or give the section its place in the template "
            "(report.place(...))"
        )


def table_spec(plain: dict) -> TableSpec:
    """A table's entry as :meth:`Item.plain` wrote it (a job's params)."""
    return TableSpec(**_item(plain))


def figure_spec(plain: dict) -> FigureSpec:
    """A figure's entry as :meth:`Item.plain` wrote it (a job's params)."""
    return FigureSpec(**_item(plain))


def _item(raw: dict) -> dict:
    return {
        "name": raw["name"],
        "builder": raw["builder"],
        "section": raw["section"],
        "category": raw["category"],
        "title": raw.get("title"),
        "caption": raw.get("caption"),
        "options": dict(raw.get("options") or {}),
    }


def _check_builders(raw: dict, where: str) -> None:
    """An unknown builder, named plainly (the schema would say only "not one of")."""
    for kind, known in (("tables", TABLE_BUILDERS), ("figures", FIGURE_BUILDERS)):
        items = raw.get(kind)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "builder" in item and item["builder"] not in known:
                raise ReportSpecError(
                    f"{where}: {kind}[{i}] ({item.get('name')}): unknown builder "
                    f"{item['builder']!r}; a {kind[:-1]} is built by one of: {', '.join(known)}"
                )


def _check_schema(raw: dict, where: str) -> None:
    import jsonschema

    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(raw), key=lambda e: (len(e.path), list(map(str, e.path))))
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        at = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.path).lstrip(".")
        raise ReportSpecError(f"{where}: {at or 'the file'}: {error.message}")


def _check_crosstab(options: dict, codebook, at: str, analysis=None) -> None:
    cases = codebook.tables["cases"]
    rows, columns, cells = options["rows"], options["columns"], options["cells"]
    if cells == "mean":
        var = cases.variables.get(rows)
        if var is None or var.type not in NUMERIC_TYPES:
            raise ReportSpecError(
                f"{at}: rows {rows!r}: cells: mean needs a number of the cases "
                f"({', '.join(n for n, v in cases.variables.items() if v.type in NUMERIC_TYPES)})"
            )
    elif rows not in cases.groups and rows not in row_variables(codebook):
        raise ReportSpecError(
            f"{at}: rows {rows!r} is neither a categorical variable of the cases "
            f"({', '.join(row_variables(codebook))}) nor a group of marks "
            f"({', '.join(cases.groups)})"
        )
    if columns not in (COHORT, PROLONGED):
        raise ReportSpecError(
            f"{at}: columns {columns!r} must be cohort or prolonged: the groups Tables 1-3 "
            "split the cases by, so that its counts are protected together with theirs "
            "(a cross-tabulation by another variable would need the protection of three-way "
            "counts, which this version does not do)"
        )
    if columns == PROLONGED and analysis is not None and prolonged_of(analysis) is None:
        raise ReportSpecError(
            f"{at}: columns: prolonged needs a secondary logistic model of a prolonged "
            "outcome in config/models.yaml (its outcome is the prolonged status of Table 3)"
        )


def prolonged_of(analysis) -> str | None:
    """The prolonged status of Table 3 (teichaku.analysis.specs.prolonged_outcome)."""
    from teichaku.analysis.specs import prolonged_outcome

    return prolonged_outcome(analysis)


def row_variables(codebook) -> list[str]:
    """The variables a cross-tabulation may have as rows: the categorical ones but the
    cohort (its counts by cohort or prolonged status are the group sizes themselves)."""
    return [n for n in categorical_variables(codebook) if n != COHORT]


def categorical_variables(codebook) -> list[str]:
    """The variables of the cases a cross-tabulation may split by (categories, yes/no)."""
    return [
        n
        for n, v in codebook.tables["cases"].variables.items()
        if v.type in CATEGORICAL_TYPES and not getattr(v, "personal", False)
    ]


def _check_models(raw: dict, main: tuple, tables, analysis, where: str) -> tuple[str, ...]:
    names = [m.name for m in analysis.models]
    for name in main:
        if name not in names:
            raise ReportSpecError(
                f"{where}: models_main: {name!r} is not a model of the analysis "
                f"({', '.join(names)})"
            )
    for i, table in enumerate(tables):
        entries = table.options.get("models")
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, str) and entry not in (MAIN, PRIMARY) and not _named(entry, names):
                raise ReportSpecError(
                    f"{where}: tables[{i}] ({table.name}): options.models names {entry!r}, "
                    f"not a model of the analysis ({', '.join(names)})"
                )
    if main:
        return main
    primary = next((m.name for m in analysis.models if m.role == "primary"), None)
    return (primary,) if primary else ()


# --------------------------------------------------------------------------- models


def select_models(entries, analysis, models_main, fitted=None) -> list[str]:
    """The model names of ``options.models`` (``entries``) in order, without repeats.

    Names, ``primary`` and ``main`` are always taken; a selection ``{role, type, data}``
    takes the matching models that could be fitted (in ``fitted``: every model when None),
    in the order of the analysis. ``main`` / ``other`` alone: the models of the main text /
    every other model of the analysis."""
    models = list(analysis.models)
    if entries == MAIN:
        return list(models_main)
    if entries == OTHER:
        return [m.name for m in models if m.name not in models_main]
    out: list[str] = []
    for entry in entries:
        if entry == MAIN:
            out += models_main
        elif entry == PRIMARY:
            out += [m.name for m in models if m.role == "primary"][:1]
        elif isinstance(entry, str):
            out += _named(entry, [m.name for m in models]) or [entry]
        else:
            out += [
                m.name
                for m in models
                if all(getattr(m, k) in _as_list(v) for k, v in entry.items())
                and (fitted is None or m.name in fitted)
            ]
    return list(dict.fromkeys(out))


def _named(entry: str, names: list[str]) -> list[str]:
    """The models a name stands for: itself, or with ``{k}`` one per threshold."""
    if "{k}" not in entry:
        return [entry] if entry in names else []
    head, tail = entry.split("{k}", 1)
    return [
        n
        for n in names
        if n.startswith(head) and n.endswith(tail) and n[len(head) : len(n) - len(tail)].isdigit()
    ]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]
