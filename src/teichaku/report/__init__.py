"""Figures, tables and the paper-ready summary, built from the pipeline's results.

Submodules are imported on demand (``from teichaku.report import tables``) so that the
Snakefile can read :mod:`teichaku.report.catalog` without loading matplotlib.
"""
