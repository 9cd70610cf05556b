"""Fail when a notebook is stored with outputs or execution counts (pre-commit, make lint).

Usage: python .ci/notebook_outputs.py NOTEBOOK.ipynb ...   (exit 1 naming each offender)
The notebooks hold code only: outputs would carry a run's numbers (and maybe small cells)
into git. Clear them with `.venv/bin/jupyter nbconvert --clear-output --inplace NB.ipynb`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def offending_cells(path: Path) -> list[int]:
    """Indices of the code cells of ``path`` that have outputs or an execution count."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [
        i
        for i, cell in enumerate(cells)
        if cell.get("cell_type") == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]


def main(paths: list[str]) -> int:
    bad = {p: offending_cells(Path(p)) for p in paths}
    bad = {p: cells for p, cells in bad.items() if cells}
    for path, cells in bad.items():
        print(f"{path}: outputs stored in code cells {cells}; clear them before committing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
