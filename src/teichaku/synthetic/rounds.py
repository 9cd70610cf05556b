"""Which synthetic round follows which: read when the workflow starts (every rerun, a no-op
included), so this module imports nothing heavy; the later round's generator is
teichaku.synthetic.later_round."""

from __future__ import annotations

from pathlib import Path

from teichaku import yamlio


def follows(parameters: str | Path) -> Path | None:
    """The earlier round's parameters a synthetic config follows (None: a first round)."""

    with open(parameters, encoding="utf-8") as fh:
        spec = yamlio.safe_load(fh) or {}
    return Path(parameters).parent / spec["follows"] if "follows" in spec else None


def earlier_run(runs: dict[str, dict], name: str) -> str:
    """The run whose synthetic survey the synthetic run ``name`` follows: the declared run
    generated from the parameters its round config names in ``follows``."""
    wanted = follows(runs[name]["input"]["synthetic_config"]).resolve()
    for other, config in runs.items():
        source = config["input"]
        if source["source"] == "synthetic" and Path(source["synthetic_config"]).resolve() == wanted:
            return other
    raise ValueError(
        f"run {name} follows {wanted}, but no declared run is generated from it: "
        "declare that run too (config key runs:)"
    )
