"""The power figure: power against the number of cases, one panel per support barrier.

Scenarios of one ``series`` (same design except the number of cases) are joined by a line;
vertical bars are ±1.96 Monte Carlo standard errors. The dashed line marks 80% power.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from teichaku.report.style import apply_style, save_figure

TARGET_POWER = 0.8
MODEL_STYLES = ("-", "--", ":", "-.")


def power_figure(
    performance: pd.DataFrame,
    scenarios: pd.DataFrame,
    terms: dict[str, str],
    models: dict[str, str],
    stem: Path,
    alpha: float,
    dpi: int = 150,
) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf.

    ``performance`` is the table of :func:`teichaku.simulation.performance.performance`,
    ``scenarios`` has one row per scenario with ``scenario``, ``series`` and ``n_cases``;
    ``terms`` maps each barrier term to its panel title and ``models`` each model to its
    legend label (in drawing order).
    """
    apply_style()
    data = performance.merge(scenarios[["scenario", "series", "n_cases"]], on="scenario")
    data = data[data["term"].isin(terms) & data["model"].isin(models)]
    series = list(dict.fromkeys(scenarios["series"]))
    ncols = 2
    nrows = int(np.ceil(len(terms) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(7.5, 2.9 * nrows + 0.6), sharex=True, sharey=True, squeeze=False
    )
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (term, title) in zip(axes.flat, terms.items(), strict=False):
        for (model, model_label), style in zip(models.items(), MODEL_STYLES, strict=False):
            for colour, name in zip(colours, series, strict=False):
                line = data[
                    (data["term"] == term) & (data["model"] == model) & (data["series"] == name)
                ].sort_values("n_cases")
                if line.empty:
                    continue
                label = f"{model_label}, {name}" if len(models) > 1 else name
                ax.errorbar(
                    line["n_cases"],
                    line["power"],
                    yerr=1.96 * line["power_mcse"],
                    color=colour,
                    linestyle=style,
                    marker="o",
                    markersize=3.5,
                    capsize=2,
                    linewidth=1.2,
                    label=label,
                )
        ax.axhline(TARGET_POWER, color="0.5", linestyle="--", linewidth=0.8)
        ax.set_title(title)
        ax.set_ylim(0, 1.02)
        ax.grid(axis="y", linewidth=0.4, color="0.85")
    for ax in axes.flat[len(terms) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("Number of cases")
    for ax in axes[:, 0]:
        ax.set_ylabel(f"Power (alpha = {alpha:g})")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 2))
    fig.subplots_adjust(
        left=0.09,
        right=0.98,
        top=0.93,
        bottom=0.1 + 0.03 * len(labels) / 2,
        hspace=0.35,
        wspace=0.12,
    )
    return save_figure(fig, stem, dpi)
