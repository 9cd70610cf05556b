"""A run's report (config/report.yaml) as the tests edit it, and the cross-tabulations
(builder crosstab) they add: one of counts by cohort, one of shares by prolonged status,
one of means."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import ROOT

CROSSTABS = [
    {
        "name": "crosstab_care_by_cohort",
        "builder": "crosstab",
        "section": "basic_attributes",
        "category": "survey",
        "options": {"rows": "care_level", "columns": "cohort", "cells": "n"},
    },
    {
        "name": "crosstab_guarantor_by_prolonged",
        "builder": "crosstab",
        "section": "appendix",
        "category": "appendix",
        "title": {"ja": "身元引受的な対応(長期化の有無別)", "en": "Guarantor tasks by prolonged"},
        "options": {"rows": "guar", "columns": "prolonged", "cells": "pct"},
    },
    {
        "name": "crosstab_age_by_prolonged",
        "builder": "crosstab",
        "section": "appendix",
        "category": "appendix",
        "options": {"rows": "age", "columns": "prolonged", "cells": "mean"},
    },
]


def default_report() -> dict:
    """The repository's config/report.yaml, parsed (for a test to edit)."""
    return yaml.safe_load((ROOT / "config" / "report.yaml").read_text(encoding="utf-8"))


def add_crosstabs(workdir: Path, crosstabs=CROSSTABS) -> None:
    """Point workdir's config.yaml at a report.yaml beside it: the repository's report with
    ``crosstabs`` appended to its tables."""
    report = default_report()
    report["tables"] += crosstabs
    use_report(workdir, report)


def use_report(workdir: Path, report: dict) -> None:
    """Write ``report`` as workdir/report.yaml and point workdir's config.yaml at it."""
    (workdir / "report.yaml").write_text(
        yaml.safe_dump(report, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    config_file = workdir / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["report"]["spec"] = "report.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
