# Reference values for cluster-robust HC0-HC3 covariances (one-way and two-way) and for the
# influence measures dfbeta / dfbetas / covratio / dffits of binomial glms (issue 14, items 4-5).
# R 4.2.2, sandwich 3.0.2, jsonlite (versions recorded in the JSON).
#
# Run from the repository root:   Rscript tests/reference/r/cluster_influence.R
# Reads the bundled datasets logitstat/datasets/*.csv; writes tests/reference/data/cluster_influence.json.
#
# Every number is R's own: sandwich::vcovCL(fit, cluster = ~ a [+ b], type, cadjust, multi0, fix)
# and stats::dfbeta, dfbetas, covratio, influence.measures on glm fits with epsilon = 1e-14.
suppressPackageStartupMessages({ library(jsonlite); library(sandwich) })
ds <- "logitstat/datasets"
ctl <- glm.control(epsilon = 1e-14, maxit = 200)
versions <- list(R = R.version.string, sandwich = as.character(packageVersion("sandwich")),
                 jsonlite = as.character(packageVersion("jsonlite")))
load_data <- function(name) read.csv(file.path(ds, paste0(name, ".csv")), stringsAsFactors = TRUE)
unm <- function(m) { m <- unclass(as.matrix(m)); dimnames(m) <- NULL; m }

infert <- load_data("infert")
mroz <- load_data("mroz")
budworm <- load_data("budworm")
birthwt <- load_data("birthwt")
birthwt$race <- factor(birthwt$race, levels = c("white", "black", "other"))  # the bundled order

models <- list(
  infert_logit = list(data = "infert", df = infert, link = "logit",
                      formula = "case ~ age + parity + induced + spontaneous",
                      rformula = case ~ age + parity + induced + spontaneous,
                      one = "age", two = c("age", "education")),
  mroz_probit = list(data = "mroz", df = mroz, link = "probit",
                     formula = "lfp ~ k5 + k618 + age + wc + hc + lwg + inc",
                     rformula = lfp ~ k5 + k618 + age + wc + hc + lwg + inc,
                     one = "k618", two = c("age", "k618")),
  budworm_logit = list(data = "budworm", df = budworm, link = "logit",
                       formula = "numdead + numalive ~ sex + ldose",
                       rformula = cbind(numdead, numalive) ~ sex + ldose,
                       one = "ldose", two = c("sex", "ldose")),
  birthwt_cloglog = list(data = "birthwt", df = birthwt, link = "cloglog",
                         formula = "low ~ age + lwt + race + smoke + ht + ui",
                         rformula = low ~ age + lwt + race + smoke + ht + ui,
                         one = "ftv", two = c("ftv", "ptl"))
)

variants <- function(name) {
  base <- list()
  for (way in c("one", "two")) for (type in c("HC0", "HC1", "HC2", "HC3")) {
    # budworm clustered by sex: the cluster of males alone determines the sex coefficient, so
    # I - H_gg is singular (vcovCL's HC3 stops, its HC2 is not finite): HC0/HC1 only
    if (name == "budworm_logit" && way == "two" && type %in% c("HC2", "HC3")) next
    base[[length(base) + 1]] <- list(way = way, type = type, cadjust = TRUE, multi0 = FALSE, fix = FALSE)
  }
  if (name == "infert_logit") {
    extra <- list(list(way = "one", type = "HC0", cadjust = FALSE, multi0 = FALSE, fix = FALSE),
                  list(way = "one", type = "HC2", cadjust = FALSE, multi0 = FALSE, fix = FALSE),
                  list(way = "two", type = "HC3", cadjust = FALSE, multi0 = FALSE, fix = FALSE),
                  list(way = "two", type = "HC0", cadjust = TRUE, multi0 = TRUE, fix = FALSE),
                  list(way = "two", type = "HC1", cadjust = TRUE, multi0 = TRUE, fix = FALSE),
                  list(way = "two", type = "HC3", cadjust = TRUE, multi0 = TRUE, fix = FALSE),
                  list(way = "two", type = "HC0", cadjust = TRUE, multi0 = FALSE, fix = TRUE))
    base <- c(base, extra)
  }
  base
}

out <- list(versions = versions, models = list())
for (name in names(models)) {
  m <- models[[name]]
  fit <- glm(m$rformula, family = binomial(link = m$link), data = m$df, control = ctl)
  covs <- list()
  for (v in variants(name)) {
    cols <- if (v$way == "one") m$one else m$two
    cl <- as.formula(paste("~", paste(cols, collapse = " + ")))
    V <- vcovCL(fit, cluster = cl, type = v$type, cadjust = v$cadjust, multi0 = v$multi0, fix = v$fix)
    covs[[length(covs) + 1]] <- c(v, list(groups = cols, cov = unm(V)))
  }
  im <- influence.measures(fit)$infmat
  p <- length(coef(fit))
  out$models[[name]] <- list(
    data = m$data, link = m$link, formula = m$formula, names = names(coef(fit)),
    params = unname(coef(fit)), covs = covs,
    dfbeta = unm(dfbeta(fit)), dfbetas = unm(dfbetas(fit)), covratio = unname(covratio(fit)),
    dffits = unname(dffits(fit)), infmat_covr = unname(im[, p + 2]), infmat_dffit = unname(im[, p + 1]),
    cooks = unname(cooks.distance(fit)), hat = unname(hatvalues(fit)))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"),
           "tests/reference/data/cluster_influence.json")
cat("wrote tests/reference/data/cluster_influence.json\n")
