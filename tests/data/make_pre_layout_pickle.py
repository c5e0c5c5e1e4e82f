"""Writes pre_layout_results.pkl and pre_layout_expected.txt with the flat layout (run at 2436fb1).

``PYTHONPATH=<checkout of 2436fb1> python tests/data/make_pre_layout_pickle.py``: a logit and a
Firth fit on mroz, pickled with the classes of the flat module paths, and the numbers they
carry (coefficients of both, the logit's predictions on the first five rows) for the test that
loads them with the layered layout (tests/test_aliases.py).
"""
import pickle
from pathlib import Path

import numpy as np

import logitstat as ls

HERE = Path(__file__).resolve().parent
mroz = ls.datasets.load("mroz")
logit = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", mroz)
firth = ls.glm("lfp ~ k5 + age + wc", mroz, method="firth")
with open(HERE / "pre_layout_results.pkl", "wb") as f:
    pickle.dump({"logit": logit, "firth": firth}, f, protocol=4)
np.savetxt(HERE / "pre_layout_expected.txt",
           np.r_[logit.params.values, firth.params.values, logit.predict(mroz.head(5)).values],
           fmt="%.17g")
