# Reference values for logitstat's diagnostics (issue 4): separation, Firth, collinearity,
# goodness of fit.  Made with R 4.2.2, car 3.1.1, brglm2 0.9, MASS 7.3-58.2, carData 3.0-5,
# lpSolve 5.6, pROC 1.18.0, jsonlite 1.8.4.
# Run from the repository root:  Rscript tests/reference/r/diagnostics.R
# Writes tests/reference/data/diagnostics/<name>.json; each JSON carries its own data (model
# matrix, response, trials, weights, offset) so the Python tests need nothing else.
suppressPackageStartupMessages({
  library(jsonlite); library(car); library(brglm2); library(MASS); library(lpSolve); library(pROC)
})
out <- "tests/reference/data/diagnostics"
dir.create(out, recursive = TRUE, showWarnings = FALSE)
save_json <- function(x, name) {
  x$made_with <- "R 4.2.2, car 3.1.1, brglm2 0.9, lpSolve, pROC 1.18.0 (tests/reference/r/diagnostics.R)"
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, pretty = FALSE, null = "null", na = "null",
                    matrix = "rowmajor"), file.path(out, paste0(name, ".json")))
}
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
design <- function(fit) {
  X <- model.matrix(fit)
  list(X = unname(X), names = colnames(X), y = unname(fit$y),
       trials = unname(if (is.null(fit$prior.weights)) rep(1, nrow(X)) else fit$prior.weights),
       offset = unname(if (is.null(fit$offset)) rep(0, nrow(X)) else fit$offset))
}

# ---- datasets ----------------------------------------------------------------------------
data(endometrial, package = "brglm2")
bw <- MASS::birthwt
bw$race <- factor(bw$race, levels = 1:3, labels = c("white", "black", "other"))
data(Mroz, package = "carData")
bud <- data.frame(ldose = rep(0:5, 2), numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16),
                  sex = factor(rep(c("M", "F"), c(6, 6)), levels = c("F", "M")))
bud$numalive <- 20 - bud$numdead
mt <- mtcars

# ---- Firth (brglm2 AS_mean) ----------------------------------------------------------------
firth_case <- function(f, data, link = "logit", weights = NULL, offset = NULL, profile = FALSE) {
  data$.w <- if (is.null(weights)) 1 else weights
  data$.o <- if (is.null(offset)) 0 else offset
  fam <- binomial(link)
  ml <- suppressWarnings(glm(f, data = data, family = fam, weights = .w, offset = .o, control = ctl))
  fr <- glm(f, data = data, family = fam, weights = .w, offset = .o, method = "brglmFit",
            type = "AS_mean", control = brglmControl(epsilon = 1e-12, maxit = 500))
  d <- design(ml)
  X <- d$X
  # binomial trials are the prior weights for a proportion response; frequency weights are .w
  eta <- drop(X %*% coef(fr)) + d$offset
  mu <- fam$linkinv(eta); dm <- fam$mu.eta(eta)
  W <- fr$prior.weights * dm^2 / (mu * (1 - mu))
  Fi <- crossprod(X, W * X)
  res <- c(d, list(formula = deparse(f), link = link,
    params = unname(coef(fr)), bse = unname(summary(fr)$coefficients[, 2]),
    cov = unname(vcov(fr)), loglik = as.numeric(logLik(fr)),
    penalized_loglik = as.numeric(logLik(fr)) + 0.5 * as.numeric(determinant(Fi)$modulus),
    ml_params = unname(coef(ml))))
  # frequency weights and trials are folded together in glm's prior weights: keep them apart
  res$weights <- if (is.null(weights)) rep(1, nrow(X)) else weights
  res$trials <- ifelse(res$weights > 0, d$trials / res$weights, 1)
  if (profile) {
    # penalized log-likelihood l*(b) = l(b) + log|F(b)|/2 (logit), maximized by BFGS with the
    # adjusted score as gradient: an optimizer independent of the Python scoring iterations
    m <- res$trials * res$weights; yy <- d$y; off <- d$offset
    pll <- function(b) {
      e <- drop(X %*% b) + off; p <- plogis(e)
      sum(m * (yy * plogis(e, log.p = TRUE) + (1 - yy) * plogis(-e, log.p = TRUE))) +
        0.5 * as.numeric(determinant(crossprod(X, m * p * (1 - p) * X))$modulus)
    }
    grad <- function(b) {
      e <- drop(X %*% b) + off; p <- plogis(e); w <- m * p * (1 - p)
      Fi <- crossprod(X, w * X); h <- w * rowSums((X %*% solve(Fi)) * X)
      drop(crossprod(X, m * (yy - p) + h * (0.5 - p)))
    }
    cmax <- function(j, val) {
      free <- setdiff(seq_len(ncol(X)), j)
      full <- function(bf) { b <- numeric(ncol(X)); b[free] <- bf; b[j] <- val; b }
      o <- optim(coef(fr)[free], function(bf) -pll(full(bf)), function(bf) -grad(full(bf))[free],
                 method = "BFGS", control = list(reltol = 1e-15, maxit = 5000, parscale = se[free]))
      -o$value
    }
    se <- summary(fr)$coefficients[, 2]
    top <- pll(coef(fr))
    crit <- qchisq(0.95, 1)
    res$plr <- lapply(seq_len(ncol(X)), function(j) {
      stat <- 2 * (top - cmax(j, 0))
      list(stat = stat, pvalue = pchisq(stat, 1, lower.tail = FALSE))
    })
    res$profile_ci <- t(sapply(seq_len(ncol(X)), function(j) {
      g <- function(v) 2 * (top - cmax(j, v)) - crit
      b <- coef(fr)[[j]]; s <- summary(fr)$coefficients[j, 2]
      c(uniroot(g, c(b - 4 * s, b), extendInt = "downX", tol = 1e-11)$root,
        uniroot(g, c(b, b + 4 * s), extendInt = "upX", tol = 1e-11)$root)
    }))
  }
  res
}
firth <- list(
  endometrial_logit = firth_case(HG ~ NV + PI + EH, endometrial, profile = TRUE),
  endometrial_probit = firth_case(HG ~ NV + PI + EH, endometrial, link = "probit"),
  endometrial_cloglog = firth_case(HG ~ NV + PI + EH, endometrial, link = "cloglog"),
  mtcars_logit = firth_case(am ~ wt + hp, mt, profile = TRUE),
  mtcars_weighted_offset = firth_case(am ~ wt + hp, mt, weights = mt$cyl / 2, offset = 0.05 * mt$mpg),
  budworm_logit = firth_case(cbind(numdead, numalive) ~ sex * ldose, bud),
  budworm_probit = firth_case(cbind(numdead, numalive) ~ sex + ldose, bud, link = "probit")
)
# Firth's estimate for a 2x2 table is the log odds ratio with 1/2 added to every cell
tab <- data.frame(x = c(0, 0, 1, 1), y = c(0, 1, 0, 1), n = c(7, 0, 3, 5))
firth$table_2x2 <- firth_case(y ~ x, tab, weights = tab$n)
save_json(firth, "firth")

# ---- collinearity (car::vif, Belsley-Kuh-Welsch) -------------------------------------------
vif_table <- function(fit) {
  v <- suppressMessages(car::vif(fit))
  if (is.null(dim(v))) v <- cbind(GVIF = v, Df = 1, `GVIF^(1/(2*Df))` = sqrt(v))
  list(terms = rownames(v), gvif = unname(v[, 1]), df = unname(v[, 2]), gvif_adj = unname(v[, 3]))
}
bkw <- function(X) {
  Xs <- sweep(X, 2, sqrt(colSums(X^2)), "/")
  s <- svd(Xs)
  phi <- sweep(s$v^2, 2, s$d^2, "/")           # phi[j, k] = v_jk^2 / d_k^2
  list(condition_number = max(s$d) / min(s$d), condition_indices = max(s$d) / s$d,
       proportions = unname(t(phi / rowSums(phi))))   # rows: dimensions, columns: variables
}
coll_case <- function(f, data, weights = NULL) {
  data$.w <- if (is.null(weights)) 1 else weights
  fit <- suppressWarnings(glm(f, data = data, family = binomial, weights = .w, control = ctl))
  data$.yy <- seq_len(nrow(data))
  lmf <- lm(update(f, .yy ~ .), data = data, weights = .w)
  X <- model.matrix(fit)
  asg <- attr(X, "assign")
  tl <- attr(terms(fit), "term.labels")
  res <- c(list(X = unname(X), names = colnames(X), assign = asg, term_labels = tl,
                weights = unname(fit$prior.weights), cov = unname(vcov(fit)),
                intercept = attr(terms(fit), "intercept") == 1,
                vif_model = vif_table(fit), vif_design = vif_table(lmf)), bkw(X))
  res
}
x <- 1:40 + 100
poly_df <- data.frame(x = x, x2 = x^2, y = rep(c(0, 1, 1, 0, 1), 8))
coll <- list(
  mroz = coll_case(lfp ~ k5 + k618 + age + wc + hc + lwg + inc, Mroz),
  birthwt = coll_case(low ~ age + lwt + race + smoke + ptl + ht + ui + ftv, bw),
  mtcars_weighted = coll_case(am ~ wt + hp + qsec + factor(gear), mt, weights = mt$carb),
  no_intercept = coll_case(lfp ~ 0 + k5 + age + lwg + inc, Mroz),
  ill_conditioned = coll_case(y ~ x + x2, poly_df)
)
save_json(coll, "collinearity")

# ---- separation (Konis' linear programs with lpSolve, plus glm's fit) -----------------------
cone_rows <- function(X, y, m) {  # split grouped rows into one success and one failure row
  s <- which(y > 0); f <- which(y < 1)
  list(Xt = rbind(X[s, , drop = FALSE], -X[f, , drop = FALSE]), origin = c(s, f))
}
lp_box <- function(dir, obj, Xt) {
  p <- ncol(Xt)
  A <- rbind(cbind(Xt, -Xt), diag(2 * p))
  o <- lp(dir, c(obj, -obj), A, c(rep(">=", nrow(Xt)), rep("<=", 2 * p)), c(rep(0, nrow(Xt)), rep(1, 2 * p)))
  o$solution[1:p] - o$solution[p + 1:p]
}
konis <- function(X, y, m) {
  cr <- cone_rows(X, y, m); Xt <- cr$Xt
  Xt <- sweep(Xt, 2, pmax(apply(abs(Xt), 2, max), 1e-300), "/")
  S <- rep(FALSE, nrow(Xt))
  repeat {
    if (all(S)) break
    b <- lp_box("max", colSums(Xt[!S, , drop = FALSE]), Xt)
    new <- drop(Xt %*% b) > 1e-7 & !S
    if (!any(new)) break
    S <- S | new
  }
  # range of every b_j over the cone (2p programs; no shortcut)
  dirs <- sapply(seq_len(ncol(X)), function(j) {
    e <- replace(numeric(ncol(X)), j, 1)
    hi <- lp_box("max", e, Xt)[j]; lo <- lp_box("min", e, Xt)[j]
    if (hi > 1e-9 && lo > -1e-9) 1 else if (lo < -1e-9 && hi < 1e-9) -1 else 0
  })
  rows <- rep(FALSE, nrow(X)); rows[cr$origin[S]] <- TRUE
  list(kind = if (!any(S)) "none" else if (all(S)) "complete" else "quasi-complete",
       directions = dirs, separated_rows = rows)
}
sep_case <- function(f, data, truth_kind, truth_infinite = list(), grouped = FALSE) {
  fit <- suppressWarnings(glm(f, data = data, family = binomial, control = ctl))
  d <- design(fit)
  k <- konis(d$X, d$y, d$trials)
  c(d, list(formula = deparse(f), glm_params = unname(coef(fit)), truth_kind = truth_kind,
            truth_infinite = truth_infinite, lp = k, data = data))
}
set.seed(20240501)
s1 <- data.frame(x = 1:20, z = round(rnorm(20), 3)); s1$y <- as.integer(s1$x > 10.5)
s2 <- data.frame(x1 = round(rnorm(40), 3), x2 = round(rnorm(40), 3))
s2$y <- as.integer(s2$x1 + 2 * s2$x2 > 0.3)
s3 <- data.frame(g = factor(rep(c("a", "b", "c"), c(15, 15, 10))), x = round(rnorm(40), 3))
s3$y <- c(rbinom(30, 1, 0.5), rep(1L, 10))
s4 <- data.frame(x = rep(1:9, each = 4)); s4$y <- as.integer(s4$x > 5)
s4$y[s4$x == 5] <- c(0L, 1L, 0L, 1L)
s5 <- data.frame(trt = factor(rep(c("A", "B", "C"), each = 4)), dose = rep(1:4, 3),
                 n = 10, succ = c(1, 3, 5, 8, 2, 4, 7, 9, 0, 0, 0, 0))
s5$fail <- s5$n - s5$succ
s6 <- data.frame(x1 = round(rnorm(3000), 3), x2 = round(rnorm(3000), 3))
s6$y <- 0L; s6$y[c(17, 404, 1200, 2501, 2999)] <- 1L
s7 <- data.frame(x = 1:30); s7$y <- as.integer(s7$x > 15); s7$y[c(15, 16)] <- c(1L, 0L)
s8 <- data.frame(x = c(-2, -1, 1, 2, 3), y = c(0, 0, 1, 1, 1))
sep <- list(
  complete_one = sep_case(y ~ x + z, s1, "complete", list(`(Intercept)` = -1, x = 1)),
  complete_two = sep_case(y ~ x1 + x2, s2, "complete", list(`(Intercept)` = -1, x1 = 1, x2 = 1)),
  quasi_factor = sep_case(y ~ g + x, s3, "quasi-complete", list(gc = 1)),
  quasi_tied = sep_case(y ~ x, s4, "quasi-complete", list(`(Intercept)` = -1, x = 1)),
  grouped = sep_case(cbind(succ, fail) ~ trt + dose, s5, "quasi-complete", list(trtC = -1)),
  rare_overlap = sep_case(y ~ x1 + x2, s6, "none"),
  huge_overlap = sep_case(y ~ x, s7, "none"),
  straddling_intercept = sep_case(y ~ x, s8, "complete", list(x = 1)),
  endometrial = sep_case(HG ~ NV + PI + EH, endometrial, "quasi-complete", list(NV = 1))
)
sep$rare_overlap$data <- NULL
save_json(sep, "separation")

# ---- goodness of fit -------------------------------------------------------------------------
hoslem <- function(y, yhat, g = 10) {  # the definition of ResourceSelection::hoslem.test
  qq <- unique(quantile(yhat, probs = seq(0, 1, 1 / g)))
  cutyhat <- cut(yhat, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - y, y1 = y) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - yhat, yhat1 = yhat) ~ cutyhat)
  chisq <- sum((observed - expected)^2 / expected)
  list(statistic = chisq, df = g - 2, pvalue = 1 - pchisq(chisq, g - 2),
       observed = unname(unclass(observed)), expected = unname(unclass(expected)),
       n = as.vector(table(cutyhat)), breaks = qq)
}
bins_of <- function(p, K) pmin(floor(p * K), K - 1)
brier_parts <- function(y, p, K = 10) {
  b <- bins_of(p, K); N <- length(y)
  agg <- lapply(sort(unique(b)), function(k) {
    i <- b == k
    c(k = k, n = sum(i), f = mean(p[i]), o = mean(y[i]),
      wbv = sum((p[i] - mean(p[i]))^2), wbc = sum((p[i] - mean(p[i])) * (y[i] - mean(y[i]))))
  })
  a <- do.call(rbind, agg)
  list(brier = mean((p - y)^2),
       calibration = sum(a[, "n"] * (a[, "f"] - a[, "o"])^2) / N,
       refinement = sum(a[, "n"] * a[, "o"] * (1 - a[, "o"])) / N,
       resolution = sum(a[, "n"] * (a[, "o"] - mean(y))^2) / N,
       uncertainty = mean(y) * (1 - mean(y)),
       within_variance = sum(a[, "wbv"]) / N, within_covariance = sum(a[, "wbc"]) / N,
       ece = sum(a[, "n"] * abs(a[, "f"] - a[, "o"])) / N,
       bins = unname(a[, "k"]), bin_n = unname(a[, "n"]), bin_pred = unname(a[, "f"]),
       bin_obs = unname(a[, "o"]))
}
gof_case <- function(f, data, threshold = 0.5) {
  fit <- glm(f, data = data, family = binomial, control = ctl)
  p <- unname(fitted(fit)); y <- unname(fit$y)
  w <- suppressWarnings(wilcox.test(p[y == 1], p[y == 0], exact = FALSE))
  pred <- as.integer(p >= threshold)
  c(list(formula = deparse(f), y = y, mu = p, hoslem = hoslem(y, p),
         auc = as.numeric(pROC::auc(y, p, direction = "<", quiet = TRUE)),
         auc_wilcox = unname(w$statistic) / (sum(y == 1) * sum(y == 0)),
         table = list(threshold = threshold, tp = sum(pred == 1 & y == 1), fp = sum(pred == 1 & y == 0),
                      tn = sum(pred == 0 & y == 0), fn = sum(pred == 0 & y == 1))),
    brier_parts(y, p))
}
budfit <- glm(cbind(numdead, numalive) ~ sex + ldose, data = bud, family = binomial, control = ctl)
gof <- list(
  birthwt = gof_case(low ~ age + lwt + race + smoke + ptl + ht + ui + ftv, bw),
  mroz = gof_case(lfp ~ k5 + k618 + age + wc + hc + lwg + inc, Mroz),
  ties = gof_case(am ~ cyl, mt),
  budworm = list(X = unname(model.matrix(budfit)), y = unname(budfit$y),
                 trials = unname(budfit$prior.weights), mu = unname(fitted(budfit)),
                 pearson = sum(residuals(budfit, "pearson")^2), deviance = deviance(budfit),
                 df = df.residual(budfit),
                 pearson_p = pchisq(sum(residuals(budfit, "pearson")^2), df.residual(budfit), lower.tail = FALSE),
                 deviance_p = pchisq(deviance(budfit), df.residual(budfit), lower.tail = FALSE))
)
save_json(gof, "goodness")
cat("wrote", out, "\n")
