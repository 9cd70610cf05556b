"""Work out, from the published figures alone, the counts the synthetic survey must hold.

A percentage printed as 87.73 is hit by a count c of valid answers n only when
100 c / n rounds (half up) to 87.73. For each percentage we search the largest valid n not
above the number of rows (fewest missing answers) for which some count rounds right, and we
refuse counts whose exact value sits on a rounding tie (x.xx5 exactly), so that no
floating-point detail can flip the figure. Items printed over one shared denominator (the
four current residences) must share one valid n. Means are hit by choosing the integer sum
(in half units for IQ, whose range answers have .5 midpoints) nearest to mean x n.

All arithmetic is exact (``fractions.Fraction``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction

from teichaku.published import decimals


def _rounds_to(value: Fraction, target: Decimal) -> bool:
    """True when ``value`` rounds half up to ``target`` at its printed decimals, off-tie."""
    scale = 10 ** decimals(target)
    scaled = value * scale
    if (scaled - math.floor(scaled)) == Fraction(1, 2):
        return False  # a tie: avoid
    return math.floor(scaled + Fraction(1, 2)) == int(target * scale)


def count_for_pct(target: Decimal, n: int) -> int | None:
    """A count c with 100 c / n rounding to ``target`` (the one nearest target), else None."""
    centre = float(target) * n / 100
    for c in sorted(
        range(max(0, math.floor(centre) - 2), min(n, math.ceil(centre) + 2) + 1),
        key=lambda c: abs(c - centre),
    ):
        if _rounds_to(Fraction(100 * c, n), target):
            return c
    return None


def sum_for_mean(target: Decimal, n: int, unit: int = 1) -> int:
    """The sum S (in units of 1/unit) nearest target x n with S / (unit n) rounding right."""
    centre = float(target) * n * unit
    for s in sorted(
        range(math.floor(centre) - 3 * unit, math.ceil(centre) + 3 * unit + 1),
        key=lambda s: abs(s - centre),
    ):
        if _rounds_to(Fraction(s, n * unit), target):
            return s
    raise ValueError(f"no sum over n={n} rounds to {target}")


@dataclass(frozen=True)
class PctTarget:
    """A percentage item: ``count`` of ``valid_n`` answers hit the published value."""

    key: str
    published: str
    valid_n: int
    missing: int
    count: int
    value: float


@dataclass(frozen=True)
class MeanTarget:
    """A mean item: values over ``valid_n`` answers must sum to ``total`` / ``unit``."""

    key: str
    published: str
    valid_n: int
    missing: int
    unit: int
    total: int
    value: float


def calibrate_pcts(targets: dict[str, Decimal], n_rows: int) -> dict[str, PctTarget]:
    """Counts for percentages sharing one denominator: the largest valid n <= n_rows."""
    for n in range(n_rows, 0, -1):
        counts = {k: count_for_pct(t, n) for k, t in targets.items()}
        if all(c is not None for c in counts.values()) and sum(counts.values()) <= n:
            return {
                k: PctTarget(k, str(t), n, n_rows - n, counts[k], 100 * counts[k] / n)
                for k, t in targets.items()
            }
    raise ValueError(f"no valid n <= {n_rows} reproduces {targets}")


def calibrate_mean(key: str, target: Decimal, valid_n: int, n_rows: int, unit: int = 1):
    total = sum_for_mean(target, valid_n, unit)
    return MeanTarget(
        key, str(target), valid_n, n_rows - valid_n, unit, total, total / (unit * valid_n)
    )


# Published items over the case rows, grouped by the denominator they share.
CASE_PCT_GROUPS = {
    "sex": {"pct_male": "male"},
    "coordination": {"pct_special_coordination": "special"},
    "welfare": {"pct_welfare": True},
    "current_residence": {
        "pct_current_own_home": "own_home",
        "pct_current_disability_group_home": "disability_group_home",
        "pct_current_hospital": "hospital",
        "pct_current_nursing_home_yogo": "nursing_home_yogo",
    },
}
CASE_MEANS = {
    "age": ("mean_age", 1),
    "iq": ("mean_iq", 2),  # range midpoints such as 52.5: sums in half points
    "prison_admissions": ("mean_prison_admissions", 1),
    "residence_changes": ("mean_residence_changes", 1),
}
AWARENESS_PCTS = {
    "need_disability_services": "pct_need_disability_services",
    "need_care_manager": "pct_need_care_manager",
    "reason_no_agency_cooperation": "pct_reason_no_agency_cooperation",
    "reason_no_stable_service": "pct_reason_no_stable_service",
    "reason_refuses_other_support": "pct_reason_refuses_other_support",
    "reason_facility_requests": "pct_reason_facility_requests",
}


@dataclass(frozen=True)
class Calibration:
    """Everything the generator needs to reproduce the published figures."""

    n_centers: int
    n_responded: int
    n_target: int
    n_cases: int
    n_awareness: int
    council_members: dict[str, int]
    pcts: dict[str, dict[str, PctTarget]]  # column -> item key -> target
    means: dict[str, MeanTarget]  # column -> target
    awareness: dict[str, PctTarget]  # column -> target

    def as_dict(self) -> dict:
        return {
            "method": (
                "percentages: the largest valid n not above the number of rows (fewest "
                "missing answers) with a count rounding half up to the published value, "
                "never on a rounding tie; items of one question share one valid n. Means: "
                "the integer sum (half points for IQ) nearest published mean x valid n that "
                "rounds right; the valid n of a mean is rows minus the configured missing."
            ),
            "sizes": {
                "n_centers": self.n_centers,
                "n_responded": self.n_responded,
                "n_target": self.n_target,
                "n_cases": self.n_cases,
                "n_awareness": self.n_awareness,
                "council_members": self.council_members,
            },
            "percentages": {
                col: {k: asdict(t) for k, t in items.items()} for col, items in self.pcts.items()
            },
            "means": {col: asdict(t) for col, t in self.means.items()},
            "awareness": {col: asdict(t) for col, t in self.awareness.items()},
        }


def calibrate(published: dict, mean_missing: dict[str, int]) -> Calibration:
    """Targets from ``published`` (as loaded by ``teichaku.published.load_published``).

    ``mean_missing`` gives, per mean item (age, iq, prison_admissions, residence_changes),
    how many case rows lack a valid answer (a plausibility choice: any valid n can hit a
    mean; for IQ it is the unmeasurable plus unknown answers).
    """
    survey, basic, aware = (
        published["survey"],
        published["basic_attributes"],
        published["awareness"],
    )
    n_cases = int(survey["n_cases"])
    pcts = {
        col: calibrate_pcts({k: Decimal(basic[k]) for k in items}, n_cases)
        for col, items in CASE_PCT_GROUPS.items()
    }
    means = {
        col: calibrate_mean(key, Decimal(basic[key]), n_cases - mean_missing[col], n_cases, unit)
        for col, (key, unit) in CASE_MEANS.items()
    }
    n_aw = int(aware["n_centers"])
    awareness = {
        col: calibrate_pcts({key: Decimal(aware[key])}, n_aw)[key]
        for col, key in AWARENESS_PCTS.items()
    }
    for col, t in awareness.items():
        if t.valid_n != n_aw:
            raise ValueError(f"awareness {col}: needs {t.valid_n} centers, not {n_aw}")
    n_centers = int(survey["n_centers_asked"])
    n_responded = int(survey["n_centers_responded"])
    check = Fraction(100 * n_responded, n_centers)
    if not _rounds_to(check, Decimal(survey["pct_centers_responded"])):
        raise ValueError("published response rate does not follow from the center counts")
    return Calibration(
        n_centers=n_centers,
        n_responded=n_responded,
        n_target=int(survey["n_cases_target"]),
        n_cases=n_cases,
        n_awareness=n_aw,
        council_members={k: int(v) for k, v in published["council_members"].items()},
        pcts=pcts,
        means=means,
        awareness=awareness,
    )
