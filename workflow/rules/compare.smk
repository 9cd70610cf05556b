# Comparison of survey rounds (`snakemake compare`): the runs listed under config compare:
# (at least two; each built like any run), compared in results/compare/: the headline
# figures and the four barriers round by round, the primary model on the pooled rounds with
# round interactions (a test of difference, SEs clustered by center), and the continuing
# cases of each round followed into the next through the pseudonym (teichaku.compare).

COMPARE_RUNS = config["compare"]
if "compare" in RUNS:
    sys.exit("a run may not be named compare: results/compare/ holds the comparison of runs")
COMPARE_LANGUAGES = config["report"]["languages"]
# what the comparison writes, by the stage's output names (figures: stems, .png and .pdf)
COMPARE_FILES = paths.compare_outputs(COMPARE_LANGUAGES)
COMPARE_OUTPUTS = [p for k, p in COMPARE_FILES.items() if not k.startswith("figure_")] + [
    f"{p}.{ext}"
    for k, p in COMPARE_FILES.items()
    if k.startswith("figure_")
    for ext in ("png", "pdf")
]


# name and reference date of each compared run (its survey section)
COMPARE_ROUNDS = [
    {"name": name, "reference_date": str(RUNS[name]["survey"]["reference_date"])}
    for name in COMPARE_RUNS
]


rule compare_rounds:
    input:
        analysis=expand(paths.ANALYSIS_DATASET, run=COMPARE_RUNS),
        numbers=expand(paths.NUMBERS, run=COMPARE_RUNS),
        models=config["analysis"]["models"],
        codebook=paths.fill(paths.ROUND_CODEBOOK, run=(COMPARE_RUNS or [RUN])[0]),
        labels=REPORT_ASSETS / "labels.yaml",
    output:
        COMPARE_OUTPUTS,
    log:
        paths.COMPARE_LOG,
    benchmark:
        paths.COMPARE_BENCHMARK
    conda:
        ENV
    params:
        rounds=COMPARE_ROUNDS,
        analysis=config["analysis"],
        # the strictest rule of the compared runs
        min_cell=max(RUNS[name]["privacy"]["min_cell"] for name in COMPARE_RUNS or [RUN]),
        languages=COMPARE_LANGUAGES,
        dpi=config["report"]["dpi"],
        outputs=COMPARE_FILES,
    message:
        f"Comparing the runs of compare: ({', '.join(COMPARE_RUNS)}) into {paths.COMPARE_DIR}/"
    script:
        "../scripts/compare_rounds.py"
