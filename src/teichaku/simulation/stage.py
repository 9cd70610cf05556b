"""The simulation study's steps as the workflow runs them: read inputs, compute, write outputs.

The Snakemake scripts in workflow/scripts/simulate_*.py only pass paths and config here;
``python -m teichaku.simulation`` runs the same steps outside Snakemake.
Replicate and performance tables are TSV with full float precision, so gathering chunks
computed anywhere (locally or on SLURM nodes) gives byte-identical results.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from teichaku.analysis.specs import AnalysisSpec
from teichaku.analysis.stage import load as load_analysis
from teichaku.analysis.terms import term_label
from teichaku.codebook import Codebook
from teichaku.published import load_published
from teichaku.simulation.figures import power_figure
from teichaku.simulation.performance import REPLICATE_COLUMNS, performance
from teichaku.simulation.replicate import (
    Models,
    base_design,
    design_row,
    run_chunk,
    scenario_design,
)
from teichaku.simulation.report import performance_section
from teichaku.simulation.study import Study, study_from_config
from teichaku.simulation.truth import TRUTH_COLUMNS, needs_population_truth, population_truth
from teichaku.synthetic import Design, load_synthetic_config

log = logging.getLogger(__name__)

#: Columns of the scenario table shown in the summary, with their headers.
DESIGN_COLUMNS = {
    "n_cases": "Cases",
    "n_centers": "Centers",
    "frailty_sd": "Frailty SD",
    "entry_start": "Entry from",
    "entry_end": "Entry to",
}


#: What the coefficients of a model type are, as the summary names them.
RATIO_NAMES = {
    "fine_gray": "subdistribution hazard ratios",
    "logit": "odds ratios",
    "gee": "odds ratios",
    "mixed_logit": "odds ratios",
}


@dataclass(frozen=True)
class Simulation:
    """Everything a step needs: the study, the synthetic survey's design and the models."""

    study: Study
    base: Design
    models: Models

    @property
    def codebook(self) -> Codebook:
        return self.models.codebook

    @property
    def analysis(self) -> AnalysisSpec:
        return self.models.analysis

    def design(self, scenario: str) -> Design:
        return scenario_design(self.base, self.study.scenario(scenario).design)

    def barrier_terms(self) -> list[str]:
        """The support barriers (codebook group ``barrier``) that the design has."""
        barriers = [v.name for v in self.codebook.tables["cases"].group_variables("barrier")]
        return [b for b in barriers if b in self.base.terms]


def load_simulation(*, study_config: Mapping[str, Any], config: Mapping[str, Any]) -> Simulation:
    """``study_config``: the validated study (config/simulation.yaml with defaults and any
    override applied); ``config``: the workflow's config (paths of codebook, synthetic
    parameters, published figures, analysis section)."""
    study = study_from_config(study_config)
    spec, settings, codebook = load_analysis(config["analysis"], config["codebook"])
    base = base_design(
        load_synthetic_config(config["input"]["synthetic_config"]),
        load_published(config["published"]),
        codebook,
    )
    models = Models(spec, settings, codebook, study.models)
    models.specs()  # fail early on a model the simulation cannot fit
    for scenario in study.scenarios:
        scenario_design(base, scenario.design)  # fail early on a bad scenario
    return Simulation(study, base, models)


def _write_tsv(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep="\t", index=False, lineterminator="\n", na_rep="NA")


def _read_tsv(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=["NA"])


def write_chunk(*, sim: Simulation, scenario: str, chunk: str, output: str | Path) -> None:
    """Run one chunk of replicates and write its replicate table."""
    where = os.environ.get("SLURM_JOB_ID")
    log.info(
        "host %s, %s", socket.gethostname(), f"SLURM job {where}" if where else "not under SLURM"
    )
    part = sim.study.chunk(scenario, chunk)
    design = sim.design(scenario)
    started = time.perf_counter()
    table = run_chunk(sim.study, part, design, sim.models)
    elapsed = time.perf_counter() - started
    failed = table.loc[table["error"] != "", ["model", "error"]]
    for (model, error), n in failed.value_counts().items():
        log.warning("%s: %d replicate(s) failed: %s", model, n, error)
    log.info(
        "scenario %s chunk %s: replicates %d-%d, %.2f s per replicate",
        scenario,
        chunk,
        part.first,
        part.stop - 1,
        elapsed / len(part.replicates),
    )
    _write_tsv(table, output)


def gather(paths: list[str | Path]) -> pd.DataFrame:
    """The replicate tables of all chunks, in the order given."""
    table = pd.concat([_read_tsv(p) for p in paths], ignore_index=True)
    table["error"] = table["error"].fillna("")
    return table[REPLICATE_COLUMNS]


def write_truth(*, sim: Simulation, scenario: str, output: str | Path) -> None:
    """The population truth of one scenario (teichaku.simulation.truth): computed once per
    scenario and kept, so that gathering more replicates does not fit the population again."""
    specs = [s for s in sim.models.specs() if needs_population_truth(s)]
    started = time.perf_counter()
    if specs:
        table = population_truth(
            sim.study.seed,
            scenario,
            sim.design(scenario),
            specs,
            sim.models,
            sim.study.population_factor,
        )
    else:
        table = pd.DataFrame(columns=TRUTH_COLUMNS)
    log.info(
        "population truth of scenario %s (%d models, %d times its cases and centers): %.1f s",
        scenario,
        len(specs),
        sim.study.population_factor,
        time.perf_counter() - started,
    )
    _write_tsv(table, output)


def with_population_truth(replicates: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """The replicate table with the truth of the models that have no generator truth filled
    in from the population fits (rows scenario, model, term, truth; teichaku.simulation.truth)."""
    merged = replicates.merge(
        truth[TRUTH_COLUMNS], on=["scenario", "model", "term"], how="left", validate="m:1"
    )
    replicates = replicates.copy()
    generator, population = merged["truth_x"].to_numpy(), merged["truth_y"].to_numpy(float)
    replicates["truth"] = np.where(np.isfinite(generator), generator, population)
    return replicates


def write_performance(
    *,
    sim: Simulation,
    chunks: list[str | Path],
    truths: list[str | Path],
    performance_path: str | Path,
    scenarios_path: str | Path,
) -> None:
    """Gather the chunks and the scenarios' population truths (:func:`write_truth`); write
    the performance table and the scenario table."""
    replicates = gather(chunks)
    expected = {(c.scenario, r) for c in sim.study.chunks() for r in c.replicates}
    found = set(zip(replicates["scenario"], replicates["replicate"], strict=True))
    if found != expected:
        raise ValueError(
            f"the chunks hold {len(found)} replicates, the study has "
            f"{len(expected)}: rerun the simulation chunks"
        )
    truth = pd.concat([_read_tsv(p) for p in truths], ignore_index=True)
    missing = {s.name for s in sim.study.scenarios} - set(truth["scenario"])
    if any(needs_population_truth(s) for s in sim.models.specs()) and missing:
        raise ValueError(f"no population truth for scenarios {sorted(missing)}")
    replicates = with_population_truth(replicates, truth)
    table = performance(replicates, sim.study.alpha, sim.study.level)
    _write_tsv(table, performance_path)
    scenarios = pd.DataFrame(
        [
            design_row(s.name, s.series, sim.design(s.name), sim.analysis, sim.barrier_terms())
            for s in sim.study.scenarios
        ]
    )
    _write_tsv(scenarios, scenarios_path)


def _term_labels(sim: Simulation, terms: list[str]) -> dict[str, str]:
    return {t: term_label(t, sim.analysis, sim.codebook, "en") for t in terms}


def _model_labels(sim: Simulation) -> dict[str, str]:
    return {s.name: s.label_en for s in sim.models.specs()}


def write_power_figure(
    *, sim: Simulation, performance_path: str | Path, scenarios_path: str | Path, stem: str | Path
) -> None:
    models = {name: name for name in sim.study.models}  # full labels are too long for a legend
    power_figure(
        _read_tsv(performance_path),
        _read_tsv(scenarios_path),
        _term_labels(sim, sim.barrier_terms()),
        models,
        Path(stem),
        alpha=sim.study.alpha,
    )


def write_summary(
    *,
    sim: Simulation,
    performance_path: str | Path,
    scenarios_path: str | Path,
    figure: str | Path,
    output: str | Path,
) -> None:
    """The Markdown section; the figure is linked relative to the section's own folder."""
    table = _read_tsv(performance_path)
    terms = list(dict.fromkeys(table["term"]))
    link = os.path.relpath(figure, Path(output).parent)
    text = performance_section(
        sim.study,
        table,
        _read_tsv(scenarios_path),
        DESIGN_COLUMNS,
        _term_labels(sim, terms),
        _model_labels(sim),
        link,
        population_models={
            s.name: RATIO_NAMES[s.type] for s in sim.models.specs() if needs_population_truth(s)
        },
    )
    Path(output).write_text(text, encoding="utf-8")


def write_timing(*, sim: Simulation, benchmarks: list[str | Path], output: str | Path) -> None:
    """Wall-clock and CPU seconds per replicate of each scenario, from Snakemake's benchmark
    files (one per chunk, in the order of ``sim.study.chunks()``). Differs between runs; CPU
    time is the better guide on a shared machine."""
    rows = []
    for part, path in zip(sim.study.chunks(), benchmarks, strict=True):
        bench = _read_tsv(path).iloc[0]
        rows.append(
            {
                "scenario": part.scenario,
                "replicates": len(part.replicates),
                "seconds": float(bench["s"]),
                "cpu_seconds": float(bench["cpu_time"]),
            }
        )
    table = (
        pd.DataFrame(rows)
        .groupby("scenario", sort=False)
        .agg(
            chunks=("seconds", "size"),
            replicates=("replicates", "sum"),
            seconds=("seconds", "sum"),
            cpu_seconds=("cpu_seconds", "sum"),
        )
        .reset_index()
    )
    table["seconds_per_replicate"] = table["seconds"] / table["replicates"]
    table["cpu_seconds_per_replicate"] = table["cpu_seconds"] / table["replicates"]
    _write_tsv(table.round(4), output)
