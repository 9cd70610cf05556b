"""Simulation study and power analysis: many synthetic surveys drawn in memory from the
synthetic survey's data-generating model, each fitted with the analysis stage's models, to
measure bias, SE calibration, interval coverage and power per scenario (config/simulation.yaml).
"""
