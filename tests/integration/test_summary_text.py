"""The summary's sentences are words, not code (ja and en, Markdown and HTML of the small run):
no code spans, no comparison operators of a query, no identifier of a rule, a model check, a
model or a column; the input files' digests are in provenance.txt, not in the summary."""

from __future__ import annotations

import re

import pytest

from teichaku.report import provenance

from .summaries import summary_file

pytestmark = pytest.mark.slow

#: What code looks like in running text: a code span, a query's comparison, an R or Python
#: qualified name, a snake_case identifier (rules, checks, models and columns are named so).
CODE = {
    "code span": re.compile(r"`"),
    "comparison": re.compile(r"==|!="),
    "qualified name": re.compile(r"\w::\w"),
    "identifier": re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b"),
}


def _visible_markdown(markdown: str) -> str:
    """The Markdown without the targets of its images (file names of the figures)."""
    return re.sub(r"(!\[[^\]]*\])\([^)]*\)", r"\1", markdown)


def _visible_html(document: str) -> str:
    """The text a reader sees: no style sheet, no tag, no attribute (data URIs)."""
    body = re.sub(r"<style>.*?</style>", "", document, flags=re.S)
    return re.sub(r"<[^>]*>", " ", body)


def code_in(text: str) -> dict[str, list[str]]:
    found = {name: sorted(set(p.findall(text))) for name, p in CODE.items()}
    return {name: hits for name, hits in found.items() if hits}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_code_in_the_sentences(small_run_both, lang):
    markdown = summary_file(small_run_both, lang, "md").read_text(encoding="utf-8")
    document = summary_file(small_run_both, lang, "html").read_text(encoding="utf-8")
    assert code_in(_visible_markdown(markdown)) == {}, f"{lang}: code in summary.{lang}.md"
    assert code_in(_visible_html(document)) == {}, f"{lang}: code in summary.{lang}.html"


def test_the_scan_finds_what_the_summaries_printed_before():
    old = (
        "- 移行の原因別Coxモデル(HR、対象: `end_reason != 'death'`)\n"
        "- Cox: `proportional_hazards`(IQ) — warning\n"
        "standard errors as R's sandwich::vcovCL; imputed (iq_10, prison_admissions)\n"
    )
    assert set(code_in(old)) == {"code span", "comparison", "qualified name", "identifier"}
    assert code_in(_visible_markdown("![図1](../figures/ja/fig1_coverage.png)")) == {}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_digests_of_the_inputs_are_in_provenance_txt_not_in_the_summary(small_run_both, lang):
    markdown = summary_file(small_run_both, lang, "md")
    record_file = markdown.parent / "provenance.txt"
    record = provenance.from_text(record_file.read_text(encoding="utf-8"))
    text = markdown.read_text(encoding="utf-8")
    assert len(record["inputs_sha256"]) > 10
    assert not [d for d in record["inputs_sha256"].values() if d in text]
    assert record["config_sha256"] in text and record["git"]["commit"] in text
    assert provenance.sha256_file(record_file) in text
    # every input by a neutral label or its path in the run's folder, never an absolute path
    assert not [p for p in record["inputs_sha256"] if p.startswith("/")]
