"""Package discovery for logitstat; every other setting is in pyproject.toml.

``find_packages`` picks up each ``logitstat*`` folder, so a new subpackage needs no listing here;
the bundled data in the top-level ``datasets/`` folder are the package ``logitstat.datasets.data``
(mapped to that folder by ``package-dir`` in pyproject.toml).
"""
from setuptools import find_packages, setup

PACKAGES = find_packages(include=["logitstat", "logitstat.*"]) + ["logitstat.datasets.data"]

if __name__ == "__main__":
    setup(packages=PACKAGES)
