"""What the workflow imports when Snakemake parses it: every start (a no-op rerun included)
pays for it, so the teichaku modules the Snakefile and the rule files import must not load
pandas, pyarrow, matplotlib or scipy (the jobs do)."""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]
HEAVY = ("pandas", "pyarrow", "matplotlib", "scipy", "statsmodels", "weasyprint", "pandera")
IMPORT = re.compile(r"^\s*(?:from|import)\s+teichaku\b")


def parse_time_imports() -> list[str]:
    """The import statements of teichaku in the workflow files, as written there."""
    statements = []
    for path in WORKFLOW_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if IMPORT.match(line):
                statements.append(line.strip())
    return statements


def test_the_workflow_imports_some_teichaku_modules():
    statements = parse_time_imports()
    assert any("teichaku.report" in s for s in statements)
    assert any("teichaku.runs" in s for s in statements)


def test_parsing_the_workflow_loads_no_heavy_library():
    code = "\n".join(parse_time_imports()) + textwrap.dedent(
        f"""
        import sys
        print(",".join(m for m in {HEAVY!r} if m in sys.modules))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "", f"loaded at parse time: {done.stdout.strip()}"
