/**
 * Per-query ranking over one row of distance keys (lower = closer), exact with ties broken by
 * gallery index, the query itself excluded by index. Nothing here sorts a whole row: top-k keeps a
 * small sorted buffer; the R-based metrics collect the R closest items (found with a histogram of
 * the row) and sort only those.
 */

/**
 * The k smallest (key, index) of a row, ascending, excluding `self`. Rows are scanned in index
 * order, so an equal key never displaces an earlier index: ties end up ordered by index.
 * Returns how many were written (fewer than k when the row is short).
 */
export function topKRow(row: Float32Array, self: number, k: number, outIdx: Int32Array, outKey: Float32Array, outOffset: number): number {
  let size = 0;
  const n = row.length;
  for (let j = 0; j < n; j++) {
    if (j === self) continue;
    const key = row[j];
    if (size === k) {
      if (!(key < outKey[outOffset + k - 1])) continue;
    } else {
      size++;
    }
    // Insert after every entry with key ≤ this one (those have smaller indices).
    let p = outOffset + size - 1;
    while (p > outOffset && outKey[p - 1] > key) {
      outKey[p] = outKey[p - 1];
      outIdx[p] = outIdx[p - 1];
      p--;
    }
    outKey[p] = key;
    outIdx[p] = j;
  }
  return size;
}

/** What each query contributes to the SPEC §2 metrics. */
export interface QueryStats {
  /** Rank (1-based) of the first same-label item; 0 when the query is excluded. */
  firstHit: number;
  /** Average precision over the top R (map@r summand) and correct fraction of the top R. */
  ap: number;
  rPrecision: number;
}

/** Reusable buffers sized for one gallery row, so the per-query work allocates nothing. */
export class RankScratch {
  readonly values: Float32Array;
  readonly hist: Int32Array;
  readonly keys: Float32Array;
  readonly positive: Uint8Array;
  readonly order: Int32Array;
  readonly bucketStart: Int32Array;
  constructor(n: number) {
    this.values = new Float32Array(n);
    this.hist = new Int32Array(Math.max(16, Math.min(4096, n >> 3)));
    this.keys = new Float32Array(n);
    this.positive = new Uint8Array(n);
    this.order = new Int32Array(n);
    this.bucketStart = new Int32Array(n + 2);
  }
}

/**
 * Metrics of one query. `r` is the number of same-label gallery items other than the query
 * itself (callers exclude r = 0 before calling). `galleryLabels[j]` is compared with `label`.
 */
export function queryStats(
  row: Float32Array,
  self: number,
  label: number,
  galleryLabels: Int32Array,
  r: number,
  s: RankScratch,
  /** Known bounds of every key (unit-length rows: ‖g‖² − 2·q·g ∈ [−1, 3]) save a min/max pass. */
  keyRange?: [number, number],
): QueryStats {
  const n = row.length;
  // A histogram of the row's keys finds the bucket that holds the R-th closest item; everything
  // up to that bucket is collected (R items plus at most one bucket's worth) and sorted, and the
  // list is cut at R. Three linear passes replace a quickselect's swaps.
  let lo = Infinity;
  let hi = -Infinity;
  if (keyRange) {
    [lo, hi] = keyRange;
  } else {
    for (let j = 0; j < n; j++) {
      const key = row[j];
      if (key < lo) lo = key;
      if (key > hi) hi = key;
    }
  }
  const hist = s.hist;
  const nb = hist.length;
  const scale = hi > lo ? nb / (hi - lo) : 0;
  hist.fill(0);
  // Bucket indices are clamped at both ends: with a given range, rounding can step just outside it.
  for (let j = 0; j < n; j++) {
    const b = Math.floor((row[j] - lo) * scale);
    hist[b < 0 ? 0 : b < nb ? b : nb - 1]++;
  }
  if (self >= 0) {
    const b = Math.floor((row[self] - lo) * scale);
    hist[b < 0 ? 0 : b < nb ? b : nb - 1]--;
  }
  let cut = 0;
  for (let acc = hist[0]; acc < r; acc += hist[++cut]);

  const keys = s.keys;
  const positive = s.positive;
  let count = 0;
  let kmin = Infinity;
  let kmax = -Infinity;
  for (let j = 0; j < n; j++) {
    const key = row[j];
    let b = Math.floor((key - lo) * scale);
    if (b >= nb) b = nb - 1;
    if (b < 0) b = 0;
    if (b <= cut && j !== self) {
      keys[count] = key;
      positive[count] = galleryLabels[j] === label ? 1 : 0;
      if (key < kmin) kmin = key;
      if (key > kmax) kmax = key;
      count++;
    }
  }
  // Collected in index order, so ordering by (key, slot) is ordering by (key, index).
  const order = sortSlots(keys, count, kmin, kmax, s);

  let hits = 0;
  let ap = 0;
  let firstHit = 0;
  for (let i = 0; i < r; i++) {
    if (positive[order[i]]) {
      hits++;
      ap += hits / (i + 1);
      if (firstHit === 0) firstHit = i + 1;
    }
  }
  if (firstHit === 0) firstHit = firstHitBeyond(row, self, label, galleryLabels);
  return { firstHit, ap: ap / r, rPrecision: hits / r };
}

/**
 * Slots 0..count−1 ordered by (key, slot) — slot order is index order. A bucket sort over
 * [kmin, kmax] (one bucket per item, stable) followed by insertion sort inside each bucket:
 * linear on the smooth key distributions a row has, where a comparison sort of R items was
 * the costliest step per query.
 */
function sortSlots(keys: Float32Array, count: number, kmin: number, kmax: number, s: RankScratch): Int32Array {
  const order = s.order;
  const start = s.bucketStart;
  const nb = count;
  const span = kmax - kmin;
  const scale = span > 0 ? nb / span : 0;
  start.fill(0, 0, nb + 2);
  // Bucket of each slot (a float32 holds these integers exactly).
  const bucketOf = s.values;
  for (let i = 0; i < count; i++) {
    let b = Math.floor((keys[i] - kmin) * scale);
    if (b >= nb) b = nb - 1;
    bucketOf[i] = b;
    start[b + 2]++;
  }
  for (let b = 2; b < nb + 2; b++) start[b] += start[b - 1];
  for (let i = 0; i < count; i++) order[start[bucketOf[i] + 1]++] = i;
  // Now start[b + 1] is the end of bucket b and start[b] its beginning.
  for (let b = 0; b < nb; b++) {
    const lo = start[b];
    const hi = start[b + 1];
    for (let i = lo + 1; i < hi; i++) {
      const v = order[i];
      const kv = keys[v];
      let p = i;
      // Strict comparison keeps equal keys in slot (index) order: the sort is stable.
      while (p > lo && keys[order[p - 1]] > kv) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = v;
    }
  }
  return order;
}

/** Rank of the closest same-label item when it lies outside the top R: 1 + items strictly before it. */
function firstHitBeyond(row: Float32Array, self: number, label: number, galleryLabels: Int32Array): number {
  const n = row.length;
  let best = -1;
  for (let j = 0; j < n; j++) {
    if (j !== self && galleryLabels[j] === label && (best < 0 || row[j] < row[best])) best = j;
  }
  const kb = row[best];
  let before = 0;
  for (let j = 0; j < n; j++) {
    if (j === self || j === best) continue;
    if (row[j] < kb || (row[j] === kb && j < best)) before++;
  }
  return before + 1;
}
