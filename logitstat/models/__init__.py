"""One subpackage per kind of fitted model, each with its fitting function (``fit.py``) beside its
results class (``results.py``): ``binary`` (IRLS), ``firth``, ``multinomial``, ``penalized``,
``classweighted``.

Imports from :mod:`logitstat.inference` and below; summaries and plots are imported lazily.
"""
