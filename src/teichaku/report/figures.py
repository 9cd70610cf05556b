"""The report's figures. Each function takes aggregates (never case rows to plot), draws one
figure in the shared style and saves it as PNG (300 dpi) and vector PDF.

Every panel states its n; curves are cut where fewer than ``min_cell`` remain at risk. The
figures of person counts (1-3) draw what tables 1-3 publish: a share, mean or count whose
cells the joint protection of those tables suppresses (primary or secondary,
:mod:`teichaku.report.protection`) is left out with a note, and a suppressed n is the marker.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from teichaku.disclosure import Protection
from teichaku.published import ITEMS
from teichaku.report import style
from teichaku.report.groups import cohort_group_keys, item_label
from teichaku.report.labels import Labels
from teichaku.report.protection import ALL, item_shown
from teichaku.report.suppress import Privacy, mask_curves

style.apply_style()

#: Width of a full-page figure in inches (A4 text width); heights are set per figure.
WIDTH = 6.7


@dataclass(frozen=True)
class FigureContext:
    labels: Labels
    privacy: Privacy
    dpi: int
    out_dir: Path

    def save(self, fig, name: str) -> list[Path]:
        return style.save_figure(fig, Path(self.out_dir) / name, self.dpi)

    def note(self, fig, *texts: str) -> None:
        """Footnote(s) at the bottom left of the figure."""
        text = " ".join(t for t in texts if t)
        if text:
            fig.text(0.01, 0.01, text, fontsize=7, ha="left", va="bottom", color="#333333")


def _n_text(ctx: FigureContext, n) -> str:
    """A panel's n (a count of cases: small ones suppressed)."""
    return ctx.labels.text("n_panel", n=ctx.privacy.count(n))


def _n_range_text(ctx: FigureContext, ns) -> str:
    """The range of the panels' n; an n published as the marker is the low end."""
    values = [n for n in ns if n is not None and not (isinstance(n, float) and math.isnan(n))]
    counts = [int(n) for n in values if not isinstance(n, str)]
    hidden = len(counts) < len(values)
    low = ctx.privacy.marker if hidden or not counts else min(counts)
    high = max(counts) if counts else ctx.privacy.marker
    if low == high:
        return _n_text(ctx, low)
    return ctx.labels.text(
        "n_range_panel", low=ctx.privacy.count(low), high=ctx.privacy.count(high)
    )


def _panel_n(ax, text: str) -> None:
    """The panel's n, above its top right corner (clear of bars and curves)."""
    ax.text(1.0, 1.02, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=7)


def _log_ratio_axis(axis) -> None:
    """A log axis for ratios with plain tick labels (0.5, 0.75, 1, 1.5, 2, 3, ...)."""
    axis.set_major_locator(mticker.LogLocator(base=2, subs=(1.0, 1.5)))
    axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


# --------------------------------------------------------------------------- coverage


def coverage_figure(ctx: FigureContext, computed: dict, protection: Protection) -> list[Path]:
    """Survey coverage: centers asked and responded, cases targeted and reported.

    ``computed`` holds the published sections computed from the data (numbers.json
    ``published``); the cases reported are drawn where table 1 publishes their count."""
    t, survey = ctx.labels.text, computed["survey"]
    cases_shown = protection.shown(("size", ALL))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 2.6))
    fig.subplots_adjust(left=0.08, right=0.98, top=0.85, bottom=0.18, wspace=0.35)
    panels = [
        (t("coverage_centers"), survey["n_centers_asked"], survey["n_centers_responded"]),
        (t("coverage_cases"), survey["n_cases_target"], survey["n_cases"]),
    ]
    for j, (ax, (title, asked, answered)) in enumerate(zip(axes, panels, strict=True)):
        # centers are shown as counted; cases are people (as table 1 publishes them)
        hidden = j == 1 and not cases_shown
        ax.bar(
            [t("asked"), t("responded")],
            [asked, np.nan if hidden else answered],
            color=[style.GREY, style.OKABE_ITO[0]],
            width=0.6,
        )
        for x, v in enumerate((asked, answered)):
            shown = protection.marker if hidden and x == 1 else f"{int(v):,}"
            ax.text(x, 0 if hidden and x == 1 else v, shown, ha="center", va="bottom", fontsize=8)
        ax.set_title(title)
        ax.set_ylim(0, asked * 1.2)
        if asked and not hidden:
            _panel_n(ax, f"{100.0 * answered / asked:.1f}%")
    return ctx.save(fig, "fig1_coverage")


# --------------------------------------------------------------------------- attributes


def attribute_values(items, computed: dict, valid_n: dict, protection: Protection) -> list:
    """(value, valid n) of each overall figure of ``items`` (published.ITEMS) as table 1
    prints it: the value NaN where the table shows the marker, the n the count or the
    marker."""
    out = []
    for item in items:
        n = valid_n[item.section][item.key]
        if n and not protection.shown(("valid", item.column, ALL)):
            n = protection.marker
        value = computed[item.section][item.key] if item_shown(protection, item, ALL) else np.nan
        out.append((value, n))
    return out


def basic_attributes_figure(
    ctx: FigureContext,
    computed: dict,
    published: dict | None,
    valid_n: dict,
    protection: Protection,
) -> list[Path]:
    """Published basic attributes beside the values computed from the data: shares on one
    panel, each mean on its own small panel (their scales differ); computed as bars,
    published as markers (none for a round without published figures). A value table 1
    does not publish (overall column) is no bar."""
    section = "basic_attributes"
    t = ctx.labels.text
    items = [i for i in ITEMS if i.section == section]
    shares = [i for i in items if i.kind == "pct"]
    means = [i for i in items if i.kind == "mean"]
    fig = plt.figure(figsize=(WIDTH, 5.6))
    upper = fig.add_gridspec(1, 1, left=0.36, right=0.97, top=0.9, bottom=0.4)
    lower = fig.add_gridspec(
        1, len(means), left=0.04, right=0.97, top=0.24, bottom=0.08, wspace=0.35
    )

    def draw(ax, its, xlabel):
        y = np.arange(len(its))[::-1]
        shown, ns = zip(*attribute_values(its, computed, valid_n, protection), strict=True)
        ax.barh(y, shown, color=style.OKABE_ITO[0], height=0.6, label=t("computed"))
        if published is not None:
            ax.scatter(
                [float(published[section][i.key]) for i in its],
                y,
                marker="D",
                color=style.OKABE_ITO[1],
                zorder=3,
                s=18,
                label=t("published"),
            )
        ax.set_xlabel(xlabel)
        _panel_n(ax, _n_range_text(ctx, ns))
        return y

    if not all(item_shown(protection, i, ALL) for i in items):
        ctx.note(fig, t("suppressed_figure_note", min_cell=ctx.privacy.min_cell))
    top = fig.add_subplot(upper[0, 0])
    y = draw(top, shares, t("share"))
    top.set_yticks(y, [item_label(i, ctx.labels) for i in shares])
    top.set_xlim(0, 100)
    if published is not None:
        top.legend(loc="lower left", bbox_to_anchor=(0.0, 1.06), ncol=2)
    for j, item in enumerate(means):
        ax = fig.add_subplot(lower[0, j])
        draw(ax, [item], t("mean"))
        ax.set_yticks([])
        value = computed[section][item.key]
        if not item_shown(protection, item, ALL):
            value = 0.0  # not drawn: the axis follows the published value alone
        high = max(value, float(published[section][item.key]) if published else 0.0)
        ax.set_xlim(0, (high or 1.0) * 1.15)
        ax.set_title(item_label(item, ctx.labels), fontsize=7, loc="left", pad=14)
    return ctx.save(fig, "fig2_basic_attributes")


# --------------------------------------------------------------------------- support


def group_shares(labels: Labels, protection: Protection, group: str):
    """The items of a codebook group of marks, and per cohort: label, valid n and the % of
    each item, as table 2 publishes them (n: the count or the marker; %: NaN where the
    table shows the marker)."""
    items = labels.group_items("cases", group)
    out = []
    for code in cohort_group_keys(labels)[1:]:
        pct, ns = [], []
        for var in items:
            valid, count = ("valid", var.name, code), ("count", var.name, "yes", code)
            n = protection.table.value(valid) if valid in protection.table.cells else 0
            ns.append(n if not n or protection.shown(valid) else protection.marker)
            shown = n and protection.share_shown(count, valid)
            pct.append(100.0 * protection.table.value(count) / n if shown else np.nan)
        out.append((labels.level("cases", "cohort", code), ns, pct))
    return items, out


def support_figure(
    ctx: FigureContext,
    protection: Protection,
    groups=("act", "guar", "link"),
    name="fig3_support",
) -> list[Path]:
    """The seed's three charts: % of cases receiving each support, by cohort (what table 2
    publishes)."""
    fig, axes = plt.subplots(len(groups), 1, figsize=(WIDTH, 2.3 * len(groups)))
    axes = np.atleast_1d(axes)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.1, hspace=0.75)
    any_hidden = False
    for ax, group in zip(axes, groups, strict=True):
        items, per_cohort = group_shares(ctx.labels, protection, group)
        x = np.arange(len(items))
        width = 0.8 / max(len(per_cohort), 1)
        all_ns = []
        for j, (label, ns, pct) in enumerate(per_cohort):
            all_ns += [n for n in ns if n]
            any_hidden |= any(math.isnan(p) for p in pct)
            bars = ax.bar(
                x + (j - (len(per_cohort) - 1) / 2) * width,
                pct,
                width,
                label=label,
                color=style.OKABE_ITO[j],
            )
            ax.bar_label(bars, fmt="%.0f", fontsize=6, padding=1)
        ax.set_xticks(x, [v.label(ctx.labels.language) for v in items])
        ax.set_xlim(-0.5, len(items) - 0.5)
        ax.set_ylim(0, 110)
        ax.set_ylabel(ctx.labels.text("share"))
        ax.set_title(ctx.labels.group("cases", group), loc="left")
        if all_ns:
            _panel_n(ax, _n_range_text(ctx, all_ns))
    axes[0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.16), ncol=len(per_cohort))
    if any_hidden:
        ctx.note(fig, ctx.labels.text("suppressed_figure_note", min_cell=ctx.privacy.min_cell))
    return ctx.save(fig, name)


# --------------------------------------------------------------------------- curves


def _draw_curves(
    ax,
    ctx: FigureContext,
    curves: pd.DataFrame,
    groups: list[tuple[str, str, str]],
    horizons: dict | None = None,
    colors=None,
) -> list[int]:
    """Step curves with confidence bands for the given (by, group, legend label);
    returns the n at risk at the start of each drawn group.

    Curves list only event times; ``horizons`` ((by, group) -> months) carries the last
    step on to the time up to which at least min_cell people are still followed.
    """
    starts = []
    for j, (by, group, label) in enumerate(groups):
        g = curves[(curves["by"] == by) & (curves["group"] == group)]
        g = g.sort_values("time", kind="stable")
        if g.empty:
            continue
        horizon = (horizons or {}).get((by, group))
        if horizon is not None and horizon > g["time"].iloc[-1]:
            g = pd.concat([g, g.iloc[[-1]].assign(time=horizon)], ignore_index=True)
        n0 = int(g["n_at_risk"].iloc[0])
        starts.append(n0)
        color = (colors or style.OKABE_ITO)[j % len(style.OKABE_ITO)]
        ax.step(
            g["time"],
            g["estimate"],
            where="post",
            color=color,
            label=f"{label} ({_n_text(ctx, n0)})",
            linewidth=1.2,
        )
        ax.fill_between(
            g["time"], g["lower"], g["upper"], step="post", color=color, alpha=0.15, linewidth=0
        )
    return starts


def km_figure(
    ctx: FigureContext,
    curves: pd.DataFrame,
    curve: str,
    groups: list[tuple[str, str, str]],
    horizons: dict | None = None,
) -> list[Path]:
    """Kaplan-Meier: proportion still followed up, by cohort."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.95, bottom=0.2)
    _draw_curves(ax, ctx, masked, groups, horizons)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(ctx.labels.text("months"))
    ax.set_ylabel(ctx.labels.text("still_followed"))
    ax.legend(loc="center right")
    ctx.note(fig, ctx.labels.text("curve_note", min_cell=ctx.privacy.min_cell))
    return ctx.save(fig, "fig4_km_followup")


def _incidence_panels(n_panels: int, bottom_inches: float | None = None):
    """Figure and axes of cumulative-incidence panels, two a row, sharing their axes
    (Figures 5 and 9); ``bottom_inches`` leaves that much room under them (else 14 %)."""
    nrows = math.ceil(n_panels / 2)
    height = 2.7 * nrows
    fig, axes = plt.subplots(
        nrows, 2, figsize=(WIDTH, height), sharex=True, sharey=True, squeeze=False
    )
    bottom = 0.14 if bottom_inches is None else bottom_inches / height
    fig.subplots_adjust(left=0.1, right=0.98, top=0.93, bottom=bottom, hspace=0.45, wspace=0.1)
    return fig, axes


def _label_incidence_panels(ctx: FigureContext, axes, n_panels: int) -> None:
    """Hide the unused panels; months under the last row, cumulative incidence left."""
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(ctx.labels.text("months"))
    for ax in axes[:, 0]:
        ax.set_ylabel(ctx.labels.text("cum_incidence"))


def cif_figure(
    ctx: FigureContext,
    curves: pd.DataFrame,
    curve: str,
    panels: list[tuple[str, list[tuple[str, str, str]]]],
    horizons: dict | None = None,
) -> list[Path]:
    """Cumulative incidence of transition, one panel per barrier (with / without)."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    fig, axes = _incidence_panels(len(panels))
    for ax, (title, groups) in zip(axes.flat, panels, strict=False):
        _draw_curves(ax, ctx, masked, groups, horizons)
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_ylim(0, 1.0)
        ax.legend(loc="upper left", fontsize=7)
    _label_incidence_panels(ctx, axes, len(panels))
    ctx.note(fig, ctx.labels.text("curve_note", min_cell=ctx.privacy.min_cell))
    return ctx.save(fig, "fig5_cif_transition")


#: ``value`` of results/models/cif_predicted.parquet for each yes/no group of a curve
PREDICTED_VALUE = {"yes": 1, "no": 0}


def cut_prediction(
    predicted: pd.DataFrame, group: tuple[str, str, str], horizons: dict
) -> pd.DataFrame:
    """The predicted curve of a curve group (by = the term, group yes/no = value 1/0), up to
    the group's horizon (the time up to which at least min_cell of the group are still
    followed); empty for a group without one (fewer than min_cell) or not yes/no."""
    by, name, _ = group
    horizon = horizons.get((by, name))
    if horizon is None or name not in PREDICTED_VALUE:
        return predicted.iloc[0:0]
    g = predicted[(predicted["term"] == by) & (predicted["value"] == PREDICTED_VALUE[name])]
    return g[g["time"] <= horizon].sort_values("time", kind="stable")


def fine_gray_cif_figure(
    ctx: FigureContext,
    curves: pd.DataFrame,
    curve: str,
    predicted: pd.DataFrame,
    panels: list[tuple[str, list[tuple[str, str, str]]]],
    horizons: dict | None = None,
    reason: str = "",
) -> list[Path]:
    """Cumulative incidence of transition per barrier: the Aalen-Johansen curves with and
    without it (as Figure 5) and, dashed in the same colours, the Fine-Gray model's
    prediction for the barrier present and absent, the other terms at their sample means
    (results/models/cif_predicted.parquet: ``term``, ``value`` 1/0, ``time``, ``cif``).
    A prediction is cut, like its group's curve, at the time up to which at least min_cell
    of that group are still followed (``horizons``), and not drawn for a group below
    min_cell. ``reason``: why the model is not reported (no predictions are drawn then)."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    # room under the axes for the tick labels, the axis title and three lines of notes
    fig, axes = _incidence_panels(len(panels), bottom_inches=1.1)
    shown = predicted.iloc[0:0] if reason else predicted
    for ax, (title, groups) in zip(axes.flat, panels, strict=False):
        _draw_curves(ax, ctx, masked, groups, horizons)
        for j, (_, _, label) in enumerate(groups):
            g = cut_prediction(shown, groups[j], horizons or {})
            if g.empty:
                continue
            ax.step(
                g["time"],
                g["cif"],
                where="post",
                color=style.OKABE_ITO[j % len(style.OKABE_ITO)],
                linestyle="--",
                linewidth=1.0,
                label=f"{label}: {ctx.labels.text('fine_gray_predicted')}",
            )
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_ylim(0, 1.0)
        ax.legend(loc="upper left", fontsize=6)
    _label_incidence_panels(ctx, axes, len(panels))
    notes = " ".join(
        t
        for t in (
            ctx.labels.text("fine_gray_note"),
            reason,
            ctx.labels.text("curve_note", min_cell=ctx.privacy.min_cell),
        )
        if t
    )
    ctx.note(fig, textwrap.fill(notes, 90 if ctx.labels.language == "ja" else 130))
    return ctx.save(fig, "fig9_fine_gray_cif")


# --------------------------------------------------------------------------- models


def forest_figure(
    ctx: FigureContext,
    coefficients: pd.DataFrame,
    models: list[tuple[str, str, str]],
    exclude=(),
    reasons: dict[str, str] | None = None,
) -> list[Path]:
    """Forest plot, one panel per (model, title, scale label, direction): estimates with
    their confidence intervals on a log scale, each estimate printed beside its point, and
    under the axis what a ratio below and above 1 means (``direction``); n, events and
    clusters under each title. Terms in ``exclude`` (intercepts, variance components) are
    not drawn. A model not reported (``reasons``: model -> why) shows why instead of
    estimates; one reported without intervals shows its estimates alone."""
    reasons = reasons or {}
    term_label = f"label_{ctx.labels.language}"
    fig, axes = plt.subplots(1, len(models), figsize=(WIDTH, 4.0), sharey=True, squeeze=False)
    fig.subplots_adjust(left=0.34, right=0.97, top=0.74, bottom=0.17, wspace=0.15)
    chosen = coefficients[
        coefficients["model"].isin([m[0] for m in models])
        & ~coefficients["term"].isin(list(exclude))
    ]
    terms = list(dict.fromkeys(chosen["term"]))
    firsts = chosen.drop_duplicates("term")
    labels = dict(zip(firsts["term"], firsts[term_label], strict=True))
    for ax, (model, title, scale, direction) in zip(axes[0], models, strict=True):
        g = coefficients[coefficients["model"] == model].set_index("term")
        y = np.arange(len(terms))[::-1]
        drawn = 0
        for yi, term in zip(y, terms, strict=True):
            if term not in g.index or pd.isna(g.loc[term, "estimate"]):
                continue
            r = g.loc[term]
            drawn += 1
            if pd.notna(r["conf_low"]) and pd.notna(r["conf_high"]):
                ax.plot([r["conf_low"], r["conf_high"]], [yi, yi], color=style.OKABE_ITO[0], lw=1.2)
            ax.plot([r["estimate"]], [yi], "s", color=style.OKABE_ITO[0], markersize=4)
            ax.annotate(
                f"{r['estimate']:.2f}",
                (r["estimate"], yi),
                xytext=(0, 3.5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=6,
            )
        ax.axvline(1.0, color=style.GREY, lw=0.8, ls="--")
        ax.set_xscale("log")
        _log_ratio_axis(ax.xaxis)
        ax.set_xlabel(f"{scale}\n{direction}", fontsize=7)
        if model in reasons:
            width = 16 if ctx.labels.language == "ja" else 30
            ax.text(
                0.5,
                0.5 if not drawn else 0.02,
                textwrap.fill(reasons[model], width),
                transform=ax.transAxes,
                ha="center",
                va="center" if not drawn else "bottom",
                fontsize=7,
                color="#333333",
            )
            if not drawn:
                ax.set_xlim(0.5, 2.0)
        counts = []
        if not g.empty:
            first = g.iloc[0]
            counts.append(ctx.labels.text("n_panel", n=ctx.privacy.count(first["n"])))
            if pd.notna(first["n_events"]):
                counts.append(
                    f"{ctx.labels.text('n_events')} {ctx.privacy.count(first['n_events'])}"
                )
            if pd.notna(first["n_clusters"]):
                counts.append(f"{ctx.labels.text('n_clusters')} {int(first['n_clusters'])}")
        width = 20 if ctx.labels.language == "ja" else 34
        ax.set_title(textwrap.fill(title, width) + "\n" + "\n".join(counts), fontsize=7)
    axes[0][0].set_yticks(np.arange(len(terms))[::-1], [labels.get(t, t) for t in terms])
    return ctx.save(fig, "fig6_forest")


def threshold_figure(
    ctx: FigureContext,
    coefficients: pd.DataFrame,
    by_threshold: list[tuple[int, str]],
    terms: list[str],
    reasons: dict[str, str] | None = None,
) -> list[Path]:
    """Odds ratio of each term against the threshold defining prolonged follow-up. A
    threshold whose model is not reported has no points and is marked under its tick."""
    reasons = reasons or {}
    term_label = f"label_{ctx.labels.language}"
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    fig.subplots_adjust(left=0.1, right=0.6, top=0.92, bottom=0.16)
    ks = [k for k, _ in by_threshold]
    ns = []
    offsets = np.linspace(-0.2, 0.2, max(len(terms), 1))
    for j, term in enumerate(terms):
        est, low, high, xs, label = [], [], [], [], term
        for x, (_, model) in enumerate(by_threshold):
            hit = coefficients[(coefficients["model"] == model) & (coefficients["term"] == term)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            label = r[term_label]
            ns.append(r["n"])
            if pd.isna(r["estimate"]):
                continue
            xs.append(x + offsets[j])
            est.append(r["estimate"])
            # no interval published (few clusters): the point alone
            low.append(r["conf_low"] if pd.notna(r["conf_low"]) else r["estimate"])
            high.append(r["conf_high"] if pd.notna(r["conf_high"]) else r["estimate"])
        est, low, high = map(np.asarray, (est, low, high))
        color = style.OKABE_ITO[j % len(style.OKABE_ITO)]
        ax.errorbar(
            xs,
            est,
            yerr=[est - low, high - est],
            fmt="o-",
            color=color,
            ms=3,
            lw=1,
            capsize=2,
            label=label,
        )
    ax.axhline(1.0, color=style.GREY, lw=0.8, ls="--")
    ax.set_yscale("log")
    _log_ratio_axis(ax.yaxis)
    ax.set_xticks(
        range(len(ks)),
        [
            f"{k}\n({ctx.labels.text('not_reported')})" if m in reasons else str(k)
            for k, m in by_threshold
        ],
    )
    ax.set_xlabel(ctx.labels.text("threshold"))
    ax.set_ylabel(ctx.labels.text("odds_ratio"))
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7)
    if ns:
        _panel_n(ax, _n_range_text(ctx, ns))
    shown_reasons = dict.fromkeys(reasons[m] for _, m in by_threshold if m in reasons)
    if shown_reasons:
        ctx.note(fig, *(textwrap.fill(r, 110) for r in shown_reasons))
    return ctx.save(fig, "fig7_threshold_sensitivity")


# --------------------------------------------------------------------------- awareness


def awareness_figure(
    ctx: FigureContext, awareness: pd.DataFrame, published: dict | None
) -> list[Path]:
    """Awareness survey: % of answering centers per item, published values as markers
    (none for a round without published figures)."""
    labels, t = ctx.labels, ctx.labels.text
    groups = list(labels.codebook.tables["awareness"].groups)
    n = len(awareness)
    fig, axes = plt.subplots(len(groups), 1, figsize=(WIDTH, 1.6 + 1.0 * len(groups) * 1.6))
    fig.subplots_adjust(left=0.38, right=0.97, top=0.9, bottom=0.1, hspace=0.6)
    for ax, group in zip(np.atleast_1d(axes), groups, strict=True):
        items = labels.group_items("awareness", group)
        y = np.arange(len(items))[::-1]
        pct = [
            100.0 * awareness[v.name].fillna(False).astype(bool).sum() / n if n else np.nan
            for v in items
        ]
        bars = ax.barh(y, pct, color=style.OKABE_ITO[2], height=0.6, label=t("computed"))
        ax.bar_label(bars, fmt="%.1f", fontsize=7, padding=8)
        if published is not None:
            pub = [published["awareness"].get(f"pct_{v.name}") for v in items]
            py = [yy for yy, p in zip(y, pub, strict=True) if p is not None]
            ax.scatter(
                [float(p) for p in pub if p is not None],
                py,
                marker="D",
                s=18,
                color=style.OKABE_ITO[1],
                zorder=3,
                label=t("published"),
            )
        ax.set_yticks(y, [v.label(labels.language) for v in items])
        ax.set_xlim(0, 110)
        ax.set_title(labels.group("awareness", group), loc="left", fontsize=9)
        ax.set_xlabel(t("percent_of_centers", n=n))
        _panel_n(ax, t("n_panel", n=n))
    if published is not None:
        np.atleast_1d(axes)[0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.12), ncol=2)
    return ctx.save(fig, "fig8_awareness")
