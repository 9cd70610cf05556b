# The analyst notebooks (notebooks/*.ipynb, code like the scripts) executed on a run's
# outputs, kept as data/notebooks/<run>/<name>.ipynb (analyst views of the data: under data/,
# never published). Not part of `all`: `snakemake notebooks` (the main run).
# Needs INGEST_OUTPUTS (ingest.smk) and ANALYSIS_OUTPUTS (analysis.smk).
NOTEBOOK_DIR = Path(workflow.basedir) / "notebooks"
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


rule notebooks:
    input:
        expand(paths.NOTEBOOK, run=RUN, name=NOTEBOOK_NAMES),
    message:
        f"Executed every analyst notebook on run {RUN}"


rule notebook:
    input:
        notebook=str(NOTEBOOK_DIR / "{name}.ipynb"),
        outputs=[*INGEST_OUTPUTS, *ANALYSIS_OUTPUTS],  # everything a notebook reads (this run's)
    output:
        paths.NOTEBOOK,
    log:
        paths.log("notebook_{name}"),
    benchmark:
        paths.benchmark("notebook_{name}")
    wildcard_constraints:
        name="|".join(NOTEBOOK_NAMES),
    conda:
        ENV
    params:
        config=lambda wildcards: RUNS[wildcards.run],
    message:
        "Executing the notebook {input.notebook} on run {wildcards.run} into {output}"
    script:
        "../scripts/execute_notebook.py"
