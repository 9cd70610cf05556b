"""Analysis stage: the analysis dataset, the models of prolonged involvement declared in
``config/models.yaml`` (Cox, logistic, GEE, mixed, multiple imputation, center level), their
diagnostics, non-parametric curves and the numbers quoted by the summary."""
