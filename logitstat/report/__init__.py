"""Presentation of fitted models: summaries (text/HTML/LaTeX), statsmodels-style ``summary2``,
model comparison tables, number formats and plots.

Imports from every layer below (:mod:`logitstat.models` and lower).
"""
