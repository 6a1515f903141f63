/**
 * "Do the classes separate on the map?" as numbers, so the demo's claim can be checked rather than
 * eyeballed: computed on the 2-D layout the report draws (UMAP), not on the embeddings, because the
 * map is what the user looks at.
 *
 * - knnAccuracy: leave-one-out k-nearest-neighbour label vote on the map (ties go to the nearest
 *   voter's label). Chance is about 1 / classes; 1 means every point sits among its own class.
 * - silhouette: mean silhouette width (Rousseeuw 1987) with Euclidean distance on the map, in [-1, 1];
 *   around 0 means classes overlap, towards 1 means tight, well-apart clusters.
 * Exact O(n²) pairwise distances: the demo's held-out set is a few hundred points.
 */
export interface LayoutSeparation {
  knnAccuracy: number;
  k: number;
  silhouette: number;
  items: number;
}

/** Largest layout this exact pairwise computation accepts (the demo's is far smaller). */
export const MAX_SEPARATION_ITEMS = 20_000;

export function layoutSeparation(coords: Float32Array, labels: ArrayLike<number>, k = 5): LayoutSeparation {
  const n = labels.length;
  if (coords.length !== 2 * n) throw new Error(`layout has ${coords.length / 2} points for ${n} labels`);
  if (n > MAX_SEPARATION_ITEMS) throw new Error(`layout separation is exact O(n²): ${n} items is over ${MAX_SEPARATION_ITEMS}`);
  const kk = Math.max(1, Math.min(k, n - 1));
  const classes = new Map<number, number>();
  for (let i = 0; i < n; i++) classes.set(labels[i], (classes.get(labels[i]) ?? 0) + 1);
  const classIds = [...classes.keys()];
  const slot = new Map(classIds.map((c, i) => [c, i]));
  const dist = new Float64Array(n);
  const order: number[] = [];
  const sums = new Float64Array(classIds.length);
  let correct = 0;
  let silhouetteSum = 0;
  for (let i = 0; i < n; i++) {
    const xi = coords[2 * i];
    const yi = coords[2 * i + 1];
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      const dx = coords[2 * j] - xi;
      const dy = coords[2 * j + 1] - yi;
      dist[j] = Math.sqrt(dx * dx + dy * dy);
      if (j !== i) sums[slot.get(labels[j])!] += dist[j];
    }
    // kNN vote.
    order.length = 0;
    for (let j = 0; j < n; j++) if (j !== i) order.push(j);
    order.sort((a, b) => dist[a] - dist[b] || a - b);
    const votes = new Map<number, number>();
    for (let t = 0; t < kk; t++) votes.set(labels[order[t]], (votes.get(labels[order[t]]) ?? 0) + 1);
    let best = labels[order[0]];
    for (const [c, v] of votes) if (v > votes.get(best)!) best = c;
    if (best === labels[i]) correct++;
    // Silhouette: a = mean distance to the own class, b = smallest mean distance to another class.
    const own = classes.get(labels[i])!;
    if (own < 2 || classIds.length < 2) continue; // a singleton's silhouette is 0 by convention
    const a = sums[slot.get(labels[i])!] / (own - 1);
    let b = Infinity;
    for (let c = 0; c < classIds.length; c++) if (classIds[c] !== labels[i]) b = Math.min(b, sums[c] / classes.get(classIds[c])!);
    const m = Math.max(a, b);
    silhouetteSum += m > 0 ? (b - a) / m : 0;
  }
  return { knnAccuracy: n ? correct / n : 0, k: kk, silhouette: n ? silhouetteSum / n : 0, items: n };
}
