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

from teichaku.codebook import load_codebook
from teichaku.disclosure import protect
from teichaku.published import load_published
from teichaku.report import build, catalog
from teichaku.report import spec as spec_module
from teichaku.report import tables as tb
from teichaku.report.facts import read_facts
from teichaku.report.labels import load_labels
from teichaku.report.protection import (
    protection_crosstabs,
    protection_json,
    read_protection,
    report_cells,
    table_cells,
)
from teichaku.report.suppress import Privacy

log = logging.getLogger(__name__)


def load_report_spec(config: dict, codebook=None, analysis=None):
    """The report of a run's configuration (report.spec)."""
    return spec_module.load_report_spec(config["report"]["spec"], codebook, analysis)


def load_inputs(*, paths: dict, thresholds, facts: dict | None = None) -> build.ReportInputs:
    """Read the processed tables and analysis results named in ``paths`` (any of the keys
    of :func:`teichaku.report.inputs.input_paths`; a key left out is not read) with the
    codebook.

    ``facts``: what the builders know of the analysis specification
    (:func:`teichaku.report.facts.analysis_facts`); without, the whole specification is read
    from ``paths["models"]`` (config/models.yaml). ``thresholds`` are analysis.thresholds.
    """
    codebook = load_codebook(str(paths["codebook"]))
    thresholds = tuple(int(k) for k in thresholds)
    if facts is None:
        from teichaku.analysis.specs import load_analysis_spec  # the analysis stage's parser

        spec = load_analysis_spec(paths["models"], list(thresholds), codebook)
    else:
        spec = read_facts(facts)

    def read(key, reader):
        return reader(paths[key]) if paths.get(key) else None

    cases, analysis = read("cases", pd.read_parquet), read("analysis", pd.read_parquet)
    protection = None
    if paths.get("protection"):
        text = Path(paths["protection"]).read_text(encoding="utf-8")
        cells = report_cells(cases, analysis, spec, codebook, protection_crosstabs(text))
        protection = read_protection(text, cells)
    extra = {"predicted": pd.read_parquet(paths["predicted"])} if paths.get("predicted") else {}
    return build.ReportInputs(
        spec=spec,
        thresholds=thresholds,
        roster=read("roster", pd.read_parquet),
        cases=cases,
        awareness=read("awareness", pd.read_parquet),
        analysis=analysis,
        coefficients=read("coefficients", pd.read_csv),
        curves=read("curves", pd.read_parquet),
        numbers=read("numbers", build.read_numbers) or {},
        published=read("published", load_published),
        protection=protection,
        **extra,
    )


def write_protection(
    *,
    cases: str,
    analysis: str,
    output: str,
    prolonged: str | None,
    codebook_path: str,
    min_cell,
    crosstabs=(),
) -> None:
    """data/processed/<run>/protection.json: the primary and secondary suppression of tables
    1-3 and of the cross-tabulations ``crosstabs`` (their options of report.yaml), audited
    together (the run stops if the audit finds a recoverable count). ``prolonged``: the
    status table 3 splits by (teichaku.analysis.specs.prolonged_outcome)."""
    codebook = load_codebook(str(codebook_path))
    cells = table_cells(
        pd.read_parquet(cases), pd.read_parquet(analysis), prolonged, codebook, crosstabs
    )
    protection = protect(cells, int(min_cell))
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(protection_json(protection, crosstabs), encoding="utf-8")
    statuses = [s.value for s in protection.status.values()]
    log.info(
        "%d printed counts of tables 1-3 and %d cross-tabulations: %d primary, %d secondary "
        "suppressions; %d audited",
        len(statuses),
        len(crosstabs),
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


def run_table(
    *,
    inputs: build.ReportInputs,
    item,
    settings: dict,
    codebook: str | Path,
    label_file: str | Path,
    out_dir: str | Path,
    models_main=(),
) -> list[Path]:
    """Write one table (``item``: its entry of report.yaml, a TableSpec or as plain data) in
    every format under ``out_dir``; ``settings`` hold language, min_cell and confidence,
    ``models_main`` the models of the main text (tables of models)."""
    item = item if isinstance(item, spec_module.TableSpec) else spec_module.table_spec(item)
    labels = _labels(inputs, settings, label_file, codebook)
    privacy = Privacy(int(settings["min_cell"]))
    table = build.build_table(inputs, item, labels, privacy, tuple(models_main))
    written = tb.write_table(table, Path(out_dir))
    _check_complete(written, catalog.table_files([item.name], str(out_dir))[item.name])
    return written


def run_figure(
    *,
    inputs: build.ReportInputs,
    item,
    settings: dict,
    codebook: str | Path,
    label_file: str | Path,
    out_dir: str | Path,
) -> list[Path]:
    """Draw one figure (``item``: its entry of report.yaml) in every format under
    ``out_dir``; ``settings`` hold language, min_cell, confidence and dpi (the figure's
    ``options.dpi`` replaces it)."""
    from teichaku.report import figures as fg  # matplotlib: only the figure jobs need it

    item = item if isinstance(item, spec_module.FigureSpec) else spec_module.figure_spec(item)
    labels = _labels(inputs, settings, label_file, codebook)
    dpi = int(item.options.get("dpi", settings["dpi"]))
    ctx = fg.FigureContext(labels, Privacy(int(settings["min_cell"])), dpi, Path(out_dir))
    written = build.build_figure(inputs, item, ctx)
    _check_complete(written, catalog.figure_files([item.name], str(out_dir))[item.name])
    return written


def run_tables(*, report, inputs: build.ReportInputs, **kwargs) -> list[Path]:
    """Write every table of ``report`` (a :class:`~teichaku.report.spec.ReportSpec`): what
    the report_table jobs do one by one (``kwargs``: those of :func:`run_table`)."""
    inputs = _protected(inputs, report, kwargs)
    return [
        path
        for item in report.tables
        for path in run_table(inputs=inputs, item=item, models_main=report.models_main, **kwargs)
    ]


def run_figures(*, report, inputs: build.ReportInputs, **kwargs) -> list[Path]:
    """Draw every figure of ``report``: what the report_figure jobs do one by one."""
    inputs = _protected(inputs, report, kwargs)
    return [
        path for item in report.figures for path in run_figure(inputs=inputs, item=item, **kwargs)
    ]


def _protected(inputs: build.ReportInputs, report, kwargs: dict) -> build.ReportInputs:
    """``inputs`` protected with the report's cross-tabulations (none read from a run)."""
    labels = _labels(inputs, kwargs["settings"], kwargs["label_file"], kwargs["codebook"])
    return build.with_protection(
        inputs, labels, Privacy(int(kwargs["settings"]["min_cell"])), report
    )


def _labels(inputs: build.ReportInputs, settings: dict, label_file, codebook):
    """The labels of the report in the language of ``settings``; the captions of a round
    without published figures (settings' ``published``, else none read) say nothing of
    published values."""
    labels = load_labels(
        settings["language"], label_file, load_codebook(str(codebook)), settings["confidence"]
    )
    published = settings.get("published", inputs.published is not None)
    return replace(labels, published=published)


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
    report,
    simulation_md: str | Path | None = None,
) -> None:
    """Write results/<run>/summary/summary.<language>.{md,html,pdf} of ``report`` (a
    :class:`~teichaku.report.spec.ReportSpec`: its tables and figures); the simulation study's
    section is included when ``simulation_md`` (results/simulation/summary.md) is given.
    ``codebook`` is the round's codebook (results/<run>/codebook/codebook.yaml);
    ``provenance_file`` the run's provenance.txt, which the summary cites."""
    from teichaku.report import provenance, summary

    settings = settings_from_config(config, language)
    privacy = Privacy(int(settings["min_cell"]))
    labels = _labels(inputs, settings, label_file, codebook)
    record = provenance.from_text(Path(provenance_file).read_text(encoding="utf-8"))
    record["file_sha256"] = provenance.sha256_file(provenance_file)
    log.info("provenance: commit %s dirty %s", record["git"]["commit"], record["git"]["dirty"])
    summary.make_summary(
        template_dir=Path(template_dir),
        css_path=Path(css),
        out_md=Path(out_md),
        out_html=Path(out_html),
        out_pdf=Path(out_pdf),
        table_markdown={name: Path(tables_dir) / f"{name}.md" for name in report.table_names()},
        figure_pngs={name: Path(figures_dir) / f"{name}.png" for name in report.figure_names()},
        labels=labels,
        report=report,
        numbers=inputs.numbers,
        published=inputs.published,
        methods=summary.methods_facts(config, inputs.spec, labels, privacy, inputs.coefficients),
        provenance=record,
        synthetic=config["input"]["source"] == "synthetic",
        simulation_md=Path(simulation_md) if simulation_md else None,
    )
