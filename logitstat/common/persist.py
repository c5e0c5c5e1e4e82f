"""Keeping fitted models: pickling patsy's design information, ``save``/``load``, ``remove_data``.

patsy refuses to pickle its ``DesignInfo`` (and the factors, terms, contrasts and stateful
transforms inside it).  Those objects are plain data nonetheless -- the formula's factor codes,
the categories of each factor, contrast matrices, the memorized state of ``center``/``bs``... --
so :func:`encode` turns them into a tree of picklable stand-ins and :func:`decode` rebuilds them.
A model unpickled in a new process therefore predicts on new data with the categories, contrasts
and transform state learnt from the original data.

Names a formula uses from its evaluation environment are kept by reference, as pickle keeps any
function: modules by name (``np`` -> ``numpy``), functions and classes by their import path.  A
formula that calls a lambda or a function defined inside another function cannot be pickled;
:func:`save` says so.
"""
from __future__ import annotations

import importlib
import pickle
import types
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
from patsy.util import no_pickling

from ..errors import LogitstatError, SpecificationError

__all__ = ["encode", "decode", "save", "load", "RemovedData", "DataRemovedError", "strip_rows",
           "Persistable"]

_FORMAT = "logitstat-model"
_FORMAT_VERSION = 1


class DataRemovedError(LogitstatError, AttributeError):
    """A row-level quantity was asked of a model whose data were removed by ``remove_data()``."""


# --------------------------------------------------------------------------- patsy objects


@dataclass(frozen=True)
class _Module:
    name: str


@dataclass(frozen=True)
class _Object:
    cls: type
    state: tuple          # ((attribute, encoded value), ...)


@dataclass(frozen=True)
class _Mapping:
    cls: type
    items: tuple          # ((encoded key, encoded value), ...)


def _refuses_pickling(cls: type) -> bool:
    """patsy's classes refuse pickling with a ``__getstate__`` of their own."""
    getstate = getattr(cls, "__getstate__", None)
    return getstate is no_pickling or getattr(getstate, "__module__", "").startswith("patsy")


def _attributes(obj) -> dict[str, Any]:
    """Instance attributes, from ``__dict__`` and any ``__slots__`` up the class hierarchy."""
    out = dict(getattr(obj, "__dict__", {}))
    for klass in type(obj).__mro__:
        for name in getattr(klass, "__slots__", ()):
            if name not in out and hasattr(obj, name):
                out[name] = getattr(obj, name)
    return out


def encode(obj: Any, _memo: dict | None = None) -> Any:
    """A picklable stand-in for ``obj``: patsy objects (which refuse pickling) become
    :class:`_Object` trees, modules become :class:`_Module` names; everything else is kept."""
    memo = {} if _memo is None else _memo
    if id(obj) in memo:
        return memo[id(obj)][0]
    if isinstance(obj, types.ModuleType):
        out: Any = _Module(obj.__name__)
    elif isinstance(obj, dict):
        out = _Mapping(type(obj), tuple((encode(k, memo), encode(v, memo)) for k, v in obj.items()))
    elif type(obj) in (list, tuple, set, frozenset):
        out = type(obj)(encode(x, memo) for x in obj)
    elif _refuses_pickling(type(obj)):
        out = _Object(type(obj), tuple((k, encode(v, memo)) for k, v in _attributes(obj).items()))
    else:
        out = obj
    memo[id(obj)] = (out, obj)   # keep obj alive so that its id is not reused while encoding
    return out


def decode(obj: Any, _memo: dict | None = None) -> Any:
    """Inverse of :func:`encode`; objects shared in the original are shared again."""
    memo = {} if _memo is None else _memo
    if isinstance(obj, (_Module, _Object, _Mapping)) and id(obj) in memo:
        return memo[id(obj)]
    if isinstance(obj, _Module):
        out: Any = importlib.import_module(obj.name)
    elif isinstance(obj, _Mapping):
        out = obj.cls((decode(k, memo), decode(v, memo)) for k, v in obj.items)
    elif isinstance(obj, _Object):
        out = obj.cls.__new__(obj.cls)
        memo[id(obj)] = out     # before the attributes: cycles resolve to this object
        for name, value in obj.state:
            object.__setattr__(out, name, decode(value, memo))
        return out
    elif type(obj) in (list, tuple, set, frozenset):
        return type(obj)(decode(x, memo) for x in obj)
    else:
        return obj
    memo[id(obj)] = out
    return out


# --------------------------------------------------------------------------- save / load


def save(res, path) -> None:
    """Pickle a fitted model to ``path`` (see :meth:`BinaryResults.save`)."""
    try:
        payload = pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise SpecificationError(
            f"this model cannot be saved: {exc}. A formula may only call functions importable "
            "by name (module-level functions, numpy...), not lambdas or local functions"
        ) from None
    Path(path).write_bytes(pickle.dumps({"format": _FORMAT, "version": _FORMAT_VERSION,
                                         "model": payload}, protocol=pickle.HIGHEST_PROTOCOL))


def load(path):
    """Read a model written by ``res.save(path)``.

    Loading runs pickle: only load files you trust (as with any pickle).
    """
    raw = Path(path).read_bytes()
    try:
        box = pickle.loads(raw)
    except Exception as exc:   # noqa: BLE001 - any unpickling failure means "not our file"
        raise SpecificationError(f"{str(path)!r} is not a model saved by logitstat "
                                 f"({type(exc).__name__}: {exc})") from None
    if not (isinstance(box, dict) and box.get("format") == _FORMAT):
        raise SpecificationError(f"{str(path)!r} is not a model saved by logitstat's res.save()")
    if box.get("version", 0) > _FORMAT_VERSION:
        raise SpecificationError(f"{str(path)!r} was saved by a newer logitstat (format "
                                 f"{box['version']}); upgrade logitstat to load it")
    return pickle.loads(box["model"])


class Persistable:
    """Adds ``save(path)`` to a results class (read back with :func:`load`)."""

    def save(self, path) -> None:
        """Write the fitted model to ``path`` (a pickle); read it back with
        :func:`logitstat.load`.  Prediction on new data works after loading, with the original
        categories, contrasts and stateful-transform state."""
        save(self, path)


# --------------------------------------------------------------------------- remove_data


class RemovedData:
    """Stands in for a row-level array dropped by ``remove_data()``: keeps ``shape`` and
    ``dtype``, and any use of the values raises :class:`DataRemovedError` naming the array."""

    __slots__ = ("name", "shape", "dtype")

    def __init__(self, name: str, like: np.ndarray):
        self.name, self.shape, self.dtype = name, tuple(like.shape), like.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __len__(self) -> int:
        return self.shape[0]

    def _refuse(self, *args, **kwargs):
        raise DataRemovedError(f"the row-level data ({self.name}) were dropped by remove_data(); "
                               "refit the model on the data to compute this")

    __array__ = __getitem__ = __iter__ = _refuse
    __array_ufunc__ = __array_function__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse
    __matmul__ = __rmatmul__ = __neg__ = __gt__ = __lt__ = __ge__ = __le__ = _refuse

    def __repr__(self) -> str:
        return f"<removed {self.name} {self.shape}>"


def strip_rows(obj, names: tuple[str, ...], what: str):
    """A copy of the dataclass ``obj`` whose array fields ``names`` are :class:`RemovedData`."""
    present = {f.name for f in fields(obj)}
    changes = {n: RemovedData(f"{what}.{n}", np.asarray(getattr(obj, n)))
               for n in names if n in present and isinstance(getattr(obj, n), np.ndarray)}
    return replace(obj, **changes)
