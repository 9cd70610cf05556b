"""The subcommands: ``check``, ``feedback``, ``merge-awareness``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from teichaku import paths
from teichaku.cli.app import EXIT_OK, EXIT_REJECTED, CliError
from teichaku.cli.text import say
from teichaku.codebook import DEFAULT_PATH, Codebook, load_codebook
from teichaku.feedback.validate import Validation, validate_files, validate_folder
from teichaku.ingest.clean import MASK
from teichaku.ingest.readers import table_files


@dataclass(frozen=True)
class Round:
    """What a command needs of a round's config (config/config.yaml or a copy); paths are
    relative to the working directory, as for the workflow."""

    codebook: Path
    raw_dir: Path | None
    invalid_cell: object = None  # validation.invalid_cell (None: reject the row)
    run: str | None = None  # the run's name (its outputs are under data/processed/<run>/)


def load_round(path: Path | None, base: Path = Path()) -> Round:
    """The round's config at ``path``; its paths are relative to ``base`` (the working
    directory of the run)."""
    if path is None:
        return Round(DEFAULT_PATH, None)
    path = base / path
    if not path.is_file():
        raise CliError(f"{path}: config file not found / 設定ファイルがありません")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: not a YAML config file ({type(exc).__name__})") from None
    if not isinstance(config, dict):
        raise CliError(f"{path}: not a config file (a YAML mapping is expected)")
    codebook = base / str(config.get("codebook", DEFAULT_PATH))
    if not codebook.is_file():
        raise CliError(f"{path}: codebook {codebook} not found (paths are relative to {base})")
    if config.get("survey"):  # a round of its own: its labels, dates and centers
        codebook = _round_codebook(codebook, config["survey"], path)
    raw_dir = (config.get("input") or {}).get("raw_dir")
    invalid_cell = (config.get("validation") or {}).get("invalid_cell")
    return Round(
        codebook, base / str(raw_dir) if raw_dir else None, invalid_cell, config.get("run")
    )


def _round_codebook(codebook: Path, survey: dict, config: Path) -> Path:
    """The round's codebook (teichaku.survey), written to a temporary folder removed when
    the command ends."""
    import atexit
    import shutil
    import tempfile

    from teichaku.survey import SurveyError, write_round_codebook

    folder = Path(tempfile.mkdtemp(prefix="teichaku-round-"))
    atexit.register(shutil.rmtree, folder, True)
    try:
        return write_round_codebook(codebook, survey, folder / "codebook.yaml")
    except (SurveyError, ValueError, TypeError) as exc:
        raise CliError(f"{config}: survey: {exc}") from None


def _codebook(round_: Round) -> Codebook:
    return load_codebook(str(round_.codebook))


def _roster_of(round_: Round) -> Path | None:
    if round_.raw_dir is None:
        return None
    try:
        return table_files(round_.raw_dir, "roster").files[0]
    except Exception:
        raise CliError(f"{round_.raw_dir}: no roster file (roster.xlsx or roster.csv)") from None


def report(validation: Validation, cb: Codebook, lang: str) -> list[str]:
    """The readable report of a check: counts per table and file, then every problem."""
    lines = [say(lang, "files", n=len(validation.files))]
    if validation.roster is None and "cases" in validation.tables:
        lines.append(say(lang, "no_roster", max=cb.variable("cases", "center_id").max))
    problems = validation.problems
    for name, result in validation.tables.items():
        table = cb.tables[name]
        lines.append(
            say(
                lang,
                "table",
                label=table.label_ja if lang == "ja" else f"{table.label_en} ({name})",
                read=result.rows_read,
                valid=result.rows_valid,
                rejected=result.rows_rejected,
                duplicate=result.rows_duplicate,
            )
        )
        for sheet in result.sheets:
            mine = problems[(problems["file"] == sheet.file) & (problems["sheet"] == sheet.sheet)]
            errors = mine[mine["outcome"] == "rejected"]
            lines.append(
                say(
                    lang,
                    "file",
                    file=sheet.file,
                    sheet=f" [{sheet.sheet}]" if sheet.sheet else "",
                    read=sheet.rows_read,
                    rejected=len(errors.drop_duplicates(["row"])),
                    warnings=int((mine["outcome"] != "rejected").sum()),
                )
            )
    if problems.empty:
        lines.append(say(lang, "none"))
        return lines
    errors = int((problems["outcome"] == "rejected").sum())
    lines.append(
        say(lang, "problems", n=len(problems), errors=errors, warnings=len(problems) - errors)
    )
    personal = {
        (t.name, v.name) for t in cb.tables.values() for v in t.variables.values() if v.personal
    }
    order = ["file", "sheet", "row", "column_number", "rule"]
    for p in problems.sort_values(order, kind="stable").itertuples(index=False):
        kind = say(lang, "error" if p.outcome == "rejected" else "warning")
        where = [p.file + (f" [{p.sheet}]" if p.sheet else "")]
        if not pd.isna(p.row):
            where.append(
                say(lang, "where", row=int(p.row), letter=p.column_letter or "?", column=p.column)
            )
        value = MASK if (p.table, p.variable) in personal and p.value else p.value
        if value:
            where.append(say(lang, "value", value=value))
        lines.append(f"  [{kind}] {' '.join(where)}")
        lines.append(f"      {p.message_ja if lang == 'ja' else p.message_en}")
    return lines


def check(args, lang: str) -> int:
    from teichaku.feedback.workbook import write_feedback

    round_ = load_round(args.round)
    cb = _codebook(round_)
    roster = args.roster or _roster_of(round_)
    validation = validate_files(args.files, cb, roster, round_.invalid_cell)
    for line in report(validation, cb, lang):
        print(line)
    written = write_feedback(validation, args.out)
    print(say(lang, "workbooks", n=len(written), dir=args.out))
    for path in written:
        print(f"  {path}")
    rejected = validation.rejected
    print(say(lang, "rejected" if rejected else "accepted"))
    return EXIT_REJECTED if rejected else EXIT_OK


def feedback(args, lang: str) -> int:
    from teichaku.feedback.summary import by_center_csv, by_file_csv
    from teichaku.feedback.workbook import write_feedback

    base = args.directory or Path()
    if not base.is_dir():
        raise CliError(f"{base}: directory not found / フォルダがありません")
    round_ = load_round(args.config, base)
    if round_.raw_dir is None:
        raise CliError(f"{args.config}: input.raw_dir is not set")
    cb = _codebook(round_)
    validation = validate_folder(round_.raw_dir, cb, round_.invalid_cell)
    out = base / "data" / "feedback" / args.run
    written = write_feedback(validation, out)
    (out / "summary_by_center.csv").write_text(by_center_csv(validation), encoding="utf-8")
    (out / "summary_by_file.csv").write_text(by_file_csv(validation), encoding="utf-8")
    print(say(lang, "feedback_done", n=len(written), dir=out))
    if not _matches_run(validation, base / paths.of(round_.run or args.run).REJECTED_ROWS):
        print(say(lang, "stale"))
    return EXIT_OK


def _matches_run(validation: Validation, path: Path) -> bool:
    """Whether the rows this check rejected are those the last run rejected."""
    if not path.is_file():
        return True
    key = ["table", "file", "sheet", "row", "column", "rule"]
    run = pd.read_parquet(path, columns=key).astype(str)
    ours = validation.problems[validation.problems["outcome"] == "rejected"][key].astype(str)
    return sorted(map(tuple, run.to_numpy())) == sorted(map(tuple, ours.to_numpy()))


def merge_awareness(args, lang: str) -> int:
    from teichaku.feedback.awareness import merge_awareness as merge
    from teichaku.feedback.awareness import write_awareness

    cb = load_codebook()
    merged = merge(args.files, cb)
    for name in merged.skipped:
        print(say(lang, "skipped", file=name))
    if merged.extras:
        print(say(lang, "extra", columns=", ".join(merged.extras)))
    write_awareness(merged, cb, args.output)
    print(say(lang, "merged", n=len(merged.centers), rows=len(merged.rows), out=args.output))
    return EXIT_OK
