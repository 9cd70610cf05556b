"""Every word a figure, table or summary shows, in the report's language.

Variable, group and level labels come from the codebook; the report's own words (column
headers, axis titles, notes, table and figure titles) from ``workflow/report/labels.yaml``.
Nothing here types a label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from teichaku.codebook import Codebook, Variable, load_codebook

LANGUAGES = ("ja", "en")


def load_label_file(path: str | Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Labels:
    """Labels in one language: ``text`` keys of labels.yaml plus codebook lookups."""

    language: str
    codebook: Codebook
    strings: dict
    confidence: float | None = None  # analysis.confidence: fills "{level}" (e.g. 95) in labels
    #: whether the round has published figures: without them an entry ``<key>_unpublished``
    #: of labels.yaml (a caption saying nothing of published values) replaces ``<key>``
    published: bool = True

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"report language must be one of {LANGUAGES}, not {self.language!r}")

    def _pick(self, entry: dict, where: str) -> str:
        try:
            text = entry[self.language]
        except (KeyError, TypeError):
            raise KeyError(f"labels.yaml: no {self.language!r} text for {where}") from None
        if "{level}" in text:
            if self.confidence is None:
                raise ValueError(
                    f"labels.yaml {where} names the confidence level: "
                    "load the labels with analysis.confidence"
                )
            text = text.replace("{level}", f"{100 * self.confidence:g}")
        # "{round}": the year of the survey round (its period's start, teichaku.survey)
        return text.replace("{round}", str(self.codebook.survey["period_start"].year))

    def text(self, key: str, **fields) -> str:
        """A report word from labels.yaml ``text``; ``fields`` fill its ``{...}``."""
        if key not in self.strings["text"]:
            raise KeyError(f"labels.yaml: no text {key!r}")
        return self._pick(self.strings["text"][key], key).format(**fields)

    def entry(self, section: str, key: str) -> str:
        """A label from another section of labels.yaml (``tables``, ``figures``, ...)."""
        if not self.published and f"{key}_unpublished" in self.strings.get(section, {}):
            key = f"{key}_unpublished"
        try:
            return self._pick(self.strings[section][key], f"{section}.{key}")
        except KeyError:
            raise KeyError(f"labels.yaml: no {section}.{key}") from None

    def variable(self, table: str, name: str) -> Variable:
        return self.codebook.variable(table, name)

    def var(self, table: str, name: str) -> str:
        return self.variable(table, name).label(self.language)

    def level(self, table: str, name: str, code: str) -> str:
        return self.variable(table, name).level_label(str(code), self.language)

    def group(self, table: str, group: str) -> str:
        g = self.codebook.tables[table].groups[group]
        return g.label_ja if self.language == "ja" else g.label_en

    def group_items(self, table: str, group: str) -> list[Variable]:
        return self.codebook.tables[table].group_variables(group)


def load_labels(
    language: str,
    label_file: str | Path,
    codebook: Codebook | None = None,
    confidence: float | None = None,
) -> Labels:
    """Labels in ``language``; ``confidence`` (analysis.confidence) names interval levels."""
    return Labels(language, codebook or load_codebook(), load_label_file(label_file), confidence)


def has_title(item, labels: Labels, section: str) -> bool:
    """Whether labels.yaml holds a title of ``item``."""
    return any(item.name in labels.strings.get(s, {}) for s in (section, f"report_{section}"))


def item_title(item, labels: Labels, section: str) -> str:
    """The title of a table or figure: the spec's, else labels.yaml's ``section.name`` (or
    ``report_<section>.name``: the block of the titles report.yaml adds), else, for a
    cross-tabulation, "<rows> by <columns>"."""
    if item.title:
        return item.title[labels.language]
    if item.builder == "crosstab" and not has_title(item, labels, section):
        from teichaku.report.crosstab import Crosstab, crosstab_title

        return crosstab_title(Crosstab.of(item.options), labels)
    if item.name not in labels.strings.get(section, {}):
        section = f"report_{section}"
    return labels.entry(section, item.name)
