"""`snakemake compare` on a small survey: the synthetic 2021 round, its 2022 round and their
comparison, end to end.

- the linked counts of the comparison (results/compare/linkage.csv) equal the generator's
  truth (data/raw/synthetic-2022/truth.json, "linkage") exactly, where shown; what is hidden
  is hidden by the privacy rules;
- the 2021 run's files are byte-identical whether or not the 2022 round ran beside it;
- the default target builds the 2021 round only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.integration.conftest import ROOT, run_snakemake, write_small_config

pytestmark = pytest.mark.slow
SCALE = 0.2
MIN_CELL = 5


def write_compare_config(workdir: Path) -> None:
    """The small run's config with the 2022 synthetic round declared and compared, as
    config/config.yaml declares it for the default survey."""
    write_small_config(workdir, scale=SCALE)
    config = yaml.safe_load((workdir / "config.yaml").read_text(encoding="utf-8"))
    overlay = yaml.safe_load((ROOT / "config/runs/synthetic-2022.yaml").read_text(encoding="utf-8"))
    overlay["input"]["synthetic_config"] = "synthetic-2022.yaml"
    round_cfg = yaml.safe_load((ROOT / "config/synthetic-2022.yaml").read_text(encoding="utf-8"))
    assert round_cfg["follows"] == "synthetic.yaml"  # the small survey beside it
    config["runs"] = {"synthetic-2022": "synthetic-2022-run.yaml"}
    config["compare"] = ["synthetic-2021", "synthetic-2022"]
    for name, data in (
        ("config.yaml", config),
        ("synthetic-2022-run.yaml", overlay),
        ("synthetic-2022.yaml", round_cfg),
    ):
        (workdir / name).write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def only_2021(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("only_2021")
    write_compare_config(workdir)
    run_snakemake(workdir)
    return workdir


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("compared")
    write_compare_config(workdir)
    run_snakemake(workdir, "compare")
    return workdir


def test_the_default_target_builds_the_2021_round_only(only_2021):
    assert (only_2021 / "results/synthetic-2021/numbers.json").is_file()
    assert not (only_2021 / "data/raw/synthetic-2022").exists()
    assert not (only_2021 / "results/synthetic-2022").exists()
    assert not (only_2021 / "results/compare").exists()


def test_the_2021_results_are_byte_identical_whether_or_not_2022_ran(only_2021, compared):
    for folder in (
        "results/synthetic-2021",
        "data/processed/synthetic-2021",
        "data/raw/synthetic-2021",
    ):
        alone, beside = digests(only_2021 / folder), digests(compared / folder)
        assert alone and alone == beside, folder


def test_the_linked_counts_equal_the_generators_truth(compared):
    truth = json.loads((compared / "data/raw/synthetic-2022/truth.json").read_text())["linkage"]
    table = pd.read_csv(compared / "results/compare/linkage.csv", dtype={"n": str})
    rows = {
        (r.status, None if pd.isna(r.end_reason) else r.end_reason): r for r in table.itertuples()
    }
    expected = {
        ("continuing", None): truth["continuing_at_earlier_round"],
        ("found", None): truth["continuing_at_earlier_round"],
        ("not_found", None): 0,
        ("ended", None): truth["ended"],
        ("still_continuing", None): truth["still_continuing"],
    }
    reasons = table.loc[table["status"] == "ended", "end_reason"].dropna()
    expected |= {("ended", r): truth["ended_by_reason"].get(r, 0) for r in reasons}
    assert set(rows) == set(expected)
    shown = {k: int(r.n) for k, r in rows.items() if not r.n.startswith("<")}
    assert shown == {k: v for k, v in expected.items() if k in shown}
    small = {k for k, v in expected.items() if 0 < v < MIN_CELL}
    assert not small & set(shown)  # every small count is hidden
    assert shown[("continuing", None)] > 0 and shown[("ended", None)] > 0
    ended = rows[("ended", None)]
    assert float(ended.median_followup_months) == pytest.approx(
        truth["followup_months_of_ended"]["median"], rel=1e-7
    )
    assert float(ended.median_months_since_earlier_round) == pytest.approx(
        truth["months_since_earlier_reference_of_ended"]["median"], rel=1e-7
    )
    for (status, reason), row in rows.items():
        if reason and (status, reason) in shown and shown[(status, reason)] >= MIN_CELL:
            by = truth["by_reason"][reason]["followup_months"]["median"]
            assert float(row.median_followup_months) == pytest.approx(by, rel=1e-7)


def test_the_comparison_has_every_output_and_no_case_level_data(compared):
    folder = compared / "results/compare"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {
        "trend.csv",
        "difference.csv",
        "difference_test.json",
        "linkage.csv",
        "comparison.ja.md",
        "figures/ja/trend.png",
        "figures/ja/trend.pdf",
    }
    cases = pd.read_parquet(compared / "data/processed/synthetic-2022/cases.parquet")
    text = "".join(p.read_text(errors="ignore") for p in folder.glob("*.*") if p.suffix != ".png")
    assert not any(case_id in text for case_id in cases["case_id"])
    test = json.loads((folder / "difference_test.json").read_text())
    assert test["rounds"] == ["synthetic-2021", "synthetic-2022"] and test["status"] == "ok"
    trend = pd.read_csv(folder / "trend.csv").set_index(["section", "item"])
    assert list(trend.columns) == ["synthetic-2021", "synthetic-2022"]
