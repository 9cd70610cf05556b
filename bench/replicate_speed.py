"""Simulation speed: CPU seconds per replicate of the simulation study, and its parts.

    .venv/bin/python bench/replicate_speed.py        # scales 1 and 10 -> bench/replicate_speed.*
    .venv/bin/python bench/replicate_speed.py --scales 1 --replicates 10
    .venv/bin/python bench/replicate_speed.py --before OLD/replicate_speed.json --before-label X

A replicate of the study (``teichaku.simulation.replicate``) draws a synthetic survey in
memory as arrays (``simulate_case_columns``), derives the analysis dataset's columns from
them (``Models.columns``, ``teichaku.simulation.dataset``) and fits every model of
config/simulation.yaml (``teichaku.simulation.fits.fit``). Scale 1 is the study's
``survey`` scenario (as many cases and centers as the published survey); scale s has s times
its cases and centers. Each part is timed on each of ``replicates`` replicates (the study's
own random streams, after one warm-up replicate) and the medians are reported, with the
median of the replicates' totals. At the scales in ``--reference-scales`` the same
replicates also go the analysis stage's way: the clean cases table and the analysis
dataset as DataFrames (``simulated_cases_table``, ``build_analysis_dataset``, read by
``fits.Columns``), and every model fitted by ``fit_model`` (formula machinery,
diagnostics, the Fine-Gray model on split rows).
Times are CPU seconds of this process (user + system) with one BLAS thread.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import yaml  # noqa: E402

from teichaku.analysis.fit import fit_model  # noqa: E402
from teichaku.entry import read_yaml  # noqa: E402
from teichaku.simulation import fits  # noqa: E402
from teichaku.simulation.stage import load_simulation  # noqa: E402
from teichaku.simulation.study import replicate_rng  # noqa: E402
from teichaku.synthetic.population import (  # noqa: E402
    simulate_case_columns,
    simulated_cases_table,
)

SCENARIO = "survey"
TARGET_S = 0.06


def _simulation():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))

    def absolute(node):
        if isinstance(node, dict):
            return {k: absolute(v) for k, v in node.items()}
        return str(ROOT / node) if isinstance(node, str) and node.startswith("config/") else node

    config = absolute(config)
    study = read_yaml(config["simulation"]["study"])
    return load_simulation(study_config=study, config=copy.deepcopy(config))


def time_replicate(sim, design, replicate: int, reference: bool) -> dict:
    """CPU seconds of each part of one replicate (and of fit_model per model)."""
    models = sim.models
    clock = time.process_time
    out = {}
    start = clock()
    rng = replicate_rng(sim.study.seed, SCENARIO, replicate)
    cases, _ = simulate_case_columns(design, rng, sim.codebook)
    out["draw"] = clock() - start
    mark = clock()
    columns = models.columns(cases)
    out["dataset"] = clock() - mark
    for spec in models.specs():
        mark = clock()
        fits.fit(spec, columns, models.settings)
        out[spec.name] = clock() - mark
    out["total"] = clock() - start
    if reference:
        mark = clock()
        data = models.dataset(simulated_cases_table(cases))
        fits.Columns(data).number("followup_months")
        out["DataFrames"] = clock() - mark
        for spec in models.specs():
            mark = clock()
            fit_model(spec, data, models.settings)
            out[f"fit_model {spec.name}"] = clock() - mark
        fitted = sum(out[f"fit_model {s.name}"] for s in models.specs())
        out["total with fit_model"] = out["draw"] + out["DataFrames"] + fitted
    out["cases"] = columns.n
    return out


def bench_scale(sim, scale: float, replicates: int, reference: bool) -> dict:
    base = sim.design(SCENARIO)
    design = base.replace(
        n_cases=round(base.n_cases * scale), n_centers=round(base.n_centers * scale)
    )
    time_replicate(sim, design, 0, reference)  # warm-up: imports, caches
    runs = [time_replicate(sim, design, r, reference) for r in range(1, replicates + 1)]
    parts = [k for k in runs[0] if k != "cases"]
    return {
        "scale": scale,
        "cases": runs[0]["cases"],
        "centers": design.n_centers,
        "replicates": replicates,
        "median_cpu_s": {k: statistics.median(r[k] for r in runs) for k in parts},
    }


def write_results(
    rows: list[dict], out: Path, meta: dict, names: list[str], before: dict | None = None
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    saved = {"meta": meta, "rows": rows, **({"before": before} if before else {})}
    (out / "replicate_speed.json").write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    parts = ["draw", "dataset", *names, "total"]
    lines = [
        "# Simulation speed: CPU seconds per replicate (medians)",
        "",
        f"Machine: {meta['machine']}; load average before / after: "
        f"{meta['load_before']} / {meta['load_after']}; models: {', '.join(names)}.",
        "",
        "| scale | cases | replicates | " + " | ".join(parts) + " |",
        "|---:|---:|---:|" + "---:|" * len(parts),
    ]
    for r in rows:
        m = r["median_cpu_s"]
        lines.append(
            f"| {r['scale']:g} | {r['cases']:,} | {r['replicates']} | "
            + " | ".join(f"{m[p]:.4f}" for p in parts)
            + " |"
        )
    referenced = [r for r in rows if "total with fit_model" in r["median_cpu_s"]]
    if referenced:
        lines += [
            "",
            "The same replicates the analysis stage's way: the cases table and the analysis "
            "dataset as DataFrames (read by `fits.Columns`), and every model fitted by "
            "`fit_model` (formulaic design, diagnostics, Fine-Gray on split rows):",
            "",
            "| scale | DataFrames | " + " | ".join(names) + " | total |",
            "|---:|---:|" + "---:|" * (len(names) + 1),
        ]
        for r in referenced:
            m = r["median_cpu_s"]
            lines.append(
                f"| {r['scale']:g} | {m['DataFrames']:.4f} | "
                + " | ".join(f"{m['fit_model ' + n]:.4f}" for n in names)
                + f" | {m['total with fit_model']:.4f} |"
            )
    if before:
        lines += [
            "",
            f"Before, {before['label']} (the same benchmark run just before this one; load "
            f"average before / after: {before['meta']['load_before']} / "
            f"{before['meta']['load_after']}):",
            "",
            "| scale | cases | replicates | " + " | ".join(parts) + " |",
            "|---:|---:|---:|" + "---:|" * len(parts),
        ]
        for r in before["rows"]:
            m = r["median_cpu_s"]
            lines.append(
                f"| {r['scale']:g} | {r['cases']:,} | {r['replicates']} | "
                + " | ".join(f"{m[p]:.4f}" for p in parts)
                + " |"
            )
    scale_1 = [r for r in rows if r["scale"] == 1]
    verdict = ""
    if scale_1:
        total = scale_1[0]["median_cpu_s"]["total"]
        verdict = f" Scale 1: {total:.3f} s ({'met' if total <= TARGET_S else 'not met'})."
    lines += ["", f"Target: ≤ {TARGET_S} s CPU per replicate at scale 1.{verdict}", ""]
    (out / "replicate_speed.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--reference-scales", type=float, nargs="*", default=[1])
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument(
        "--before",
        type=Path,
        help="replicate_speed.json of a run of an earlier commit, shown as 'before'",
    )
    parser.add_argument("--before-label", default="an earlier commit")
    args = parser.parse_args(argv)
    before = None
    if args.before:
        before = json.loads(args.before.read_text(encoding="utf-8"))
        before = {"label": args.before_label, "meta": before["meta"], "rows": before["rows"]}
    sim = _simulation()
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_before": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "models": list(sim.models.names),
    }
    started = time.time()
    rows = [bench_scale(sim, s, args.replicates, s in args.reference_scales) for s in args.scales]
    meta["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    meta["wall_s"] = round(time.time() - started, 1)
    write_results(rows, args.out, meta, list(sim.models.names), before)
    print((args.out / "replicate_speed.md").read_text(encoding="utf-8"))
    return rows


if __name__ == "__main__":
    main()
