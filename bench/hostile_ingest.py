"""Peak memory and time of ingesting each file of the hostile corpus (tests/data/hostile).

    .venv/bin/python bench/hostile_ingest.py [--folder /tmp/teichaku-hostile] [--only xlsx]

Writes the corpus (``make_corpus.py``), then ingests each case in a fresh Python process
(the test's raw folder: the test roster and awareness plus the case's file) and reports its
wall time and peak resident memory (``ru_maxrss`` of the child, imports included), and how
the run ended (rows read or the file rule). Targets (issue 12): every workbook under 500 MB
and 10 s. Not part of the tests (timings depend on the machine). Results:
hostile_ingest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "data" / "hostile"
BASE = ROOT / "tests" / "data" / "ingest"
LIMIT_MB, LIMIT_S = 500, 10.0

CHILD = """
import json, sys, time
from pathlib import Path
from teichaku.codebook import load_codebook
from teichaku.ingest.errors import IngestError
from teichaku.ingest.survey import ingest_survey
import pandera.pandas  # imports paid before the clock starts (see --help)
start = time.perf_counter()
try:
    result = ingest_survey(Path(sys.argv[1]), load_codebook(), b"bench-key")
    t = result.tables["cases"]
    outcome = f"{t.rows_read} read, {t.rows_valid} valid"
except IngestError as exc:
    outcome = exc.rule
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start}))
"""


def raw_folder(folder: Path, corpus: Path, entry: dict) -> Path:
    raw = folder / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    (raw / "cases").mkdir(parents=True)
    shutil.copy(BASE / "roster.csv", raw)
    shutil.copy(BASE / "awareness.csv", raw)
    for name in [entry["file"], *entry.get("also", [])]:
        target = raw / "roster.csv" if name == "roster/duplicate_center.csv" else raw / "cases"
        shutil.copy(corpus / name, target)
    return raw


def measure(raw: Path, scratch: Path) -> tuple[float, float, float, str]:
    """(process wall seconds, ingest seconds, peak MB, outcome) of one ingestion in a
    child process; the peak is the child's own (``os.wait4`` returns its usage)."""
    out, err = scratch / "child.out", scratch / "child.err"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(raw)],
            stdout=stdout,
            stderr=stderr,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    if child.returncode != 0:
        return wall, wall, peak, "CRASH: " + err.read_text().strip().splitlines()[-1]
    report = json.loads(out.read_text())
    return wall, report["seconds"], peak, report["outcome"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/teichaku-hostile"))
    parser.add_argument("--only", choices=["xlsx", "csv"], default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(HOSTILE))
    import make_corpus

    corpus = args.folder / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    make_corpus.write(corpus)
    manifest = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))["cases"]
    print("| file | size | process s | ingest s | peak MB | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    worst_s = worst_mb = 0.0
    for entry in manifest:
        if args.only and not entry["file"].endswith(args.only):
            continue
        raw = raw_folder(args.folder, corpus, entry)
        wall, seconds, peak, outcome = measure(raw, args.folder)
        worst_s, worst_mb = max(worst_s, wall), max(worst_mb, peak)
        size = (corpus / entry["file"]).stat().st_size
        print(
            f"| {entry['file']} | {size:,} | {wall:.2f} | {seconds:.3f} | {peak:.0f} | {outcome} |"
        )
    ok = worst_mb < LIMIT_MB and worst_s < LIMIT_S
    print(
        f"\nlargest peak {worst_mb:.0f} MB (target < {LIMIT_MB}), slowest {worst_s:.2f} s "
        f"(target < {LIMIT_S:.0f}): {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
