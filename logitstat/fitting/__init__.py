"""Numerical fitting: links and binomial family, row-block kernels, rank screening, IRLS and its
driver, coordinate descent (penalized), Firth's adjusted score.

Works on arrays only -- no formulas, no data frames, no result objects.  Imports only
:mod:`logitstat.errors` and :mod:`logitstat.common`.
"""
