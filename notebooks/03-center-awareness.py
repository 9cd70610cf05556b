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
# # 03 What the centers say (認識調査)
#
# The awareness survey asked each answering center which agencies it needs to work with and
# why its involvement gets prolonged. This notebook sets those answers beside what the same
# centers reported case by case: the share of their cases followed up for long, and the share
# with each support barrier.
#
# Centers are organisations: their counts are shown as they are. Shares of a center's cases
# are only shown averaged over groups of centers, never per center. Reads only
# `data/processed/<run>/` and `results/<run>/` under `TEICHAKU_ROOT` (default: the repository
# root).

# %%
import pandas as pd
from IPython.display import Image, Markdown, display

from teichaku.analysis.dataset import build_center_dataset
from teichaku.notebook import open_run
from teichaku.report import build as rb
from teichaku.report.tables import models_table, to_markdown

run = open_run()  # the run in $TEICHAKU_ROOT (default: the repository)
codebook, labels, privacy = run.codebook, run.labels, run.privacy
inputs = run.report_inputs()
roster, awareness, analysis = inputs.roster, inputs.awareness, inputs.analysis
coefficients, spec = inputs.coefficients, inputs.spec
pd.set_option("display.max_columns", 60, "display.width", 160)
print(f"run folder: {run.root}")
print(
    f"{len(awareness)} centers answered the awareness survey, "
    f"{int(roster['responded'].sum())} of {len(roster)} sent case data"
)

# %% [markdown]
# ## The answers, beside the published percentages (report table 5)

# %%
tables, figures = run.report_tables(inputs), run.report_figures(inputs)
report = run.report(inputs)  # config/report.yaml: the tables and figures, by category
for item in report.tables:
    if item.category == "awareness":
        display(Markdown(to_markdown(tables[item.name])))
for item in report.figures:
    if item.category == "awareness":
        display(Image(data=figures[item.name], format="png"))

# %% [markdown]
# ## Which centers answered
#
# Operators and council membership of the centers that answered the awareness survey, of
# those that only sent case data, and of those that sent nothing.

# %%
status = pd.Series("case data only", index=roster.index)
status[~roster["responded"].astype(bool)] = "no case data"
status[roster["center_id"].isin(awareness["center_id"])] = "awareness survey"
overview = pd.crosstab(
    roster["operator"].map(lambda c: labels.level("roster", "operator", c)),
    status,
    rownames=[labels.var("roster", "operator")],
    colnames=[None],
)
overview.loc[labels.var("roster", "member")] = (
    roster.groupby(status)["member"].sum().reindex(overview.columns).astype(int)
)
display(overview)

# %% [markdown]
# ## Reasons for prolonged involvement against the centers' own cases
#
# For each reason: the centers that named it and those that did not, with the mean over
# centers of the share of their cases followed up long (the outcome of the secondary
# logistic model) and of the share of their cases with the matching support barrier of the
# case survey (matched by the item's wording).

# %%
outcome = rb.logistic_model(spec, coefficients).outcome
centers = build_center_dataset(analysis, awareness, outcome)
centers["share_prolonged"] = centers[f"{outcome}_yes"] / (
    centers[f"{outcome}_yes"] + centers[f"{outcome}_no"]
)
barriers = {
    v.item: v.name for v in codebook.tables["cases"].variables.values() if v.group == "barrier"
}
case_barrier = analysis.groupby("center_id")[list(barriers.values())].mean()
rows = []
for var in codebook.tables["awareness"].variables.values():
    if var.group != "reason":
        continue
    barrier = barriers.get(var.item)
    named = centers[var.name].fillna(False).astype(bool)
    for answer, group in ((True, centers[named]), (False, centers[~named])):
        rows.append(
            {
                "reason": var.label_ja,
                "named": answer,
                "centers": len(group),
                f"mean share {outcome}": group["share_prolonged"].mean(),
                "mean share with the barrier": (
                    case_barrier.loc[group["center_id"], barrier].mean()
                    if barrier
                    else float("nan")
                ),
            }
        )
pd.DataFrame(rows).set_index(["reason", "named"]).round(3)

# %% [markdown]
# ## Center-level model
#
# Binomial model of each center's prolonged and not-prolonged cases on the reasons it named
# (Pearson-scaled for overdispersion): the models with role `center` in the specification.

# %%
center_models = [m.name for m in spec.models if m.role == "center"]
display(
    Markdown(
        to_markdown(
            models_table(
                coefficients[coefficients["model"].isin(center_models)],
                rb.model_labels(spec),
                labels,
                privacy,
            )
        )
    )
)
