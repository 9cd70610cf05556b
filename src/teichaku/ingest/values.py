"""Pure parsers of single raw cell values, as FORMAT.md allows them to be written.

Every parser takes one raw cell (a ``str`` from a CSV file, or whatever openpyxl returns
for an Excel cell: ``None``, ``int``, ``float``, ``bool``, ``datetime``) and returns the
clean value, ``None`` for missing, or raises :class:`CellError` naming the rule broken.
The spellings themselves (missing codes, marks, units, eras, category spellings) come
from the codebook and are passed in; nothing here repeats them.

Messages never echo the cell value: the value may be personal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class CellError(ValueError):
    """A cell that breaks a rule; ``rule`` is the rule name shared with the report."""

    def __init__(self, rule: str):
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True)
class FlaggedCell:
    """A raw cell the reader could not take at face value (a formula saved without its
    value, a cell merged over data rows, an Excel error value): every parser reports it as
    ``rule``; ``text`` is what the file holds there, for the report."""

    rule: str
    text: str

    def __str__(self) -> str:  # as a header label: nothing usable
        return ""


def undefined_character(text: str) -> bool:
    """True when ``text`` holds a character outside the well-defined range of any encoding
    FORMAT.md accepts: private use (what cp932 makes of JIS X 0213 and vendor characters),
    unassigned code points and lone surrogates. Such a character does not mean the same in
    another file, so it cannot be read as written."""
    return not text.isascii() and any(
        unicodedata.category(ch) in _UNDEFINED_CATEGORIES for ch in text
    )


_UNDEFINED_CATEGORIES = frozenset({"Co", "Cn", "Cs"})


_WHITESPACE = re.compile(r"\s+")


def cell_text(value: object) -> str:
    """The cell as text, NFKC-normalised and stripped; numbers from Excel lose a ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def squeeze(text: str) -> str:
    """NFKC and removal of all whitespace: the form labels and spellings are compared in."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def spelling_set(spellings: Iterable[str]) -> frozenset[str]:
    return frozenset(squeeze(s) for s in spellings)


# --- integers ---------------------------------------------------------------------------

_INTEGER = re.compile(r"([+-]?\d+)(?:\.0+)?(.*)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?!\d)")  # 1,000 and 12,345,678
_SPLIT_DIGITS = re.compile(r"\d[\s,]+\d")  # digits apart: 1,2 or 6 5


def _integer_text(value: object) -> str:
    """The cell as squeezed text with digit grouping removed, or ``invalid_integer`` when
    whitespace or a comma stands between digits anywhere but in a valid grouping (``1,000``
    is a thousand; ``1,2``, ``1 2``, ``6 5`` are not read as 12 or 65)."""
    text = cell_text(value)
    grouped = _GROUPED.match(text)
    if grouped:
        text = grouped.group().replace(",", "") + text[grouped.end() :]
    if _SPLIT_DIGITS.search(text):
        raise CellError("invalid_integer")
    return squeeze(text)


def parse_integer(
    value: object,
    *,
    units: Iterable[str] = (),
    missing: frozenset[str] = frozenset(),
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """``65``, ``６５``, ``65歳``, ``1,200件`` -> int; a missing code -> None."""
    text = _integer_text(value)
    if text == "" or text in missing:
        return None
    m = _INTEGER.fullmatch(text)
    if m is None or (m.group(2) and m.group(2) not in spelling_set(units)):
        raise CellError("invalid_integer")
    number = int(m.group(1))
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise CellError("out_of_range")
    return number


# --- dates ------------------------------------------------------------------------------

_TIME_SUFFIX = re.compile(r"[ T]0{1,2}:00(?::00(?:\.0+)?)?$")
_WESTERN = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_PLAIN_DATE = re.compile(r"([0-9]{4})[/.\-]([0-9]{1,2})[/.\-]([0-9]{1,2})")  # ASCII digits only


def _era_pattern(eras: Mapping[str, Mapping]) -> tuple[re.Pattern, dict[str, int]]:
    offsets: dict[str, int] = {}
    for name, spec in eras.items():
        offsets[squeeze(name)] = int(spec["offset"])
        offsets[squeeze(str(spec["abbrev"])).upper()] = int(spec["offset"])
    names = "|".join(sorted(map(re.escape, offsets), key=len, reverse=True))
    pattern = re.compile(
        rf"({names})(元|\d{{1,2}})(?:年(\d{{1,2}})月(\d{{1,2}})日?|[/.\-](\d{{1,2}})[/.\-](\d{{1,2}}))"
    )
    return pattern, offsets


_ERA_CACHE: dict[int, tuple[re.Pattern, dict[str, int]]] = {}


def parse_date(
    value: object,
    *,
    eras: Mapping[str, Mapping],
    earliest: dt.date,
    latest: dt.date,
    missing: frozenset[str] = frozenset(),
) -> dt.date | None:
    """An Excel date cell or any spelling FORMAT.md lists -> date; a missing code -> None.

    A date that does not exist is ``invalid_date``; one outside ``earliest … latest`` is
    ``date_out_of_range``. Era years are not checked against the era's start
    (``平成32年`` is 2020, as FORMAT.md allows).
    """
    if isinstance(value, dt.datetime):
        return _in_range(value.date(), earliest, latest)
    if isinstance(value, dt.date):
        return _in_range(value, earliest, latest)
    if isinstance(value, str) and (m := _PLAIN_DATE.fullmatch(value)):  # fast path
        try:
            date = dt.date(*map(int, m.groups()))
        except ValueError:
            raise CellError("invalid_date") from None
        return _in_range(date, earliest, latest)
    text = cell_text(value)
    text = squeeze(_TIME_SUFFIX.sub("", text))
    if text == "" or text in missing:
        return None
    key = id(eras)
    if key not in _ERA_CACHE:
        _ERA_CACHE[key] = _era_pattern(eras)
    era_pattern, offsets = _ERA_CACHE[key]
    if m := _WESTERN.fullmatch(text):
        year, month, day = (int(g) for g in m.groups() if g is not None)
    elif m := _COMPACT.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := era_pattern.fullmatch(text.upper() if text[:1].isascii() else text):
        era_year = 1 if m.group(2) == "元" else int(m.group(2))
        if era_year < 1:
            raise CellError("invalid_date")
        year = offsets[m.group(1)] + era_year
        month = int(m.group(3) or m.group(5))
        day = int(m.group(4) or m.group(6))
    else:
        raise CellError("invalid_date")
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise CellError("invalid_date") from None
    return _in_range(date, earliest, latest)


def _in_range(date: dt.date, earliest: dt.date, latest: dt.date) -> dt.date:
    if not earliest <= date <= latest:
        raise CellError("date_out_of_range")
    return date


# --- IQ -----------------------------------------------------------------------------------

_IQ_RANGE = re.compile(r"(\d+)[~〜\-–—](\d+)")


def parse_iq(
    value: object,
    *,
    minimum: int,
    maximum: int,
    unmeasurable: frozenset[str],
    missing: frozenset[str] = frozenset(),
) -> tuple[float | None, str]:
    """IQ cell -> (value, iq_status): ``65`` measured, ``50～55`` range (midpoint),
    ``測定不能`` unmeasurable (None), missing -> (None, unknown)."""
    text = _integer_text(value)
    if text == "" or text in missing:
        return None, "unknown"
    if text in unmeasurable:
        return None, "unmeasurable"
    if m := _IQ_RANGE.fullmatch(text):
        low, high = int(m.group(1)), int(m.group(2))
        if low > high:
            raise CellError("invalid_integer")
        if low < minimum or high > maximum:
            raise CellError("out_of_range")
        return (low + high) / 2, "range"
    number = parse_integer(text, minimum=minimum, maximum=maximum)
    return float(number), "measured"


# --- marks, categories, booleans, centers, text ----------------------------------------------


def parse_mark(value: object, *, yes: frozenset[str], no: frozenset[str]) -> bool:
    """A yes/no mark cell of a grouped column: blank is no; anything unlisted is an error."""
    text = squeeze(cell_text(value))
    if text in yes:
        return True
    if text == "" or text in no:
        return False
    raise CellError("invalid_mark")


def parse_category(
    value: object,
    *,
    spellings: Mapping[str, str],
    missing: frozenset[str] = frozenset(),
    marks: tuple[str, str] | None = None,
    yes: frozenset[str] = frozenset(),
    no: frozenset[str] = frozenset(),
) -> str | None:
    """Spelling -> code via ``spellings`` (squeezed spelling -> code); missing -> None.

    With ``marks = (yes_code, no_code)`` a mark-yes spelling means ``yes_code`` and a
    mark-no spelling (or blank) ``no_code``.
    """
    text = squeeze(cell_text(value))
    if text in spellings:
        return spellings[text]
    if marks is not None:
        if text in yes:
            return marks[0]
        if text == "" or text in no:
            return marks[1]
    if text == "" or text in missing:
        return None
    raise CellError("invalid_category")


_CENTER = re.compile(r"C?0*(\d{1,3})")


def parse_center_id(value: object, *, missing: frozenset[str] = frozenset()) -> str | None:
    """``C01``, ``Ｃ０１``, ``C1``, ``1``, ``01`` -> ``"C01"``; missing -> None."""
    text = squeeze(cell_text(value)).upper()
    if text == "" or text in missing:
        return None
    m = _CENTER.fullmatch(text)
    if m is None or int(m.group(1)) == 0:
        raise CellError("invalid_center_id")
    return f"C{int(m.group(1)):02d}"


def parse_text(value: object, *, missing: frozenset[str] = frozenset()) -> str | None:
    """Free text (a case reference): NFKC, stripped; missing -> None."""
    text = cell_text(value)
    key = "".join(text.split()) if text.isascii() else squeeze(text)
    return None if key == "" or key in missing else text


def parse_boolean(
    value: object,
    *,
    spellings: Mapping[str, bool],
    missing: frozenset[str] = frozenset(),
    own_missing: frozenset[str] = frozenset(),
    accept_marks: bool = False,
    yes: frozenset[str] = frozenset(),
    no: frozenset[str] = frozenset(),
) -> bool | None:
    """A yes/no variable spelled in words (``会員``/``非会員``) or, with ``accept_marks``,
    as a mark. ``own_missing`` are spellings that mean missing for this variable even though
    they are marks (生活保護: blank and ``-`` are missing, not no)."""
    text = squeeze(cell_text(value))
    if text in own_missing:
        return None
    if text in spellings:
        return spellings[text]
    if accept_marks:
        if text in yes:
            return True
        if text == "" or text in no:
            return False
    if text == "" or text in missing:
        return None
    raise CellError("invalid_category")
