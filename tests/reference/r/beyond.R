# Reference values for logitstat's "beyond the binary fit" features (issue 7):
# multinomial logit (nnet::multinom), penalized logistic regression (glmnet) and its
# cross-validation (cv.glmnet).  Run from the repository root:
#
#     Rscript tests/reference/r/beyond.R
#
# Writes tests/reference/data/{womenlf.csv, mroz.csv, mnlogit_womenlf.json, glmnet_mroz.json,
# classweight_mroz.json}.
# Made with R 4.2.2, nnet 7.3-18, glmnet 4.1-6, carData 3.0-5, sandwich, numDeriv, jsonlite
# (the versions are also written into every JSON file).
suppressPackageStartupMessages({
  library(jsonlite); library(nnet); library(glmnet); library(carData); library(numDeriv)
  library(sandwich)
})
out <- "tests/reference/data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
versions <- list(R = R.version.string, nnet = as.character(packageVersion("nnet")),
                 glmnet = as.character(packageVersion("glmnet")),
                 carData = as.character(packageVersion("carData")),
                 numDeriv = as.character(packageVersion("numDeriv")),
                 sandwich = as.character(packageVersion("sandwich")))
write_json <- function(x, file) {
  writeLines(toJSON(x, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", pretty = TRUE),
             file.path(out, file))
}
col_spec <- function(df) lapply(df, function(v) {
  if (is.factor(v)) list(kind = "categorical", levels = levels(v)) else list(kind = "numeric")
})

# ------------------------------------------------------------------ multinomial logit
d <- carData::Womenlf
write.csv(d, file.path(out, "womenlf.csv"), row.names = FALSE)

softmax_probs <- function(B, X) {            # B: (K-1) x p, base outcome first (eta = 0)
  E <- cbind(0, X %*% t(B))
  E <- exp(E - apply(E, 1, max))
  E / rowSums(E)
}
fisher_info <- function(B, X, w = rep(1, nrow(X))) {
  # Analytic Fisher information of the multinomial logit, blocks (k, l):
  # sum_i w_i p_ik (1{k=l} - p_il) x_i x_i'  over non-base outcomes, ordered outcome-major.
  P <- softmax_probs(B, X)[, -1, drop = FALSE]
  K1 <- ncol(P); p <- ncol(X)
  I <- matrix(0, K1 * p, K1 * p)
  for (k in 1:K1) for (l in 1:K1) {
    v <- w * P[, k] * ((k == l) - P[, l])
    I[(k - 1) * p + 1:p, (l - 1) * p + 1:p] <- crossprod(X, v * X)
  }
  I
}
loglik <- function(B, X, Y, w = rep(1, nrow(X))) {
  P <- softmax_probs(B, X)
  sum(w * rowSums(Y * log(P)))
}
newton_polish <- function(B, X, Y, w = rep(1, nrow(X)), steps = 3) {
  # A few Newton steps from multinom's optimum, to remove BFGS's last digits of error.
  for (s in 1:steps) {
    P <- softmax_probs(B, X)
    G <- as.vector(crossprod(X, w * (Y[, -1, drop = FALSE] - P[, -1, drop = FALSE])))  # p x (K-1)
    step <- solve(fisher_info(B, X, w), G)
    B <- B + t(matrix(step, ncol(X)))
  }
  B
}

mn_case <- function(data, formula, base, weights = NULL) {
  data$partic <- relevel(data$partic, ref = base)
  f <- as.formula(formula)
  if (is.null(weights)) {
    m <- multinom(f, data = data, reltol = 1e-14, maxit = 1000, trace = FALSE, Hess = TRUE)
    w <- rep(1, nrow(data))
  } else {
    data$.w <- weights
    m <- multinom(f, data = data, weights = .w, reltol = 1e-14, maxit = 1000, trace = FALSE,
                  Hess = TRUE)
    w <- weights
  }
  X <- model.matrix(f, data)
  lev <- levels(data$partic)
  Y <- sapply(lev, function(l) as.numeric(data$partic == l))
  B_nnet <- coef(m)
  if (is.null(dim(B_nnet))) B_nnet <- matrix(B_nnet, 1, dimnames = list(lev[2], names(B_nnet)))
  B <- newton_polish(B_nnet, X, Y, w)
  dimnames(B) <- dimnames(B_nnet)
  V <- solve(fisher_info(B, X, w))
  se <- matrix(sqrt(diag(V)), nrow(B), byrow = TRUE)
  m0 <- multinom(partic ~ 1, data = data, weights = w, reltol = 1e-14, maxit = 1000,
                 trace = FALSE)
  nd <- data[c(1, 50, 100, 150, 263), ]
  res <- list(
    versions = versions, formula = formula, base = base, levels = lev,
    columns = col_spec(carData::Womenlf),
    coef_names = colnames(B), outcomes = rownames(B),
    params_nnet = unname(B_nnet), params = unname(B), bse = unname(se),
    bse_nnet = unname(matrix(sqrt(diag(vcov(m))), nrow(B), byrow = TRUE)),
    cov_params = unname(V),                      # outcome-major: all of outcome 1, then 2, ...
    llf = loglik(B, X, Y, w), llf_nnet = as.numeric(logLik(m)), deviance = deviance(m),
    aic = AIC(m), llnull = as.numeric(logLik(m0)),
    predict_rows = c(1, 50, 100, 150, 263) - 1,
    predict_probs = unname(predict(m, newdata = nd, type = "probs"))
  )
  res
}

mn <- mn_case(d, "partic ~ hincome + children + region", "fulltime")
mn_nw <- mn_case(d, "partic ~ hincome + children + region", "not.work")

# Wald test (base not.work): every region coefficient of both equations = 0.
B <- mn_nw$params; V <- mn_nw$cov_params; p <- ncol(B); K1 <- nrow(B)
idx <- c(outer(grep("^region", mn_nw$coef_names), (0:(K1 - 1)) * p, "+"))
b <- as.vector(t(B))
W <- as.numeric(t(b[idx]) %*% solve(V[idx, idx]) %*% b[idx])
mn_nw$wald_region <- list(statistic = W, df = length(idx),
                          pvalue = pchisq(W, length(idx), lower.tail = FALSE))
# LR test of region, with nnet's own fits (anova.multinom).
dd <- d; dd$partic <- relevel(dd$partic, ref = "not.work")
m_full <- multinom(partic ~ hincome + children + region, data = dd, reltol = 1e-14, maxit = 1000,
                   trace = FALSE)
m_red <- multinom(partic ~ hincome + children, data = dd, reltol = 1e-14, maxit = 1000,
                  trace = FALSE)
a <- anova(m_red, m_full)
mn_nw$lr_region <- list(statistic = a[2, "LR stat."], df = a[2, "   Df"],
                        pvalue = a[2, "Pr(Chi)"], llf_restricted = as.numeric(logLik(m_red)))

# Average marginal effects (base not.work): the derivative formula, checked against numerical
# derivatives of the mean predicted probabilities (numDeriv), and delta-method standard errors
# from a numerical Jacobian (numDeriv) of the average effects in the coefficients.
X <- model.matrix(partic ~ hincome + children + region, dd)
ame_fun <- function(bvec, what) {
  Bm <- matrix(bvec, K1, byrow = TRUE)
  if (what == "hincome") {      # d p_k / d x = p_k (b_k - sum_l p_l b_l), b_base = 0
    P <- softmax_probs(Bm, X)
    bj <- c(0, Bm[, which(colnames(X) == "hincome")])
    return(colMeans(P * (matrix(bj, nrow(X), K1 + 1, byrow = TRUE) - drop(P %*% bj))))
  }
  X1 <- X; X1[, "childrenpresent"] <- 1
  X0 <- X; X0[, "childrenpresent"] <- 0
  colMeans(softmax_probs(Bm, X1)) - colMeans(softmax_probs(Bm, X0))
}
ame <- list()
# The hincome effect itself also from numerical derivatives of the mean predicted probabilities.
g_h <- function(h) { X2 <- X; X2[, "hincome"] <- X2[, "hincome"] + h
  colMeans(softmax_probs(matrix(b, K1, byrow = TRUE), X2)) }
ame_numeric_hincome <- numDeriv::jacobian(g_h, 0)[, 1]
stopifnot(max(abs(ame_numeric_hincome - ame_fun(b, "hincome"))) < 1e-9)
for (v in c("hincome", "childrenpresent")) {
  e <- ame_fun(b, sub("childrenpresent", "children", v))
  J <- numDeriv::jacobian(function(bb) ame_fun(bb, sub("childrenpresent", "children", v)), b)
  ame[[v]] <- list(effect = e, se = sqrt(diag(J %*% V %*% t(J))))
}
ame$hincome$effect_numeric <- ame_numeric_hincome
mn_nw$ame <- ame                               # per outcome, in levels order (base first)

# Frequency weights: a weighted fit (weights 1..3 cycling) equals the fit on repeated rows.
w <- rep(c(1, 2, 3), length.out = nrow(d))
mn_w <- mn_case(d, "partic ~ hincome + children", "not.work", weights = w)

# Two outcomes: multinom and glm agree (full-time vs not working).
write_json(list(fulltime_base = mn, notwork_base = mn_nw, weighted = mn_w), "mnlogit_womenlf.json")

# ------------------------------------------------------------------ glmnet
mroz <- read.csv("logitstat/datasets/mroz.csv", stringsAsFactors = TRUE)
mroz$lfp <- factor(mroz$lfp, levels = c("no", "yes"))
mroz$wc <- factor(mroz$wc, levels = c("no", "yes")); mroz$hc <- factor(mroz$hc, levels = c("no", "yes"))
write.csv(mroz, file.path(out, "mroz.csv"), row.names = FALSE)
Xm <- model.matrix(lfp ~ k5 + k618 + age + wc + hc + lwg + inc, mroz)[, -1]
ym <- mroz$lfp
paths <- list()
for (a in c(1, 0.5, 0)) {
  fit <- glmnet(Xm, ym, family = "binomial", alpha = a, thresh = 1e-14, maxit = 1e6,
                standardize = TRUE, intercept = TRUE)
  keep <- seq(1, length(fit$lambda), by = max(1, floor(length(fit$lambda) / 12)))
  cf <- as.matrix(coef(fit))
  paths[[as.character(a)]] <- list(
    l1_ratio = a, lambda_all = fit$lambda, lambda = fit$lambda[keep],
    coef = unname(t(cf[, keep])), dev_ratio = fit$dev.ratio[keep], nulldev = fit$nulldev)
}
# Weighted elastic net (weights 1..3 cycling), four lambdas.
wm <- rep(c(1, 2, 3), length.out = nrow(mroz))
fw <- glmnet(Xm, ym, family = "binomial", alpha = 0.5, weights = wm, thresh = 1e-14, maxit = 1e6,
             lambda = c(0.1, 0.03, 0.01, 0.001))
weighted <- list(lambda = fw$lambda, coef = unname(t(as.matrix(coef(fw)))))
# Cross-validation with fixed folds 1..5 cycling over the rows, on the alpha = 0.5 path.
foldid <- rep(1:5, length.out = nrow(mroz))
lam <- paths[["0.5"]]$lambda_all[1:40]
cv <- cv.glmnet(Xm, ym, family = "binomial", alpha = 0.5, lambda = lam, foldid = foldid,
                type.measure = "deviance", thresh = 1e-14, maxit = 1e6)
cvres <- list(lambda = cv$lambda, cvm = cv$cvm, cvsd = cv$cvsd, lambda_min = cv$lambda.min,
              lambda_1se = cv$lambda.1se, foldid = foldid)
write_json(list(versions = versions, formula = "lfp ~ k5 + k618 + age + wc + hc + lwg + inc",
                coef_names = rownames(as.matrix(coef(fw))), columns = col_spec(mroz),
                paths = paths, weighted = weighted, cv = cvres), "glmnet_mroz.json")

# ------------------------------------------------------------------ class weights
# scikit-learn's "balanced" weights n / (2 * n_c), computed by hand, as glm prior weights;
# sandwich::vcovHC on such a glm uses scores w_i (y_i - mu_i) x_i: the class-weight sandwich.
cw_case <- function(w0, w1) {
  w <- ifelse(mroz$lfp == "yes", w1, w0)
  fit <- suppressWarnings(glm(lfp ~ k5 + k618 + age + wc + hc + lwg + inc, data = mroz,
                              family = binomial, weights = w,
                              control = glm.control(epsilon = 1e-12, maxit = 100)))
  list(w0 = w0, w1 = w1, coef_names = names(coef(fit)), params = unname(coef(fit)),
       bse_nonrobust = unname(sqrt(diag(vcov(fit)))),
       bse_HC0 = unname(sqrt(diag(vcovHC(fit, type = "HC0")))),
       bse_HC1 = unname(sqrt(diag(vcovHC(fit, type = "HC1")))),
       bse_HC3 = unname(sqrt(diag(vcovHC(fit, type = "HC3")))))
}
n <- nrow(mroz); n1 <- sum(mroz$lfp == "yes"); n0 <- n - n1
write_json(list(versions = versions, balanced = cw_case(n / (2 * n0), n / (2 * n1)),
                mapping = cw_case(1, 3)), "classweight_mroz.json")
cat("wrote", out, "\n")
