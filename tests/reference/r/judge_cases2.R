# Second round of judging logitstat beyond the shared R reference: formula kinds and data not
# covered by judge_cases.R (contrasts, ordered factors, polynomials, splines, stateful centring and
# scaling with scattered missing values, huge and tiny scales, large and tiny n, Q() names, grouped
# probit/cloglog), and the reference values of the regression tests they led to.
# R 4.2.2, stats, splines, car 3.1.1, sandwich 3.0.2, MASS 7.3-58.2, brglm2 0.9, carData 3.0-5,
# lpSolve 5.6.18, jsonlite 1.8.4.
#
# Run from the repository root:
#   Rscript tests/reference/r/judge_cases2.R [CASES_DIR]
# * writes ~20 check.py cases (data.csv + expected.json, made by make_reference.R's own emit()) to
#   CASES_DIR (default: judge_cases2/ under tempdir(), outside the repository).  R and patsy spell
#   some coefficients differently in ways check.py's canon() cannot bridge (C(g, Sum)[S.a] vs
#   C(g, contr.sum)1, bs(x, df=4)[0] vs bs(x, df = 4)1, I(x ** 2) vs I(x^2)...); for those cases a
#   patsy_to_r.json beside expected.json lists [patsy substring, R substring] replacements that a
#   judge may apply to logitstat's names before matching (check.py itself ignores the file);
# * writes the regression references tests/reference/data/judge2/*.json (and their data).
args <- commandArgs(trailingOnly = TRUE)
ref <- "tests/reference/make_reference.R"
out_root <- if (length(args) >= 1) args[1] else file.path(tempdir(), "judge_cases2")
for (e in parse(ref)) {
  is_fun <- is.call(e) && identical(e[[1]], as.name("<-")) && is.call(e[[3]]) &&
    identical(e[[3]][[1]], as.name("function"))
  is_lib <- is.call(e) && identical(e[[1]], as.name("suppressPackageStartupMessages"))
  if (is_fun || is_lib) eval(e, globalenv())
}
suppressPackageStartupMessages({ library(lpSolve); library(splines) })
dir.create(out_root, showWarnings = FALSE, recursive = TRUE)

# Konis-style LP check that a design overlaps (no separation): the only row set that can be made
# strictly positive by some direction is the empty one
no_sep <- function(data, r_formula, link = "logit", weights = NULL) {
  fit <- suppressWarnings(glm(as.formula(r_formula), data = data, family = binomial(link)))
  X <- model.matrix(fit); y <- fit$y; m <- fit$prior.weights
  live <- m > 0
  A <- rbind(X[live & y > 0, , drop = FALSE], -X[live & y < 1, , drop = FALSE]); p <- ncol(A)
  A <- sweep(A, 2, pmax(apply(abs(A), 2, max), 1e-300), "/")
  con <- rbind(cbind(A, -A), diag(2 * p))
  r <- lp("max", c(colSums(A), -colSums(A)), con, c(rep(">=", nrow(A)), rep("<=", 2 * p)),
          c(rep(0, nrow(A)), rep(1, 2 * p)))
  b <- r$solution[1:p] - r$solution[(p + 1):(2 * p)]
  if (any(A %*% b > 1e-7)) stop(r_formula, " is separated")
}
all_but_intercept <- function(k) list(label = "all slopes", rows = lapply(2:k, function(j) setNames(list(1), j)))
slopes <- all_but_intercept
# [patsy, R] substring replacements for names check.py's canon() cannot match
names_map <- function(name, pairs) {
  writeLines(toJSON(lapply(pairs, function(p) unname(p)), auto_unbox = FALSE, pretty = TRUE),
             file.path(out_root, name, "patsy_to_r.json"))
}

# 1. birthwt, race with reference "other": relevel() vs C(race, Treatment(reference="other"))
bw <- MASS::birthwt
bw$race <- factor(bw$race, levels = 1:3, labels = c("white", "black", "other"))
bw <- bw[, c("low", "age", "lwt", "race", "smoke", "ht", "ui")]
emit("birthwt_relevel_other", bw, 'low ~ relevel(race, ref = "other") + lwt + smoke + ht',
     'low ~ C(race, Treatment(reference="other")) + lwt + smoke + ht',
     tests = list(list(label = "race", rows = list(list(`2` = 1), list(`3` = 1)))))
names_map("birthwt_relevel_other", list(c('C(race, Treatment(reference="other"))[T.', 'relevel(race, ref = "other")'),
                                        c('C(race, Treatment(reference="other"))', 'relevel(race, ref = "other")')))

# 2. sum-to-zero contrasts: R's C(race, contr.sum) vs patsy's C(race, Sum) (both omit the last level)
emit("birthwt_sum_contrasts", bw, "low ~ C(race, contr.sum) + age + lwt + smoke", "low ~ C(race, Sum) + age + lwt + smoke",
     link = "probit", tests = list(list(label = "race", rows = list(list(`2` = 1), list(`3` = 1)))))
names_map("birthwt_sum_contrasts", list(c("C(race, Sum)[S.white]", "C(race, contr.sum)1"),
                                        c("C(race, Sum)[S.black]", "C(race, contr.sum)2"),
                                        c("C(race, Sum)", "C(race, contr.sum)")))

# 3. ordered factors: R's default contr.poly vs patsy's C(g, Poly); esoph grouped, as shipped
es <- datasets::esoph
no_sep(es, "cbind(ncases, ncontrols) ~ agegp + alcgp")
emit("esoph_ordered_poly", es, "cbind(ncases, ncontrols) ~ agegp + alcgp",
     "ncases + ncontrols ~ C(agegp, Poly) + C(alcgp, Poly)", grouped = TRUE,
     tests = list(list(label = "alcgp", rows = list(list(`7` = 1), list(`8` = 1), list(`9` = 1)))))
poly_map <- function(v, k) {
  pn <- c(".Linear", ".Quadratic", ".Cubic", paste0("^", 4:9))[1:k]
  rn <- c(".L", ".Q", ".C", paste0("^", 4:9))[1:k]
  lapply(1:k, function(i) c(paste0("C(", v, ", Poly)", pn[i]), paste0(v, rn[i])))
}
names_map("esoph_ordered_poly", c(poly_map("agegp", 5), poly_map("alcgp", 3),
                                     list(c("C(agegp, Poly)", "agegp"), c("C(alcgp, Poly)", "alcgp"))))

# 4. Wells (arsenic): cubic polynomial by I(), np.log, I(x/100)
data(Wells, package = "carData")
we <- Wells
we$dist100 <- we$distance / 100
no_sep(we, "switch ~ dist100 + I(dist100^2) + I(dist100^3) + log(arsenic) + education")
emit("wells_cubic_log", we, "switch ~ dist100 + I(dist100^2) + I(dist100^3) + log(arsenic) + education + association",
     "switch ~ dist100 + I(dist100**2) + I(dist100**3) + np.log(arsenic) + education + association",
     tests = list(list(label = "cubic", rows = list(list(`3` = 1), list(`4` = 1)))),
     nested = list(drop = ". ~ . - I(dist100^2) - I(dist100^3)",
                   patsy = "switch ~ dist100 + np.log(arsenic) + education + association"),
     note = "AME of dist100: logitstat differentiates through I(dist100**2), I(dist100**3) (Stata margins)")
names_map("wells_cubic_log", list(c(" ** ", "^")))

# 5. B-splines: splines::bs(x, df = 4) vs patsy's bs(x, df=4) (documented to match R's)
emit("wells_bspline", we, "switch ~ bs(distance, df = 4) + log(arsenic)", "switch ~ bs(distance, df=4) + np.log(arsenic)",
     link = "probit", tests = list(list(label = "spline", rows = lapply(2:5, function(j) setNames(list(1), j)))))
names_map("wells_bspline", lapply(1:4, function(i) c(sprintf("bs(distance, df=4)[%d]", i - 1), sprintf("bs(distance, df = 4)%d", i))))

# 6. Chile: vote Y vs N with unused response levels A, U kept in the factor; NA scattered over
#    vote, age, education, income, statusquo; scale() vs standardize(ddof=1) and centring,
#    both computed by R on every non-missing value of the variable (before listwise deletion)
ch <- carData::Chile
ch <- ch[is.na(ch$vote) | ch$vote %in% c("N", "Y"), ]
rownames(ch) <- NULL
cat("Chile NA per column:", colSums(is.na(ch)), "\n")
emit("chile_scaled_missing", ch, "vote ~ scale(age) + scale(income, scale = FALSE) + sex + education + statusquo",
     "vote ~ standardize(age, ddof=1) + center(income) + sex + education + statusquo",
     tests = list(list(label = "education", rows = list(list(`5` = 1), list(`6` = 1)))),
     note = "response levels A, N, U, Y with only N, Y used; scattered missing values")
names_map("chile_scaled_missing", list(c("standardize(age, ddof=1)", "scale(age)"),
                                       c("center(income)", "scale(income, scale = FALSE)")))
# 7. Chile: covariates on huge and tiny scales (income in pesos ~1e5, population ~1e5,
#    statusquo scaled by 1e-6)
ch2 <- ch
ch2$sq_micro <- ch2$statusquo * 1e-6
emit("chile_huge_tiny_scales", ch2, "vote ~ income + population + sq_micro + age + sex",
     "vote ~ income + population + sq_micro + age + sex", link = "probit",
     tests = list(list(label = "age = 0", rows = list(list(`5` = 1)))))

# 8. Arrests (n = 5226): factor x factor interactions, year as a factor
ar <- carData::Arrests
ar$year <- factor(ar$year)
no_sep(ar, "released ~ colour * year + sex * employed + citizen + checks + age")
emit("arrests_factor_x_factor", ar, "released ~ colour * year + sex * employed + citizen + checks + age",
     "released ~ colour * year + sex * employed + citizen + checks + age",
     tests = list(list(label = "colour:year", rows = lapply(13:17, function(j) setNames(list(1), j)))),
     nested = list(drop = ". ~ . - colour:year", patsy = "released ~ colour + year + sex * employed + citizen + checks + age"))

# 9. a large simulated sample (n = 20000), factor and numeric covariates, cloglog
set.seed(20240612)
n <- 20000
big <- data.frame(x1 = rnorm(n), x2 = rgamma(n, 2), g = factor(sample(c("k", "l", "m", "n"), n, TRUE)))
big$y <- rbinom(n, 1, 1 - exp(-exp(-1 + 0.4 * big$x1 - 0.2 * big$x2 + 0.3 * (big$g == "m"))))
emit("sim_large_n_cloglog", big, "y ~ x1 + x2 + g", "y ~ x1 + x2 + g", link = "cloglog", tests = list(slopes(6)))

# 10. a tiny sample (n = 15), probit, overlapping
set.seed(5)
tiny <- data.frame(x = round(rnorm(15), 2), z = round(runif(15, 0, 10), 1))
tiny$y <- c(0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1)
no_sep(tiny, "y ~ x + z", "probit")
emit("sim_tiny_n_probit", tiny, "y ~ x + z", "y ~ x + z", link = "probit")

# 11. biopsy (breast cancer): class benign/malignant, 16 missing values in V6
bi <- MASS::biopsy[, -1]
no_sep(bi, "class ~ V1 + V3 + V4 + V6 + V7")
emit("biopsy_missing_v6", bi, "class ~ V1 + V3 + V4 + V6 + V7", "class ~ V1 + V3 + V4 + V6 + V7",
     tests = list(slopes(6)))

# 12-13. menarche (grouped): probit and cloglog with cbind(successes, failures)
me <- MASS::menarche
me$Never <- me$Total - me$Menarche
me <- me[, c("Age", "Menarche", "Never")]
emit("menarche_grouped_probit", me, "cbind(Menarche, Never) ~ Age", "Menarche + Never ~ Age", link = "probit", grouped = TRUE)
emit("menarche_grouped_cloglog", me, "cbind(Menarche, Never) ~ Age + I(Age^2)", "Menarche + Never ~ Age + I(Age**2)",
     link = "cloglog", grouped = TRUE)
names_map("menarche_grouped_cloglog", list(c(" ** ", "^")))

# 14. cauchit next to separation: two swapped pairs of points at the boundary keep the MLE finite
#     (with one or two adjacent pairs R's glm does not converge in 100 iterations; see the
#     regression references below)
set.seed(9)
ca <- data.frame(x = c(sort(runif(20, -3, 0)), sort(runif(20, 0, 3))), z = rnorm(40))
ca$y <- as.integer(ca$x > 0)
ca0 <- ca
ca$y[c(18, 19, 22, 23)] <- c(1L, 1L, 0L, 0L)
no_sep(ca, "y ~ x + z", "cauchit")
emit("sim_near_separation_cauchit", ca, "y ~ x + z", "y ~ x + z", link = "cauchit")

# 15. bacteria (clustered by ID): logical-valued I(week > 2), factor trt
ba <- MASS::bacteria
ba <- ba[, c("y", "ap", "hilo", "week", "ID", "trt")]
emit("bacteria_bool_term", ba, "y ~ trt + I(week > 2)", "y ~ trt + I(week > 2)",
     tests = list(list(label = "trt", rows = list(list(`2` = 1), list(`3` = 1)))))
names_map("bacteria_bool_term", list(c("I(week > 2)[T.True]", "I(week > 2)TRUE")))

# 16. Aids2: a column whose name has a dot (T.categ, needs Q() in patsy), status A/D
ai <- MASS::Aids2[, c("state", "sex", "age", "status", "T.categ")]
ai$T.categ <- factor(ai$T.categ, levels = c("hs", "hsid", "id", "het", "haem", "blood", "mother", "other"))
no_sep(ai, "status ~ state + age + T.categ")
emit("aids2_dotted_name", ai, "status ~ state + age + T.categ", 'status ~ state + age + Q("T.categ")',
     tests = list(list(label = "state", rows = list(list(`2` = 1), list(`3` = 1), list(`4` = 1)))))
names_map("aids2_dotted_name", list(c('Q("T.categ")[T.', "T.categ"), c('Q("T.categ")', "T.categ")))

# 17. infert: C(education), parity as a factor (R factor(parity) vs patsy C(parity))
inf <- datasets::infert[, c("case", "education", "parity", "spontaneous", "induced", "stratum")]
no_sep(inf, "case ~ education + factor(parity) + spontaneous + induced")
emit("infert_c_factor", inf, "case ~ education + factor(parity) + spontaneous + induced",
     "case ~ C(education) + C(parity) + spontaneous + induced",
     tests = list(list(label = "parity", rows = lapply(4:8, function(j) setNames(list(1), j)))))
names_map("infert_c_factor", list(c("C(parity)[T.", "factor(parity)"), c("C(parity)", "factor(parity)")))

# 18. Cowles: centred interaction (R's scale(x, scale = FALSE) vs patsy's center())
cw <- carData::Cowles
emit("cowles_centered_interaction", cw,
     "volunteer ~ sex + scale(neuroticism, scale = FALSE) * scale(extraversion, scale = FALSE)",
     "volunteer ~ sex + center(neuroticism) * center(extraversion)", link = "probit")
names_map("cowles_centered_interaction", list(c("center(neuroticism)", "scale(neuroticism, scale = FALSE)"),
                                              c("center(extraversion)", "scale(extraversion, scale = FALSE)")))

# 19. Wells with a B-spline and a factor interaction, logit, and a string response with
#     success = "no" expressed in R as the other level (relevel the response)
we2 <- we
we2$switch <- relevel(we2$switch, "yes")
emit("wells_switch_no", we2, "switch ~ log(arsenic) * association + dist100", "switch ~ np.log(arsenic) * association + dist100",
     note = "response levels in the file are yes, no: the event is 'no' (second level)")

# 20. frequency weights with zeros and a grouped probit with a factor
set.seed(21)
gw <- expand.grid(dose = c(0.5, 1, 2, 4, 8), strain = factor(c("s1", "s2", "s3")))
gw$n <- 30
gw$dead <- rbinom(nrow(gw), gw$n, pnorm(-1 + 0.35 * gw$dose + 0.3 * (gw$strain == "s2")))
gw$alive <- gw$n - gw$dead
gw <- gw[, c("dose", "strain", "dead", "alive")]
emit("grouped_probit_factor", gw, "cbind(dead, alive) ~ log(dose) + strain", "dead + alive ~ np.log(dose) + strain",
     link = "probit", grouped = TRUE, tests = list(list(label = "strain", rows = list(list(`3` = 1), list(`4` = 1)))))

# ============================================================================================
# Regression references (tests/reference/data/judge2)
# ============================================================================================
jd <- "tests/reference/data/judge2"
dir.create(jd, showWarnings = FALSE, recursive = TRUE)
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
versions <- list(R = R.version.string, splines = as.character(packageVersion("splines")),
                 carData = as.character(packageVersion("carData")),
                 sandwich = as.character(packageVersion("sandwich")))
put <- function(x, file) writeLines(toJSON(c(x, list(versions = versions)), auto_unbox = TRUE,
                                           digits = NA, pretty = TRUE), file.path(jd, file))
fitinfo <- function(f) list(param_names = names(coef(f)), params = unname(coef(f)),
                            bse = unname(sqrt(diag(vcov(f)))), nobs = nobs(f), deviance = deviance(f))

# 1. stateful transforms on a variable with missing values: R evaluates scale() and bs() on every
#    row of the data (missing values set aside) before the incomplete rows are dropped
set.seed(31)
n <- 250
st <- data.frame(x = rnorm(n, 50, 10), z = runif(n, 0, 10), w = rexp(n))
st$y <- rbinom(n, 1, plogis(-0.5 + 0.05 * (st$x - 50) + 0.15 * st$z))
st$x[sample(n, 25)] <- NA
st$z[sample(n, 15)] <- NA
st$y[sample(n, 10)] <- NA
write.csv(st, file.path(jd, "stateful_missing.csv"), row.names = FALSE, na = "")
nd <- data.frame(x = c(40, NA, 61.5, 55), z = c(2, 5, NA, 9.5), w = 1)
put(list(
  center = c(fitinfo(glm(y ~ scale(x, scale = FALSE) + z, binomial, st, control = ctl)),
             formula = "y ~ center(x) + z"),
  standardize = c(fitinfo(glm(y ~ scale(x) + scale(z), binomial, st, control = ctl)),
                  formula = "y ~ standardize(x, ddof=1) + standardize(z, ddof=1)"),
  standardize_ddof0 = c(fitinfo(glm(y ~ I((x - mean(x, na.rm = TRUE)) / sqrt(mean((x - mean(x, na.rm = TRUE))^2, na.rm = TRUE))) + w,
                                    binomial, st, control = ctl)), formula = "y ~ standardize(x) + w"),
  bspline = c(fitinfo(f <- glm(y ~ bs(z, df = 5) + x, binomial, st, control = ctl)), formula = "y ~ bs(z, df=5) + x",
              newdata_predict = list(unname(predict(f, nd, type = "response")))),
  newdata = nd,
  # R's predict() for bs() beyond the boundary knots continues the boundary polynomial pieces
  bs_extrapolate = list(x = c(-1, 0.05, 5, 9.9, 11.5),
                        basis = unname(suppressWarnings(predict(bs(st$z, df = 5), c(-1, 0.05, 5, 9.9, 11.5)))))),
  "stateful_missing.json")

# 2. a factor level carried only by rows of zero frequency weight: glm.fit's QR runs on the rows
#    with positive weight, so the level's column is aliased (NA coefficient)
set.seed(32)
n <- 200
zw <- data.frame(x = rnorm(n), g = factor(sample(c("a", "b", "c"), n, TRUE)), w = sample(1:3, n, TRUE))
zw$y <- rbinom(n, 1, plogis(0.2 + 0.7 * zw$x))
zw$w[zw$g == "c"] <- 0
write.csv(zw, file.path(jd, "zero_weight_level.csv"), row.names = FALSE)
f <- glm(y ~ x + g, binomial, zw, weights = w, control = ctl)
ok <- !is.na(coef(f))
put(list(param_names = names(coef(f))[ok], params = unname(coef(f)[ok]),
         bse = unname(sqrt(diag(vcov(f, complete = FALSE)))), nobs = nobs(f), deviance = deviance(f),
         aliased = names(coef(f))[!ok], df_residual = f$df.residual, formula = "y ~ x + g"),
    "zero_weight_level.json")

# 3. an interaction with an empty cell (Arrests without the rows colour = Black, year = 2002:
#    year2002 equals colourWhite:year2002): R's NA coefficient is dropped by drop_collinear = True
ar3 <- carData::Arrests[, c("released", "colour", "citizen", "age", "year")]
ar3$year <- factor(ar3$year)
ar3 <- ar3[!(ar3$colour == "Black" & ar3$year == "2002"), ]
write.csv(ar3, file.path(jd, "arrests_empty_cell.csv"), row.names = FALSE)
# glm.fit detects aliasing with tol = min(1e-7, epsilon / 1000): with epsilon = 1e-12 it misses
# this exact dependency and runs two coefficients to +-7.6e12, so the aliased column is found
# with the default control and the model refitted, tightly, without it
f0 <- glm(released ~ colour * year + citizen + age, binomial, ar3)
ok <- !is.na(coef(f0))
X <- model.matrix(f0)[, ok]
f <- glm(f0$y ~ 0 + X, binomial, control = ctl)
put(list(param_names = colnames(X), params = unname(coef(f)), bse = unname(sqrt(diag(vcov(f)))),
         aliased = names(coef(f0))[!ok], deviance = deviance(f),
         formula = "released ~ colour * year + citizen + age"), "arrests_empty_cell.json")
cat("regression references written to", jd, "\n")
