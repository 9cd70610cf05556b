"""Every analyst notebook runs from start to end on the outputs of the small integration run
alone: a copy of its data/processed/ and results/ without the raw files."""

import re
import shutil

import pytest

from teichaku import paths
from teichaku.notebook import FIGURE_FOLDER_PREFIX, execute_notebook

from .conftest import DEFAULT_RUN, run_snakemake
from .test_notebooks import NOTEBOOKS

RUN = DEFAULT_RUN  # the small run is a copy of the default run

#: Longest one cell may run, in seconds.
CELL_TIMEOUT = 300


@pytest.fixture(scope="module")
def notebook_dir(root):
    return root / "notebooks"


@pytest.fixture(scope="module")
def outputs_only(small_run, tmp_path_factory):
    """A copy of the run's outputs without its raw folder: the notebooks must not need it."""
    copy = tmp_path_factory.mktemp("run_outputs")
    for part in (RUN.PROCESSED_DIR, RUN.RESULTS_DIR):
        shutil.copytree(small_run / part, copy / part)
    shutil.copy(small_run / "config.yaml", copy / "config.yaml")
    assert not (copy / "data" / "raw").exists()
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_outputs_of_a_run(
    notebook_dir, outputs_only, name, tmp_path, monkeypatch
):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's temporary folder
    nb = execute_notebook(  # raises CellExecutionError naming the failing cell
        notebook_dir / f"{name}.ipynb", None, outputs_only, outputs_only / "config.yaml",
        timeout=CELL_TIMEOUT,
    )  # fmt: skip
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # every notebook shows tables (HTML or markdown) and the run folder it read
    shown = [o for o in outputs if "data" in o]
    assert any({"text/html", "text/markdown"} & set(o.data) for o in shown)
    text = "".join(o.get("text", "") for o in outputs)
    assert f"run folder: {outputs_only.resolve()}" in text
    # the figures drawn for the notebook leave no temporary folder behind
    assert sorted(tmp_path.glob(f"{FIGURE_FOLDER_PREFIX}*")) == []


def test_the_notebooks_rule_plans_one_job_per_notebook(small_run):
    """`snakemake notebooks` executes every notebook on the run (here only planned: -n)."""
    plan = run_snakemake(small_run, "notebooks", "-n").stdout
    assert re.search(rf"^notebook +{len(NOTEBOOKS)}$", plan, re.MULTILINE), plan
    for name in NOTEBOOKS:
        assert paths.fill(RUN.NOTEBOOK, name=name) in plan
