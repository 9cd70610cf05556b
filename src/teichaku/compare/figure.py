"""The trend figure: the four barriers round by round, their prevalence (left) and their
hazard ratio of ending by transition with its interval from the pooled model (right).

Drawn from published aggregates only (the trend and difference tables): a value hidden
there (the marker, or None) is left out of the figure with a note.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from teichaku.report import style
from teichaku.report.publish import is_marker

style.apply_style()

#: Ticks of the hazard-ratio axis (log scale)
HR_TICKS = (0.25, 0.5, 1.0, 2.0, 4.0)

TEXT = {
    "ja": {
        "prevalence": "支援上の課題がある割合(%)",
        "hr": "移行による終了のハザード比\n(95%CI、統合モデル)",
        "hidden": "空欄: 少数のため非表示または推定せず",
    },
    "en": {
        "prevalence": "Cases with the barrier (%)",
        "hr": "Hazard ratio of ending by transition\n(95% CI, pooled model)",
        "hidden": "Blank: hidden (few cases) or not estimated",
    },
}


def _value(v):
    return None if v is None or is_marker(v) or (isinstance(v, float) and np.isnan(v)) else v


def trend_figure(
    trend: pd.DataFrame,
    difference: pd.DataFrame,
    barriers: list[str],
    labels: dict[str, str],
    rounds: list[str],
    language: str,
    stem: Path,
    dpi: int,
) -> list[Path]:
    """Write ``stem``.png and ``stem``.pdf; ``labels``: barrier -> its label."""
    text = TEXT[language]
    fig, (left, right) = plt.subplots(1, 2, figsize=(6.7, 3.6), sharey=True)
    y = np.arange(len(barriers))
    height = 0.8 / len(rounds)
    hidden = False
    prevalence = trend[trend["section"] == "barrier_pct"].set_index("item")
    for j, name in enumerate(rounds):
        offset = (j - (len(rounds) - 1) / 2) * height
        values = [_value(prevalence.loc[b, name]) for b in barriers]
        hidden |= any(v is None for v in values)
        shown = [(i, v) for i, v in enumerate(values) if v is not None]
        left.barh(
            [y[i] + offset for i, _ in shown], [v for _, v in shown], height=height, label=name
        )
        rows = difference[difference["round"] == name].set_index("term")
        points = [(i, rows.loc[b]) for i, b in enumerate(barriers) if b in rows.index]
        for i, row in points:
            hr, low, high = (_value(row.get(k)) for k in ("hr", "hr_conf_low", "hr_conf_high"))
            if hr is None:
                hidden = True
                continue
            color = style.OKABE_ITO[j % len(style.OKABE_ITO)]
            right.plot([hr], [y[i] + offset], "o", color=color, markersize=4)
            if low is not None and high is not None:
                right.plot([low, high], [y[i] + offset] * 2, color=color, linewidth=1.2)
    left.set_yticks(y, [labels[b] for b in barriers])
    left.invert_yaxis()
    left.set_xlabel(text["prevalence"])
    fig.legend(*left.get_legend_handles_labels(), loc="upper center", ncol=len(rounds))
    right.axvline(1.0, color=style.GREY, linewidth=0.8)
    right.set_xscale("log")
    right.xaxis.set_major_locator(mticker.FixedLocator(HR_TICKS))
    right.xaxis.set_major_formatter(mticker.FixedFormatter([f"{t:g}" for t in HR_TICKS]))
    right.xaxis.set_minor_locator(mticker.NullLocator())
    right.set_xlabel(text["hr"])
    fig.subplots_adjust(left=0.33, right=0.98, bottom=0.22, top=0.9, wspace=0.08)
    if hidden:
        fig.text(0.01, 0.01, text["hidden"], fontsize=7, ha="left", va="bottom")
    return style.save_figure(fig, stem, dpi)
