"""``python -m teichaku.docs {dictionary,template}``: the docs rules on the workflow's paths."""

from teichaku import paths
from teichaku.docs.stage import write_data_dictionary, write_entry_template
from teichaku.entry import main

main(
    "docs",
    {
        "dictionary": lambda config: write_data_dictionary(
            codebook=config["codebook"],
            markdown=paths.of(config["run"]).CODEBOOK_MD,
            csv=paths.of(config["run"]).CODEBOOK_CSV,
        ),
        "template": lambda config: write_entry_template(
            codebook=config["codebook"], workbook=paths.of(config["run"]).ENTRY_TEMPLATE
        ),
    },
)
