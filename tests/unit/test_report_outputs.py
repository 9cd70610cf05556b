"""The report as the rules write it, from fixture data: figures (size, fonts, glyphs),
the summary (no gaps, self-contained HTML, PDF with the Japanese font), privacy scans and
byte-identical files across two renders in separate processes."""

import hashlib
import os
import re
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import pandas as pd
import pytest
import report_fixtures as fx

from teichaku.report import catalog
from teichaku.report.labels import load_labels
from teichaku.report.spec import load_report_spec
from teichaku.report.suppress import Privacy, find_case_refs, find_small_counts

#: The tables and figures of the default report (config/report.yaml).
REPORT = load_report_spec(fx.REPORT_SPEC)

pytestmark = pytest.mark.slow  # the module's fixtures take seconds


def _render(out: Path, language: str):
    # Any warning (a missing glyph in particular: "Glyph ... missing from font") fails.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fx.render_all(out, language)


@pytest.fixture(scope="module")
def ja(tmp_path_factory):
    out = tmp_path_factory.mktemp("report_ja")
    return out, _render(out, "ja")


@pytest.fixture(scope="module")
def en(tmp_path_factory):
    out = tmp_path_factory.mktemp("report_en")
    return out, _render(out, "en")


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _png_dpi(path: Path) -> float:
    data = path.read_bytes()
    i = data.index(b"pHYs")
    ppm = struct.unpack(">I", data[i + 4 : i + 8])[0]
    return ppm * 0.0254


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated (object streams hide font dictionaries)."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_figure_exists_at_300_dpi_with_its_vector_pdf(lang, request):
    out, _ = request.getfixturevalue(lang)
    for name in REPORT.figure_names():
        png, pdf = out / "figures" / f"{name}.png", out / "figures" / f"{name}.pdf"
        width, height = _png_size(png)
        assert width == round(6.7 * 300)  # a full-width figure at 300 dpi
        assert 600 <= height <= 3000
        assert _png_dpi(png) == pytest.approx(300, abs=1)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and b"IPAexGothic" in data  # text embedded as font


def test_figures_carry_no_run_dependent_metadata(ja):
    out, _ = ja
    png = (out / "figures" / "fig1_coverage.png").read_bytes()
    pdf = (out / "figures" / "fig1_coverage.pdf").read_bytes()
    assert b"Software" not in png and b"matplotlib" not in png.lower()
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tables_are_written_in_every_format_in_the_language(lang, request):
    out, _ = request.getfixturevalue(lang)
    for files in catalog.table_files(REPORT.table_names(), str(out / "tables")).values():
        assert [Path(f).exists() for f in files] == [True] * len(catalog.TABLE_FORMATS)
    csv = pd.read_csv(out / "tables" / "table2_support_by_cohort.csv")
    if lang == "ja":
        assert "令和元年度 支援終了 %" in csv.columns
    else:
        assert "FY2019 ended %" in csv.columns


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_has_every_section_filled_and_the_synthetic_banner(lang, request):
    out, b = request.getfixturevalue(lang)
    md = (out / "summary" / "summary.md").read_text(encoding="utf-8")
    assert "{{" not in md and "{%" not in md
    assert 'class="banner"' in md.split("##")[0]  # before the first section
    assert f"{b['numbers']['published']['survey']['n_cases']:,}" in md
    assert f"{b['numbers']['published']['basic_attributes']['mean_age']:.2f}" in md
    for name in REPORT.figure_names():
        assert f"../figures/{name}.png" in md
    heading = "## 出所と再現性" if lang == "ja" else "## Provenance"
    assert heading in md and "SHA-256" in md


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_html_is_self_contained(lang, request):
    out, _ = request.getfixturevalue(lang)
    html = (out / "summary" / "summary.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    assert "<style>" in html and "<link" not in html and "<script" not in html
    assert not re.search(r"(?:https?|file|ftp)://", html)
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(sources) == len(REPORT.figure_names())
    assert all(s.startswith("data:image/png;base64,") for s in sources)
    assert html.count("<table") >= len(REPORT.table_names())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_summary_pdf_embeds_the_japanese_font_and_has_pages(lang, request):
    out, _ = request.getfixturevalue(lang)
    pdf = (out / "summary" / "summary.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    objects = _pdf_objects(pdf)
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z+\-]+)", objects))
    assert fonts and all(re.fullmatch(rb"[A-Z]{6}\+IPAexGothic(-Bold)?", f) for f in fonts)
    assert b"/FontFile2" in objects  # the font program is embedded
    pages = len(re.findall(rb"/Type\s*/Page\b", objects))
    assert 6 <= pages <= 40
    assert len(re.findall(rb"/Subtype\s*/Image", objects)) >= len(REPORT.figure_names())


def test_no_case_reference_and_no_small_count_reaches_the_results(ja):
    out, b = ja
    assert find_case_refs(out, b["cases"]["case_ref"]) == []
    privacy = Privacy(5)
    labels = load_labels("ja", fx.LABEL_FILE)
    counts = tuple(labels.text(k) for k in ("count", "valid_n", "n_model", "n_events"))
    for csv in sorted((out / "tables").glob("*.csv")):
        table = pd.read_csv(csv, dtype=str, keep_default_na=False)
        cols = [c for c in table.columns if c.endswith(counts)]
        assert find_small_counts(table, cols, privacy) == [], csv.name
    support = (out / "tables" / "table2_support_by_cohort.md").read_text(encoding="utf-8")
    assert "<5" in support  # the rare item is suppressed


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_a_second_render_in_another_process_is_byte_identical(ja, tmp_path):
    out, _ = ja
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import report_fixtures as fx; "
        "from pathlib import Path; fx.render_all(Path(sys.argv[2]), 'ja')"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(Path(fx.__file__).parent), str(tmp_path)],
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    first, second = _digests(out), _digests(tmp_path)
    assert len(first) == (
        len(REPORT.table_names()) * len(catalog.TABLE_FORMATS)
        + len(REPORT.figure_names()) * len(catalog.FIGURE_FORMATS)
        + len(catalog.SUMMARY_FORMATS)
        + 1  # tables.xlsx
        + 1  # provenance.txt
    )
    assert first == second
