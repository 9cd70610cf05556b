"""The synthetic 2021 survey: a known data-generating model, calibrated to every published
figure, written as messy raw files in the layout of FORMAT.md.

- ``generate_survey(cfg, published)``: clean roster, cases and awareness tables plus truth.
- ``simulate_cases(design, rng)``: clean cases only, uncalibrated, for simulation studies.
- ``Design.from_config(cfg, codebook)``: the model's parameters from config/synthetic.yaml.
"""

from teichaku.synthetic.config import load_synthetic_config
from teichaku.synthetic.model import Design
from teichaku.synthetic.population import SyntheticSurvey, generate_survey, simulate_cases

__all__ = [
    "Design",
    "SyntheticSurvey",
    "generate_survey",
    "load_synthetic_config",
    "simulate_cases",
]
