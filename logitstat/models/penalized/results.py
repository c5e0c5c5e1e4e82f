r"""Penalized logistic regression from a formula: single fits, paths, cross-validation, plots.

* ``ls.logit(formula, df, penalty="l1"|"l2"|"elasticnet", alpha=..., l1_ratio=...)`` returns a
  :class:`PenalizedResults` (dispatched here by :func:`logitstat.api.glm`);
* :func:`logit_path` fits a whole path of ``alpha`` values with warm starts
  (:class:`PathResults`, with :meth:`PathResults.plot` when matplotlib is installed);
* :func:`logit_cv` chooses ``alpha`` by k-fold cross-validation (:class:`CVResults`).

The objective and its mapping to glmnet are in :mod:`logitstat.fitting.coordinate_descent`:
``-loglik/n + alpha * ((1 - l1_ratio)/2 * ||b||^2 + l1_ratio * ||b||_1)`` on standardized
columns with an unpenalized intercept; glmnet's ``lambda`` is ``alpha`` and glmnet's ``alpha`` is
``l1_ratio``.  Penalized estimates have no classical standard errors: none are computed.
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd
import patsy
from scipy.special import expit, xlogy

from ...common.checks import real_number, whole_number
from ...common.displays import Display, Displayable, number
from ...common.persist import Persistable
from ...errors import DataError, LogitstatError, SpecificationError
from ...fitting import family, coordinate_descent as penalized
from ...fitting.links import get_link
from ...formula import design as _design
from ..binary.smcompat import AlreadyFittedMixin

__all__ = ["PENALTIES", "resolve_penalty", "fit_penalized", "PenalizedResults", "PathResults",
           "CVResults", "logit_path", "logit_cv"]

PENALTIES = ("l1", "l2", "elasticnet")
NO_SE = ("Penalized fits have no classical standard errors: the penalty shrinks the estimates "
         "towards zero (biasing them) and, for the L1 part, selects variables, so Wald standard "
         "errors, z statistics, p-values and intervals would be misleading; none are reported. "
         "Use the bootstrap, or refit the selected model without penalty on new data.")


def resolve_penalty(penalty: str, l1_ratio: float | None) -> float:
    """The L1 share for ``penalty``: ``"l1"`` → 1, ``"l2"`` → 0, ``"elasticnet"`` → ``l1_ratio``."""
    if penalty not in PENALTIES:
        raise SpecificationError(f"unknown penalty {penalty!r}: choose one of "
                                 f"{', '.join(map(repr, PENALTIES))}")
    if l1_ratio is not None:
        l1_ratio = real_number(l1_ratio, "l1_ratio", low=0.0, high=1.0,
                               hint="the share of the L1 penalty; glmnet's alpha")
    if penalty == "l1":
        ratio = 1.0 if l1_ratio is None else l1_ratio
        if ratio != 1.0:
            raise SpecificationError(f"penalty='l1' means l1_ratio=1; got l1_ratio={l1_ratio!r} "
                                     "(use penalty='elasticnet')")
    elif penalty == "l2":
        ratio = 0.0 if l1_ratio is None else l1_ratio
        if ratio != 0.0:
            raise SpecificationError(f"penalty='l2' means l1_ratio=0; got l1_ratio={l1_ratio!r} "
                                     "(use penalty='elasticnet')")
    else:
        if l1_ratio is None:
            raise SpecificationError("penalty='elasticnet' needs l1_ratio= in [0, 1] (the share "
                                     "of the L1 penalty; glmnet's alpha)")
        ratio = l1_ratio
    return float(ratio)


def _check_design(des: _design.Design, link) -> int | None:
    if get_link(link).name != "logit":
        raise SpecificationError("penalized fits are logistic (link='logit'), as glmnet's binomial "
                                 f"family; got link={get_link(link).name!r}")
    return des.names.index("Intercept") if "Intercept" in des.names else None


def _arrays(des: _design.Design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    prior = des.weights * des.trials
    if not np.any(prior > 0):
        raise DataError("every row has zero weight (or zero trials): nothing to fit")
    return des.y, prior, des.offset


class PenalizedResults(Displayable, Persistable, AlreadyFittedMixin):
    """One penalized logistic fit: coefficients, likelihood, predictions — no standard errors."""

    def __init__(self, design: _design.Design, path: penalized.PathFit, index: int, penalty: str,
                 l1_ratio: float, standardize: bool = True, class_weight_info: str | None = None,
                 nobs: float | None = None):
        self.design = design
        self._nobs = design.nobs if nobs is None else nobs
        self._path = path
        self._k = index
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.standardize = standardize
        self.class_weight_info = class_weight_info
        self.alpha = float(path.alphas[index])
        self.link = get_link("logit")

    @property
    def names(self) -> list[str]:
        return self.design.names

    @cached_property
    def params(self) -> pd.Series:
        """Coefficients on the original scale of the columns."""
        return pd.Series(self._path.coef[self._k], index=self.names, name="coef")

    @cached_property
    def standardized_params(self) -> pd.Series:
        """Penalized coefficients on the standardized scale (the ones the penalty acts on)."""
        pen = [n for n in self.names if n != "Intercept"]
        return pd.Series(self._path.std_coef[self._k], index=pen, name="std coef")

    @property
    def bse(self):
        """Not available: penalized fits have no classical standard errors."""
        raise SpecificationError(NO_SE)

    def cov_params(self):
        """Not available: penalized fits have no classical standard errors."""
        raise SpecificationError(NO_SE)

    @property
    def df_model(self) -> int:
        """Number of non-zero penalized coefficients."""
        return int(np.count_nonzero(self.standardized_params.to_numpy()))

    @property
    def nobs(self) -> float:
        """Number of observations (frequency weights count, class weights do not)."""
        return self._nobs

    @property
    def converged(self) -> bool:
        return bool(self._path.converged[self._k])

    @property
    def n_iter(self) -> int:
        return int(self._path.n_iter[self._k])

    @cached_property
    def _eta(self) -> np.ndarray:
        return self.design.X @ self.params.to_numpy() + self.design.offset

    @cached_property
    def llf(self) -> float:
        """Unpenalized log-likelihood at the penalized estimate."""
        d = self.design
        return family.loglik(d.y, d.trials, d.weights, self._eta, self.link, d.grouped)

    @cached_property
    def deviance(self) -> float:
        d = self.design
        return family.deviance(d.y, d.trials, d.weights, self._eta, self.link)

    @property
    def dev_ratio(self) -> float:
        """Fraction of the null deviance explained, :math:`1 - D/D_0` (glmnet's ``dev.ratio``)."""
        return float(self._path.dev_ratio[self._k])

    @cached_property
    def objective(self) -> float:
        """The minimized penalized objective (see :mod:`logitstat.fitting.coordinate_descent`)."""
        d = self.design
        prior = d.weights * d.trials
        wn = prior / prior.sum()
        b = self.standardized_params.to_numpy()
        pen = self.alpha * ((1 - self.l1_ratio) / 2 * float(b @ b) + self.l1_ratio * float(np.abs(b).sum()))
        ll = wn @ (d.y * self._eta - np.logaddexp(0.0, self._eta))
        return float(-ll + pen)

    @cached_property
    def fittedvalues(self) -> pd.Series:
        return pd.Series(expit(self._eta), index=self.design.row_labels)

    def predict(self, newdata=None, which: str = "mean") -> pd.Series:
        """Predicted probabilities (``"mean"``) or linear predictor (``"linear"``); NaN for rows
        of ``newdata`` with missing values."""
        if which not in ("mean", "linear"):
            raise SpecificationError(f"which={which!r}: use 'mean' or 'linear'")
        if newdata is None:
            eta, index = self._eta.copy(), self.design.row_labels
        else:
            X, off, ok = _design.new_design_matrix(self.design, newdata)
            eta = X @ self.params.to_numpy() + off
            eta[~ok] = np.nan
            index = newdata.index if isinstance(newdata, pd.DataFrame) else None
        vals = eta if which == "linear" else expit(eta)
        return pd.Series(vals, index=index, name=which)

    def summary(self):
        """A :class:`~logitstat.report.summary.Summary` with coefficients only, saying why there are no SEs."""
        from ...report.summary import Summary

        d = self.design
        kind = {"l1": "lasso (L1)", "l2": "ridge (L2)", "elasticnet": "elastic net"}[self.penalty]
        header = [
            ("Dep. variable:", d.event), ("No. observations:", f"{self.nobs:g}"),
            ("Model:", "Penalized logistic"), ("Penalty:", kind),
            ("alpha:", f"{self.alpha:.6g}"), ("l1_ratio:", f"{self.l1_ratio:g}"),
            ("Non-zero coefs:", f"{self.df_model} of {len(self.standardized_params)}"),
            ("Dev. ratio:", f"{self.dev_ratio:.4f}"),
            ("Log-likelihood:", f"{self.llf:.4f}"), ("Objective:", f"{self.objective:.6g}"),
            ("Converged:", f"yes, {self.n_iter} IRLS iterations" if self.converged else "NO"),
            ("Standardized:", "yes (1/n variance)" if self.standardize else "no"),
        ]
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        if self.class_weight_info:
            header.append(("Class weights:", self.class_weight_info))
        table = pd.DataFrame({"coef": self.params})
        if self.standardize:
            std = self.standardized_params.reindex(self.names)
            if "Intercept" in self.names:    # intercept of the model on centred columns
                pen = [n for n in self.names if n != "Intercept"]
                std["Intercept"] = (self.params["Intercept"]
                                    + float(self._path.std.center @ self.params[pen].to_numpy()))
            table["std. coef"] = std.to_numpy()
        notes = [NO_SE,
                 "Objective: -loglik/n + alpha*((1-l1_ratio)/2*||b||^2 + l1_ratio*||b||_1) on "
                 "standardized columns, intercept unpenalized (glmnet: lambda = alpha, "
                 "alpha = l1_ratio). std. coef = coefficient per standard deviation of the column "
                 "(the intercept's is at the column means)."]
        if self.class_weight_info:
            notes.append("Class weights change the estimand: the fit targets a reweighted "
                         "population, not the sampled one; predicted probabilities are not "
                         "calibrated to the data's prevalence.")
        if d.n_dropped:
            notes.append(f"{d.n_dropped} row(s) with missing values were dropped (listwise).")
        if not self.converged:
            notes.append("The coordinate-descent fit did not converge; the estimates may be unreliable.")
        return Summary(f"Penalized logistic regression results ({kind})", header, table, notes)

    def _display(self) -> Display:
        return Display(f"Penalized logistic regression ({self.penalty}): {self.design.event}", [
            ("alpha", number(self.alpha)), ("l1_ratio", number(self.l1_ratio)),
            ("non-zero", f"{self.df_model} of {len(self.standardized_params)}"),
            ("deviance", f"{self.deviance:.4f}"), ("converged", self.converged)],
            tables=[("Coefficients", self.params)], hint="(.summary() for the full table)")


class PathResults(Displayable, Persistable):
    """Coefficients along a path of penalty strengths (largest ``alpha`` first).

    ``coefs`` is a DataFrame indexed by ``alpha`` with one column per coefficient; ``fit(i)``
    gives the :class:`PenalizedResults` at the i-th alpha.
    """

    def __init__(self, design: _design.Design, path: penalized.PathFit, penalty: str,
                 l1_ratio: float, standardize: bool = True):
        self.design, self._path = design, path
        self.penalty, self.l1_ratio, self.standardize = penalty, l1_ratio, standardize

    @property
    def alphas(self) -> np.ndarray:
        return self._path.alphas

    @cached_property
    def coefs(self) -> pd.DataFrame:
        return pd.DataFrame(self._path.coef, index=pd.Index(self.alphas, name="alpha"),
                            columns=self.design.names)

    @property
    def dev_ratio(self) -> np.ndarray:
        return self._path.dev_ratio

    @property
    def df(self) -> np.ndarray:
        """Non-zero penalized coefficients at each alpha."""
        return np.count_nonzero(self._path.std_coef, axis=1)

    def fit(self, i: int) -> PenalizedResults:
        return PenalizedResults(self.design, self._path, i, self.penalty, self.l1_ratio, self.standardize)

    def plot(self, ax=None, standardized: bool = False):
        """Coefficient paths against log(alpha) (needs matplotlib); returns the Axes."""
        ax = _axes(ax)
        vals = self._path.std_coef if standardized else self.coefs.drop(
            columns=[c for c in ["Intercept"] if c in self.coefs]).to_numpy()
        names = [n for n in self.design.names if n != "Intercept"]
        for j, nm in enumerate(names):
            ax.plot(self.alphas, vals[:, j], label=nm)
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_xlabel("alpha (penalty strength, glmnet's lambda)")
        ax.set_ylabel("standardized coefficient" if standardized else "coefficient")
        ax.set_title(f"{self.penalty} path (l1_ratio = {self.l1_ratio:g})")
        ax.legend(fontsize="small")
        return ax

    def _display(self) -> Display:
        a = self.alphas
        table = pd.DataFrame({"nonzero": self.df, "dev_ratio": self.dev_ratio},
                             index=pd.Index(a, name="alpha"))
        return Display(f"Penalized path ({self.penalty}): {self.design.event}", [
            ("alphas", f"{len(a)}, from {number(a.max())} to {number(a.min())}"),
            ("l1_ratio", number(self.l1_ratio))], tables=[("Along the path", table)],
            hint="(.coefs for the coefficients, .fit(i) for the fit at the i-th alpha)")


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise LogitstatError("plotting needs matplotlib: pip install 'logitstat[plot]'") from None
    return plt.subplots()[1]


def _path_inputs(formula, data, eval_env, weights, offset, missing, class_weight, penalty,
                 l1_ratio) -> tuple[_design.Design, float, int | None,
                                    tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """What :func:`logit_path` and :func:`logit_cv` fit: the design (class weights applied), the
    L1 share, the intercept's column and the arrays ``(y, prior weights, offset)``.

    An integer ``eval_env`` counts stack frames from the caller of this function.
    """
    ratio = resolve_penalty(penalty, l1_ratio)
    env = _design.eval_environment(eval_env, 1)
    des = _design.from_formula(formula, data, env, weights=weights, offset=offset, missing=missing)
    if class_weight is not None:
        from ..classweighted.results import apply_class_weight
        des, _ = apply_class_weight(des, class_weight)
    icol = _check_design(des, "logit")
    return des, ratio, icol, _arrays(des)


def _path_args(alphas, n_alphas, min_ratio, tol):
    """Checked ``alphas`` (None or a float array), ``n_alphas``, ``min_ratio`` and ``tol``."""
    if alphas is not None:
        vals = [alphas] if np.ndim(alphas) == 0 and not isinstance(alphas, str) else alphas
        if isinstance(vals, str):
            vals = [vals]
        alphas = np.array([real_number(a, "alphas", low=0.0, hint="penalty strengths, glmnet's "
                                       "lambda values") for a in np.asarray(vals, dtype=object).ravel()])
        if alphas.size == 0:
            raise SpecificationError("alphas=[] is empty: give penalty strengths >= 0 (or None "
                                     "for glmnet's path)")
    n_alphas = whole_number(n_alphas, "n_alphas", low=1, hint="the length of the path")
    if min_ratio is not None:
        min_ratio = real_number(min_ratio, "min_ratio", low=0.0, high=1.0, low_open=True,
                                high_open=True, hint="smallest alpha as a share of the largest")
    tol = real_number(tol, "tol", low=0.0, high=1.0, low_open=True, high_open=True,
                      hint="the convergence tolerance")
    return alphas, n_alphas, min_ratio, tol


def logit_path(formula, data=None, *, penalty: str = "l1", l1_ratio: float | None = None,
               alphas=None, n_alphas: int = 100, min_ratio: float | None = None, weights=None,
               offset=None, missing: str = "drop", class_weight=None, standardize: bool = True,
               tol: float = 1e-10, eval_env: int | patsy.EvalEnvironment = 0) -> PathResults:
    """Fit penalized logistic regressions over a path of ``alpha`` values with warm starts.

    By default the path is glmnet's: ``n_alphas`` values from the smallest alpha that zeroes every
    coefficient down to ``min_ratio`` (1e-4, or 0.01 when columns outnumber rows) of it, stopped
    early once the deviance ratio stops improving (gain < 1e-5) or exceeds 0.999.
    """
    des, ratio, icol, (y, prior, off) = _path_inputs(
        formula, data, _design.eval_environment(eval_env, 1), weights, offset,
        missing, class_weight, penalty, l1_ratio)
    alphas, n_alphas, min_ratio, tol = _path_args(alphas, n_alphas, min_ratio, tol)
    fit = penalized.fit_path(des.X, y, prior, off, icol, ratio, alphas, n_alphas=n_alphas,
                             min_ratio=min_ratio, standardize_cols=standardize, tol=tol)
    return PathResults(des, fit, penalty, ratio, standardize)


class CVResults(Displayable, Persistable):
    """k-fold cross-validation of a penalized path (binomial deviance, glmnet's ``cv.glmnet``).

    ``cv_mean``/``cv_se`` are the fold-weighted mean deviance per observation and its standard
    error at each alpha; ``alpha_min`` minimizes it and ``alpha_1se`` is the largest alpha within
    one standard error of the minimum.  ``best`` is the full-data fit at ``alpha_min``.
    """

    def __init__(self, path: PathResults, cv_mean: np.ndarray, cv_se: np.ndarray, folds: np.ndarray):
        self.path, self.cv_mean, self.cv_se, self.folds = path, cv_mean, cv_se, folds
        a = path.alphas
        i_min = int(np.flatnonzero(cv_mean <= np.nanmin(cv_mean))[0])
        self.alpha_min = float(a[i_min])
        within = cv_mean <= cv_mean[i_min] + cv_se[i_min]
        self.alpha_1se = float(np.max(a[within]))
        self._i_min, self._i_1se = i_min, int(np.flatnonzero(a == self.alpha_1se)[0])

    @property
    def alphas(self) -> np.ndarray:
        return self.path.alphas

    @property
    def best(self) -> PenalizedResults:
        return self.path.fit(self._i_min)

    @property
    def best_1se(self) -> PenalizedResults:
        return self.path.fit(self._i_1se)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame({"cv_deviance": self.cv_mean, "cv_se": self.cv_se,
                             "nonzero": self.path.df}, index=pd.Index(self.alphas, name="alpha"))

    def plot(self, ax=None):
        """Cross-validated deviance (± 1 SE) against alpha (needs matplotlib)."""
        ax = _axes(ax)
        ax.errorbar(self.alphas, self.cv_mean, yerr=self.cv_se, fmt="o", ms=3, capsize=2)
        ax.set_xscale("log")
        ax.invert_xaxis()
        for a, ls_ in ((self.alpha_min, "--"), (self.alpha_1se, ":")):
            ax.axvline(a, color="grey", ls=ls_)
        ax.set_xlabel("alpha")
        ax.set_ylabel("cross-validated binomial deviance")
        return ax

    def __str__(self) -> str:
        return (f"{len(np.unique(self.folds))}-fold cross-validation over "
                f"{len(self.alphas)} alphas (l1_ratio={self.path.l1_ratio:g}): alpha_min = "
                f"{self.alpha_min:.6g} (deviance {self.cv_mean[self._i_min]:.5g}), alpha_1se = "
                f"{self.alpha_1se:.6g}")

    def _display(self) -> Display:
        return Display(f"{len(np.unique(self.folds))}-fold cross-validation "
                       f"({self.path.penalty}, l1_ratio={self.path.l1_ratio:g})", [
            ("alpha_min", f"{self.alpha_min:.6g} (deviance {self.cv_mean[self._i_min]:.5g}, "
                          f"{self.path.df[self._i_min]} non-zero)"),
            ("alpha_1se", f"{self.alpha_1se:.6g} (deviance {self.cv_mean[self._i_1se]:.5g}, "
                          f"{self.path.df[self._i_1se]} non-zero)"),
            ("alphas", len(self.alphas))], tables=[("Cross-validated deviance", self.table())],
            hint="(.table() for every alpha, .best / .best_1se for the fits)")


def logit_cv(formula, data=None, *, penalty: str = "l1", l1_ratio: float | None = None,
             alphas=None, n_alphas: int = 100, n_folds: int = 10, folds=None, seed=0,
             weights=None, offset=None, missing: str = "drop", class_weight=None,
             standardize: bool = True, tol: float = 1e-10,
             eval_env: int | patsy.EvalEnvironment = 0) -> CVResults:
    r"""Choose ``alpha`` by k-fold cross-validation of the binomial deviance (as ``cv.glmnet``).

    The path is fitted on all rows (see :func:`logit_path`); each fold is refitted on the other
    folds at the same alphas and scored on its own rows by the deviance per observation
    :math:`2\sum_i \omega_i[y_i\log(y_i/\hat p_i) + (1-y_i)\log((1-y_i)/(1-\hat p_i))] /
    \sum_i \omega_i`, with :math:`\hat p` clipped to :math:`[10^{-5}, 1-10^{-5}]` (glmnet's rule).
    ``cv_mean`` is the average over folds weighted by their total weight and ``cv_se`` =
    :math:`\sqrt{\mathrm{weighted\ var}/(K-1)}`.

    Parameters
    ----------
    folds : array-like, optional
        Fold label of every row of ``data`` (e.g. 1..K); by default rows are assigned to
        ``n_folds`` folds at random (``seed``), as evenly as possible.
    """
    des, ratio, icol, (y, prior, off) = _path_inputs(
        formula, data, _design.eval_environment(eval_env, 1), weights, offset,
        missing, class_weight, penalty, l1_ratio)
    alphas, n_alphas, _, tol = _path_args(alphas, n_alphas, None, tol)
    if folds is None:
        n_folds = whole_number(n_folds, "n_folds", low=3, hint="the number of folds")
    full = penalized.fit_path(des.X, y, prior, off, icol, ratio, alphas, n_alphas=n_alphas,
                              standardize_cols=standardize, tol=tol)
    n = len(y)
    if folds is None:
        rng = np.random.default_rng(seed)
        labels = rng.permutation(np.arange(n) % n_folds)
    else:
        labels = np.asarray(folds)
        if labels.shape[0] == len(data) and labels.shape[0] != n:
            pos = pd.Index(data.index).get_indexer(des.row_labels)
            labels = labels[pos]
        if labels.shape[0] != n:
            raise DataError(f"folds must give one label per row of data ({n} rows used)")
    uniq = np.unique(labels)
    if len(uniq) < 3:
        raise SpecificationError(f"cross-validation needs at least 3 folds; got {len(uniq)}")
    dev = np.zeros((len(uniq), len(full.alphas)))
    fold_w = np.zeros(len(uniq))
    for f, lab in enumerate(uniq):
        test = labels == lab
        fit = penalized.fit_path(des.X[~test], y[~test], prior[~test], off[~test], icol, ratio,
                                 full.alphas, standardize_cols=standardize, tol=tol)
        eta = des.X[test] @ fit.coef.T + off[test][:, None]
        p = np.clip(expit(eta), 1e-5, 1 - 1e-5)
        yt, wt = y[test][:, None], prior[test]
        contrib = 2.0 * (xlogy(yt, yt) + xlogy(1 - yt, 1 - yt) - yt * np.log(p) - (1 - yt) * np.log1p(-p))
        dev[f] = wt @ contrib / wt.sum()
        fold_w[f] = wt.sum()
    cvm = fold_w @ dev / fold_w.sum()
    cvsd = np.sqrt(fold_w @ (dev - cvm) ** 2 / fold_w.sum() / (len(uniq) - 1))
    return CVResults(PathResults(des, full, penalty, ratio, standardize), cvm, cvsd, labels)


def __getattr__(name: str):
    """``fit_penalized``, now in :mod:`logitstat.models.penalized.fit` (imported on first use:
    that module builds on this one)."""
    if name == "fit_penalized":
        from .fit import fit_penalized
        return fit_penalized
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
