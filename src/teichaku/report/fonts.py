"""The Japanese font of every figure and of the PDF summary, and fixed file timestamps.

Kept free of matplotlib imports, so the summary rule does not pay for loading it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

#: Family name of the TrueType file shipped in matplotlib-fontja.
FONT_FAMILY = "IPAexGothic"
FONT_FILE = "ipaexg.ttf"

#: Any fixed epoch works; 0 keeps the files independent of when they were made.
FIXED_EPOCH = "0"


def font_path() -> Path:
    """IPAexGothic inside the installed matplotlib-fontja package, found without importing
    it (importing it imports matplotlib)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("matplotlib-fontja is not installed: no Japanese font")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the font of matplotlib-fontja is missing")
    return path


@contextlib.contextmanager
def fixed_source_date() -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH while writing, restoring the caller's environment after.

    fontTools, which subsets the embedded fonts of PDFs (matplotlib and weasyprint), stamps
    the subset with the current time unless this variable is set."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = FIXED_EPOCH
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
