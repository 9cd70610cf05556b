"""The synthetic 2021 survey: a known data-generating model, calibrated to every published
figure, written as messy raw files in the layout of FORMAT.md.

- ``generate_survey(cfg, published)``: clean roster, cases and awareness tables plus truth.
- ``simulate_cases(design, rng)``: clean cases only, uncalibrated, for simulation studies.
- ``Design.from_config(cfg, codebook)``: the model's parameters from config/synthetic.yaml.
"""

from importlib import import_module

# Loaded on first use: the workflow imports teichaku.synthetic.rounds when it starts (every
# rerun, a no-op included), and importing the package must not load pandas for it.
_HOME = {
    "Design": "teichaku.synthetic.model",
    "SyntheticSurvey": "teichaku.synthetic.population",
    "generate_survey": "teichaku.synthetic.population",
    "load_synthetic_config": "teichaku.synthetic.config",
    "simulate_cases": "teichaku.synthetic.population",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOME[name]), name)
