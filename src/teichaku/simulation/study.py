"""The simulation study as declared in ``config/simulation.yaml``: scenarios, replicates, seed,
and how the replicates of each scenario are cut into chunks (one Snakemake job each).

Every replicate draws from its own random stream, derived from the study seed, the scenario's
name and the replicate's number only. The results therefore do not depend on the chunk size,
on the order of the scenarios or on where a chunk runs (locally or on a SLURM node).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CHUNK_WIDTH = 4  # chunk wildcards are zero-padded ("0000") so files sort in replicate order


@dataclass(frozen=True)
class Scenario:
    """One data-generating design: the synthetic survey's design with some values overridden."""

    name: str
    series: str  # the line of the power figure (same design apart from the number of cases)
    design: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    """Replicates ``first`` (inclusive) to ``stop`` (exclusive) of one scenario."""

    scenario: str
    index: int
    first: int
    stop: int

    @property
    def wildcard(self) -> str:
        return f"{self.index:0{CHUNK_WIDTH}d}"

    @property
    def replicates(self) -> range:
        return range(self.first, self.stop)


@dataclass(frozen=True)
class Study:
    seed: int
    replicates: int
    chunk_size: int
    alpha: float
    level: float
    models: tuple[str, ...]
    scenarios: tuple[Scenario, ...]
    population_factor: int = 50  # cases and centers of the pseudo-truth population, x design

    def scenario(self, name: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.name == name:
                return scenario
        raise KeyError(f"no scenario named {name!r} in the simulation study")

    def chunks(self, scenario: str | None = None) -> list[Chunk]:
        """All chunks of the study (or of one scenario), in scenario then replicate order."""
        names = [s.name for s in self.scenarios] if scenario is None else [scenario]
        return [
            Chunk(name, index, first, min(first + self.chunk_size, self.replicates))
            for name in names
            for index, first in enumerate(range(0, self.replicates, self.chunk_size))
        ]

    def chunk(self, scenario: str, wildcard: str) -> Chunk:
        index = int(wildcard)
        chunks = self.chunks(scenario)
        if not 0 <= index < len(chunks) or chunks[index].wildcard != wildcard:
            raise KeyError(f"no chunk {wildcard!r} in scenario {scenario!r}")
        return chunks[index]


def study_from_config(raw: Mapping[str, Any]) -> Study:
    """Build the study from the validated YAML (defaults filled in by the schema)."""
    names = [s["name"] for s in raw["scenarios"]]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"scenario names must be unique; repeated: {', '.join(duplicated)}")
    scenarios = tuple(
        Scenario(name=s["name"], series=s["series"], design=dict(s.get("design", {})))
        for s in raw["scenarios"]
    )
    return Study(
        seed=int(raw["seed"]),
        replicates=int(raw["replicates"]),
        chunk_size=int(raw["chunk_size"]),
        alpha=float(raw["alpha"]),
        level=float(raw["level"]),
        models=tuple(raw["models"]),
        scenarios=scenarios,
        population_factor=int(raw.get("population_factor", 50)),
    )


def override_replicates(raw: Mapping[str, Any], replicates: int | str | None) -> dict:
    """The study with another number of replicates per scenario (None keeps its own; the
    command line gives the number as text)."""
    out = dict(raw)
    if replicates is not None:
        out["replicates"] = int(replicates)
    return out


def _name_key(name: str) -> int:
    """A stable integer for a scenario name (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")


def replicate_rng(seed: int, scenario: str, replicate: int) -> np.random.Generator:
    """The random generator of one replicate: a child stream of the study seed."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(_name_key(scenario), replicate))
    return np.random.Generator(np.random.PCG64(sequence))
