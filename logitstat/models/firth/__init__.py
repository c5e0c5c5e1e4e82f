"""Firth's bias-reduced logistic regression: the fit, its results and penalized-likelihood profiles."""
