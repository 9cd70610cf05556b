"""The generated methods paragraph states the conventions of the models that were fitted,
with the values of the settings (not typed-in ones), and the direction of every ratio."""

import dataclasses

import pandas as pd
import pytest

from teichaku.analysis.methods import imputed_variables, methods_paragraph
from teichaku.analysis.specs import Settings, load_analysis_spec
from teichaku.codebook import load_codebook


@pytest.fixture(scope="module")
def spec(root):
    return load_analysis_spec(root / "config" / "models.yaml", [6, 12, 18, 24], load_codebook())


def _fitted(spec, types=None):
    return pd.DataFrame(
        {"model": [m.name for m in spec.models if types is None or m.type in types]}
    )


def test_every_convention_and_direction_is_stated(spec):
    settings = Settings(quadrature_points=13, mice_imputations=7, mice_burn_in=4, seed=99)
    en = methods_paragraph(spec, settings, _fitted(spec), ["iq_10"], "en")
    ja = methods_paragraph(spec, settings, _fitted(spec), ["iq_10"], "ja")
    for text in (en, ja):
        assert "Efron" in text and "G/(G−1)" in text and "(N−1)/(N−K)" in text
        assert "13" in text and "glmer" in text and "lme4" in text
        assert "7" in text and "4" in text and "99" in text and "iq_10" in text
        assert "::" not in text and " = )" not in text  # R in words, not as code
        assert "Barnard–Rubin" in text and "geepack" in text
    assert "ハザード比が1未満であることは移行による終了が起こりにくいこと(関与の長期化)" in ja
    assert "hazard ratio below 1 means ending by transition is less likely" in en
    assert "odds ratio above 1" in en and "オッズ比が1を超えることは" in ja
    assert "subdistribution hazard ratio below 1 means a lower cumulative incidence" in en
    assert "部分分布ハザード比が1未満であることは移行による終了の累積発生率が低いこと" in ja
    for text in (en, ja):
        assert "finegray" in text and "Breslow" in text
        assert "crr" not in text  # every Fine-Gray model of the spec is clustered
    assert "95% confidence intervals" in en and "95%区間" in ja


def test_an_unclustered_fine_gray_model_states_crr_variance(spec):
    fg = next(m for m in spec.models if m.type == "fine_gray")
    alone = dataclasses.replace(spec, models=(dataclasses.replace(fg, cluster=None),))
    fitted = pd.DataFrame({"model": [fg.name]})
    for language in ("en", "ja"):
        text = methods_paragraph(alone, Settings(), fitted, [], language)
        assert "cmprsk" in text and "crr" in text and "finegray" not in text


def test_only_the_fitted_model_types_are_described(spec):
    text = methods_paragraph(spec, Settings(), _fitted(spec, {"cox"}), ["iq_10"], "en")
    assert "Efron" in text and "imputed" in text
    assert "glmer" not in text and "geepack" not in text and "vcovCL" not in text
    no_mice = dataclasses.replace(spec, models=tuple(m for m in spec.models if m.missing != "mice"))
    assert "imputed" not in methods_paragraph(no_mice, Settings(), _fitted(no_mice), [], "en")


def test_imputed_variables_are_the_incomplete_numeric_covariates(spec):
    data = pd.DataFrame(
        {
            "iq_10": [6.0, None],
            "age_10": [5.0, 6.0],
            "prison_admissions": [1.0, 2.0],
            "coordination": pd.Categorical(["special", None]),
        }
    )
    assert imputed_variables(spec, data) == ["iq_10"]
