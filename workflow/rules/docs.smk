# Documents generated from the codebook and the run's survey section alone: the round's
# codebook (read by every other rule of the run), the data dictionary (markdown and CSV) and
# the data-entry workbook a center fills in. None reads any data, so all are publishable.

DOCS_OUTPUTS = [paths.ROUND_CODEBOOK, paths.CODEBOOK_MD, paths.CODEBOOK_CSV, paths.ENTRY_TEMPLATE]


rule round_codebook:
    input:
        codebook=run_setting("codebook"),
    output:
        paths.ROUND_CODEBOOK,
    log:
        paths.log("round_codebook"),
    benchmark:
        paths.benchmark("round_codebook")
    conda:
        ENV
    params:
        survey=run_setting("survey"),
    message:
        "Writing the codebook of the {params.survey[round]} round (run {wildcards.run}) to {output}"
    script:
        "../scripts/round_codebook.py"


rule data_dictionary:
    input:
        codebook=paths.ROUND_CODEBOOK,
    output:
        markdown=paths.CODEBOOK_MD,
        csv=paths.CODEBOOK_CSV,
    log:
        paths.log("data_dictionary"),
    benchmark:
        paths.benchmark("data_dictionary")
    conda:
        ENV
    params:
        source=run_setting("codebook"),
    message:
        "Writing the data dictionary of {input.codebook} (run {wildcards.run}) to {output.markdown} and {output.csv}"
    script:
        "../scripts/data_dictionary.py"


rule entry_template:
    input:
        codebook=paths.ROUND_CODEBOOK,
        roster=raw_roster,
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
