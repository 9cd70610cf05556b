"""One plotting style for every figure: Japanese-capable font, a colour-blind-safe palette,
and byte-reproducible saving.

Matplotlib writes the render time and its version into PNG and PDF files, and the TrueType
subsetter (fontTools) stamps the subset font's ``head`` table with the current time unless
``SOURCE_DATE_EPOCH`` is set. :func:`save_figure` removes both, so the same data gives
byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import matplotlib_fontja  # noqa: F401  (importing it registers IPAexGothic with matplotlib)

from teichaku.report.fonts import FONT_FAMILY, fixed_source_date, font_path

__all__ = ["FONT_FAMILY", "GREY", "OKABE_ITO", "apply_style", "font_path", "save_figure"]

#: Okabe & Ito (2008) colour-blind-safe palette, black omitted (used for text and lines).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
#: Neutral colour for published reference values and suppressed cells.
GREY = "#999999"


def apply_style() -> None:
    """Set the rcParams shared by every figure (idempotent)."""
    matplotlib.rcParams.update(
        {
            "font.family": FONT_FAMILY,
            "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "legend.frameon": False,
            "figure.dpi": 100,
            "savefig.bbox": "standard",
            "svg.hashsalt": "teichaku",
            "pdf.fonttype": 42,  # embed TrueType: text stays selectable and searchable
        }
    )


PNG_METADATA = {"Software": None}
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}


def save_figure(fig: matplotlib.figure.Figure, stem: Path, dpi: int) -> list[Path]:
    """Write ``stem``.png (raster at ``dpi``) and ``stem``.pdf (vector) and close the figure.

    The figure size is kept as set (no tight bounding box), so the pixel size of the PNG is
    exactly ``figsize * dpi``.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    with fixed_source_date():
        fig.savefig(paths[0], format="png", dpi=dpi, metadata=PNG_METADATA)
        fig.savefig(paths[1], format="pdf", metadata=PDF_METADATA)
    plt.close(fig)
    return paths
