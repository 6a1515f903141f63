import { createKeyEngine } from './distanceKeys';
import { queryStats, topKRow, RankScratch } from './rank';
import { squaredNorms } from './prepare';

/**
 * One pass of queries [start, end) against the whole gallery, a block of query rows at a time:
 * at most block × n keys exist at once, never an N×N matrix. The same function runs in-process
 * (small inputs) and inside each retrieval worker (large ones), so both paths give identical numbers.
 */
export interface ScanInput {
  queries: Float32Array;
  gallery: Float32Array;
  nGallery: number;
  dim: number;
  /** Gallery index of each query when the query is also in the gallery (leave-one-out), else null. */
  selfIndex: Int32Array | null;
  start: number;
  end: number;
  threads: number;
  /** Bounds of every key when known (unit-length rows), passed to the ranking. */
  keyRange?: [number, number];
}

export interface TopKResult {
  indices: Int32Array;
  /** Euclidean distances (not keys), ascending per row. */
  distances: Float32Array;
}

export interface StatsResult {
  firstHit: Int32Array;
  ap: Float64Array;
  rPrecision: Float64Array;
  /** With `negatives`: each query's closest gallery item of another label, as scanNearestNegative gives it. */
  negIndex?: Int32Array;
  negDistance?: Float32Array;
}

/** Called after each block with the number of queries finished so far; may throw to stop. */
export type BlockHook = (done: number) => void | Promise<void>;

/**
 * Rows per Gemm call: a block of keys of ≈ 16 MB (4M floats), so the two in flight stay
 * cache-friendly — but never fewer than 32 rows. Each call streams the whole gallery through the
 * cores once, so with 8-row blocks a 10^6 × 128 gallery (512 MB) was read 1,250 times for 10,000
 * queries: memory traffic, not arithmetic, set the time (bench/scale 1M: ≈40 s). 32 rows cut that
 * fourfold for 2 × 128 MB of keys in flight.
 */
function blockRows(nGallery: number): number {
  return Math.max(32, Math.min(512, Math.floor((4 * 1024 * 1024) / Math.max(1, nGallery))));
}

async function scan(input: ScanInput, perRow: (row: Float32Array, q: number, self: number) => void, hook?: BlockHook): Promise<void> {
  const { queries, gallery, nGallery, dim, selfIndex, start, end } = input;
  const engine = await createKeyEngine(gallery, nGallery, dim, squaredNorms(gallery, nGallery, dim), input.threads);
  let pending: Promise<Float32Array> | null = null;
  try {
    const step = blockRows(nGallery);
    // The next block's product runs (natively, off this thread) while this block is ranked.
    const launch = (s: number) => engine.keys(queries.subarray(s * dim, Math.min(end, s + step) * dim), Math.min(end, s + step) - s);
    pending = start < end ? launch(start) : null;
    for (let s = start; s < end; s += step) {
      const keys = await pending!;
      const e = Math.min(end, s + step);
      pending = e < end ? launch(e) : null;
      for (let q = s; q < e; q++) perRow(keys.subarray((q - s) * nGallery, (q - s + 1) * nGallery), q, selfIndex ? selfIndex[q] : -1);
      if (hook) await hook(e - start);
    }
    pending = null;
  } finally {
    // When the hook stops the scan (Ctrl-C), the next block's run is still in flight: releasing the
    // session under it made that run reject "Session already disposed" with nobody awaiting it — an
    // unhandled rejection printed with onnxruntime's stack instead of "cancelled". Let it land first.
    if (pending) await pending.catch(() => undefined);
    await engine.dispose();
  }
}

export async function scanTopK(input: ScanInput, k: number, hook?: BlockHook): Promise<TopKResult> {
  const rows = input.end - input.start;
  const indices = new Int32Array(rows * k).fill(-1);
  const distances = new Float32Array(rows * k).fill(Infinity);
  const qsq = squaredNorms(input.queries, input.queries.length / input.dim, input.dim);
  await scan(
    input,
    (row, q, self) => {
      const off = (q - input.start) * k;
      const got = topKRow(row, self, k, indices, distances, off);
      // key + ‖q‖² is the squared distance; rounding can take it a hair below zero.
      for (let i = off; i < off + got; i++) distances[i] = Math.sqrt(Math.max(0, distances[i] + qsq[q]));
    },
    hook,
  );
  return { indices, distances };
}

export async function scanStats(
  input: ScanInput,
  queryLabels: Int32Array,
  galleryLabels: Int32Array,
  /** Same-label gallery items per query, the query itself not counted; 0 → excluded, skipped. */
  rOf: Int32Array,
  hook?: BlockHook,
  /**
   * Also find each query's nearest other-label item from the same keys (class geometry needs it
   * for the same sample: one pass over the gallery instead of two, ~35 s at 10^6 items).
   */
  negatives = false,
): Promise<StatsResult> {
  const rows = input.end - input.start;
  const firstHit = new Int32Array(rows);
  const ap = new Float64Array(rows);
  const rPrecision = new Float64Array(rows);
  const neg = negatives ? { index: new Int32Array(rows).fill(-1), distance: new Float32Array(rows).fill(Infinity) } : null;
  const qsq = neg ? squaredNorms(input.queries, input.queries.length / input.dim, input.dim) : null;
  const scratch = new RankScratch(input.nGallery);
  await scan(
    input,
    (row, q, self) => {
      const at = q - input.start;
      const r = rOf[q];
      if (r === 0) {
        if (neg) nearestNegativeInto(row, q, queryLabels[q], galleryLabels, qsq!, neg, at);
        return;
      }
      const st = queryStats(row, self, queryLabels[q], galleryLabels, r, scratch, input.keyRange);
      firstHit[at] = st.firstHit;
      ap[at] = st.ap;
      rPrecision[at] = st.rPrecision;
      if (!neg) return;
      // The ranking already met the nearest other-label item unless its whole top R were hits.
      if (st.nearestNegative < 0) nearestNegativeInto(row, q, queryLabels[q], galleryLabels, qsq!, neg, at);
      else {
        neg.index[at] = st.nearestNegative;
        neg.distance[at] = Math.sqrt(Math.max(0, row[st.nearestNegative] + qsq![q]));
      }
    },
    hook,
  );
  return { firstHit, ap, rPrecision, ...(neg ? { negIndex: neg.index, negDistance: neg.distance } : {}) };
}

/**
 * The closest gallery item whose label differs from the query's (the query itself has its label,
 * so it is never picked); ties go to the lower index. Writes its index and Euclidean distance at `at`.
 */
function nearestNegativeInto(
  row: Float32Array,
  q: number,
  label: number,
  galleryLabels: Int32Array,
  qsq: Float32Array,
  out: NearestNegativeResult,
  at: number,
): void {
  let best = -1;
  let bk = Infinity;
  for (let j = 0; j < row.length; j++) {
    if (row[j] < bk && galleryLabels[j] !== label) {
      bk = row[j];
      best = j;
    }
  }
  out.index[at] = best;
  if (best >= 0) out.distance[at] = Math.sqrt(Math.max(0, bk + qsq[q]));
}

/** Nearest other-label items of some items of a leave-one-out set, by item index (ascending). */
export interface ItemNegatives {
  items: Int32Array;
  index: Int32Array;
  distance: Float32Array;
}

export interface NearestNegativeResult {
  /** Gallery index and Euclidean distance of each query's closest item with another label. */
  index: Int32Array;
  distance: Float32Array;
}

export async function scanNearestNegative(
  input: ScanInput,
  queryLabels: Int32Array,
  galleryLabels: Int32Array,
  hook?: BlockHook,
): Promise<NearestNegativeResult> {
  const rows = input.end - input.start;
  const out: NearestNegativeResult = { index: new Int32Array(rows).fill(-1), distance: new Float32Array(rows).fill(Infinity) };
  const qsq = squaredNorms(input.queries, input.queries.length / input.dim, input.dim);
  await scan(input, (row, q) => nearestNegativeInto(row, q, queryLabels[q], galleryLabels, qsq, out, q - input.start), hook);
  return out;
}
