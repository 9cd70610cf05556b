"""Clean tables of the synthetic survey: roster, cases and awareness, plus the truth.

``generate_survey`` builds the 2021 survey calibrated to every published figure: covariate
margins are made exact (counts and sums worked out by ``calibration``) BEFORE the outcomes
are drawn, so the outcomes follow the model given the final covariates and the true hazard
ratios hold for the data. ``simulate_cases`` runs the same model without calibration and
without spreadsheets, fast enough for simulation studies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from teichaku.codebook import Codebook, load_codebook
from teichaku.synthetic.calibration import Calibration, calibrate
from teichaku.synthetic.columns import Coded, Column, Dates, Masked, codes_of, frame
from teichaku.synthetic.model import (
    DAYS_PER_MONTH,
    TRANSITION,
    Design,
    allocate,
    center_sizes,
    cohorts,
    draw_frailty,
    draw_outcomes,
    draw_persons,
)

# iq_status codes of the clean cases table (the shared clean-table interface).
FORCED_RESIDENCE = {"death": "deceased", "reincarceration": "prison"}


def _cat(values, codes) -> pd.Categorical:
    return pd.Categorical(values, categories=list(codes))


def _top_k(weights: np.ndarray, k: int, rng) -> np.ndarray:
    """k indices sampled without replacement with probability ~ weights (Gumbel top-k)."""
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    keys = np.log(weights) + rng.gumbel(size=len(weights))
    return np.argpartition(-keys, k - 1)[:k] if k < len(weights) else np.arange(len(weights))


def force_count(flags: np.ndarray, valid: np.ndarray, count: int, rng) -> np.ndarray:
    """Flip as few flags among ``valid`` rows as needed so that exactly ``count`` are True."""
    flags = flags.copy()
    on = np.flatnonzero(flags & valid)
    off = np.flatnonzero(~flags & valid)
    if len(on) > count:
        flags[rng.choice(on, len(on) - count, replace=False)] = False
    elif len(on) < count:
        flags[rng.choice(off, count - len(on), replace=False)] = True
    return flags


def force_sum(
    values: np.ndarray, valid: np.ndarray, total: int, lo: int, hi: int, rng, step: int = 1
) -> np.ndarray:
    """Make values[valid] sum to ``total`` (in units of ``step``): shift all, then +-1 a few.

    The location shift only fires when the draw is off by more than one per person; the
    remainder is spread as +-1 over randomly chosen rows within [lo, hi].
    """
    values = values.copy()
    idx = np.flatnonzero(valid)
    diff = (total - step * int(values[idx].sum())) // step
    if abs(diff) >= len(idx):
        values[idx] = np.clip(values[idx] + diff // len(idx), lo, hi)
    for _ in range(1000):
        diff = (total - step * int(values[idx].sum())) // step
        if diff == 0:
            return values
        sign = 1 if diff > 0 else -1
        room = idx[(values[idx] < hi) if sign > 0 else (values[idx] > lo)]
        pick = rng.choice(room, min(abs(diff), len(room)), replace=False)
        values[pick] += sign
    raise ValueError(f"cannot reach the sum {total}")


def _choose(rng, n: int, k: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, k, replace=False)] = True
    return mask


@dataclass
class Persons:
    """Person-level arrays of one survey or simulation (true values plus answer masks)."""

    values: dict[str, np.ndarray]
    missing: dict[str, np.ndarray]
    iq_status: np.ndarray
    iq_reported: np.ndarray


def mask_iq(iq_true: np.ndarray, n_unmeasurable: int, n_unknown: int, range_share: float, rng):
    """iq_status and the reported IQ (a 5-point range's midpoint for range answers)."""
    n = len(iq_true)
    status = np.full(n, "measured", dtype=object)
    order = rng.permutation(n)
    status[order[:n_unmeasurable]] = "unmeasurable"
    status[order[n_unmeasurable : n_unmeasurable + n_unknown]] = "unknown"
    measured = status == "measured"
    status[measured & (rng.random(n) < range_share)] = "range"
    return status


def reported_iq(iq_true: np.ndarray, status: np.ndarray) -> np.ndarray:
    low = 5 * (iq_true // 5)
    out = np.where(status == "range", low + 2.5, iq_true.astype(float))
    return np.where((status == "measured") | (status == "range"), out, np.nan)


def calibrate_persons(
    persons: dict, cal: Calibration, n: int, design: Design, codebook: Codebook, rng, scale: float
) -> Persons:
    """Make every published covariate margin exact; returns values and answer masks."""

    def sc(x: int) -> int:
        return round(x * scale)

    values = dict(persons)
    missing: dict[str, np.ndarray] = {}
    for column, flag, level_key in (
        ("sex", "male", "pct_male"),
        ("coordination", "general", "pct_special_coordination"),
        ("welfare", "welfare", "pct_welfare"),
    ):
        target = cal.pcts[column][level_key]
        missing[column] = _choose(rng, n, sc(target.missing))
        count = sc(target.count)
        if flag == "general":  # the published share is of special coordination
            count = sc(target.valid_n) - count
        values[flag] = force_count(values[flag], ~missing[column], count, rng)
    for column in ("age", "prison_admissions", "residence_changes"):
        target = cal.means[column]
        var = codebook.variable("cases", column)
        missing[column] = _choose(rng, n, sc(target.missing))
        values[column] = force_sum(
            values[column], ~missing[column], sc(target.total), var.min, var.max, rng
        )
    target = cal.means["iq"]
    n_unmeasurable = round(design.missing["iq_unmeasurable"] * n)
    status = mask_iq(
        values["iq_true"],
        n_unmeasurable,
        n - sc(target.valid_n) - n_unmeasurable,
        design.persons["iq_range_share"],
        rng,
    )
    values["iq_true"], status = _calibrate_iq(
        values["iq_true"], status, sc(target.total), codebook, rng
    )
    return Persons(values, missing, status, reported_iq(values["iq_true"], status))


def _calibrate_iq(iq_true, status, total_half, codebook, rng):
    """Adjust true IQs of measured answers so that the reported IQs sum to total_half / 2.

    Range answers contribute odd half-points; the parity is fixed by turning one measured
    answer into a range answer (or back) when needed.
    """
    var = codebook.variable("cases", "iq")
    status = status.copy()
    half = np.rint(2 * np.nan_to_num(reported_iq(iq_true, status))).astype(np.int64)
    if (total_half - half.sum()) % 2:
        candidates = np.flatnonzero(status == "measured")
        status[rng.choice(candidates)] = "range"
        half = np.rint(2 * np.nan_to_num(reported_iq(iq_true, status))).astype(np.int64)
    fixed = int(half[status == "range"].sum())
    measured = status == "measured"
    lo, hi = max(var.min, 30), min(var.max, 120)
    iq = force_sum(iq_true, measured, total_half - fixed, lo, hi, rng, step=2)
    return iq, status


def _bernoulli_missing(rng, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _draw_index(rng, probs: dict[str, float], n: int) -> np.ndarray:
    """Indices into ``list(probs)`` drawn with those probabilities."""
    p = np.array(list(probs.values()), dtype=float)
    return rng.choice(len(p), n, p=p / p.sum())


def _draw_category(rng, probs: dict[str, float], n: int) -> np.ndarray:
    return np.array(list(probs), dtype=object)[_draw_index(rng, probs, n)]


def _draw_codes(rng, probs: dict[str, float], n: int, levels) -> np.ndarray:
    """:func:`_draw_category` as codes into ``levels`` (the same draw)."""
    return codes_of(np.array(list(probs), dtype=object), levels)[_draw_index(rng, probs, n)]


def current_residence(
    outcome_reason: np.ndarray,
    elderly: np.ndarray,
    ryoiku: np.ndarray,
    missing: np.ndarray,
    counts: dict[str, int] | None,
    design: Design,
    rng,
) -> np.ndarray:
    """Current residence consistent with the end reason.

    death -> deceased, reincarceration -> prison, lost -> mostly unknown whereabouts; the
    others (open, stable, handover, refused, other) live where ``counts`` says for the
    published residences (exact counts; by weights that favour the elderly for yogo homes
    and handbook holders for group homes), the rest by the configured shares.
    """
    p = design.persons
    n = len(outcome_reason)
    out = np.full(n, None, dtype=object)
    for reason, residence in FORCED_RESIDENCE.items():
        out[outcome_reason == reason] = residence
    lost = outcome_reason == "lost"
    out[lost] = np.where(
        rng.random(lost.sum()) < p["lost_unknown_whereabouts"], "unknown_whereabouts", "other"
    )
    free = np.flatnonzero((out == None) & ~missing)  # noqa: E711 - elementwise on objects
    shares = p["current_residence"]
    if counts is None:
        drawn = rng.multinomial(len(free), np.array(list(shares.values())) / sum(shares.values()))
        counts = dict(zip(shares, drawn, strict=True))
        counts = {c: int(k) for c, k in counts.items() if c in p["current_residence_log_weights"]}
    pool = free
    for code, k in sorted(counts.items(), key=lambda kv: kv[1]):
        log_w = np.zeros(len(pool))
        for predictor, beta in p["current_residence_log_weights"].get(code, {}).items():
            log_w += beta * {"elderly": elderly, "ryoiku": ryoiku}[predictor][pool]
        if k > len(pool):
            raise ValueError(f"not enough persons to place {k} in {code}")
        chosen = _top_k(np.exp(log_w), k, rng)
        out[pool[chosen]] = code
        pool = np.delete(pool, chosen)
    rest = {c: s for c, s in shares.items() if c not in counts}
    out[pool] = _draw_category(rng, rest, len(pool))
    out[missing] = None
    return out


def activities(
    center: np.ndarray,
    n_centers: int,
    person: dict[str, np.ndarray],
    codebook: Codebook,
    design: Design,
    rng,
) -> dict[str, np.ndarray]:
    """Support marks: logistic in a center random effect plus person modifiers."""
    a = design.activities
    out = {}
    for group in ("act", "guar", "link"):
        for var in codebook.tables["cases"].group_variables(group):
            prev = a["prevalence"][var.name]
            eta = math.log(prev / (1 - prev)) + rng.normal(0, a["center_sd"], n_centers)[center]
            for predictor, beta in a["log_odds_ratios"].get(var.name, {}).items():
                eta = eta + beta * person[predictor]
            out[var.name] = rng.random(len(center)) < 1 / (1 + np.exp(-eta))
    rate = a["contacts_per_month"] * np.exp(rng.normal(0, a["center_sd"], n_centers))[center]
    contacts_var = codebook.variable("cases", "contacts")
    out["contacts"] = np.clip(rng.poisson(rate * person["years"] * 12), 0, contacts_var.max)
    return out


def _techo(rng, p_yes: np.ndarray, p_applying: float, missing_share: float, levels) -> Coded:
    n = len(p_yes)
    u = rng.random(n)
    yes, applying, no = codes_of(np.array(["yes", "applying", "no"], dtype=object), levels)
    codes = np.where(u < p_yes, yes, np.where(u < p_yes + p_applying, applying, no))
    codes[_bernoulli_missing(rng, n, missing_share)] = -1
    return Coded(codes, tuple(levels))


def _flag_codes(flags: np.ndarray, missing: np.ndarray, on: str, off: str, levels) -> Coded:
    """A two-level answer drawn as booleans (``on`` where True) as codes into ``levels``."""
    code_on, code_off = codes_of(np.array([on, off], dtype=object), levels)
    codes = np.where(flags, code_on, code_off)
    codes[missing] = -1
    return Coded(codes, tuple(levels))


def draw_case_columns(
    center_ids: np.ndarray,
    center: np.ndarray,
    frailty: np.ndarray,
    persons: Persons,
    design: Design,
    codebook: Codebook,
    rng,
    residence_counts: dict[str, int] | None = None,
    residence_missing: int | None = None,
    warnings: dict | None = None,
):
    """Outcomes and post-baseline details given final covariates; the clean cases table
    as arrays (:mod:`teichaku.synthetic.columns`).

    Returns (columns, latent dict with the drawn cause, exact months and frailty).
    """
    v, p, miss = persons.values, design.persons, design.missing
    n = len(center)
    levels = {name: var.codes for name, var in codebook.tables["cases"].variables.items()}
    outcome = draw_outcomes(v, center, frailty, design, rng)
    causes = np.array(design.causes, dtype=object)
    reason = np.where(outcome["cause"] >= 0, causes[np.maximum(outcome["cause"], 0)], None)
    reason_codes = np.append(codes_of(causes, levels["end_reason"]), -1)[outcome["cause"]]
    elderly = v["age"] >= 65
    ryoiku_p = np.where(v["iq_true"] < 70, p["ryoiku_if_iq_below_70"], 0.08)
    techo = {"p_applying": p["applying"], "missing_share": miss["techo"]}
    ryoiku = _techo(rng, ryoiku_p, **techo, levels=levels["ryoiku_techo"])
    seishin = _techo(rng, np.full(n, p["seishin"]), **techo, levels=levels["seishin_techo"])
    shintai = _techo(rng, np.where(elderly, *p["shintai"]), **techo, levels=levels["shintai_techo"])
    ryoiku_yes = ryoiku.codes == codes_of(np.array(["yes"], dtype=object), ryoiku.levels)[0]
    care = np.where(
        elderly,
        _draw_codes(rng, p["care_level_elderly"], n, levels["care_level"]),
        _draw_codes(rng, p["care_level_younger"], n, levels["care_level"]),
    )
    care[_bernoulli_missing(rng, n, miss["care_level"])] = -1
    first = _draw_codes(rng, p["first_residence"], n, levels["first_residence"])
    first[_bernoulli_missing(rng, n, miss["first_residence"])] = -1

    warnings = warnings or {}
    res_reason = reason.copy()
    death_idx = np.flatnonzero(reason == "death")
    n_dnd = min(warnings.get("death_not_deceased", 0), len(death_idx))
    death_not_deceased = rng.choice(death_idx, n_dnd, replace=False)
    res_reason[death_not_deceased] = "hospital_placeholder"
    if residence_missing is None:
        res_missing = _bernoulli_missing(rng, n, miss["current_residence"]) & (reason != "death")
    else:
        eligible = np.flatnonzero(reason != "death")
        res_missing = np.zeros(n, dtype=bool)
        res_missing[rng.choice(eligible, residence_missing, replace=False)] = True
    counts = dict(residence_counts) if residence_counts else None
    if counts is not None and n_dnd:
        counts["hospital"] -= n_dnd
    current = current_residence(res_reason, elderly, ryoiku_yes, res_missing, counts, design, rng)
    current[death_not_deceased] = "hospital"
    n_dwd = warnings.get("deceased_without_death", 0)
    if n_dwd:
        # a non-death end whose residence is outside the calibrated four: reported as deceased
        cand = np.flatnonzero(
            (reason == "other") & ~np.isin(current, list(counts or {})) & ~res_missing
        )
        current[rng.choice(cand, min(n_dwd, len(cand)), replace=False)] = "deceased"

    gap = rng.geometric(1 / (1 + p["release_gap_days"]), n) - 1
    release = outcome["start"] - gap.astype("timedelta64[D]")
    n_sbr = warnings.get("start_before_release", 0)
    if n_sbr:
        late = rng.choice(n, n_sbr, replace=False)
        release[late] = outcome["start"][late] + rng.integers(1, 30, n_sbr).astype("timedelta64[D]")

    person = {
        "elderly": elderly.astype(float),
        "ryoiku": ryoiku_yes.astype(float),
        "death": (reason == "death").astype(float),
        "years": outcome["months"] / 12,
    }
    acts = activities(center, len(frailty), person, codebook, design, rng)
    iq_status = persons.iq_status

    bool_na = {}
    for col in ("sex", "coordination", "welfare", "age", "prison_admissions", "residence_changes"):
        bool_na[col] = persons.missing.get(col, np.zeros(n, dtype=bool))

    def coded(values, name):
        return Coded(codes_of(values, levels[name]), tuple(levels[name]))

    def int_col(name):
        return Masked(v[name], "Int64", bool_na[name])

    iq_levels = [lv.code for lv in codebook.variable("cases", "iq").statuses]
    columns: dict[str, Column] = {
        "center_id": Coded(center, tuple(center_ids), text=True),
        "cohort": coded(cohorts(outcome["end"], codebook), "cohort"),
        "coordination": _flag_codes(
            v["general"], bool_na["coordination"], "general", "special", levels["coordination"]
        ),
        "sex": _flag_codes(v["male"], bool_na["sex"], "male", "female", levels["sex"]),
        "age": int_col("age"),
        "iq": Masked(persons.iq_reported, "Float64"),
        "iq_status": Coded(codes_of(iq_status, iq_levels), tuple(iq_levels)),
        "ryoiku_techo": ryoiku,
        "seishin_techo": seishin,
        "shintai_techo": shintai,
        "care_level": Coded(care, tuple(levels["care_level"])),
        "prison_admissions": int_col("prison_admissions"),
        "release_date": Dates(release),
        "first_residence": Coded(first, tuple(levels["first_residence"])),
        "current_residence": coded(current, "current_residence"),
        "residence_changes": int_col("residence_changes"),
        "welfare": Masked(v["welfare"], "boolean", bool_na["welfare"]),
        "followup_start": Dates(outcome["start"]),
        "followup_end": Dates(outcome["end"]),
        "end_reason": Coded(reason_codes, tuple(levels["end_reason"])),
        "contacts": Masked(acts.pop("contacts"), "Int64"),
    }
    for name, flags in acts.items():
        columns[name] = Masked(flags, "boolean")
    for name in design.barrier_prevalence:
        columns[name] = Masked(v[name], "boolean")
    latent = {
        "cause": reason,
        "months": outcome["months"],
        "iq_true": v["iq_true"],
        "frailty": frailty[center],
        "transition": np.isin(reason, TRANSITION),
        "latent_end": outcome["latent_end"],
        "latent_cause": causes[outcome["latent_cause"]],
        "warnings": {
            "death_not_deceased": int(n_dnd),
            "deceased_without_death": int(
                (current == "deceased").sum() - ((reason == "death").sum() - n_dnd)
            ),
            "start_before_release": int(n_sbr),
        },
    }
    return columns, latent


def build_cases(*args, **kwargs) -> tuple[pd.DataFrame, dict]:
    """:func:`draw_case_columns` with the columns as the clean cases table (a DataFrame)."""
    columns, latent = draw_case_columns(*args, **kwargs)
    return frame(columns), latent


def draw_answers(n: int, design: Design, codebook: Codebook, rng) -> Persons:
    """Persons as the model draws them, with answers missing at the configured shares
    (no calibration to published figures)."""
    values = draw_persons(n, design, codebook, rng)
    miss = design.missing
    status = mask_iq(
        values["iq_true"],
        round(miss["iq_unmeasurable"] * n),
        round(miss["iq_unknown"] * n),
        design.persons["iq_range_share"],
        rng,
    )
    masks = {
        c: _bernoulli_missing(rng, n, miss[c])
        for c in ("age", "prison_admissions", "residence_changes")
    }
    return Persons(values, masks, status, reported_iq(values["iq_true"], status))


def simulate_case_columns(
    design: Design, rng: np.random.Generator, codebook: Codebook | None = None
) -> tuple[dict[str, Column], dict]:
    """:func:`simulate_cases`'s table as arrays (no ``case_ref``), and its latent dict."""
    codebook = codebook or load_codebook()
    n = design.n_cases
    sizes = center_sizes(n, design.n_centers, design.size_sd, rng)
    center = np.repeat(np.arange(design.n_centers), sizes)
    frailty = draw_frailty(design.n_centers, design, rng)
    persons = draw_answers(n, design, codebook, rng)
    center_ids = np.array([f"S{i + 1:03d}" for i in range(design.n_centers)], dtype=object)
    return draw_case_columns(center_ids, center, frailty, persons, design, codebook, rng)


def simulated_cases_table(columns: dict[str, Column]) -> pd.DataFrame:
    """The clean cases table of :func:`simulate_case_columns`' columns, with ``case_ref``."""
    cases = frame(columns)
    n = len(cases)
    cases.insert(1, "case_ref", pd.array(np.arange(1, n + 1).astype(str), dtype="str"))
    return cases


def simulate_cases(
    design: Design, rng: np.random.Generator, codebook: Codebook | None = None, latent: bool = False
):
    """A clean cases table drawn from the model (no calibration, no spreadsheets).

    ``design`` gives n_cases, n_centers, frailty SD, true hazard ratios, entry window and
    reference date (see ``Design.replace`` / ``Design.with_hazard_ratios``). Center ids are
    ``S001``...; the table has a ``case_ref``. With ``latent=True`` returns
    ``(cases, latent)`` where latent holds the drawn cause, exact months and frailty.
    """
    columns, lat = simulate_case_columns(design, rng, codebook)
    cases = simulated_cases_table(columns)
    return (cases, lat) if latent else cases


@dataclass
class SyntheticSurvey:
    roster: pd.DataFrame
    cases: pd.DataFrame  # clean cases with case_ref
    awareness: pd.DataFrame
    truth: dict
    calibration: Calibration | None
    #: per row of ``cases``: when and how each case ends, also after the reference date
    #: (latent_end, latent_cause), for a later round of the same population
    latent: pd.DataFrame | None = None
    #: each center's case-number style (an index into REF_STYLES)
    ref_styles: dict[str, int] | None = None


def build_roster(cal: Calibration, cfg: dict, codebook: Codebook, scale: float, rng):
    """48 centers (one prefecture twice), council operators, responses and target counts."""
    c = cfg["centers"]
    prefectures = codebook.variable("roster", "prefecture").codes
    pref = []
    for code in prefectures:
        pref += [code] * (2 if code == c["double_prefecture"] else 1)
    n_centers = cal.n_centers
    if len(pref) != n_centers:
        raise ValueError(f"{len(pref)} prefecture slots for {n_centers} centers")
    operator_var = codebook.variable("roster", "operator")
    by_label = {lv.ja: lv.code for lv in operator_var.levels}
    members_ops = [by_label[label] for label, k in cal.council_members.items() for _ in range(k)]
    n_members = len(members_ops)
    member = _choose(rng, n_centers, n_members)
    operator = np.empty(n_centers, dtype=object)
    operator[member] = rng.permutation(np.array(members_ops, dtype=object))
    non_members = c["non_member_operators"]
    if len(non_members) != n_centers - n_members:
        raise ValueError("centers.non_member_operators must name one operator per non-member")
    operator[~member] = non_members
    responded = _choose(rng, n_centers, cal.n_responded)
    n_cases = round(cal.n_cases * scale)
    sizes = center_sizes(
        n_cases, cal.n_responded, c["size_sd"], rng, minimum=round(c["min_cases"] * min(scale, 1))
    )
    n_target_total = round(cal.n_target * scale)
    unreported = n_target_total - n_cases
    nonresp = np.minimum(
        rng.poisson(c["nonresponder_target_mean"] * scale, n_centers - cal.n_responded),
        unreported // max(1, n_centers - cal.n_responded),
    )
    extra = allocate(
        unreported - int(nonresp.sum()), rng.lognormal(0, c["target_extra_sd"], cal.n_responded)
    )
    target = np.zeros(n_centers, dtype=np.int64)
    target[responded] = sizes + extra
    target[~responded] = nonresp
    cases_per_center = np.zeros(n_centers, dtype=np.int64)
    cases_per_center[responded] = sizes
    roster = pd.DataFrame(
        {
            "center_id": pd.array([f"C{i + 1:02d}" for i in range(n_centers)], dtype="str"),
            "prefecture": _cat(pref, prefectures),
            "operator": _cat(operator, operator_var.codes),
            "member": pd.array(member, dtype="boolean"),
            "n_target": pd.array(target, dtype="Int64"),
            "responded": pd.array(responded, dtype="boolean"),
        }
    )
    return roster, cases_per_center


def build_awareness(
    cal: Calibration, roster: pd.DataFrame, cfg: dict, codebook: Codebook, rng
) -> pd.DataFrame:
    responding = roster.loc[roster["responded"].to_numpy(dtype=bool), "center_id"].to_numpy()
    chosen = np.sort(rng.choice(responding, cal.n_awareness, replace=False))
    n = len(chosen)
    frame = {"center_id": pd.array(chosen, dtype="str")}
    for var in codebook.tables["awareness"].variables.values():
        if var.type != "mark":
            continue
        if var.name in cal.awareness:
            flags = _choose(rng, n, cal.awareness[var.name].count)
        else:
            flags = rng.random(n) < cfg["activities"]["awareness_other"][var.name]
        frame[var.name] = pd.array(flags, dtype="boolean")
    return pd.DataFrame(frame)


def generate_survey(
    cfg: dict,
    published: dict,
    codebook: Codebook | None = None,
) -> SyntheticSurvey:
    """The calibrated synthetic survey (clean tables and truth) for config ``cfg``."""
    codebook = codebook or load_codebook()
    rng = np.random.default_rng(cfg["seed"])
    scale = float(cfg["scale"])
    n_pub = int(published["survey"]["n_cases"])
    miss = cfg["missing"]
    mean_missing = {
        "age": round(miss["age"] * n_pub),
        "prison_admissions": round(miss["prison_admissions"] * n_pub),
        "residence_changes": round(miss["residence_changes"] * n_pub),
        "iq": round((miss["iq_unmeasurable"] + miss["iq_unknown"]) * n_pub),
    }
    cal = calibrate(published, mean_missing)
    roster, per_center = build_roster(cal, cfg, codebook, scale, rng)
    n = int(per_center.sum())
    design = Design.from_config(cfg, codebook, n_cases=n, n_centers=len(roster))
    center = np.repeat(np.arange(len(roster)), per_center)
    frailty = draw_frailty(len(roster), design, rng)
    raw_persons = draw_persons(n, design, codebook, rng)
    persons = calibrate_persons(raw_persons, cal, n, design, codebook, rng, scale)
    residence = cal.pcts["current_residence"]
    counts = {
        key.removeprefix("pct_current_"): round(t.count * scale) for key, t in residence.items()
    }
    res_missing = round(next(iter(residence.values())).missing * scale)
    center_ids = roster["center_id"].to_numpy(dtype=object)
    cases, latent = build_cases(
        center_ids,
        center,
        frailty,
        persons,
        design,
        codebook,
        rng,
        residence_counts=counts,
        residence_missing=res_missing,
        warnings=cfg["warnings"],
    )
    cases["_latent_end"] = latent["latent_end"].astype("datetime64[ns]")
    cases["_latent_cause"] = latent["latent_cause"]
    cases, ref_styles = _order_and_refs(cases, rng)
    ends = cases.pop("_latent_end").to_numpy()
    later = pd.DataFrame({"latent_end": ends, "latent_cause": cases.pop("_latent_cause")})
    without_contacts = drop_contacts(cases, cfg)
    awareness = build_awareness(cal, roster, cfg, codebook, rng)
    truth = build_truth(cfg, design, cal, roster, frailty, cases, latent)
    truth["centers_without_contacts"] = without_contacts
    return SyntheticSurvey(roster, cases, awareness, truth, cal, later, ref_styles)


def drop_contacts(cases: pd.DataFrame, cfg: dict) -> list[str]:
    """Blank the optional contacts of the centers whose files lack the 支援回数 column
    (raw.no_contacts_centers), so that the clean table is what the files hold. A separate
    random stream keeps every other draw unchanged."""
    rng = np.random.default_rng([int(cfg["seed"]), 2])
    # np.unique's result, hashed first: only the distinct centers are sorted, not every row
    centers = np.sort(pd.unique(cases["center_id"].to_numpy(dtype=object)))
    chosen = sorted(rng.choice(centers, cfg["raw"]["no_contacts_centers"], replace=False))
    cases.loc[cases["center_id"].isin(chosen), "contacts"] = pd.NA
    return [str(c) for c in chosen]


REF_STYLES = ("{n}", "{n:03d}", "R{fy}-{n:03d}", "No.{n}", "{center}-{n:04d}")


def reiwa_fiscal_year(dates) -> np.ndarray:
    """The fiscal year (April to March) of each date as a Reiwa year: FY2019 is 1."""
    stamps = pd.DatetimeIndex(dates)
    return np.asarray(stamps.year - (stamps.month < 4) - 2018)


def case_refs(center: str, style: int, numbers, starts) -> list[str]:
    """Case numbers of one center in its style: the n-th case it took on (1-based), with
    the fiscal year of its follow-up start where the style shows one."""
    fmt = REF_STYLES[style]
    fy = reiwa_fiscal_year(starts)
    return [fmt.format(n=n, fy=f, center=center) for n, f in zip(numbers, fy, strict=True)]


def _order_and_refs(cases: pd.DataFrame, rng) -> tuple[pd.DataFrame, dict[str, int]]:
    """Sort by center and start; give each center's cases a case number in its own style.
    Returns the cases and each center's style."""
    cases = cases.sort_values(["center_id", "followup_start"], kind="stable").reset_index(drop=True)
    refs = np.empty(len(cases), dtype=object)
    styles = {}
    starts = cases["followup_start"].to_numpy()
    for center, idx in cases.groupby("center_id", observed=True).indices.items():
        styles[center] = int(rng.integers(len(REF_STYLES)))
        refs[idx] = case_refs(center, styles[center], range(1, len(idx) + 1), starts[idx])
    cases.insert(1, "case_ref", pd.array(refs, dtype="str"))
    return cases, styles


def build_truth(cfg, design: Design, cal: Calibration, roster, frailty, cases, latent) -> dict:
    """The true parameters, the covariate coding and the calibration, for truth.json."""
    transition_terms = design.log_hr[TRANSITION[0]]
    cause_counts = pd.Series(latent["cause"]).value_counts(dropna=False)
    return {
        "seed": cfg["seed"],
        "scale": cfg["scale"],
        "time_scale": f"months = days / {DAYS_PER_MONTH}",
        "reference_date": design.reference_date.isoformat(),
        "entry_window": [design.entry_start.isoformat(), design.entry_end.isoformat()],
        "transition_causes": list(TRANSITION),
        "competing_causes": [c for c in design.causes if c not in TRANSITION],
        "covariates": {
            "barrier_*": "1 when the barrier is marked, else 0 (drawn independently of "
            "the frailty and of the other covariates)",
            "age_10": "age at referral / 10",
            "iq_10": "the person's TRUE IQ-equivalent / 10; the reported IQ is masked after "
            "(unknown and unmeasurable at random; range answers report the 5-point "
            "range's midpoint)",
            "prison_admissions": "number of prison admissions",
            "coordination[general]": "1 for general coordination, 0 for special",
            "reference": design.reference,
        },
        "hazard_ratios_note": (
            "cause-specific hazard ratios conditional on the center frailty; a marginal Cox "
            "model (cluster-robust SE) estimates slightly attenuated ratios (towards 1), and "
            "iq_10 enters with the true IQ while the data report a masked IQ"
        ),
        "hazard_ratios": {
            "transition": {t: math.exp(b) for t, b in transition_terms.items()},
            **{
                c: {t: math.exp(b) for t, b in design.log_hr[c].items()}
                for c in design.causes
                if c not in TRANSITION
            },
        },
        "log_hazard_ratios": design.log_hr,
        "baseline_hazards": {
            "form": "Weibull: h(t) = rate * shape * t^(shape - 1), t in months, at the "
            "reference covariate values",
            **{c: {"rate": r, "shape": s} for c, (r, s) in design.baseline.items()},
        },
        "frailty": {
            "distribution": "log-normal, median 1, on the transition hazards only",
            "sd": design.frailty_sd,
            "by_center": dict(zip(roster["center_id"], map(float, frailty), strict=True)),
        },
        "barrier_prevalence": design.barrier_prevalence,
        "counts": {
            "cases": len(cases),
            "cohort": {str(k): int(v) for k, v in cases["cohort"].value_counts(sort=False).items()},
            "end_reason": {str(k): int(v) for k, v in cause_counts.items()},
            "ended_after_fiscal_year": int(
                (cases["followup_end"] > pd.Timestamp("2021-03-31")).sum()
            ),
        },
        "warnings": latent["warnings"],
        "calibration": cal.as_dict(),
    }
