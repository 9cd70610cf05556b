"""The summary template: every placeholder must be filled (StrictUndefined), images are
embedded, and the PDF stylesheet points at the font shipped in matplotlib-fontja."""

import jinja2
import pytest
import report_fixtures as fx

from teichaku.report import summary


def test_a_missing_number_is_an_error_not_a_gap():
    env = summary.make_environment(fx.REPORT_ASSETS)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ numbers.published.survey.n_cases | num }}").render(
            numbers={"published": {"survey": {}}}
        )
    with pytest.raises(ValueError, match="missing"):
        summary.fmt_number(None)
    assert (
        env.from_string("{{ x | num(2) }} {{ y | num }} {{ z | p }}").render(
            x=56.714, y=2783, z=0.0004
        )
        == "56.71 2,783 < 0.001"
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_both_templates_refuse_an_incomplete_context(lang):
    with pytest.raises(jinja2.UndefinedError):
        summary.render_markdown(fx.REPORT_ASSETS, lang, {"synthetic": True})


def test_images_become_data_uris_and_a_missing_one_is_an_error(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "f.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "summary").mkdir()
    body = summary.markdown_to_html_body("![cap](../figures/f.png)\n", tmp_path / "summary")
    assert 'src="data:image/png;base64,iVBORw0KGgpmYWtl"' in body and 'alt="cap"' in body
    with pytest.raises(FileNotFoundError, match=r"g\.png"):
        summary.markdown_to_html_body("![x](../figures/g.png)\n", tmp_path / "summary")


def test_markdown_tables_are_rendered():
    body = summary.markdown_to_html_body("| a | b |\n| :-- | --: |\n| 1 | 2 |\n", ".")
    assert "<table>" in body and '<td style="text-align:right">2</td>' in body


def test_pdf_font_is_the_ttf_inside_matplotlib_fontja():
    css = summary.pdf_font_css()
    assert "@font-face" in css and "matplotlib_fontja/fonts/ipaexg.ttf" in css
    assert css.count("file://") == 1


@pytest.mark.slow
def test_tables_and_summary_do_not_load_matplotlib():
    """Only the figures rule pays for matplotlib (about half a second per rule)."""
    import subprocess
    import sys

    code = (
        "import sys, teichaku.report.stage, teichaku.report.summary, teichaku.report.fonts; "
        "sys.exit('matplotlib' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
