/**
 * The bounded top-k buffer of the plain scans (sampled recall, a query's nearest items, the
 * benchmarks' ground truth): distances ascending in `dist`, their items in `idx`, both of fixed
 * length k. Faster than a heap for the small k these ask for.
 */

/**
 * Inserts (d, item) in order if it beats the current k-th, dropping the last entry. A tie keeps the
 * entry already there, so scanning items in index order breaks ties by the lower index.
 */
export function sortedInsert(dist: Float64Array, idx: Int32Array, d: number, item: number): void {
  const k = dist.length;
  if (!(d < dist[k - 1])) return;
  let p = k - 1;
  while (p > 0 && dist[p - 1] > d) {
    dist[p] = dist[p - 1];
    idx[p] = idx[p - 1];
    p--;
  }
  dist[p] = d;
  idx[p] = item;
}
