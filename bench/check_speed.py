"""How long ``teichaku check`` takes on one center's file (the target: under 3 s).

    .venv/bin/python bench/check_speed.py [--folder /tmp/teichaku-check-bench] [--centers 5]

Writes the synthetic survey (scale 1, as the centers send it), then runs the command line
``teichaku check FILE --roster roster.xlsx`` as a user would, in a new process each time
(imports included), on the files of the first ``centers`` centers: wall seconds and the CPU
seconds of the process (user + system, which do not grow when other jobs share the machine).
Not part of the tests (timings depend on the machine). Results: check_speed.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.published import load_published
from teichaku.synthetic import generate_survey, load_synthetic_config
from teichaku.synthetic.raw_writer import write_survey

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/teichaku-check-bench"))
    parser.add_argument("--centers", type=int, default=5)
    args = parser.parse_args()
    shutil.rmtree(args.folder, ignore_errors=True)
    cb = load_codebook()
    synthetic = load_synthetic_config(ROOT / "config" / "synthetic.yaml")
    published = load_published(ROOT / "config" / "published-2021.yaml")
    raw = args.folder / "raw"
    write_survey(generate_survey(synthetic, published, cb), synthetic, raw, cb)
    command = [str(Path(sys.executable).with_name("teichaku")), "check"]
    print("| file | rows | exit | wall s | CPU s |\n|---|---|---|---|---|")
    for path in sorted((raw / "cases").glob("*.*"))[: args.centers]:
        rows = "?"
        before, start = _cpu(), time.perf_counter()
        proc = subprocess.run(
            [*command, str(path), "--roster", str(raw / "roster.xlsx")],
            capture_output=True,
            text=True,
            cwd=args.folder,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        )
        wall, cpu = time.perf_counter() - start, _cpu() - before
        for line in proc.stdout.splitlines():
            if path.name in line and "読込" in line:
                rows = line.split("読込")[1].split("行")[0].strip()
        print(f"| {path.suffix} | {rows} | {proc.returncode} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
