"""Rule compare_rounds: compare the runs of config compare: into results/compare/."""

from teichaku.compare.stage import guarded, write_comparison
from teichaku.entry import setup_logging

setup_logging(snakemake.log[0])
params = snakemake.params
rounds = zip(params.rounds, snakemake.input.analysis, snakemake.input.numbers, strict=True)
guarded(
    lambda: write_comparison(
        runs=[{**r, "analysis": analysis, "numbers": numbers} for r, analysis, numbers in rounds],
        analysis_config=params.analysis,
        codebook=snakemake.input.codebook,
        min_cell=params.min_cell,
        reliability=params.analysis["reliability"],
        languages=params.languages,
        dpi=params.dpi,
        label_file=snakemake.input.labels,
        outputs=params.outputs,
    )
)
