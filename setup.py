"""Package discovery for logitstat; every other setting is in pyproject.toml.

``find_packages`` picks up each ``logitstat*`` folder, so a new subpackage needs no listing here;
the bundled data in the top-level ``datasets/`` folder are installed as the package
``logitstat.datasets.data`` (see pyproject.toml).
"""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["logitstat", "logitstat.*"]) + ["logitstat.datasets.data"],
    package_dir={"logitstat.datasets.data": "datasets"},
)
