r"""Row-block kernels shared by the rank screen and IRLS: :math:`X^\top W X` on every core.

A tall, narrow :math:`X^\top W X` (n in the millions, p in the tens) is not parallelised well by
OpenBLAS on its own, and forming :math:`W^{1/2}X` whole costs an :math:`n\times p` temporary.
Here the rows are cut into *chunks*, one per core, each chunk is walked in blocks of
:data:`BLOCK_ROWS` rows that stay in cache, and each block contributes

.. math:: A \mathrel{+}= (W_b^{1/2} X_b)^\top (W_b^{1/2} X_b)

through numpy's matmul, which recognises the :math:`B^\top B` pattern and calls BLAS ``syrk``
(half the flops of ``gemm``) and releases the GIL, so the chunks run in threads truly in
parallel.  BLAS itself is held to one thread meanwhile (``threadpoolctl``), since two chunk
threads each asking OpenBLAS for two threads only oversubscribe the cores.  Only one block-sized
buffer per thread is ever allocated.  Small problems (fewer than :data:`PARALLEL_MIN_ROWS` rows)
run inline in the calling thread, so a fit on a thousand rows pays no pool overhead.

This module sits at the bottom of the package (it imports only numpy) so that ``design`` and
``irls`` can both use it.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import numpy as np

BLOCK_ROWS = 4096
"""Rows per block: 4096 × 64 float64 columns is 2 MiB, an L2-sized working set."""

PARALLEL_MIN_ROWS = 65536
"""Below this many rows everything runs in the calling thread."""

T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_controller = None
_controller_failed = False


def n_workers() -> int:
    """Number of threads used for large problems: the cores this process may run on.

    ``LOGITSTAT_NUM_THREADS`` overrides it (``1`` turns threading off).
    """
    env = os.environ.get("LOGITSTAT_NUM_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None or _pool._max_workers < workers:  # noqa: SLF001 - sizing check only
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="logitstat")
        return _pool


def _blas_controller():
    """A cached ``threadpoolctl.ThreadpoolController`` (None when threadpoolctl is absent)."""
    global _controller, _controller_failed
    if _controller is None and not _controller_failed:
        try:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        except Exception:  # noqa: BLE001 - threadpoolctl is an optimisation only
            _controller_failed = True
    return _controller


@contextmanager
def single_threaded_blas() -> Iterator[bool]:
    """Hold BLAS to one thread inside the block; yields whether that could be arranged."""
    ctl = _blas_controller()
    if ctl is None:
        yield False
        return
    with ctl.limit(limits=1, user_api="blas"):
        yield True


SMALL_DENSE = 1024   # p x p factorizations up to this size run on one BLAS thread


@contextmanager
def dense_threads(p: int) -> Iterator[None]:
    """BLAS threads for a p x p factorization: one up to :data:`SMALL_DENSE` (a 1000 x 1000
    Cholesky is a few tens of milliseconds on one core, while a multi-threaded OpenBLAS can
    take a hundred times longer on such small problems when the cores are busy: its threads
    wait for each other), the library's default above."""
    if p > SMALL_DENSE:
        yield
        return
    with single_threaded_blas():
        yield


def row_chunks(n: int, k: int) -> list[tuple[int, int]]:
    """Cut ``range(n)`` into at most ``k`` contiguous chunks whose starts are block-aligned."""
    blocks = -(-n // BLOCK_ROWS)
    k = max(1, min(k, blocks))
    cuts = [min(n, (blocks * i // k) * BLOCK_ROWS) for i in range(k + 1)]
    cuts[-1] = n
    return [(cuts[i], cuts[i + 1]) for i in range(k) if cuts[i + 1] > cuts[i]]


def map_chunks(fn: Callable[[int, int], T], n: int, *, threads: int | None = None) -> list[T]:
    """Run ``fn(lo, hi)`` on row chunks covering ``range(n)``, in parallel when ``n`` is large.

    Returns the per-chunk results in row order (so reductions are deterministic for a given
    number of threads).
    """
    k = n_workers() if threads is None else max(1, threads)
    if k == 1 or n < PARALLEL_MIN_ROWS or threading.current_thread().name.startswith("logitstat"):
        return [fn(0, n)]  # small, or already inside a chunk: never wait on the pool from it
    chunks = row_chunks(n, k)
    if len(chunks) == 1:
        return [fn(0, n)]
    with single_threaded_blas() as limited:
        if not limited:  # without control over BLAS threads, let BLAS use the cores instead
            return [fn(0, n)]
        pool = _executor(len(chunks))
        futures = [pool.submit(fn, lo, hi) for lo, hi in chunks]
        return [f.result() for f in futures]


def block_buffer(X: np.ndarray, rows: int) -> np.ndarray:
    """A scratch block for rows of ``X``, in ``X``'s memory order (so that filling it from a
    row block reads and writes contiguous runs: a Fortran-ordered X into a C-ordered buffer
    would be a strided transpose, about 40% slower per pass)."""
    order = "F" if (X.flags.f_contiguous and not X.flags.c_contiguous) else "C"
    return np.empty((min(BLOCK_ROWS, max(rows, 1)), X.shape[1]), order=order)


def gram_chunk(X: np.ndarray, lo: int, hi: int, sw: np.ndarray | None = None,
               rhs: np.ndarray | None = None, buf: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray | None]:
    r"""Return :math:`\sum_b (S_b X_b)^\top (S_b X_b)` over the blocks of rows ``lo:hi``.

    ``sw`` holds :math:`\sqrt{w_i}` (None for unit weights); with ``rhs`` (already multiplied by
    :math:`\sqrt{w_i}`) also :math:`\sum_b (S_b X_b)^\top r_b`.
    """
    p = X.shape[1]
    A = np.zeros((p, p))
    b = np.zeros(p) if rhs is not None else None
    if buf is None:
        buf = block_buffer(X, hi - lo)
    for s in range(lo, hi, BLOCK_ROWS):
        e = min(s + BLOCK_ROWS, hi)
        Xs = buf[:e - s]
        if sw is None:
            np.copyto(Xs, X[s:e])
        else:
            np.multiply(X[s:e], sw[s:e, None], out=Xs)
        A += Xs.T @ Xs
        if b is not None:
            b += Xs.T @ rhs[s:e]
    return A, b


def gram(X: np.ndarray, w: np.ndarray | None = None, *, threads: int | None = None,
         rhs: np.ndarray | None = None):
    r"""Return :math:`X^\top \mathrm{diag}(w) X` (``w`` ≥ 0; unit weights when None), in parallel.

    Symmetric to the last bit (``syrk`` fills one triangle and numpy mirrors it).  With ``rhs``
    (unit weights only) returns the pair :math:`(X^\top X, X^\top r)` from the same pass.
    """
    X = np.asarray(X, dtype=float)
    sw = None
    if w is not None:
        w = np.asarray(w, dtype=float)
        if np.any(w < 0):
            raise ValueError("gram: weights must be non-negative")
        sw = np.sqrt(w)
    if rhs is not None:
        if sw is not None:
            raise ValueError("gram: rhs= goes with unit weights only")
        rhs = np.asarray(rhs, dtype=float)
        parts = map_chunks(lambda lo, hi: gram_chunk(X, lo, hi, None, rhs), X.shape[0],
                           threads=threads)
        return _sum([q[0] for q in parts]), _sum([q[1] for q in parts])
    parts = map_chunks(lambda lo, hi: gram_chunk(X, lo, hi, sw)[0], X.shape[0], threads=threads)
    return _sum(parts)


def abs_rmatvec(X: np.ndarray, v: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    r"""Return :math:`|X|^\top v` (elementwise absolute values) without an :math:`n\times p` copy."""
    X = np.asarray(X, dtype=float)
    v = np.asarray(v, dtype=float)

    def chunk(lo: int, hi: int) -> np.ndarray:
        out = np.zeros(X.shape[1])
        buf = block_buffer(X, hi - lo)
        for s in range(lo, hi, BLOCK_ROWS):
            e = min(s + BLOCK_ROWS, hi)
            np.abs(X[s:e], out=buf[:e - s])
            out += buf[:e - s].T @ v[s:e]
        return out

    return _sum(map_chunks(chunk, X.shape[0], threads=threads))


def _sum(parts: list[np.ndarray]) -> np.ndarray:
    out = parts[0].copy() if len(parts) > 1 else parts[0]
    for extra in parts[1:]:
        out += extra
    return out


def blas_info() -> list[dict]:
    """What ``threadpoolctl`` sees of the BLAS libraries (for benchmark reports)."""
    ctl = _blas_controller()
    return [] if ctl is None else ctl.info()


__all__ = ["BLOCK_ROWS", "PARALLEL_MIN_ROWS", "n_workers", "single_threaded_blas", "row_chunks",
           "map_chunks", "block_buffer", "gram_chunk", "gram", "abs_rmatvec", "blas_info"]


def row_quadratic(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    r"""Return :math:`q_i = x_i^\top M x_i` for every row of ``X`` (the diagonal of
    :math:`X M X^\top`), in row blocks on all cores: no :math:`n\times p` temporary."""
    X = np.asarray(X, dtype=float)
    out = np.empty(X.shape[0])

    def rows(lo: int, hi: int) -> None:
        for s in range(lo, hi, BLOCK_ROWS):
            Xb = X[s:min(s + BLOCK_ROWS, hi)]
            out[s:s + len(Xb)] = np.einsum("ij,ij->i", Xb @ M, Xb)

    map_chunks(rows, X.shape[0])
    return out


def weighted_gram(X: np.ndarray, W: np.ndarray, Wz: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    r"""Return :math:`X^\top W X` (and :math:`X^\top (Wz)` when ``Wz`` is given), in row blocks.

    Only one block-sized temporary per thread is alive at a time; no copy of X is made.  With
    non-negative ``W`` each block costs one ``syrk`` on :math:`W_b^{1/2}X_b`; negative weights
    fall back to ``gemm`` on :math:`W_b X_b`.
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    W = np.asarray(W, dtype=float)
    signed = bool(np.any(W < 0))
    sw = None if signed else np.sqrt(W)

    def chunk(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray | None]:
        A = np.zeros((p, p))
        b = np.zeros(p) if Wz is not None else None
        buf = block_buffer(X, hi - lo)
        for s in range(lo, hi, BLOCK_ROWS):
            e = min(s + BLOCK_ROWS, hi)
            Xb, Xs = X[s:e], buf[:e - s]
            if signed:
                np.multiply(Xb, W[s:e, None], out=Xs)
                A += Xs.T @ Xb
            else:
                np.multiply(Xb, sw[s:e, None], out=Xs)
                A += Xs.T @ Xs
            if b is not None:
                b += Xb.T @ Wz[s:e]
        return A, b

    parts = map_chunks(chunk, n)
    A, b = parts[0]
    for A2, b2 in parts[1:]:
        A = A + A2
        if b is not None:
            b = b + b2
    return A, b
