"""One replicate of the simulation study: draw a synthetic survey in memory from the
synthetic survey's data-generating model, build the analysis dataset and fit the models with
the analysis stage's own code, and keep each term's log-ratio estimate, its SE and the truth.

The draw stays in arrays (``simulate_case_columns``) and the dataset is derived from them
(``teichaku.simulation.dataset``): the values ``simulate_cases`` and
``build_analysis_dataset`` give, without their DataFrames, which only a model that is not
fitted on arrays (``teichaku.simulation.fits``) has built.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.specs import AnalysisSpec, ModelSpec, Settings
from teichaku.analysis.terms import tidy_term
from teichaku.codebook import Codebook
from teichaku.simulation import fits
from teichaku.simulation.dataset import analysis_columns
from teichaku.simulation.performance import REPLICATE_COLUMNS
from teichaku.simulation.study import Chunk, Study, replicate_rng
from teichaku.synthetic import Design
from teichaku.synthetic.columns import Column
from teichaku.synthetic.population import simulate_case_columns, simulated_cases_table

log = logging.getLogger(__name__)

#: Design values a scenario may override, besides ``hazard_ratios``.
DESIGN_KEYS = ("n_cases", "n_centers", "frailty_sd", "entry_start", "entry_end")


def base_design(synthetic_config: dict, published: dict, codebook: Codebook) -> Design:
    """The synthetic survey's design: its parameters, and as many cases and centers as the
    published survey (valid case rows, responding centers)."""
    survey = published["survey"]
    return Design.from_config(
        synthetic_config,
        codebook,
        n_cases=int(survey["n_cases"]),
        n_centers=int(survey["n_centers_responded"]),
    )


def scenario_design(base: Design, overrides: Mapping[str, Any]) -> Design:
    """``base`` with a scenario's overrides; ``hazard_ratios`` is {cause: {term: HR}}
    (``transition`` sets both transition causes), as in config/synthetic.yaml."""
    unknown = sorted(set(overrides) - {*DESIGN_KEYS, "hazard_ratios"})
    if unknown:
        allowed = [*DESIGN_KEYS, "hazard_ratios"]
        raise ValueError(f"unknown design keys {unknown}; allowed: {allowed}")
    changes = {k: v for k, v in overrides.items() if k in DESIGN_KEYS}
    for key in ("entry_start", "entry_end"):
        if key in changes and not isinstance(changes[key], dt.date):
            changes[key] = dt.date.fromisoformat(str(changes[key]))
    design = base.replace(**changes)
    for cause, ratios in overrides.get("hazard_ratios", {}).items():
        if cause != "transition" and cause not in design.causes:
            raise ValueError(
                f"hazard_ratios: {cause!r} is neither transition nor a cause {list(design.causes)}"
            )
        unknown_terms = sorted(set(ratios) - set(design.terms))
        if unknown_terms:
            raise ValueError(
                f"hazard_ratios.{cause}: unknown terms {unknown_terms}; "
                f"the model's terms are {list(design.terms)}"
            )
        design = design.with_hazard_ratios(cause, **ratios)
    if design.entry_start > design.entry_end or design.entry_end >= design.reference_date:
        raise ValueError("entry_start <= entry_end < the survey's reference date is required")
    return design


@dataclass(frozen=True)
class Models:
    """The models each replicate fits, and what the analysis stage needs to fit them."""

    analysis: AnalysisSpec
    settings: Settings
    codebook: Codebook
    names: tuple[str, ...]

    def specs(self) -> list[ModelSpec]:
        specs = []
        for name in self.names:
            try:
                spec = self.analysis.model(name)
            except KeyError:
                raise ValueError(
                    f"simulation model {name!r} is not in the model "
                    "specification (config/models.yaml)"
                ) from None
            if spec.data != "cases" or spec.missing != "complete_cases":
                raise ValueError(
                    f"simulation model {name!r}: only case-level, complete-case "
                    "models can be simulated"
                )
            specs.append(spec)
        return specs

    def dataset(self, cases: pd.DataFrame) -> pd.DataFrame:
        """The analysis dataset of simulated ``cases``, built as the analysis stage builds it."""
        return build_analysis_dataset(
            cases,
            simulated_roster(cases, self.codebook),
            self.analysis,
            list(self.settings.thresholds),
            self.codebook,
        )

    def columns(self, cases: dict[str, Column]) -> fits.Columns:
        """The same dataset as :meth:`dataset` of the drawn ``cases`` (arrays of
        ``simulate_case_columns``), as the columns the fits read; its DataFrame is built
        only when a model asks for it."""
        return analysis_columns(
            cases,
            self.analysis,
            list(self.settings.thresholds),
            self.codebook,
            frame=lambda: self.dataset(simulated_cases_table(cases)),
        )


def true_log_ratio(spec: ModelSpec, analysis: AnalysisSpec, design: Design, term: str) -> float:
    """The true log hazard ratio of ``term`` in a cause-specific Cox model whose event's
    causes share it (terms absent from the design have ratio 1); NaN when the model's
    coefficient is not a parameter of the data-generating model (logistic models)."""
    if spec.type != "cox" or term not in design.terms:
        return np.nan
    causes = analysis.transition if spec.event == "transition" else analysis.competing
    values = {design.log_hr[c].get(term, 0.0) for c in causes}
    return values.pop() if len(values) == 1 else np.nan


def simulated_roster(cases: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """A roster for the simulated centers: ids only (operator and membership unknown), as
    the analysis dataset joins center covariates the simulated survey does not draw."""
    centers = sorted(cases["center_id"].unique())
    operator = codebook.variable("roster", "operator").codes
    return pd.DataFrame(
        {
            "center_id": pd.array(centers, dtype="str"),
            "operator": pd.Categorical([None] * len(centers), categories=operator),
            "member": pd.array([None] * len(centers), dtype="boolean"),
        }
    )


def fit_replicate(cases: dict[str, Column], design: Design, models: Models) -> list[dict]:
    """Rows of the replicate table (without scenario and replicate) for every model, from
    the drawn ``cases`` (arrays of ``simulate_case_columns``)."""
    columns = models.columns(cases)
    rows = []
    for spec in models.specs():
        try:
            est, info = fits.fit(spec, columns, models.settings)
        # A replicate whose model breaks down numerically (any statsmodels error) is counted
        # as a failed fit of that replicate; it must not end the chunk.
        except Exception as exc:
            rows.append(_failure(spec, f"{type(exc).__name__}: {exc}"))
            continue
        if est is None:
            rows.append(_failure(spec, "not fitted: the sample cannot support the model"))
            continue
        if not est.converged or not (
            np.all(np.isfinite(est.params)) and np.all(np.isfinite(est.bse))
        ):
            rows.append(_failure(spec, "did not converge or gave non-finite estimates"))
            continue
        for column, b, se in zip(est.columns, est.params, est.bse, strict=True):
            term = tidy_term(column)
            if term == "Intercept":
                continue
            rows.append(
                {
                    "model": spec.name,
                    "term": term,
                    "estimate": float(b),
                    "std_error": float(se),
                    "truth": true_log_ratio(spec, models.analysis, design, term),
                    "n": info["n"],
                    "events": info["n_events"],
                    "clusters": info["n_clusters"],
                    "error": "",
                }
            )
    return rows


def _failure(spec: ModelSpec, message: str) -> dict:
    return {
        "model": spec.name,
        "term": "",
        "estimate": np.nan,
        "std_error": np.nan,
        "truth": np.nan,
        "n": pd.NA,
        "events": pd.NA,
        "clusters": pd.NA,
        "error": message,
    }


def run_chunk(study: Study, chunk: Chunk, design: Design, models: Models) -> pd.DataFrame:
    """The replicate table of one chunk: every replicate drawn from its own random stream."""
    rows = []
    for replicate in chunk.replicates:
        rng = replicate_rng(study.seed, chunk.scenario, replicate)
        cases, _ = simulate_case_columns(design, rng, models.codebook)
        for row in fit_replicate(cases, design, models):
            rows.append({"scenario": chunk.scenario, "replicate": replicate, **row})
        log.debug("scenario %s replicate %d done", chunk.scenario, replicate)
    table = pd.DataFrame(rows, columns=REPLICATE_COLUMNS)
    return table.astype(
        {"replicate": "int64", "n": "Int64", "events": "Int64", "clusters": "Int64"}
    )


def design_row(
    name: str, series: str, design: Design, analysis: AnalysisSpec, terms: list[str]
) -> dict:
    """What the scenario table shows of a design: sizes, clustering, entry window, and the
    true transition hazard ratio of each term in ``terms``."""
    row = {
        "scenario": name,
        "series": series,
        "n_cases": design.n_cases,
        "n_centers": design.n_centers,
        "frailty_sd": design.frailty_sd,
        "entry_start": design.entry_start.isoformat(),
        "entry_end": design.entry_end.isoformat(),
    }
    for term in terms:
        values = {design.log_hr[c].get(term, 0.0) for c in analysis.transition}
        row[f"hr_{term}"] = float(np.exp(values.pop())) if len(values) == 1 else np.nan
    return row
