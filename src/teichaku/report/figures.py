"""The report's figures. Each function takes aggregates (never case rows to plot), draws one
figure in the shared style and saves it as PNG (300 dpi) and vector PDF.

Every panel states its n; curves are cut where fewer than ``min_cell`` remain at risk. The
figures of person counts (1-3) draw what tables 1-3 publish: a share, mean or count whose
cells the joint protection of those tables suppresses (primary or secondary,
:mod:`teichaku.report.protection`) is left out with a note, and a suppressed n is the marker.
"""

from __future__ import annotations

import math
import re
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


def text_inches(fig, text: str, size: float) -> float:
    """Width in inches of ``text`` (its longest line) at font ``size`` in the figure's font,
    as the renderer measures it: margins are made to fit the labels they hold."""
    from matplotlib.font_manager import FontProperties

    renderer = fig.canvas.get_renderer()
    font = FontProperties(family=style.FONT_FAMILY, size=size)
    widths = [
        renderer.get_text_width_height_descent(line, font, ismath=False)[0]
        for line in str(text).split("\n")
    ]
    return max(widths, default=0.0) / fig.dpi


def _log_ratio_axis(axis) -> None:
    """A log axis for ratios with plain tick labels (0.5, 0.75, 1, 1.5, 2, 3, ...)."""
    axis.set_major_locator(mticker.LogLocator(base=2, subs=(1.0, 1.5)))
    axis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(mticker.NullFormatter())


# --------------------------------------------------------------------------- coverage


def coverage_figure(ctx: FigureContext, computed: dict, protection: Protection) -> list[Path]:
    """Survey coverage: centers asked and responded, cases targeted and reported, each
    panel titled with its response rate (responded of asked).

    ``computed`` holds the published sections computed from the data (numbers.json
    ``published``); the cases reported, and their response rate, are drawn where table 1
    publishes their count."""
    t, survey = ctx.labels.text, computed["survey"]
    cases_shown = protection.shown(("size", ALL))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 2.8))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.8, bottom=0.12, wspace=0.4)
    panels = [
        (
            t("coverage_centers"),
            t("n_centers_axis"),
            "response_rate_centers",
            survey["n_centers_asked"],
            survey["n_centers_responded"],
        ),
        (
            t("coverage_cases"),
            t("n_cases_axis"),
            "response_rate_cases",
            survey["n_cases_target"],
            survey["n_cases"],
        ),
    ]
    for j, (ax, (title, unit, rate_key, asked, answered)) in enumerate(
        zip(axes, panels, strict=True)
    ):
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
        ax.set_ylim(0, max(asked, 0 if hidden else answered, 1) * 1.15)
        ax.set_ylabel(unit)
        if asked and not hidden:
            rate = t(
                rate_key,
                pct=f"{100.0 * answered / asked:.1f}",
                k=f"{int(answered):,}",
                n=f"{int(asked):,}",
            )
            title = f"{title}\n{rate}"
        ax.set_title(title, fontsize=9)
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
    panel (computed as bars, published as markers), each mean on its own small panel in its
    unit (computed and published as points with their values, on a scale around them:
    the scales of the means differ). No marker for a round without published figures; a
    value table 1 does not publish (overall column) is not drawn."""
    section = "basic_attributes"
    t = ctx.labels.text
    items = [i for i in ITEMS if i.section == section]
    shares = [i for i in items if i.kind == "pct"]
    means = [i for i in items if i.kind == "mean"]
    fig = plt.figure(figsize=(WIDTH, 6.0))
    share_labels = [item_label(i, ctx.labels) for i in shares]
    label_width = max(text_inches(fig, label, 8) for label in share_labels)
    left = min(0.55, (label_width + 0.25) / WIDTH)
    upper = fig.add_gridspec(1, 1, left=left, right=0.97, top=0.9, bottom=0.42)
    lower = fig.add_gridspec(
        1, len(means), left=0.03, right=0.97, top=0.23, bottom=0.08, wspace=0.3
    )
    published_label = t("published")

    if not all(item_shown(protection, i, ALL) for i in items):
        ctx.note(fig, t("suppressed_figure_note", min_cell=ctx.privacy.min_cell))
    top = fig.add_subplot(upper[0, 0])
    y = np.arange(len(shares))[::-1]
    shown, ns = zip(*attribute_values(shares, computed, valid_n, protection), strict=True)
    top.barh(y, shown, color=style.OKABE_ITO[0], height=0.6, label=t("computed"))
    if published is not None:
        top.scatter(
            [float(published[section][i.key]) for i in shares],
            y,
            marker="D",
            color=style.OKABE_ITO[1],
            zorder=3,
            s=18,
            label=published_label,
        )
    top.set_xlabel(t("percent_of_cases"))
    _panel_n(top, _n_range_text(ctx, ns))
    top.set_yticks(y, share_labels)
    top.set_xlim(0, 100)
    if published is not None:
        top.legend(loc="lower left", bbox_to_anchor=(0.0, 1.06), ncol=2)
    for j, item in enumerate(means):
        ax = fig.add_subplot(lower[0, j])
        _mean_panel(ax, ctx, item, computed, published, valid_n, protection)
    return ctx.save(fig, "fig2_basic_attributes")


def _mean_panel(ax, ctx, item, computed, published, valid_n, protection) -> None:
    """One mean of Figure 2 in its unit: the computed value (and the published one, where
    there is one) as points on two rows, each value printed beside its point; the axis
    spans the values with room for the labels, not from 0 (colours and markers as the
    shares panel's key: computed blue, published orange diamonds)."""
    t = ctx.labels.text
    section = "basic_attributes"
    ((value, n),) = attribute_values([item], computed, valid_n, protection)
    rows = [(t("computed"), value, "o", style.OKABE_ITO[0])]
    if published is not None:
        rows.append((t("published"), float(published[section][item.key]), "D", style.OKABE_ITO[1]))
    values = [v for _, v, _, _ in rows if not math.isnan(v)]
    for yi, (_, v, marker, color) in enumerate(rows):
        if math.isnan(v):
            continue
        ax.scatter([v], [yi], marker=marker, color=color, s=22, zorder=3)
        ax.annotate(
            f"{v:.2f}",
            (v, yi),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
        )
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    span = max(high - low, 0.1 * max(abs(high), 1.0))
    # room on the right for the value printed beside the largest point
    ax.set_xlim(low - 0.6 * span, high + 1.4 * span)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(3))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks([])
    ax.set_xlabel(t("mean_axis", unit=t(f"unit_{item.column}")), fontsize=8)
    ax.set_title(ctx.labels.var(item.table, item.column), fontsize=7, loc="left", pad=14)
    _panel_n(ax, _n_text(ctx, n))


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
    fig.subplots_adjust(left=0.1, right=0.98, top=0.93, bottom=0.1, hspace=0.75)
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
        ax.set_ylabel(ctx.labels.text("percent_of_cases"))
        ax.set_title(ctx.labels.group("cases", group), loc="left")
        if all_ns:
            _panel_n(ax, _n_range_text(ctx, all_ns))
    axes[0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.16), ncol=len(per_cohort))
    if any_hidden:
        ctx.note(fig, ctx.labels.text("suppressed_figure_note", min_cell=ctx.privacy.min_cell))
    return ctx.save(fig, name)


# --------------------------------------------------------------------------- curves


@dataclass(frozen=True)
class DrawnCurve:
    """A curve as drawn: its (by, group), legend label, colour, the time it stops, and
    whether it never leaves its start (nobody had the event)."""

    key: tuple[str, str]
    label: str
    color: str
    stop: float
    flat: bool


def _curve_rows(curves: pd.DataFrame, by: str, group: str, horizon) -> pd.DataFrame:
    """The drawn steps of one group: its (masked) rows in time order, the last step carried
    on to ``horizon`` (curves list only event times)."""
    g = curves[(curves["by"] == by) & (curves["group"] == group)]
    g = g.sort_values("time", kind="stable")
    if not g.empty and horizon is not None and horizon > g["time"].iloc[-1]:
        g = pd.concat([g, g.iloc[[-1]].assign(time=horizon)], ignore_index=True)
    return g


def _present(curves: pd.DataFrame, groups) -> list[tuple[str, str, str]]:
    """The groups that have a (masked) curve to draw."""
    return [
        (by, group, label)
        for by, group, label in groups
        if ((curves["by"] == by) & (curves["group"] == group)).any()
    ]


def _draw_curves(
    ax,
    ctx: FigureContext,
    curves: pd.DataFrame,
    groups: list[tuple[str, str, str]],
    horizons: dict | None = None,
    flat_dashed: bool = False,
) -> list[DrawnCurve]:
    """Step curves with confidence bands for the given (by, group, legend label), each in
    the colour of its place in ``groups``; returns the drawn ones.

    ``horizons`` ((by, group) -> months) carries the last step on to the time up to which
    at least min_cell people are still followed. ``flat_dashed``: a curve that never
    leaves its start (in Figure 4 a cohort nobody of which has ended) is drawn dashed,
    without a band: it is not an estimate of anything."""
    drawn = []
    for j, (by, group, label) in enumerate(groups):
        g = _curve_rows(curves, by, group, (horizons or {}).get((by, group)))
        if g.empty:
            continue
        n0 = int(g["n_at_risk"].iloc[0])
        color = style.OKABE_ITO[j % len(style.OKABE_ITO)]
        flat = bool((g["estimate"] == g["estimate"].iloc[0]).all())
        dashed = flat and flat_dashed
        ax.step(
            g["time"],
            g["estimate"],
            where="post",
            color=color,
            label=f"{label} ({_n_text(ctx, n0)})",
            linewidth=1.2,
            linestyle="--" if dashed else "-",
        )
        if not dashed:
            ax.fill_between(
                g["time"], g["lower"], g["upper"], step="post", color=color, alpha=0.15, lw=0
            )
        drawn.append(DrawnCurve((by, group), label, color, float(g["time"].max()), flat))
    return drawn


#: Height in inches of one row of a number-at-risk table, and of its title.
AT_RISK_ROW = 0.15
AT_RISK_TITLE = 0.2
#: Font size of the numbers at risk and of notes.
AT_RISK_SIZE = 7
NOTE_SIZE = 7
#: Points between a table's row labels and the panel's left edge: clear of the half of the
#: number at time 0 that reaches left of it (up to six digits).
AT_RISK_PAD = 14


def wrap_to_width(fig, text: str, inches: float, size: float = NOTE_SIZE) -> str:
    """``text`` broken into lines no wider than ``inches`` at ``size`` (measured): between
    words, and in Japanese between any two characters (runs of Latin letters and digits
    kept whole)."""
    tokens = re.findall(r"[\x21-\x7e]+\s*|\s+|.", text)
    lines, line = [], ""
    for token in tokens:
        if line and text_inches(fig, (line + token).rstrip(), size) > inches:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    lines.append(line.rstrip())
    return "\n".join(lines)


def _note_block(ctx: FigureContext, fig, texts) -> tuple[str, float]:
    """The figure's notes wrapped to its width, and the height in inches they take."""
    joint = "" if ctx.labels.language == "ja" else " "
    text = wrap_to_width(fig, joint.join(t for t in texts if t), WIDTH - 0.2)
    return text, (text.count("\n") + 1) * NOTE_SIZE * 1.3 / 72 + 0.1


@dataclass
class CurveLayout:
    """Panels of curves, ``ncols`` a row, each with its number-at-risk table under it
    (Figures 4, 5 and 9), placed in inches so that the labels fit: the table's row labels
    left of it (in the left margin, and between columns where a panel's labels differ
    from its left neighbour's)."""

    fig: object
    axes: list
    tables: list


def _curve_layout(
    n_panels: int,
    ncols: int,
    curve_inches: float,
    table_labels: list[list[str]],
    notes_inches: float,
    titled: bool,
) -> CurveLayout:
    fig = plt.figure(figsize=(WIDTH, 4.0))
    nrows = math.ceil(n_panels / ncols)
    widths = [
        max((text_inches(fig, label, AT_RISK_SIZE) for label in labels), default=0.0)
        for labels in table_labels
    ]
    left = max(0.7, max(widths, default=0.0) + AT_RISK_PAD / 72 + 0.1)
    repeat = any(
        table_labels[i] != table_labels[i - 1] for i in range(len(table_labels)) if i % ncols
    )
    gap = (max(widths, default=0.0) + AT_RISK_PAD / 72 + 0.2) if repeat else 0.3
    right = 0.15
    width = (WIDTH - left - right - gap * (ncols - 1)) / ncols
    rows = max((len(labels) for labels in table_labels), default=0)
    table = AT_RISK_TITLE + AT_RISK_ROW * rows if rows else 0.0
    title = 0.3 if titled else 0.12
    below = 0.5  # tick labels and the months under them
    block = title + curve_inches + below + table + 0.15
    height = 0.05 + nrows * block + notes_inches
    fig.set_size_inches(WIDTH, height)
    axes, tables = [], []
    for i in range(n_panels):
        r, c = divmod(i, ncols)
        x = left + c * (width + gap)
        top = height - 0.05 - r * block - title
        ax = fig.add_axes(
            [x / WIDTH, (top - curve_inches) / height, width / WIDTH, curve_inches / height]
        )
        axes.append(ax)
        if rows:
            bottom = top - curve_inches - below - table
            tab = fig.add_axes(
                [x / WIDTH, bottom / height, width / WIDTH, (table - AT_RISK_TITLE) / height],
                sharex=ax,
            )
            tables.append(tab)
    return CurveLayout(fig, axes, tables)


def _month_axis(ctx: FigureContext, axes, drawn: list[DrawnCurve], times) -> None:
    """Months on every curve panel: ticks at the times of the numbers at risk (or
    matplotlib's when there are none), the range up to the longest drawn curve."""
    limit = max((d.stop for d in drawn), default=1.0) or 1.0
    for ax in axes:
        ax.set_xlim(-0.03 * limit, 1.03 * limit)
        if times:
            ax.set_xticks(list(times))
        ax.set_xlabel(ctx.labels.text("months"))


def _at_risk_table(ctx: FigureContext, tab, at_risk, drawn, times, show_labels: bool) -> None:
    """The numbers at risk of a panel's drawn curves at ``times``, one row per curve (as
    :func:`teichaku.report.at_risk.printed_at_risk` lets them be printed), aligned with
    the panel's months; row labels in the curves' colours."""
    from teichaku.report.at_risk import AtRisk, printed_at_risk

    keys = [d.key for d in drawn]
    index = [at_risk.times.index(t) for t in times]
    chosen = AtRisk(tuple(times), {k: tuple(at_risk.counts[k][i] for i in index) for k in keys})
    cells = printed_at_risk(chosen, keys, {d.key: d.stop for d in drawn}, ctx.privacy)
    for row, d in enumerate(drawn):
        for t, text in zip(times, cells[d.key], strict=True):
            if text:
                tab.text(t, row, text, ha="center", va="center", fontsize=AT_RISK_SIZE)
    tab.set_ylim(len(drawn) - 0.5, -0.5)
    tab.set_yticks(range(len(drawn)), [d.label for d in drawn] if show_labels else [])
    for label, d in zip(tab.get_yticklabels(), drawn, strict=False):
        label.set_color(d.color)
    tab.tick_params(axis="y", length=0, labelsize=AT_RISK_SIZE, pad=AT_RISK_PAD)
    tab.tick_params(axis="x", length=0, labelbottom=False)
    for spine in tab.spines.values():
        spine.set_visible(False)
    tab.set_title(ctx.labels.text("at_risk"), loc="left", fontsize=AT_RISK_SIZE, pad=3)


def _risk_times(at_risk, drawn: list[DrawnCurve]) -> tuple[float, ...]:
    """The regular times (teichaku.report.at_risk.regular_times) up to the longest drawn
    curve at which numbers at risk were counted."""
    from teichaku.report.at_risk import regular_times

    if at_risk is None or not drawn:
        return ()
    counted = set(at_risk.times)
    return tuple(t for t in regular_times(max(d.stop for d in drawn)) if t in counted)


def _curve_panels(ctx, masked, panels, horizons, at_risk, curve_inches, notes, flat_dashed):
    """Lay out and draw the panels ((title or None, groups)) of a curve figure with their
    numbers-at-risk tables; returns the layout and the drawn curves of each panel."""
    present = [_present(masked, groups) for _, groups in panels]
    labels = [[label for _, _, label in groups] if at_risk else [] for groups in present]
    ncols = 1 if len(panels) == 1 else 2
    probe = plt.figure(figsize=(WIDTH, 1))
    note, notes_inches = _note_block(ctx, probe, notes)
    plt.close(probe)
    layout = _curve_layout(
        len(panels), ncols, curve_inches, labels, notes_inches, any(t for t, _ in panels)
    )
    drawn = [
        _draw_curves(ax, ctx, masked, groups, horizons, flat_dashed)
        for ax, (_, groups) in zip(layout.axes, panels, strict=True)
    ]
    times = _risk_times(at_risk, [d for ds in drawn for d in ds])
    _month_axis(ctx, layout.axes, [d for ds in drawn for d in ds], times)
    for i, tab in enumerate(layout.tables):
        show = i % ncols == 0 or labels[i] != labels[i - 1]
        _at_risk_table(ctx, tab, at_risk, drawn[i], times, show)
    ctx.note(layout.fig, note)
    return layout, drawn


def _curve_notes(ctx: FigureContext, at_risk) -> list[str]:
    t, min_cell = ctx.labels.text, ctx.privacy.min_cell
    notes = [t("curve_note", min_cell=min_cell)]
    if at_risk is not None:
        notes.append(t("at_risk_note", marker=ctx.privacy.marker, min_cell=min_cell))
    return notes


def km_figure(
    ctx: FigureContext,
    curves: pd.DataFrame,
    curve: str,
    groups: list[tuple[str, str, str]],
    horizons: dict | None = None,
    at_risk=None,
) -> list[Path]:
    """Kaplan-Meier: proportion still followed up, by cohort, with the numbers at risk
    (``at_risk``: :class:`teichaku.report.at_risk.AtRisk` of the groups; none: no table)
    under it. A cohort nobody of which has ended (the continuing cohort: every case is
    censored at the survey date) stays at 1.0 by definition: it is drawn dashed and says so."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    layout, (drawn,) = _curve_panels(
        ctx, masked, [(None, groups)], horizons, at_risk, 2.5, _curve_notes(ctx, at_risk), True
    )
    ax = layout.axes[0]
    ax.set_ylim(0, 1.12)  # room above 1.0 for the note of a flat curve
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel(ctx.labels.text("still_followed"))
    for d in drawn:
        if d.flat:
            ax.annotate(
                ctx.labels.text("km_all_censored", group=d.label),
                (d.stop, 1.0),
                xytext=(0, 3),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=7,
                color=d.color,
            )
    ax.legend(loc="center right")
    return ctx.save(layout.fig, "fig4_km_followup")


def cif_figure(
    ctx: FigureContext,
    curves: pd.DataFrame,
    curve: str,
    panels: list[tuple[str, list[tuple[str, str, str]]]],
    horizons: dict | None = None,
    at_risk=None,
) -> list[Path]:
    """Cumulative incidence of transition, one panel per barrier (with / without), each
    with its numbers at risk (``at_risk``, as :func:`km_figure`) under it."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    layout, _ = _curve_panels(
        ctx, masked, panels, horizons, at_risk, 1.8, _curve_notes(ctx, at_risk), False
    )
    _label_incidence_panels(ctx, layout, panels, 7)
    return ctx.save(layout.fig, "fig5_cif_transition")


def _label_incidence_panels(ctx: FigureContext, layout, panels, legend_size) -> None:
    """Titles, the shared scale of cumulative incidence (labelled on the left column) and
    legends of the panels of Figures 5 and 9."""
    ncols = 1 if len(panels) == 1 else 2
    for i, (ax, (title, _)) in enumerate(zip(layout.axes, panels, strict=True)):
        ax.set_title(title, fontsize=8, loc="left")
        ax.set_ylim(0, 1.0)
        if i % ncols == 0:
            ax.set_ylabel(ctx.labels.text("cum_incidence"))
        else:
            ax.tick_params(axis="y", labelleft=False)
        ax.legend(loc="upper left", fontsize=legend_size)


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
    at_risk=None,
) -> list[Path]:
    """Cumulative incidence of transition per barrier: the Aalen-Johansen curves with and
    without it (as Figure 5, with its numbers at risk) and, dashed in the same colours, the
    Fine-Gray model's prediction for the barrier present and absent, the other terms at
    their sample means (results/models/cif_predicted.parquet: ``term``, ``value`` 1/0,
    ``time``, ``cif``). A prediction is cut, like its group's curve, at the time up to which
    at least min_cell of that group are still followed (``horizons``), and not drawn for a
    group below min_cell. ``reason``: why the model is not reported (no predictions are
    drawn then)."""
    masked = mask_curves(curves[curves["curve"] == curve], ctx.privacy.min_cell)
    notes = [ctx.labels.text("fine_gray_note"), reason, *_curve_notes(ctx, at_risk)]
    layout, _ = _curve_panels(ctx, masked, panels, horizons, at_risk, 1.8, notes, False)
    shown = predicted.iloc[0:0] if reason else predicted
    for ax, (_, groups) in zip(layout.axes, panels, strict=True):
        drawn = 0
        for j in range(len(groups)):
            g = cut_prediction(shown, groups[j], horizons or {})
            if g.empty:
                continue
            drawn += 1
            ax.step(
                g["time"],
                g["cif"],
                where="post",
                color=style.OKABE_ITO[j % len(style.OKABE_ITO)],
                linestyle="--",
                linewidth=1.0,
            )
        if drawn:  # one key for the dashed lines, each in its group's colour
            ax.plot(
                [],
                [],
                color=style.GREY,
                linestyle="--",
                linewidth=1.0,
                label=ctx.labels.text("fine_gray_predicted"),
            )
    _label_incidence_panels(ctx, layout, panels, 7)
    return ctx.save(layout.fig, "fig9_fine_gray_cif")


# --------------------------------------------------------------------------- models

#: Font size of the estimates printed beside forest points.
ESTIMATE_SIZE = 6.5


def estimate_text(row) -> str:
    """An estimate with its interval as printed beside its point: ``0.59 (0.52–0.67)``, the
    estimate alone where no interval is published."""
    if pd.notna(row["conf_low"]) and pd.notna(row["conf_high"]):
        return f"{row['estimate']:.2f} ({row['conf_low']:.2f}–{row['conf_high']:.2f})"
    return f"{row['estimate']:.2f}"


def _forest_rows(ax, rows, column_x: float) -> None:
    """Points with their intervals at (y, row) of ``rows`` (a coefficients row, or a text
    such as "not reported" for a row without one), each row's estimate printed at
    ``column_x`` (axes fraction: the column right of the panel)."""
    from matplotlib.transforms import blended_transform_factory

    column = blended_transform_factory(ax.transAxes, ax.transData)
    for yi, r in rows:
        if isinstance(r, str):
            text = r
        else:
            if pd.notna(r["conf_low"]) and pd.notna(r["conf_high"]):
                ax.plot([r["conf_low"], r["conf_high"]], [yi, yi], color=style.OKABE_ITO[0], lw=1.2)
            ax.plot([r["estimate"]], [yi], "s", color=style.OKABE_ITO[0], markersize=4)
            text = estimate_text(r)
        ax.text(
            column_x, yi, text, transform=column, ha="left", va="center", fontsize=ESTIMATE_SIZE
        )
    ax.axvline(1.0, color=style.GREY, lw=0.8, ls="--")
    ax.set_xscale("log")
    _log_ratio_axis(ax.xaxis)


def _direction(ax, fig, direction: str, span_inches: float, below_points: float) -> None:
    """What a ratio below and above 1 means (``direction``: "← left | right →"), under the
    axis title: the left part at the panel's left edge, the right part ending at the right
    edge of its estimates column, each wrapped to half of the panel's span."""
    left, _, right = direction.partition(" | ")
    width = ax.get_position().width * WIDTH
    for text, x, ha in ((left, 0.0, "left"), (right, span_inches / width, "right")):
        if text:
            ax.annotate(
                wrap_to_width(fig, text, span_inches / 2 - 0.05, 6.5),
                (x, 0.0),
                xycoords="axes fraction",
                xytext=(0, -below_points),
                textcoords="offset points",
                ha=ha,
                va="top",
                fontsize=6.5,
                color="#333333",
            )


def _model_counts(ctx: FigureContext, g: pd.DataFrame) -> list[str]:
    """n, events and clusters of a model (its coefficients rows)."""
    if g.empty:
        return []
    first = g.iloc[0]
    counts = [ctx.labels.text("n_panel", n=ctx.privacy.count(first["n"]))]
    if pd.notna(first["n_events"]):
        counts.append(f"{ctx.labels.text('n_events')} {ctx.privacy.count(first['n_events'])}")
    if pd.notna(first["n_clusters"]):
        counts.append(f"{ctx.labels.text('n_clusters')} {int(first['n_clusters'])}")
    return counts


def _estimates_width(fig, rows) -> float:
    """Inches of the widest estimate printed beside a point."""
    texts = [r if isinstance(r, str) else estimate_text(r) for _, r in rows]
    return max((text_inches(fig, t, ESTIMATE_SIZE) for t in texts), default=0.0)


def forest_figure(
    ctx: FigureContext,
    coefficients: pd.DataFrame,
    models: list[tuple[str, str, str]],
    exclude=(),
    reasons: dict[str, str] | None = None,
) -> list[Path]:
    """Forest plot, one panel per (model, title, scale label, direction): estimates with
    their confidence intervals on a log scale, each estimate and interval printed beside
    its point ("0.59 (0.52–0.67)"), and under the axis what a ratio below and above 1 means
    (``direction``); n, events and clusters under each title. Terms in ``exclude``
    (intercepts, variance components) are not drawn. A model not reported (``reasons``:
    model -> why) shows why instead of estimates; one reported without intervals shows its
    estimates alone."""
    reasons = reasons or {}
    term_label = f"label_{ctx.labels.language}"
    chosen = coefficients[
        coefficients["model"].isin([m[0] for m in models])
        & ~coefficients["term"].isin(list(exclude))
    ]
    terms = list(dict.fromkeys(chosen["term"]))
    firsts = chosen.drop_duplicates("term")
    labels = dict(zip(firsts["term"], firsts[term_label], strict=True))
    y = np.arange(len(terms))[::-1]
    panels = []
    for model, *_ in models:
        g = coefficients[coefficients["model"] == model].set_index("term")
        rows = [
            (yi, g.loc[term])
            for yi, term in zip(y, terms, strict=True)
            if term in g.index and pd.notna(g.loc[term, "estimate"])
        ]
        panels.append((g, rows))

    fig = plt.figure(figsize=(WIDTH, 4.0))
    left = max(text_inches(fig, labels.get(t, t), 8) for t in terms) + 0.2 if terms else 0.5
    columns = [_estimates_width(fig, rows) + 0.1 for _, rows in panels]
    gap = 0.2
    axis_width = (WIDTH - left - 0.1 - sum(columns) - gap * (len(models) - 1)) / len(models)
    headings = [
        "\n".join([wrap_to_width(fig, title, axis_width + column, 7), *_model_counts(ctx, g)])
        for (_, title, _, _), (g, _), column in zip(models, panels, columns, strict=True)
    ]
    top = max(h.count("\n") + 1 for h in headings) * 7 * 1.3 / 72 + 0.2
    bottom = 0.75
    height = top + 0.34 * max(len(terms), 1) + bottom
    fig.set_size_inches(WIDTH, height)
    x = left
    axes = []
    for (model, _, scale, direction), (_, rows), column, heading in zip(
        models, panels, columns, headings, strict=True
    ):
        ax = fig.add_axes(
            [x / WIDTH, bottom / height, axis_width / WIDTH, (height - top - bottom) / height],
            sharey=axes[0] if axes else None,
        )
        axes.append(ax)
        x += axis_width + column + gap
        _forest_rows(ax, rows, 1.0 + 0.08 / axis_width)
        ax.set_ylim(-0.6, len(terms) - 0.4)
        ax.set_xlabel(scale, fontsize=7)
        _direction(ax, fig, direction, axis_width + column, 32)
        if model in reasons:
            ax.text(
                0.5,
                0.5 if not rows else 0.02,
                wrap_to_width(fig, reasons[model], axis_width - 0.1),
                transform=ax.transAxes,
                ha="center",
                va="center" if not rows else "bottom",
                fontsize=7,
                color="#333333",
            )
            if not rows:
                ax.set_xlim(0.5, 2.0)
        ax.set_title(heading, fontsize=7)
        ax.title.set_x((axis_width + column) / 2 / axis_width)  # centred over the estimates too
        if len(axes) > 1:
            ax.tick_params(axis="y", labelleft=False)
    axes[0].set_yticks(y, [labels.get(t, t) for t in terms])
    return ctx.save(fig, "fig6_forest")


def threshold_figure(
    ctx: FigureContext,
    coefficients: pd.DataFrame,
    by_threshold: list[tuple[int, str]],
    terms: list[str],
    reasons: dict[str, str] | None = None,
) -> list[Path]:
    """Odds ratio of each term against the threshold defining prolonged follow-up: a forest
    panel per term, a row per threshold, each estimate and interval printed beside its
    point and the direction of effect under the axis (as Figure 6). A threshold whose
    model is not reported has no point and says so in its row; why is noted below."""
    reasons = reasons or {}
    t = ctx.labels.text
    term_label = f"label_{ctx.labels.language}"
    y = np.arange(len(by_threshold))[::-1]
    row_labels = [t("threshold_row", k=k) for k, _ in by_threshold]
    panels, ns = [], []
    for term in terms:
        rows, label = [], term
        for yi, (_, model) in zip(y, by_threshold, strict=True):
            hit = coefficients[(coefficients["model"] == model) & (coefficients["term"] == term)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            label = r[term_label]
            ns.append(r["n"])
            if model in reasons or pd.isna(r["estimate"]):
                rows.append((yi, t("not_reported")))
            else:
                rows.append((yi, r))
        panels.append((label, rows))
    shown_reasons = dict.fromkeys(reasons[m] for _, m in by_threshold if m in reasons)

    probe = plt.figure(figsize=(WIDTH, 1))
    note, notes_inches = _note_block(ctx, probe, list(shown_reasons))
    plt.close(probe)
    panel = 0.22 * max(len(by_threshold), 1) + 0.1
    title = 0.28
    bottom = 0.85 + (notes_inches if shown_reasons else 0.0)
    height = 0.15 + len(panels) * (title + panel) + bottom
    fig = plt.figure(figsize=(WIDTH, height))
    left = max((text_inches(fig, s, 8) for s in row_labels), default=0.3) + 0.2
    column = max((_estimates_width(fig, rows) for _, rows in panels), default=0.0) + 0.1
    axis_width = WIDTH - left - column - 0.1
    axes = []
    for i, (label, rows) in enumerate(panels):
        top = height - 0.15 - i * (title + panel) - title
        ax = fig.add_axes(
            [left / WIDTH, (top - panel) / height, axis_width / WIDTH, panel / height],
            sharex=axes[0] if axes else None,
        )
        axes.append(ax)
        _forest_rows(ax, rows, 1.0 + 0.08 / axis_width)
        ax.set_yticks(y, row_labels)
        ax.set_ylim(-0.6, len(by_threshold) - 0.4)
        ax.set_title(label, loc="left", fontsize=8)
        if i < len(panels) - 1:
            ax.tick_params(axis="x", labelbottom=False)
    if axes:
        last = axes[-1]
        last.set_xlabel(t("threshold_axis"), fontsize=7)
        _direction(last, fig, t("direction_or_prolonged"), axis_width + column, 32)
        if ns:
            _panel_n(axes[0], _n_range_text(ctx, ns))
    if shown_reasons:
        ctx.note(fig, note)
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
    item_labels = [
        v.label(labels.language) for g in groups for v in labels.group_items("awareness", g)
    ]
    left = max((text_inches(fig, s, 8) for s in item_labels), default=1.0) + 0.25
    fig.subplots_adjust(left=min(left / WIDTH, 0.55), right=0.97, top=0.9, bottom=0.1, hspace=0.6)
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
