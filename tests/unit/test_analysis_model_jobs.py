"""One job per model: each rule's part of config/models.yaml (what its params hold), and the
gathered coefficients.csv, diagnostics.csv, reliability.csv and fit summaries equal to those
of all models fitted and published together."""

import copy
import filecmp

import pandas as pd
import pytest

from teichaku import paths
from teichaku.analysis import parts, stage
from teichaku.analysis.dataset import build_analysis_dataset
from teichaku.analysis.run import run_models
from teichaku.analysis.specs import (
    Settings,
    parse_analysis_spec,
    prolonged_outcome,
    read_spec_file,
)
from teichaku.codebook import load_codebook
from teichaku.report import publish
from tests.unit.analysis_cases import make_tables


@pytest.fixture(scope="module")
def raw(root):
    return read_spec_file(root / "config" / "models.yaml")


@pytest.fixture(scope="module")
def thresholds(default_config):
    return default_config["analysis"]["thresholds"]


def _edited(raw: dict, name: str, **changes) -> dict:
    """The specification with the entry ``name`` of models: changed (not expanded)."""
    out = copy.deepcopy(raw)
    [entry] = [m for m in out["models"] if m["name"] == name]
    entry.update(changes)
    return out


def test_each_model_part_parses_to_the_model_of_the_whole_specification(raw, thresholds):
    codebook = load_codebook()
    whole = parse_analysis_spec(raw, thresholds, codebook)
    names = parts.model_names(raw, thresholds)
    assert names == [m.name for m in whole.models]
    assert "logit_threshold_6" in names and "logit_threshold_{k}" not in names
    for name in names:
        part = parse_analysis_spec(parts.model_spec(raw, thresholds, name), [], codebook)
        assert part.models == (whole.model(name),)
        assert (part.scaled, part.term_labels) == (whole.scaled, whole.term_labels)
    assert parts.model_data(raw, thresholds, "centers_reasons_prolonged_12") == "centers"
    assert parts.model_data(raw, thresholds, "cox_transition") == "cases"


def test_the_parts_of_other_rules_hold_no_model_they_do_not_read(raw, thresholds):
    for part in (parts.dataset_spec(raw, thresholds), parts.curves_spec(raw, thresholds)):
        assert "models" not in part and "predictions" not in part
    assert parts.curves_spec(raw, thresholds)["curves"] == raw["curves"]
    predicted = parts.predictions_spec(raw, thresholds)
    assert [m["name"] for m in predicted["models"]] == parts.predicted_models(raw)
    assert parts.predicted_models(raw) == ["fine_gray_transition"]
    assert "models" not in parts.model_settings({"models": "config/models.yaml", "seed": 1})


def test_editing_one_model_changes_only_its_part_and_numbers(raw, thresholds):
    """What Snakemake compares (params): an edited model entry changes that model's part and
    the numbers' part, not the others' nor the dataset's, the curves' or the predictions'."""
    edited = _edited(raw, "cox_transition_no_deaths", where="end_reason != 'lost'")
    names = parts.model_names(raw, thresholds)
    changed = [
        n
        for n in names
        if parts.model_spec(raw, thresholds, n) != parts.model_spec(edited, thresholds, n)
    ]
    assert changed == ["cox_transition_no_deaths"]
    for part in (parts.dataset_spec, parts.curves_spec, parts.predictions_spec):
        assert part(raw, thresholds) == part(edited, thresholds)
    assert parts.numbers_spec(raw, thresholds) != parts.numbers_spec(edited, thresholds)
    # an each_threshold entry is four models: each of them changes
    relabelled = _edited(raw, "logit_threshold_{k}", label_en="Threshold {k} (edited)")
    changed = [
        n
        for n in names
        if parts.model_spec(raw, thresholds, n) != parts.model_spec(relabelled, thresholds, n)
    ]
    assert changed == [f"logit_threshold_{k}" for k in thresholds]


def test_the_prolonged_status_of_tables_1_3_follows_the_first_secondary_logit(raw, thresholds):
    codebook = load_codebook()
    assert prolonged_outcome(parse_analysis_spec(raw, thresholds, codebook)) == "prolonged_12"
    moved = _edited(raw, "logit_prolonged_12", outcome="prolonged_18")
    assert prolonged_outcome(parse_analysis_spec(moved, thresholds, codebook)) == "prolonged_18"


@pytest.mark.slow
@pytest.mark.parametrize("n, n_centers", [(800, 16), (40, 4)])
def test_gathered_pieces_equal_all_models_published_together(
    tmp_path, root, raw, default_config, n, n_centers
):
    """The files of one job per model and the gather, byte for byte, against fitting every
    model in one process and publishing them together; also on a survey so small that
    models are not reported and counts are suppressed (markers in the count columns)."""
    analysis_config = copy.deepcopy(default_config["analysis"])
    analysis_config["mice"] = {"imputations": 3, "burn_in": 2}
    thresholds = analysis_config["thresholds"]
    min_cell = default_config["privacy"]["min_cell"]
    codebook_path = str(root / "config" / "codebook.yaml")
    codebook = load_codebook(codebook_path)
    spec = parse_analysis_spec(raw, thresholds, codebook)
    roster, cases, awareness = make_tables(n=n, n_centers=n_centers, seed=5)
    data = build_analysis_dataset(cases, roster, spec, thresholds, codebook)
    data.to_parquet(tmp_path / "analysis.parquet")
    awareness.to_parquet(tmp_path / "awareness.parquet")
    run = paths.of("test")
    names = parts.model_names(raw, thresholds)
    piece = {
        name: {
            key: str(tmp_path / paths.fill(getattr(run, pattern), model=name))
            for key, pattern in stage.MODEL_PIECES.items()
        }
        for name in names
    }
    for name in names:
        centers = parts.model_data(raw, thresholds, name) == "centers"
        stage.write_model(
            model=name,
            analysis=str(tmp_path / "analysis.parquet"),
            awareness=str(tmp_path / "awareness.parquet") if centers else None,
            spec=parts.model_spec(raw, thresholds, name),
            analysis_config=parts.model_settings(analysis_config),
            codebook_path=codebook_path,
            min_cell=min_cell,
            **piece[name],
        )
    gathered = {key: tmp_path / f"{key}.csv" for key in ("coef", "diag", "rel")}
    stage.gather_models(
        models=names,
        coefficient_pieces=[piece[m]["coefficients"] for m in names],
        diagnostic_pieces=[piece[m]["diagnostics"] for m in names],
        rules=analysis_config["reliability"],
        min_cell=min_cell,
        coefficients=str(gathered["coef"]),
        diagnostics=str(gathered["diag"]),
        reliability=str(gathered["rel"]),
    )

    # all models in one process, published together
    coef, diag, texts = run_models(
        data, awareness, spec, Settings.from_config(analysis_config), codebook
    )
    assessment, shown_coef, shown_diag, privacy = stage._published(
        names, coef, diag, analysis_config["reliability"], min_cell
    )
    together = {"coef": shown_coef, "diag": shown_diag, "rel": assessment}
    for key, frame in together.items():
        stage._write_csv(frame, tmp_path / f"{key}.together.csv")
        assert filecmp.cmp(gathered[key], tmp_path / f"{key}.together.csv", shallow=False), key
    rows = assessment.set_index("model").to_dict("index")
    for name in names:
        text = publish.publish_fit_text(
            texts[name],
            shown_coef[shown_coef["model"] == name],
            publish.diagnostic_lines(shown_diag[shown_diag["model"] == name]),
            {"model": name, **rows[name]},
            privacy,
        )
        with open(piece[name]["fit"], encoding="utf-8") as fh:
            assert fh.read() == text, name
        one = pd.read_csv(piece[name]["reliability"], keep_default_na=False)
        assert one.to_dict("records") == [{"model": name, **rows[name]}]
    if n < 100:  # the small survey: what the comparison is there for did happen
        assert (assessment["status"] == "not_reported").any()
        counts = pd.read_csv(gathered["coef"], dtype=str, keep_default_na=False)
        assert counts["n_events"].str.startswith("<").any()
    assert list(rows) == names
