"""The Japanese font of summary.html, embedded: IPAexGothic (the font the PDF and the figures
embed, shipped in matplotlib-fontja) cut down to the characters the document shows, as a
WOFF data URI in an ``@font-face`` rule. The HTML then looks the same on every machine,
with or without Japanese fonts, and still needs no other file.

The subset is reproducible: fontTools keeps the font's own timestamps (no "modified now")
and zlib compresses deterministically, so the same text gives the same bytes. WOFF rather
than WOFF2: a third larger, but written four times faster (Brotli at its best setting).
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
from pathlib import Path

from teichaku.report.fonts import FONT_FAMILY, fixed_source_date, font_path

#: Always in the subset, whatever the text: printable ASCII (digits, Latin letters, signs).
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))


def visible_characters(document_html: str) -> str:
    """Every character a reader may see in an HTML fragment: its text without tags, style
    sheets or attribute values (data URIs), entities resolved, plus :data:`ALWAYS`."""
    text = re.sub(r"<style>.*?</style>", "", document_html, flags=re.S)
    alts = re.findall(r'alt="([^"]*)"', text)  # shown when an image cannot be
    text = re.sub(r"<[^>]*>", "", text)
    chars = set(html.unescape(text + "".join(alts))) | set(ALWAYS)
    return "".join(sorted(c for c in chars if c.isprintable() or c == "\u3000"))


def subset_woff(characters: str, font_file: str | Path | None = None) -> bytes:
    """IPAexGothic reduced to ``characters`` (and what their shaping needs), as WOFF."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = ["*"]  # the font's names and its licence (IPA Font License) kept
    options.notdef_outline = True
    with fixed_source_date():
        font = TTFont(str(font_file or font_path()), recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        out = io.BytesIO()
        font.flavor = "woff"
        font.save(out, reorderTables=False)
    return out.getvalue()


def font_face_css(document_html: str, font_file: str | Path | None = None) -> str:
    """The ``@font-face`` rule embedding the subset for ``document_html``'s characters."""
    data = base64.b64encode(subset_woff(visible_characters(document_html), font_file))
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; '
        f'src: url("data:font/woff;base64,{data.decode("ascii")}") format("woff"); }}\n'
    )
