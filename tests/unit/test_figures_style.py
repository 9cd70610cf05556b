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


def test_japanese_renders_without_warnings_and_a_missing_glyph_is_caught(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _render(tmp_path, "フォローアップ実態調査 −0.5 ・ 令和", "ok")
        with pytest.raises(UserWarning, match="missing from font"):
            _render(tmp_path, "\U0001F642", "emoji")   # not in IPAexGothic


def test_same_figure_same_bytes(tmp_path):
    digests = []
    for name in ("a", "b"):
        paths = _render(tmp_path, "再現性", name)
        digests.append([hashlib.sha256(p.read_bytes()).hexdigest() for p in paths])
    assert digests[0] == digests[1]
