"""The report stage's steps as the workflow runs them: read the pipeline's files, build,
write.

The Snakemake scripts in workflow/scripts/ only unpack ``snakemake`` and call these;
``python -m teichaku.report`` runs them outside Snakemake.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pandas as pd

from teichaku import paths as run_paths
from teichaku.codebook import load_codebook
from teichaku.disclosure import protect
from teichaku.published import load_published
from teichaku.report import build, catalog
from teichaku.report import tables as tb
from teichaku.report.labels import load_labels
from teichaku.report.protection import (
    protection_json,
    read_protection,
    report_cells,
    table_cells,
)
from teichaku.report.suppress import Privacy

log = logging.getLogger(__name__)


def input_paths(config: dict, assets: str | Path) -> dict:
    """The files every report rule reads, by input name (``assets``: workflow/report), for
    the run of ``config``."""
    run = run_paths.of(config["run"])
    return {
        "roster": run.PROCESSED["roster"],
        "cases": run.PROCESSED["cases"],
        "awareness": run.PROCESSED["awareness"],
        "analysis": run.ANALYSIS_DATASET,
        "coefficients": run.COEFFICIENTS,
        "numbers": run.NUMBERS,
        "protection": run.PROTECTION,
        **({"published": config["published"]} if config["published"] else {}),
        "models": config["analysis"]["models"],
        "codebook": run.ROUND_CODEBOOK,  # the round's (teichaku.survey)
        "labels": Path(assets) / "labels.yaml",
    }


def load_inputs(*, paths: dict, thresholds) -> build.ReportInputs:
    """Read the processed tables and analysis results named in ``paths``.

    Keys: roster, cases, awareness, analysis, coefficients, numbers, models, codebook and
    optionally published (none: a round without published figures), curves, predicted and
    protection. ``thresholds`` are analysis.thresholds.
    """
    from teichaku.analysis.specs import load_analysis_spec  # the analysis stage's parser

    codebook = load_codebook(str(paths["codebook"]))
    thresholds = tuple(int(k) for k in thresholds)
    spec = load_analysis_spec(paths["models"], list(thresholds), codebook)
    cases, analysis = pd.read_parquet(paths["cases"]), pd.read_parquet(paths["analysis"])
    protection = None
    if paths.get("protection"):
        protection = read_protection(
            Path(paths["protection"]).read_text(encoding="utf-8"),
            report_cells(cases, analysis, spec, codebook),
        )
    curves = (
        pd.read_parquet(paths["curves"])
        if paths.get("curves")
        else pd.DataFrame(
            columns=["curve", "by", "group", "time", "estimate", "lower", "upper", "n_at_risk"]
        )
    )
    return build.ReportInputs(
        roster=pd.read_parquet(paths["roster"]),
        cases=cases,
        awareness=pd.read_parquet(paths["awareness"]),
        analysis=analysis,
        coefficients=pd.read_csv(paths["coefficients"]),
        curves=curves,
        numbers=build.read_numbers(paths["numbers"]),
        published=load_published(paths["published"]) if paths.get("published") else None,
        spec=spec,
        thresholds=thresholds,
        protection=protection,
        **({"predicted": pd.read_parquet(paths["predicted"])} if paths.get("predicted") else {}),
    )


def write_protection(
    *, cases: str, analysis: str, output: str, prolonged: str | None, codebook_path: str, min_cell
) -> None:
    """data/processed/<run>/protection.json: the primary and secondary suppression of tables 1-3,
    audited (the run stops if the audit finds a recoverable count). ``prolonged``: the
    status table 3 splits by (teichaku.analysis.specs.prolonged_outcome)."""
    codebook = load_codebook(str(codebook_path))
    cells = table_cells(pd.read_parquet(cases), pd.read_parquet(analysis), prolonged, codebook)
    protection = protect(cells, int(min_cell))
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(protection_json(protection), encoding="utf-8")
    statuses = [s.value for s in protection.status.values()]
    log.info(
        "%d printed counts of tables 1-3: %d primary, %d secondary suppressions; %d audited",
        len(statuses),
        statuses.count("primary"),
        statuses.count("secondary"),
        len(protection.findings),
    )


def settings_from_config(config: dict, language: str) -> dict:
    """The report settings (what the rules pass as params) of a full configuration, in
    ``language`` (one of report.languages)."""
    return {
        "language": language,
        "min_cell": config["privacy"]["min_cell"],
        "thresholds": list(config["analysis"]["thresholds"]),
        "confidence": config["analysis"]["confidence"],
        "dpi": config["report"]["dpi"],
    }


def run_tables(
    *,
    inputs: build.ReportInputs,
    settings: dict,
    codebook: str | Path,
    label_file: str | Path,
    out_dir: str | Path,
) -> list[Path]:
    """Write every table; ``settings`` holds language and min_cell."""
    labels = _labels(inputs, settings["language"], label_file, codebook, settings["confidence"])
    written = []
    for table in build.build_tables(inputs, labels, Privacy(int(settings["min_cell"]))):
        written += tb.write_table(table, Path(out_dir))
    _check_complete(written, [p for ps in catalog.table_files(str(out_dir)).values() for p in ps])
    return written


def run_figures(
    *,
    inputs: build.ReportInputs,
    settings: dict,
    codebook: str | Path,
    label_file: str | Path,
    out_dir: str | Path,
) -> list[Path]:
    """Draw every figure; ``settings`` holds language, min_cell and dpi."""
    from teichaku.report import figures as fg  # matplotlib: only this rule needs it

    labels = _labels(inputs, settings["language"], label_file, codebook, settings["confidence"])
    ctx = fg.FigureContext(
        labels, Privacy(int(settings["min_cell"])), int(settings["dpi"]), Path(out_dir)
    )
    written = build.build_figures(inputs, ctx)
    _check_complete(written, [p for ps in catalog.figure_files(str(out_dir)).values() for p in ps])
    return written


def _labels(inputs: build.ReportInputs, language, label_file, codebook, confidence):
    """The labels of the report in ``language``; the captions of a round without published
    figures say nothing of published values."""
    labels = load_labels(language, label_file, load_codebook(str(codebook)), confidence)
    return replace(labels, published=inputs.published is not None)


def _check_complete(written: list[Path], expected: list[str]) -> None:
    """The catalog (what the rules declare) and the builders must agree."""
    missing = sorted(set(map(str, map(Path, expected))) - {str(p) for p in written})
    if missing:
        raise RuntimeError(f"report outputs declared but not built: {missing}")


def run_summary(
    *,
    inputs: build.ReportInputs,
    config: dict,
    language: str,
    codebook: str | Path,
    label_file: str | Path,
    template_dir: str | Path,
    css: str | Path,
    tables_dir: str | Path,
    figures_dir: str | Path,
    provenance_file: str | Path,
    out_md: str | Path,
    out_html: str | Path,
    out_pdf: str | Path,
    simulation_md: str | Path | None = None,
) -> None:
    """Write results/<run>/summary/summary.<language>.{md,html,pdf}; the simulation study's
    section is included when ``simulation_md`` (results/simulation/summary.md) is given.
    ``codebook`` is the round's codebook (results/<run>/codebook/codebook.yaml);
    ``provenance_file`` the run's provenance.txt, which the summary cites."""
    from teichaku.report import provenance, summary

    settings = settings_from_config(config, language)
    privacy = Privacy(int(settings["min_cell"]))
    labels = _labels(inputs, settings["language"], label_file, codebook, settings["confidence"])
    record = provenance.from_text(Path(provenance_file).read_text(encoding="utf-8"))
    record["file_sha256"] = provenance.sha256_file(provenance_file)
    log.info("provenance: commit %s dirty %s", record["git"]["commit"], record["git"]["dirty"])
    summary.make_summary(
        template_dir=Path(template_dir),
        css_path=Path(css),
        out_md=Path(out_md),
        out_html=Path(out_html),
        out_pdf=Path(out_pdf),
        table_markdown={name: Path(tables_dir) / f"{name}.md" for name in catalog.TABLES},
        figure_pngs={name: Path(figures_dir) / f"{name}.png" for name in catalog.FIGURES},
        labels=labels,
        numbers=inputs.numbers,
        published=inputs.published,
        methods=summary.methods_facts(config, inputs.spec, labels, privacy, inputs.coefficients),
        provenance=record,
        synthetic=config["input"]["source"] == "synthetic",
        simulation_md=Path(simulation_md) if simulation_md else None,
    )
