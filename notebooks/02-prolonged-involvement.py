# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 Prolonged involvement (支援の長期化)
#
# How long the centers stay involved, how follow-up ends, and which support barriers go with
# a slower hand-over to other agencies: the analysis dataset, the curves and the models of a
# workflow run, with the report's tables and figures rebuilt from them.
#
# Follow-up runs from its start (the release date when the start is missing) to its end, or to
# the survey's reference date for open cases, which are censored there. *Transition* means
# the follow-up ended in a stable life or a hand-over; every other end competes.
#
# Reads only `data/processed/<run>/` and `results/<run>/` under `TEICHAKU_ROOT` (default: the
# repository root). Counts of persons below `privacy.min_cell` are shown as `<min_cell`.

# %%
import json

import pandas as pd
from IPython.display import Image, Markdown, display

from teichaku import paths
from teichaku.analysis.dataset import EVENT_TYPES
from teichaku.notebook import open_run
from teichaku.report import build as rb
from teichaku.report.tables import to_markdown

run = open_run()  # the run in $TEICHAKU_ROOT (default: the repository)
labels, privacy = run.labels, run.privacy
inputs = run.report_inputs()
analysis, coefficients, spec = inputs.analysis, inputs.coefficients, inputs.spec
tables = run.report_tables(inputs)
figures = run.report_figures(inputs)
report = run.report(inputs)  # config/report.yaml: the tables and figures, by category
pd.set_option("display.max_columns", 60, "display.width", 160)
print(f"run folder: {run.root}")
print("report tables:", ", ".join(tables))
print("report figures:", ", ".join(sorted(figures)))

# %% [markdown]
# ## Follow-up time and how it ended

# %%
counts = pd.crosstab(analysis["cohort"], analysis["event_type"], dropna=False)
counts = counts.reindex(columns=list(EVENT_TYPES))
counts.index = [labels.level("cases", "cohort", c) for c in counts.index]
display(counts.map(privacy.count))

# %%
quantiles = [0.1, 0.25, 0.5, 0.75, 0.9]
(
    analysis.groupby(["cohort", "event_type"], observed=True)["followup_months"]
    .quantile(quantiles)
    .unstack()
    .round(1)
)

# %%
pd.Series(
    {
        "follow-up start imputed from the release date": privacy.count(
            analysis["start_imputed"].sum()
        ),
        "no usable follow-up time (left out of the time-to-event models)": privacy.count(
            analysis["time_invalid"].sum()
        ),
    }
).to_frame("cases")

# %% [markdown]
# ## Prolonged involvement by threshold
#
# `prolonged_k` is 1 when follow-up lasted at least k months, 0 when it ended earlier, and
# unknown for open cases shorter than k months.

# %%
prolonged = pd.DataFrame(
    [
        {
            "threshold (months)": k,
            "known": privacy.count(analysis[f"prolonged_{k}"].notna().sum()),
            "prolonged": privacy.count_of(
                analysis[f"prolonged_{k}"].sum(), analysis[f"prolonged_{k}"].notna().sum()
            ),
            "%": privacy.percent(
                analysis[f"prolonged_{k}"].sum(), analysis[f"prolonged_{k}"].notna().sum()
            ),
        }
        for k in inputs.thresholds
    ]
).set_index("threshold (months)")
display(prolonged)

# %% [markdown]
# ## Curves: still followed, and transition with the other ends competing

# %%
for item in report.figures:
    if item.category == "followup":
        display(Image(data=figures[item.name], format="png"))

# %% [markdown]
# ## Support barriers by cohort and by prolonged status (report table 3)

# %%
display(Markdown(to_markdown(tables["table3_barriers"])))

# %% [markdown]
# ## The models (report tables 4, 4b, 4c and figures 6, 7, 9)
#
# The primary model is the cause-specific Cox model of transition with standard errors
# clustered by center; every model states its n, events and clusters.

# %%
primary = rb.primary_model(spec, coefficients)
print(f"primary model: {primary.name} — {primary.label_en}")
for item in report.tables:
    if item.builder in ("models", "sensitivity"):
        display(Markdown(to_markdown(tables[item.name])))

# %%
for item in report.figures:
    if item.category == "models":
        display(Image(data=figures[item.name], format="png"))

# %% [markdown]
# ## Model checks
#
# Convergence, events per variable, variance inflation and the proportional-hazards test of
# every model (`results/<run>/models/diagnostics.csv`); anything not `ok` is listed.

# %%
diagnostics = pd.read_csv(run.file(paths.DIAGNOSTICS))
display(diagnostics.groupby(["model", "status"]).size().unstack(fill_value=0))
display(diagnostics[diagnostics["status"] != "ok"])

# %%
print(run.file(paths.fill(paths.FIT, model=primary.name)).read_text(encoding="utf-8"))

# %% [markdown]
# ## Key numbers of the run (`results/<run>/numbers.json`)
#
# Follow-up overall (median involvement with its confidence interval, events) and the
# primary model's barriers, as the summary quotes them.

# %%
print(
    json.dumps(
        {key: inputs.numbers[key] for key in ("followup", "primary")}, ensure_ascii=False, indent=1
    )
)
