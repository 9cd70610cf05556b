"""The feedback loop with the centers: the problems of each center's files as the workflow's
validation finds them, one workbook per center (a list of problems and an annotated copy of
its own sheets), summaries per center and per file for the coordinator, and the merge of the
centers' awareness sheets. Everything written here holds case references: it goes under
``data/``, never under ``results/``."""
