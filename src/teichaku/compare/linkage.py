"""The continuing cases of one round followed into the next through the pseudonym.

A case the earlier round saw continuing (open at its reference date) is looked up by its
``case_id`` (HMAC of center and case number under the same key, so the same person in both
rounds) among the later round's valid cases: it has ended by the later reference date (how,
after how long), is still continuing, or is not in the later round (its center did not
answer, or did not report it). A longitudinal view no single round gives.

Published as a table with margins (continuing = found + not found, found = ended + still
continuing, ended = the sum over end reasons), protected by the disclosure layer: small
counts, their complements and whatever would let them be recovered by subtraction are
suppressed; a median time is shown only over at least ``min_cell`` cases whose count is shown.
The later round's own counts of ends (numbers.json: transition, competing, censored) are
published elsewhere and split into the linked cases and the round's other cases (new ones,
ends reported again): where published they enter the audit as known totals, so that no
small count of the other cases follows by subtraction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from teichaku.compare.rounds import Round
from teichaku.disclosure import Cell, CellTable, Protection, protect
from teichaku.report.publish import round_significant

DAYS_PER_MONTH = 365.25 / 12
#: Rows of the table, in order (the end reasons come after "ended").
CONTINUING, FOUND, NOT_FOUND, ENDED, STILL = (
    "continuing",
    "found",
    "not_found",
    "ended",
    "still_continuing",
)


def linked_cases(earlier: Round, later: Round) -> pd.DataFrame:
    """One row per case continuing at the earlier round: whether the later round has it,
    its end reason there, its follow-up months (start to end) and the months from the
    earlier reference date to its end (ended cases)."""
    first = earlier.analysis
    continuing = first.loc[first["end_reason"].isna(), ["case_id"]]
    record = later.analysis[["case_id", "end_reason", "followup_start", "followup_end"]]
    record = record.assign(event_type=later.analysis["event_type"].astype("object"))
    if record["case_id"].duplicated().any():
        raise ValueError(f"round {later.name}: a case_id appears twice")
    out = continuing.merge(record, on="case_id", how="left", indicator=True, validate="1:1")
    out["found"] = out.pop("_merge").eq("both")
    end = out["followup_end"]
    out["followup_months"] = (end - out["followup_start"]).dt.days / DAYS_PER_MONTH
    since = end - pd.Timestamp(earlier.reference_date)
    out["months_since_earlier"] = since.dt.days / DAYS_PER_MONTH
    out["end_reason"] = out["end_reason"].astype("object")
    return out.drop(columns=["followup_start", "followup_end"])


def linkage_cells(
    linked: pd.DataFrame, reasons: list[str], events: dict[str, str], later_ends: dict[str, int]
) -> CellTable:
    """The table's counts and the sums among them; ``events``: end reason -> its event type
    (transition, competing); ``later_ends``: the later round's cases by event type
    (transition, competing, censored) and whether its numbers.json publishes the count
    (then the intruder knows it)."""
    found = linked["found"].to_numpy()
    ended = found & linked["end_reason"].notna().to_numpy()
    table = CellTable()
    counts = {
        CONTINUING: len(linked),
        FOUND: int(found.sum()),
        NOT_FOUND: int((~found).sum()),
        ENDED: int(ended.sum()),
        STILL: int((found & ~ended).sum()),
    }
    parent = {FOUND: CONTINUING, NOT_FOUND: CONTINUING, ENDED: FOUND, STILL: FOUND}
    for key, value in counts.items():
        table.add(Cell((key,), value, denominator=(parent[key],) if key in parent else None))
    for reason in reasons:
        k = int((linked["end_reason"] == reason).sum())
        table.add(Cell((ENDED, reason), k, denominator=(ENDED,)))
    table.add_sum((CONTINUING,), [(FOUND,), (NOT_FOUND,)])
    table.add_sum((FOUND,), [(ENDED,), (STILL,)])
    table.add_sum((ENDED,), [(ENDED, r) for r in reasons])
    carried = {e: [(ENDED, r) for r in reasons if events.get(r) == e] for e in later_ends}
    carried["censored"] = [(STILL,)]
    for event, (total, published) in later_ends.items():
        linked_part = sum(table.value(k) for k in carried[event])
        table.add(Cell(("later", event), total, printed=False, known=published))
        table.add(Cell(("others", event), total - linked_part, printed=False))
        table.add_sum(("later", event), [("others", event), *carried[event]])
    return table


def _median(values: pd.Series, key, protection: Protection):
    """A median time as published: only over a shown count of at least min_cell cases."""
    values = values.dropna()
    if not protection.shown(key) or len(values) < protection.min_cell:
        return protection.marker if len(values) else None
    return round_significant(float(np.median(values)))


def later_ends(later: Round) -> dict[str, tuple[int, bool]]:
    """The later round's cases by event type (as its numbers.json counts them) and whether
    its numbers.json publishes that count (``followup.n_<event>`` a number, not the marker)."""
    counts = later.analysis["event_type"].astype("object").value_counts()
    shown = later.numbers.get("followup") or {}
    return {
        e: (int(counts.get(e, 0)), isinstance(shown.get(f"n_{e}"), int))
        for e in ("transition", "competing", "censored")
    }


def linkage_table(
    earlier: Round, later: Round, reasons: list[str], events: dict[str, str], min_cell: int
) -> pd.DataFrame:
    """The published linkage table of two consecutive rounds (codes, not labels);
    ``events``: end reason -> event type (the models' transition and competing ends)."""
    linked = linked_cases(earlier, later)
    cells = linkage_cells(linked, reasons, events, later_ends(later))
    protection = protect(cells, min_cell)
    rows = []
    keys = [(CONTINUING,), (FOUND,), (NOT_FOUND,), (ENDED,), *[(ENDED, r) for r in reasons]]
    keys.append((STILL,))
    for key in keys:
        mask = pd.Series(True, index=linked.index)
        if key != (CONTINUING,):
            mask = linked["found"] if key[0] != NOT_FOUND else ~linked["found"]
        if key[0] == ENDED:
            mask = mask & linked["end_reason"].notna()
            if len(key) == 2:
                mask = mask & (linked["end_reason"] == key[1])
        elif key[0] == STILL:
            mask = mask & linked["end_reason"].isna()
        timed = key[0] == ENDED
        rows.append(
            {
                "earlier_round": earlier.name,
                "later_round": later.name,
                "status": key[0],
                "end_reason": key[1] if len(key) == 2 else None,
                "n": protection.table.value(key) if protection.shown(key) else protection.marker,
                "pct_of_continuing": _pct(protection, key, (CONTINUING,)),
                "median_followup_months": _median(
                    linked.loc[mask, "followup_months"], key, protection
                )
                if timed
                else None,
                "median_months_since_earlier_round": _median(
                    linked.loc[mask, "months_since_earlier"], key, protection
                )
                if timed
                else None,
            }
        )
    return pd.DataFrame(rows)


def _pct(protection: Protection, key, total):
    if not protection.table.value(total):
        return None
    if not protection.share_shown(key, total):
        return protection.marker
    return round_significant(100.0 * protection.table.value(key) / protection.table.value(total))
