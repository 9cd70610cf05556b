"""Small clean tables and analysis results with the shared interface's columns, for the
report tests (they do not depend on the synthetic generator or the analysis stage)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from teichaku.codebook import load_codebook
from teichaku.published import compute_published

ROOT = Path(__file__).resolve().parents[2]
LABEL_FILE = ROOT / "workflow" / "report" / "labels.yaml"
PUBLISHED = ROOT / "config" / "published-2021.yaml"
REPORT_SPEC = ROOT / "config" / "report.yaml"
THRESHOLD = 12
THRESHOLDS = (6, 12, 24)


def _cat(values, var):
    cb = load_codebook()
    return pd.Categorical(values, categories=cb.variable(*var).codes)


def make_roster(rng) -> pd.DataFrame:
    n = 48
    return pd.DataFrame(
        {
            "center_id": [f"C{i:02d}" for i in range(1, n + 1)],
            "prefecture": _cat(
                [*load_codebook().variable("roster", "prefecture").codes[:47], "tokyo"],
                ("roster", "prefecture"),
            ),
            "operator": _cat(
                rng.choice(["social_welfare_corporation", "saiseikai", "npo"], n),
                ("roster", "operator"),
            ),
            "member": pd.array([i < 46 for i in range(n)], dtype="boolean"),
            "n_target": pd.array(rng.integers(3, 12, n), dtype="Int64"),
            "responded": pd.array([i not in (5, 30) for i in range(n)], dtype="boolean"),
        }
    )


def make_cases(rng, n: int = 400) -> pd.DataFrame:
    centers = [f"C{i:02d}" for i in range(1, 49) if i not in (6, 31)]
    cohort = rng.choice(["r1_ended", "r2_ended", "r2_continuing"], n, p=[0.35, 0.35, 0.30])
    ended = cohort != "r2_continuing"
    start = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    length = rng.integers(20, 900, n)
    end = (start + pd.to_timedelta(length, unit="D")).where(ended)
    reason = np.where(
        ended, rng.choice(["stable", "handover", "death", "lost"], n, p=[0.5, 0.3, 0.1, 0.1]), None
    )
    out = pd.DataFrame(
        {
            "center_id": rng.choice(centers, n),
            "case_ref": [f"K{rng.integers(10**6, 10**7)}-{i}" for i in range(n)],
            "cohort": _cat(cohort, ("cases", "cohort")),
            "coordination": _cat(
                rng.choice(["special", "general"], n, p=[0.89, 0.11]), ("cases", "coordination")
            ),
            "sex": _cat(rng.choice(["male", "female"], n, p=[0.88, 0.12]), ("cases", "sex")),
            "age": pd.array(rng.integers(20, 90, n), dtype="Int64"),
            "iq": pd.array(rng.normal(62, 10, n).round(), dtype="Float64"),
            "prison_admissions": pd.array(rng.integers(1, 10, n), dtype="Int64"),
            "residence_changes": pd.array(rng.integers(0, 4, n), dtype="Int64"),
            "current_residence": _cat(
                rng.choice(
                    ["own_home", "disability_group_home", "hospital", "nursing_home_yogo", "other"],
                    n,
                ),
                ("cases", "current_residence"),
            ),
            "welfare": pd.array(rng.random(n) < 0.73, dtype="boolean"),
            "release_date": start - pd.to_timedelta(10, unit="D"),
            "followup_start": start,
            "followup_end": end,
            "end_reason": _cat(reason, ("cases", "end_reason")),
        }
    )
    out.loc[3, "age"] = pd.NA
    out.loc[4, "sex"] = np.nan
    cb = load_codebook()
    shares = {"act": 0.6, "guar": 0.3, "link": 0.5, "barrier": 0.4}
    for group, p in shares.items():
        for var in cb.tables["cases"].group_variables(group):
            out[var.name] = pd.array(rng.random(n) < p, dtype="boolean")
    # A rare item: fewer than 5 yes answers overall, to exercise suppression.
    out["guar_after_death"] = pd.array(np.arange(n) < 3, dtype="boolean")
    return out


def make_awareness(rng) -> pd.DataFrame:
    n = 30
    out = pd.DataFrame({"center_id": [f"C{i:02d}" for i in range(1, n + 1)]})
    for var, k in {
        "need_disability_services": 26,
        "need_care_manager": 27,
        "need_medical": 20,
        "need_welfare_office": 2,
        "reason_no_agency_cooperation": 26,
        "reason_no_stable_service": 25,
        "reason_refuses_other_support": 13,
        "reason_facility_requests": 27,
    }.items():
        out[var] = pd.array(np.arange(n) < k, dtype="boolean")
    return out


def make_analysis(cases: pd.DataFrame) -> pd.DataFrame:
    out = cases.drop(columns=["case_ref"]).copy()
    stop = out["followup_end"].fillna(pd.Timestamp("2021-10-21"))
    out["followup_months"] = (stop - out["followup_start"]).dt.days / (365.25 / 12)
    is_open = out["end_reason"].isna()
    for k in THRESHOLDS:
        value = pd.Series(pd.NA, index=out.index, dtype="Int64")
        value[out["followup_months"] >= k] = 1
        value[(out["followup_months"] < k) & ~is_open] = 0
        out[f"prolonged_{k}"] = value
    return out


TERMS = [
    "barrier_no_agency_cooperation",
    "barrier_no_stable_service",
    "age_10",
    "coordination[general]",
]


def make_coefficients(cases: pd.DataFrame) -> pd.DataFrame:
    cb = load_codebook()
    rows = []
    models = {
        "cox_transition": 1.0,
        "logit_prolonged_12": 1.3,
        "logit_prolonged_6": 1.2,
        "logit_prolonged_24": 1.5,
        "cox_transition_no_deaths": 0.95,
        "fine_gray_transition": 0.9,
    }
    for m, (model, scale) in enumerate(models.items()):
        for j, term in enumerate(TERMS):
            est = scale * (0.6 + 0.2 * j + 0.01 * m)
            if term.startswith("barrier"):
                ja, en = cb.variable("cases", term).label_ja, cb.variable("cases", term).label_en
            else:
                ja, en = term, term
            rows.append(
                {
                    "model": model,
                    "term": term,
                    "label_ja": ja,
                    "label_en": en,
                    "estimate": est,
                    "conf_low": est * 0.7,
                    "conf_high": est * 1.4,
                    "p_value": 0.0004 if j == 0 else 0.2,
                    "n": len(cases),
                    "n_events": 150 if m != 4 else 3,
                    "n_clusters": 46,
                }
            )
    return pd.DataFrame(rows)


def make_curves() -> pd.DataFrame:
    """Curves in the layout of results/models/curves.parquet (curve, by, group, ...)."""
    rows = []
    groups = {
        "km_followup": [
            ("all", "all"),
            ("cohort", "r1_ended"),
            ("cohort", "r2_ended"),
            ("cohort", "r2_continuing"),
        ],
        "cif_transition": [
            ("all", "all"),
            ("barrier_no_stable_service", "yes"),
            ("barrier_no_stable_service", "no"),
        ],
    }
    for curve, pairs in groups.items():
        for by, g in pairs:
            at_risk = 200
            for i, time in enumerate(np.arange(0, 30, 1.0)):
                est = (1 - i / 40) if curve == "km_followup" else i / 40
                if g == "r2_continuing":
                    est = 1.0  # nobody of the continuing cohort has ended: all censored
                rows.append(
                    {
                        "curve": curve,
                        "by": by,
                        "group": g,
                        "time": time,
                        "estimate": est,
                        "std_error": 0.02,
                        "lower": max(est - 0.05, 0),
                        "upper": min(est + 0.05, 1),
                        "n_at_risk": at_risk,
                    }
                )
                at_risk = int(at_risk * 0.85)
    return pd.DataFrame(rows)


def make_predicted() -> pd.DataFrame:
    """Predictions in the layout of results/models/cif_predicted.parquet."""
    times = np.arange(0, 36, 0.5)
    parts = [
        pd.DataFrame(
            {
                "prediction": "cif_fine_gray_transition",
                "model": "fine_gray_transition",
                "term": "barrier_no_stable_service",
                "value": value,
                "time": times,
                "cif": 1 - np.exp(-times / (30 if value else 20)),
            }
        )
        for value in (0, 1)
    ]
    return pd.concat(parts, ignore_index=True)


def make_numbers(roster, cases, awareness, analysis, coefficients, spec, validation) -> dict:
    """numbers.json in the analysis stage's layout, computed from the fixture tables."""
    published = compute_published(roster, cases, awareness)
    models = {}
    for m in spec.models:
        rows = coefficients[coefficients["model"] == m.name]
        models[m.name] = {
            "label_ja": m.label_ja,
            "label_en": m.label_en,
            "role": m.role,
            "type": m.type,
            "scale": m.scale,
            "status": "ok",
            "reported": "reported",
            "reason_ja": "",
            "reason_en": "",
            "n": int(rows["n"].iloc[0]),
            "n_events": int(rows["n_events"].iloc[0]),
            "n_clusters": int(rows["n_clusters"].iloc[0]),
            "terms": {
                r.term: {
                    "estimate": r.estimate,
                    "conf_low": r.conf_low,
                    "conf_high": r.conf_high,
                    "p_value": r.p_value,
                    "scale": m.scale,
                }
                for r in rows.itertuples()
            },
        }
    primary = models["cox_transition"]
    ended = analysis["end_reason"].astype(str)
    followup = {
        "n_cases": len(analysis),
        "n_transition": int(ended.isin(["stable", "handover"]).sum()),
        "n_censored": int(analysis["end_reason"].isna().sum()),
        "median_involvement_months": float(analysis["followup_months"].median()),
    }
    for k in THRESHOLDS:
        col = analysis[f"prolonged_{k}"].dropna() if f"prolonged_{k}" in analysis else None
        if col is not None:
            followup[f"pct_prolonged_{k}"] = 100 * float(col.mean())
            followup[f"n_valid_prolonged_{k}"] = len(col)
    return json.loads(
        json.dumps(
            {
                "published": published,
                "published_check": {"all_ok": False},
                "followup": followup,
                "models": models,
                "primary": {
                    "model": "cox_transition",
                    "n": primary["n"],
                    "n_events": primary["n_events"],
                    "n_clusters": primary["n_clusters"],
                    "reported": "reported",
                    "reason_ja": "",
                    "reason_en": "",
                    "barriers": {
                        t: v for t, v in primary["terms"].items() if t.startswith("barrier_")
                    },
                },
                "validation": validation,
                "diagnostics": {
                    "counts": {"ok": 30, "warning": 1, "error": 0},
                    "not_ok": [
                        {
                            "model": "cox_transition",
                            "check": "proportional_hazards",
                            "term": "age_10",
                            "status": "warning",
                        }
                    ],
                },
            }
        )
    )


def bundle(seed: int = 3) -> dict:
    rng = np.random.default_rng(seed)
    roster, cases, awareness = make_roster(rng), make_cases(rng), make_awareness(rng)
    analysis, coefficients, spec = make_analysis(cases), make_coefficients(cases), make_spec()
    validation = make_validation(cases)
    return {
        "roster": roster,
        "cases": cases,
        "awareness": awareness,
        "analysis": analysis,
        "coefficients": coefficients,
        "curves": make_curves(),
        "predicted": make_predicted(),
        "spec": spec,
        "numbers": make_numbers(roster, cases, awareness, analysis, coefficients, spec, validation),
    }


def _model(
    name, role, type_, scale, label, outcome=None, event=None, where=None, missing="complete_cases"
):
    return SimpleNamespace(
        name=name,
        role=role,
        type=type_,
        scale=scale,
        outcome=outcome,
        event=event,
        cluster="center_id",
        where=where,
        missing=missing,
        data="cases",
        label_ja=f"{label}(ja)",
        label_en=label,
    )


def make_spec() -> SimpleNamespace:
    """The parts of the analysis specification the report reads (as config/models.yaml)."""
    return SimpleNamespace(
        transition=("stable", "handover"),
        competing=("death", "reincarceration", "lost", "refused", "other"),
        term_labels={"Intercept": {"ja": "切片", "en": "Intercept"}},
        curves=(
            SimpleNamespace(
                name="km_followup", type="kaplan_meier", by=("all", "cohort"), event=None
            ),
            SimpleNamespace(
                name="cif_transition",
                type="cumulative_incidence",
                by=("all", "barrier_no_stable_service"),
                event="transition",
            ),
        ),
        models=(
            _model("cox_transition", "primary", "cox", "HR", "Cox model", event="transition"),
            _model(
                "logit_prolonged_12",
                "secondary",
                "logit",
                "OR",
                "Logistic 12",
                outcome="prolonged_12",
            ),
            _model(
                "logit_prolonged_6",
                "sensitivity",
                "logit",
                "OR",
                "Logistic 6",
                outcome="prolonged_6",
            ),
            _model(
                "logit_prolonged_24",
                "sensitivity",
                "logit",
                "OR",
                "Logistic 24",
                outcome="prolonged_24",
            ),
            _model(
                "cox_transition_no_deaths",
                "sensitivity",
                "cox",
                "HR",
                "Cox no deaths",
                event="transition",
                where="end_reason != 'death'",
            ),
            _model(
                "fine_gray_transition",
                "secondary",
                "fine_gray",
                "HR",
                "Fine–Gray model",
                event="transition",
            ),
        ),
        predictions=(
            SimpleNamespace(
                name="cif_fine_gray_transition",
                model="fine_gray_transition",
                vary=("barrier_no_stable_service",),
                step=0.5,
            ),
        ),
    )


def make_validation(cases) -> dict:
    n = len(cases)
    return {
        "tables": {
            "cases": {"rows_read": n + 7, "rows_valid": n, "rows_rejected": 5, "rows_duplicate": 2}
        },
        "rejected_share_cases": 5 / (n + 7),
    }


REPORT_ASSETS = ROOT / "workflow" / "report"


def fixture_config(language: str) -> dict:
    """A configuration with the keys the report reads (the real one is validated elsewhere)."""
    return {
        "run": "fixture",
        "input": {
            "source": "synthetic",
            "synthetic_config": "config/synthetic.yaml",
        },
        "codebook": str(ROOT / "config" / "codebook.yaml"),
        "analysis": {"thresholds": list(THRESHOLDS), "confidence": 0.95, "seed": 7},
        "report": {"languages": [language], "dpi": 300},
        "privacy": {"min_cell": 5},
    }


def report_inputs(b: dict):
    """The report's inputs (build.ReportInputs) of bundle ``b``, as the rules read them."""
    from teichaku.published import load_published
    from teichaku.report import build

    return build.ReportInputs(
        spec=b["spec"],
        thresholds=THRESHOLDS,
        roster=b["roster"],
        cases=b["cases"],
        awareness=b["awareness"],
        analysis=b["analysis"],
        coefficients=b["coefficients"],
        curves=b["curves"],
        numbers=b["numbers"],
        published=load_published(PUBLISHED),
        predicted=b["predicted"],
    )


def report_spec(b: dict):
    """The default config/report.yaml, checked against bundle ``b``'s models."""
    from teichaku.report.spec import load_report_spec

    return load_report_spec(REPORT_SPEC, analysis=b["spec"])


def render_all(out_dir: Path, language: str, seed: int = 3) -> dict:
    """Tables, figures and the summary of the fixture data under out_dir (as the rules do).

    The code version is looked up in out_dir, which is no git repository: the provenance
    then says "unknown", and renders made while others commit stay comparable.
    """
    from teichaku.report import stage

    b = bundle(seed)
    config = fixture_config(language)
    inputs, report = report_inputs(b), report_spec(b)
    out_dir = Path(out_dir)
    settings = stage.settings_from_config(config, language)
    written = {}
    for step, folder in ((stage.run_tables, "tables"), (stage.run_figures, "figures")):
        written[folder] = step(
            inputs=inputs,
            settings=settings,
            codebook=config["codebook"],
            label_file=LABEL_FILE,
            out_dir=out_dir / folder,
            report=report,
        )
    from teichaku.report.provenance import write_provenance

    write_provenance(
        config=config,
        inputs=[PUBLISHED],
        repo_dir=out_dir,
        extra_configs={},
        raw_dir=out_dir / "raw",
        out=out_dir / "summary" / "provenance.txt",
    )
    stage.run_summary(
        inputs=inputs,
        config=config,
        language=language,
        codebook=config["codebook"],
        label_file=LABEL_FILE,
        template_dir=REPORT_ASSETS,
        css=REPORT_ASSETS / "summary.css",
        tables_dir=out_dir / "tables",
        figures_dir=out_dir / "figures",
        report=report,
        provenance_file=out_dir / "summary" / "provenance.txt",
        out_md=out_dir / "summary" / "summary.md",
        out_html=out_dir / "summary" / "summary.html",
        out_pdf=out_dir / "summary" / "summary.pdf",
    )
    from teichaku.report import word, workbook

    workbook.write_from_json(
        [p for p in written["tables"] if p.name.endswith(".json")],
        out_dir / "tables" / "tables.xlsx",
        language=language,
        label_file=LABEL_FILE,
        codebook=config["codebook"],
        confidence=config["analysis"]["confidence"],
    )
    word.write_docx(out_dir / "summary" / "summary.md", out_dir / "summary" / "summary.docx")
    return b


def every_table(b: dict, language: str, min_cell: int = 5) -> list:
    """Every kind of report table of the fixture data, made by its builder in
    teichaku.report.tables (tables 1-3 under one joint protection, as a run makes them)."""
    from teichaku.published import compute_published, load_published
    from teichaku.report import tables as tb
    from teichaku.report.labels import load_labels
    from teichaku.report.protection import model_protection, survey_protection
    from teichaku.report.suppress import Privacy

    labels = load_labels(language, LABEL_FILE, confidence=0.95)
    privacy = Privacy(min_cell)
    published = load_published(PUBLISHED)
    prolonged = "prolonged_12"
    counts = survey_protection(
        b["analysis"], labels.codebook, min_cell, b["analysis"][prolonged], prolonged
    )
    models = model_protection(b["coefficients"], min_cell)
    entries = {
        m.name: {
            "label_ja": m.label_ja,
            "label_en": m.label_en,
            "scale": m.scale,
            "role": m.role,
            **b["numbers"]["models"].get(m.name, {}),
        }
        for m in b["spec"].models
    }
    names = list(entries)
    computed = compute_published(b["roster"], b["cases"], b["awareness"], labels.codebook)
    return [
        tb.basic_attributes_table(
            published, computed, b["roster"], b["cases"], b["awareness"], labels, privacy, counts
        ),
        tb.support_table(b["cases"], labels, privacy, counts),
        tb.barriers_table(b["analysis"], prolonged, 12, labels, privacy, counts),
        tb.models_table(b["coefficients"], entries, labels, privacy, models),
        tb.sensitivity_table(
            "table4b_sensitivity_primary",
            b["coefficients"],
            [names[0], names[4], names[1]],
            entries,
            labels,
            privacy,
            models,
        ),
        tb.awareness_table(published, b["awareness"], labels),
    ]
