# Documents generated from the codebook alone: the data dictionary (markdown and CSV) and the
# data-entry workbook a center fills in. Neither reads any data, so both are publishable.

DOCS_OUTPUTS = [paths.CODEBOOK_MD, paths.CODEBOOK_CSV, paths.ENTRY_TEMPLATE]


rule data_dictionary:
    input:
        codebook=run_setting("codebook"),
    output:
        markdown=paths.CODEBOOK_MD,
        csv=paths.CODEBOOK_CSV,
    log:
        paths.log("data_dictionary"),
    benchmark:
        paths.benchmark("data_dictionary")
    conda:
        ENV
    message:
        "Writing the data dictionary of {input.codebook} (run {wildcards.run}) to {output.markdown} and {output.csv}"
    script:
        "../scripts/data_dictionary.py"


rule entry_template:
    input:
        codebook=run_setting("codebook"),
    output:
        workbook=paths.ENTRY_TEMPLATE,
    log:
        paths.log("entry_template"),
    benchmark:
        paths.benchmark("entry_template")
    conda:
        ENV
    message:
        "Writing the data-entry workbook of {input.codebook} (run {wildcards.run}) to {output.workbook}"
    script:
        "../scripts/entry_template.py"
