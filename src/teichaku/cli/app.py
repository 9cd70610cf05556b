"""``teichaku`` subcommands, argument parsing and the one rule of the command line: no
traceback reaches the user. A failure is one clear line on stderr and exit code 2; a check
that rejects rows exits with 1; otherwise 0."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from teichaku.cli.text import say
from teichaku.ingest.errors import IngestError

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class CliError(Exception):
    """A usage or configuration problem; ``str()`` is the message for the user."""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang",
        choices=["ja", "en"],
        default=argparse.SUPPRESS,
        help="language of the messages (ja, en; default ja or $TEICHAKU_LANG)",
    )
    parser = argparse.ArgumentParser(
        prog="teichaku",
        description="Follow-up survey of the Community Life Settlement Support Centers: "
        "check the centers' files, send each center its problems, merge the awareness sheets.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser(
        "check",
        parents=[common],
        help="validate files exactly as the workflow would and write the feedback workbooks",
    )
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument("--roster", type=Path, help="the roster (調査対象センター一覧)")
    check.add_argument(
        "--round",
        type=Path,
        metavar="CONFIG",
        help="the round's config (codebook, raw_dir holding the roster, validation policy)",
    )
    check.add_argument(
        "--out",
        type=Path,
        default=Path("data/feedback/check"),
        help="folder of the feedback workbooks (default data/feedback/check)",
    )

    feedback = sub.add_parser(
        "feedback",
        parents=[common],
        help="after a run: one feedback workbook per center under data/feedback/<run>/",
    )
    feedback.add_argument(
        "--config",
        type=Path,
        default=Path("config/config.yaml"),
        help="the run's config (default config/config.yaml)",
    )
    feedback.add_argument(
        "--directory",
        type=Path,
        help="the run's working directory, as snakemake --directory (default: here)",
    )
    feedback.add_argument(
        "--run", default="default", help="name of the folder under data/feedback/ (default default)"
    )

    merge = sub.add_parser(
        "merge-awareness",
        parents=[common],
        help="merge the centers' awareness sheets (認識調査) into one awareness workbook",
    )
    merge.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="files or folders of files"
    )
    merge.add_argument("-o", "--output", type=Path, required=True, help="awareness.xlsx to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    lang = getattr(args, "lang", None) or os.environ.get("TEICHAKU_LANG", "ja")
    lang = lang if lang in ("ja", "en") else "ja"
    try:
        if args.command == "check":
            from teichaku.cli.commands import check

            return check(args, lang)
        if args.command == "feedback":
            from teichaku.cli.commands import feedback

            return feedback(args, lang)
        from teichaku.cli.commands import merge_awareness

        return merge_awareness(args, lang)
    except (IngestError, CliError) as exc:
        print(say(lang, "fatal", message=exc), file=sys.stderr)
    except OSError as exc:
        message = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)
        print(say(lang, "fatal", message=message), file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("TEICHAKU_DEBUG"):
            raise
        print(say(lang, "internal", kind=type(exc).__name__, message=exc), file=sys.stderr)
    return EXIT_ERROR
