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
# # 01 Explore the cases (フォローアップ対象者票の概観)
#
# A first look at what ingestion kept: how many rows were read, rejected and flagged, how the
# clean tables compare with the published 2021 summary, and the distributions to check before
# modelling.
#
# The notebook reads only the outputs of a workflow run — `data/processed/<run>/` and
# `results/<run>/` (the run named by the configuration's `run`) under the folder named by the
# environment variable `TEICHAKU_ROOT` (default: the repository root) — never the raw files.
# Run `snakemake` first. Counts of persons below `privacy.min_cell` are shown as `<min_cell`,
# as in the report.

# %%
import json

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from teichaku import paths
from teichaku.notebook import open_run
from teichaku.published import (
    compare_published,
    compute_published,
    compute_valid_n,
    load_published,
)
from teichaku.report import style
from teichaku.report.tables import basic_attributes_table, support_table, to_markdown

run = open_run()  # the run in $TEICHAKU_ROOT (default: the repository)
config, codebook, labels, privacy = run.config, run.codebook, run.labels, run.privacy
published = load_published(run.path(config["published"]))
style.apply_style()
pd.set_option("display.max_columns", 60, "display.width", 160)
print(f"run folder: {run.root}")

# %%
roster = pd.read_parquet(run.file(paths.PROCESSED["roster"]))
cases = pd.read_parquet(run.file(paths.PROCESSED["cases"]))
awareness = pd.read_parquet(run.file(paths.PROCESSED["awareness"]))
pd.DataFrame(
    {
        "rows": [len(roster), len(cases), len(awareness)],
        "columns": [roster.shape[1], cases.shape[1], awareness.shape[1]],
    },
    index=["roster", "cases", "awareness"],
)

# %% [markdown]
# ## What ingestion read, kept and rejected
#
# `results/<run>/validation/summary.json` counts every row read: it is in the clean table, among the
# rejected rows, or counted as an exact duplicate. The rejected rows themselves stay under
# `data/processed/<run>/` (they hold raw values); here only their rules and columns are counted.

# %%
summary = json.loads(run.file(paths.VALIDATION_JSON).read_text(encoding="utf-8"))
print(json.dumps(summary, ensure_ascii=False, indent=1)[:3000])

# %%
rejected = pd.read_parquet(run.file(paths.REJECTED_ROWS))
by_rule = [c for c in ("table", "rule", "column") if c in rejected.columns]
(
    rejected.groupby(by_rule, observed=True)
    .size()
    .rename("failures")
    .sort_values(ascending=False)
    .to_frame()
    if len(rejected)
    else "no rejected rows"
)

# %%
warnings = [c for c in cases.columns if c.startswith("warn_")]
pd.DataFrame(
    {
        "flagged cases": [privacy.count(cases[c].sum()) for c in warnings],
        "% of cases": [privacy.percent(cases[c].sum(), len(cases)) for c in warnings],
    },
    index=warnings,
)

# %% [markdown]
# ## The published 2021 figures, recomputed
#
# Every figure of the summary computed from the clean tables and rounded at its printed
# precision (`teichaku.published`); `ok` says whether it matches.

# %%
computed = compute_published(roster, cases, awareness, codebook)
valid_n = compute_valid_n(roster, cases, awareness, codebook)
comparison = pd.DataFrame([vars(c) for c in compare_published(computed, published, valid_n)]).drop(
    columns="computed"
)
display(comparison)

# %%
display(
    Markdown(
        to_markdown(
            basic_attributes_table(published, computed, roster, cases, awareness, labels, privacy)
        )
    )
)

# %% [markdown]
# ## Centers and their cases
#
# Centers are organisations, not persons: their counts are shown as they are; the number of
# cases of a single center is not shown.

# %%
per_center = cases.groupby("center_id").size().rename("cases")
centers = roster.set_index("center_id").join(per_center).fillna({"cases": 0})
centers["reported / target"] = centers["cases"] / centers["n_target"].astype("float64")
centers.groupby("responded")[["n_target", "cases"]].agg(["count", "sum", "median"])

# %%
ax = per_center.plot.hist(bins=15, color=style.OKABE_ITO[0], figsize=(6, 3))
ax.set_xlabel(f"{labels.text('cases')} / {labels.var('cases', 'center_id')}")
ax.set_ylabel(labels.text("centers"))
plt.show()

# %% [markdown]
# ## Cohorts and how follow-up ended
#
# 調査区分 × 終了理由 (counts of persons; open follow-up has no end reason).


# %%
def crosstab(row: str, col: str) -> pd.DataFrame:
    """Counts of persons by two codebook categories in codebook order, labelled, small cells
    suppressed; a missing answer is its own row or column "—"."""
    row_values, col_values = (cases[v].cat.add_categories("—").fillna("—") for v in (row, col))
    table = pd.crosstab(row_values, col_values, dropna=False)
    codes = {v: codebook.variable("cases", v).codes for v in (row, col)}
    table.index = [labels.level("cases", row, c) if c in codes[row] else c for c in table.index]
    table.columns = [labels.level("cases", col, c) if c in codes[col] else c for c in table.columns]
    return table.map(privacy.count)


crosstab("cohort", "end_reason")

# %%
crosstab("first_residence", "current_residence")

# %% [markdown]
# ## Characteristics of the persons
#
# Percentiles rather than extremes, so that no single person shows.

# %%
numeric = ["age", "iq", "prison_admissions", "residence_changes", "contacts"]
quantiles = [0.1, 0.25, 0.5, 0.75, 0.9]
(cases.groupby("cohort", observed=True)[numeric].quantile(quantiles).unstack(level=0).T.round(1))

# %%
pd.DataFrame(
    {
        labels.var("cases", v): cases[v]
        .value_counts()
        .reindex(codebook.variable("cases", v).codes, fill_value=0)
        .map(privacy.count)
        for v in ("ryoiku_techo", "seishin_techo", "shintai_techo")
    }
).rename(index=lambda c: labels.level("cases", "ryoiku_techo", c))

# %%
cases["iq_status"].value_counts().map(privacy.count).to_frame("cases")

# %% [markdown]
# ## Missing answers per column
#
# Percent of case rows without a valid answer. Grouped mark columns are never missing within a
# file that has them (a blank means "no"); they are missing only where a file lacks the column.

# %%
missing = cases.isna().sum()
missing = missing[missing > 0].sort_values(ascending=False)
pd.DataFrame(
    {
        "missing": missing.map(privacy.count),
        "% of cases": [privacy.percent(k, len(cases)) for k in missing],
    }
)

# %% [markdown]
# ## Support given by the centers, by cohort (report table 2)

# %%
display(Markdown(to_markdown(support_table(cases, labels, privacy))))
