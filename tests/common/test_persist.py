"""Keeping fitted models: pickle, ``save``/``load``, ``remove_data``.

The reference for every number here is the model before pickling: a round trip must reproduce
it exactly (bit for bit: unpickling restores the same floats, and prediction on new data
repeats the same arithmetic on the same stored state).
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.common import persist

FORMULA = "lfp ~ k5 + center(age) + bs(inc, df=4) + np.log(lwg + 3) + C(wc, Sum) + hc:k618"


@pytest.fixture(scope="module")
def mroz():
    return ls.datasets.load("mroz")


@pytest.fixture(scope="module")
def fitted(mroz):
    return ls.logit(FORMULA, mroz)


def _new_rows(mroz: pd.DataFrame) -> pd.DataFrame:
    """New data whose levels come in another order and whose numbers lie outside the sample
    (so that the stored categories, centre and spline knots -- not the new data -- decide)."""
    new = mroz.iloc[[5, 1, 300, 7]].copy()
    new["age"] = [20, 70, 45, 33]
    new["inc"] = [0.5, 120.0, 20.0, 15.0]
    new["wc"] = pd.Categorical(new["wc"].astype(str), categories=["yes", "no"])
    return new


def test_pickle_round_trip_keeps_every_number(fitted, mroz):
    back = pickle.loads(pickle.dumps(fitted))
    assert back.params.equals(fitted.params)
    assert back.cov_params().equals(fitted.cov_params())
    assert back.llf == fitted.llf and back.llnull == fitted.llnull
    assert str(back.summary()) == str(fitted.summary())
    new = _new_rows(mroz)
    assert np.array_equal(back.predict(new).to_numpy(), fitted.predict(new).to_numpy())
    frame = back.get_prediction(new).summary_frame()
    assert np.allclose(frame.to_numpy(), fitted.get_prediction(new).summary_frame().to_numpy(),
                       rtol=0, atol=0)


def test_unpickled_in_a_new_process_predicts_the_same(fitted, mroz, tmp_path):
    """A fresh interpreter has none of the original objects: the design information (categories,
    contrasts, the memorized mean of center() and the knots of bs()) comes from the file alone."""
    path = tmp_path / "model.pkl"
    fitted.save(path)
    new = _new_rows(mroz)
    new.to_pickle(tmp_path / "new.pkl")
    code = textwrap.dedent(f"""
        import pandas as pd, logitstat as ls
        res = ls.load({str(path)!r})
        res.predict(pd.read_pickle({str(tmp_path / 'new.pkl')!r})).to_pickle(
            {str(tmp_path / 'pred.pkl')!r})
    """)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path,
                   env={**os.environ, "PYTHONPATH": str(Path(ls.__file__).parent.parent)})
    pred = pd.read_pickle(tmp_path / "pred.pkl")
    assert np.array_equal(pred.to_numpy(), fitted.predict(new).to_numpy())


@pytest.mark.parametrize("kind", ["firth", "probit_hc1", "ridge", "class_weight", "mnlogit"])
def test_every_result_type_pickles_and_predicts(kind, mroz):
    f = "lfp ~ k5 + center(age) + C(wc) + hc:k618 + lwg"
    res = {
        "firth": lambda: ls.logit(f, mroz, method="firth"),
        "probit_hc1": lambda: ls.probit(f, mroz, cov_type="HC1"),
        "ridge": lambda: ls.logit(f, mroz, penalty="l2", alpha=0.1),
        "class_weight": lambda: ls.logit(f, mroz, class_weight="balanced"),
        "mnlogit": lambda: ls.mnlogit("wc ~ k5 + center(age)", mroz),
    }[kind]()
    back = pickle.loads(pickle.dumps(res))
    new = _new_rows(mroz)
    assert np.array_equal(np.asarray(back.predict(new)), np.asarray(res.predict(new)))
    assert np.array_equal(np.asarray(back.params), np.asarray(res.params))


def test_array_interface_model_pickles(mroz):
    y = (mroz["lfp"] == "yes").to_numpy()
    X = np.column_stack([np.ones(len(mroz)), mroz["k5"], mroz["age"]])
    res = ls.logit(y, X)
    back = pickle.loads(pickle.dumps(res))
    assert np.array_equal(back.predict(X[:5]).to_numpy(), res.predict(X[:5]).to_numpy())


def test_remove_data_keeps_the_summary_and_prediction(mroz):
    res = ls.logit(FORMULA, mroz)
    full_text = str(res.summary())
    ci = res.conf_int()
    new = _new_rows(mroz)
    pred = res.predict(new)
    size_before = len(pickle.dumps(res))
    assert res.remove_data() is res
    assert str(res.summary()) == full_text
    assert res.conf_int().equals(ci)
    assert res.predict(new).equals(pred)
    assert res.nobs == len(mroz) and res.wald_test("k5 = 0").statistic > 0
    # the row-level arrays are gone from the pickle: what is left grows with p, not n
    assert len(pickle.dumps(res)) < size_before / 4
    back = pickle.loads(pickle.dumps(res))
    assert str(back.summary()) == full_text


@pytest.mark.parametrize("what", ["resid_pearson", "fittedvalues", "get_influence",
                                  "marginal_effects", "gof", "predict"])
def test_after_remove_data_row_level_results_say_why(what, mroz):
    res = ls.logit("lfp ~ k5 + age + C(wc)", mroz).remove_data()
    with pytest.raises(ls.DataRemovedError, match=r"remove_data\(\).*refit"):
        value = getattr(res, what)
        if callable(value):
            value()


def test_remove_data_profile_interval_says_why(mroz):
    res = ls.logit("lfp ~ k5 + age", mroz).remove_data()
    with pytest.raises(ls.DataRemovedError, match="design.X"):
        res.conf_int(method="profile")


def test_load_refuses_files_that_are_not_saved_models(tmp_path):
    path = tmp_path / "other.pkl"
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ls.SpecificationError, match="not a model saved by logitstat"):
        ls.load(path)
    path.write_bytes(b"not a pickle at all")
    with pytest.raises(ls.SpecificationError, match="not a model saved by logitstat"):
        ls.load(path)


def test_save_refuses_a_formula_calling_a_lambda(mroz, tmp_path):
    twice = lambda x: 2 * x  # noqa: E731 - a lambda is the case being tested
    res = ls.logit("lfp ~ twice(k5)", mroz)
    with pytest.raises(ls.SpecificationError, match="lambdas"):
        res.save(tmp_path / "m.pkl")
    assert twice(1) == 2


def test_encode_decode_keeps_shared_objects_shared(fitted):
    """A factor appears both as a key of ``factor_infos`` and inside its terms: after a round
    trip through pickle they are one object again (patsy looks terms' factors up by key), and
    the rebuilt design information codes the same columns."""
    info = fitted.design.design_info
    back = persist.decode(pickle.loads(pickle.dumps(persist.encode(info))))
    term = next(t for t in back.terms if t.factors)
    assert any(f is term.factors[0] for f in back.factor_infos)
    assert back.column_names == info.column_names
    assert [t.name() for t in back.terms] == [t.name() for t in info.terms]
