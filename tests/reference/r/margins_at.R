# Reference values for margins at representative values, predictive margins and their contrasts
# (logitstat.margins_at; Stata's `margins, at()`, `margins race`, `margins r.race`/`pwcompare`).
# R 4.2.2 base stats, numDeriv 2016.8-1.1, jsonlite.  emmeans and margins are not installed here,
# so everything is written from the definitions:
#
#   margin at the point c:   m_c = sum_i a_i F(x_i^(c)' b) / sum_i a_i,
#     x_i^(c) = model.matrix() of the data with the variables of c set to c's values in EVERY row
#     (so log(lwt), I(age^2), race:smoke ... are rebuilt by R's own formula machinery),
#     a_i = prior weight (frequency weight x trials);
#   gradient:                dm_c/db = sum_i a_i F'(eta_i^(c)) x_i^(c) / sum_i a_i   (analytic,
#     checked here against numDeriv::jacobian);
#   se = sqrt(g' V g), V = vcov(fit) (inverse Fisher information, as summary.glm);
#   contrasts m_k - m_l: gradient g_k - g_l; p-values two-sided normal, adjusted by p.adjust();
#   dy/dx of a numeric variable at c: the derivative in h of m(c with age + h), i.e.
#     sum_i a_i F'(eta_i^(c)) (d eta_i/d age) / sum_i a_i with d eta/d age = b_age + 2 age b_age2,
#     its gradient by numDeriv::jacobian (Richardson) of that closed form;
#   dy/dx of a factor level at c: m(c, race = level) - m(c, race = reference).
#
# Run from the repository root:  Rscript tests/reference/r/margins_at.R
# Writes tests/reference/data/margins_at.json.
suppressPackageStartupMessages({ library(jsonlite); library(numDeriv) })
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
versions <- list(R = R.version.string, numDeriv = as.character(packageVersion("numDeriv")),
                 jsonlite = as.character(packageVersion("jsonlite")))

bw <- read.csv("logitstat/datasets/birthwt.csv")
bw$race <- factor(bw$race, levels = c("white", "black", "other"))
bw$w <- bw$ftv + 1
bud <- read.csv("logitstat/datasets/budworm.csv")
bud$sex <- factor(bud$sex, levels = c("F", "M"))

# the design of `data` with `changes` applied to every row
design <- function(fit, data, changes) {
  nd <- data
  for (v in names(changes)) {
    val <- changes[[v]]
    nd[[v]] <- if (is.factor(data[[v]])) factor(rep(val, nrow(nd)), levels = levels(data[[v]]))
               else rep(val, nrow(nd))
  }
  model.matrix(delete.response(terms(fit)), nd)
}

# glm stops on the relative change of the deviance, which is flat at the optimum: for the
# non-canonical links its estimates are then only ~1e-7 (relative) from it.  Polish with more
# Fisher-scoring steps (glm restarted from its estimates) until the score is zero to rounding.
polish <- function(fit) {
  for (k in 1:100) {
    eta <- fit$linear.predictors; fam <- family(fit); mu <- fam$linkinv(eta)
    score <- colSums(weights(fit, "prior") * (fit$y - mu) * fam$mu.eta(eta) /
                     (mu * (1 - mu)) * model.matrix(fit))
    if (max(abs(score)) < 1e-11) break
    fit <- update(fit, start = coef(fit))
  }
  stopifnot(max(abs(score)) < 1e-11)
  fit
}

margin <- function(fit, data, changes) {
  fam <- family(fit)
  a <- weights(fit, "prior")
  X <- design(fit, data, changes)
  f <- function(b) sum(a * fam$linkinv(drop(X %*% b))) / sum(a)
  b <- coef(fit)
  eta <- drop(X %*% b)
  g <- colSums(a * fam$mu.eta(eta) * X) / sum(a)
  stopifnot(max(abs(g - drop(jacobian(f, b)))) < 1e-8)
  list(est = f(b), grad = g)
}

inference <- function(est, G, V) {
  se <- sqrt(rowSums((G %*% V) * G))
  z <- est / se
  list(est = unname(est), se = unname(se), p = unname(2 * pnorm(-abs(z))))
}

margins_at <- function(fit, data, grid) {
  rows <- lapply(seq_len(nrow(grid)), function(k) margin(fit, data, as.list(grid[k, , drop = FALSE])))
  est <- sapply(rows, `[[`, "est")
  G <- do.call(rbind, lapply(rows, `[[`, "grad"))
  c(inference(est, G, vcov(fit)), list(G = G))
}

contrast <- function(pm, C, adjust) {
  r <- inference(drop(C %*% pm$est), C %*% pm$G, NULL_V)
  r$p_adj <- lapply(adjust, function(m) p.adjust(r$p, m))
  names(r$p_adj) <- adjust
  r
}

pairwise <- function(k) {               # m_i - m_j, i < j (emmeans' pairs())
  idx <- t(combn(k, 2))
  C <- matrix(0, nrow(idx), k)
  C[cbind(seq_len(nrow(idx)), idx[, 1])] <- 1
  C[cbind(seq_len(nrow(idx)), idx[, 2])] <- -1
  C
}

out <- list(versions = versions)

# ---- A: logit with transforms and an interaction, unweighted
fa <- polish(glm(low ~ log(lwt) + age + I(age^2) + race * smoke, family = binomial("logit"), data = bw,
          control = ctl))
NULL_V <- vcov(fa)
A <- list(formula = "low ~ np.log(lwt) + age + I(age**2) + race * smoke", link = "logit")
A$at_age <- margins_at(fa, bw, data.frame(age = c(20, 25, 30)))
A$at_age_smoke <- margins_at(fa, bw, expand.grid(smoke = c(0, 1), age = c(20, 30))[, 2:1])
A$race <- margins_at(fa, bw, data.frame(race = levels(bw$race)))
A$pairwise <- contrast(A$race, pairwise(3), c("holm", "bonferroni"))
A$reference <- contrast(A$race, rbind(c(-1, 1, 0), c(-1, 0, 1)), c("holm", "bonferroni"))
A$overall <- margins_at(fa, bw, data.frame(row.names = 1))
# dy/dx of age at age = 20, 30 (smoke as observed)
b <- coef(fa)
dydx_age <- function(age0) {
  X <- design(fa, bw, list(age = age0))
  f <- function(b) mean(binomial()$mu.eta(drop(X %*% b)) * (b[["age"]] + 2 * age0 * b[["I(age^2)"]]))
  # check the closed form against a numerical derivative of the margin in age
  h <- function(d) margin(fa, bw, list(age = age0 + d))$est
  stopifnot(abs(f(b) - grad(h, 0)) < 1e-9)
  list(est = f(b), grad = drop(jacobian(f, b)))
}
dd <- lapply(c(20, 30), dydx_age)
A$dydx_age <- inference(sapply(dd, `[[`, "est"), do.call(rbind, lapply(dd, `[[`, "grad")), vcov(fa))
# dy/dx of race (discrete change from white) at age = 30
mw <- margin(fa, bw, list(age = 30, race = "white"))
ch <- lapply(c("black", "other"), function(l) {
  m <- margin(fa, bw, list(age = 30, race = l)); list(est = m$est - mw$est, grad = m$grad - mw$grad)
})
A$dydx_race_age30 <- inference(sapply(ch, `[[`, "est"), do.call(rbind, lapply(ch, `[[`, "grad")),
                               vcov(fa))
A$A_G <- NULL

# ---- B: probit with frequency weights w = ftv + 1
fb <- polish(glm(low ~ age * smoke + lwt + race, family = binomial("probit"), data = bw, weights = w,
          control = ctl))
NULL_V <- vcov(fb)
B <- list(formula = "low ~ age * smoke + lwt + race", link = "probit", weights = "w")
B$at_lwt <- margins_at(fb, bw, data.frame(lwt = c(100, 150)))
B$race <- margins_at(fb, bw, data.frame(race = levels(bw$race)))
B$pairwise <- contrast(B$race, pairwise(3), c("holm", "bonferroni"))

# ---- C: cloglog on grouped budworm data (rows weighted by their trials)
fc <- polish(glm(cbind(numdead, numalive) ~ ldose * sex, family = binomial("cloglog"), data = bud,
          control = ctl))
NULL_V <- vcov(fc)
C <- list(formula = "numdead + numalive ~ ldose * sex", link = "cloglog")
C$sex <- margins_at(fc, bud, data.frame(sex = levels(bud$sex)))
C$at_ldose <- margins_at(fc, bud, data.frame(ldose = c(1, 2.5)))
C$pairwise <- contrast(C$sex, pairwise(2), c("holm", "bonferroni"))

# ---- D: cauchit, race and smoke only
fd <- polish(glm(low ~ race + smoke + lwt, family = binomial("cauchit"), data = bw, control = ctl))
NULL_V <- vcov(fd)
D <- list(formula = "low ~ race + smoke + lwt", link = "cauchit")
D$race <- margins_at(fd, bw, data.frame(race = levels(bw$race)))
D$pairwise <- contrast(D$race, pairwise(3), c("holm", "bonferroni"))

strip <- function(x) if (is.list(x)) lapply(x[setdiff(names(x), "G")], strip) else x
out$models <- strip(list(A = A, B = B, C = C, D = D))
writeLines(toJSON(out, digits = I(17), auto_unbox = TRUE, pretty = TRUE),
           "tests/reference/data/margins_at.json")
