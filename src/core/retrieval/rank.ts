/**
 * Per-query ranking over one row of distance keys (lower = closer), exact with ties broken by
 * gallery index, the query itself excluded by index. Nothing here sorts a whole row: top-k keeps a
 * small sorted buffer; the R-based metrics select the R closest items (quickselect on a copy),
 * then sort only those.
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
  readonly composite: Float64Array;
  readonly positive: Uint8Array;
  constructor(n: number) {
    this.values = new Float32Array(n);
    this.composite = new Float64Array(n);
    this.positive = new Uint8Array(n);
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
/** Monotone map of a float32 onto [0, 2^32): flip negatives entirely, set the sign bit of positives. */
function sortableBits(x: number): number {
  F32[0] = x;
  const u = U32[0];
  return u & 0x80000000 ? ~u >>> 0 : (u | 0x80000000) >>> 0;
}
const POS_SPAN = 2 ** 21;

/**
 * Metrics of one query. `r` is the number of same-label gallery items other than the query
 * itself (callers exclude r = 0 before calling). `galleryLabels[j]` is compared with `label`.
 */
export function queryStats(row: Float32Array, self: number, label: number, galleryLabels: Int32Array, r: number, s: RankScratch): QueryStats {
  const n = row.length;
  const values = s.values;
  values.set(row);
  if (self >= 0) values[self] = Infinity;
  const t = selectKth(values, n, r - 1);

  // The R closest: every key below t, then keys equal to t in index order until R are taken.
  let below = 0;
  for (let j = 0; j < n; j++) if (j !== self && row[j] < t) below++;
  let tiesLeft = r - below;
  let count = 0;
  const composite = s.composite;
  const positive = s.positive;
  if (r >= POS_SPAN) throw new RangeError(`queryStats: R = ${r} exceeds ${POS_SPAN - 1}`);
  for (let j = 0; j < n; j++) {
    if (j === self) continue;
    const key = row[j];
    if (key < t || (key === t && tiesLeft-- > 0)) {
      // Collected in index order, so the slot number breaks key ties by index.
      composite[count] = sortableBits(key) * POS_SPAN + count;
      positive[count] = galleryLabels[j] === label ? 1 : 0;
      count++;
    }
  }
  const top = composite.subarray(0, count).sort();

  let hits = 0;
  let ap = 0;
  let firstHit = 0;
  for (let i = 0; i < count; i++) {
    if (positive[top[i] % POS_SPAN]) {
      hits++;
      ap += hits / (i + 1);
      if (firstHit === 0) firstHit = i + 1;
    }
  }
  if (firstHit === 0) firstHit = firstHitBeyond(row, self, label, galleryLabels);
  return { firstHit, ap: ap / r, rPrecision: hits / r };
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

/** The k-th smallest value (0-based) of a[0..n), rearranging a. Hoare quickselect, median of three. */
export function selectKth(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three as the pivot keeps sorted or constant rows from going quadratic.
    let x = a[lo];
    let y = a[mid];
    let z = a[hi];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
