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
  const n = row.length;
  let size = 0;
  let j = 0;
  // Fill the buffer with the first k items, then scan the rest against its largest key: past the
  // first few thousand items nearly every key fails that one comparison, so the loop is one read
  // and one compare per item (the self check and the insertion live in the rare branch).
  for (; j < n && size < k; j++) {
    if (j !== self) insertSorted(outIdx, outKey, outOffset, size++, row[j], j);
  }
  if (size < k) return size;
  const last = outOffset + k - 1;
  let worst = outKey[last];
  for (; j < n; j++) {
    const key = row[j];
    if (key < worst && j !== self) {
      insertSorted(outIdx, outKey, outOffset, k - 1, key, j);
      worst = outKey[last];
    }
  }
  return size;
}

/**
 * Puts (key, j) into the ascending buffer [off, off + end], overwriting slot `end`: after every
 * entry with key ≤ this one, which all have smaller indices, so ties stay in index order.
 */
function insertSorted(outIdx: Int32Array, outKey: Float32Array, off: number, end: number, key: number, j: number): void {
  let p = off + end;
  while (p > off && outKey[p - 1] > key) {
    outKey[p] = outKey[p - 1];
    outIdx[p] = outIdx[p - 1];
    p--;
  }
  outKey[p] = key;
  outIdx[p] = j;
}

/**
 * topKRow's contract (the k smallest (key, index) excluding `self`, ascending, ties by index)
 * through a max-heap on (key, index) for a larger k: one comparison per item against the heap's
 * largest, an O(log k) replacement when it loses, and a heap sort at the end.
 */
export function topKByHeap(
  row: Float32Array,
  self: number,
  k: number,
  outIdx: Int32Array,
  outKey: Float32Array,
  outOffset: number,
): number {
  const keys = outOffset === 0 ? outKey : outKey.subarray(outOffset);
  const idx = outOffset === 0 ? outIdx : outIdx.subarray(outOffset);
  const n = row.length;
  let size = 0;
  let j = 0;
  for (; j < n && size < k; j++) {
    if (j === self) continue;
    keys[size] = row[j];
    idx[size] = j;
    size++;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(keys, idx, i, size);
  if (size === k) {
    let worst = keys[0];
    // Every index in the heap is below j, so an equal key never displaces one: ties keep the lower index.
    for (; j < n; j++) {
      const key = row[j];
      if (key < worst && j !== self) {
        keys[0] = key;
        idx[0] = j;
        siftDown(keys, idx, 0, k);
        worst = keys[0];
      }
    }
  }
  for (let end = size - 1; end > 0; end--) {
    const tk = keys[0];
    const ti = idx[0];
    keys[0] = keys[end];
    idx[0] = idx[end];
    keys[end] = tk;
    idx[end] = ti;
    siftDown(keys, idx, 0, end);
  }
  return size;
}

/** Restores the max-heap order on (key, index) below slot `i` of a heap of `size` entries. */
function siftDown(keys: Float32Array, idx: Int32Array, i: number, size: number): void {
  const k0 = keys[i];
  const i0 = idx[i];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && (keys[c + 1] > keys[c] || (keys[c + 1] === keys[c] && idx[c + 1] > idx[c]))) c++;
    if (!(keys[c] > k0 || (keys[c] === k0 && idx[c] > i0))) break;
    keys[i] = keys[c];
    idx[i] = idx[c];
    i = c;
  }
  keys[i] = k0;
  idx[i] = i0;
}

/** What each query contributes to the SPEC §2 metrics. */
export interface QueryStats {
  /** Rank (1-based) of the first same-label item; 0 when the query is excluded. */
  firstHit: number;
  /** Average precision over the top R (map@r summand) and correct fraction of the top R. */
  ap: number;
  rPrecision: number;
  /**
   * The closest item of another label when it is among the items ranked here (it nearly always
   * is: it is the first non-hit of the top R), else -1 and a caller that needs it scans the row.
   */
  nearestNegative: number;
}

/** Reusable buffers sized for one gallery row, so the per-query work allocates nothing. */
export class RankScratch {
  readonly values: Float32Array;
  readonly hist: Int32Array;
  readonly keys: Float32Array;
  readonly positive: Uint8Array;
  readonly order: Int32Array;
  readonly bucketStart: Int32Array;
  /** Gallery index of each collected slot. */
  readonly slotIndex: Int32Array;
  constructor(n: number) {
    this.values = new Float32Array(n);
    this.hist = new Int32Array(Math.max(16, Math.min(4096, n >> 3)));
    this.keys = new Float32Array(n);
    this.positive = new Uint8Array(n);
    this.order = new Int32Array(n);
    this.bucketStart = new Int32Array(n + 2);
    this.slotIndex = new Int32Array(n);
  }
}

/**
 * floor(v) clamped to [0, nb − 1] (NaN → nb − 1, as Math.floor then the clamps gave), without
 * Math.floor: the truncation `| 0` equals floor for the positive v it is applied to, and this was
 * the costliest part of the histogram pass (≈4.3 → 2.7 ms per 10^6 keys).
 */
function bucket(v: number, nb: number): number {
  return v < nb ? (v > 0 ? v | 0 : 0) : nb - 1;
}

/**
 * Up to this R the R closest items are kept in a sorted buffer during one pass (topKRow): after
 * the first few thousand items almost every key fails a single comparison, so a row costs about
 * one read (≈0.5 ms per 10^6 keys against ≈9 ms for the histogram path). Above it, insertions into
 * the buffer (≈R·ln(n/R) of them, each shifting up to R entries) would cost more than a heap's.
 */
const BUFFERED_R = 128;
/**
 * Up to this R (and R ≤ n/8) a max-heap of the R closest does the same in one pass with
 * O(log R) insertions: 1,000 classes of 1,000 items (R = 999) rank a 10^6 row in about one read.
 * Past it the heap's insertions outweigh the histogram's three linear passes.
 */
const HEAP_R = 8192;

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
  if (r <= BUFFERED_R) return statsOfTopR(row, self, label, galleryLabels, r, s, topKRow);
  if (r <= HEAP_R && r * 8 <= row.length) return statsOfTopR(row, self, label, galleryLabels, r, s, topKByHeap);
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
  for (let j = 0; j < n; j++) hist[bucket((row[j] - lo) * scale, nb)]++;
  if (self >= 0) hist[bucket((row[self] - lo) * scale, nb)]--;
  let cut = 0;
  for (let acc = hist[0]; acc < r; acc += hist[++cut]);

  const keys = s.keys;
  const positive = s.positive;
  let count = 0;
  let kmin = Infinity;
  let kmax = -Infinity;
  for (let j = 0; j < n; j++) {
    const key = row[j];
    if (bucket((key - lo) * scale, nb) <= cut && j !== self) {
      keys[count] = key;
      positive[count] = galleryLabels[j] === label ? 1 : 0;
      s.slotIndex[count] = j;
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
  let neg = 0;
  while (neg < count && positive[order[neg]]) neg++;
  return { firstHit, ap: ap / r, rPrecision: hits / r, nearestNegative: neg < count ? s.slotIndex[order[neg]] : -1 };
}

/** queryStats for a small or middling R: the top R by (key, index) from one selection pass. */
function statsOfTopR(
  row: Float32Array,
  self: number,
  label: number,
  galleryLabels: Int32Array,
  r: number,
  s: RankScratch,
  select: (row: Float32Array, self: number, k: number, outIdx: Int32Array, outKey: Float32Array, outOffset: number) => number,
): QueryStats {
  const top = s.order;
  const got = select(row, self, r, top, s.keys, 0);
  let hits = 0;
  let ap = 0;
  let firstHit = 0;
  for (let i = 0; i < got; i++) {
    if (galleryLabels[top[i]] === label) {
      hits++;
      ap += hits / (i + 1);
      if (firstHit === 0) firstHit = i + 1;
    }
  }
  if (firstHit === 0) firstHit = firstHitBeyond(row, self, label, galleryLabels);
  let neg = 0;
  while (neg < got && galleryLabels[top[neg]] === label) neg++;
  return { firstHit, ap: ap / r, rPrecision: hits / r, nearestNegative: neg < got ? top[neg] : -1 };
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
  let kb = Infinity;
  for (let j = 0; j < n; j++) {
    if (row[j] < kb && galleryLabels[j] === label && j !== self) {
      kb = row[j];
      best = j;
    }
  }
  // Before it in (key, index) order: an equal key counts only at a smaller index. Two loops split
  // at `best` keep each to one comparison per item; self is taken out afterwards.
  let before = 0;
  for (let j = 0; j < best; j++) if (row[j] <= kb) before++;
  for (let j = best + 1; j < n; j++) if (row[j] < kb) before++;
  if (self >= 0 && (row[self] < kb || (row[self] === kb && self < best))) before--;
  return before + 1;
}
