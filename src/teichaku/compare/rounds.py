"""One survey round as the comparison reads it: its name, reference date, the analysis
dataset (data/processed/<run>/analysis.parquet: one row per valid case, the pseudonym
``case_id`` linking a person across rounds) and its published numbers
(results/<run>/numbers.json)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Round:
    name: str
    reference_date: dt.date
    analysis: pd.DataFrame
    numbers: dict


class CompareError(ValueError):
    """The rounds cannot be compared (reported without a traceback)."""


def load_round(
    name: str, reference_date: dt.date | str, analysis: str | Path, numbers: str | Path
) -> Round:
    if isinstance(reference_date, str):
        reference_date = dt.date.fromisoformat(reference_date)
    with open(numbers, encoding="utf-8") as fh:
        published = json.load(fh)
    return Round(name, reference_date, pd.read_parquet(analysis), published)


def in_order(rounds: list[Round]) -> list[Round]:
    """The rounds by reference date; two rounds of the same date cannot be told apart."""
    if len(rounds) < 2:
        raise CompareError("compare needs at least two runs (config key compare:)")
    ordered = sorted(rounds, key=lambda r: r.reference_date)
    dates = [r.reference_date for r in ordered]
    if len(set(dates)) != len(dates):
        raise CompareError(
            "two runs of compare: have the same reference date: "
            + ", ".join(f"{r.name} {r.reference_date}" for r in ordered)
        )
    return ordered
