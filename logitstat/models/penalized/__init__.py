"""Lasso / elastic-net logistic regression: single fits, paths and cross-validation."""
