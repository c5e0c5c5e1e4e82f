# Writes the bundled CSV files of logitstat from the R packages that distribute them.
#
#   Rscript datasets/make_datasets.R datasets
#
# Run with R 4.2.2, carData 3.0-5, MASS 7.3-58.2 and brglm2 0.9, it reproduces every CSV in this
# folder byte for byte (checked 2026-12-01).  Columns are selected (and birthwt's race recoded
# to labels) as documented in README.md; everything else is the packages' data as shipped.
out <- commandArgs(trailingOnly = TRUE)[1]
if (is.na(out)) out <- "."
save <- function(df, name, na = "NA")
    write.csv(df, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = na)

save(carData::Mroz[, c("lfp", "k5", "k618", "age", "wc", "hc", "lwg", "inc")], "mroz")

b <- MASS::birthwt
b$race <- c("white", "black", "other")[b$race]  # MASS codes race 1 = white, 2 = black, 3 = other
save(b[, c("low", "age", "lwt", "race", "smoke", "ptl", "ht", "ui", "ftv")], "birthwt")

# the 263 missing ages are written as empty cells
save(carData::TitanicSurvival[, c("survived", "sex", "age", "passengerClass")], "titanic", na = "")

save(datasets::infert[, c("case", "spontaneous", "induced", "education", "age", "parity")], "infert")

save(brglm2::endometrial[, c("NV", "PI", "EH", "HG")], "endometrial")

save(datasets::mtcars[, c("am", "wt", "hp", "mpg", "cyl")], "mtcars")

# Venables & Ripley (2002), Modern Applied Statistics with S, section 7.2: 20 moths per batch
ldose <- rep(0:5, 2)
numdead <- c(1, 4, 9, 13, 18, 20, 0, 2, 6, 10, 12, 16)
sex <- factor(rep(c("M", "F"), c(6, 6)))
save(data.frame(ldose = ldose, numdead = numdead, sex = sex, numalive = 20 - numdead), "budworm")
