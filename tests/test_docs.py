"""Every code example in README.md and docs/*.md runs.

``python`` blocks run in order, one namespace per file, in a scratch directory.  Lines of
``bash`` blocks that start with ``logitstat`` run through ``logitstat.cli.main`` in the same
directory (``< FILE`` and ``> FILE`` redirections are honoured) and must exit 0; other shell lines
(``pip install ...``) are not run.

A block preceded by ``<!-- requires: FEATURE[, FEATURE] -->`` is skipped, with the reason shown,
while a feature it documents is not implemented yet; it runs as soon as the feature exists.
"""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from pathlib import Path

import pytest

import logitstat as ls

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\s*$")
REQUIRES = re.compile(r"<!--\s*requires:\s*(.+?)\s*-->")


def _fit_small():
    return ls.logit("am ~ wt", ls.datasets.load("mtcars"))


def _profile_available() -> bool:
    try:
        _fit_small().conf_int(method="profile")
    except ls.SpecificationError:
        return False
    return True


def _has(attr: str):
    return lambda: hasattr(ls.BinaryResults, attr)


FEATURES = {
    "marginal_effects": _has("marginal_effects"),
    "vif": _has("vif"),
    "condition_number": _has("condition_number"),
    "collinearity": _has("collinearity"),
    "separation": _has("separation"),
    "gof": _has("gof"),
    "get_influence": _has("get_influence"),
    "wald_test_terms": _has("wald_test_terms"),
    "residuals": _has("resid_deviance"),
    "profile": _profile_available,
    "firth": lambda: "firth" in getattr(ls.api, "METHODS", ()),
    "matplotlib": lambda: _importable("matplotlib"),
    "pyarrow": lambda: _importable("pyarrow"),
    "dask": lambda: _importable("dask.dataframe") and _importable("distributed"),
}


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def extract(path: Path) -> list[tuple[str, str, list[str], int]]:
    """(language, code, requirements, line number) of each fenced block."""
    blocks, lang, buf, start, reqs, pending = [], None, [], 0, [], []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if lang is None:
            m = FENCE.match(line)
            if m:
                lang, buf, start, reqs, pending = m.group(1) or "text", [], i, pending, []
                continue
            r = REQUIRES.search(line)
            if r:
                pending = [s.strip() for s in r.group(1).split(",")]
            elif line.strip():
                pending = []
        elif line.strip() == "```":
            blocks.append((lang, "\n".join(buf), reqs, start))
            lang = None
        else:
            buf.append(line)
    return [b for b in blocks if b[0] in ("python", "bash", "console", "sh")]


CASES = [(path, k) for path in FILES for k in range(len(extract(path)))]
_STATE: dict[Path, dict] = {}


def _missing(reqs: list[str]) -> list[str]:
    unknown = [r for r in reqs if r not in FEATURES]
    assert not unknown, f"unknown requirement(s) {unknown}; known: {sorted(FEATURES)}"
    return [r for r in reqs if not FEATURES[r]()]


def _run_shell(code: str) -> None:
    from logitstat import cli

    for raw in code.replace("\\\n", " ").splitlines():
        line = raw.strip().removeprefix("$ ")
        if not line.startswith("logitstat ") or line.startswith("#"):
            continue
        tokens = shlex.split(line, comments=True)[1:]
        stdin_path = stdout_path = None
        if "<" in tokens:
            k = tokens.index("<")
            stdin_path = tokens[k + 1]
            tokens = tokens[:k] + tokens[k + 2:]
        if ">" in tokens:
            k = tokens.index(">")
            stdout_path = tokens[k + 1]
            tokens = tokens[:k] + tokens[k + 2:]
        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        try:
            if stdin_path:
                sys.stdin = io.StringIO(Path(stdin_path).read_text(encoding="utf-8"))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code_ = cli.main(tokens)
        finally:
            sys.stdin = old_stdin
        assert code_ == 0, f"`{line}` exited {code_}: {err.getvalue()}"
        if stdout_path:
            Path(stdout_path).write_text(out.getvalue(), encoding="utf-8")


def _run(block, namespace: dict) -> None:
    lang, code, _, start = block
    if lang == "python":
        exec(compile(code, f"<{start}>", "exec"), namespace)  # noqa: S102 - our own docs
    else:
        _run_shell(code)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(autouse=True)
def _agg_backend():
    if _importable("matplotlib"):
        import matplotlib
        matplotlib.use("Agg")


@pytest.mark.parametrize("path, k", CASES, ids=[f"{p.name}:{k + 1}" for p, k in CASES])
def test_example(path, k, tmp_path_factory, monkeypatch):
    blocks = extract(path)
    missing = _missing(blocks[k][2])
    if missing:
        pytest.skip(f"{path.name} line {blocks[k][3]}: needs {', '.join(missing)} (not implemented or not installed)")
    state = _STATE.get(path)
    if state is None:
        state = _STATE[path] = {"done": -1, "ns": {"__name__": "__docs__"},
                                "dir": tmp_path_factory.mktemp(path.stem)}
    monkeypatch.chdir(state["dir"])
    if state["done"] >= k:  # re-running out of order: start the file again
        state.update(done=-1, ns={"__name__": "__docs__"})
    for j in range(state["done"] + 1, k):
        if not _missing(blocks[j][2]):
            _run(blocks[j], state["ns"])
        state["done"] = j
    _run(blocks[k], state["ns"])
    state["done"] = k

