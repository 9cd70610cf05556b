"""A survey round as configuration: the config's ``survey:`` section, and the round's codebook
derived from it.

The codebook (config/codebook.yaml) describes the variables of every round; what changes
from one round to the next is said once, in ``survey:``::

    survey:
      round: 2021                     # the year of the survey
      period_start: 2021-10-21        # 実施期間
      period_end: 2021-12-07          # no date in the data may be later
      reference_date: 2021-10-21      # continuing follow-up is censored here
      ended_fiscal_years: [2019, 2020]    # the ended cohorts, in the codebook's order
      continuing_fiscal_year: 2020        # the cohort still followed
      n_centers_asked: 48             # centers asked: center numbers C01 ... C48

:func:`round_codebook` lays it over the codebook: the survey period and reference date, the
fiscal year of each ended cohort (its date limits), the cohort labels in Japanese and
English with their accepted spellings (the Japanese era, e.g. 令和元年度, computed from the
fiscal year and the codebook's eras, never typed) and the largest center number. Every
stage then reads the round's codebook (results/<run>/codebook/codebook.yaml), so that the
data dictionary, the entry template's date limits and center list, the validation and
every cohort label of the tables, figures and summary are those of the round.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from teichaku import yamlio

#: The cohort codes of the codebook: the ended cohorts (those with a fiscal year), then the
#: continuing one. Codes are identifiers; the round gives them their years.
COHORT_VARIABLE = ("cases", "cohort")


class SurveyError(ValueError):
    """The survey section does not fit the codebook (reported without a traceback)."""


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def fiscal_year_span(year: int) -> tuple[dt.date, dt.date]:
    """Japan's fiscal year ``year``: 1 April ``year`` to 31 March of the next year."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def era_year(year: int, eras: dict) -> tuple[str, int]:
    """The era name and era year of fiscal year ``year``, as Japanese documents write it: the
    era in force at the fiscal year's end (FY2019 is 令和元年度 although April 2019 was
    still 平成)."""
    end = fiscal_year_span(year)[1]
    name, era = max(
        ((n, e) for n, e in eras.items() if _date(e["start"]) <= end),
        key=lambda item: _date(item[1]["start"]),
    )
    return name, year - int(era["offset"])


def fiscal_year_ja(year: int, eras: dict) -> str:
    """``令和元年度`` for 2019, ``令和4年度`` for 2022 (era year 1 is written 元)."""
    name, number = era_year(year, eras)
    return f"{name}{'元' if number == 1 else number}年度"


def fiscal_years_ja(years, eras: dict) -> str:
    """Several fiscal years as Japanese writes them: 令和元年度・2年度 (the era named once
    while it stays the same)."""
    parts, previous = [], None
    for year in years:
        name, number = era_year(int(year), eras)
        text = f"{'元' if number == 1 else number}年度"
        parts.append(text if name == previous else f"{name}{text}")
        previous = name
    return "・".join(parts)


def cohort_labels(year: int, ended: bool, eras: dict) -> tuple[str, str]:
    """The Japanese and English label of a cohort of fiscal year ``year``."""
    ja = f"{fiscal_year_ja(year, eras)} {'支援終了' if ended else '支援継続'}"
    en = f"FY{year} {'ended' if ended else 'continuing'}"
    return ja, en


def _spellings(old: list, old_ja: str, new_ja: str) -> list[str]:
    """The accepted spellings of a relabelled cohort: the codebook's own (positional codes
    such as 1 and ①), with the old label's spellings (with and without its space) replaced
    by the new label's."""
    old_forms = {old_ja, old_ja.replace(" ", "")}
    kept = [str(s) for s in old if str(s) not in old_forms]
    return [*kept, new_ja, new_ja.replace(" ", "")]


def round_codebook(raw: dict, survey: dict) -> dict:
    """The codebook (as parsed YAML) of the round ``survey`` (the config's survey section)."""
    out = copy.deepcopy(raw)
    table, name = COHORT_VARIABLE
    levels = out["tables"][table]["variables"][name]["values"]
    ended_codes = [code for code in levels if code in raw["fiscal_years"]]
    continuing_codes = [code for code in levels if code not in raw["fiscal_years"]]
    ended_years = list(survey["ended_fiscal_years"])
    if len(ended_years) != len(ended_codes) or len(continuing_codes) != 1:
        raise SurveyError(
            f"survey.ended_fiscal_years: the codebook has {len(ended_codes)} ended cohorts "
            f"({', '.join(ended_codes)}) and one continuing cohort; "
            f"{len(ended_years)} fiscal years given"
        )
    period_start, period_end = _date(survey["period_start"]), _date(survey["period_end"])
    reference = _date(survey["reference_date"])
    if int(survey["round"]) != period_start.year:
        raise SurveyError(
            f"survey.round {survey['round']} is not the year the survey period starts "
            f"({period_start})"
        )
    if not period_start <= period_end or reference > period_end:
        raise SurveyError(
            "survey: the period must run forward (period_start <= period_end) and the "
            "reference_date lie on or before its end"
        )
    last_ended_end = fiscal_year_span(max(ended_years))[1]
    if reference < last_ended_end:
        raise SurveyError(
            f"survey.reference_date {reference} lies inside the last ended fiscal year "
            f"(FY{max(ended_years)} ends {last_ended_end})"
        )
    out["survey"] = {
        "period_start": period_start,
        "period_end": period_end,
        "reference_date": reference,
    }
    out["fiscal_years"] = {}
    years = dict(zip(ended_codes, ended_years, strict=True))
    years[continuing_codes[0]] = int(survey["continuing_fiscal_year"])
    for code, year in years.items():
        ended = code in ended_codes
        if ended:
            start, end = fiscal_year_span(int(year))
            out["fiscal_years"][code] = {"start": start, "end": end}
        ja, en = cohort_labels(int(year), ended, raw["eras"])
        level = levels[code]
        level["spellings"] = _spellings(level.get("spellings", []), level["ja"], ja)
        level["ja"], level["en"] = ja, en
    for table_def in out["tables"].values():
        for var in table_def["variables"].values():
            if var.get("type") == "center_id":
                var["max"] = int(survey["n_centers_asked"])
    return out


def write_round_codebook(codebook: str | Path, survey: dict, out: str | Path) -> Path:
    """Write the round's codebook (YAML) of the codebook file ``codebook``."""
    from teichaku.codebook import parse_codebook

    with open(codebook, encoding="utf-8") as fh:
        raw = yamlio.safe_load(fh)
    derived = round_codebook(raw, survey)
    parse_codebook(derived)  # fails here, not in a later rule, when it does not parse
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(derived, allow_unicode=True, sort_keys=False, width=100)
    out.write_text(
        "# The codebook of this round: config/codebook.yaml with the config's survey section\n"
        "# laid over it (teichaku.survey). Generated: edit those, not this file.\n" + text,
        encoding="utf-8",
    )
    return out


def guarded_round_codebook(*, codebook: str | Path, survey: dict, out: str | Path) -> None:
    """The rule round_codebook: a survey section that does not fit ends the process with
    its message and exit code 1 (no traceback)."""
    import logging
    import sys

    try:
        write_round_codebook(codebook, survey, out)
    except (SurveyError, ValueError, TypeError) as exc:
        logging.getLogger(__name__).error("survey: %s", exc)
        sys.exit(1)
