"""Fit speed: teichaku's Cox (and logistic) fits against R's coxph (and glm) on the same data.

    .venv/bin/python bench/fit_speed.py                    # scales 1 and 100 -> bench/fit_speed.*
    .venv/bin/python bench/fit_speed.py --scales 1 --repeats 5

For each scale a survey is drawn in memory from the synthetic survey's data-generating model
(scale 1: as many cases and centers as the published survey) and the analysis dataset built
by the analysis stage's own code. The primary Cox model's sample and design (teichaku's
``prepare``/``design``) are then written to CSV, and in the same run

- teichaku fits it ``repeats`` times: the model type's fit function
  (``teichaku.analysis.models.cox.fit``: partial likelihood, Newton-Raphson, Efron ties,
  cluster-robust sandwich) on the prepared design, and the whole ``fit_model`` (sample,
  design matrix, fit, PH test, VIF and the other diagnostics);
- R (when ``Rscript`` is on the PATH) reads the CSV once and fits
  ``coxph(Surv(t, d) ~ x1 + ... + xp, ties = "efron", cluster = cl)`` ``repeats`` times;

and the same for the logistic model of prolonged involvement (statsmodels' GLM with
cluster-robust SEs against ``glm(family = binomial)``; R's time there excludes the sandwich,
which glm does not compute). Times are CPU seconds per fit (user + system of this process,
R's ``system.time``), medians over the repeats; the ratio teichaku / R is what the target
(Cox fit <= 1.0x coxph) is about. The load average is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from teichaku.analysis.dataset import build_analysis_dataset  # noqa: E402
from teichaku.analysis.fit import design, fit_model, prepare  # noqa: E402
from teichaku.analysis.models import fit_function  # noqa: E402
from teichaku.analysis.models.base import EVENT_TYPE, TIME, group_codes  # noqa: E402
from teichaku.analysis.stage import load  # noqa: E402
from teichaku.published import load_published  # noqa: E402
from teichaku.simulation.replicate import base_design, simulated_roster  # noqa: E402
from teichaku.synthetic import simulate_cases  # noqa: E402

COX_MODEL = "cox_transition"
LOGIT_MODEL = "logit_prolonged_12"
TARGET_COX_RATIO = 1.0

R_SCRIPT = """
library(survival)
args <- commandArgs(trailingOnly = TRUE)
repeats <- as.integer(args[1])
cpu <- function(expr) { t <- system.time(expr); t[["user.self"]] + t[["sys.self"]] }
d <- read.csv("cox.csv")
f <- as.formula(paste("Surv(t, d) ~", paste(grep("^x", names(d), value = TRUE), collapse = "+")))
cox <- sapply(seq_len(repeats), function(i)
  cpu(coxph(f, data = d, ties = "efron", cluster = cl)))
fit <- coxph(f, data = d, ties = "efron", cluster = cl)
l <- read.csv("logit.csv")
g <- as.formula(paste("y ~", paste(grep("^x", names(l), value = TRUE), collapse = "+")))
glm_cpu <- sapply(seq_len(repeats), function(i) cpu(glm(g, data = l, family = binomial)))
write.csv(data.frame(cox = cox, glm = glm_cpu), "r_times.csv", row.names = FALSE)
write.csv(data.frame(estimate = unname(coef(fit))), "r_cox.csv", row.names = FALSE)
"""


def cpu_time() -> float:
    """User + system CPU seconds of this process (clock_gettime: sub-millisecond)."""
    return time.process_time()


def timed(fn, repeats: int) -> tuple[float, object]:
    """Median CPU seconds of ``repeats`` calls of fn (after one warm-up call)."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = cpu_time()
        fn()
        times.append(cpu_time() - start)
    return statistics.median(times), result


def analysis_data(scale: float, seed: int = 20211021) -> tuple[pd.DataFrame, object, object]:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    synthetic = yaml.safe_load((ROOT / "config" / "synthetic.yaml").read_text(encoding="utf-8"))
    spec, settings, codebook = load(config["analysis"], ROOT / config["codebook"])
    published = load_published(ROOT / config["published"])
    base = base_design(synthetic, published, codebook)
    drawn = base.replace(
        n_cases=round(base.n_cases * scale), n_centers=round(base.n_centers * scale)
    )
    cases = simulate_cases(drawn, np.random.default_rng(seed), codebook)
    data = build_analysis_dataset(
        cases, simulated_roster(cases, codebook), spec, list(settings.thresholds), codebook
    )
    return data, spec, settings


def export(model, data, path: Path, outcome: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = prepare(model, data).frame
    X = design(model, frame)
    slopes = [c for c in X.columns if c != "Intercept"]  # R adds its own intercept
    out = pd.DataFrame(X[slopes].to_numpy(), columns=[f"x{i + 1}" for i in range(len(slopes))])
    if outcome == "cox":
        out.insert(0, "t", frame[TIME].to_numpy(dtype=float))
        out.insert(1, "d", (frame[EVENT_TYPE] == model.event).to_numpy(dtype=int))
        out.insert(2, "cl", group_codes(frame, model.cluster))
    else:
        out.insert(0, "y", frame[model.outcome].to_numpy(dtype=int))
    out.to_csv(path, index=False)
    return frame, X


def bench_scale(scale: float, repeats: int, rscript: str | None) -> dict:
    data, spec, settings = analysis_data(scale)
    cox_spec, logit_spec = spec.model(COX_MODEL), spec.model(LOGIT_MODEL)
    with tempfile.TemporaryDirectory(prefix="teichaku-fit-speed-") as tmp:
        work = Path(tmp)
        frame, X = export(cox_spec, data, work / "cox.csv", "cox")
        lframe, lX = export(logit_spec, data, work / "logit.csv", "logit")
        cox_fit = fit_function("cox")
        logit_fit = fit_function("logit")
        cox_s, est = timed(lambda: cox_fit(cox_spec, frame, X, settings, checks=False), repeats)
        cox_full_s, _ = timed(lambda: fit_model(cox_spec, data, settings), repeats)
        logit_s, _ = timed(
            lambda: logit_fit(logit_spec, lframe, lX, settings, checks=False), repeats
        )
        row = {
            "scale": scale,
            "cases": len(data),
            "cox_rows": len(frame),
            "cox_events": int((frame[EVENT_TYPE] == cox_spec.event).sum()),
            "cox_terms": X.shape[1],
            "teichaku_cox_fit_s": cox_s,
            "teichaku_cox_fit_model_s": cox_full_s,
            "teichaku_logit_fit_s": logit_s,
        }
        if rscript:
            (work / "fit_speed.R").write_text(R_SCRIPT, encoding="utf-8")
            proc = subprocess.run(
                [rscript, "--vanilla", "fit_speed.R", str(repeats)],
                cwd=work,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"R failed:\n{proc.stderr[-3000:]}")
            r_times = pd.read_csv(work / "r_times.csv")
            r_coef = pd.read_csv(work / "r_cox.csv")["estimate"].to_numpy()
            row["r_coxph_s"] = float(r_times["cox"].median())
            row["r_glm_s"] = float(r_times["glm"].median())
            row["cox_ratio"] = cox_s / row["r_coxph_s"] if row["r_coxph_s"] else None
            row["logit_ratio"] = logit_s / row["r_glm_s"] if row["r_glm_s"] else None
            row["max_abs_difference_from_coxph"] = float(np.max(np.abs(est.params - r_coef)))
    return row


def write_results(rows: list[dict], out: Path, meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "fit_speed.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Fit speed: teichaku against R (CPU seconds per fit, medians)",
        "",
        f"Machine: {meta['machine']}; load average before / after: "
        f"{meta['load_before']} / {meta['load_after']}; {meta['repeats']} repeats; "
        f"R: {meta['r'] or 'not found'}.",
        "",
        "| scale | case rows | Cox rows / events / terms | teichaku Cox fit | whole fit_model "
        "| R coxph | ratio | teichaku logistic | R glm | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def fmt(v, spec=".4f"):
        return "—" if v is None else format(v, spec)

    for r in rows:
        lines.append(
            f"| {r['scale']:g} | {r['cases']:,} | {r['cox_rows']:,} / {r['cox_events']:,} / "
            f"{r['cox_terms']} | {fmt(r['teichaku_cox_fit_s'])} | "
            f"{fmt(r['teichaku_cox_fit_model_s'])} | {fmt(r.get('r_coxph_s'))} | "
            f"{fmt(r.get('cox_ratio'), '.2g')}× | {fmt(r['teichaku_logit_fit_s'])} | "
            f"{fmt(r.get('r_glm_s'))} | {fmt(r.get('logit_ratio'), '.2g')}× |"
        )
    lines += [
        "",
        f"Target: Cox fit ≤ {TARGET_COX_RATIO:g}× R's coxph. Largest difference of the Cox "
        "estimates from coxph's: "
        + ", ".join(
            f"scale {r['scale']:g}: {fmt(r.get('max_abs_difference_from_coxph'), '.1e')}"
            for r in rows
        )
        + ".",
        "",
    ]
    (out / "fit_speed.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 100])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    args = parser.parse_args(argv)
    rscript = shutil.which("Rscript")
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "load_before": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "repeats": args.repeats,
        "r": None,
    }
    if rscript:
        meta["r"] = subprocess.run(
            [rscript, "--version"], capture_output=True, text=True
        ).stdout.splitlines()[0]
    started = time.time()
    rows = [bench_scale(s, args.repeats, rscript) for s in args.scales]
    meta["load_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    meta["wall_s"] = round(time.time() - started, 1)
    write_results(rows, args.out, meta)
    print((args.out / "fit_speed.md").read_text(encoding="utf-8"))
    return rows


if __name__ == "__main__":
    main()
