"""Binary logit/probit/cloglog models fitted by IRLS: the fit, :class:`BinaryResults`, its
diagnostics mixin, column scaling and the statsmodels-compatible surface."""
