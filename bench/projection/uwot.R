# Peer for bench/projection: R's uwot on the same float32 matrix.
# Usage: Rscript uwot.R DATA.f32 N DIM THREADS SEED OUT.f32
# Prints one JSON line: {"seconds": wall time of umap() incl. its own Annoy kNN, "peak_rss_mb": VmHWM}.
suppressPackageStartupMessages(library(uwot))
a <- commandArgs(trailingOnly = TRUE)
n <- as.integer(a[2]); dim <- as.integer(a[3]); threads <- as.integer(a[4]); seed <- as.integer(a[5])
con <- file(a[1], "rb")
x <- matrix(readBin(con, "numeric", n * dim, size = 4, endian = "little"), nrow = n, ncol = dim, byrow = TRUE)
close(con)
set.seed(seed)
t0 <- proc.time()[["elapsed"]]
y <- umap(x, n_neighbors = 15, min_dist = 0.1, spread = 1, metric = "euclidean",
          n_threads = threads, n_sgd_threads = threads, verbose = FALSE)
secs <- proc.time()[["elapsed"]] - t0
con <- file(a[6], "wb")
writeBin(as.numeric(t(y)), con, size = 4, endian = "little")
close(con)
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
kb <- as.numeric(gsub("[^0-9]", "", hwm))
cat(sprintf('{"seconds": %.3f, "peak_rss_mb": %.1f}\n', secs, kb / 1024))
