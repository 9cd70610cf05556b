"""Load the codebook (``config/codebook.yaml``), the single source of truth for every
variable of the raw survey tables.

The YAML is kept close to how a researcher reads FORMAT.md; this module resolves shared
value sets and gives typed access so that cleaning, schemas, labels and templates never
repeat it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from teichaku import yamlio

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "codebook.yaml"


@dataclass(frozen=True)
class Level:
    code: str
    ja: str
    en: str
    spellings: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    name: str
    header: str
    aliases: tuple[str, ...]
    label_ja: str
    label_en: str


@dataclass(frozen=True)
class Variable:
    name: str
    table: str
    type: str
    label_ja: str
    label_en: str
    header: str
    aliases: tuple[str, ...] = ()
    levels: tuple[Level, ...] = ()
    value_set: str | None = None
    accept_marks: bool = False
    min: int | None = None
    max: int | None = None
    units: tuple[str, ...] = ()
    required: bool = True
    group: str | None = None
    item: str | None = None
    personal: bool = False
    missing: tuple[str, ...] = ()
    unmeasurable: tuple[str, ...] = ()
    statuses: tuple[Level, ...] = ()

    @property
    def codes(self) -> list[str]:
        return [lv.code for lv in self.levels]

    def label(self, language: str = "ja") -> str:
        return self.label_ja if language == "ja" else self.label_en

    def level_label(self, code: str, language: str = "ja") -> str:
        for lv in self.levels:
            if lv.code == code:
                return lv.ja if language == "ja" else lv.en
        raise KeyError(f"{self.name}: no level {code!r}")


@dataclass(frozen=True)
class Table:
    name: str
    label_ja: str
    label_en: str
    file: str
    sheet: str
    key: str
    variables: dict[str, Variable]
    groups: dict[str, Group] = field(default_factory=dict)

    def group_variables(self, group: str) -> list[Variable]:
        return [v for v in self.variables.values() if v.group == group]


@dataclass(frozen=True)
class Codebook:
    missing_codes: tuple[str, ...]
    mark_yes: tuple[str, ...]
    mark_no: tuple[str, ...]
    group_separators: tuple[str, ...]
    eras: dict[str, dict]
    date_min: dt.date
    survey: dict[str, dt.date]
    fiscal_years: dict[str, tuple[dt.date, dt.date]]
    value_sets: dict[str, tuple[Level, ...]]
    tables: dict[str, Table]

    def variable(self, table: str, name: str) -> Variable:
        return self.tables[table].variables[name]

    def labels(self, language: str = "ja") -> dict[str, str]:
        """Variable name -> label over all tables (first table wins on shared names)."""
        out: dict[str, str] = {}
        for table in self.tables.values():
            for var in table.variables.values():
                out.setdefault(var.name, var.label(language))
        return out


def _levels(spec: dict) -> tuple[Level, ...]:
    return tuple(
        Level(str(code), d["ja"], d.get("en", d["ja"]), tuple(str(s) for s in d["spellings"]))
        for code, d in spec.items()
    )


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def parse_codebook(raw: dict) -> Codebook:
    value_sets = {name: _levels(spec) for name, spec in raw["value_sets"].items()}
    tables: dict[str, Table] = {}
    for tname, t in raw["tables"].items():
        groups = {
            g: Group(g, d["header"], tuple(d.get("aliases", ())), d["label_ja"], d["label_en"])
            for g, d in t.get("groups", {}).items()
        }
        variables: dict[str, Variable] = {}
        for vname, v in t["variables"].items():
            values = v.get("values")
            value_set = values if isinstance(values, str) else None
            if value_set is not None:
                levels = value_sets[value_set]
            elif values:
                levels = _levels(values)
            else:
                levels = ()
            header = v.get("header")
            if header is None:  # a grouped mark column: header is group + item
                header = f"{groups[v['group']].header}:{v['item']}"
            variables[vname] = Variable(
                name=vname,
                table=tname,
                type=v["type"],
                label_ja=v["label_ja"],
                label_en=v["label_en"],
                header=header,
                aliases=tuple(v.get("aliases", ())),
                levels=levels,
                value_set=value_set,
                accept_marks=bool(v.get("accept_marks", False)),
                min=v.get("min"),
                max=v.get("max"),
                units=tuple(v.get("units", ())),
                required=bool(v.get("required", True)),
                group=v.get("group"),
                item=v.get("item"),
                personal=bool(v.get("personal", False)),
                missing=tuple(str(m) for m in v.get("missing", ())),
                unmeasurable=tuple(v.get("unmeasurable", ())),
                statuses=tuple(
                    Level(code, d["ja"], d["en"], ()) for code, d in v.get("statuses", {}).items()
                ),
            )
        tables[tname] = Table(
            name=tname,
            label_ja=t["label_ja"],
            label_en=t["label_en"],
            file=t["file"],
            sheet=t["sheet"],
            key=t["key"],
            variables=variables,
            groups=groups,
        )
    return Codebook(
        missing_codes=tuple(raw["missing_codes"]),
        mark_yes=tuple(str(m) for m in raw["marks"]["yes"]),
        mark_no=tuple(str(m) for m in raw["marks"]["no"]),
        group_separators=tuple(raw["group_separators"]),
        eras=raw["eras"],
        date_min=_as_date(raw["date_min"]),
        survey={k: _as_date(v) for k, v in raw["survey"].items()},
        fiscal_years={
            k: (_as_date(v["start"]), _as_date(v["end"])) for k, v in raw["fiscal_years"].items()
        },
        value_sets=value_sets,
        tables=tables,
    )


@cache
def load_codebook(path: str | Path = DEFAULT_PATH) -> Codebook:
    with open(path, encoding="utf-8") as fh:
        return parse_codebook(yamlio.safe_load(fh))
