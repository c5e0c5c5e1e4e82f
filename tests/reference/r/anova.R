# Reference values for logitstat's term tables (issue 14): res.anova(type=1|2|3, test="lr"|"wald")
# and res.drop1(), computed with R 4.2.2 and car 3.1.1 (versions recorded in the JSON).
#
# Run from the repository root:   Rscript tests/reference/r/anova.R
# Reads the bundled datasets logitstat/datasets/*.csv, writes the data each model is fitted on to
# tests/reference/data/anova_<dataset>.csv (with the derived weight / offset columns) and every
# table to tests/reference/data/anova.json.
#
# For each model:
#   * anova(fit, test = "Chisq")                        -- sequential (type I); the formula is given
#                                                          in patsy's term order, kept by keep.order
#   * car::Anova(fit, type = 2)  and  type = 3          -- likelihood-ratio (car's default for glm)
#   * car::Anova(fit, type = 2 | 3, test.statistic = "Wald")
#   * drop1(fit, test = "Chisq")
# Every fit uses glm.control(epsilon = 1e-14): the refits inside car and drop1 inherit the
# control, so the tables are those of converged fits (to ~1e-12), not of glm's default 1e-8 stop.
# The separated model (endometrial) uses epsilon = 1e-12, the rule at which logitstat stops a
# separated fit as R does (logitstat.diagnostics.separated_refit).
suppressPackageStartupMessages({ library(jsonlite); library(car) })
out <- "tests/reference/data"
src <- "logitstat/datasets"
versions <- list(R = R.version.string, car = as.character(packageVersion("car")),
                 jsonlite = as.character(packageVersion("jsonlite")))

as_factor <- function(v) factor(v, levels = sort(unique(v), method = "radix"))  # patsy's order

read_data <- function(name, factors, extra = NULL) {
  df <- read.csv(file.path(src, paste0(name, ".csv")), stringsAsFactors = FALSE)
  if (!is.null(extra)) df <- extra(df)
  write.csv(df, file.path(out, paste0("anova_", name, ".csv")), row.names = FALSE, na = "")
  for (f in factors) df[[f]] <- as_factor(df[[f]])
  df
}

tab <- function(a, stat, df, p) {
  list(terms = rownames(a), statistic = a[[stat]], df = a[[df]], pvalue = a[[p]])
}

emit <- function(name, formula, patsy, data, link, data_name, weights = NULL, offset = NULL,
                 epsilon = 1e-14) {
  ctl <- glm.control(epsilon = epsilon, maxit = 200)
  f <- terms(as.formula(formula), keep.order = TRUE)
  env <- list2env(list(data = data, f = f, weights = weights, offset = offset, link = link,
                       ctl = ctl))
  fit <- eval(quote(glm(f, family = binomial(link), data = data, weights = weights,
                        offset = offset, control = ctl)), env)
  seq <- anova(fit, test = "Chisq")
  d1 <- drop1(fit, test = "Chisq")
  res <- list(name = name, data = data_name, formula = patsy, r_formula = formula, link = link,
              weights = !is.null(weights), offset = !is.null(offset), versions = versions,
              converged = fit$converged, deviance = deviance(fit), aic = AIC(fit),
              sequential = list(terms = rownames(seq), df = seq$Df, deviance = seq$Deviance,
                                df_resid = seq$`Resid. Df`, resid_deviance = seq$`Resid. Dev`,
                                pvalue = seq$`Pr(>Chi)`),
              lr2 = tab(Anova(fit, type = 2), "LR Chisq", "Df", "Pr(>Chisq)"),
              lr3 = tab(Anova(fit, type = 3), "LR Chisq", "Df", "Pr(>Chisq)"),
              wald2 = tab(Anova(fit, type = 2, test.statistic = "Wald"), "Chisq", "Df", "Pr(>Chisq)"),
              wald3 = tab(Anova(fit, type = 3, test.statistic = "Wald"), "Chisq", "Df", "Pr(>Chisq)"),
              drop1 = list(terms = rownames(d1), df = d1$Df, deviance = d1$Deviance, aic = d1$AIC,
                           statistic = d1$LRT, pvalue = d1$`Pr(>Chi)`))
  res
}

models <- list()
mroz <- read_data("mroz", c("lfp", "wc", "hc"))
models$mroz_logit <- emit("mroz_logit", "lfp ~ wc + hc + k5 + k618 + age + lwg + inc",
                          "lfp ~ k5 + k618 + age + wc + hc + lwg + inc", mroz, "logit", "mroz")
titanic <- read_data("titanic", c("survived", "sex", "passengerClass"))
models$titanic_interactions <- emit(
  "titanic_interactions", "survived ~ sex + passengerClass + sex:passengerClass + age + sex:age",
  "survived ~ sex * passengerClass + age + sex:age", titanic, "logit", "titanic")
birthwt <- read_data("birthwt", c("race"))
models$birthwt_probit <- emit("birthwt_probit", "low ~ race + age + lwt + smoke + race:smoke + ht",
                              "low ~ age + lwt + race * smoke + ht", birthwt, "probit", "birthwt")
budworm <- read_data("budworm", c("sex"))
models$budworm_cloglog <- emit("budworm_cloglog", "cbind(numdead, numalive) ~ sex + ldose + ldose:sex",
                               "numdead + numalive ~ ldose * sex", budworm, "cloglog", "budworm")
infert <- read_data("infert", c("education"), function(df) {
  df$w <- df$parity                      # integer frequency weights 1..6
  df$off <- (df$age - 30) / 10
  df
})
models$infert_weighted_cloglog <- emit(
  "infert_weighted_cloglog", "case ~ education + spontaneous + induced",
  "case ~ spontaneous + induced + education", infert, "cloglog", "infert", weights = infert$w)
models$infert_offset_logit <- emit(
  "infert_offset_logit", "case ~ education + spontaneous + induced + spontaneous:induced + age",
  "case ~ spontaneous * induced + education + age", infert, "logit", "infert", offset = infert$off)
endo <- read_data("endometrial", character(0))
models$endometrial_separated <- suppressWarnings(emit(
  "endometrial_separated", "HG ~ NV + PI + EH", "HG ~ NV + PI + EH", endo, "logit", "endometrial",
  epsilon = 1e-12))

writeLines(toJSON(models, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           file.path(out, "anova.json"))
