"""The summary includes the simulation study's section once it has been run."""

from pathlib import Path

from teichaku.report.summary import markdown_to_html_body, simulation_section


def _study(tmp_path: Path) -> Path:
    sim = tmp_path / "results" / "simulation"
    sim.mkdir(parents=True)
    (sim / "power_by_cases.png").write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
        )
    )
    path = sim / "summary.md"
    path.write_text(
        "## Simulation study\n\ntext\n\n### Scenarios\n\n![Power](power_by_cases.png)\n",
        encoding="utf-8",
    )
    return path


def test_no_study_means_no_section(tmp_path):
    assert simulation_section(None, tmp_path) is None
    assert simulation_section(tmp_path / "missing.md", tmp_path) is None


def test_section_is_demoted_and_relinked_from_the_summary(tmp_path):
    summary_dir = tmp_path / "results" / "summary"
    summary_dir.mkdir(parents=True)
    section = simulation_section(_study(tmp_path), summary_dir)
    assert section.startswith("### Simulation study")
    assert "#### Scenarios" in section
    assert "![Power](../simulation/power_by_cases.png)" in section
    body = markdown_to_html_body(section, summary_dir)  # the image resolves and is embedded
    assert 'src="data:image/png;base64,' in body
