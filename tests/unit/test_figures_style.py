"""The shared figure style: the Japanese font is used, a missing glyph is detectable (so the
render tests that turn warnings into errors do catch one), files are reproducible."""

import hashlib
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pytest

from teichaku.report import style


def _render(tmp_path, text, name):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title(text)
    return style.save_figure(fig, tmp_path / name, dpi=100)


def test_style_uses_ipaexgothic_from_matplotlib_fontja_and_okabe_ito():
    style.apply_style()
    assert matplotlib.rcParams["font.family"] == [style.FONT_FAMILY] == ["IPAexGothic"]
    assert style.font_path().name == "ipaexg.ttf" and style.font_path().exists()
    assert matplotlib.get_backend().lower() == "agg"
    assert len(set(style.OKABE_ITO)) == len(style.OKABE_ITO) == 7


@pytest.mark.slow
def test_japanese_renders_without_warnings_and_a_missing_glyph_is_caught(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _render(tmp_path, "フォローアップ実態調査 −0.5 ・ 令和", "ok")
        with pytest.raises(UserWarning, match="missing from font"):
            _render(tmp_path, "\U0001f642", "emoji")  # not in IPAexGothic


@pytest.mark.slow
def test_same_figure_same_bytes(tmp_path):
    digests = []
    for name in ("a", "b"):
        paths = _render(tmp_path, "再現性", name)
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]


def _strings(tree, keys=None, take=True):
    """Every string of a parsed YAML tree; with ``keys``, only those under one of the keys."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _strings(value, keys, keys is None or key in keys)
    elif isinstance(tree, list):
        for value in tree:
            yield from _strings(value, keys, take)
    elif isinstance(tree, str) and take:
        yield tree


def test_every_report_word_has_a_glyph_in_the_embedded_font(root):
    """Labels (labels.yaml, codebook) and the summary templates only use characters of
    IPAexGothic, so neither figures nor the PDF fall back to a machine-dependent font."""
    import yaml
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(style.font_path())).getBestCmap()

    def load(path):
        return yaml.safe_load((root / path).read_text(encoding="utf-8"))

    texts = list(_strings(load("workflow/report/labels.yaml")))
    # Of the codebook only the labels are shown (raw spellings such as ✔ are never drawn).
    texts += list(_strings(load("config/codebook.yaml"), {"label_ja", "label_en", "ja", "en"}))
    for lang in ("ja", "en"):
        texts.append(
            (root / "workflow" / "report" / f"summary.{lang}.md.j2").read_text(encoding="utf-8")
        )
    missing = sorted({c for t in texts for c in t if ord(c) > 31 and ord(c) not in cmap})
    assert missing == []
