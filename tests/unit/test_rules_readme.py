"""Every rule the ingest code can report is in the rule registry, with a Japanese and an
English message, and in the README's troubleshooting table."""

from __future__ import annotations

import re
from pathlib import Path

from teichaku.codebook import load_codebook
from teichaku.crosscheck import cross_rules
from teichaku.ingest.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
INGEST = ROOT / "src" / "teichaku" / "ingest"
#: how the code names a rule it reports: cell errors, file errors, flagged cells, notices,
#: failures added by name
EMITTERS = [
    r'CellError\("(\w+)"\)',
    r'file_error\(\s*[^,]+,\s*"(\w+)"',
    r'FlaggedCell\("(\w+)"',
    r'_notice\("(\w+)"',
    r'failures\.add\([^)]*?"(\w+)"',
    r'\("!", "(\w+)"',
    r'\(\s*"(\w+)",\s*lambda',  # schema checks, named after their rules
    r'\(\s*(?:var\.name|"\w+"),\s*"(\w+)",\s*lambda',
]


def emitted_rules() -> set[str]:
    found: set[str] = set()
    for path in [*INGEST.glob("*.py"), ROOT / "src" / "teichaku" / "schemas.py",
                 ROOT / "src" / "teichaku" / "crosscheck.py"]:  # fmt: skip
        text = path.read_text(encoding="utf-8")
        for pattern in EMITTERS:
            found |= set(re.findall(pattern, text, flags=re.S))
    errors, warnings = cross_rules(load_codebook())
    return found | {r.name for r in (*errors, *warnings)}


def readme_rules() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Troubleshooting validation messages", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`(\w+)`", line.split("|")[1]))
    return names


def test_the_code_reports_only_registered_rules():
    emitted = emitted_rules()
    assert len(emitted) > 30  # the patterns still find the rules
    assert emitted - set(RULES) == set()


def test_every_rule_has_both_messages():
    for rule in RULES.values():
        assert rule.message_ja and rule.message_en, rule.name
        assert rule.severity in {"error", "warning", "duplicate", "file", "notice"}


def test_readme_lists_every_rule():
    listed = readme_rules()
    assert set(RULES) - listed == set()
    assert listed - set(RULES) == set()
