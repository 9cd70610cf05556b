"""Comparison of survey rounds (``snakemake compare``, config key ``compare:``).

Pure functions, one idea per module, on what each round's run wrote
(data/processed/<run>/analysis.parquet, results/<run>/numbers.json):

- :mod:`.rounds`: one round's data and the order of the rounds;
- :mod:`.trend`: the headline figures and the four barriers, round by round;
- :mod:`.linkage`: the continuing cases of one round followed into the next through the
  pseudonym (how many ended, how, after how long);
- :mod:`.pooled`: the primary model on the pooled rounds with round interactions (a test of
  difference), each person once, SEs clustered by center;
- :mod:`.figure`: the trend figure; :mod:`.stage`: the rule's step.

Every number written passes the privacy rules of the publication layer
(:mod:`teichaku.report.publish`, :mod:`teichaku.disclosure`).
"""
