# Reference values for Firth's penalized-likelihood inference as logistf reports it (issue 14):
# profile penalized-likelihood intervals (logistf's pl = TRUE), per-coefficient penalized
# likelihood-ratio p-values (logistf's default), term tests (drop1.logistf) and the nested test
# of two models (anova.logistf(method = "nested")).
# Made with R 4.2.2 (stats only; brglm2 0.9 and jsonlite 1.8.4 to cross-check and to write).
# logistf is not installed here: everything is computed from the definitions below, by code
# written for this script (independent of logitstat's Python code).
# Run from the repository root:  Rscript tests/reference/r/firth_profile.R
# Writes tests/reference/data/firth/profile_cases.csv (the constructed data sets) and
# tests/reference/data/firth/profile.json.
#
# Definitions (logit link, frequency weights w, Bernoulli rows):
#   l(b)  = sum w [y log p + (1 - y) log(1 - p)],       p = plogis(X b)
#   l*(b) = l(b) + 0.5 log det(X' diag(w p (1 - p)) X)  (Firth 1993; Heinze & Schemper 2002)
#   U*(b) = X' [w (y - p) + h (1/2 - p)],  h = hat values of the weighted information: grad l*
#   l*_J(v) = max of l* over b with b_J = v, the penalty ALWAYS that of the full design X
#   profile interval of b_j: {v : 2 [l*(bhat) - l*_j(v)] <= qchisq(1 - alpha, 1)}
#   penalized LR statistic of b_J = 0: 2 [l*(bhat) - l*_J(0)], chi-square on |J| df.
# Constrained maxima: optim(BFGS) with U* as gradient, then Newton steps with the Hessian taken
# by finite differences of U* (optimHess), until |U*_free| < 1e-11 (reported as max_grad).
# Interval ends: uniroot on v -> 2 [l*(bhat) - l*_j(v)] - qchisq(1 - alpha, 1), tol 1e-12.
suppressPackageStartupMessages({library(jsonlite); library(brglm2)})
out <- "tests/reference/data/firth"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

pll_fn <- function(X, y, w) function(b) {
  e <- drop(X %*% b)
  sum(w * (y * plogis(e, log.p = TRUE) + (1 - y) * plogis(-e, log.p = TRUE))) +
    0.5 * as.numeric(determinant(crossprod(X, w * plogis(e) * plogis(-e) * X))$modulus)
}
grad_fn <- function(X, y, w) function(b) {
  e <- drop(X %*% b); p <- plogis(e); v <- w * p * (1 - p)
  h <- v * rowSums((X %*% solve(crossprod(X, v * X))) * X)
  drop(crossprod(X, w * (y - p) + h * (0.5 - p)))
}
max_grad <- 0
# maximum of l* with b[fixed] = vals (full-design penalty), from start
cmax <- function(X, y, w, fixed, vals, start) {
  pll <- pll_fn(X, y, w); gr <- grad_fn(X, y, w)
  free <- setdiff(seq_len(ncol(X)), fixed)
  full <- function(bf) { b <- numeric(ncol(X)); b[free] <- bf; b[fixed] <- vals; b }
  if (!length(free)) return(list(value = pll(full(numeric(0))), b = full(numeric(0))))
  bf <- optim(start[free], function(bf) -pll(full(bf)), function(bf) -gr(full(bf))[free],
              method = "BFGS", control = list(reltol = 1e-14, maxit = 10000))$par
  for (k in 1:20) {
    g <- gr(full(bf))[free]
    if (max(abs(g)) < 1e-11) break
    H <- optimHess(bf, function(bf) -pll(full(bf)), function(bf) -gr(full(bf))[free])
    bf <- bf - solve(H, -g)
  }
  g <- max(abs(gr(full(bf))[free]))
  if (g > 1e-9) stop("constrained fit did not converge: ", g)
  max_grad <<- max(max_grad, g)
  list(value = pll(full(bf)), b = full(bf))
}

firth_case <- function(formula, data, weights = NULL, alpha = 0.05, terms_test = TRUE) {
  X <- model.matrix(formula, data)
  y <- as.numeric(model.response(model.frame(formula, data)))
  w <- if (is.null(weights)) rep(1, nrow(X)) else weights
  full <- cmax(X, y, w, integer(0), numeric(0), numeric(ncol(X)))
  bhat <- full$b; top <- full$value
  # cross-check the unconstrained maximum against brglm2 (AS_mean = Firth for the logit link)
  data$.w <- w
  br <- glm(formula, binomial, data, weights = .w, method = "brglmFit", type = "AS_mean",
            epsilon = 1e-12, maxit = 500)
  stopifnot(max(abs(coef(br) - bhat)) < 1e-7)
  V <- solve(crossprod(X, w * plogis(drop(X %*% bhat)) * plogis(-drop(X %*% bhat)) * X))
  crit <- qchisq(1 - alpha, 1)
  stat <- sapply(seq_len(ncol(X)), function(j) 2 * (top - cmax(X, y, w, j, 0, bhat)$value))
  ci <- t(sapply(seq_len(ncol(X)), function(j) {
    g <- function(v) 2 * (top - cmax(X, y, w, j, v, bhat)$value) - crit
    s <- sqrt(V[j, j])
    c(uniroot(g, c(bhat[j] - 3 * s, bhat[j]), extendInt = "downX", tol = 1e-12)$root,
      uniroot(g, c(bhat[j], bhat[j] + 3 * s), extendInt = "upX", tol = 1e-12)$root)
  }))
  res <- list(formula = deparse(formula), alpha = alpha, names = colnames(X),
              params = unname(bhat), penalized_loglik = top,
              bse = unname(sqrt(diag(V))), lr_stat = stat,
              lr_pvalue = pchisq(stat, 1, lower.tail = FALSE),
              profile_lower = unname(ci[, 1]), profile_upper = unname(ci[, 2]))
  if (terms_test) {
    asg <- attr(X, "assign"); labs <- c("Intercept", attr(terms(formula), "term.labels"))
    res$terms <- lapply(sort(unique(asg)), function(a) {
      J <- which(asg == a)
      st <- 2 * (top - cmax(X, y, w, J, numeric(length(J)), bhat)$value)
      list(term = labs[a + 1], stat = st, df = length(J),
           pvalue = pchisq(st, length(J), lower.tail = FALSE))
    })
  }
  res
}

# --- data ---------------------------------------------------------------------------------
# (1) complete separation: y = 1 exactly when x > 0; z an unrelated covariate
sep <- data.frame(x = c(-2.3, -1.9, -1.4, -1.1, -0.8, -0.5, -0.3, -0.1,
                        0.2, 0.4, 0.7, 0.9, 1.3, 1.6, 2.0, 2.6),
                  z = c(1.2, -0.4, 0.3, 0.8, -1.1, 0.5, -0.2, 1.6,
                        -0.7, 0.1, 1.9, -1.5, 0.6, -0.3, 0.9, -0.8))
sep$y <- as.numeric(sep$x > 0)
# (2) quasi-complete separation by a binary factor, as the 'dia' column of logistf's sex2:
#     every row with d = 1 has y = 1; g a three-level factor, u numeric
set.seed(14)
n <- 40
qs <- data.frame(u = round(rnorm(n), 2), g = sample(c("a", "b", "c"), n, replace = TRUE),
                 d = rep(c(0, 0, 0, 1), length.out = n))
lin <- -0.3 + 0.9 * qs$u + 0.6 * (qs$g == "b") - 0.5 * (qs$g == "c")
qs$y <- ifelse(qs$d == 1, 1, as.numeric(runif(n) < plogis(lin)))
stopifnot(all(qs$y[qs$d == 1] == 1), any(qs$y[qs$d == 0] == 0))
cases_csv <- rbind(data.frame(set = "sep", x = sep$x, z = sep$z, u = NA, g = NA, d = NA, y = sep$y),
                   data.frame(set = "quasi", x = NA, z = NA, u = qs$u, g = qs$g, d = qs$d, y = qs$y))
write.csv(cases_csv, file.path(out, "profile_cases.csv"), row.names = FALSE, na = "")

mt <- mtcars; mt$cyl <- factor(mt$cyl)
ref <- list(
  R = R.version.string,
  separated = firth_case(y ~ x + z, sep),
  quasi = firth_case(y ~ g + u + d, qs),
  quasi_90 = firth_case(y ~ g + u + d, qs, alpha = 0.1, terms_test = FALSE),
  mtcars = firth_case(am ~ wt + hp, mt),
  mtcars_cyl = firth_case(am ~ cyl + wt, mt)
)
# nested test, anova.logistf(method = "nested"): am ~ wt inside am ~ cyl + wt is the 2-df
# test of the cyl columns of the larger model, with the larger model's penalty
ref$nested_mtcars <- list(small = "am ~ wt", big = "am ~ C(cyl) + wt",
                          stat = ref$mtcars_cyl$terms[[2]]$stat, df = 2,
                          pvalue = ref$mtcars_cyl$terms[[2]]$pvalue)
ref$max_grad <- max_grad
writeLines(toJSON(ref, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(out, "profile.json"))
cat("largest |U*_free| at the constrained maxima:", max_grad, "\n")
