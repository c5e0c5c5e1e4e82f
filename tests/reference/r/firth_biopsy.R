# Reference values for Firth / AS_mean fits on MASS::biopsy (issue 11, "Firth converges").
# Made with R 4.2.2, MASS 7.3-58.2, brglm2 0.9, jsonlite 1.8.4.
# Run from the repository root:  Rscript tests/reference/r/firth_biopsy.R
# Writes tests/reference/data/firth/biopsy.csv (the data, rows with NA included, ID dropped)
# and tests/reference/data/firth/biopsy.json (estimates, standard errors, log-likelihoods and
# the convergence measures below, for the logit, probit and cloglog links).
#
# brglm2 0.9 stops its quasi-Fisher scoring when the L1 norm of a step is below `epsilon`; on
# biopsy that scoring converges slowly, so each brglm2 fit is checked and polished here by an
# independent solver: Newton's method on the adjusted score U*(b) = 0 with a Jacobian taken by
# central finite differences of U* (no analytic derivative, unlike logitstat), started at
# brglm2's estimate.  The scaled adjusted score U*' F^{-1} U* is reported at both points, and for
# the logit link the penalized log-likelihood l(b) + log|F(b)|/2 (logistf's objective) is
# maximized by optim(BFGS) with U* as its gradient, a third solver.
suppressPackageStartupMessages({library(jsonlite); library(MASS); library(brglm2)})
out <- "tests/reference/data/firth"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

bio <- MASS::biopsy
bio$ID <- NULL
write.csv(bio, file.path(out, "biopsy.csv"), row.names = FALSE, na = "")
cc <- bio[complete.cases(bio), ]               # as glm's na.action = na.omit
f <- class ~ V1 + V2 + V3 + V4 + V5 + V6 + V7 + V8 + V9
X <- model.matrix(f, cc)
y <- as.numeric(cc$class == "malignant")       # levels benign/malignant: event = malignant

adjusted_score <- function(b, fam) {
  eta <- drop(X %*% b); mu <- fam$linkinv(eta); d <- fam$mu.eta(eta)
  V <- mu * (1 - mu); W <- d^2 / V
  Fi <- crossprod(X, W * X)
  h <- W * rowSums((X %*% solve(Fi)) * X)
  # d'(eta) = d mu.eta / d eta, by link (closed forms)
  d2 <- switch(fam$link, logit = d * (1 - 2 * mu), probit = -eta * d,
               cloglog = d * (1 - exp(eta)))
  u <- drop(crossprod(X, d / V * (y - mu) + 0.5 * h * d2 / d))
  list(u = u, F = Fi, scaled = sum(u * solve(Fi, u)))
}
newton_fd <- function(b, fam, steps = 8) {
  for (k in seq_len(steps)) {
    s <- adjusted_score(b, fam)
    if (s$scaled < 1e-26) break
    J <- sapply(seq_along(b), function(j) {
      e <- numeric(length(b)); e[j] <- 1e-6 * max(1, abs(b[j]))
      (adjusted_score(b + e, fam)$u - adjusted_score(b - e, fam)$u) / (2 * e[j])
    })
    b <- b - solve(J, s$u)
  }
  b
}

fit_link <- function(link) {
  fam <- binomial(link)
  fr <- glm(f, family = fam, data = cc, method = "brglmFit", type = "AS_mean",
            control = brglmControl(epsilon = 1e-13, maxit = 10000))
  b0 <- unname(coef(fr))
  b1 <- newton_fd(b0, fam)
  s0 <- adjusted_score(b0, fam); s1 <- adjusted_score(b1, fam)
  eta <- drop(X %*% b1); mu <- fam$linkinv(eta)
  ll <- sum(dbinom(y, 1, mu, log = TRUE))
  res <- list(link = link, names = colnames(X),
    brglm2 = list(params = b0, bse = unname(sqrt(diag(vcov(fr)))), iter = fr$iter,
                  converged = fr$converged, scaled_adjusted_score = s0$scaled),
    params = b1, bse = unname(sqrt(diag(solve(s1$F)))), scaled_adjusted_score = s1$scaled,
    max_rel_change_by_polish = max(abs(b1 - b0) / pmax(1, abs(b1))),
    loglik = ll, penalized_loglik = ll + 0.5 * as.numeric(determinant(s1$F)$modulus))
  if (link == "logit") {
    pll <- function(b) {
      e <- drop(X %*% b)
      sum(y * plogis(e, log.p = TRUE) + (1 - y) * plogis(-e, log.p = TRUE)) +
        0.5 * as.numeric(determinant(adjusted_score(b, fam)$F)$modulus)
    }
    o <- optim(b0, function(b) -pll(b), function(b) -adjusted_score(b, fam)$u, method = "BFGS",
               control = list(reltol = 1e-16, maxit = 10000, parscale = res$bse))
    res$logistf_style <- list(params = o$par, penalized_loglik = -o$value,
                              scaled_adjusted_score = adjusted_score(o$par, fam)$scaled)
  }
  res
}

ref <- lapply(c(logit = "logit", probit = "probit", cloglog = "cloglog"), fit_link)
ref$formula <- deparse(f)
ref$n <- nrow(cc)
ref$made_with <- paste0(R.version.string, ", MASS ", packageVersion("MASS"), ", brglm2 ",
                        packageVersion("brglm2"), " (tests/reference/r/firth_biopsy.R)")
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(out, "biopsy.json"))
