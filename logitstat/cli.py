"""Command line: ``logitstat demo``, ``logitstat fit DATA FORMULA``, ``logitstat datasets``."""
from __future__ import annotations

import argparse
import sys

from . import datasets
from .errors import LogitstatError


def _demo(args) -> int:
    from .api import logit

    df = datasets.load("mroz")
    formula = "lfp ~ k5 + k618 + age + wc + hc + lwg + inc"
    print(f"logitstat demo: {datasets.describe('mroz').title}")
    print(f">>> ls.logit({formula!r}, ls.datasets.load('mroz'))\n")
    res = logit(formula, df)
    print(res.summary(odds_ratios=args.odds_ratios))
    return 0


def _datasets(args) -> int:
    for name in datasets.names():
        print(f"{name:<12} {datasets.describe(name).title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="logitstat", description="Inference on binary outcomes.")
    sub = ap.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="fit a bundled dataset and print its summary")
    demo.add_argument("--odds-ratios", action="store_true", help="add odds ratios to the table")
    demo.set_defaults(func=_demo)
    ds = sub.add_parser("datasets", help="list the bundled datasets")
    ds.set_defaults(func=_datasets)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``logitstat`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LogitstatError as exc:
        print(f"logitstat: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
