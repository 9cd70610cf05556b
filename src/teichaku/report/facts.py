"""What the report reads of the analysis specification (config/models.yaml), as plain data.

A report job receives only the facts its builder needs (teichaku.report.build) as Snakemake
params, not models.yaml itself: editing one model's formula reruns that model and the
tables and figures of models, never Table 1. :func:`analysis_facts` extracts them from a
parsed :class:`~teichaku.analysis.specs.AnalysisSpec`; :class:`AnalysisFacts` reads them
back with the attributes the builders use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from teichaku.analysis.specs import prolonged_outcome

#: The parts of the specification a builder may ask for.
PARTS = ("prolonged", "models", "curves", "predictions", "term_labels")


@dataclass(frozen=True)
class ModelFacts:
    name: str
    role: str
    type: str
    scale: str
    label_ja: str
    label_en: str
    outcome: str | None = None
    event: str | None = None
    data: str = "cases"


@dataclass(frozen=True)
class CurveFacts:
    name: str
    type: str
    by: tuple[str, ...]


@dataclass(frozen=True)
class PredictionFacts:
    name: str
    model: str


@dataclass(frozen=True)
class AnalysisFacts:
    """The models, curves, predictions and term labels of the analysis (as far as given),
    and ``prolonged``: the status Table 3 splits by (the outcome of the first secondary
    logistic model), which the protection of Tables 1-3 rests on."""

    models: tuple[ModelFacts, ...] = ()
    curves: tuple[CurveFacts, ...] = ()
    predictions: tuple[PredictionFacts, ...] = ()
    term_labels: tuple[str, ...] = ()
    prolonged: str | None = None
    given: tuple[str, ...] = field(default=PARTS, compare=False)

    def model(self, name: str) -> ModelFacts:
        return next(m for m in self.models if m.name == name)


def analysis_facts(spec, parts=PARTS) -> dict:
    """The ``parts`` of the analysis specification ``spec`` as plain data (params)."""
    out: dict = {}
    if "prolonged" in parts:
        out["prolonged"] = prolonged_outcome(spec)
    if "models" in parts:
        out["models"] = [
            {
                "name": m.name,
                "role": m.role,
                "type": m.type,
                "scale": m.scale,
                "label_ja": m.label_ja,
                "label_en": m.label_en,
                "outcome": m.outcome,
                "event": m.event,
                "data": m.data,
            }
            for m in spec.models
        ]
    if "curves" in parts:
        out["curves"] = [{"name": c.name, "type": c.type, "by": list(c.by)} for c in spec.curves]
    if "predictions" in parts:
        out["predictions"] = [{"name": p.name, "model": p.model} for p in spec.predictions]
    if "term_labels" in parts:
        out["term_labels"] = list(spec.term_labels)
    return out


def read_facts(plain: dict) -> AnalysisFacts:
    """The :class:`AnalysisFacts` of :func:`analysis_facts`' output (``prolonged`` derived
    from the models where they are given)."""
    models = tuple(ModelFacts(**m) for m in plain.get("models", ()))
    prolonged = plain.get("prolonged")
    if "prolonged" not in plain and "models" in plain:
        prolonged = prolonged_outcome(AnalysisFacts(models=models))
    return AnalysisFacts(
        models=models,
        curves=tuple(
            CurveFacts(c["name"], c["type"], tuple(c["by"])) for c in plain.get("curves", ())
        ),
        predictions=tuple(PredictionFacts(**p) for p in plain.get("predictions", ())),
        term_labels=tuple(plain.get("term_labels", ())),
        prolonged=prolonged,
        given=tuple(k for k in PARTS if k in plain),
    )


def facts_of(spec) -> AnalysisFacts:
    """Every fact of a parsed analysis specification."""
    return read_facts(analysis_facts(spec))
