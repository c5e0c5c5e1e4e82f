"""Reference values of statsmodels' results for tests/models/binary/test_smcompat.py.

Run from the repository root: ``python tests/reference/sm/make_statsmodels_reference.py``; it
writes ``tests/reference/data/statsmodels_smcompat.json`` (statsmodels, numpy, scipy and pandas
versions recorded in it).  Data: the bundled ``mroz`` and ``mtcars`` datasets.  statsmodels
needs a 0/1 response, so ``lfp`` is recoded (``yes`` -> 1), which is the event logitstat models.
"""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
import statsmodels.formula.api as smf

import logitstat as ls

OUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "statsmodels_smcompat.json"
FORMULA = "lfp ~ k5 + k618 + age + C(wc) + hc + lwg*inc"   # a factor and an interaction
PROBIT = "lfp ~ k5 + age + C(wc) + lwg*inc"
T_TESTS = {"string": "k5 = 0, age = k618", "single": "k5 = 0", "matrix_row": "R2",
           "tuple": "R2q"}


def arr(x):
    return np.asarray(x, dtype=float).tolist()


def margeff_block(res):
    out = {}
    for at in ("overall", "mean", "median", "zero"):
        for method in ("dydx", "eyex", "dyex", "eydx"):
            for dummy in (False, True):
                for count in (False, True):
                    try:
                        me = res.get_margeff(at=at, method=method, dummy=dummy, count=count)
                    except ValueError:
                        continue
                    out[f"{at}|{method}|{int(dummy)}|{int(count)}"] = {
                        "margeff": arr(me.margeff), "margeff_se": arr(me.margeff_se),
                        "names": list(me.summary_frame().index),
                        "columns": list(me.summary_frame().columns)}
    return out


def main() -> None:
    mroz = ls.datasets.load("mroz")
    mroz = mroz.assign(lfp=(mroz["lfp"] == "yes").astype(int))
    res = smf.logit(FORMULA, mroz).fit(disp=0, tol=1e-12, maxiter=100)
    k = len(res.params)
    R2 = np.zeros((2, k))
    R2[0, 0], R2[1, 3] = 1.0, 1.0
    tests = {}
    for key, h in T_TESTS.items():
        h = R2 if h == "R2" else (R2, [1.0, 0.0]) if h == "R2q" else h
        t = res.t_test(h)
        tests[key] = {"effect": arr(t.effect), "sd": arr(np.ravel(t.sd)),
                      "tvalue": arr(np.ravel(t.tvalue)), "pvalue": arr(np.ravel(t.pvalue)),
                      "conf_int": arr(t.conf_int()), "sd_shape": list(np.shape(t.sd)),
                      "frame_columns": list(t.summary_frame().columns)}
    f = res.f_test(T_TESTS["string"])
    exog = res.model.exog
    pred = res.get_prediction(mroz.iloc[:5])
    frame = res.summary2().tables[1]
    logit = {
        "names": list(res.params.index), "params": arr(res.params), "bse": arr(res.bse),
        "t_test": tests,
        "f_test": {"fvalue": float(np.squeeze(f.fvalue)), "pvalue": float(f.pvalue),
                   "df_num": float(f.df_num), "df_denom": float(f.df_denom)},
        "margeff": margeff_block(res),
        "pred_table": arr(res.pred_table()), "pred_table_03": arr(res.pred_table(0.3)),
        "resid_generalized": arr(res.resid_generalized),
        "fopt": float(res.mle_retvals["fopt"]), "hessian": arr(res.mle_retvals["Hessian"]),
        "exog_names": list(res.model.exog_names), "endog_names": res.model.endog_names,
        "predict_exog": arr(res.predict(exog[:5], transform=False)),
        "prediction": {"predicted": arr(pred.predicted), "se": arr(pred.se),
                       "conf_int": arr(pred.conf_int())},
        "summary2": {"columns": list(frame.columns), "values": arr(frame.to_numpy())},
    }
    pres = smf.probit(PROBIT, mroz).fit(disp=0, tol=1e-12, maxiter=100)
    probit = {"names": list(pres.params.index), "params": arr(pres.params), "bse": arr(pres.bse),
              "margeff": margeff_block(pres)}
    mtcars = ls.datasets.load("mtcars")
    X = sm.add_constant(mtcars[["wt", "hp"]].to_numpy(dtype=float))
    ares = sm.Logit(mtcars["am"].to_numpy(), X).fit(disp=0, tol=1e-12, maxiter=100)
    pares = sm.Probit(mtcars["am"], sm.add_constant(mtcars[["wt", "hp"]])).fit(disp=0, tol=1e-12,
                                                                           maxiter=100)
    arrays = {"logit_names": list(ares.model.exog_names), "logit_endog": ares.model.endog_names,
              "logit_params": arr(ares.params), "logit_bse": arr(ares.bse),
              "probit_names": list(pares.model.exog_names), "probit_endog": pares.model.endog_names,
              "probit_params": arr(pares.params), "probit_bse": arr(pares.bse)}
    doc = {"source": "statsmodels (tests/reference/sm/make_statsmodels_reference.py)",
           "versions": {"statsmodels": statsmodels.__version__, "numpy": np.__version__,
                        "scipy": scipy.__version__, "pandas": pd.__version__},
           "logit_formula": FORMULA, "probit_formula": PROBIT, "logit": logit, "probit": probit,
           "arrays": arrays}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
