"""The fast YAML reader gives what yaml.safe_load gives, on every file the workflow reads."""

from pathlib import Path

import pytest
import yaml

from teichaku import yamlio

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*(ROOT / "config").rglob("*.yaml"), *(ROOT / "workflow").rglob("*.yaml")], key=str)


def test_libyaml_is_used_when_pyyaml_has_it():
    assert yamlio.SafeLoader is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_configuration_file_reads_the_same(path):
    text = path.read_text(encoding="utf-8")
    assert yamlio.safe_load(text) == yaml.safe_load(text)
    with open(path, encoding="utf-8") as fh:
        assert yamlio.safe_load(fh) == yaml.safe_load(text)
