# Reference values for logitstat's inference layer (issue 3), computed with
# R 4.2.2, sandwich 3.0.2, car 3.1.1, MASS 7.3-58.2, numDeriv, jsonlite 1.8.4.
#
# Run from the repository root:   Rscript tests/reference/r/inference.R
# Writes tests/reference/data/{inference_<dataset>.csv, inference_<model>.json}.  (The shared cases' expected
# values -- robust_bse, conf_int_profile, ame, lr_test -- are already copied in tests/reference/cases.)
#
# Every number here is computed by R itself, independently of logitstat:
#   * robust / clustered covariances by sandwich::vcovHC / vcovCL;
#   * observed information by numDeriv's Jacobian of the analytic score;
#   * term tests by car::Anova(type = 3, test = "Wald"), sequential tables by anova(test = "Chisq");
#   * profile intervals by MASS::confint AND exactly: the profile deviance from constrained fits
#     (offset = b * x_j; warm-started glm.fit and BFGS, the better one kept), walked out on a grid
#     of steps of se/4 from the estimate, its crossing of the cut-off bisected by uniroot (tol 1e-12);
#   * marginal effects from their definition (Stata's margins, dydx(*)): Richardson-extrapolated
#     central differences of model.matrix() on modified data, delta-method standard errors with
#     numDeriv::jacobian;
#   * residuals.glm, hatvalues, rstandard, rstudent, cooks.distance.
suppressPackageStartupMessages({
  library(jsonlite); library(sandwich); library(car); library(MASS); library(numDeriv)
})
out <- "tests/reference/data"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
versions <- c(list(R = R.version.string), lapply(c(sandwich = "sandwich", car = "car", MASS = "MASS",
                  numDeriv = "numDeriv", jsonlite = "jsonlite"), function(p) as.character(packageVersion(p))))

col_spec <- function(df) lapply(df, function(v) {
  if (is.factor(v)) list(kind = "categorical", levels = levels(v))
  else if (is.logical(v)) list(kind = "bool") else list(kind = "numeric")
})

write_data <- function(df, name) {
  write.csv(df, file.path(out, paste0("inference_", name, ".csv")), row.names = FALSE, na = "")
  col_spec(df)
}

unm <- function(m) { m <- unclass(m); dimnames(m) <- NULL; m }

# ---------------------------------------------------------------- observed information
score_fun <- function(fit) {
  X <- model.matrix(fit); y <- fit$y; pw <- fit$prior.weights
  off <- if (is.null(fit$offset)) 0 else fit$offset
  fam <- family(fit)
  function(b) {
    eta <- drop(X %*% b) + off
    mu <- fam$linkinv(eta); d <- fam$mu.eta(eta)
    drop(crossprod(X, pw * (y - mu) * d / (mu * (1 - mu))))
  }
}
observed_cov <- function(fit) {
  H <- -numDeriv::jacobian(score_fun(fit), coef(fit))
  solve((H + t(H)) / 2)
}

# ---------------------------------------------------------------- exact profile bounds
# glm.fit's IRLS, started far from the constrained optimum, can stop at a wrong point (e.g. on mtcars
# am ~ wt + hp with wt fixed at -17.2 it reports a deviance 900 too large).  So every constrained fit
# is (a) warm-started from the neighbouring point of a fine grid walked out from the MLE and (b) also
# done by BFGS on the log-likelihood (stable log-probabilities) polished by glm.fit; the smaller
# deviance, computed here from the coefficients with the stable formulas, wins.
log_probs <- function(link, eta) switch(link,
  logit = cbind(plogis(eta, log.p = TRUE), plogis(-eta, log.p = TRUE)),
  probit = cbind(pnorm(eta, log.p = TRUE), pnorm(-eta, log.p = TRUE)),
  cloglog = cbind(log(-expm1(-exp(eta))), -exp(eta)))
xlogx <- function(x) ifelse(x > 0, x * log(x), 0)
profile_deviance <- function(fit) {
  X <- model.matrix(fit); y <- fit$y; w <- fit$prior.weights
  off <- if (is.null(fit$offset)) rep(0, nrow(X)) else fit$offset
  fam <- family(fit); link <- fam$link
  sat <- sum(w * (xlogx(y) + xlogx(1 - y)))
  dev_at <- function(Xr, o, b) {
    lp <- log_probs(link, drop(Xr %*% b) + o)
    2 * (sat - sum(w * (ifelse(y > 0, y * lp[, 1], 0) + ifelse(y < 1, (1 - y) * lp[, 2], 0))))
  }
  function(j, bj, start) {
    o <- off + bj * X[, j]; Xr <- X[, -j, drop = FALSE]
    if (ncol(Xr) == 0) return(list(dev = dev_at(Xr, o, numeric(0)), coef = numeric(0)))
    nll <- function(b) dev_at(Xr, o, b) / 2
    gr <- function(b) { eta <- drop(Xr %*% b) + o; mu <- fam$linkinv(eta); d <- fam$mu.eta(eta)
                        -drop(crossprod(Xr, w * (y - mu) * d / (mu * (1 - mu)))) }
    op <- optim(start, nll, gr, method = "BFGS", control = list(reltol = 1e-15, maxit = 2000))
    cands <- list(start, op$par)
    for (s in list(start, op$par)) {
      f <- suppressWarnings(glm.fit(Xr, y, weights = w, offset = o, family = fam, control = ctl, start = s))
      cands[[length(cands) + 1]] <- f$coefficients
    }
    devs <- sapply(cands, function(b) dev_at(Xr, o, b))
    k <- which.min(devs)
    list(dev = devs[k], coef = cands[[k]])
  }
}
exact_profile <- function(fit, level = 0.95, d0 = deviance(fit)) {
  prof <- profile_deviance(fit)
  q <- qchisq(level, 1); b <- coef(fit); se <- sqrt(diag(vcov(fit)))
  res <- matrix(NA_real_, length(b), 2)
  for (j in seq_along(b)) for (side in c(-1, 1)) {
    lo <- b[j]; lo_start <- b[-j]; k <- 0; step <- se[j] / 4
    repeat {                       # grid walk: warm starts stay close to each constrained optimum
      hi <- lo + side * step; p <- prof(j, hi, lo_start)
      if (p$dev - d0 - q >= 0 || k == 400) break
      lo <- hi; lo_start <- p$coef; k <- k + 1
    }
    if (k == 400) { res[j, (side + 3) / 2] <- side * Inf; next }
    f <- function(bj) prof(j, bj, lo_start)$dev - d0 - q
    res[j, (side + 3) / 2] <- uniroot(f, sort(c(lo, hi)), tol = 1e-12)$root
  }
  res
}

# ---------------------------------------------------------------- marginal effects
# Stata's margins, dydx(*): numeric variable v -> mean_i d mu_i / d v (through every column v enters),
# factor level l -> mean_i [mu_i(g = l) - mu_i(g = ref)], dummy v -> mean_i [mu_i(v=1) - mu_i(v=0)].
# at = "mean": the same at the covariate means: every numeric variable at its (weighted) mean, the
# design then averaged over the rows (so factor indicators sit at their sample proportions).
margins_ref <- function(fit, data, numeric_vars, factor_vars = character(), dummy_vars = character(),
                        avg_w = rep(1, nrow(data)), at = "overall") {
  tt <- delete.response(terms(fit)); fam <- family(fit); b0 <- coef(fit); V <- vcov(fit)
  mm <- function(d) model.matrix(tt, model.frame(tt, d, xlev = fit$xlevels))
  wmean <- function(v) sum(avg_w * v) / sum(avg_w)
  base <- data
  if (at == "mean") for (v in c(numeric_vars, dummy_vars)) base[[v]] <- wmean(data[[v]])
  rowavg <- function(M) if (at == "mean") matrix(colSums(M * avg_w) / sum(avg_w), 1) else M
  avg <- function(v) if (at == "mean") v else wmean(v)
  deriv_matrix <- function(v) {
    x <- base[[v]]; h <- ifelse(x == 0, 1e-4, 1e-4 * abs(x))
    D <- function(h) { up <- base; dn <- base; up[[v]] <- x + h; dn[[v]] <- x - h
                       rowavg((mm(up) - mm(dn)) / (2 * h)) }
    (4 * D(h / 2) - D(h)) / 3
  }
  out <- list()
  X <- rowavg(mm(base))
  for (v in numeric_vars) {
    Dv <- deriv_matrix(v)
    out[[v]] <- local({ Dv <- Dv; list(function(b) avg(fam$mu.eta(drop(X %*% b)) * drop(Dv %*% b)), v) })
  }
  contrast <- function(var, lvl, ref) {
    a <- base; r <- base
    if (is.factor(data[[var]])) {
      a[[var]] <- factor(rep(lvl, nrow(a)), levels = levels(data[[var]]))
      r[[var]] <- factor(rep(ref, nrow(r)), levels = levels(data[[var]]))
    } else { a[[var]] <- lvl; r[[var]] <- ref }
    Xa <- rowavg(mm(a)); Xr <- rowavg(mm(r))
    function(b) avg(fam$linkinv(drop(Xa %*% b)) - fam$linkinv(drop(Xr %*% b)))
  }
  for (g in factor_vars) {
    lv <- levels(data[[g]])
    for (l in lv[-1]) out[[paste0(g, l)]] <- list(contrast(g, l, lv[1]), g)
  }
  for (v in dummy_vars) out[[v]] <- list(contrast(v, 1, 0), v)
  res <- lapply(names(out), function(nm) {
    f <- out[[nm]][[1]]; G <- numDeriv::jacobian(f, b0)
    list(name = nm, effect = f(b0), se = sqrt(drop(G %*% V %*% t(G))))
  })
  list(name = sapply(res, `[[`, "name"), effect = sapply(res, `[[`, "effect"),
       se = sapply(res, `[[`, "se"))
}

# ---------------------------------------------------------------- one model
# glm() takes its working weights (hence vcov, hatvalues, the sandwich bread) from the iterate
# before the last one, ~1e-7 off the estimate; one more fit started at the estimate puts them at it.
at_estimate <- function(fit0) {
  cl <- fit0$call
  cl$start <- coef(fit0)
  cl$control <- ctl
  eval(cl, globalenv())
}

emit <- function(name, fit0, data_name, columns, patsy_formula, link, cluster = NULL,
                 cluster_col = NULL, margins = NULL, nested = NULL, exact = TRUE, weights = NULL,
                 grouped = FALSE) {
  fit <- at_estimate(fit0)   # fit0 (no start) for anova() and MASS, which refit from its call
  V <- vcov(fit)
  ex <- list(name = name, data = data_name, columns = columns, formula = patsy_formula, link = link,
             weights = weights, grouped = grouped,
             r_call = paste(deparse(fit$call), collapse = " "), versions = versions,
             param_names_r = names(coef(fit)), params = unname(coef(fit)),
             bse = unname(sqrt(diag(V))), deviance = deviance(fit),
             llf = as.numeric(logLik(fit)))
  rob <- list()
  for (type in c("HC0", "HC1", "HC2", "HC3")) rob[[type]] <- unm(vcovHC(fit, type = type))
  ex$vcov_hc <- rob
  if (!is.null(cluster)) {
    ex$cluster_column <- cluster_col
    ex$vcov_cluster <- unm(vcovCL(fit, cluster = cluster))            # type HC1, cadjust = TRUE
    ex$vcov_cluster_hc0_noadj <- unm(vcovCL(fit, cluster = cluster, type = "HC0", cadjust = FALSE))
  }
  Vobs <- observed_cov(fit)
  ex$vcov_observed <- unm(Vobs)
  ex$vcov_observed_hc0 <- unm(Vobs %*% crossprod(estfun(fit)) %*% Vobs)
  a3 <- suppressMessages(car::Anova(fit, type = 3, test.statistic = "Wald"))
  ex$anova3 <- list(terms = rownames(a3), chisq = a3$Chisq, df = a3$Df, pvalue = a3$`Pr(>Chisq)`)
  a3r <- suppressMessages(car::Anova(fit, type = 3, test.statistic = "Wald", vcov. = vcovHC(fit, type = "HC0")))
  ex$anova3_hc0 <- list(terms = rownames(a3r), chisq = a3r$Chisq, df = a3r$Df, pvalue = a3r$`Pr(>Chisq)`)
  sq <- anova(fit0, test = "Chisq")
  ex$anova_seq <- list(terms = rownames(sq), df = sq$Df, deviance = sq$Deviance,
                       df_resid = sq$`Resid. Df`, resid_deviance = sq$`Resid. Dev`, pvalue = sq$`Pr(>Chi)`)
  if (!is.null(nested)) {
    small <- update(fit0, as.formula(nested$drop))
    a <- anova(small, fit0, test = "Chisq")
    ex$lr_test <- list(small_formula = nested$patsy, stat = a$Deviance[2], df = a$Df[2],
                       pvalue = a$`Pr(>Chi)`[2])
  }
  ci <- try(suppressMessages(confint(fit0)), silent = TRUE)
  if (!inherits(ci, "try-error")) ex$conf_int_profile_mass <- unm(ci)
  if (exact) {
    ex$conf_int_profile_exact <- exact_profile(fit)
    ex$conf_int_profile_exact_90 <- exact_profile(fit, level = 0.90)
  }
  ex$resid <- list(deviance = unname(residuals(fit, "deviance")), pearson = unname(residuals(fit, "pearson")),
                   response = unname(residuals(fit, "response")), working = unname(residuals(fit, "working")),
                   hat = unname(hatvalues(fit)), rstandard_deviance = unname(rstandard(fit, type = "deviance")),
                   rstandard_pearson = unname(rstandard(fit, type = "pearson")),
                   rstudent = unname(rstudent(fit)), cooks = unname(cooks.distance(fit)))
  if (!is.null(margins)) {
    d <- margins$data
    aw <- if (is.null(margins$avg_w)) rep(1, nrow(d)) else margins$avg_w
    ex$margins <- list(
      overall = margins_ref(fit, d, margins$numeric, margins$factor, character(), aw, "overall"),
      mean = margins_ref(fit, d, margins$numeric, margins$factor, character(), aw, "mean"))
    if (length(margins$dummy)) {
      numeric_rest <- setdiff(margins$numeric, margins$dummy)
      ex$margins$overall_dummy <- margins_ref(fit, d, numeric_rest, margins$factor, margins$dummy, aw, "overall")
      ex$margins$mean_dummy <- margins_ref(fit, d, numeric_rest, margins$factor, margins$dummy, aw, "mean")
    }
  }
  writeLines(toJSON(ex, auto_unbox = TRUE, digits = NA, pretty = FALSE, null = "null", na = "null"),
             file.path(out, paste0("inference_", name, ".json")))
  cat(sprintf("%-28s k=%2d dev=%.8f\n", name, length(coef(fit)), deviance(fit)))
}

# ---------------------------------------------------------------- mtcars: logit, probit, cloglog
mt <- mtcars[, c("am", "wt", "hp", "cyl")]
cols <- write_data(mt, "mtcars")
for (lk in c("logit", "probit", "cloglog")) {
  fit <- glm(am ~ wt + hp, data = mt, family = binomial(lk), control = ctl)
  emit(paste0("mtcars_", lk), fit, "mtcars", cols, "am ~ wt + hp", lk, cluster = ~cyl, cluster_col = "cyl",
       margins = list(data = mt, numeric = c("wt", "hp")),
       nested = list(drop = ". ~ . - hp", patsy = "am ~ wt"))
}

# ---------------------------------------------------------------- infert, clustered by matched set
inf <- datasets::infert[, c("case", "spontaneous", "induced", "education", "age", "stratum")]
cols <- write_data(inf, "infert")
for (lk in c("logit", "probit")) {
  # terms in patsy's order (categorical-only terms first), for the sequential table
  fit <- glm(case ~ education + spontaneous + induced + age, data = inf, family = binomial(lk), control = ctl)
  emit(paste0("infert_", lk), fit, "infert", cols, "case ~ spontaneous + induced + education + age", lk,
       cluster = ~stratum, cluster_col = "stratum",
       margins = list(data = inf, numeric = c("spontaneous", "induced", "age"), factor = "education"),
       nested = list(drop = ". ~ . - education", patsy = "case ~ spontaneous + induced + age"))
}

# ---------------------------------------------------------------- birthwt: factor-by-numeric interaction
bw <- MASS::birthwt[, c("low", "age", "lwt", "race", "smoke")]
bw$race <- factor(bw$race, levels = 1:3, labels = c("white", "black", "other"))
cols <- write_data(bw, "birthwt")
# keep.order = TRUE gives patsy's term order (categorical-only terms first), for the sequential table
f_bw <- terms(low ~ race + log(lwt) + age + race:age + smoke, keep.order = TRUE)
for (lk in c("logit", "probit")) {
  fit <- glm(f_bw, data = bw, family = binomial(lk), control = ctl)
  emit(paste0("birthwt_", lk), fit, "birthwt", cols, "low ~ np.log(lwt) + age * race + smoke", lk,
       margins = list(data = bw, numeric = c("lwt", "age", "smoke"), factor = "race", dummy = "smoke"),
       nested = list(drop = ". ~ . - race:age", patsy = "low ~ np.log(lwt) + age + race + smoke"))
}

# ---------------------------------------------------------------- budworm: grouped binomial
bud <- data.frame(ldose = rep(0:5, 2), numdead = c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16),
                  sex = factor(rep(c("M", "F"), c(6, 6)), levels = c("F", "M")))
bud$numalive <- 20 - bud$numdead
cols <- write_data(bud, "budworm")
for (lk in c("logit", "cloglog")) {
  fit <- glm(cbind(numdead, numalive) ~ sex * ldose, data = bud, family = binomial(lk), control = ctl)
  emit(paste0("budworm_", lk), fit, "budworm", cols, "numdead + numalive ~ sex * ldose", lk,
       margins = list(data = bud, numeric = "ldose", factor = "sex", avg_w = bud$numdead + bud$numalive),
       nested = list(drop = ". ~ . - sex:ldose", patsy = "numdead + numalive ~ sex + ldose"),
       grouped = TRUE)
}

# ---------------------------------------------------------------- endometrial: quasi-complete separation
data(endometrial, package = "brglm2")
en <- endometrial
cols <- write_data(en, "endometrial")
# NV = 1 only with HG = 1, so the likelihood is maximised as beta_NV -> +Inf: the rows with NV = 1 then
# fit exactly and the remaining coefficients are those of HG ~ PI + EH on the rows with NV = 0.  The
# profile of every other coefficient is therefore exactly the profile of that sub-model, and the
# deviance infimum is its deviance.
sub <- glm(HG ~ PI + EH, data = en[en$NV == 0, ], family = binomial, control = ctl)
d_inf <- deviance(sub)
ci_sub <- exact_profile(sub)
full <- suppressWarnings(glm(HG ~ NV + PI + EH, data = en, family = binomial, control = ctl))
prof <- profile_deviance(full)
q <- qchisq(0.95, 1)
start_nv <- coef(sub)
f_nv <- function(b) prof(2, b, start_nv)$dev - d_inf - q
nv_lower <- uniroot(f_nv, c(0, 10), tol = 1e-12)$root
nv_far <- sapply(c(10, 20, 50, 100, 1000), function(b) prof(2, b, start_nv)$dev - d_inf)
stopifnot(all(nv_far < q), all(diff(nv_far) <= 1e-8))   # the profile stays below the cut-off: upper = +Inf
ex <- list(name = "endometrial", data = "endometrial", columns = cols, formula = "HG ~ NV + PI + EH",
           versions = versions,
           link = "logit", param_names_r = c("(Intercept)", "NV", "PI", "EH"),
           deviance_infimum = d_inf,
           conf_int_profile_exact = rbind(ci_sub[1, ], c(nv_lower, Inf), ci_sub[2, ], ci_sub[3, ]),
           nv_profile_far = list(b = c(10, 20, 50, 100, 1000), deviance_minus_infimum = nv_far))
writeLines(toJSON(ex, auto_unbox = TRUE, digits = NA, null = "null", na = "null"),
           file.path(out, "inference_endometrial.json"))
cat(sprintf("%-28s NV lower = %.10f, d_inf = %.10f\n", "endometrial", nv_lower, d_inf))
