"""Multinomial logit: Newton fit, results, covariance, margins and profile intervals."""
