"""Out-of-core fits on Dask data frames: the model driver (:mod:`.model`), the per-partition tasks
(:mod:`.tasks`) and the distributed separation certificate (:mod:`.separation`).

``import dask`` inside this package is the real Dask (absolute imports).  Before the layered
layout ``logitstat.dask`` was the module now called :mod:`logitstat.dask.model`; its names are
still available here (looked up lazily, so importing logitstat never imports Dask).
"""
from __future__ import annotations

from .._aliases import package_getattr

#: the old module's exports (the same list as its new home's ``__all__``; tests/test_aliases.py)
__all__ = ["is_dask_frame", "glm_dask", "DaskBinaryResults", "RowsNotInMemory"]


def __getattr__(name: str):
    """Names of the old ``logitstat.dask`` module (:func:`glm_dask`, ...)."""
    return package_getattr(__name__, name)
