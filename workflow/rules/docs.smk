# Documents generated from the codebook alone: the data dictionary (markdown and CSV) and the
# data-entry workbook a center fills in. Neither reads any data, so both are publishable.

DOCS_OUTPUTS = [
    "results/codebook/codebook.md",
    "results/codebook/codebook.csv",
    "results/templates/followup_survey_template.xlsx",
]


rule data_dictionary:
    input:
        codebook=config["codebook"],
    output:
        markdown="results/codebook/codebook.md",
        csv="results/codebook/codebook.csv",
    log:
        "logs/data_dictionary.log",
    benchmark:
        "benchmarks/data_dictionary.tsv"
    conda:
        ENV
    script:
        "../scripts/data_dictionary.py"


rule entry_template:
    input:
        codebook=config["codebook"],
    output:
        workbook="results/templates/followup_survey_template.xlsx",
    log:
        "logs/entry_template.log",
    benchmark:
        "benchmarks/entry_template.tsv"
    conda:
        ENV
    script:
        "../scripts/entry_template.py"


# The analyst notebooks (notebooks/*.ipynb, code like the scripts) executed on this run's
# outputs, kept as data/notebooks/<name>.ipynb. Not part of `all`: `snakemake notebooks`.
# Under data/, not results/: an executed notebook shows the analyst's views of the data
# (cases per center, quantiles per cohort, rejected rows), which are not for publication.
NOTEBOOK_DIR = Path(workflow.basedir) / "notebooks"
NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


rule notebooks:
    input:
        expand("data/notebooks/{name}.ipynb", name=NOTEBOOK_NAMES),


rule notebook:
    input:
        notebook=str(NOTEBOOK_DIR / "{name}.ipynb"),
        # everything a notebook reads (defined by ingest.smk and analysis.smk)
        outputs=lambda wildcards: [*INGEST_OUTPUTS, *ANALYSIS_OUTPUTS],
    output:
        "data/notebooks/{name}.ipynb",
    wildcard_constraints:
        name="|".join(NOTEBOOK_NAMES),
    log:
        "logs/notebook_{name}.log",
    benchmark:
        "benchmarks/notebook_{name}.tsv"
    conda:
        ENV
    script:
        "../scripts/execute_notebook.py"
