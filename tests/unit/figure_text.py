"""Where the text of a drawn figure lies: every text artist matplotlib actually renders
(tick labels of ticks in view, titles, labels, legends, annotations, notes), measured with
the renderer of the figure at the resolution its file is saved at.

:func:`text_problems` lists every text that lies (partly) outside the figure box, and every
pair of texts that overlap: what a reader sees as clipped or illegible labels.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import matplotlib.text
from matplotlib.transforms import Bbox

#: Pixels a box may pass the figure's edge or overlap another (anti-aliasing, rounding).
TOLERANCE = 1.0


@dataclass(frozen=True)
class DrawnText:
    text: str
    box: Bbox
    tick_label: bool


@contextlib.contextmanager
def _recording(drawn: list[matplotlib.text.Text]):
    """Record every Text whose draw() renders something (visible, non-empty, on canvas)."""
    original = matplotlib.text.Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip() and self.get_alpha() != 0:
            drawn.append(self)

    matplotlib.text.Text.draw = draw
    try:
        yield
    finally:
        matplotlib.text.Text.draw = original


def drawn_texts(fig, dpi: float) -> list[DrawnText]:
    """The texts of ``fig`` as its file at ``dpi`` shows them (the saved layout: the figure
    size as set, no tight bounding box; style.save_figure)."""
    fig.set_dpi(dpi)
    artists: list[matplotlib.text.Text] = []
    with _recording(artists):
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = {
        id(label)
        for ax in fig.axes
        for axis in (ax.xaxis, ax.yaxis)
        for label in axis.get_ticklabels(which="both")
    }
    return [DrawnText(a.get_text(), a.get_window_extent(renderer), id(a) in ticks) for a in artists]


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (
        min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE
        and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE
    )


def text_problems(fig, dpi: float) -> list[str]:
    """Texts outside the figure box and pairs of overlapping texts, as readable lines."""
    texts = drawn_texts(fig, dpi)
    frame = fig.bbox
    problems = []
    for t in texts:
        b = t.box
        if (
            b.x0 < frame.x0 - TOLERANCE
            or b.y0 < frame.y0 - TOLERANCE
            or b.x1 > frame.x1 + TOLERANCE
            or b.y1 > frame.y1 + TOLERANCE
        ):
            problems.append(
                f"outside the figure: {t.text!r} at x {b.x0:.0f}..{b.x1:.0f}, "
                f"y {b.y0:.0f}..{b.y1:.0f} of {frame.width:.0f} x {frame.height:.0f} px"
            )
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _overlap(a.box, b.box):
                kind = "tick label" if a.tick_label or b.tick_label else "text"
                problems.append(f"overlap ({kind}): {a.text!r} and {b.text!r}")
    return problems
