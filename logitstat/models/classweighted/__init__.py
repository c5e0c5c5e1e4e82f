"""Class-weighted logistic fits (re-weighted classes, sandwich covariance)."""
