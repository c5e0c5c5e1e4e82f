# Reference values for the multinomial logit's robust / cluster-robust covariances and profile-
# likelihood intervals (issue 14, item 4).  R 4.2.2, nnet 7.3-18, sandwich 3.0.2, jsonlite.
#
# Run from the repository root:   Rscript tests/reference/r/mnlogit_robust.R
# Reads tests/reference/data/womenlf.csv (carData::Womenlf); writes
# tests/reference/data/mnlogit_robust.json.
#
# sandwich has no methods for nnet::multinom, so the covariances are built here from multinom's
# fit (polished by Newton steps on the analytic log-likelihood, as in judge_cases3.R): the score
# contributions of row i are (y_ik - p_ik) x_i for the non-base outcomes k (stacked
# outcome-major), the bread is the inverse information.  The cluster versions are computed by
# sandwich::vcovCL itself through estfun()/bread() methods for that fit (so that its G/(G-1),
# HC1 and two-way conventions are sandwich's own).  Profile intervals: for every parameter the
# constrained maximum (that parameter fixed, Newton on the others, written here) and uniroot
# (tol 1e-12) on the signed root of the likelihood-ratio statistic.
suppressPackageStartupMessages({ library(nnet); library(sandwich); library(jsonlite) })
versions <- list(R = R.version.string, nnet = as.character(packageVersion("nnet")),
                 sandwich = as.character(packageVersion("sandwich")),
                 jsonlite = as.character(packageVersion("jsonlite")))
df <- read.csv("tests/reference/data/womenlf.csv", stringsAsFactors = TRUE)
m <- multinom(partic ~ hincome + children + region, data = df, reltol = 1e-12, maxit = 1000,
              trace = FALSE, Hess = TRUE)
X <- model.matrix(m); y <- df$partic
Y <- outer(as.integer(y), 2:nlevels(y), "==") * 1
p <- ncol(X); K1 <- ncol(Y); n <- nrow(X); k <- p * K1

probs <- function(B) { eta <- cbind(0, X %*% B); P <- exp(eta - apply(eta, 1, max)); P / rowSums(P) }
loglik <- function(B) { eta <- cbind(0, X %*% B); m <- apply(eta, 1, max)
  sum(rowSums(cbind(1 - rowSums(Y), Y) * eta) - m - log(rowSums(exp(eta - m)))) }
info <- function(B) {
  P <- probs(B)[, -1, drop = FALSE]; I <- matrix(0, k, k)
  for (a in 1:K1) for (b in 1:K1)
    I[(a - 1) * p + 1:p, (b - 1) * p + 1:p] <- crossprod(X, P[, a] * ((a == b) - P[, b]) * X)
  I
}
score <- function(B) as.vector(crossprod(X, Y - probs(B)[, -1, drop = FALSE]))
B <- t(coef(m))
for (it in 1:30) { st <- solve(info(B), score(B)); B <- B + matrix(st, p); if (max(abs(st)) < 1e-14) break }
V <- solve(info(B)); theta <- as.vector(B); llhat <- loglik(B)

R <- Y - probs(B)[, -1, drop = FALSE]
S <- do.call(cbind, lapply(1:K1, function(a) R[, a] * X))
fit <- structure(list(S = S, V = V, n = n), class = "mnref")
estfun.mnref <- function(x, ...) x$S
bread.mnref <- function(x, ...) x$V * x$n
HC0 <- sandwich(fit)
HC1 <- HC0 * n / (n - k)
cl <- list(
  hincome_HC0 = vcovCL(fit, cluster = df$hincome, type = "HC0"),
  hincome_HC1 = vcovCL(fit, cluster = df$hincome, type = "HC1"),
  hincome_nocadjust = vcovCL(fit, cluster = df$hincome, type = "HC0", cadjust = FALSE),
  two_way_HC0 = vcovCL(fit, cluster = df[, c("region", "hincome")], type = "HC0"),
  two_way_HC1_multi0 = vcovCL(fit, cluster = df[, c("region", "hincome")], type = "HC1", multi0 = TRUE))
# the same by hand (rowsum of the scores), as a check of the estfun/bread route
U <- rowsum(S, df$hincome); G <- nrow(U)
stopifnot(max(abs(cl$hincome_HC0 - G / (G - 1) * V %*% crossprod(U) %*% V)) < 1e-12)

constrained <- function(j, b, start) {
  th <- start; th[j] <- b; free <- setdiff(seq_len(k), j)
  for (it in 1:100) {
    Bc <- matrix(th, p); g <- score(Bc)[free]; I <- info(Bc)[free, free]
    st <- solve(I, g); l0 <- loglik(Bc); h <- 1
    repeat { t2 <- th; t2[free] <- t2[free] + h * st
             if (loglik(matrix(t2, p)) >= l0 - 1e-12 || h < 1e-8) break; h <- h / 2 }
    th <- t2
    if (sqrt(max(sum(st * g), 0)) < 1e-11) break
  }
  list(ll = loglik(matrix(th, p)), theta = th)
}
zc <- qnorm(0.975)
prof <- t(sapply(seq_len(k), function(j) {
  se <- sqrt(V[j, j])
  ends <- sapply(c(-1, 1), function(side) {
    f <- function(d) { c <- constrained(j, theta[j] + side * d, theta + V[, j] / V[j, j] * side * d)
                       sqrt(max(2 * (llhat - c$ll), 0)) - zc }
    hi <- 3 * se; while (f(hi) < 0) hi <- 2 * hi
    theta[j] + side * uniroot(f, c(0, hi), tol = 1e-12)$root
  })
  ends
}))
unm <- function(M) { M <- unclass(as.matrix(M)); dimnames(M) <- NULL; M }
out <- list(versions = versions, formula = "partic ~ hincome + children + region",
            outcomes = levels(y), base = levels(y)[1], names = colnames(X),
            theta = theta, loglik = llhat, nonrobust = unm(V), HC0 = unm(HC0), HC1 = unm(HC1),
            cluster = lapply(cl, unm), profile_lower = prof[, 1], profile_upper = prof[, 2],
            multinom_coef_maxdiff = max(abs(t(coef(m)) - B)))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"),
           "tests/reference/data/mnlogit_robust.json")
cat("wrote tests/reference/data/mnlogit_robust.json\n")
