"""The publication layer: every number that leaves for ``results/`` passes through here.

The rule (README, "Privacy"): a count of people ``k`` of ``n`` is *sensitive* when
``0 < k < min_cell`` or ``0 < n - k < min_cell``; a sensitive count, and every number
derived from it (a share, a mean over fewer than ``min_cell`` values, an estimate from a
model with fewer than ``min_cell`` events or non-events, a difference of shown margins) is
shown as the marker ``<min_cell`` wherever it appears. Counts of centers are not counts of
people and are shown.

This module applies the rule to what the analysis stage writes — the model outputs
(coefficients.csv, diagnostics.csv, fits/*.txt), the curves, results/numbers.json — and to
the published validation summary; the tables and figures apply it through
:class:`~teichaku.report.suppress.Privacy`. File names never leave ``data/``: files are
referred to by a neutral label (center id and an index).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from teichaku.analysis import reliability
from teichaku.disclosure import Protection, Status
from teichaku.report.suppress import Privacy, mask_curves

#: Significant digits of the floats in results/numbers.json (byte-reproducible output).
SIGNIFICANT = 8
#: Columns of coefficients.csv that are (or rest on) the estimates of a model.
ESTIMATE_COLUMNS = ("estimate", "conf_low", "conf_high", "std_error", "p_value")
INFERENCE_COLUMNS = ("conf_low", "conf_high", "p_value")


def round_significant(value: float) -> float:
    """A float at the precision numbers.json publishes it (NaN and infinities kept)."""
    return float(f"{value:.{SIGNIFICANT}g}") if math.isfinite(value) else value


def is_marker(value) -> bool:
    """True for a suppressed value (the marker text ``<k``)."""
    return isinstance(value, str) and value.startswith("<")


def _int(value) -> int | None:
    if value is None or is_marker(value):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- counts


def share_count(privacy: Privacy, k, n) -> object:
    """k (of n) as published: the marker when k or its complement is sensitive."""
    if _int(k) is None:
        return k
    if _int(n) is not None and privacy.share_suppressed(_int(k), _int(n)):
        return privacy.marker
    return privacy.marker if privacy.is_small(_int(k)) else _int(k)


def partition(privacy: Privacy, total: int, parts: dict[str, int]) -> dict[str, object]:
    """Parts of a shown total (they add up to it) as published: each sensitive part is
    hidden, and when only one part would be hidden the smallest other non-zero part is
    hidden with it, so that no hidden part is the total minus the shown ones."""
    hidden = {k for k, v in parts.items() if privacy.share_suppressed(v, total)}
    if len(hidden) == 1:
        others = sorted((v, k) for k, v in parts.items() if k not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
    return {k: privacy.marker if k in hidden else v for k, v in parts.items()}


# --------------------------------------------------------------------------- models


def model_counts(privacy: Privacy, n, n_events, model_type: str) -> tuple[object, object]:
    """(n, n_events) of a model as published. Events of a center-level model are counts of
    cases over centers (their complement is not in the row)."""
    shown_n = privacy.marker if privacy.is_small(_int(n)) else n
    if model_type == "binomial_counts":
        return n, (privacy.marker if privacy.is_small(_int(n_events)) else n_events)
    return shown_n, share_count(privacy, n_events, n)


def publish_coefficients(
    coefficients: pd.DataFrame, assessment: pd.DataFrame, privacy: Privacy
) -> pd.DataFrame:
    """coefficients.csv as published: no estimate of a model that is not reported, no
    interval or p-value of one reported as estimates only, sensitive counts as the marker."""
    out = coefficients.copy()
    status = dict(zip(assessment["model"], assessment["status"], strict=True))
    for column in ESTIMATE_COLUMNS:
        out[column] = out[column].astype("float64")
    hidden = out["model"].map(status).eq(reliability.NOT_REPORTED)
    out.loc[hidden, list(ESTIMATE_COLUMNS)] = np.nan
    partial = out["model"].map(status).eq(reliability.NO_INFERENCE)
    out.loc[partial, list(INFERENCE_COLUMNS)] = np.nan
    counts = [
        model_counts(privacy, n, e, t)
        for n, e, t in zip(out["n"], out["n_events"], out["type"], strict=True)
    ]
    if any(is_marker(n) or is_marker(e) for n, e in counts):
        out["n"] = pd.Series([n for n, _ in counts], index=out.index, dtype="object")
        out["n_events"] = pd.Series([e for _, e in counts], index=out.index, dtype="object")
    return out


_IMPUTED = re.compile(r"(\d+) of (\d+) rows had a value imputed")
_CENTER_CASES = re.compile(r"centers, (\d+) cases$")


def publish_diagnostics(
    diagnostics: pd.DataFrame, coefficients: pd.DataFrame, privacy: Privacy
) -> pd.DataFrame:
    """diagnostics.csv as published: the events per parameter of a model whose events are
    sensitive (events = value x parameters) and counts of people inside messages hidden."""
    out = diagnostics.copy()
    firsts = coefficients.drop_duplicates("model").set_index("model")
    sensitive = {
        m
        for m, r in firsts.iterrows()
        if any(is_marker(v) for v in model_counts(privacy, r["n"], r["n_events"], r["type"]))
    }
    epv = (out["check"] == "events_per_variable") & out["model"].isin(sensitive)
    out["message"] = out["message"].astype("object")
    out.loc[epv, "value"] = np.nan
    out.loc[epv, "message"] = privacy.marker

    def message(text) -> str:
        if not isinstance(text, str):
            return text

        def imputed(m: re.Match) -> str:
            k, n = int(m.group(1)), int(m.group(2))
            shown = share_count(privacy, k, n)
            return f"{shown} of {privacy.count_value(n)} rows had a value imputed"

        text = _IMPUTED.sub(imputed, text)
        return _CENTER_CASES.sub(lambda m: f"centers, {privacy.count(int(m.group(1)))} cases", text)

    out["message"] = out["message"].map(message)
    return out


_COUNT_LINE = re.compile(r"^(n|n_events|n_cases|n_dropped_missing): (\d+)$", re.M)


_MODEL_TYPE = re.compile(r"^Model: \S+ \((\w+),", re.M)


def publish_fit_text(
    text: str,
    coefficients: pd.DataFrame,
    diagnostics_text: list[str],
    row: dict | None,
    privacy: Privacy,
) -> str:
    """A fits/*.txt summary as published, rebuilt from the published rows: counts as in
    coefficients.csv (for a model that could not be fitted, and so has no rows, its own
    counts under the same rule), the estimates only where reported, the reason where not.

    ``row`` is the model's assessment (status, reason_en); ``diagnostics_text`` the
    published diagnostic lines."""
    head, _, _ = text.partition("\nDiagnostics:\n")
    lines = head.rstrip("\n").split("\n")
    body_start = lines.index("") if "" in lines else len(lines)
    header, body = lines[:body_start], lines[body_start + 1 :]
    first = coefficients.iloc[0] if len(coefficients) else None
    if first is not None:
        shown = {"n": first["n"], "n_events": first["n_events"]}
    else:
        own = dict(_COUNT_LINE.findall("\n".join(header)))
        kind = _MODEL_TYPE.search(text)
        shown = dict(
            zip(
                ("n", "n_events"),
                model_counts(
                    privacy, own.get("n"), own.get("n_events"), kind.group(1) if kind else ""
                ),
                strict=True,
            )
        )
        shown = {k: v for k, v in shown.items() if v is not None}

    def count(m: re.Match) -> str:
        key = m.group(1)
        if key in shown:
            return f"{key}: {shown[key]}"
        if key == "n_cases" and first is not None and is_marker(first["n_events"]):
            return f"{key}: {first['n_events']}"
        return m.group(0)

    header = [_COUNT_LINE.sub(count, line) for line in header]
    if row is not None and row["status"] != reliability.REPORTED:
        note = f"{row['reason_en']} ({row['reason_ja']})"
        if row["status"] == reliability.NOT_REPORTED:
            body = [f"No estimates reported: {note}."]
        else:
            body = [*_estimates_text(coefficients), "", f"{note}."]
    elif first is not None:
        body = _estimates_text(coefficients)
    lines = [*header, "", *body, "", "Diagnostics:", *diagnostics_text]
    return "\n".join(lines) + "\n"


def _estimates_text(coefficients: pd.DataFrame) -> list[str]:
    columns = ["term", "scale", *ESTIMATE_COLUMNS[:3], "std_error", "p_value", "se_type"]
    shown = coefficients[columns]
    return shown.to_string(index=False, float_format=lambda v: f"{v:.4f}").split("\n")


def diagnostic_lines(diagnostics: pd.DataFrame) -> list[str]:
    """The diagnostics of one model as fits/*.txt lists them."""

    def fmt(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    lines = []
    for d in diagnostics.to_dict("records"):
        term = f" [{d['term']}]" if isinstance(d["term"], str) and d["term"] else ""
        value = f" value={fmt(d['value'])}" if not pd.isna(d["value"]) else ""
        p = f" p={fmt(d['p_value'])}" if not pd.isna(d["p_value"]) else ""
        message = d["message"] if isinstance(d["message"], str) else ""
        lines.append(f"  {d['status']:7s} {d['check']}{term}{value}{p} {message}".rstrip())
    return lines


# --------------------------------------------------------------------------- curves


def _curve_cell(by: str, group: str):
    """The count of tables 1-3 a curve group starts from (its n at risk at time 0, the cases
    of the group with a follow-up time): the group size, or a mark's count of yes."""
    if by == "all":
        return ("size", "all")
    if by == "cohort":
        return ("size", group)
    return ("count", by, "yes", "all")  # with and without: one is the other's complement


def publish_curves(
    curves: pd.DataFrame, privacy: Privacy, protection: Protection | None = None
) -> pd.DataFrame:
    """curves.parquet as published: every curve cut where fewer than min_cell remain at
    risk (no step and no time that describes fewer people); a group smaller than min_cell
    left out, and with it the other groups of the same grouping (the overall n minus theirs
    would give it); and a grouping whose count the tables suppress (``protection``: the
    protection of tables 1-3) left out as the tables leave it out."""
    if curves.empty:
        return curves
    kept = mask_curves(curves, privacy.min_cell)
    groups = curves.groupby(["curve", "by"], sort=False)["group"].unique()
    left = kept.groupby(["curve", "by"], sort=False)["group"].unique()
    whole = {k for k, g in groups.items() if k in left.index and set(left[k]) == set(g)}
    keep = [(c, b) in whole for c, b in zip(kept["curve"], kept["by"], strict=True)]
    if protection is not None:
        keep = [
            k and protection.status.get(_curve_cell(b, g)) in (None, Status.PUBLISHED)
            for k, b, g in zip(keep, kept["by"], kept["group"], strict=True)
        ]
    return kept[keep].reset_index(drop=True)[list(curves.columns)]


# --------------------------------------------------------------------------- files


def file_labels(files: list[tuple[str, str | None]]) -> dict[str, str]:
    """file -> neutral label ``<center>-<index>`` (``cases-<index>`` when the file's
    center is not known), numbered in file-name order within each center."""
    labels: dict[str, str] = {}
    counters: dict[str, int] = {}
    for name, center in sorted(set(files), key=lambda fc: (fc[1] or "~", fc[0])):
        if name in labels:
            continue
        prefix = center or "file"
        counters[prefix] = counters.get(prefix, 0) + 1
        labels[name] = f"{prefix}-{counters[prefix]}"
    return labels


def label_inputs(digests: dict[str, str], raw_dir: str | Path) -> dict[str, str]:
    """Input file -> SHA-256 as published in the provenance record: a raw file is named by
    a neutral label (``<raw_dir>/cases-3.xlsx``, numbered in file-name order within its
    table folder or as ``roster-1``), never by its name, which may hold a case number or a
    personal name; other inputs (configuration files) keep their paths."""
    raw = Path(raw_dir).as_posix().rstrip("/")
    groups: dict[str, list[str]] = {}
    others = {}
    for path, digest in digests.items():
        if path.startswith(raw + "/"):
            rel = path[len(raw) + 1 :]
            table = rel.split("/", 1)[0] if "/" in rel else Path(rel).stem
            groups.setdefault(table, []).append(path)
        else:
            others[path] = digest
    labelled = {}
    for table, paths in groups.items():
        for i, path in enumerate(sorted(paths), start=1):
            suffix = re.sub(r"[^A-Za-z0-9.]", "", Path(path).suffix)
            labelled[f"{raw}/{table}-{i}{suffix}"] = digests[path]
    return dict(sorted({**others, **labelled}.items()))
