"""Raw spellings of clean values, as centers type them (all within FORMAT.md).

Every spelling comes from the codebook (levels, marks, missing codes, units, eras); this
module only decides, at random, WHICH accepted spelling a cell gets. Columns are rendered
vectorised so that large benchmark surveys stay fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook, Variable

FULL_WIDTH = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}  # NFKC maps these back to ASCII
RANGE_SEPARATORS = ("～", "-", "〜")  # IQ ranges as FORMAT.md spells them (50～55, 50-55, 50〜55)


def full_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


@dataclass
class CellStyle:
    """How one file spells its cells (drawn per file)."""

    encoding: str | None  # None for xlsx, else the CSV encoding
    date_style: str  # main date spelling of the file
    date_styles: dict[str, float]  # occasional other spellings
    full_width_share: float
    unit_share: float
    missing_code_share: float
    mark_yes: str  # the file's habitual yes mark
    mark_no: str  # the file's habitual no mark ("" = blank)
    center_style: str  # C01 | 1 | 01 | C1 | full

    def ok(self, text: str) -> bool:
        """Whether the file's encoding can hold ``text`` (cp932 lacks e.g. ✓)."""
        if self.encoding is None or not text:
            return True
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            return False
        return True

    def options(self, spellings) -> list[str]:
        return [s for s in spellings if self.ok(s)]


def _pick(rng, options: list, n: int) -> np.ndarray:
    arr = np.empty(len(options), dtype=object)
    arr[:] = options
    return arr[rng.integers(0, len(options), n)]


def _missing_cells(
    rng, style: CellStyle, codebook: Codebook, n: int, exclude: tuple[str, ...] = ()
) -> np.ndarray:
    """Blank (None) or a missing code, for n missing cells."""
    codes = [c for c in style.options(codebook.missing_codes) if c not in exclude]
    out = np.full(n, None, dtype=object)
    coded = rng.random(n) < style.missing_code_share
    out[coded] = _pick(rng, codes, int(coded.sum()))
    return out


def _maybe_full_width(rng, style: CellStyle, cells: np.ndarray) -> np.ndarray:
    for i in np.flatnonzero(rng.random(len(cells)) < style.full_width_share):
        if isinstance(cells[i], str):
            cells[i] = full_width(cells[i])
    return cells


def _each_distinct(keys: np.ndarray, spell) -> np.ndarray:
    """``spell(key)`` for every element of ``keys`` (an object array), computed once per
    distinct key: columns repeat few values (a center, IQs, days)."""
    uniques, inverse = np.unique(keys, return_inverse=True)
    out = np.empty(len(uniques), dtype=object)
    out[:] = [spell(k) for k in uniques.tolist()]
    return out[inverse.reshape(-1)]


def render_center(values: pd.Series, style: CellStyle, rng) -> np.ndarray:
    number = values.str.removeprefix("C").astype(int).to_numpy()
    fmt = {"C01": "C{:02d}", "1": "{:d}", "01": "{:02d}", "C1": "C{:d}", "full": "C{:02d}"}[
        style.center_style
    ]
    if style.center_style == "full":
        return _each_distinct(number, lambda k: full_width(fmt.format(k)))
    return _each_distinct(number, fmt.format)


def render_category(
    var: Variable, values: pd.Series, style: CellStyle, codebook: Codebook, rng
) -> np.ndarray:
    found, uniques = pd.factorize(values)  # the levels present: compared as numbers
    at = {code: k for k, code in enumerate(uniques)}
    out = np.empty(len(found), dtype=object)
    for level in var.levels:
        if level.code in at:
            hit = found == at[level.code]
            out[hit] = _pick(rng, style.options(level.spellings), int(hit.sum()))
    miss = pd.isna(values).to_numpy()
    out[miss] = _missing_cells(rng, style, codebook, int(miss.sum()))
    return _maybe_full_width(rng, style, out)


def render_boolean(
    var: Variable, values: pd.Series, style: CellStyle, codebook: Codebook, rng
) -> np.ndarray:
    """Labelled booleans (welfare, member, responded): labels or, if accepted, marks."""
    arr = values.to_numpy(dtype=object, na_value=None)
    out = np.empty(len(arr), dtype=object)
    by_code = {lv.code: lv for lv in var.levels}
    for flag, code, marks in (
        (True, "true", codebook.mark_yes),
        (False, "false", codebook.mark_no),
    ):
        hit = np.array([a is flag for a in arr], dtype=bool)
        options = list(by_code[code].spellings)
        if var.accept_marks:
            options += [m for m in marks if m not in var.missing]
        out[hit] = _pick(rng, style.options(options), int(hit.sum()))
    miss = np.array([a is None for a in arr], dtype=bool)
    out[miss] = _missing_cells(rng, style, codebook, int(miss.sum()))
    return out


def render_mark(values: pd.Series, style: CellStyle, codebook: Codebook, rng) -> np.ndarray:
    """Marks: mostly the file's habitual yes/no mark, sometimes another accepted one."""
    arr = values.to_numpy(dtype=bool, na_value=False)
    other = rng.random(len(arr)) < 0.05
    yes = np.where(other, _pick(rng, style.options(codebook.mark_yes), len(arr)), style.mark_yes)
    no_options = [*style.options(codebook.mark_no), None]
    no_mark = None if style.mark_no == "" else style.mark_no
    no = np.where(other, _pick(rng, no_options, len(arr)), no_mark)
    return np.where(arr, yes, no).astype(object)


def render_integer(
    var: Variable, values: pd.Series, style: CellStyle, codebook: Codebook, rng, numeric_cells: bool
) -> np.ndarray:
    miss = values.isna().to_numpy()
    out = np.empty(len(values), dtype=object)
    present = np.flatnonzero(~miss)
    nums = values.to_numpy(dtype=np.int64, na_value=0)[present]
    text = nums.astype(str).astype(object)
    if var.units:
        unit = rng.random(len(present)) < style.unit_share
        text[unit] = text[unit] + _pick(rng, style.options(var.units), int(unit.sum()))
    text = _maybe_full_width(rng, style, text)
    if numeric_cells:
        plain = np.array([t.isascii() and t.isdigit() for t in text], dtype=bool)
        text[plain] = [int(t) for t in text[plain]]
    out[present] = text
    out[miss] = _missing_cells(rng, style, codebook, int(miss.sum()))
    return out


def render_iq(
    values: pd.Series,
    status: pd.Series,
    style: CellStyle,
    codebook: Codebook,
    rng,
    numeric_cells: bool,
) -> np.ndarray:
    var = codebook.variable("cases", "iq")
    iq = values.to_numpy(dtype=float, na_value=np.nan)
    st = status.astype(object).to_numpy()
    out = np.empty(len(iq), dtype=object)
    measured = st == "measured"
    if measured.any():
        out[measured] = _each_distinct(iq[measured], int if numeric_cells else _int_text)
    ranged = np.flatnonzero(st == "range")
    seps = _pick(rng, style.options(RANGE_SEPARATORS), len(ranged))
    out[ranged] = [
        f"{int(iq[i] - 2.5)}{s}{int(iq[i] + 2.5)}" for i, s in zip(ranged, seps, strict=True)
    ]
    unmeasurable = st == "unmeasurable"
    out[unmeasurable] = _pick(rng, style.options(var.unmeasurable), int(unmeasurable.sum()))
    unknown = st == "unknown"
    out[unknown] = _missing_cells(rng, style, codebook, int(unknown.sum()))
    return _maybe_full_width(rng, style, out)


def _int_text(value: float) -> str:
    return str(int(value))


def era_of(date: dt.date, codebook: Codebook) -> tuple[str, dict]:
    """The era (name, spec) a date falls in: the latest era started on or before it."""
    eras = sorted(codebook.eras.items(), key=lambda kv: str(kv[1]["start"]), reverse=True)
    for name, spec in eras:
        start = spec["start"]
        start = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        if date >= start:
            return name, spec
    raise ValueError(f"no era for {date}")


def format_date(date: dt.date, style: str, codebook: Codebook, gannen: bool = True):
    """One date in one spelling; ``excel`` returns a datetime for an Excel date cell."""
    if style == "excel":
        return dt.datetime(date.year, date.month, date.day)
    if style == "slash":
        return f"{date.year}/{date.month}/{date.day}"
    if style == "dash":
        return date.isoformat()
    if style == "dot":
        return f"{date.year}.{date.month}.{date.day}"
    if style == "compact":
        return date.strftime("%Y%m%d")
    name, spec = era_of(date, codebook)
    year = date.year - spec["offset"]
    if style == "era_kanji":
        y = "元" if year == 1 and gannen else str(year)
        return f"{name}{y}年{date.month}月{date.day}日"
    sep = "." if style == "era_abbrev_dot" else "/"
    return f"{spec['abbrev']}{year}{sep}{date.month}{sep}{date.day}"


def render_date(values: pd.Series, style: CellStyle, codebook: Codebook, rng) -> np.ndarray:
    arr = values.to_numpy(dtype="datetime64[D]")
    miss = np.isnat(arr)
    names = list(style.date_styles)
    weights = np.array([style.date_styles[s] for s in names], dtype=float)
    other = rng.random(len(arr)) < 0.1
    styles = np.where(
        other,
        np.array(names, dtype=object)[rng.choice(len(names), len(arr), p=weights / weights.sum())],
        style.date_style,
    )
    if style.encoding is not None:
        styles = np.where(styles == "excel", "slash", styles)
    gannen = rng.random(len(arr)) < 0.7
    out = np.empty(len(arr), dtype=object)
    present = np.flatnonzero(~miss)
    if len(present):
        # one spelling per distinct (day, style, gannen): days repeat over many rows
        style_codes, style_names = pd.factorize(styles[present])
        days = arr[present].astype(np.int64)
        key = (days * len(style_names) + style_codes) * 2 + gannen[present]
        uniques, inverse = np.unique(key, return_inverse=True)
        n = len(style_names)
        spelled = np.empty(len(uniques), dtype=object)
        spelled[:] = [
            format_date(day, style_names[s], codebook, bool(g))
            for day, s, g in zip(
                (uniques // 2 // n).astype("datetime64[D]").astype(object).tolist(),
                (uniques // 2 % n).tolist(),
                (uniques % 2).tolist(),
                strict=True,
            )
        ]
        out[present] = spelled[inverse.reshape(-1)]
    out[miss] = _missing_cells(rng, style, codebook, int(miss.sum()))
    return _maybe_full_width(rng, style, out)


def render_column(
    var: Variable,
    frame: pd.DataFrame,
    style: CellStyle,
    codebook: Codebook,
    rng,
    numeric_cells: bool,
) -> np.ndarray:
    """Raw cells of one variable of ``frame`` in ``style``."""
    values = frame[var.name]
    if var.type == "center_id":
        return render_center(values, style, rng)
    if var.type == "text":
        return values.to_numpy(dtype=object)
    if var.type == "category":
        return render_category(var, values, style, codebook, rng)
    if var.type == "boolean":
        return render_boolean(var, values, style, codebook, rng)
    if var.type == "mark":
        return render_mark(values, style, codebook, rng)
    if var.type == "integer":
        return render_integer(var, values, style, codebook, rng, numeric_cells)
    if var.type == "iq":
        return render_iq(values, frame["iq_status"], style, codebook, rng, numeric_cells)
    if var.type == "date":
        return render_date(values, style, codebook, rng)
    raise ValueError(f"no renderer for type {var.type!r}")
