"""The least time the default run and a no-op rerun can take on this machine, whatever the
jobs do: what one process per job and Snakemake itself cost (issue 17's targets).

    .venv/bin/python bench/floors.py             # -> bench/floors.md, bench/floors.json
    .venv/bin/python bench/floors.py --repeats 3 --out /tmp/floors

Two floors that no change inside a job can lower:

- **Starting the jobs.** Snakemake runs every job in a new Python process. Before any work,
  that process runs Snakemake's script preamble (``from snakemake import script``, then the
  job unpickled) and the imports at the top of its rule's script (workflow/scripts/: the
  stage module it calls). For each rule this measures a fresh ``python -c`` of exactly those
  imports (median CPU seconds of ``--repeats``), counts the rule's jobs in the default run
  (``snakemake --dry-run --forceall`` of config/config.yaml) and adds them up. On
  ``--cores`` CPUs the run cannot take less wall time than that sum divided by the cores,
  even if the jobs computed nothing and the Snakemake process cost nothing. Imports a job
  makes later (matplotlib in the figure jobs, weasyprint in the summary) are not counted,
  so the floor is an underestimate.
- **A no-op of the smallest workflow.** One rule with one parameter, its output up to date:
  the wall and CPU seconds of ``snakemake --cores 1`` there (Snakemake's start, parse, DAG
  and its check whether the parameter changed), beside ``snakemake --version``, and whether
  that no-op imports pandas (``python -X importtime``).

CPU seconds are user + system of the child processes (getrusage), which other processes on
the machine change little; wall seconds are given beside them. Not part of the tests.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
# Targets of issue 17 on the 2-core reference machine (--cores 2).
COLD_RUN_TARGET_S = 15.0
NOOP_TARGET_S = 1.3
PREAMBLE = "from snakemake import script"
SMALLEST_WORKFLOW = """rule all:
    input:
        "out.txt",


rule write:
    output:
        "out.txt",
    params:
        value=1,
    log:
        "write.log",
    shell:
        "echo {params.value} > {output} 2> {log}"
"""


def rule_scripts() -> dict[str, Path]:
    """Rule name -> the script of its ``script:`` directive (rules of workflow/rules/)."""
    scripts = {}
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for block in re.split(r"^(?=[ \t]*rule \w+:)", text, flags=re.M):
            name = re.match(r"\s*rule (\w+):", block)
            script = re.search(r'^\s+script:\s*\n\s+"([^"]+)"', block, flags=re.M)
            if name and script:
                scripts[name.group(1)] = (smk.parent / script.group(1)).resolve()
    return scripts


def top_imports(script: Path) -> str:
    """The import statements at the top level of ``script``, as code."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    nodes = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "\n".join(ast.unparse(n) for n in nodes)


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one command, and its standard error."""
    cpu, start = child_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env(), check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return wall, child_cpu() - cpu, proc.stderr


def _env() -> dict[str, str]:
    # as Snakemake runs a job with threads: 1, and without a salt (the synthetic default)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    env.pop("TEICHAKU_SALT", None)
    return env


def median_timing(cmd: list[str], repeats: int, cwd: Path | None = None) -> dict[str, float]:
    runs = [timed(cmd, cwd)[:2] for _ in range(repeats)]
    return {
        "wall_s": round(statistics.median(w for w, _ in runs), 3),
        "cpu_s": round(statistics.median(c for _, c in runs), 3),
    }


def default_run_jobs() -> dict[str, int]:
    """Jobs per rule of the default run (a dry run of everything, in the repository)."""
    cmd = [str(SNAKEMAKE), "--cores", "2", "--dry-run", "--forceall", "--nolock"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=_env(), check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the dry run failed:\n{proc.stderr[-3000:]}")
    stats = (proc.stdout + proc.stderr).split("Job stats:", 1)[1]
    jobs = {}
    for line in stats.splitlines()[3:]:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit() or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs


def job_startup(jobs: dict[str, int], repeats: int) -> list[dict]:
    """Per rule of the default run: its jobs and the start-up CPU of one."""
    scripts = rule_scripts()
    rows = []
    for rule, count in sorted(jobs.items()):
        if rule == "all":
            continue
        if rule not in scripts:  # a run: block runs in Snakemake's process (profiles/default)
            rows.append({"rule": rule, "jobs": count, "imports": None, "cpu_s": None})
            continue
        code = f"{PREAMBLE}\n{top_imports(scripts[rule])}"
        timing = median_timing([sys.executable, "-c", code], repeats)
        rows.append({"rule": rule, "jobs": count, "imports": code, **timing})
    return rows


def smallest_noop(repeats: int) -> dict:
    """The no-op rerun of a one-rule workflow, and ``snakemake --version``."""
    with tempfile.TemporaryDirectory(prefix="teichaku-floor-") as folder:
        work = Path(folder)
        (work / "Snakefile").write_text(SMALLEST_WORKFLOW, encoding="utf-8")
        timed([str(SNAKEMAKE), "--cores", "1"], work)  # the run that makes out.txt
        noop = median_timing([str(SNAKEMAKE), "--cores", "1"], repeats, work)
        profile = timed([sys.executable, "-X", "importtime", str(SNAKEMAKE), "--cores", "1"], work)[
            2
        ]
    version = median_timing([str(SNAKEMAKE), "--version"], repeats)
    return {
        "noop": noop,
        "version": version,
        "noop_imports_pandas": bool(re.search(r"\|\s+pandas$", profile, flags=re.M)),
    }


def markdown(result: dict) -> str:
    env, floor, noop = result["environment"], result["job_startup"], result["snakemake"]
    pandas = "yes" if noop["noop_imports_pandas"] else "no"
    lines = [
        "# Floors of the default run and of a no-op rerun",
        "",
        f"Written by `.venv/bin/python bench/floors.py` (see its docstring): commit "
        f"`{env['commit']}`, {env['cpus']} CPUs, Python {env['python']}, medians of "
        f"{env['repeats']}; load average {env['load_before']} before, {env['load_after']} "
        "after.",
        "",
        "## Starting the jobs of the default run",
        "",
        "Start-up CPU of one job: a new Python running Snakemake's script preamble and the "
        "imports at the top of the rule's script, nothing else.",
        "",
        "| rule | jobs | start-up CPU per job (s) | all its jobs (s) |",
        "|---|---:|---:|---:|",
    ]
    for row in floor["rules"]:
        if row["cpu_s"] is None:
            lines.append(f"| {row['rule']} | {row['jobs']} | – (no script: run in Snakemake) | – |")
            continue
        lines.append(
            f"| {row['rule']} | {row['jobs']} | {row['cpu_s']:.2f} | "
            f"{row['jobs'] * row['cpu_s']:.1f} |"
        )
    lines += [
        f"| **all** | {floor['jobs']} | | **{floor['cpu_s']:.1f}** |",
        "",
        f"A bare `python -c pass`: {floor['bare_python_cpu_s']:.3f} s CPU.",
        "",
        f"With `--cores {floor['cores']}`, the default run cannot take less than "
        f"{floor['cpu_s']:.1f} / {floor['cores']} = **{floor['wall_floor_s']:.1f} s** of wall "
        f"time, jobs doing nothing and Snakemake costing nothing; the target is "
        f"{COLD_RUN_TARGET_S:g} s: "
        + (
            "**above the floor**."
            if floor["wall_floor_s"] < COLD_RUN_TARGET_S
            else "**below the floor: not reachable with one process per job**."
        ),
        "",
        "## A no-op rerun of the smallest workflow",
        "",
        "| | wall (s) | CPU (s) |",
        "|---|---:|---:|",
        f"| `snakemake --version` | {result['snakemake']['version']['wall_s']:.2f} | "
        f"{result['snakemake']['version']['cpu_s']:.2f} |",
        f"| no-op of one rule with one parameter | {result['snakemake']['noop']['wall_s']:.2f} "
        f"| {result['snakemake']['noop']['cpu_s']:.2f} |",
        "",
        f"That no-op imports pandas: {pandas}"
        f" (Snakemake {env['snakemake']}). The target of the workflow's no-op rerun is "
        f"{NOOP_TARGET_S:g} s: "
        + (
            "**above this floor**."
            if result["snakemake"]["noop"]["wall_s"] < NOOP_TARGET_S
            else "**below this floor: not reachable with this Snakemake**."
        ),
        "",
    ]
    return "\n".join(lines)


def environment(repeats: int, load_before: float) -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    from importlib.metadata import version

    return {
        "commit": commit,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "snakemake": version("snakemake"),
        "repeats": repeats,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rules = job_startup(default_run_jobs(), args.repeats)
    cpu = sum(r["jobs"] * r["cpu_s"] for r in rules if r["cpu_s"] is not None)
    floor = {
        "rules": rules,
        "jobs": sum(r["jobs"] for r in rules),
        "cpu_s": round(cpu, 2),
        "cores": args.cores,
        "wall_floor_s": round(cpu / args.cores, 2),
        "bare_python_cpu_s": median_timing([sys.executable, "-c", "pass"], args.repeats)["cpu_s"],
    }
    result = {"job_startup": floor, "snakemake": smallest_noop(args.repeats)}
    result = {"environment": environment(args.repeats, load), **result}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "floors.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (args.out / "floors.md").write_text(markdown(result), encoding="utf-8")
    print(f"wrote {args.out / 'floors.md'} and {args.out / 'floors.json'}")
    return result


if __name__ == "__main__":
    main()
