"""A later round of the synthetic survey: the same population observed at a later date.

The earlier round (config/synthetic.yaml) is redrawn from its own seed, so the later round
holds the same persons:

- the cases the earlier round saw continuing, at the same centers under the same case
  numbers (so the pseudonym key links them). Their ends are the SAME draws the model made
  for them in the earlier round (the first of the latent cause-specific times, which fell
  after that round's reference date): each ends by this round's reference date or is still
  open, exactly as the same hazards, conditional on having survived to the earlier
  reference date, say. Their baseline answers are kept; what happened since (current
  residence, support given, contacts over the longer follow-up) is drawn again;
- the cases the earlier round saw ended within this round's fiscal years (the round's first
  ended fiscal year or later: a round asks about the ends of its two fiscal years, so the
  2022 round with FY2020 and FY2021 asks again about the FY2020 ends the 2021 round
  reported), reported again as they were; cases that ended before are not asked about;
- new cases whose follow-up started in the round's entry window, drawn from the same model
  (same centers, frailties, hazards) at the earlier round's rate of new cases per day.

Cohorts, reference date and survey dates come from the round's codebook. The truth holds
the exact linkage counts: how many of the earlier round's continuing cases ended by this
round, by end reason, and their follow-up time.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook
from teichaku.synthetic.config import load_synthetic_config
from teichaku.synthetic.model import DAYS_PER_MONTH, Design, allocate, cohorts
from teichaku.synthetic.population import (
    SyntheticSurvey,
    _bernoulli_missing,
    _cat,
    activities,
    build_cases,
    case_refs,
    current_residence,
    draw_answers,
    drop_contacts,
)

#: keys of a round's config that replace the earlier round's section of the same name
OVERRIDES = ("warnings", "raw", "defects")


def load_round_config(path: str | Path, schema: str | Path | None = None) -> tuple[dict, dict]:
    """(earlier round's parameters, this round's parameters) of a round config such as
    config/synthetic-2022.yaml (``follows``: the earlier round's parameters, a path relative
    to the round config's folder). This round's parameters are the earlier ones with the
    round's seed, entry window and any of OVERRIDES replaced."""
    import jsonschema
    import yaml

    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    if schema is not None:
        with open(schema, encoding="utf-8") as fh:
            jsonschema.validate(spec, yaml.safe_load(fh))
    base = load_synthetic_config(Path(path).parent / spec["follows"])
    cfg = {**base, **{k: spec[k] for k in OVERRIDES if k in spec}}
    cfg["seed"] = spec["seed"]
    cfg["new_cases"] = spec["new_cases"]
    cfg["awareness_centers"] = spec.get("awareness_centers")
    return base, cfg


def _days(window: tuple[dt.date, dt.date]) -> int:
    return (window[1] - window[0]).days + 1


def _later_followup(
    carried: pd.DataFrame,
    latent: pd.DataFrame,
    center: np.ndarray,
    n_centers: int,
    design: Design,
    codebook: Codebook,
    rng,
) -> pd.DataFrame:
    """The continuing cases as this round sees them: end (or open) at the round's reference
    date from their latent end, then current residence, support and contacts drawn again."""
    ref = np.datetime64(design.reference_date, "D")
    latent_end = latent["latent_end"].to_numpy(dtype="datetime64[D]")
    ended = latent_end < ref
    end = np.where(ended, latent_end, np.datetime64("NaT", "D"))
    reason = np.where(ended, latent["latent_cause"].to_numpy(dtype=object), None)
    start = carried["followup_start"].to_numpy(dtype="datetime64[D]")
    months = (np.where(ended, end, ref) - start).astype(float) / DAYS_PER_MONTH
    elderly = (carried["age"].fillna(0).to_numpy(dtype=float) >= 65).astype(float)
    ryoiku = (carried["ryoiku_techo"] == "yes").to_numpy(dtype=float)
    n = len(carried)
    missing = _bernoulli_missing(rng, n, design.missing["current_residence"]) & (reason != "death")
    residence = current_residence(reason, elderly > 0, ryoiku > 0, missing, None, design, rng)
    person = {"elderly": elderly, "ryoiku": ryoiku, "death": (reason == "death") * 1.0}
    acts = activities(center, n_centers, {**person, "years": months / 12}, codebook, design, rng)
    out = carried.copy()
    codes = {name: var.codes for name, var in codebook.tables["cases"].variables.items()}
    out["cohort"] = _cat(cohorts(end, codebook), codes["cohort"])
    out["followup_end"] = end.astype("datetime64[ns]")
    out["end_reason"] = _cat(reason, codes["end_reason"])
    out["current_residence"] = _cat(residence, codes["current_residence"])
    out["contacts"] = pd.array(acts.pop("contacts"), dtype="Int64")
    for name, flags in acts.items():
        out[name] = pd.array(flags, dtype="boolean")
    return out.reset_index(drop=True)


def _new_cases(
    base: SyntheticSurvey, cfg: dict, design: Design, codebook: Codebook, rng
) -> tuple[pd.DataFrame, dict]:
    """Cases whose follow-up started in the round's entry window, per center at the
    earlier round's rate of new cases per day (largest remainder over the centers)."""
    earlier = tuple(dt.date.fromisoformat(d) for d in base.truth["entry_window"])
    window = (design.entry_start, design.entry_end)
    per_center = base.cases["center_id"].value_counts(sort=False)
    center_ids = base.roster["center_id"].to_numpy(dtype=object)
    weights = per_center.reindex(center_ids, fill_value=0).to_numpy(dtype=float)
    n_new = round(len(base.cases) * cfg["new_cases"]["rate_ratio"] * _days(window) / _days(earlier))
    sizes = allocate(n_new, np.where(weights > 0, weights, 0.0))
    center = np.repeat(np.arange(len(center_ids)), sizes)
    frailty = np.array([base.truth["frailty"]["by_center"][c] for c in center_ids])
    persons = draw_answers(n_new, design.replace(n_cases=n_new), codebook, rng)
    cases, latent = build_cases(
        center_ids, center, frailty, persons, design, codebook, rng, warnings=cfg["warnings"]
    )
    return cases, latent["warnings"]


def _reported_again(base: SyntheticSurvey, codebook: Codebook) -> pd.DataFrame:
    """The earlier round's ended cases whose end falls in this round's fiscal years, as the
    earlier round reported them, in this round's cohorts."""
    first_start = min(start for start, _ in codebook.fiscal_years.values())
    ended = base.cases["followup_end"] >= pd.Timestamp(first_start)
    again = base.cases[ended.to_numpy()].copy()
    codes = codebook.variable("cases", "cohort").codes
    ends = again["followup_end"].to_numpy(dtype="datetime64[D]")
    again["cohort"] = _cat(cohorts(ends, codebook), codes)
    return again.reset_index(drop=True)


def _numbered(carried: pd.DataFrame, new: pd.DataFrame, base: SyntheticSurvey) -> pd.DataFrame:
    """Cases asked about again and new cases sorted by center and start; a new case gets
    the next case number of its center in the center's own style."""
    new = new.sort_values(["center_id", "followup_start"], kind="stable").reset_index(drop=True)
    taken = base.cases["center_id"].value_counts()
    refs = np.empty(len(new), dtype=object)
    starts = new["followup_start"].to_numpy()
    for center, idx in new.groupby("center_id", observed=True).indices.items():
        first = int(taken.get(center, 0)) + 1
        refs[idx] = case_refs(
            center, base.ref_styles[center], range(first, first + len(idx)), starts[idx]
        )
    new.insert(1, "case_ref", pd.array(refs, dtype="str"))
    cases = pd.concat([carried[new.columns], new], ignore_index=True)
    return cases.sort_values(["center_id", "followup_start"], kind="stable").reset_index(drop=True)


def _roster(base: SyntheticSurvey, cases: pd.DataFrame, cfg: dict, rng) -> pd.DataFrame:
    """The same centers answering again; targets: the reported cases plus unreported ones
    in the earlier round's proportion."""
    roster = base.roster.copy()
    responded = roster["responded"].to_numpy(dtype=bool)
    reported = cases["center_id"].value_counts().reindex(roster["center_id"], fill_value=0)
    earlier_extra = int(roster.loc[responded, "n_target"].sum()) - len(base.cases)
    extra = allocate(
        round(earlier_extra * len(cases) / len(base.cases)),
        rng.lognormal(0, cfg["centers"]["target_extra_sd"], int(responded.sum())),
    )
    target = reported.to_numpy(dtype=np.int64, copy=True)
    target[responded] += extra
    mean = cfg["centers"]["nonresponder_target_mean"] * float(cfg["scale"])
    target[~responded] = rng.poisson(mean, int((~responded).sum()))
    roster["n_target"] = pd.array(target, dtype="Int64")
    return roster


def _awareness(base: SyntheticSurvey, cfg: dict, codebook: Codebook, rng) -> pd.DataFrame:
    """Centers answering the awareness survey again, each mark with the earlier round's share."""
    responding = base.roster.loc[base.roster["responded"].to_numpy(dtype=bool), "center_id"]
    n = cfg["awareness_centers"] or len(base.awareness)
    chosen = np.sort(rng.choice(responding.to_numpy(dtype=object), n, replace=False))
    frame = {"center_id": pd.array(chosen, dtype="str")}
    for var in codebook.tables["awareness"].variables.values():
        if var.type == "mark":
            share = float(base.awareness[var.name].astype(float).mean())
            frame[var.name] = pd.array(rng.random(n) < share, dtype="boolean")
    return pd.DataFrame(frame)


def _summary(months: np.ndarray) -> dict:
    return {"n": len(months), "median": float(np.median(months)) if len(months) else None}


def linkage_truth(carried: pd.DataFrame, earlier_reference: dt.date, codebook: Codebook) -> dict:
    """How the earlier round's continuing cases stand at this round: how many ended, by
    end reason, with their follow-up (months from start, and since the earlier reference
    date); the same quantities the comparison computes from the two rounds' data."""
    ended = carried["end_reason"].notna().to_numpy()
    start = carried["followup_start"].to_numpy(dtype="datetime64[D]")
    end = carried["followup_end"].to_numpy(dtype="datetime64[D]")
    total = (end - start).astype(float) / DAYS_PER_MONTH
    since = (end - np.datetime64(earlier_reference, "D")).astype(float) / DAYS_PER_MONTH
    reasons = carried["end_reason"].astype(object).to_numpy()
    by_reason = {}
    for reason in codebook.variable("cases", "end_reason").codes:
        mask = ended & (reasons == reason)
        if mask.any():
            by_reason[reason] = {
                "followup_months": _summary(total[mask]),
                "months_since_earlier_reference": _summary(since[mask]),
            }
    return {
        "earlier_reference_date": earlier_reference.isoformat(),
        "reference_date": codebook.survey["reference_date"].isoformat(),
        "continuing_at_earlier_round": len(carried),
        "ended": int(ended.sum()),
        "still_continuing": int((~ended).sum()),
        "ended_by_reason": {r: int(((reasons == r) & ended).sum()) for r in by_reason},
        "followup_months_of_ended": _summary(total[ended]),
        "months_since_earlier_reference_of_ended": _summary(since[ended]),
        "by_reason": by_reason,
    }


def generate_later_round(
    base: SyntheticSurvey, base_cfg: dict, cfg: dict, codebook: Codebook
) -> SyntheticSurvey:
    """The round of ``cfg`` (load_round_config) following the earlier round ``base``
    (generate_survey of ``base_cfg``), with the round's ``codebook`` (cohorts and dates)."""
    rng = np.random.default_rng(cfg["seed"])
    window = cfg["new_cases"]
    design = Design.from_config(base_cfg, codebook, n_centers=len(base.roster)).replace(
        entry_start=dt.date.fromisoformat(window["entry_start"]),
        entry_end=dt.date.fromisoformat(window["entry_end"]),
    )
    if design.entry_end >= design.reference_date:
        raise ValueError("new_cases.entry_end must be before the round's reference date")
    open_ = base.cases["end_reason"].isna().to_numpy()
    center_ids = list(base.roster["center_id"])
    carried_center = np.array([center_ids.index(c) for c in base.cases.loc[open_, "center_id"]])
    carried = _later_followup(
        base.cases[open_],
        base.latent[open_],
        carried_center,
        len(center_ids),
        design,
        codebook,
        rng,
    )
    new, warnings = _new_cases(base, cfg, design, codebook, rng)
    again = _reported_again(base, codebook)
    cases = _numbered(pd.concat([again, carried], ignore_index=True), new, base)
    without_contacts = drop_contacts(cases, cfg)
    roster = _roster(base, cases, cfg, rng)
    awareness = _awareness(base, cfg, codebook, rng)
    earlier_reference = dt.date.fromisoformat(base.truth["reference_date"])
    truth = {
        key: base.truth[key]
        for key in (
            "time_scale",
            "transition_causes",
            "competing_causes",
            "covariates",
            "hazard_ratios_note",
            "hazard_ratios",
            "log_hazard_ratios",
            "baseline_hazards",
            "frailty",
            "barrier_prevalence",
        )
    }
    truth.update(
        {
            "seed": cfg["seed"],
            "follows_seed": base_cfg["seed"],
            "scale": cfg["scale"],
            "reference_date": design.reference_date.isoformat(),
            "entry_window": [design.entry_start.isoformat(), design.entry_end.isoformat()],
            "counts": {
                "cases": len(cases),
                "continuing_at_earlier_round": len(carried),
                "ended_reported_again": len(again),
                "new": len(new),
                "cohort": {
                    str(k): int(v) for k, v in cases["cohort"].value_counts(sort=False).items()
                },
                "end_reason": {
                    str(k): int(v) for k, v in cases["end_reason"].value_counts(sort=False).items()
                },
                "open": int(cases["end_reason"].isna().sum()),
            },
            "warnings": warnings,
            "linkage": linkage_truth(carried, earlier_reference, codebook),
            "centers_without_contacts": without_contacts,
        }
    )
    return SyntheticSurvey(roster, cases, awareness, truth, None)
