"""The analyst notebooks are stored without outputs and paired with readable py:percent
scripts; ``teichaku.notebook`` finds a run's outputs and configuration for them. (Running them
on the outputs of the integration run: test_notebooks_run.py.)"""

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config
from jupytext.paired_paths import paired_paths

from teichaku import paths
from teichaku.notebook import CONFIG_VARIABLE, REPOSITORY, ROOT_VARIABLE, merge, open_run

NOTEBOOKS = ("01-explore-cases", "02-prolonged-involvement", "03-center-awareness")


@pytest.fixture(scope="module")
def notebook_dir(root):
    return root / "notebooks"


def test_the_notebooks_are_there_each_with_its_script(notebook_dir):
    assert sorted(p.stem for p in notebook_dir.glob("*.ipynb")) == list(NOTEBOOKS)
    assert sorted(p.stem for p in notebook_dir.glob("*.py")) == list(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_jupytext_pairs_the_notebook_with_its_percent_script(notebook_dir, name):
    """notebooks/jupytext.toml pairs each .ipynb with the .py:percent of the same name."""
    notebook = str(notebook_dir / f"{name}.ipynb")
    formats = load_jupytext_config(notebook).default_formats(notebook)
    assert dict(
        (fmt["extension"], fmt.get("format_name"))
        for _, fmt in paired_paths(notebook, "ipynb", formats)
    ) == {".ipynb": None, ".py": "percent"}
    assert {p for p, _ in paired_paths(notebook, "ipynb", formats)} == {
        notebook,
        str(notebook_dir / f"{name}.py"),
    }


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_without_outputs(notebook_dir, name):
    nb = nbformat.read(notebook_dir / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert [c.outputs for c in code] == [[] for _ in code]
    assert {c.execution_count for c in code} == {None}
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_script_and_notebook_hold_the_same_cells(notebook_dir, name):
    stored = nbformat.read(notebook_dir / f"{name}.ipynb", as_version=4)
    script = jupytext.read(notebook_dir / f"{name}.py")
    assert [(c.cell_type, c.source) for c in script.cells] == [
        (c.cell_type, c.source) for c in stored.cells
    ], f"run `jupytext --sync notebooks/{name}.ipynb`"


def test_configuration_overlay_is_merged_key_by_key():
    base = {"analysis": {"thresholds": [6, 12], "seed": 1}, "published": "a.yaml"}
    assert merge(base, {"analysis": {"seed": 2}}) == {
        "analysis": {"thresholds": [6, 12], "seed": 2},
        "published": "a.yaml",
    }
    assert base["analysis"]["seed"] == 1


def test_open_run_reads_the_overlay_and_resolves_paths(tmp_path, monkeypatch, default_config):
    (tmp_path / paths.fill(paths.PROCESSED_DIR, run=default_config["run"])).mkdir(parents=True)
    overlay = tmp_path / "config.yaml"
    overlay.write_text("privacy:\n  min_cell: 7\n", encoding="utf-8")
    monkeypatch.setenv(ROOT_VARIABLE, str(tmp_path))
    monkeypatch.setenv(CONFIG_VARIABLE, str(overlay))
    run = open_run()
    assert run.root == tmp_path.resolve()
    assert run.privacy.min_cell == 7
    assert run.config["codebook"] == default_config["codebook"]
    assert run.path(run.config["published"]) == REPOSITORY / default_config["published"]
    assert run.labels.var("cases", "sex") == run.codebook.variable("cases", "sex").label_ja


def test_open_run_on_a_folder_without_outputs_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=ROOT_VARIABLE):
        open_run(tmp_path)
