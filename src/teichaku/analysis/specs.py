"""Model and curve specifications read from ``config/models.yaml``.

The YAML's shape is checked by ``workflow/schemas/models.schema.yaml`` when the workflow
starts; this module checks its meaning against the codebook (event codes, reference levels,
scaled sources) and expands the per-threshold models, so a mistake in a spec gives a message
naming the spec rather than a traceback from deep inside a fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from teichaku import yamlio
from teichaku.codebook import Codebook

#: Model types; each has a module in teichaku.analysis.models (its registry lists the same).
MODEL_TYPES = ("cox", "fine_gray", "logit", "gee", "mixed_logit", "binomial_counts")
#: Types whose outcome is (follow-up time, how follow-up ended): no intercept, hazard ratios.
TIME_TO_EVENT_TYPES = ("cox", "fine_gray")
CURVE_TYPES = ("kaplan_meier", "cumulative_incidence")


class SpecError(ValueError):
    """A model or curve specification that cannot be run as written."""


@dataclass(frozen=True)
class Scaled:
    name: str
    source: str
    divisor: float
    unit_ja: str
    unit_en: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    type: str
    formula: str
    label_ja: str
    label_en: str
    role: str = "secondary"
    event: str | None = None
    outcome: str | None = None
    cluster: str | None = None
    strata: str | None = None
    where: str | None = None
    missing: str = "complete_cases"
    data: str = "cases"
    overdispersion: bool = False

    @property
    def time_to_event(self) -> bool:
        """The outcome is follow-up time and how it ended (``event``), not a 0/1 column."""
        return self.type in TIME_TO_EVENT_TYPES

    @property
    def scale(self) -> str:
        """The scale estimates are reported on: hazard ratios (for fine_gray, of the
        subdistribution hazard) or odds ratios."""
        return "HR" if self.time_to_event else "OR"


@dataclass(frozen=True)
class CurveSpec:
    name: str
    type: str
    by: tuple[str, ...]
    event: str | None = None


@dataclass(frozen=True)
class PredictionSpec:
    """Cumulative incidence predicted by a fine_gray model: one curve per value (0 and 1) of
    each term in ``vary``, the other terms at their sample means, every ``step`` months."""

    name: str
    model: str
    vary: tuple[str, ...]
    step: float = 1.0


@dataclass(frozen=True)
class AnalysisSpec:
    transition: tuple[str, ...]
    competing: tuple[str, ...]
    scaled: dict[str, Scaled]
    reference_levels: dict[str, str]
    term_labels: dict[str, dict[str, str]]
    curves: tuple[CurveSpec, ...]
    models: tuple[ModelSpec, ...] = field(default_factory=tuple)
    predictions: tuple[PredictionSpec, ...] = field(default_factory=tuple)

    def model(self, name: str) -> ModelSpec:
        for spec in self.models:
            if spec.name == name:
                return spec
        raise KeyError(name)


def _expand(raw: dict, thresholds: list[int]) -> list[dict]:
    """One model per threshold for `each_threshold` specs ({k} in name, outcome, labels)."""
    if not raw.get("each_threshold", False):
        return [raw]
    out = []
    for k in thresholds:
        spec = {
            key: (val.replace("{k}", str(k)) if isinstance(val, str) else val)
            for key, val in raw.items()
            if key != "each_threshold"
        }
        out.append(spec)
    return out


def parse_analysis_spec(raw: dict, thresholds: list[int], codebook: Codebook) -> AnalysisSpec:
    """Build the specification from the parsed YAML, checking it against the codebook."""
    reasons = codebook.variable("cases", "end_reason").codes
    transition = tuple(raw["events"]["transition"])
    competing = tuple(raw["events"]["competing"])
    listed = list(transition) + list(competing)
    unknown = sorted(set(listed) - set(reasons))
    if unknown:
        raise SpecError(f"events: {unknown} are not end_reason codes of the codebook {reasons}")
    if sorted(listed) != sorted(reasons):
        missing = sorted(set(reasons) - set(listed))
        raise SpecError(
            f"events: every end_reason code must be listed exactly once; "
            f"missing {missing}, listed {listed}"
        )

    variables = {name: var for t in codebook.tables.values() for name, var in t.variables.items()}
    scaled = {}
    for name, s in raw.get("scaled", {}).items():
        if s["source"] not in variables:
            raise SpecError(f"scaled.{name}: source {s['source']!r} is not a codebook variable")
        scaled[name] = Scaled(name, s["source"], float(s["divisor"]), s["unit_ja"], s["unit_en"])

    reference_levels = dict(raw.get("reference_levels", {}))
    for var, level in reference_levels.items():
        if var not in variables or level not in variables[var].codes:
            raise SpecError(
                f"reference_levels.{var}: {level!r} is not a level of {var!r} in the codebook"
            )

    curves = tuple(
        CurveSpec(c["name"], c["type"], tuple(c["by"]), c.get("event"))
        for c in raw.get("curves", [])
    )
    for c in curves:
        if c.type not in CURVE_TYPES:
            raise SpecError(f"curve {c.name}: type {c.type!r} is not one of {CURVE_TYPES}")
        if c.type == "cumulative_incidence" and c.event not in ("transition", "competing"):
            raise SpecError(f"curve {c.name}: event must be transition or competing")

    models: list[ModelSpec] = []
    for entry in raw.get("models", []):
        for m in _expand(entry, thresholds):
            spec = ModelSpec(**m)
            _check_model(spec)
            models.append(spec)
    names = [m.name for m in models]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise SpecError(f"model names must be unique; repeated: {duplicated}")
    predictions = tuple(
        PredictionSpec(p["name"], p["model"], tuple(p["vary"]), float(p.get("step", 1.0)))
        for p in raw.get("predictions", [])
    )
    by_name = {m.name: m for m in models}
    for p in predictions:
        if p.model not in by_name or by_name[p.model].type != "fine_gray":
            raise SpecError(f"prediction {p.name}: model {p.model!r} is not a fine_gray model")
        if by_name[p.model].missing != "complete_cases" or p.step <= 0:
            raise SpecError(
                f"prediction {p.name}: needs a complete-cases model and a positive step"
            )
    return AnalysisSpec(
        transition=transition,
        competing=competing,
        scaled=scaled,
        reference_levels=reference_levels,
        term_labels=dict(raw.get("term_labels", {})),
        curves=curves,
        models=tuple(models),
        predictions=predictions,
    )


def prolonged_outcome(spec: AnalysisSpec) -> str | None:
    """The prolonged status that table 3 splits by: the outcome of the first secondary
    logistic model of the specification (whether or not it could be fitted)."""
    return next(
        (m.outcome for m in spec.models if m.role == "secondary" and m.type == "logit"), None
    )


def _check_model(spec: ModelSpec) -> None:
    if spec.type not in MODEL_TYPES:
        raise SpecError(f"model {spec.name}: type {spec.type!r} is not one of {MODEL_TYPES}")
    if spec.time_to_event and spec.event not in ("transition", "competing"):
        raise SpecError(
            f"model {spec.name}: a {spec.type} model needs event: transition or competing"
        )
    if not spec.time_to_event and not spec.outcome:
        raise SpecError(f"model {spec.name}: a {spec.type} model needs an outcome")
    if spec.type in ("gee", "mixed_logit") and not spec.cluster:
        raise SpecError(f"model {spec.name}: a {spec.type} model needs a cluster column")
    if spec.strata and (spec.type != "cox" or spec.missing != "complete_cases"):
        raise SpecError(f"model {spec.name}: strata is for cox models on complete cases")
    if spec.missing not in ("complete_cases", "mice"):
        raise SpecError(f"model {spec.name}: missing must be complete_cases or mice")
    if spec.data not in ("cases", "centers"):
        raise SpecError(f"model {spec.name}: data must be cases or centers")
    if (spec.data == "centers") != (spec.type == "binomial_counts"):
        raise SpecError(
            f"model {spec.name}: binomial_counts models, and only they, use data: centers"
        )
    if "~" in spec.formula:
        raise SpecError(f"model {spec.name}: formula is the right-hand side only (no '~')")


def load_analysis_spec(path: str | Path, thresholds: list[int], codebook: Codebook) -> AnalysisSpec:
    return parse_analysis_spec(read_spec_file(path), thresholds, codebook)


def read_spec_file(path: str | Path) -> dict:
    """config/models.yaml as parsed YAML (not yet checked against the codebook)."""
    with open(path, encoding="utf-8") as fh:
        return yamlio.safe_load(fh)


# The parts of config/models.yaml the workflow's rules are given as params (Snakemake reruns
# a job whose params changed, so each rule gets only the sections it reads: editing one
# model's entry reruns that model, not the analysis dataset, the curves or tables 1-3).


def model_entries(raw: dict, thresholds: list[int]) -> dict[str, dict]:
    """The entries of ``models:`` by name, in order, each_threshold entries expanded (one per
    threshold, as the fitted models are)."""
    return {
        m["name"]: m for entry in raw.get("models", []) for m in _expand(entry, list(thresholds))
    }


def spec_part(
    raw: dict,
    thresholds: list[int],
    sections: tuple[str, ...] = (),
    models: list[str] | tuple[str, ...] = (),
) -> dict:
    """The part of the parsed ``raw`` specification one rule reads: ``events`` (every part:
    the parser checks them against the codebook), the other top-level ``sections`` named
    (scaled, reference_levels, term_labels, curves, predictions) and the (expanded)
    entries of ``models``. :func:`parse_analysis_spec` reads it as a specification."""
    entries = model_entries(raw, thresholds)
    part = {key: raw[key] for key in ("events", *sections) if key in raw}
    if models:
        part["models"] = [entries[name] for name in models]
    return part


@dataclass(frozen=True)
class Settings:
    """The ``analysis`` section of config/config.yaml (see its schema for each key)."""

    thresholds: tuple[int, ...] = (6, 12, 18, 24)
    confidence: float = 0.95
    seed: int = 20211021
    mice_imputations: int = 10
    mice_burn_in: int = 5
    quadrature_points: int = 20
    ph_alpha: float = 0.05
    ph_time: str = "rank"
    vif_max: float = 5.0
    min_events_per_variable: float = 10.0

    @classmethod
    def from_config(cls, section: dict) -> Settings:
        checks = section.get("checks", {})
        mice = section.get("mice", {})
        mixed = section.get("mixed", {})
        return cls(
            thresholds=tuple(int(k) for k in section["thresholds"]),
            confidence=float(section["confidence"]),
            seed=int(section["seed"]),
            mice_imputations=int(mice.get("imputations", cls.mice_imputations)),
            mice_burn_in=int(mice.get("burn_in", cls.mice_burn_in)),
            quadrature_points=int(mixed.get("quadrature_points", cls.quadrature_points)),
            ph_alpha=float(checks.get("ph_alpha", cls.ph_alpha)),
            ph_time=str(checks.get("ph_time", cls.ph_time)),
            vif_max=float(checks.get("vif_max", cls.vif_max)),
            min_events_per_variable=float(
                checks.get("min_events_per_variable", cls.min_events_per_variable)
            ),
        )
