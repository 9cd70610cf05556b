"""Ingestion of the raw survey files (FORMAT.md) into clean, validated tables.

Modules: ``values`` (pure cell parsers), ``parsers`` (one per codebook variable),
``readers`` (xlsx/CSV), ``headers`` (header detection), ``clean`` (one table),
``crosscheck`` (rules across columns), ``rules`` (rule names and messages),
``report`` (validation summary), ``survey`` (a whole raw folder).
"""
