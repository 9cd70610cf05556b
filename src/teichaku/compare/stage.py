"""The comparison's step as the workflow runs it (rule compare): read each round's run,
write the trend table, the per-round estimates with the test of difference, the linkage
table, a figure and a document per language into the comparison's folder.

``python -m teichaku.compare`` runs it outside Snakemake on the runs of config ``compare:``.
"""

from __future__ import annotations

import itertools
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from teichaku.analysis.stage import load
from teichaku.compare import document, figure, linkage, pooled, trend
from teichaku.compare.rounds import CompareError, in_order, load_round
from teichaku.report.suppress import Privacy

log = logging.getLogger(__name__)

#: Labels of the trend table's rows that are not codebook variables.
ROW_LABELS = {
    "ja": {
        "median_involvement_months": "関与期間の中央値(か月)",
        "pct_prolonged_12": "12か月以上の長期化(%)",
        "pct_prolonged_24": "24か月以上の長期化(%)",
        "n_transition": "移行で終了(件)",
        "n_censored": "基準日に支援継続(件)",
        "mean_age": "相談時年齢の平均",
        "pct_male": "男性(%)",
        "pct_welfare": "生活保護受給(%)",
        "barrier_pct": "(%)",
        "barrier_hr": "(ハザード比、各回のモデル)",
    },
    "en": {
        "median_involvement_months": "Median involvement (months)",
        "pct_prolonged_12": "Involvement of 12 months or more (%)",
        "pct_prolonged_24": "Involvement of 24 months or more (%)",
        "n_transition": "Ended by transition (cases)",
        "n_censored": "Continuing at the reference date (cases)",
        "mean_age": "Mean age at referral",
        "pct_male": "Male (%)",
        "pct_welfare": "Receiving public assistance (%)",
        "barrier_pct": " (%)",
        "barrier_hr": " (hazard ratio, each round's model)",
    },
}


def guarded(step: Callable[[], None]) -> None:
    """Run ``step``; a ``CompareError`` ends the process with its message and exit code 1."""
    try:
        step()
    except CompareError as exc:
        log.error("%s", exc)
        sys.exit(1)


def _labels(codebook, language: str, label_file: str | Path) -> dict[str, str]:
    with open(label_file, encoding="utf-8") as fh:
        items = yaml.safe_load(fh)["published_items"]
    rows = ROW_LABELS[language]
    out = {key: spec[language] for key, spec in items.items()}
    out.update({k: v for k, v in rows.items() if not k.startswith("barrier_")})
    out.update(codebook.labels(language))
    for var in codebook.variable("cases", "end_reason").levels:
        out[var.code] = var.en if language == "en" else var.ja
    for barrier in codebook.tables["cases"].group_variables("barrier"):
        name = barrier.label(language)
        out[f"barrier_pct:{barrier.name}"] = name + rows["barrier_pct"]
        out[f"barrier_hr:{barrier.name}"] = name + rows["barrier_hr"]
    return out


def write_comparison(
    *,
    runs: list[dict],
    analysis_config: dict,
    codebook: str | Path,
    min_cell: int,
    reliability: dict,
    languages: list[str],
    dpi: int,
    label_file: str | Path,
    outputs: dict[str, str],
) -> None:
    """Compare the rounds of ``runs`` (each: name, reference_date, analysis, numbers).

    ``outputs``: trend, difference, joint, linkage (CSV/JSON paths) and, per language,
    ``document_<lang>`` and ``figure_<lang>`` (a stem: .png and .pdf are written)."""
    rounds = in_order([load_round(**run) for run in runs])
    spec, settings, book = load(analysis_config, codebook)
    primary = next(m for m in spec.models if m.role == "primary")
    barriers = [v.name for v in book.tables["cases"].group_variables("barrier")]
    reasons = list(book.variable("cases", "end_reason").codes)
    events = {r: "transition" for r in spec.transition} | {r: "competing" for r in spec.competing}
    privacy = Privacy(min_cell)
    names = [r.name for r in rounds]

    trend_rows = trend.trend_table(rounds, barriers, privacy)
    fit = pooled.fit_pooled(primary, pooled.pooled_frame(rounds))
    difference, joint = pooled.difference_table(
        fit,
        barriers,
        names,
        settings.confidence,
        min_cell,
        float(reliability["min_events_per_parameter"]),
        int(reliability["min_clusters"]),
    )
    joint |= {"model": primary.name, "rounds": names, "n_clusters": fit.n_clusters}
    links = [
        linkage.linkage_table(a, b, reasons, events, min_cell)
        for a, b in itertools.pairwise(rounds)
    ]
    linked = pd.concat(links, ignore_index=True)

    for path in outputs.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    trend_rows.to_csv(outputs["trend"], index=False)
    difference.to_csv(outputs["difference"], index=False)
    linked.to_csv(outputs["linkage"], index=False)
    Path(outputs["joint"]).write_text(
        json.dumps(joint, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    dated = [(r.name, r.reference_date.isoformat()) for r in rounds]
    for language in languages:
        labels = _labels(book, language, label_file)
        text = document.comparison_markdown(
            language, dated, trend_rows, difference, joint, linked, labels
        )
        Path(outputs[f"document_{language}"]).write_text(text, encoding="utf-8")
        figure.trend_figure(
            trend_rows,
            difference,
            barriers,
            {b: labels[b] for b in barriers},
            names,
            language,
            Path(outputs[f"figure_{language}"]),
            dpi,
        )
    log.info("compared %s: pooled model %s", ", ".join(names), joint["status"])
