"""The simulation study's Markdown section (``results/simulation/summary.md``), which the
summary includes when the study has been run.

Every number is read from the performance table; nothing is typed in. Times are not part of
the section (they differ between runs and machines; see ``timing.tsv``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from teichaku.simulation.study import Study


def _pct(value: float, mcse: float) -> str:
    if not np.isfinite(value):
        return "–"
    return f"{100 * value:.1f} ± {100 * mcse:.1f}"


def _num(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if np.isfinite(value) else "–"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def scenario_table(scenarios: pd.DataFrame, columns: dict[str, str]) -> list[str]:
    """One row per scenario; ``columns`` maps design columns of ``scenarios`` to headers."""
    rows = []
    for _, s in scenarios.iterrows():
        rows.append([s["scenario"], s["series"]] + [_format_design(s[c]) for c in columns])
    return _table(["Scenario", "Series", *columns.values()], rows)


def _format_design(value) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:g}"
    return str(value)


def _recovery_table(part: pd.DataFrame, term_labels: dict[str, str], level: str) -> list[str]:
    rows = [
        [
            r["scenario"],
            term_labels[r["term"]],
            _num(r["true_ratio"], 2),
            _num(r["mean_ratio"]),
            _num(r["bias"]),
            _num(r["empirical_se"]),
            _num(r["mean_model_se"]),
            _pct(r["coverage"], r["coverage_mcse"]),
            _pct(r["power"], r["power_mcse"]),
        ]
        for _, r in part.iterrows()
    ]
    return _table(
        [
            "Scenario",
            "Term",
            "True ratio",
            "exp(mean log ratio)",
            "Bias (log)",
            "Empirical SE",
            "Mean model SE",
            f"Coverage {level} (%)",
            "Power (%)",
        ],
        rows,
    )


def _power_table(part: pd.DataFrame, term_labels: dict[str, str]) -> list[str]:
    rows = [
        [
            r["scenario"],
            term_labels[r["term"]],
            _num(r["mean_ratio"]),
            _num(r["empirical_se"]),
            _num(r["mean_model_se"]),
            _pct(r["power"], r["power_mcse"]),
        ]
        for _, r in part.iterrows()
    ]
    return _table(
        ["Scenario", "Term", "exp(mean log ratio)", "Empirical SE", "Mean model SE", "Power (%)"],
        rows,
    )


def performance_section(
    study: Study,
    performance: pd.DataFrame,
    scenarios: pd.DataFrame,
    design_columns: dict[str, str],
    term_labels: dict[str, str],
    model_labels: dict[str, str],
    figure: str,
    heading_level: int = 2,
    population_models: Mapping[str, str] | None = None,
) -> str:
    """The Markdown section: design, what was measured, one table per model (recovery of
    the truth where the model's coefficients are parameters of the data-generating model or
    have a population truth, ``population_models``: model -> what its coefficients are, e.g.
    "odds ratios"; power and SEs otherwise) and the power figure. Rows are limited to
    ``term_labels``."""
    population_models = population_models or {}
    h = "#" * heading_level
    level = f"{100 * study.level:g}%"
    n_scen = len(study.scenarios)
    failed = performance.groupby(["scenario", "model"])["failed"].max()
    lines = [
        f"{h} Simulation study: coverage, bias and power",
        "",
        f"{n_scen} scenario{'s' if n_scen != 1 else ''} × {study.replicates} synthetic "
        f"surveys each (seed {study.seed}), drawn in memory from the synthetic survey's "
        "data-generating model and fitted with the pipeline's own model code. "
        "Bias is on the log scale (mean estimate minus the true log ratio); the empirical SE "
        "is the standard deviation of the estimates, the model SE the mean cluster-robust SE; "
        f"coverage is that of the {level} Wald interval and power the share of replicates "
        f"rejecting ratio = 1 at alpha = {study.alpha:g}. ± gives one Monte Carlo standard "
        f"error. Replicates whose fit failed (excluded): {int(failed.sum())} of "
        f"{study.replicates * len(failed)} model fits.",
        "",
        f"{h}# Scenarios",
        "",
        *scenario_table(scenarios, design_columns),
    ]
    for model, model_label in model_labels.items():
        part = performance[(performance["model"] == model) & performance["term"].isin(term_labels)]
        has_truth = bool(np.isfinite(part["true_ratio"]).any())
        lines += ["", f"{h}# {model_label}", ""]
        if has_truth:
            if model in population_models:
                lines += [_population_text(study, scenarios, population_models[model]), ""]
            lines += _recovery_table(part, term_labels, level)
        else:
            lines += [
                "Its coefficients are not parameters of the data-generating model, so it "
                "has power and standard errors here but no bias or coverage.",
                "",
                *_power_table(part, term_labels),
            ]
    lines += [
        "",
        f"![Power against the number of cases for each support barrier]({figure})",
        "",
    ]
    return "\n".join(lines)


def _population_text(study: Study, scenarios: pd.DataFrame, ratios: str) -> str:
    """How the truth of a model without a generator truth was obtained, with the sizes of
    the populations (teichaku.simulation.truth)."""
    f = study.population_factor
    sizes = "; ".join(
        f"{r['scenario']}: {f * int(r['n_cases']):,} cases in {f * int(r['n_centers']):,} centers"
        for _, r in scenarios.iterrows()
    )
    competing = (
        " (they depend on the hazards of the competing ends as well as on those of transition)"
        if ratios.startswith("subdistribution")
        else ""
    )
    return (
        f"Its {ratios} are not parameters of the data-generating model, a cause-specific "
        f"hazard model{competing}: the truth is the model's fit to one population per "
        f"scenario drawn from the same design with {f} times the cases and centers "
        f"({sizes}), from a random stream of seed {study.seed} that no replicate uses, "
        "fitted once and kept; that is the value the estimator converges to as the survey "
        f"grows, with a Monte Carlo error of about 1/sqrt({f}) of one survey's SE."
    )
