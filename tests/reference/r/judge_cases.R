# Judging logitstat beyond the shared R reference: extra cases for check.py, and the reference
# values of the regression tests they led to.
# R 4.2.2, stats, car 3.1.1, sandwich 3.0.2, MASS 7.3-58.2, brglm2 0.9, carData 3.0-5, lpSolve 5.6.18,
# jsonlite 1.8.4.
#
# Run from the repository root:
#   Rscript tests/reference/r/judge_cases.R [CASES_DIR]
# * writes 32 check.py cases (data.csv + expected.json, made by make_reference.R's own emit()) to
#   CASES_DIR (default: judge_cases/ under tempdir(), outside the repository); run them with a
#   copy of check.py whose CASES points there;
# * writes the regression references tests/reference/data/judge/*.json (and their data).
# Separation in the separated cases is decided here by linear programming with lpSolve (Konis
# 2007), independently of logitstat, and checked against what each case was built to show.
args <- commandArgs(trailingOnly = TRUE)
ref <- "tests/reference/make_reference.R"
out_root <- if (length(args) >= 1) args[1] else file.path(tempdir(), "judge_cases")
for (e in parse(ref)) {
  is_fun <- is.call(e) && identical(e[[1]], as.name("<-")) && is.call(e[[3]]) &&
    identical(e[[3]][[1]], as.name("function"))
  is_lib <- is.call(e) && identical(e[[1]], as.name("suppressPackageStartupMessages"))
  if (is_fun || is_lib) eval(e, globalenv())
}
suppressPackageStartupMessages(library(lpSolve))
dir.create(out_root, showWarnings = FALSE, recursive = TRUE)

# Konis-style LP (lpSolve): which rows are separated, which coefficients diverge
sep_lp <- function(X, y, m = rep(1, length(y))) {
  live <- m > 0
  A <- rbind(X[live & y > 0, , drop = FALSE], -X[live & y < 1, , drop = FALSE]); p <- ncol(A)
  A <- sweep(A, 2, pmax(apply(abs(A), 2, max), 1e-300), "/")
  solve1 <- function(obj, dir = "max") {
    con <- rbind(cbind(A, -A), diag(2 * p))
    r <- lp(dir, c(obj, -obj), con, c(rep(">=", nrow(A)), rep("<=", 2 * p)),
            c(rep(0, nrow(A)), rep(1, 2 * p)))
    r$solution[1:p] - r$solution[(p + 1):(2 * p)]
  }
  ins <- rep(FALSE, nrow(A))
  repeat {  # grow the separated set until no further row can be made strictly positive
    if (all(ins)) break
    new <- (A %*% solve1(colSums(A[!ins, , drop = FALSE])) > 1e-7) & !ins
    if (!any(new)) break
    ins <- ins | new
  }
  nsep <- sum(ins)
  dirs <- list()
  if (nsep > 0) for (j in 1:p) {
    e <- rep(0, p); e[j] <- 1
    hi <- solve1(e, "max")[j]; lo <- solve1(e, "min")[j]
    if (hi > 1e-9 && lo > -1e-9) dirs[[colnames(X)[j]]] <- 1
    if (lo < -1e-9 && hi < 1e-9) dirs[[colnames(X)[j]]] <- -1
  }
  list(kind = if (nsep == 0) "none" else if (nsep == nrow(A)) "complete" else "quasi-complete",
       infinite = dirs)
}
# emit a case whose separation status is decided by sep_lp (and checked against `expect`)
emit_sep <- function(name, data, r_formula, patsy_formula, link = "logit", expect, ...) {
  fit <- suppressWarnings(glm(as.formula(r_formula), data = data, family = binomial(link)))
  s <- sep_lp(model.matrix(fit), fit$y, fit$prior.weights)
  if (s$kind != expect) stop(name, ": expected ", expect, " got ", s$kind)
  cat(name, ":", s$kind, paste(names(s$infinite), unlist(s$infinite), collapse = " "), "\n")
  emit(name, data, r_formula, patsy_formula, link = link, separation = s, firth = TRUE, ...)
}
no_sep <- function(data, r_formula, link = "logit", weights = NULL) {
  fit <- suppressWarnings(glm(as.formula(r_formula), data = data, family = binomial(link)))
  s <- sep_lp(model.matrix(fit), fit$y, fit$prior.weights)
  if (s$kind != "none") stop(r_formula, " is separated")
}
slopes <- function(k) all_but_intercept(k)
all_but_intercept <- function(k) list(label = "all slopes", rows = lapply(2:k, function(j) setNames(list(1), j)))

# 1. esoph, grouped, factors made unordered (R would use polynomial contrasts otherwise)
es <- datasets::esoph
for (v in c("agegp", "alcgp", "tobgp")) es[[v]] <- factor(as.character(es[[v]]), levels = levels(es[[v]]))
no_sep(es, "cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp")
emit("esoph_grouped_logit", es, "cbind(ncases, ncontrols) ~ agegp + alcgp + tobgp",
     "ncases + ncontrols ~ agegp + alcgp + tobgp", grouped = TRUE,
     tests = list(list(label = "tobgp", rows = list(list(`10` = 1), list(`11` = 1), list(`12` = 1)))))
emit("esoph_grouped_cloglog", es, "cbind(ncases, ncontrols) ~ agegp + alcgp", "ncases + ncontrols ~ agegp + alcgp",
     link = "cloglog", grouped = TRUE)

# 2-4. Pima (factor response No/Yes): probit, cloglog, cauchit
pm <- MASS::Pima.tr
emit("pima_probit", pm, "type ~ npreg + glu + bp + bmi + ped + age", "type ~ npreg + glu + bp + bmi + ped + age",
     link = "probit", tests = list(slopes(7), list(label = "bmi = ped", rows = list(list(`5` = 1, `6` = -1)))),
     nested = list(drop = ". ~ . - bp - npreg", patsy = "type ~ glu + bmi + ped + age"))
emit("pima_cloglog", pm, "type ~ npreg + glu + bmi + ped + age", "type ~ npreg + glu + bmi + ped + age",
     link = "cloglog", tests = list(slopes(6)))
emit("pima_cauchit", MASS::Pima.te, "type ~ glu + bmi + ped + age", "type ~ glu + bmi + ped + age",
     link = "cauchit", tests = list(slopes(5)))

# 5. birthwt: numeric x factor interaction, factor race
bw <- MASS::birthwt
bw$race <- factor(bw$race, levels = 1:3, labels = c("white", "black", "other"))
bw <- bw[, c("low", "age", "lwt", "race", "smoke", "ht", "ui")]
emit("birthwt_age_x_race", bw, "low ~ age * race + lwt + smoke", "low ~ age * race + lwt + smoke",
     tests = list(list(label = "age:race", rows = list(list(`7` = 1), list(`8` = 1)))),
     nested = list(drop = ". ~ . - age:race", patsy = "low ~ age + race + lwt + smoke"))
# 6. birthwt with logical predictors (R names them smokeTRUE, patsy smoke[T.True])
bwl <- bw; bwl$smoke <- bwl$smoke == 1; bwl$ht <- bwl$ht == 1
emit("birthwt_bool_predictors", bwl, "low ~ lwt + smoke + ht + race", "low ~ lwt + smoke + ht + race", link = "probit")

# 7. Cowles: factor x numeric interaction, log transform (np.log)
cw <- carData::Cowles
emit("cowles_sex_x_extra", cw, "volunteer ~ sex * extraversion + log(neuroticism + 1)",
     "volunteer ~ sex * extraversion + np.log(neuroticism + 1)",
     tests = list(list(label = "sex", rows = list(list(`2` = 1), list(`5` = 1)))))

# 8. Womenlf recoded to two levels; factor x factor interaction
wl <- carData::Womenlf
wl$working <- factor(ifelse(wl$partic == "not.work", "no", "yes"), levels = c("no", "yes"))
wl <- wl[, c("working", "hincome", "children", "region")]
emit_sep("womenlf_children_x_region", wl, "working ~ hincome + children * region",
         "working ~ hincome + children * region", expect = "quasi-complete")
# 8b. factor x factor without separation: birthwt race x smoking (as a factor)
bwf <- bw; bwf$smoker <- factor(ifelse(bwf$smoke == 1, "yes", "no"), levels = c("no", "yes"))
bwf <- bwf[, c("low", "lwt", "race", "smoker", "ht")]
no_sep(bwf, "low ~ race * smoker + lwt + ht")
emit("birthwt_race_x_smoker", bwf, "low ~ race * smoker + lwt + ht", "low ~ race * smoker + lwt + ht",
     tests = list(list(label = "race:smoker", rows = list(list(`7` = 1), list(`8` = 1)))),
     nested = list(drop = ". ~ . - race:smoker", patsy = "low ~ race + smoker + lwt + ht"))

# 9. ToothGrowth: logical response, factor x factor (supp x dose as factor)
tg <- ToothGrowth
tg$high <- tg$len > median(tg$len)
tg$dosef <- factor(tg$dose)
tg <- tg[, c("high", "supp", "dose", "dosef")]
no_sep(tg, "high ~ supp + dose")
emit("toothgrowth_bool_response", tg, "high ~ supp + dose", "high ~ supp + dose", link = "probit")

# 10. mtcars: quasi-complete separation by a factor level (cyl 8 never has vs = 1), via C()
mt <- mtcars[, c("vs", "cyl", "mpg", "wt", "am")]
mt$cyl <- factor(mt$cyl)
emit_sep("mtcars_quasi_factor_level", mt, "vs ~ cyl + mpg", "vs ~ C(cyl) + mpg", expect = "quasi-complete")

set.seed(20240611)
# 11. simulated: frequency weights (with zeros), factor, cauchit
n <- 300
sw <- data.frame(x1 = rnorm(n), x2 = runif(n, 0, 4), g = factor(sample(c("a", "b", "c"), n, TRUE)))
sw$y <- rbinom(n, 1, plogis(-0.3 + 0.8 * sw$x1 - 0.4 * sw$x2 + 0.5 * (sw$g == "b")))
sw$w <- sample(0:4, n, TRUE, prob = c(0.1, 0.3, 0.3, 0.2, 0.1))
emit("sim_weights_logit", sw, "y ~ x1 + x2 + g", "y ~ x1 + x2 + g", weights = "w",
     tests = list(slopes(5)))
emit("sim_weights_cauchit", sw, "y ~ x1 + x2", "y ~ x1 + x2", link = "cauchit", weights = "w")

# 12. simulated: missing values in numeric and categorical predictors and in the response
n <- 400
sm <- data.frame(x1 = rnorm(n), x2 = rexp(n), g = factor(sample(c("lo", "mid", "hi"), n, TRUE), levels = c("lo", "mid", "hi")))
sm$y <- rbinom(n, 1, pnorm(-0.2 + 0.6 * sm$x1 - 0.3 * sm$x2 + 0.4 * (sm$g == "hi")))
sm$x1[sample(n, 30)] <- NA
sm$g[sample(n, 20)] <- NA
sm$y[sample(n, 10)] <- NA
emit("sim_missing_probit", sm, "y ~ x1 + x2 + g", "y ~ x1 + x2 + g", link = "probit",
     tests = list(list(label = "g", rows = list(list(`4` = 1), list(`5` = 1)))),
     nested = list(drop = ". ~ . - x2", patsy = "y ~ x1 + g"))

# 13. simulated: no intercept, full dummy coding
emit("sim_no_intercept", sm, "y ~ 0 + g + x2", "y ~ 0 + g + x2",
     tests = list(list(label = "mid = hi", rows = list(list(`2` = 1, `3` = -1)))))

# 13b. no intercept and no constant in the column span
emit("sim_no_intercept_numeric", sw, "y ~ 0 + x1 + x2", "y ~ 0 + x1 + x2")

# 14. complete separation by one covariate (probit)
n <- 40
s1 <- data.frame(x = c(runif(n / 2, -3, -0.1), runif(n / 2, 0.1, 3)), z = rnorm(n))
s1$y <- as.integer(s1$x > 0)
emit_sep("sim_complete_one_probit", s1, "y ~ x + z", "y ~ x + z", link = "probit", expect = "complete")

# 15. complete separation by a combination of two covariates, neither alone separates
n <- 60
s2 <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
s2$y <- as.integer(s2$x1 + s2$x2 > 0.2)
s2 <- s2[abs(s2$x1 + s2$x2 - 0.2) > 0.05, ]
emit_sep("sim_complete_two_logit", s2, "y ~ x1 + x2", "y ~ x1 + x2", expect = "complete")

# 16. quasi-complete separation at tied values: y = 1 above 0, 0 below, both at x = 0 (cloglog)
s3 <- data.frame(x = c(-3, -2, -1, 0, 0, 0, 0, 0, 0, 1, 2, 3, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5), z = rnorm(18))
s3$y <- c(0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1)
emit_sep("sim_quasi_tied_cloglog", s3, "y ~ x + z", "y ~ x + z", link = "cloglog", expect = "quasi-complete")
emit_sep("sim_quasi_tied_logit", s3, "y ~ x", "y ~ x", expect = "quasi-complete")

# 17. rare events with overlap (no separation; must not warn)
n <- 4000
rr <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.3), x3 = runif(n))
rr$y <- rbinom(n, 1, plogis(-5.5 + 0.7 * rr$x1 + 0.8 * rr$x2 - 0.5 * rr$x3))
no_sep(rr, "y ~ x1 + x2 + x3")
cat("rare events:", sum(rr$y), "\n")
emit("sim_rare_events", rr, "y ~ x1 + x2 + x3", "y ~ x1 + x2 + x3", tests = list(slopes(4)))
emit("sim_rare_events_cloglog", rr, "y ~ x1 + x2", "y ~ x1 + x2", link = "cloglog")

# 18. clustered data (cluster effects), transforms log/exp/sqrt
G <- 40; m <- 8
cl <- data.frame(cluster = rep(1:G, each = m), x = rnorm(G * m, 2, 1), u = rep(rnorm(G), each = m))
cl$x <- abs(cl$x) + 0.1
cl$t <- rgamma(G * m, 2)
cl$y <- rbinom(G * m, 1, plogis(-1 + 0.5 * log(cl$x) + 0.3 * sqrt(cl$t) + cl$u))
cl <- cl[, c("y", "x", "t", "cluster")]
emit("sim_clustered_transforms", cl, "y ~ log(x) + sqrt(t) + exp(x/4)", "y ~ np.log(x) + np.sqrt(t) + np.exp(x / 4)",
     tests = list(slopes(4)))

# 19. grouped with a zero-trial row and probit
gz <- data.frame(dose = c(0, 1, 2, 3, 4, 5, 2.5), dead = c(1, 3, 7, 12, 17, 19, 0), alive = c(19, 17, 13, 8, 3, 1, 0))
emit("grouped_zero_trials_probit", gz, "cbind(dead, alive) ~ dose", "dead + alive ~ dose", link = "probit", grouped = TRUE)

# 20. quasi-complete separation by a factor level with probit, in a factor x numeric model
set.seed(7)
n <- 90
qf <- data.frame(g = factor(rep(c("a", "b", "c"), each = 30)), x = rnorm(n))
qf$y <- rbinom(n, 1, plogis(0.3 + 0.8 * qf$x))
qf$y[qf$g == "c"] <- 1
emit_sep("sim_quasi_level_probit", qf, "y ~ g + x", "y ~ g + x", link = "probit", expect = "quasi-complete")

# 21. patsy formula kinds: power expansion, interaction without main effects, numeric x numeric
set.seed(11)
n <- 500
pf <- data.frame(x1 = rnorm(n), x2 = runif(n, -1, 1), g = factor(sample(c("p", "q", "r"), n, TRUE)))
pf$y <- rbinom(n, 1, plogis(0.2 + 0.7 * pf$x1 - 0.5 * pf$x2 + 0.6 * pf$x1 * pf$x2 + 0.4 * (pf$g == "q")))
no_sep(pf, "y ~ (x1 + x2 + g)^2")
emit("formula_power_two", pf, "y ~ (x1 + x2 + g)^2", "y ~ (x1 + x2 + g)**2", link = "probit")
emit("formula_interaction_only", pf, "y ~ g:x1 + x2", "y ~ g:x1 + x2")
emit("formula_num_x_num_cloglog", pf, "y ~ x1 * x2", "y ~ x1 * x2", link = "cloglog")

# 22. # grouped data, quasi-complete separation by a factor level (no cases at all in level "d")
set.seed(3)
gs <- expand.grid(dose = 0:4, grp = factor(c("a", "b", "c", "d")))
gs$n <- 15
gs$dead <- rbinom(nrow(gs), gs$n, plogis(-1.5 + 0.6 * gs$dose))
gs$dead[gs$grp == "d"] <- 0
gs$alive <- gs$n - gs$dead
gs <- gs[, c("dose", "grp", "dead", "alive")]
emit_sep("grouped_quasi_level_logit", gs, "cbind(dead, alive) ~ dose + grp", "dead + alive ~ dose + grp",
         expect = "quasi-complete", grouped = TRUE)
emit_sep("grouped_quasi_level_cloglog", gs, "cbind(dead, alive) ~ dose + grp", "dead + alive ~ dose + grp",
         link = "cloglog", expect = "quasi-complete", grouped = TRUE)
# 23. weighted quasi-complete (make_reference.R fits its Firth reference without the weights) separation at a tie
set.seed(4)
ws <- data.frame(x = c(rnorm(30, -1.5), rep(0, 6), rnorm(30, 1.5)), z = rnorm(66))
ws$y <- c(rep(0, 30), c(0, 1, 1, 0, 1, 0), rep(1, 30))
ws <- ws[!(ws$x < 0 & ws$y == 1) & !(ws$x > 0 & ws$y == 0), ]
ws$w <- sample(1:4, nrow(ws), TRUE)
emit_sep("weighted_quasi_tied_probit", ws, "y ~ x + z", "y ~ x + z", link = "probit", weights = "w",
         expect = "quasi-complete")

# ============================================================================================
# Regression references (tests/reference/data/judge)
# ============================================================================================
jd <- "tests/reference/data/judge"
dir.create(jd, showWarnings = FALSE, recursive = TRUE)
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
versions <- list(R = R.version.string, brglm2 = as.character(packageVersion("brglm2")),
                 sandwich = as.character(packageVersion("sandwich")))
put <- function(x, file) writeLines(toJSON(c(x, list(versions = versions)), auto_unbox = TRUE,
                                           digits = NA, pretty = TRUE), file.path(jd, file))

# 1. Firth (brglm2 AS_mean) under complete separation for the non-logit links
#    (separated_links.csv: y = 1 exactly when x > 0, z noise)
sl <- read.csv(file.path(jd, "separated_links.csv"))
put(lapply(c(probit = "probit", cloglog = "cloglog", cauchit = "cauchit"), function(l) {
  f <- glm(y ~ x + z, binomial(l), sl, method = "brglmFit", type = "AS_mean", epsilon = 1e-12, maxit = 500)
  list(params = unname(coef(f)), bse = unname(sqrt(diag(vcov(f)))), converged = f$converged)
}), "firth_separated_links.json")

# 2. a grouped row with zero trials (R keeps it in the model matrix, BIC's n and sandwich's n;
#    df.residual and nobs() leave it out).  sandwich::vcovHC mishandles zero prior weights
#    (vectors of different lengths are recycled), so HC0/HC1 are taken on the data without it.
gz <- data.frame(dose = c(0, 1, 2, 3, 4, 5, 2.5), dead = c(1, 3, 7, 12, 17, 19, 0),
                 alive = c(19, 17, 13, 8, 3, 1, 0))
write.csv(gz, file.path(jd, "grouped_zero_trials.csv"), row.names = FALSE)
f <- glm(cbind(dead, alive) ~ dose, binomial("probit"), gz, control = ctl)
f6 <- update(f, data = gz[gz$dead + gz$alive > 0, ])
put(list(params = unname(coef(f)), nrow_model_matrix = nrow(model.matrix(f)), nobs_r = nobs(f),
         df_residual = f$df.residual, aic = AIC(f), bic = BIC(f), llf = as.numeric(logLik(f)),
         hc0 = unname(sqrt(diag(vcovHC(f6, "HC0")))),
         hc1_without_zero_row = unname(sqrt(diag(vcovHC(f6, "HC1"))))), "grouped_zero_trials.json")

# 3. models without an intercept: llnull of glm(y ~ 1), null deviance of R's glm (offset only)
mt <- read.csv("tests/reference/data/inference_mtcars.csv")
mt$cyl <- factor(mt$cyl)
noint <- lapply(list(implicit = "am ~ 0 + cyl + wt", none = "am ~ 0 + hp"), function(fm) {
  f <- glm(as.formula(fm), binomial, mt, control = ctl)
  list(formula = fm, params = unname(coef(f)), llf = as.numeric(logLik(f)),
       llnull = as.numeric(logLik(glm(am ~ 1, binomial, mt))), null_deviance = f$null.deviance,
       k = length(coef(f)))
})
put(noint, "no_intercept_mtcars.json")

# 4. a factor level present only in rows dropped for missing values (here the reference level):
#    glm's model.frame(drop.unused.levels = TRUE) drops it, so "black" becomes the reference
bw <- read.csv("tests/reference/data/inference_birthwt.csv")
bw$race <- factor(bw$race, levels = c("white", "black", "other"))
bw$age[bw$race == "white"] <- NA
write.csv(bw, file.path(jd, "birthwt_white_age_missing.csv"), row.names = FALSE, na = "")
f <- glm(low ~ age + race + lwt + smoke, binomial, bw, control = ctl)
rows <- which(complete.cases(bw))[1:6]
put(list(param_names = names(coef(f)), params = unname(coef(f)), bse = unname(sqrt(diag(vcov(f)))),
         nobs = nobs(f), predict_rows = rows - 1L,
         predict = unname(predict(f, bw[rows, ], type = "response"))), "unused_level_birthwt.json")
# 5. non-integer frequency weights: R warns "non-integer #successes"; its deviance and estimates
#    are the weighted ones, its logLik/AIC round the counts (dbinom(round(w y), round(w), mu))
f <- suppressWarnings(glm(am ~ hp, binomial, mt, weights = wt, control = ctl))
put(list(params = unname(coef(f)), deviance = deviance(f), loglik_r = as.numeric(logLik(f))),
    "fractional_weights_mtcars.json")
# 6. profile intervals under quasi-complete separation (Womenlf: no mother without children in
#    the Prairie region stays at home): exact roots of the profile deviance for the coefficients
#    that stay finite (glm.fit refits with the coefficient in the offset, uniroot, tol 1e-12)
exact_profile <- function(fit, which, level = 0.95) {
  X <- model.matrix(fit); y <- fit$y; w <- fit$prior.weights; fam <- fit$family
  D0 <- deviance(fit); cut <- qchisq(level, 1); b <- coef(fit); se <- sqrt(diag(vcov(fit)))
  out <- matrix(NA, length(which), 2)
  for (i in seq_along(which)) {
    j <- which[i]
    prof <- function(v) glm.fit(X[, -j, drop = FALSE], y, weights = w, offset = X[, j] * v, family = fam,
                                 control = glm.control(epsilon = 1e-14, maxit = 200))$deviance - D0 - cut
    for (s in c(-1, 1)) {
      k <- 1; while (prof(b[j] + s * k * se[j]) < 0 && k < 200) k <- k * 2
      out[i, if (s < 0) 1 else 2] <- uniroot(prof, sort(c(b[j], b[j] + s * k * se[j])), tol = 1e-12)$root
    }
  }
  out
}
wl2 <- wl[, c("working", "hincome", "children", "region")]
write.csv(wl2, file.path(jd, "womenlf_working.csv"), row.names = FALSE)
f <- suppressWarnings(glm(working ~ hincome + children * region, binomial, wl2, control = ctl))
fin <- which(!names(coef(f)) %in% c("regionPrairie", "childrenpresent:regionPrairie"))
ends <- suppressWarnings(exact_profile(f, fin))
put(list(param_names = names(coef(f))[fin], lower = ends[, 1], upper = ends[, 2],
         infinite = list(regionPrairie = 1, `childrenpresent:regionPrairie` = -1)),
    "profile_separated_womenlf.json")
# 7. complete separation by x1 + x2 (case sim_complete_two_logit): the deviance at the MLE is 0;
#    the profile of x1 (of x2) stays above the cut-off below a finite end and tends to 0 above
write.csv(s2, file.path(jd, "complete_two.csv"), row.names = FALSE)
X <- cbind(1, s2$x1, s2$x2)
low <- sapply(2:3, function(j) uniroot(function(v) glm.fit(X[, -j], s2$y, offset = X[, j] * v,
  family = binomial(), control = glm.control(epsilon = 1e-14, maxit = 500))$deviance - qchisq(0.95, 1),
  c(5, 20), tol = 1e-12)$root)
put(list(lower_x1 = low[1], lower_x2 = low[2]), "profile_complete_two.json")
cat("regression references written to", jd, "\n")
