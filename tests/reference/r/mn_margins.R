# Average marginal effects of a multinomial logit through a transformed column, in R.
#
# nnet::multinom(vote ~ age + I(age^2) + sex + statusquo) on carData::Chile (rows with a missing
# value dropped, as na.omit).  The effect of age on each outcome's probability is the average
# over rows of d p_k / d age, through BOTH columns age and I(age^2): here a numerical derivative
# (numDeriv, Richardson) of the mean predicted probabilities when every row's age moves by h,
# the design rebuilt by model.matrix (so I(age^2) moves too).  sex: the average discrete change
# from F to M.  Standard errors: delta method with a numerical Jacobian (numDeriv) of those
# averages in the coefficients and the inverse Fisher information.
#
# multinom's BFGS (reltol 1e-14) is polished by Newton steps on the analytic log-likelihood
# before anything is computed (multinom alone is accurate to ~1e-6).
#
# Run from the repository root:  Rscript tests/reference/r/mn_margins.R
# Writes tests/reference/data/mn_margins_chile.json (data: tests/reference/data/judge3/chile.csv,
# written by judge_cases3.R from carData::Chile).
suppressPackageStartupMessages({ library(jsonlite); library(nnet); library(numDeriv) })
chile <- read.csv("tests/reference/data/judge3/chile.csv", stringsAsFactors = TRUE,
                  na.strings = "")
f <- vote ~ age + I(age^2) + sex + statusquo
m <- multinom(f, data = chile, reltol = 1e-14, maxit = 1000, trace = FALSE)
# the complete rows of the data (not model.frame(m): it holds I(age^2) as a column of its own,
# which model.matrix would then not recompute when age moves)
cc <- chile[complete.cases(chile[, c("vote", "age", "sex", "statusquo")]), ]
lev <- levels(cc$vote)
X <- model.matrix(m)
stopifnot(nrow(X) == nrow(cc), max(abs(model.matrix(delete.response(terms(m)), cc) - X)) == 0)
Y <- outer(as.integer(cc$vote), seq_along(lev), "==") * 1
p <- ncol(X); K1 <- length(lev) - 1

probs <- function(b, Xm) {            # b: outcome-major stacked coefficients of outcomes 2..K
  eta <- cbind(0, Xm %*% matrix(b, p, K1))
  P <- exp(eta - apply(eta, 1, max))
  P / rowSums(P)
}
information <- function(b) {
  P <- probs(b, X)[, -1, drop = FALSE]
  I <- matrix(0, p * K1, p * K1)
  for (k in 1:K1) for (l in 1:K1)
    I[(k - 1) * p + 1:p, (l - 1) * p + 1:p] <- crossprod(X, P[, k] * ((k == l) - P[, l]) * X)
  I
}
b <- as.vector(t(coef(m)))            # coef(m) is (K-1) x p
b_nnet <- b
for (it in 1:30) {
  score <- as.vector(crossprod(X, Y[, -1] - probs(b, X)[, -1]))
  step <- solve(information(b), score)
  b <- b + step
  if (max(abs(step)) < 1e-13) break
}
V <- solve(information(b))

design_at <- function(age_shift = 0, sex = NULL) {
  nd <- cc
  nd$age <- nd$age + age_shift
  if (!is.null(sex)) nd$sex <- factor(rep(sex, nrow(nd)), levels = levels(cc$sex))
  model.matrix(delete.response(terms(m)), nd)
}
# d p_k / d age = p_k (d_k - sum_l p_l d_l), d_k = b_age,k + 2 age b_age2,k (b_base = 0): the
# chain rule through both columns in closed form, so that the Jacobian in b below is accurate
# (a numerical Jacobian of a numerical derivative loses ~2 digits on the tiny age^2 coefficient).
ame_age <- function(bb) {
  P <- probs(bb, X)
  Bm <- cbind(0, matrix(bb, p, K1, dimnames = list(colnames(X), NULL)))
  dk <- outer(rep(1, nrow(X)), Bm["age", ]) + outer(2 * cc$age, Bm["I(age^2)", ])
  colMeans(P * (dk - rowSums(P * dk)))
}
ame_age_numeric <- jacobian(function(h) colMeans(probs(b, design_at(h))), 0)[, 1]
ame_sex <- function(bb) colMeans(probs(bb, design_at(sex = "M"))) - colMeans(probs(bb, design_at(sex = "F")))
out <- list()
for (v in c("age", "sex")) {
  fun <- if (v == "age") ame_age else ame_sex
  J <- jacobian(fun, b)
  out[[v]] <- list(effect = fun(b), se = sqrt(diag(J %*% V %*% t(J))))
}
stopifnot(max(abs(ame_age_numeric - ame_age(b))) < 1e-9)
res <- list(
  versions = list(R = R.version.string, nnet = as.character(packageVersion("nnet")),
                  numDeriv = as.character(packageVersion("numDeriv"))),
  formula = "vote ~ age + I(age**2) + sex + statusquo", outcomes = lev, nobs = nrow(X),
  coef_maxdiff_nnet = max(abs(b - b_nnet)),
  ame = out, ame_age_numeric = ame_age_numeric,
  ame_nnet_predict = {   # the same age effect from multinom's own predict() (central difference)
    h <- 1e-3; up <- cc; up$age <- up$age + h; dn <- cc; dn$age <- dn$age - h
    colMeans(predict(m, up, type = "probs") - predict(m, dn, type = "probs")) / (2 * h)
  })
write_json(res, "tests/reference/data/mn_margins_chile.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
