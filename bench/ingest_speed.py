"""Throughput of ingestion on a large synthetic survey written as CSV files.

    .venv/bin/python bench/ingest_speed.py [--scale 36] [--folder /tmp/teichaku-bench]

Writes the synthetic survey at ``scale`` times the published size (about 2,800 cases per
unit; scale > 1 writes the case files as CSV) and times ``ingest_survey`` on it: wall and
CPU seconds and rows per second. ``--runs 2`` repeats it in the same process: the first run
pays for lazy imports (pandera's check backends, openpyxl) and first memory use, later runs
do not. Not part of the tests (timings depend on the machine). Results: ingest_speed.md.
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.ingest.survey import ingest_survey
from teichaku.published import load_published
from teichaku.synthetic import generate_survey, load_synthetic_config
from teichaku.synthetic.raw_writer import write_survey

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=36.0)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/teichaku-bench"))
    parser.add_argument("--runs", type=int, default=1, help="ingestions timed in turn")
    args = parser.parse_args()
    codebook = load_codebook()
    config = dict(load_synthetic_config(ROOT / "config" / "synthetic.yaml"))
    config["scale"] = args.scale
    shutil.rmtree(args.folder, ignore_errors=True)
    survey = generate_survey(
        config, load_published(ROOT / "config" / "published-2021.yaml"), codebook
    )
    write_survey(survey, config, args.folder, codebook)
    for run in range(1, args.runs + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        result = ingest_survey(args.folder, codebook, b"bench-key")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows = sum(t.rows_read for t in result.tables.values())
        print(f"run {run}: {rows:,} rows read ({result.tables['cases'].rows_valid:,} valid cases)")
        print(
            f"wall {wall:.2f} s = {rows / wall:,.0f} rows/s; "
            f"CPU {cpu:.2f} s = {rows / cpu:,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
