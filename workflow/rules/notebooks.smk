# The analyst notebooks (notebooks/*.ipynb, code like the scripts) executed on this run's
# outputs, kept as results/notebooks/<name>.ipynb. Not part of `all`: `snakemake notebooks`.
# Needs INGEST_OUTPUTS (ingest.smk) and ANALYSIS_OUTPUTS (analysis.smk).
NOTEBOOK_DIR = Path(workflow.basedir) / "notebooks"
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


rule notebooks:
    input:
        expand(paths.NOTEBOOK, name=NOTEBOOK_NAMES),
    message:
        "Executed every analyst notebook on this run"


rule notebook:
    input:
        notebook=str(NOTEBOOK_DIR / "{name}.ipynb"),
        outputs=[*INGEST_OUTPUTS, *ANALYSIS_OUTPUTS],  # everything a notebook reads
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
    message:
        "Executing the notebook {input.notebook} on this run into {output}"
    script:
        "../scripts/execute_notebook.py"
