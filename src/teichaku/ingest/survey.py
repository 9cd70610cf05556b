"""Ingest a whole raw folder (roster, awareness, cases/) into clean tables and write them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from teichaku.codebook import Codebook
from teichaku.ingest.clean import TableResult, clean_table
from teichaku.ingest.errors import file_error
from teichaku.ingest.policy import set_missing_variables
from teichaku.ingest.readers import read_sheet, table_files
from teichaku.ingest.report import file_labels_csv, summary, summary_csv, summary_json

TABLE_ORDER = ("roster", "awareness", "cases")  # the roster first: it defines the centers


@dataclass
class SurveyResult:
    tables: dict[str, TableResult]
    ignored_files: list[str]

    def rejected(self) -> pd.DataFrame:
        return pd.concat([self.tables[t].rejected for t in TABLE_ORDER], ignore_index=True)


def ingest_survey(
    raw_dir: str | Path, codebook: Codebook, key: bytes, invalid_cell=None
) -> SurveyResult:
    """``invalid_cell``: the config's ``validation.invalid_cell`` (default: reject the row)."""
    set_missing = set_missing_variables(invalid_cell, codebook)
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise file_error(str(raw_dir), "file_not_found", "the raw folder does not exist")
    tables: dict[str, TableResult] = {}
    ignored: list[str] = []
    centers: list[str] | None = None  # with a valid roster row
    rejected: list[str] = []  # read in the roster, every row of theirs rejected
    for name in TABLE_ORDER:
        table = codebook.tables[name]
        found = table_files(raw_dir, table.file)
        ignored += found.ignored
        sheets = [read_sheet(path, raw_dir, table.sheet) for path in found.files]
        tables[name] = clean_table(
            name,
            sheets,
            codebook,
            key=key,
            roster_centers=centers,
            rejected_centers=rejected,
            set_missing=set_missing[name],
        )
        if name == "roster":
            centers = sorted(set(tables[name].clean["center_id"]))
            rejected = sorted(set(tables[name].centers_parsed) - set(centers))
    return SurveyResult(tables, ignored)


@dataclass(frozen=True)
class OutputPaths:
    roster: Path
    awareness: Path
    cases: Path
    rejected: Path
    summary_json: Path
    summary_csv: Path


def write_outputs(result: SurveyResult, paths: OutputPaths, min_cell: int) -> dict:
    """Write the clean tables, the rejected rows and the summary (published under the
    small-count rule of ``min_cell``, privacy.min_cell); return the full summary."""
    for name in TABLE_ORDER:
        path = Path(getattr(paths, name))
        path.parent.mkdir(parents=True, exist_ok=True)
        result.tables[name].clean.to_parquet(path, index=False)
    paths.rejected.parent.mkdir(parents=True, exist_ok=True)
    result.rejected().to_parquet(paths.rejected, index=False)
    data = summary(result.tables, result.ignored_files)
    paths.summary_json.parent.mkdir(parents=True, exist_ok=True)
    paths.summary_json.write_text(summary_json(data, min_cell), encoding="utf-8")
    paths.summary_csv.write_text(summary_csv(data, min_cell), encoding="utf-8")
    # which raw file each published label stands for: under data/, never published
    (paths.rejected.parent / "file_labels.csv").write_text(file_labels_csv(data), encoding="utf-8")
    return data


def check_rejected_share(data: dict, limit: float) -> None:
    """Stop when more than ``limit`` (validation.max_rejected_share) of the case rows read
    were rejected; ``data`` is the validation summary."""
    share = data["rejected_share_cases"]
    if share > limit:
        cases = data["tables"]["cases"]
        raise file_error(
            "cases",
            "rejected_share_exceeded",
            f"{cases['rows_rejected']} of {cases['rows_read']} case rows rejected "
            f"({share:.1%} > validation.max_rejected_share {limit:.1%}); see "
            "data/processed/<run>/rejected_rows.parquet and results/<run>/validation/summary.json",
        )
