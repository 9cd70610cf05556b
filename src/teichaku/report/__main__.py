"""``python -m teichaku.report {protection,tables,figures,summary}``: the report rules on
the workflow's paths, for the configuration's run, in each language of report.languages."""

from pathlib import Path

from teichaku import paths
from teichaku.codebook import load_codebook
from teichaku.entry import main, read_yaml, round_codebook
from teichaku.report import stage
from teichaku.report.inputs import input_paths
from teichaku.runs import language_free

ASSETS = Path(__file__).resolve().parents[3] / paths.REPORT_ASSETS


def _inputs(config: dict) -> stage.build.ReportInputs:
    round_codebook(config)  # written where input_paths reads it
    files = input_paths(config, ASSETS)
    return stage.load_inputs(paths=files, thresholds=config["analysis"]["thresholds"])


def _report(config: dict, inputs: stage.build.ReportInputs):
    """The run's report (report.spec), checked against its codebook and models."""
    run = paths.of(config["run"])
    return stage.load_report_spec(config, load_codebook(run.ROUND_CODEBOOK), inputs.spec)


def protection(config: dict) -> None:
    from teichaku.analysis.specs import load_analysis_spec, prolonged_outcome

    run = paths.of(config["run"])
    codebook = round_codebook(config)
    spec = load_analysis_spec(
        config["analysis"]["models"], config["analysis"]["thresholds"], load_codebook(codebook)
    )
    stage.write_protection(
        cases=run.PROCESSED["cases"],
        analysis=run.ANALYSIS_DATASET,
        output=run.PROTECTION,
        prolonged=prolonged_outcome(spec),
        codebook_path=codebook,
        min_cell=config["privacy"]["min_cell"],
        crosstabs=[t.options for t in stage.load_report_spec(config).crosstabs()],
    )


def tables(config: dict) -> None:
    inputs = _inputs(config)
    run = paths.of(config["run"])
    for lang in config["report"]["languages"]:
        stage.run_tables(
            inputs=inputs,
            settings=stage.settings_from_config(config, lang),
            codebook=run.ROUND_CODEBOOK,
            label_file=ASSETS / "labels.yaml",
            out_dir=paths.of(run.run, lang).TABLES_DIR,
            report=_report(config, inputs),
        )


def figures(config: dict) -> None:
    inputs = _inputs(config)
    run = paths.of(config["run"])
    for lang in config["report"]["languages"]:
        stage.run_figures(
            inputs=inputs,
            settings=stage.settings_from_config(config, lang),
            codebook=run.ROUND_CODEBOOK,
            label_file=ASSETS / "labels.yaml",
            out_dir=paths.of(run.run, lang).FIGURES_DIR,
            report=_report(config, inputs),
        )


def summary(config: dict) -> None:
    from teichaku.report.provenance import write_provenance

    synthetic = config["input"]["source"] == "synthetic"
    published = [config["published"]] if config["published"] else []
    hashed = [config["codebook"], *published, config["analysis"]["models"]]
    section = Path(paths.SIMULATION_SECTION)
    run = paths.of(config["run"])
    write_provenance(
        config=language_free(config),
        inputs=[*map(str, paths.raw_inputs(config)), *hashed]
        + ([config["input"]["synthetic_config"]] if synthetic else []),
        repo_dir=ASSETS.parents[1],
        extra_configs=(
            {"synthetic": read_yaml(config["input"]["synthetic_config"])} if synthetic else {}
        ),
        raw_dir=paths.raw_dir(config),
        out=run.PROVENANCE,
    )
    for lang in config["report"]["languages"]:
        run = paths.of(config["run"], lang)
        inputs = _inputs(config)
        stage.run_summary(
            inputs=inputs,
            report=_report(config, inputs),
            config=language_free(config),
            language=lang,
            codebook=run.ROUND_CODEBOOK,
            label_file=ASSETS / "labels.yaml",
            template_dir=ASSETS,
            css=ASSETS / "summary.css",
            tables_dir=run.TABLES_DIR,
            figures_dir=run.FIGURES_DIR,
            provenance_file=run.PROVENANCE,
            out_md=paths.fill(run.SUMMARY, ext="md"),
            out_html=paths.fill(run.SUMMARY, ext="html"),
            out_pdf=paths.fill(run.SUMMARY, ext="pdf"),
            simulation_md=section if section.exists() else None,
        )


main("report", {"protection": protection, "tables": tables, "figures": figures, "summary": summary})
