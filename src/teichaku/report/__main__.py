"""``python -m teichaku.report {protection,tables,figures,summary}``: the report rules on
the workflow's paths."""

from pathlib import Path

from teichaku import paths
from teichaku.entry import main, read_yaml
from teichaku.report import stage

ASSETS = Path(__file__).resolve().parents[3] / paths.REPORT_ASSETS


def _inputs(config: dict, curves: bool = False) -> stage.build.ReportInputs:
    figures = {"curves": paths.CURVES, "predicted": paths.CIF_PREDICTED}
    files = stage.input_paths(config, ASSETS) | (figures if curves else {})
    return stage.load_inputs(paths=files, thresholds=config["analysis"]["thresholds"])


def protection(config: dict) -> None:
    stage.write_protection(
        cases=paths.PROCESSED["cases"],
        analysis=paths.ANALYSIS_DATASET,
        output=paths.PROTECTION,
        analysis_config=config["analysis"],
        codebook_path=config["codebook"],
        min_cell=config["privacy"]["min_cell"],
    )


def tables(config: dict) -> None:
    stage.run_tables(
        inputs=_inputs(config),
        settings=stage.settings_from_config(config),
        codebook=config["codebook"],
        label_file=ASSETS / "labels.yaml",
        out_dir=paths.TABLES_DIR,
    )


def figures(config: dict) -> None:
    stage.run_figures(
        inputs=_inputs(config, curves=True),
        settings=stage.settings_from_config(config),
        codebook=config["codebook"],
        label_file=ASSETS / "labels.yaml",
        out_dir=paths.FIGURES_DIR,
    )


def summary(config: dict) -> None:
    synthetic = config["input"]["source"] == "synthetic"
    hashed = [config["codebook"], config["published"], config["analysis"]["models"]]
    section = Path(paths.SIMULATION_SECTION)
    stage.run_summary(
        inputs=_inputs(config),
        config=config,
        label_file=ASSETS / "labels.yaml",
        template_dir=ASSETS,
        css=ASSETS / "summary.css",
        tables_dir=paths.TABLES_DIR,
        figures_dir=paths.FIGURES_DIR,
        hashed_inputs=[*map(str, paths.raw_inputs(config)), *hashed]
        + ([config["input"]["synthetic_config"]] if synthetic else []),
        extra_configs=(
            {"synthetic": read_yaml(config["input"]["synthetic_config"])} if synthetic else {}
        ),
        repo_dir=ASSETS.parents[1],
        out_md=paths.fill(paths.SUMMARY, ext="md"),
        out_html=paths.fill(paths.SUMMARY, ext="html"),
        out_pdf=paths.fill(paths.SUMMARY, ext="pdf"),
        simulation_md=section if section.exists() else None,
    )


main("report", {"protection": protection, "tables": tables, "figures": figures, "summary": summary})
