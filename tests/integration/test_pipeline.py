"""The whole workflow, run once on a small synthetic survey in a folder of its own."""

import json

import pandas as pd

from teichaku import paths

from .conftest import DEFAULT_RUN, ROOT, run_snakemake

RUN = DEFAULT_RUN  # the small run is a copy of the default run


def test_run_writes_only_inside_its_own_folder(small_run):
    assert (small_run / RUN.PROCESSED["cases"]).exists()
    # Nothing from the run appears in the repository's own data/ and results/.
    stray = [
        p
        for p in (ROOT / RUN.PROCESSED_DIR).glob("*.parquet")
        if p.stat().st_mtime > (small_run / "config.yaml").stat().st_mtime
    ]
    assert stray == []


def test_counts_are_conserved_and_every_defect_rejected(small_run):
    summary = json.loads((small_run / RUN.VALIDATION_JSON).read_text())
    cases = pd.read_parquet(small_run / RUN.PROCESSED["cases"])
    defects = json.loads((small_run / RUN.SYNTHETIC_RAW_DIR / "defects.json").read_text())
    table = summary["tables"]["cases"]
    kept = table["rows_valid"] + table["rows_rejected"] + table["rows_duplicate"]
    assert table["rows_read"] == kept
    assert table["rows_valid"] == len(cases) == defects["n_valid_rows"]
    assert table["rows_rejected"] == defects["n_rejected_rows"]
    assert table["rows_duplicate"] == defects["n_duplicate_rows"]
    rejected = pd.read_parquet(small_run / RUN.REJECTED_ROWS)
    found = set(zip(rejected["file"], rejected["row"].astype(int), rejected["rule"], strict=True))
    expected = {
        (d["file"], d["row"], d["rule"])
        for d in defects["defects"]
        if d["rule"] != "exact_duplicate"
    }
    assert expected - found == set()


def test_case_references_never_leave_data(small_run):
    cases = pd.read_parquet(small_run / RUN.PROCESSED["cases"])
    assert "case_ref" not in cases.columns
    assert cases["case_id"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_rerun_is_a_no_op(small_run):
    proc = run_snakemake(small_run, "-n")
    assert "Nothing to be done" in proc.stdout + proc.stderr


def test_summary_says_when_the_simulation_study_has_not_been_run(small_run):
    summary = (small_run / paths.fill(RUN.SUMMARY, ext="md")).read_text(encoding="utf-8")
    assert "Simulation study, power analysis and the SLURM cluster" in summary
    assert "Simulation study: coverage" not in summary


def test_no_case_reference_of_the_input_reaches_results_or_processed_data(small_run):
    """Scan every text output and every text column for the case references the run read."""
    from teichaku.published import load_published
    from teichaku.report.suppress import find_case_refs
    from teichaku.synthetic import generate_survey, load_synthetic_config

    survey = generate_survey(
        load_synthetic_config(small_run / "synthetic.yaml"),
        load_published(ROOT / "config" / "published-2021.yaml"),
    )
    refs = set(survey.cases["case_ref"])
    # References like "12" also occur as ordinary numbers; the scan needs a distinctive form.
    distinctive = {r for r in refs if not r.isdigit()}
    assert len(distinctive) > 50
    assert find_case_refs(small_run / RUN.RESULTS_DIR, distinctive) == []
    for path in (small_run / RUN.PROCESSED_DIR).glob("*.parquet"):
        frame = pd.read_parquet(path)
        assert "case_ref" not in frame.columns, path.name
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype) in ("str", "string"):
                leaked = set(frame[column].dropna().astype(str)) & distinctive
                assert leaked == set(), (path.name, column)
