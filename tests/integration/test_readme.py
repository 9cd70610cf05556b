"""Every command in the README is exercised: the cheap ones here, on a copy of the small
run; the others by the test or CI script named for them, which must still contain it."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml

from teichaku import paths

from .conftest import DEFAULT_RUN, ROOT, run_snakemake

#: command pattern -> (file that exercises it, text that file must contain)
EXERCISED_ELSEWHERE = {
    r"make": (".ci/run", "\nmake\n"),
    r"make test": (".ci/run", "make test"),
    r"snakemake --cores all --configfile config/real\.yaml": (
        "tests/integration/test_ingest_workflow.py",
        '["source"] = "files"',
    ),
    r"snakemake --cores 1 notebooks": ("tests/integration/test_notebooks_run.py", '"notebooks"'),
    r"snakemake --cores 2 simulation": (
        "tests/integration/test_slurm_simulation.py",
        '"--cores", "2"',
    ),
    r"snakemake --profile profiles/slurm simulation": (
        "tests/integration/test_slurm_simulation.py",
        '"profiles" / "slurm"',
    ),
    r"\.venv/bin/python bench/run\.py": ("tests/integration/test_bench.py", "main(["),
    r"teichaku check \S+ --round \S+": ("tests/unit/test_cli_check.py", '"--round"'),
    r"teichaku feedback --config \S+ --run \S+": (
        "tests/unit/test_feedback_workbook.py",
        '"--run"',
    ),
    r"teichaku merge-awareness \S+ -o \S+": (
        "tests/unit/test_merge_awareness.py",
        '"merge-awareness"',
    ),
    r"\.venv/bin/jupytext --sync notebooks/\*\.ipynb": (
        "tests/integration/test_notebooks.py",
        "paired_paths",
    ),
}

#: commands run here, on a copy of the small run (their paths are relative to a run folder)
RUN_HERE = {
    r"\.venv/bin/snakemake -n",
    r"snakemake --cores 1 results/synthetic-2021/figures/ja/fig4_km_followup\.png",
    r"snakemake --cores 1 --force "
    r"results/synthetic-2021/figures/ja/fig6_forest\.pdf",
    r"snakemake --report results/synthetic-2021/report\.html",
    r"snakemake --cores all --config report='\{languages: \[ja, en\]\}'",
}


def readme_commands() -> list[str]:
    """Command lines of the README's ```sh blocks, without their trailing comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(re.sub(r"\s+", " ", command))
    return commands


def test_every_readme_command_is_exercised():
    patterns = [*EXERCISED_ELSEWHERE, *RUN_HERE]
    commands = readme_commands()
    assert len(commands) >= 10
    unmatched = [c for c in commands if not any(re.fullmatch(p, c) for p in patterns)]
    assert unmatched == []
    for pattern, (path, marker) in EXERCISED_ELSEWHERE.items():
        if any(re.fullmatch(pattern, c) for c in commands):
            assert marker in (ROOT / path).read_text(encoding="utf-8"), (pattern, path)


@pytest.fixture(scope="module")
def run_copy(small_run, tmp_path_factory):
    """A copy of the small run (timestamps kept), so that reruns here leave it alone."""
    copy = tmp_path_factory.mktemp("readme") / "run"
    shutil.copytree(small_run, copy, symlinks=True)
    return copy


def _args(command: str) -> list[str]:
    args = command.split()[1:]  # the runner supplies snakemake, the Snakefile and the folder
    return [a.replace("'", "") for a in args if a not in ("--cores", "1", "all")]


FOREST = "results/synthetic-2021/figures/ja/fig6_forest.pdf"
KM = "results/synthetic-2021/figures/ja/fig4_km_followup.png"


def test_the_readmes_paths_are_the_default_runs():
    assert FOREST.startswith(DEFAULT_RUN.FIGURES_DIR) and KM.startswith(DEFAULT_RUN.FIGURES_DIR)


def test_dry_run_and_one_figure(run_copy):
    assert "Nothing to be done" in run_snakemake(run_copy, "-n").stdout
    figure = run_copy / FOREST
    before = figure.read_bytes()
    proc = run_snakemake(run_copy, *_args(f"snakemake --cores 1 --force {FOREST}"))
    drawn = set(re.findall(r"Drawing figure (\S+) \((\w+)\)", proc.stderr + proc.stdout))
    assert drawn == {("fig6_forest", "ja")}, proc.stderr[-3000:]  # that figure alone
    assert figure.read_bytes() == before  # same data, same bytes
    proc = run_snakemake(run_copy, *_args(f"snakemake --cores 1 {KM}"))
    assert (run_copy / KM).stat().st_size > 10_000


def _report_data(html: str, script: str):
    """The variable a Snakemake report keeps in its ``<script id=...>`` (JSON)."""
    match = re.search(rf'<script id="{script}">\s*var \w+ = (.*?);\s*</script>', html, re.S)
    assert match, f"no {script} in the report"
    return json.loads(match.group(1))


def test_snakemake_report(run_copy):
    run_snakemake(run_copy, "--report", "results/synthetic-2021/report.html")
    html = (run_copy / "results/synthetic-2021/report.html").read_text(encoding="utf-8")
    assert "fig6_forest" in html
    labels = yaml.safe_load((ROOT / "workflow/report/labels.yaml").read_text(encoding="utf-8"))
    japanese = {key: names["ja"] for key, names in labels["report_categories"].items()}
    # the categories in the run's report language (ja), validation and models among them
    categories = _report_data(html, "categories")
    assert set(categories) <= set(japanese.values()), set(categories) - set(japanese.values())
    for key in ("validation", "models", "summary", "survey", "appendix"):
        assert japanese[key] in categories, key
    # the validation summary, the coefficients and the diagnostics are report items, and
    # every item has a caption in Japanese
    results = _report_data(html, "results")
    for name in (
        DEFAULT_RUN.VALIDATION_CSV,
        DEFAULT_RUN.COEFFICIENTS,
        DEFAULT_RUN.DIAGNOSTICS,
    ):
        assert name in results, name
    for name, item in results.items():
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", item["caption"]), name
    assert japanese["validation"] in categories and any(
        DEFAULT_RUN.VALIDATION_CSV in files for files in categories[japanese["validation"]].values()
    )
    # the landing page describes the workflow in Japanese, for this run
    description = _report_data(html, "workflow-desc")
    assert DEFAULT_RUN.run in description and "読み込みと検証" in description
    assert "Reading and validation" not in description


def test_both_languages_from_the_command_line_leave_the_japanese_files_alone(run_copy):
    japanese = run_copy / paths.fill(DEFAULT_RUN.SUMMARY, ext="md")
    before = (japanese.read_bytes(), japanese.stat().st_mtime_ns)
    proc = run_snakemake(run_copy, "--config", "report={languages: [ja, en]}")
    english = paths.of(DEFAULT_RUN.run, "en")
    summary = (run_copy / paths.fill(english.SUMMARY, ext="md")).read_text(encoding="utf-8")
    assert "Kaplan" in summary or "Cox" in summary
    assert "背景" not in summary
    for pdf in ("summary.en.pdf", "summary.ja.pdf"):
        assert (run_copy / DEFAULT_RUN.SUMMARY_DIR / pdf).stat().st_size > 10_000
    assert (run_copy / english.FIGURES_DIR / "fig6_forest.png").is_file()
    # the language is a wildcard: the Japanese report is neither rerun nor rewritten
    assert "report_summary_ja" not in proc.stdout + proc.stderr
    assert (japanese.read_bytes(), japanese.stat().st_mtime_ns) == before
