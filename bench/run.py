"""Benchmark the whole workflow on the synthetic survey at several scales.

    .venv/bin/python bench/run.py                  # scales 1, 10 and 100 -> bench/results.*
    .venv/bin/python bench/run.py --scales 1 10    # fewer scales
    .venv/bin/python bench/run.py --out /tmp/b     # write results.md / results.json elsewhere

For every scale the workflow runs in a scratch folder of its own (`snakemake --directory`,
the folder's config.yaml written by the integration tests' helper), from nothing: the
synthetic survey is generated (CSV case files above scale 1), ingested, analysed and
reported, PDF included. Then, in the same folder:

- a no-op rerun (`snakemake` with everything up to date), and
- a rerun after changing only a figure option (report.dpi in the folder's config.yaml):
  which rules `snakemake -n` would rerun, and how long that rerun takes.

Per rule, wall time and peak memory come from Snakemake's `benchmark:` files
(benchmarks/<run>/<rule>.tsv); ingestion speed is the rows read
(results/<run>/validation/summary.json) over the ingest rule's wall time; the growth of each
rule's time with size is the slope of log(time) against log(case rows) over the scales from
10 up (all scales when fewer than two are that large). Times depend on the machine's load,
which is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from teichaku import paths  # noqa: E402
from tests.integration.conftest import run_paths, run_snakemake, write_small_config  # noqa: E402

# Targets of issue 17 on the 2-core reference machine (--cores 2).
TARGETS = {
    "cold_run_scale_1_s": 15.0,
    "noop_rerun_s": 1.3,
    "run_scale_100_s": 45.0,
    "peak_rule_memory_mb": 1024.0,
    "max_slope": 1.05,
}
# Rules that may rerun after a figure-only option changes: the figures and what reads them.
# (report_provenance records the configuration's hash, so any edit of it reruns that record)
FIGURE_RERUN_ALLOWED = {
    "report_figure",
    "report_provenance",
    "report_summary",
    "report_docx",
    "all",
}
SLOPE_MIN_SCALE = 10
# The "Job stats" table Snakemake prints before running (or with -n): rule and job count.
# (Job lines name the rule's message, not the rule, since every rule has a message.)
#: The benchmark files of the wildcard rules with one job per model, table or figure
#: (analysis_model_<model>, report_table_<table>_<lang>, report_figure_<figure>_<lang>).
PER_ITEM = re.compile(r"^(analysis_model|report_table|report_figure)_.+$")
JOB_STATS = re.compile(r"^Job stats:\n.*?\n-+ +-+\n(.*?)\ntotal +\d+", re.MULTILINE | re.DOTALL)


def rules_in_plan(output: str) -> list[str]:
    """The rules of the jobs a `snakemake` (dry) run lists, sorted and without repeats."""
    tables = JOB_STATS.findall(output)
    return sorted({line.split()[0] for table in tables for line in table.splitlines()})


def change_figure_option(workdir: Path) -> int:
    """Change report.dpi in the folder's config.yaml, as a researcher would; the new dpi."""
    path = workdir / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["report"]["dpi"] = int(config["report"]["dpi"]) // 2
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config["report"]["dpi"]


def timed(workdir: Path, *args: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (snakemake and every job) of one snakemake call."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = run_snakemake(workdir, *args)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def rule_benchmarks(workdir: Path) -> dict[str, dict[str, float]]:
    """Wall seconds and peak resident memory (MB) of every rule that ran, and its jobs.
    (Snakemake's cpu_time column is left out: it is sampled, at first each second and then
    every 30 s, so it misses the end of every job.) The report rules run once per language,
    each with a file <rule>_<lang>.tsv, analysis_model once per model (a file
    analysis_model_<model>.tsv), report_table and report_figure once per table or figure
    and language (report_table_<table>_<lang>.tsv): their times are added (CPU-seconds of
    wall, as if one after the other), their peaks the largest, and the slowest job named."""
    rules: dict[str, dict[str, float]] = {}
    language = re.compile(rf"_({'|'.join(paths.LANGUAGES)})$")
    for path in sorted((workdir / run_paths(workdir).BENCHMARKS_DIR).glob("*.tsv")):
        row = pd.read_csv(path, sep="\t").iloc[-1]
        rule = PER_ITEM.sub(r"\1", language.sub("", path.stem))
        seen = rules.get(rule, {"s": 0.0, "max_rss_mb": 0.0, "jobs": 0, "slowest_s": 0.0})
        slower = float(row["s"]) >= seen["slowest_s"]
        rules[rule] = {
            "s": round(seen["s"] + float(row["s"]), 3),
            "max_rss_mb": round(max(seen["max_rss_mb"], float(row["max_rss"])), 1),
            "jobs": seen["jobs"] + 1,
            "slowest_s": round(float(row["s"]) if slower else seen["slowest_s"], 3),
            "slowest": path.stem if slower else seen["slowest"],
        }
    return rules


def rows_read(workdir: Path) -> dict[str, int]:
    summary = json.loads((workdir / run_paths(workdir).VALIDATION_JSON).read_text())
    return {table: int(info["rows_read"]) for table, info in summary["tables"].items()}


def bench_scale(scale: float, workdir: Path) -> dict:
    """Cold run, no-op rerun and figure-option rerun of the workflow at one scale."""
    write_small_config(workdir, scale)
    load = os.getloadavg()[0]
    cold_wall, cold_cpu, cold = timed(workdir)
    rules = rule_benchmarks(workdir)
    rows = rows_read(workdir)
    load_after = os.getloadavg()[0]
    noop_wall, _, noop = timed(workdir)
    dpi = change_figure_option(workdir)
    dry = timed(workdir, "-n")[2]
    plan = rules_in_plan(dry.stdout + dry.stderr)
    rerun_wall, _, rerun = timed(workdir)
    ingest_s = rules.get("ingest", {}).get("s")
    return {
        "scale": scale,
        "case_rows": rows["cases"],
        "rows_read": rows,
        "load_average_before": round(load, 2),
        "load_average_after": round(load_after, 2),
        "cold_run": {
            "wall_s": round(cold_wall, 2),
            "cpu_s": round(cold_cpu, 2),
            "rules": rules_in_plan(cold.stdout + cold.stderr),
        },
        "rules": rules,
        "peak_rule_memory_mb": max(r["max_rss_mb"] for r in rules.values()),
        "ingest_rows_per_s": round(sum(rows.values()) / ingest_s) if ingest_s else None,
        "noop_rerun": {
            "wall_s": round(noop_wall, 2),
            "nothing_to_be_done": "Nothing to be done" in noop.stdout + noop.stderr,
            "ran": rules_in_plan(noop.stdout + noop.stderr),
        },
        "figure_option_rerun": {
            "change": f"report.dpi -> {dpi}",
            "rules": plan,
            "ran": rules_in_plan(rerun.stdout + rerun.stderr),
            "wall_s": round(rerun_wall, 2),
        },
    }


def loglog_slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(time) on log(size); None with fewer than two sizes."""
    points = [(math.log(n), math.log(t)) for n, t in points if n > 0 and t > 0]
    if len({x for x, _ in points}) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return round(sxy / sxx, 3)


def slopes(runs: list[dict]) -> tuple[dict[str, float | None], list[float]]:
    """Per rule (and the whole run) slope of time against case rows, and the scales used."""
    large = [r for r in runs if r["scale"] >= SLOPE_MIN_SCALE]
    used = large if len(large) >= 2 else runs
    names = sorted({name for r in used for name in r["rules"]})
    out = {
        name: loglog_slope(
            [(r["case_rows"], r["rules"][name]["s"]) for r in used if name in r["rules"]]
        )
        for name in names
    }
    out["(whole run)"] = loglog_slope([(r["case_rows"], r["cold_run"]["wall_s"]) for r in used])
    return out, [r["scale"] for r in used]


def check_targets(runs: list[dict], slope: dict[str, float | None]) -> list[dict]:
    """Each target of the issue, the value measured and whether it is met."""
    by_scale = {r["scale"]: r for r in runs}
    checks = []

    def add(what, value, limit):
        checks.append(
            {
                "target": what,
                "value": value,
                "limit": limit,
                "met": None if value is None else value <= limit,
            }
        )

    if 1 in by_scale:
        add(
            "cold run at scale 1 (s)",
            by_scale[1]["cold_run"]["wall_s"],
            TARGETS["cold_run_scale_1_s"],
        )
        add(
            "no-op rerun at scale 1 (s)",
            by_scale[1]["noop_rerun"]["wall_s"],
            TARGETS["noop_rerun_s"],
        )
    if 100 in by_scale:
        add(
            "cold run at scale 100 (s)",
            by_scale[100]["cold_run"]["wall_s"],
            TARGETS["run_scale_100_s"],
        )
        add(
            "peak memory of any rule at scale 100 (MB)",
            by_scale[100]["peak_rule_memory_mb"],
            TARGETS["peak_rule_memory_mb"],
        )
    rule_slopes = [v for k, v in slope.items() if v is not None and k != "(whole run)"]
    if rule_slopes:
        add("largest slope of a rule's time against size", max(rule_slopes), TARGETS["max_slope"])
    for r in runs:
        extra = sorted(set(r["figure_option_rerun"]["rules"]) - FIGURE_RERUN_ALLOWED)
        checks.append(
            {
                "target": f"figure option at scale {r['scale']:g} reruns only "
                "figures, summary and all",
                "value": ", ".join(extra) or "none other",
                "limit": None,
                "met": not extra,
            }
        )
    return checks


def slurm_probe_seconds() -> float | None:
    """Seconds `scontrol show config` takes (None without SLURM's client). The SLURM executor
    plugin (installed for profiles/slurm) runs it whenever Snakemake starts, so every run and
    rerun includes it: about nothing on a laptop, up to its 10 s timeout where the client is
    installed but no controller answers."""
    exe = shutil.which("scontrol")
    if exe is None:
        return None
    start = time.perf_counter()
    try:
        subprocess.run([exe, "show", "config"], capture_output=True, timeout=15)
    except subprocess.TimeoutExpired:
        pass
    return round(time.perf_counter() - start, 2)


def environment() -> dict:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "snakemake_cores": 2,
        "slurm_probe_s": slurm_probe_seconds(),
    }


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(result: dict) -> str:
    runs, slope = result["runs"], result["slopes"]
    scales = [r["scale"] for r in runs]
    head = " | ".join(f"scale {s:g}" for s in scales)
    lines = [
        "# Benchmarks of the whole workflow",
        "",
        "Written by `.venv/bin/python bench/run.py` (see the docstring of bench/run.py): the "
        "default workflow on the synthetic survey, each scale from nothing in a scratch folder, "
        f"`--cores {result['environment']['snakemake_cores']}`, "
        f"{result['environment']['cpus']} CPUs, Python {result['environment']['python']}, "
        f"commit `{result['environment']['commit'][:12]}`"
        + (" with uncommitted changes" if result["environment"]["uncommitted_changes"] else "")
        + ". Wall times depend on the machine's load: with a 1-minute load average above the "
        "number of CPUs (below), other processes share them and every wall time grows; the "
        "CPU seconds of the run's own processes do not."
        + (
            ""
            if result["environment"]["slurm_probe_s"] is None
            else f" SLURM's client is installed: `scontrol show config`, which the SLURM executor "
            f"plugin runs at every Snakemake start, took "
            f"{result['environment']['slurm_probe_s']:.1f} s here, included in every run "
            "and rerun below."
        ),
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|:---:|",
    ]
    for c in result["targets"]:
        met = {True: "yes", False: "**no**", None: "–"}[c["met"]]
        digits = 2 if "slope" in c["target"] else 1  # a limit of 1.05
        lines.append(
            f"| {c['target']} | {fmt(c['value'], digits)} | {fmt(c['limit'], digits)} | {met} |"
        )
    lines += ["", "## Whole run", "", f"| | {head} |", "|---|" + "---:|" * len(runs)]
    rows = [
        ("case rows read", [r["case_rows"] for r in runs]),
        (
            "load average before / after the cold run",
            [f"{r['load_average_before']:.1f} / {r['load_average_after']:.1f}" for r in runs],
        ),
        ("cold run, wall (s)", [r["cold_run"]["wall_s"] for r in runs]),
        ("cold run, CPU of all processes (s)", [r["cold_run"]["cpu_s"] for r in runs]),
        ("no-op rerun, wall (s)", [r["noop_rerun"]["wall_s"] for r in runs]),
        (
            "rerun after a figure option, wall (s)",
            [r["figure_option_rerun"]["wall_s"] for r in runs],
        ),
        ("peak memory of any rule (MB)", [r["peak_rule_memory_mb"] for r in runs]),
        ("ingestion, rows per second", [r["ingest_rows_per_s"] for r in runs]),
    ]
    lines += [f"| {name} | " + " | ".join(fmt(v) for v in values) + " |" for name, values in rows]
    lines += [
        "",
        "No-op rerun: "
        + "; ".join(
            f"scale {r['scale']:g}: "
            + (
                "Nothing to be done"
                if r["noop_rerun"]["nothing_to_be_done"]
                else "**ran " + ", ".join(r["noop_rerun"]["ran"]) + "**"
            )
            for r in runs
        )
        + ".",
        "",
        "Rerun after changing only a figure option "
        f"({runs[0]['figure_option_rerun']['change']}), rules `snakemake -n` lists: "
        + "; ".join(
            f"scale {r['scale']:g}: " + ", ".join(r["figure_option_rerun"]["rules"]) for r in runs
        )
        + ".",
    ]
    names = sorted(
        {n for r in runs for n in r["rules"]},
        key=lambda n: -max(r["rules"].get(n, {}).get("s", 0) for r in runs),
    )
    lines += [
        "",
        "## Per rule",
        "",
        f"Wall seconds / peak resident memory (MB); slope of log time on log case rows "
        f"over scales {', '.join(f'{s:g}' for s in result['slope_scales'])}.",
        "",
        f"| rule | {head} | slope |",
        "|---|" + "---:|" * (len(runs) + 1),
    ]
    for name in names:
        cells = [
            f"{fmt(r['rules'][name]['s'])} / {fmt(r['rules'][name]['max_rss_mb'], 0)}"
            if name in r["rules"]
            else "–"
            for r in runs
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {fmt(slope.get(name), 2)} |")
    lines.append(
        "| (whole run) | "
        + " | ".join(fmt(r["cold_run"]["wall_s"]) for r in runs)
        + f" | {fmt(slope.get('(whole run)'), 2)} |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10, 100])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench",
        help="folder of results.md and results.json (default: bench/)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="scratch folder (default: a new temporary folder, removed after)",
    )
    args = parser.parse_args(argv)
    # The jobs import teichaku from this checkout (a snapshot of the repository works too).
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p
    )
    scratch = args.workdir or Path(tempfile.mkdtemp(prefix="teichaku-bench-"))
    runs = []
    try:
        for scale in sorted(args.scales):
            scale = int(scale) if scale == int(scale) else scale
            workdir = scratch / f"scale-{scale:g}"
            if workdir.exists():
                shutil.rmtree(workdir)
            print(f"scale {scale:g}: running in {workdir}", flush=True)
            runs.append(bench_scale(scale, workdir))
            print(f"scale {scale:g}: {runs[-1]['cold_run']['wall_s']} s", flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(scratch, ignore_errors=True)
    slope, used = slopes(runs)
    result = {
        "environment": environment(),
        "targets": [],
        "runs": runs,
        "slopes": slope,
        "slope_scales": used,
    }
    result["targets"] = check_targets(runs, slope)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (args.out / "results.md").write_text(markdown(result), encoding="utf-8")
    print(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'}")
    return result


if __name__ == "__main__":
    main()
