"""``python -m teichaku.docs {dictionary,template}``: the docs rules on the workflow's paths."""

from teichaku import paths
from teichaku.docs.stage import write_data_dictionary, write_entry_template
from teichaku.entry import main, round_codebook

main(
    "docs",
    {
        "dictionary": lambda config: write_data_dictionary(
            codebook=round_codebook(config),
            source=config["codebook"],
            markdown=paths.of(config["run"]).CODEBOOK_MD,
            csv=paths.of(config["run"]).CODEBOOK_CSV,
        ),
        "template": lambda config: write_entry_template(
            codebook=round_codebook(config),
            workbook=paths.of(config["run"]).ENTRY_TEMPLATE,
            roster=next((p for p in paths.raw_inputs(config)[:1] if p.is_file()), None),
        ),
    },
)
