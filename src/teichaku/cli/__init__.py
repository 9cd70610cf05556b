"""The ``teichaku`` command line (``python -m teichaku`` too): check a center's files,
write the feedback workbooks, merge the awareness sheets. See :mod:`teichaku.cli.app`."""

from teichaku.cli.app import main

__all__ = ["main"]
