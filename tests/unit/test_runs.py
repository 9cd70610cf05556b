"""One folder per run: the paths of a run, the runs one invocation declares, and the refusal
to write into a folder holding another input's outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from snakemake.utils import validate

from teichaku import paths, runs
from teichaku.entry import load_config

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = str(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def _validate(config: dict) -> None:
    validate(config, SCHEMA)


def _config(**override) -> dict:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text("utf-8"))
    config.update(override)
    _validate(config)
    return config


def test_every_per_run_path_lies_in_a_folder_of_its_run_and_none_is_shared():
    """Two runs' paths never coincide, and each lies below a folder named after its run."""
    names = ("synthetic-2021", "2022")
    filled = {name: [] for name in names}
    for name in names:
        run = paths.of(name, lang="ja")
        for key in paths.PER_RUN:
            value = getattr(run, key)
            filled[name] += list(value.values()) if isinstance(value, dict) else [value]
        filled[name] += [run.log("ingest"), run.benchmark("ingest")]
    for name in names:
        for path in filled[name]:
            assert f"/{name}" in path, path
            assert "{run}" not in path and "{lang}" not in path, path
    assert not set(filled["synthetic-2021"]) & set(filled["2022"])


def test_the_paths_of_a_run_fill_its_name_and_language_and_keep_the_other_fields():
    run = paths.of("2022", lang="en")
    assert run.PROCESSED["cases"] == "data/processed/2022/cases.parquet"
    assert run.NUMBERS == "results/2022/numbers.json"
    assert run.SUMMARY == "results/2022/summary/summary.en.{ext}"
    assert paths.fill(run.SUMMARY, ext="pdf") == "results/2022/summary/summary.en.pdf"
    assert run.TABLES_DIR == "results/2022/tables/en"
    assert run.log("ingest") == "logs/2022/ingest.log"
    assert paths.of("2022").FIGURES_DIR == "results/2022/figures/{lang}"
    # the simulation study is not a run: the module's own paths
    assert run.SIMULATION_SECTION == paths.SIMULATION_SECTION == "results/simulation/summary.md"
    with pytest.raises(AttributeError):
        run.NO_SUCH_PATH  # noqa: B018


def test_patterns_carry_the_run_wildcard_and_the_report_the_language_wildcard():
    for key in paths.PER_RUN:
        value = getattr(paths, key)
        for pattern in value.values() if isinstance(value, dict) else [value]:
            assert "{run}" in pattern, key
    for key in ("TABLES_DIR", "FIGURES_DIR", "SUMMARY"):
        assert "{lang}" in getattr(paths, key)


def test_the_default_run_has_a_name_of_its_own(monkeypatch):
    monkeypatch.chdir(ROOT)
    config = load_config()
    assert config["run"] == "synthetic-2021"
    assert paths.raw_dir(config) == Path("data/raw/synthetic-2021")
    assert config["report"]["languages"] == ["ja"]
    assert config["compare"] == ["synthetic-2021", "synthetic-2022"]
    assert config["runs"] == {"synthetic-2022": "config/runs/synthetic-2022.yaml"}
    assert config["overwrite"] is False


def test_a_run_name_must_be_a_plain_folder_name():
    for bad in ("../results", "a/b", "", " 2022"):
        with pytest.raises(Exception, match="run"):
            _config(run=bad)


def test_declared_runs_lay_each_file_over_the_main_configuration(tmp_path):
    overlay = tmp_path / "round-2022.yaml"
    overlay.write_text(
        yaml.safe_dump({"input": {"source": "files", "raw_dir": "data/raw/2022"}}), "utf-8"
    )
    config = _config(runs={"2022": str(overlay)}, compare=["synthetic-2021", "2022"])
    declared = runs.declared_runs(config, _validate)
    assert list(declared) == ["synthetic-2021", "2022"]
    assert declared["2022"]["run"] == "2022"
    assert declared["2022"]["input"]["raw_dir"] == "data/raw/2022"
    assert declared["2022"]["analysis"] == declared["synthetic-2021"]["analysis"]
    # the invocation's own keys are no run's configuration (a run's summary hashes its own)
    assert all(not set(c) & set(runs.INVOCATION_KEYS) for c in declared.values())


@pytest.mark.parametrize(
    ("declared", "layer", "message"),
    [
        ({"synthetic-2021": "x.yaml"}, None, "is the main run"),
        ({"2022": "missing.yaml"}, None, "not found"),
        ({"2022": "layer.yaml"}, {"run": "2023"}, "names another run"),
        ({"2022": "layer.yaml"}, {"compare": ["a"]}, "may not set compare"),
    ],
)
def test_unusable_declared_runs_are_named(tmp_path, declared, layer, message):
    if layer is not None:
        (tmp_path / "layer.yaml").write_text(yaml.safe_dump(layer), "utf-8")
    config = _config(runs=declared)
    with pytest.raises(runs.RunConfigError, match=message):
        runs.declared_runs(config, _validate, base=tmp_path)


def test_a_compared_run_must_be_declared():
    with pytest.raises(runs.RunConfigError, match="compare: 2022 is not a run"):
        runs.declared_runs(_config(compare=["synthetic-2021", "2022"]), _validate)


def test_a_declared_run_is_validated_like_the_main_one(tmp_path):
    (tmp_path / "layer.yaml").write_text(yaml.safe_dump({"input": {"source": "files"}}), "utf-8")
    config = _config(runs={"2022": "layer.yaml"})
    with pytest.raises(Exception, match="raw_dir"):
        runs.declared_runs(config, _validate, base=tmp_path)


def _record(tmp_path: Path, config: dict, digest="abc") -> Path:
    path = tmp_path / paths.fill(paths.RUN_INPUT, run=config["run"])
    runs.write_input_record(runs.input_record(config), path, digest)
    return path


def test_a_folder_without_a_record_or_with_this_inputs_record_lets_the_run_start(tmp_path):
    config = _config()
    assert runs.foreign_input(config, tmp_path) is None
    recorded = json.loads(_record(tmp_path, config).read_text("utf-8"))
    assert recorded == {
        "run": "synthetic-2021",
        "source": "synthetic",
        "raw_dir": "data/raw/synthetic-2021",
        "synthetic_config": "config/synthetic.yaml",
        "raw_digest": "abc",
    }
    assert runs.foreign_input(config, tmp_path) is None


def test_new_content_of_the_same_raw_folder_is_an_update_not_another_input(tmp_path):
    real = _config(input={"source": "files", "raw_dir": "data/raw/2022", "synthetic_config": "x"})
    _record(tmp_path, real, digest="before the correction")
    assert runs.foreign_input(real, tmp_path) is None


def test_a_folder_holding_another_inputs_outputs_is_refused_naming_both_and_the_way_out(tmp_path):
    synthetic = _config()
    _record(tmp_path, synthetic)
    real = _config(input={"source": "files", "raw_dir": "data/raw/2021", "synthetic_config": "x"})
    message = runs.foreign_input(real, tmp_path)
    assert message is not None
    assert "source synthetic" in message and "synthetic_config config/synthetic.yaml" in message
    assert "source files" in message and "raw_dir data/raw/2021" in message
    assert "--config overwrite=true" in message and "run:" in message
    assert re.search(r"[぀-ヿ]", message)  # and in Japanese
    other_synthetic = _config(input={"source": "synthetic", "synthetic_config": "other.yaml"})
    assert "other.yaml" in runs.foreign_input(other_synthetic, tmp_path)
