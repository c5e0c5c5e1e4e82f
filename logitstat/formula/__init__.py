"""From formula and data frame to a design: parsing and guarding formulas, preparing frames,
the response, transforms, grouping columns, and the fast and patsy-backed design builders.

Imports from :mod:`logitstat.fitting` (kernels, rank) and below.
"""
