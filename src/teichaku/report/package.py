"""Byte-identical Office files (tables.xlsx, summary.docx): an Office file is a zip of XML
parts, and both openpyxl and python-docx stamp it with the time of writing (each zip entry's
date, and the document's created/modified properties). :func:`deterministic_zip` rewrites
the package with one fixed date everywhere, so the same tables give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile

#: The date of every zip entry and of the created/modified properties (no run-time stamp).
FIXED_DATE = (2000, 1, 1, 0, 0, 0)
FIXED_W3CDTF = "2000-01-01T00:00:00Z"

_CORE_DATES = re.compile(
    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:(created|modified)>)"
)


def _fixed_core(xml: bytes) -> bytes:
    return _CORE_DATES.sub(lambda m: m.group(1) + FIXED_W3CDTF.encode() + m.group(3), xml)


def deterministic_zip(data: bytes) -> bytes:
    """The package ``data`` with its entries in their order, each dated FIXED_DATE and
    deflated, and the created/modified dates of docProps/core.xml set to FIXED_W3CDTF."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core(content)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            target.writestr(entry, content, compresslevel=6)
    return out.getvalue()
