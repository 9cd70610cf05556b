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
    conda:
        ENV
    script:
        "../scripts/entry_template.py"
