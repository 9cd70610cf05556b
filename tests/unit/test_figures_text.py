"""What the figures say, measured on the drawn figures of the fixture report in both
languages: no text is clipped or overlaps another (every text matplotlib renders lies
inside the figure box, measured at the saved resolution: tests/unit/figure_text.py), and
the labels issue 16 asked for are there (response rates with their n, units, the barrier's
meaning in legends, the continuing cohort's note, estimates beside forest points, the
direction of effect, numbers at risk)."""

import copy
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import report_fixtures as fx
from figure_text import drawn_texts, text_problems

from teichaku.report import build, stage
from teichaku.report.labels import load_labels
from teichaku.report.suppress import Privacy

pytestmark = pytest.mark.slow  # draws every figure of the report


def _inputs(b: dict) -> build.ReportInputs:
    return fx.report_inputs(b)


REASONS = {
    "ja": "推定する係数1つあたりの該当者が5人未満で、推定が不安定なため報告しない",
    "en": "fewer than 5 people with the outcome per estimated coefficient, too few for a "
    "stable estimate",
}


def _not_reported(b: dict, model: str) -> dict:
    """The bundle with ``model`` not reported (its reason printed in figures 6 and 7)."""
    b = copy.deepcopy(b)
    b["numbers"]["models"][model].update(
        reported="not_reported", reason_ja=REASONS["ja"], reason_en=REASONS["en"]
    )
    return b


def draw_report(b: dict, language: str) -> dict[str, dict]:
    """Each figure the report draws from bundle ``b`` in ``language``: its text problems
    and the texts drawn, measured at the dpi its file is saved at (no file is written)."""
    from teichaku.report import figures as fg

    config = fx.fixture_config(language)
    settings = stage.settings_from_config(config, language)
    labels = load_labels(language, fx.LABEL_FILE, confidence=settings["confidence"])
    ctx = fg.FigureContext(labels, Privacy(5), int(settings["dpi"]), Path("unused"))
    found: dict[str, dict] = {}

    def measure(self, fig, name):
        found[name] = {
            "problems": text_problems(fig, self.dpi),
            "texts": [t.text for t in drawn_texts(fig, self.dpi)],
        }
        plt.close(fig)
        return []

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fg.FigureContext, "save", measure)
        build.build_figures(_inputs(b), ctx, fx.report_spec(b))
    return found


@pytest.fixture(scope="module", params=["ja", "en"])
def drawn(request):
    return (
        request.param,
        load_labels(request.param, fx.LABEL_FILE, confidence=0.95),
        (draw_report(fx.bundle(), request.param)),
    )


def test_no_text_is_clipped_or_overlaps_another(drawn):
    _, _, figures = drawn
    assert len(figures) == 9  # every figure was drawn and measured
    assert {name: f["problems"] for name, f in figures.items() if f["problems"]} == {}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_notes_of_a_model_not_reported_fit_too(language):
    figures = draw_report(_not_reported(fx.bundle(), "logit_prolonged_24"), language)
    assert any(REASONS[language][:12] in t for t in figures["fig7_threshold_sensitivity"]["texts"])
    assert {name: f["problems"] for name, f in figures.items() if f["problems"]} == {}


def _joined(figures, name) -> str:
    return "\n".join(figures[name]["texts"])


def test_response_rates_are_labelled_with_their_n(drawn):
    _, labels, figures = drawn
    published = build.computed_published(_inputs(fx.bundle()), labels.codebook)["survey"]
    text = _joined(figures, "fig1_coverage")
    asked, answered = published["n_centers_asked"], published["n_centers_responded"]
    rate = labels.text(
        "response_rate_centers", pct=f"{100 * answered / asked:.1f}", k=answered, n=asked
    )
    assert rate in text
    assert labels.text("n_centers_axis") in text and labels.text("n_cases_axis") in text


def test_every_mean_has_its_unit(drawn):
    _, labels, figures = drawn
    text = _joined(figures, "fig2_basic_attributes")
    for column in ("age", "iq", "prison_admissions", "residence_changes"):
        assert labels.text("mean_axis", unit=labels.text(f"unit_{column}")) in text


def test_incidence_legends_name_the_barrier_not_yes_no(drawn):
    _, labels, figures = drawn
    for name in ("fig5_cif_transition", "fig9_fine_gray_cif"):
        texts = figures[name]["texts"]
        assert any(t.startswith(labels.text("with_barrier") + " (n = ") for t in texts)
        assert any(t.startswith(labels.text("without_barrier") + " (n = ") for t in texts)
        assert not any(t.startswith(("yes (", "no (")) for t in texts)


def test_forest_points_carry_their_estimate_and_interval_and_the_direction(drawn):
    _, labels, figures = drawn
    from teichaku.report.figures import estimate_text

    coefficients = fx.bundle()["coefficients"]
    text = _joined(figures, "fig6_forest")
    for model in ("cox_transition", "logit_prolonged_12"):
        for _, row in coefficients[coefficients["model"] == model].iterrows():
            assert estimate_text(row) in text
    for key in ("direction_hr_transition", "direction_or_prolonged"):
        left, _, right = labels.text(key).partition(" | ")
        assert left.split()[0] in text and right.split()[-1] in text
    threshold = _joined(figures, "fig7_threshold_sensitivity")
    row = coefficients[coefficients["model"] == "logit_prolonged_6"].iloc[0]
    assert estimate_text(row) in threshold
    assert labels.text("threshold_row", k=6) in threshold


def test_curves_have_numbers_at_risk_and_the_continuing_cohort_is_explained(drawn):
    _, labels, figures = drawn
    for name in ("fig4_km_followup", "fig5_cif_transition", "fig9_fine_gray_cif"):
        assert labels.text("at_risk") in figures[name]["texts"]
    km = figures["fig4_km_followup"]["texts"]
    analysis = fx.bundle()["analysis"]
    for code in ("r1_ended", "r2_ended", "r2_continuing"):  # at risk at time 0: the cohort
        rows = analysis[(analysis["cohort"] == code) & analysis["followup_months"].notna()]
        assert f"{len(rows):,}" in km
    # the fixture's continuing cohort (nobody has ended) is flat at 1.0: its note, once
    continuing = labels.level("cases", "cohort", "r2_continuing")
    assert km.count(labels.text("km_all_censored", group=continuing)) == 1
    ended = labels.level("cases", "cohort", "r1_ended")
    assert labels.text("km_all_censored", group=ended) not in km
