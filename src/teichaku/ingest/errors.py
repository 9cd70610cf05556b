"""The one exception that stops an ingest run."""

from __future__ import annotations


class IngestError(Exception):
    """A failure that stops the run; ``str()`` is the whole message for the user (it names
    the file and, where it applies, the line, sheet or column) and never holds a personal
    value. ``rule`` is the name of the rule broken (``rules.RULES``)."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


def file_error(where: str, rule: str, detail: str = "") -> IngestError:
    """The error of a ``file`` rule: ``<where>: <rule>: <English>[; detail] / <日本語>``."""
    from teichaku.ingest.rules import RULES  # rules imports nothing of ingest: no cycle

    r = RULES[rule]
    extra = f"; {detail}" if detail else ""
    return IngestError(f"{where}: {rule}: {r.message_en}{extra} / {r.message_ja}", rule)
