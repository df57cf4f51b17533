# Time R's sna::brokerage for bench/brokerage_speed.py.
# Usage: Rscript sna_time.R GRAPH.csv matrix|edgelist REPEATS [RAW_OUT.csv]
#   GRAPH.csv: the format of tests/reference/sna_brokerage.R ("n,<N>," then
#   "node,<index from 1>,<group>" and "arc,<from>,<to>" lines).
#   matrix: brokerage() is given a dense N x N adjacency matrix (what sna_brokerage.R does;
#   8 N^2 bytes); edgelist: an sna edge list (a 3-column matrix with attribute "n").
#   Only brokerage(g, cl) is timed (system.time, elapsed), not reading the file or building
#   its input. Prints "elapsed,<seconds of each run>" on stdout, then "cpu,<user + system
#   seconds of each run>" (what a run costs on a machine busy with other work);
#   RAW_OUT.csv, if given, gets the raw counts (w_I, w_O, b_IO, b_OI, b_O, t) of the last run, one row per node.
suppressMessages(library(sna))
args <- commandArgs(trailingOnly = TRUE)
mode <- args[2]
repeats <- as.integer(args[3])
lines <- read.csv(args[1], header = FALSE, stringsAsFactors = FALSE,
                  col.names = c("what", "a", "b"), colClasses = "character")
n <- as.integer(lines$a[lines$what == "n"])
nodes <- lines[lines$what == "node", ]
cl <- character(n)
cl[as.integer(nodes$a)] <- nodes$b
arcs <- lines[lines$what == "arc", ]
el <- cbind(as.integer(arcs$a), as.integer(arcs$b))
rm(lines, arcs, nodes)
if (mode == "matrix") {
  g <- matrix(0, n, n)
  g[el] <- 1
} else if (mode == "edgelist") {
  g <- cbind(el, 1)
  attr(g, "n") <- n
} else {
  stop("mode must be matrix or edgelist")
}
invisible(gc())
times <- numeric(repeats)
cpu <- numeric(repeats)
for (i in seq_len(repeats)) {
  spent <- system.time(b <- brokerage(g, cl))
  times[i] <- spent[["elapsed"]]
  cpu[i] <- spent[["user.self"]] + spent[["sys.self"]]
}
cat("elapsed", format(times, digits = 6), sep = ",")
cat("\n")
cat("cpu", format(cpu, digits = 6), sep = ",")
cat("\n")
if (length(args) >= 4) {
  write.table(b$raw.nli, args[4], sep = ",", row.names = FALSE, col.names = FALSE)
}
