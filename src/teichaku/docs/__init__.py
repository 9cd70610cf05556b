"""Documents generated from the codebook alone: the data dictionary and the entry template."""
