"""The analysis stage's steps as the workflow runs them: read inputs, compute, write outputs.

The Snakemake scripts in workflow/scripts/ only pass paths and config here;
``python -m teichaku.analysis`` runs the same steps outside Snakemake. Outputs are
deterministic: CSVs with fixed float formatting, parquet without pandas metadata noise, JSON
with sorted keys.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

# The models, curves and numbers (statsmodels, scipy.stats: about a second of imports) are
# imported by the steps that use them, so that each rule's process loads only its own.
from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.specs import (
    AnalysisSpec,
    Settings,
    load_analysis_spec,
    parse_analysis_spec,
    read_spec_file,
)
from teichaku.codebook import Codebook, load_codebook
from teichaku.published import load_published

log = logging.getLogger(__name__)
FLOAT_FORMAT = "%.10g"


def load(
    analysis_config: dict, codebook_path: str | Path
) -> tuple[AnalysisSpec, Settings, Codebook]:
    """The specification file named in ``analysis_config`` (analysis.models), its settings
    and the codebook (outside the workflow: the rules are given their parts as params)."""
    codebook = load_codebook(str(codebook_path))
    settings = Settings.from_config(analysis_config)
    spec = load_analysis_spec(analysis_config["models"], list(settings.thresholds), codebook)
    return spec, settings, codebook


def parse(spec: dict, codebook_path: str | Path) -> tuple[AnalysisSpec, Codebook]:
    """A rule's part of the specification (teichaku.analysis.parts), checked against the
    codebook."""
    codebook = load_codebook(str(codebook_path))
    return parse_analysis_spec(spec, [], codebook), codebook


def _write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.reset_index(drop=True).to_parquet(path, index=False)


def _write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def write_dataset(
    *, cases: str, roster: str, output: str, spec: dict, thresholds, codebook_path: str
) -> pd.DataFrame:
    """The analysis dataset; ``spec``: teichaku.analysis.parts.dataset_spec."""
    spec, codebook = parse(spec, codebook_path)
    thresholds = [int(k) for k in thresholds]
    data = build_analysis_dataset(
        pd.read_parquet(cases), pd.read_parquet(roster), spec, thresholds, codebook
    )
    counts = data["event_type"].value_counts().to_dict()
    log.info(
        "analysis dataset: %d cases, events %s, %d with imputed start, %d without time",
        len(data),
        counts,
        int(data["start_imputed"].sum()),
        int(data["time_invalid"].sum()),
    )
    _write_parquet(data, output)
    return data


def _published(
    models: list[str],
    coef: pd.DataFrame,
    diag: pd.DataFrame,
    rules: dict | None,
    min_cell: int,
):
    """The reliability assessment of ``models`` (``rules``: analysis.reliability) and their
    coefficients and diagnostics as published (teichaku.report.publish)."""
    from teichaku.analysis import reliability
    from teichaku.report import publish
    from teichaku.report.suppress import Privacy

    privacy = Privacy(int(min_cell))
    assessment = reliability.assess(
        models, coef, diag, reliability.Rules.from_config(rules), privacy.min_cell
    )
    shown_coef = publish.publish_coefficients(coef, assessment, privacy)
    shown_diag = publish.publish_diagnostics(diag, shown_coef, privacy)
    return assessment, shown_coef, shown_diag, privacy


def write_model(
    *,
    model: str,
    analysis: str,
    awareness: str | None,
    spec: dict,
    analysis_config: dict,
    codebook_path: str,
    min_cell: int,
    fit: str,
    coefficients: str,
    diagnostics: str,
    reliability: str,
) -> None:
    """Fit one model (``spec``: teichaku.analysis.parts.model_spec) and write its fit summary
    as published (results/<run>/models/fits/<model>.txt) and, for :func:`gather_models`,
    its coefficients and diagnostics as fitted and its reliability assessment (under
    data/processed/<run>/models/: not yet published)."""
    from teichaku.analysis import reliability as assessed
    from teichaku.analysis.outputs import gather
    from teichaku.analysis.run import fit_one
    from teichaku.report import publish

    parsed, codebook = parse(spec, codebook_path)
    settings = Settings.from_config(analysis_config)
    awareness_table = pd.read_parquet(awareness) if awareness else None
    table, rows, text = fit_one(
        parsed.model(model), pd.read_parquet(analysis), awareness_table, parsed, settings, codebook
    )
    coef, diag = gather([(table, rows)])
    assessment, shown_coef, shown_diag, privacy = _published(
        [model], coef, diag, analysis_config.get("reliability"), min_cell
    )
    row = {"model": model, **assessment.set_index("model").to_dict("index")[model]}
    text = publish.publish_fit_text(
        text, shown_coef, publish.diagnostic_lines(shown_diag), row, privacy
    )
    Path(fit).parent.mkdir(parents=True, exist_ok=True)
    Path(fit).write_text(text, encoding="utf-8")
    _write_parquet(coef, coefficients)
    _write_parquet(diag, diagnostics)
    _write_csv(assessment, reliability)
    for r in diag[diag["status"] != "ok"].itertuples():
        log.warning("%s %s %s: %s", r.model, r.check, r.term, r.message)
    if row["status"] != assessed.REPORTED:
        log.warning("%s: %s", model, row["reason_en"])
    log.info("%s: %d coefficient rows, %d checks", model, len(coef), len(diag))


def gather_models(
    *,
    models: list[str],
    coefficient_pieces: list[str],
    diagnostic_pieces: list[str],
    rules: dict | None,
    min_cell: int,
    coefficients: str,
    diagnostics: str,
    reliability: str,
) -> None:
    """coefficients.csv, diagnostics.csv and reliability.csv of ``models`` (in that order)
    from the pieces :func:`write_model` wrote, published together (a count's marker in one
    model's rows sets the column's type in the whole file, as when one job fitted all);
    ``rules``: analysis.reliability."""
    from teichaku.analysis.outputs import gather

    fitted = [
        (_fitted_rows(pd.read_parquet(c)), pd.read_parquet(d).to_dict("records"))
        for c, d in zip(coefficient_pieces, diagnostic_pieces, strict=True)
    ]
    coef, diag = gather(fitted)
    assessment, shown_coef, shown_diag, _ = _published(list(models), coef, diag, rules, min_cell)
    _write_csv(shown_coef, coefficients)
    _write_csv(shown_diag, diagnostics)
    _write_csv(assessment, reliability)
    log.info(
        "%d models, %d coefficient rows, %d checks not ok",
        len(models),
        len(coef),
        int((diag["status"] != "ok").sum()),
    )


def _fitted_rows(table: pd.DataFrame) -> pd.DataFrame | None:
    """A model's coefficient piece; None for a model not fitted (no rows)."""
    return table if len(table) else None


def write_models(
    *,
    analysis: str,
    awareness: str,
    run_paths,
    analysis_config: dict,
    codebook_path: str,
    min_cell: int = 5,
) -> None:
    """Every model of the specification file, one after the other, then gathered: the
    rules' steps outside the workflow (``run_paths``: teichaku.paths.of(run))."""
    from teichaku import paths
    from teichaku.analysis import parts

    raw = read_spec_file(analysis_config["models"])
    thresholds = analysis_config["thresholds"]
    names = parts.model_names(raw, thresholds)
    pieces = {
        name: {
            key: paths.fill(getattr(run_paths, pattern), model=name)
            for key, pattern in MODEL_PIECES.items()
        }
        for name in names
    }
    for name in names:
        centers = parts.model_data(raw, thresholds, name) == "centers"
        write_model(
            model=name,
            analysis=analysis,
            awareness=awareness if centers else None,
            spec=parts.model_spec(raw, thresholds, name),
            analysis_config=parts.model_settings(analysis_config),
            codebook_path=codebook_path,
            min_cell=min_cell,
            **pieces[name],
        )
    gather_models(
        models=names,
        coefficient_pieces=[pieces[n]["coefficients"] for n in names],
        diagnostic_pieces=[pieces[n]["diagnostics"] for n in names],
        rules=analysis_config.get("reliability"),
        min_cell=min_cell,
        coefficients=run_paths.COEFFICIENTS,
        diagnostics=run_paths.DIAGNOSTICS,
        reliability=run_paths.RELIABILITY,
    )


#: The files of one model's job (write_model's outputs) by their teichaku.paths names.
MODEL_PIECES = {
    "fit": "FIT",
    "coefficients": "MODEL_COEFFICIENTS",
    "diagnostics": "MODEL_DIAGNOSTICS",
    "reliability": "MODEL_RELIABILITY",
}


def write_curves(
    *,
    analysis: str,
    output: str,
    spec: dict,
    confidence: float,
    prolonged: str | None,
    codebook_path: str,
    min_cell: int,
    cases: str,
    protection: str,
) -> None:
    """The curves as published (teichaku.report.publish.publish_curves): cut where fewer
    than min_cell remain at risk, a grouping left out where a group is too small or the
    tables (``protection``: data/processed/protection.json, of tables 1-3 split by the
    status ``prolonged``) suppress its count. ``spec``: teichaku.analysis.parts.curves_spec."""
    from teichaku.analysis.curves import build_curves
    from teichaku.report.protection import read_protection, table_cells
    from teichaku.report.publish import publish_curves
    from teichaku.report.suppress import Privacy

    spec, codebook = parse(spec, codebook_path)
    data = pd.read_parquet(analysis)
    protected = read_protection(
        Path(protection).read_text(encoding="utf-8"),
        table_cells(pd.read_parquet(cases), data, prolonged, codebook),
    )
    curves = build_curves(data, spec.curves, float(confidence))
    curves = publish_curves(curves, Privacy(int(min_cell)), protected)
    _write_parquet(curves, output)
    log.info("%d curve points in %d curves", len(curves), curves["curve"].nunique())


def write_numbers(
    *,
    roster: str,
    cases: str,
    awareness: str,
    analysis: str,
    coefficients: str,
    diagnostics: str,
    published: str | None,
    validation: str | None,
    output: str,
    spec: dict,
    analysis_config: dict,
    codebook_path: str,
    reliability: str | None = None,
    min_cell: int = 5,
    protection: str | None = None,
) -> None:
    """results/numbers.json; ``spec``: teichaku.analysis.parts.numbers_spec; ``protection``:
    data/processed/protection.json, the run's protection of tables 1-3 (computed here when
    not given)."""
    from teichaku.analysis.numbers import build_numbers, numbers_json
    from teichaku.report.protection import read_protection, report_cells
    from teichaku.report.suppress import Privacy

    spec, codebook = parse(spec, codebook_path)
    settings = Settings.from_config(analysis_config)
    cases_table, analysis_table = pd.read_parquet(cases), pd.read_parquet(analysis)
    protected = None
    if protection:
        protected = read_protection(
            Path(protection).read_text(encoding="utf-8"),
            report_cells(cases_table, analysis_table, spec, codebook),
        )
    summary = None
    if validation:
        with open(validation, encoding="utf-8") as fh:
            summary = json.load(fh)
    numbers = build_numbers(
        pd.read_parquet(roster),
        cases_table,
        pd.read_parquet(awareness),
        analysis_table,
        pd.read_csv(coefficients),
        pd.read_csv(diagnostics),
        spec,
        settings,
        codebook,
        load_published(published) if published else None,
        summary,
        pd.read_csv(reliability, keep_default_na=False) if reliability else None,
        Privacy(int(min_cell)),
        protected,
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(numbers_json(numbers), encoding="utf-8")
    log.info("numbers.json: %d top-level sections", len(numbers))


def write_predictions(
    *,
    analysis: str,
    output: str,
    spec: dict,
    codebook_path: str,
    min_cell: int,
    reliability: list[str],
) -> None:
    """results/models/cif_predicted.parquet: the cumulative incidence predicted by each
    ``predictions:`` entry of the specification (fine_gray models; ``spec``:
    teichaku.analysis.parts.predictions_spec), cut where fewer than ``min_cell`` cases are
    still followed. A model that is not reported (``reliability``: the assessments of the
    models predicted from; not fitted, too few events, ...) predicts nothing: its
    predictions would publish its estimates in another form."""
    from teichaku.analysis import reliability as assessed
    from teichaku.analysis.dataset import key_independent_order
    from teichaku.analysis.fit import PREDICTION_COLUMNS, predictions

    spec, _ = parse(spec, codebook_path)
    hidden = set()
    for path in reliability:
        assessment = pd.read_csv(path, keep_default_na=False)
        hidden |= set(assessment.loc[assessment["status"] == assessed.NOT_REPORTED, "model"])
    for p in spec.predictions:
        if p.model in hidden:
            log.info("no prediction %s: model %s is not reported", p.name, p.model)
    # sums in an order independent of the pseudonym key, so the file is too (to the last bit)
    data = key_independent_order(pd.read_parquet(analysis))
    frames = [
        predictions(spec, p, data, min_cell) for p in spec.predictions if p.model not in hidden
    ]
    table = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PREDICTION_COLUMNS)
    )
    _write_parquet(table, output)
    log.info("%d predicted cumulative incidence points", len(table))
