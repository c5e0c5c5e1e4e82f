# Third round of judging logitstat: the multinomial logit and the penalized fits on data that
# tests/reference/r/beyond.R does not use, and the reference values of the regression tests this
# round led to.
#
# R 4.2.2, nnet 7.3-18, glmnet 4.1-6, MASS 7.3-58.2, carData 3.0-5, jsonlite 1.8.4.
#
# Run from the repository root:
#   Rscript tests/reference/r/judge_cases3.R
# Writes tests/reference/data/judge3/{chile.csv, housing.csv, pima.csv} and
#   mnlogit_chile.json    nnet::multinom on carData::Chile (4 outcomes, scattered missing values),
#                         base "A" (R's default) and base "Y" (relevel)
#   mnlogit_housing.json  nnet::multinom(Sat ~ Infl + Type + Cont, weights = Freq) on
#                         MASS::housing, the classic example of MASS ch. 7.3 (frequency weights,
#                         an ordered response whose levels are not in alphabetical order)
#   glmnet_pima.json      glmnet(family = "binomial", thresh = 1e-14) on MASS::Pima.tr with a
#                         3-level factor: lasso, ridge and elastic net at fixed lambdas; fractional
#                         weights; an offset; standardize = FALSE; intercept = FALSE; grouped
#                         (successes, failures) rows
suppressPackageStartupMessages({
  library(jsonlite); library(nnet); library(glmnet); library(MASS); library(carData)
})
out <- "tests/reference/data/judge3"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
versions <- list(R = R.version.string, nnet = as.character(packageVersion("nnet")),
                 glmnet = as.character(packageVersion("glmnet")),
                 MASS = as.character(packageVersion("MASS")),
                 carData = as.character(packageVersion("carData")))

# ------------------------------------------------------------------ multinomial logit
# multinom's BFGS stops a few digits short of the optimum even with reltol = 1e-12; a few Newton
# steps on the analytic log-likelihood (Fisher information = observed information for the
# canonical multinomial logit) polish its estimate, and the standard errors are the inverse
# information at the polished optimum.  Both are checked against multinom's own coef() and
# vcov() (which agree to ~1e-6).
mn_info <- function(X, B, w) {
  eta <- cbind(0, X %*% B); P <- exp(eta - apply(eta, 1, max)); P <- P / rowSums(P)
  P <- P[, -1, drop = FALSE]; K1 <- ncol(B); p <- ncol(X)
  I <- matrix(0, p * K1, p * K1)
  for (k in 1:K1) for (l in 1:K1) {
    d <- w * P[, k] * ((k == l) - P[, l])
    I[(k - 1) * p + 1:p, (l - 1) * p + 1:p] <- crossprod(X, d * X)
  }
  list(I = I, P = P)
}
mn_polish <- function(X, Y, B, w) {
  for (it in 1:20) {
    f <- mn_info(X, B, w)
    g <- as.vector(crossprod(X, w * (Y - f$P)))
    step <- solve(f$I, g)
    B <- B + matrix(step, ncol(X))
    if (max(abs(step)) < 1e-13) break
  }
  f <- mn_info(X, B, w)
  list(B = B, V = solve(f$I))
}
mn_case <- function(formula, data, weights = NULL) {
  data$.w <- if (is.null(weights)) 1 else weights
  m <- multinom(as.formula(formula), data = data, weights = .w, reltol = 1e-12, maxit = 1000,
                trace = FALSE, Hess = TRUE, model = TRUE)
  mf <- model.frame(m); X <- model.matrix(m); yf <- model.response(mf)
  w <- model.weights(mf); if (is.null(w)) w <- rep(1, nrow(X))
  Y <- outer(as.integer(yf), 2:nlevels(yf), "==") * 1
  pol <- mn_polish(X, Y, t(coef(m)), w)
  dimnames(pol$B) <- list(colnames(X), levels(yf)[-1])
  se <- matrix(sqrt(diag(pol$V)), ncol(X), dimnames = dimnames(pol$B))
  eta <- cbind(0, X %*% pol$B); ll <- sum(w * (rowSums(cbind(1 - rowSums(Y), Y) * eta) -
                                               log(rowSums(exp(eta)))))
  list(formula = formula, outcomes = levels(yf), base = levels(yf)[1], nobs = sum(w),
       n_rows = nrow(X), names = colnames(X),
       coef = lapply(levels(yf)[-1], function(k) unname(pol$B[, k])),
       se = lapply(levels(yf)[-1], function(k) unname(se[, k])),
       loglik = ll, deviance = -2 * ll,
       multinom_coef_maxdiff = max(abs(t(coef(m)) - pol$B)),
       multinom_se_maxdiff = max(abs(sqrt(diag(vcov(m))) - as.vector(se))))
}

chile <- Chile[, c("vote", "region", "age", "sex", "education", "income", "statusquo")]
write.csv(chile, file.path(out, "chile.csv"), row.names = FALSE, na = "")
f_chile <- "vote ~ age + sex + education + I(income/10000) + statusquo"
chile_a <- mn_case(f_chile, chile)
chile_y <- chile; chile_y$vote <- relevel(chile_y$vote, ref = "Y")
chile_b <- mn_case(f_chile, chile_y)
write_json(list(versions = versions, n_complete = sum(complete.cases(chile[, -2])),
                base_A = chile_a, base_Y = chile_b),
           file.path(out, "mnlogit_chile.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

housing <- MASS::housing
write.csv(housing, file.path(out, "housing.csv"), row.names = FALSE)
hous <- mn_case("Sat ~ Infl + Type + Cont", housing, weights = housing$Freq)
write_json(list(versions = versions, sat_levels = levels(housing$Sat), fit = hous),
           file.path(out, "mnlogit_housing.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)

# ------------------------------------------------------------------ glmnet
pima <- MASS::Pima.tr
pima$agegrp <- cut(pima$age, c(0, 25, 35, Inf), labels = c("young", "mid", "old"))
pima$w <- rep(c(0.5, 1, 2.5), length.out = nrow(pima))
pima$off <- round(seq(-0.5, 0.5, length.out = nrow(pima)), 3)
write.csv(pima, file.path(out, "pima.csv"), row.names = FALSE)
X <- model.matrix(~ npreg + glu + bp + skin + bmi + ped + agegrp, pima)[, -1]
y <- as.integer(pima$type == "Yes")
lams <- c(0.2, 0.05, 0.01, 0.001)
gcase <- function(a, ...) {
  fit <- glmnet(X, y, family = "binomial", alpha = a, lambda = lams, thresh = 1e-14,
                maxit = 1e7, ...)
  list(l1_ratio = a, lambda = fit$lambda, names = rownames(coef(fit)),
       coef = unname(lapply(seq_along(lams), function(i) as.vector(coef(fit)[, i]))),
       dev_ratio = fit$dev.ratio)
}
glm_mle <- coef(glm(type ~ npreg + glu + bp + skin + bmi + ped + agegrp, binomial, pima,
                    control = glm.control(epsilon = 1e-14, maxit = 100)))
# grouped rows: per agegrp x npreg>2 cell, successes and failures against the cell's mean glu
pima$hi <- as.integer(pima$npreg > 2)
cells <- aggregate(cbind(yes = type == "Yes", no = type == "No", glu) ~ agegrp + hi, pima,
                   function(v) if (is.logical(v)) sum(v) else mean(v))
cells <- cells[order(cells$agegrp, cells$hi), ]
write.csv(cells, file.path(out, "pima_cells.csv"), row.names = FALSE)
Xc <- model.matrix(~ agegrp + hi + glu, cells)[, -1]
gfit <- glmnet(Xc, cbind(cells$no, cells$yes), family = "binomial", alpha = 0.3,
               lambda = c(0.05, 0.005), thresh = 1e-14, maxit = 1e7)
write_json(list(
  versions = versions, formula = "type ~ npreg + glu + bp + skin + bmi + ped + agegrp",
  l1 = gcase(1), l2 = gcase(0), enet = gcase(0.35),
  weighted = gcase(0.6, weights = pima$w),
  offset = gcase(0.5, offset = pima$off),
  unstandardized = gcase(0.8, standardize = FALSE),
  no_intercept = gcase(0.7, intercept = FALSE),
  grouped = list(formula = "yes + no ~ agegrp + hi + glu", l1_ratio = 0.3, lambda = gfit$lambda,
                 names = rownames(coef(gfit)),
                 coef = unname(lapply(1:2, function(i) as.vector(coef(gfit)[, i])))),
  mle = list(names = names(glm_mle), coef = unname(glm_mle))),
  file.path(out, "glmnet_pima.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
