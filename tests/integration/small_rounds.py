"""Small survey rounds as a new user would run them: a few centers' real-looking files
(input.source: files) or the synthetic survey at a small scale, each in its own scratch
folder run through `snakemake --directory`.

A files round is cut from the synthetic survey: the roster and awareness files, and the case
files of the first centers (in center order) whose valid cases add up to the wanted number,
renamed the way offices name files (a case number and a personal name in the name, an HTML
tag and a line break) so that the publication of file names is put to the test.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

from .conftest import ROOT, SNAKEMAKE, _absolutize, write_small_config

#: File names of the kind real offices send (case number, personal name, markup, newline).
HOSTILE_NAMES = (
    "{center}_対象者001_(氏名)_再提出",
    '<img src=x onerror="alert(1)">_{center}',
    "{center}_2021\n<b onmouseover=alert(3)>x",
)
#: A model label with markup, written into the round's own copy of config/models.yaml.
HOSTILE_LABEL = "<img src=x onerror=alert(2)>"


def _generate(raw: Path, scale: float, seed: int) -> dict[str, int]:
    """The synthetic survey at ``scale`` without its deliberate defect rows into ``raw``;
    returns the valid cases per center."""
    from teichaku.codebook import load_codebook
    from teichaku.published import load_published
    from teichaku.synthetic import generate_survey, load_synthetic_config
    from teichaku.synthetic.raw_writer import write_survey

    cfg = load_synthetic_config(ROOT / "config" / "synthetic.yaml")
    cfg["scale"], cfg["seed"] = scale, seed
    cfg["defects"] = {k: 0 for k in cfg["defects"]}
    codebook = load_codebook(str(ROOT / "config" / "codebook.yaml"))
    survey = generate_survey(cfg, load_published(ROOT / "config" / "published-2021.yaml"), codebook)
    write_survey(survey, cfg, raw, codebook)
    return survey.cases.groupby("center_id").size().to_dict()


def _choose_centers(sizes: dict[str, int], n_cases: int, n_centers: int) -> tuple[str, ...]:
    """The first n_centers centers (in center order) whose cases add up to n_cases, else
    the combination closest to it."""
    centers = sorted(sizes)
    best = None
    for combo in itertools.combinations(centers, n_centers):
        gap = abs(sum(sizes[c] for c in combo) - n_cases)
        if best is None or gap < best[0]:
            best = (gap, combo)
        if gap == 0:
            break
    return best[1]


def write_files_round(
    workdir: Path, *, n_cases: int, n_centers: int, seed: int = 20211021, scale: float = 0.2
) -> dict:
    """A round of real-looking files (input.source: files) in workdir; returns what it holds:
    centers, n_cases (valid rows) and the raw file names."""
    generated = workdir / "generated"
    sizes = _generate(generated, scale, seed)
    chosen = _choose_centers(sizes, n_cases, n_centers)
    raw = workdir / "data" / "raw" / "round"
    (raw / "cases").mkdir(parents=True)
    for name in ("roster.xlsx", "awareness.xlsx"):
        shutil.copy(generated / name, raw / name)
    names = []
    for i, center in enumerate(chosen):
        (source,) = [
            p for p in (generated / "cases").iterdir() if re.search(f"_{center}\\.", p.name)
        ]
        target = HOSTILE_NAMES[i % len(HOSTILE_NAMES)].format(center=center) + source.suffix
        shutil.copy(source, raw / "cases" / target)
        names.append(target)
    shutil.rmtree(generated)
    with open(ROOT / "config" / "config.yaml", encoding="utf-8") as fh:
        config = _absolutize(yaml.safe_load(fh))
    config.update(runs={}, compare=[])  # this round alone
    config["input"].update(source="files", raw_dir="data/raw/round")
    with open(ROOT / "config" / "models.yaml", encoding="utf-8") as fh:
        models = yaml.safe_load(fh)
    first = models["models"][0]
    first["label_en"] = f"{first['label_en']} {HOSTILE_LABEL}"
    first["label_ja"] = f"{first['label_ja']} {HOSTILE_LABEL}"
    (workdir / "models.yaml").write_text(
        yaml.safe_dump(models, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    config["analysis"]["models"] = "models.yaml"
    (workdir / "config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return {
        "centers": chosen,
        "n_cases": sum(sizes[c] for c in chosen),
        "file_names": names,
    }


def write_synthetic_round(workdir: Path, scale: float) -> None:
    """The synthetic survey at ``scale`` (every center, its deliberate defects included:
    at a small scale their fixed number is a larger share of the rows, so the gate is
    raised to let the run through)."""
    path = write_small_config(workdir, scale)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["validation"]["max_rejected_share"] = 0.5
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def run(workdir: Path, salt: str | None = None, *args: str) -> subprocess.CompletedProcess:
    """snakemake on workdir's config with two cores; ``salt`` is TEICHAKU_SALT (unset: the
    key file). Raises with the end of stderr when the run fails."""
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        "2",
        *args,
    ]
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    env.pop("TEICHAKU_SALT", None)
    if salt is not None:
        env["TEICHAKU_SALT"] = salt
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stderr[-6000:]}")
    return proc
