# Gould-Fernandez brokerage by R's sna::brokerage, the reference for graph_service.
# Usage: Rscript sna_brokerage.R GRAPH.csv OUT.csv
#   GRAPH.csv: first line "n,<number of nodes>," then one "node,<index>,<group>" line per node
#   (index from 1) and one "arc,<from>,<to>" line per arc.
#   OUT.csv: one row per node (and a row "global"): raw counts, expected values, standard
#   deviations and z-scores of the six columns w_I, w_O, b_IO, b_OI, b_O, t.
suppressMessages(library(sna))
args <- commandArgs(trailingOnly = TRUE)
lines <- read.csv(args[1], header = FALSE, stringsAsFactors = FALSE,
                  col.names = c("what", "a", "b"), colClasses = "character")
n <- as.integer(lines$a[lines$what == "n"])
nodes <- lines[lines$what == "node", ]
cl <- character(n)
cl[as.integer(nodes$a)] <- nodes$b
arcs <- lines[lines$what == "arc", ]
g <- matrix(0, n, n)
if (nrow(arcs) > 0) g[cbind(as.integer(arcs$a), as.integer(arcs$b))] <- 1
b <- brokerage(g, cl)
cols <- c("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")
# 17 significant digits: every double reads back exactly; NaN, Inf and NA print as such
fmt <- function(m) {
  s <- formatC(m, digits = 17, format = "g")
  s[] <- trimws(s)
  s
}
node_rows <- data.frame(node = as.character(1:n),
                        fmt(b$raw.nli), fmt(b$exp.nli), fmt(b$sd.nli), fmt(b$z.nli))
glob <- data.frame(node = "global", t(fmt(b$raw.gli)), t(fmt(b$exp.gli)),
                   t(fmt(b$sd.gli)), t(fmt(b$z.gli)))
names <- c("node", paste0("raw_", cols), paste0("exp_", cols), paste0("sd_", cols),
           paste0("z_", cols))
names(node_rows) <- names
names(glob) <- names
write.csv(rbind(node_rows, glob), args[2], row.names = FALSE, quote = FALSE)
