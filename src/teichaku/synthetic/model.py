"""The known data-generating model of follow-up: persons, centers and cause-specific hazards.

Time is in months (days / (365.25 / 12)) from the follow-up start. Each way a follow-up can
end (the end_reason codes of the codebook) has a Weibull cause-specific hazard

    h_k(t | x, center) = rate_k * shape_k * t^(shape_k - 1) * exp(beta_k . (x - x_ref)) * u_c

where u_c, a log-normal center frailty (median 1), multiplies only the transition hazards
(stable, handover). Ending times are drawn as the first of independent latent times, which
is exact for cause-specific hazards. Follow-up is censored at the survey's reference date.

Covariates enter as: barrier_* (0/1), age_10 = age / 10, iq_10 = the person's TRUE IQ / 10
(the reported IQ is masked afterwards: unknown, unmeasurable or a 5-point range), the number
of prison admissions, and coordination[general] (1 for general, 0 for special).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from teichaku.codebook import Codebook

DAYS_PER_MONTH = 365.25 / 12
TRANSITION = ("stable", "handover")  # the transition ends; every other end_reason competes
PERSON_TERMS = ("age_10", "iq_10", "prison_admissions", "coordination[general]")


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Design:
    """Everything the model needs; built from config/synthetic.yaml by ``from_config``.

    ``log_hr[cause][term]`` holds the true log hazard ratios per end reason (the config's
    ``transition`` entry applies to every transition cause).
    """

    n_cases: int
    n_centers: int
    frailty_sd: float
    baseline: dict[str, tuple[float, float]]
    log_hr: dict[str, dict[str, float]]
    reference: dict[str, float]
    entry_start: dt.date
    entry_end: dt.date
    reference_date: dt.date
    barrier_prevalence: dict[str, float]
    persons: dict
    activities: dict
    missing: dict
    size_sd: float
    causes: tuple[str, ...] = field(default=())

    @classmethod
    def from_config(
        cls, cfg: dict, codebook: Codebook, n_cases: int = 3000, n_centers: int = 46
    ) -> Design:
        fu = cfg["followup"]
        causes = tuple(codebook.variable("cases", "end_reason").codes)
        hr = fu["hazard_ratios"]
        log_hr = {}
        for cause in causes:
            spec = hr["transition"] if cause in TRANSITION else hr.get(cause, {})
            log_hr[cause] = {term: math.log(v) for term, v in (spec or {}).items()}
        return cls(
            n_cases=n_cases,
            n_centers=n_centers,
            frailty_sd=float(fu["frailty_sd"]),
            baseline={c: (float(v[0]), float(v[1])) for c, v in fu["baseline"].items()},
            log_hr=log_hr,
            reference={k: float(v) for k, v in fu["reference"].items()},
            entry_start=_date(fu["entry_start"]),
            entry_end=_date(fu["entry_end"]),
            reference_date=codebook.survey["reference_date"],
            barrier_prevalence=dict(cfg["barriers"]),
            persons=cfg["persons"],
            activities=cfg["activities"],
            missing=cfg["missing"],
            size_sd=float(cfg["centers"]["size_sd"]),
            causes=causes,
        )

    def with_hazard_ratios(self, cause: str, **hazard_ratios: float) -> Design:
        """A copy with some true hazard ratios replaced (``cause='transition'`` sets both
        transition causes); term names as in truth.json, e.g. ``age_10=0.9``."""
        targets = TRANSITION if cause == "transition" else (cause,)
        log_hr = {c: dict(v) for c, v in self.log_hr.items()}
        for c in targets:
            log_hr[c].update({t: math.log(v) for t, v in hazard_ratios.items()})
        return dataclasses.replace(self, log_hr=log_hr)

    def replace(self, **changes) -> Design:
        return dataclasses.replace(self, **changes)

    @property
    def terms(self) -> tuple[str, ...]:
        return (*self.barrier_prevalence, *PERSON_TERMS)


def allocate(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    base = np.full(len(weights), minimum, dtype=np.int64)
    rest = total - base.sum()
    if rest < 0:
        raise ValueError(f"cannot give {len(weights)} parts at least {minimum} of {total}")
    share = rest * weights / weights.sum()
    counts = np.floor(share).astype(np.int64)
    order = np.argsort(-(share - counts), kind="stable")
    counts[order[: rest - counts.sum()]] += 1
    return base + counts


def center_sizes(n_cases: int, n_centers: int, size_sd: float, rng, minimum: int = 1):
    """Cases per center: log-normal center sizes, allocated to sum exactly to n_cases."""
    minimum = min(minimum, n_cases // max(n_centers, 1))
    return allocate(n_cases, rng.lognormal(0.0, size_sd, n_centers), minimum)


def _clipped_normal(rng, mean, sd, n, lo, hi):
    return np.clip(np.rint(rng.normal(mean, sd, n)), lo, hi).astype(np.int64)


def _neg_binomial(rng, mean, size, n):
    return rng.negative_binomial(size, size / (size + mean), n).astype(np.int64)


def draw_persons(n: int, design: Design, codebook: Codebook, rng) -> dict[str, np.ndarray]:
    """Person covariates before any calibration (true values, no missing answers)."""
    p = design.persons
    elderly = rng.random(n) < p["elderly_share"]
    age = np.where(
        elderly,
        _clipped_normal(rng, *p["age_elderly"], n, 65, 98),
        _clipped_normal(rng, *p["age_younger"], n, 18, 64),
    )
    elderly = age >= 65
    iq = np.where(
        elderly,
        _clipped_normal(rng, *p["iq_elderly"], n, 30, 120),
        _clipped_normal(rng, *p["iq_younger"], n, 30, 120),
    )
    age_v = codebook.variable("cases", "age")
    pa_v = codebook.variable("cases", "prison_admissions")
    rc_v = codebook.variable("cases", "residence_changes")
    admissions = np.clip(
        1 + _neg_binomial(rng, p["prison_admissions"][0] - 1, p["prison_admissions"][1], n),
        pa_v.min,
        pa_v.max,
    )
    changes = np.clip(_neg_binomial(rng, *p["residence_changes"], n), rc_v.min, rc_v.max)
    out = {
        "age": np.clip(age, age_v.min, age_v.max),
        "male": rng.random(n) < p["male_share"],
        "general": rng.random(n) < p["general_share"],
        "iq_true": iq,
        "prison_admissions": admissions,
        "residence_changes": changes,
        "welfare": rng.random(n) < p["welfare_share"],
    }
    for barrier, prevalence in design.barrier_prevalence.items():
        out[barrier] = rng.random(n) < prevalence
    return out


def linear_terms(persons: dict[str, np.ndarray], design: Design) -> dict[str, np.ndarray]:
    """Model terms centred at the design's reference values."""
    ref = design.reference
    terms = {b: persons[b].astype(float) for b in design.barrier_prevalence}
    terms["age_10"] = persons["age"] / 10.0 - ref.get("age_10", 0.0)
    terms["iq_10"] = persons["iq_true"] / 10.0 - ref.get("iq_10", 0.0)
    terms["prison_admissions"] = persons["prison_admissions"] - ref.get("prison_admissions", 0.0)
    terms["coordination[general]"] = persons["general"].astype(float)
    return terms


def draw_frailty(n_centers: int, design: Design, rng) -> np.ndarray:
    """Log-normal center frailty with median 1 on the transition hazards."""
    return np.exp(rng.normal(0.0, design.frailty_sd, n_centers))


def draw_outcomes(persons, center: np.ndarray, frailty: np.ndarray, design: Design, rng):
    """Follow-up start, end (NaT when open at the reference date) and end reason.

    Returns a dict: start, end (datetime64[D]), cause (index into design.causes, -1 when
    censored), months (observed follow-up in months), and the uncensored ``latent_end`` and
    ``latent_cause``: when and how a case open at the reference date ends later, drawn from
    the same hazards (a later round observes the same draw, so it is the same population).
    """
    n = len(center)
    span = (design.entry_end - design.entry_start).days + 1
    start = np.datetime64(design.entry_start, "D") + rng.integers(0, span, n).astype(
        "timedelta64[D]"
    )
    terms = linear_terms(persons, design)
    latent = np.empty((len(design.causes), n))
    for k, cause in enumerate(design.causes):
        rate, shape = design.baseline[cause]
        eta = np.zeros(n)
        for term, beta in design.log_hr[cause].items():
            eta += beta * terms[term]
        scale = rate * np.exp(eta)
        if cause in TRANSITION:
            scale = scale * frailty[center]
        latent[k] = (rng.exponential(1.0, n) / scale) ** (1.0 / shape)
    cause = latent.argmin(axis=0)
    months = latent[cause, np.arange(n)]
    days = np.maximum(1, np.ceil(months * DAYS_PER_MONTH)).astype("timedelta64[D]")
    latent_end = start + days
    ref = np.datetime64(design.reference_date, "D")
    open_ = latent_end >= ref
    end = np.where(open_, np.datetime64("NaT", "D"), latent_end)
    observed = np.where(open_, ref, end) - start
    return {
        "start": start,
        "end": end,
        "cause": np.where(open_, -1, cause),
        "months": observed.astype(float) / DAYS_PER_MONTH,
        "latent_end": latent_end,
        "latent_cause": cause,
    }


def cohorts(end: np.ndarray, codebook: Codebook) -> np.ndarray:
    """Cohort code by the fiscal year of the end date: the first ended cohort up to the end
    of its fiscal year, the second for any later end, the continuing cohort when open.

    The cohorts are the codebook's: its ``fiscal_years`` list the ended ones in order, the
    cohort code without a fiscal year is the continuing one (so any round's years work).
    """
    first, second = list(codebook.fiscal_years)
    (continuing,) = [
        c for c in codebook.variable("cases", "cohort").codes if c not in codebook.fiscal_years
    ]
    first_end = np.datetime64(codebook.fiscal_years[first][1], "D")
    out = np.where(end <= first_end, first, second).astype(object)
    out[np.isnat(end)] = continuing
    return out
