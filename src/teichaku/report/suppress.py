"""Small-cell suppression: nothing published lets a reader single out a few people.

Rule (applied to counts of cases, i.e. persons): a count ``k`` with ``0 < k < min_cell`` is
shown as the marker ``<min_cell``; so is any percentage or mean built on it, and so is a
percentage whose complement ``n - k`` is small (given ``n``, it would reveal the small
count). Zero is shown: it singles out nobody. Counts of *centers* (organisations, whose
figures the council publishes itself) are not suppressed.

Survival and cumulative-incidence curves are aggregate step functions; their tail, where
fewer than ``min_cell`` people remain at risk, is cut off (:func:`mask_curves`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: Files under results/ that are text and can be scanned for case references.
TEXT_SUFFIXES = (".csv", ".md", ".tex", ".html", ".json", ".txt", ".tsv", ".yaml")


@dataclass(frozen=True)
class Privacy:
    min_cell: int = 5

    def __post_init__(self):
        if self.min_cell < 1:
            raise ValueError("privacy.min_cell must be at least 1")

    @property
    def marker(self) -> str:
        return f"<{self.min_cell}"

    def is_small(self, count) -> bool:
        """True for a count that must not be shown (0 < count < min_cell)."""
        if count is None or (isinstance(count, float) and math.isnan(count)):
            return False
        if isinstance(count, str) and count.startswith("<"):
            return True
        return 0 < int(count) < self.min_cell

    def count(self, k) -> str:
        """A count of persons as shown (a count already published as the marker stays so)."""
        if isinstance(k, str) and k.startswith("<"):
            return k
        return self.marker if self.is_small(k) else f"{int(k):,}"

    def count_value(self, k):
        """A count of persons as published in data files: the number, or the marker."""
        return self.marker if self.is_small(k) else k

    def share_suppressed(self, k, n) -> bool:
        """Whether k of n (and its percentage) must be hidden."""
        return self.is_small(k) or self.is_small(n) or self.is_small(int(n) - int(k))

    def percent(self, k, n, digits: int = 1) -> str:
        """k of n as a percentage, or the marker when it would reveal a small count."""
        if not n:
            return ""
        if self.share_suppressed(k, n):
            return self.marker
        return f"{100.0 * k / n:.{digits}f}"

    def count_of(self, k, n) -> str:
        """k (of n) as shown: also hidden when the complement is small."""
        return self.marker if self.share_suppressed(k, n) else f"{int(k):,}"

    def mean(self, value: float, n, digits: int = 2) -> str:
        """A mean over n valid answers, hidden when n is small."""
        if not n or value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        return self.marker if self.is_small(n) else f"{value:.{digits}f}"


def mask_curves(curves: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Cut every curve where fewer than ``min_cell`` remain at risk.

    Rows are kept up to (not including) the first time the group's ``n_at_risk`` drops below
    ``min_cell``; a group that starts below it is dropped whole.
    """
    keys = [k for k in ("curve", "by", "group") if k in curves.columns]
    parts = []
    for _, g in curves.sort_values([*keys, "time"], kind="stable").groupby(keys, sort=False):
        small = (g["n_at_risk"] < min_cell).to_numpy()
        stop = int(small.argmax()) if small.any() else len(g)
        parts.append(g.iloc[:stop])
    if not parts:
        return curves.iloc[0:0]
    return pd.concat(parts, ignore_index=True)


_TOKEN = re.compile(r"[0-9A-Za-z]+(?:[-_][0-9A-Za-z]+)*")
_SEPARATOR = re.compile(r"([-_])")


def _candidates(token: str):
    """The token and every run of its parts joined by their own separators ("a-b-c" gives
    a, b, c, a-b, b-c, a-b-c): a reference inside a longer hyphenated word is found too."""
    pieces = _SEPARATOR.split(token)
    parts, seps = pieces[::2], pieces[1::2]
    for i in range(len(parts)):
        text = parts[i]
        yield text
        for j in range(i + 1, len(parts)):
            text += seps[j - 1] + parts[j]
            yield text


def find_case_refs(results_dir: Path, case_refs) -> list[tuple[str, str]]:
    """(file, reference) for every case reference found in a text file under results_dir.

    A reference is matched as a whole token (not inside a longer run of letters and digits),
    so the reference ``12`` is not found in ``2,783`` or ``120``. Each file is tokenised
    once, so thousands of references cost no more than a few.
    """
    refs = {str(r) for r in case_refs if str(r).strip()}
    if not refs:
        return []
    hits = []
    for path in sorted(Path(results_dir).rglob("*")):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in _TOKEN.finditer(text):
                hits.extend((str(path), c) for c in _candidates(match.group()) if c in refs)
    return hits


def find_small_counts(table: pd.DataFrame, count_columns, privacy: Privacy) -> list[str]:
    """Cells of a written table's count columns that show a small count unsuppressed."""
    bad = []
    for col in count_columns:
        for i, cell in table[col].items():
            text = str(cell).replace(",", "").strip()
            if text.isdigit() and privacy.is_small(int(text)):
                bad.append(f"{col}[{i}] = {cell}")
    return bad
