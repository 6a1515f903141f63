/**
 * UMAP's layout optimisation (umap-learn's optimize_layout_euclidean, 2-D): per epoch, every edge
 * whose turn has come pulls its two ends together (attractive gradient of 1/(1 + a·d^2b)), then its
 * head is pushed away from a few uniformly drawn points (negative sampling; the pushes of one edge
 * visit are summed and applied together, see sgdEpoch); the learning rate decays linearly to 0.
 * Everything lives in flat typed arrays. This file is the reference in plain JavaScript (float64,
 * x^b from a table built for the run's b, powTable.ts); sgdKernel.ts is the same epoch as a
 * WebAssembly SIMD kernel, which runs by default.
 *
 * Several threads share the work without giving up reproducibility: vertices are split into
 * contiguous ranges, one per thread, and each thread processes the edges whose head it owns. A
 * thread reads and writes its own vertices live; it reads other threads' vertices (and every
 * negative sample) from its own copy of the layout taken at the last merge — with one thread that
 * is the live layout itself — and its pulls on others go to a per-thread delta buffer that the
 * owner adds at the next merge (a barrier; several per epoch, see runThread) in a fixed thread
 * order. Within a thread, SAMPLE_LANES lanes walk contiguous parts of its vertices side by side (the
 * SIMD kernel's vector lanes), each in the graph's order. No value depends on thread timing, so a
 * seeded run is deterministic for a given thread count and optimizer.
 */

import { makePowTable, tablePow, type PowTable } from './powTable';

/** Everything one optimising thread needs; the typed arrays may live in SharedArrayBuffers. */
export interface SgdThread {
  n: number;
  /** This thread's edges are records [eLo, eHi) of `edges`; its vertices are [vLo, vHi). */
  eLo: number;
  eHi: number;
  vLo: number;
  vHi: number;
  /**
   * The edges the next sgdEpoch call visits: lane l walks [lanes[l], lanes[SAMPLE_LANES + l]) in
   * order. The caller sets them (see laneSlice).
   */
  lanes: Int32Array;
  /**
   * The edges (all of them; this thread only touches [eLo, eHi)), one 32-byte record each —
   * everything a visit reads sits in one cache line, one sequential stream per lane:
   * edges[EDGE_WORDS·e + NEXT_SAMPLE | NEXT_NEGATIVE | EPOCHS_PER_SAMPLE] (f64) and, through
   * edgeEnds (the same bytes as int32), edgeEnds[2·EDGE_WORDS·e + HEAD | TAIL].
   */
  edges: Float64Array;
  edgeEnds: Int32Array;
  negativeSampleRate: number;
  /** n×2 positions, updated in place. */
  live: Float32Array;
  /** n×2 positions as of the last merge, this thread's own copy (read for other threads' vertices and negative samples). */
  snap: Float32Array;
  /** n×2 pulls on other threads' vertices this epoch (this thread's buffer). */
  delta: Float32Array;
  a: number;
  b: number;
  gamma: number;
  /** One xorshift32 state per lane, never 0: each lane draws its negative samples from its own. */
  rng: Int32Array;
  /** x^b for this run's b. */
  pow: PowTable;
}

/** Layout of an edge record: float64 word offsets, and int32 offsets within edgeEnds' record. */
export const EDGE_WORDS = 4;
export const NEXT_SAMPLE = 0;
export const NEXT_NEGATIVE = 1;
export const EPOCHS_PER_SAMPLE = 2;
export const HEAD = 6;
export const TAIL = 7;

/** Views of `count` edge records at byte `offset` of `buffer`. */
export function edgeRecords(buffer: ArrayBufferLike, offset: number, count: number): { edges: Float64Array; edgeEnds: Int32Array } {
  return { edges: new Float64Array(buffer, offset, count * EDGE_WORDS), edgeEnds: new Int32Array(buffer, offset, count * EDGE_WORDS * 2) };
}

export function makeSgdThread(
  base: Pick<SgdThread, 'n' | 'edges' | 'edgeEnds' | 'negativeSampleRate' | 'live' | 'snap' | 'delta' | 'a' | 'b' | 'gamma'>,
  range: { eLo: number; eHi: number; vLo: number; vHi: number },
  seed: number,
): SgdThread {
  const { edges, negativeSampleRate } = base;
  for (let e = range.eLo; e < range.eHi; e++) {
    const eps = edges[EDGE_WORDS * e + EPOCHS_PER_SAMPLE];
    edges[EDGE_WORDS * e + NEXT_SAMPLE] = eps;
    edges[EDGE_WORDS * e + NEXT_NEGATIVE] = eps / negativeSampleRate;
  }
  const lanes = new Int32Array(2 * SAMPLE_LANES);
  return { ...base, ...range, lanes, rng: seedSampleStreams(seed), pow: makePowTable(base.b) };
}

/** The negative-sample streams of one thread, one per lane. */
export function seedSampleStreams(seed: number): Int32Array {
  return Int32Array.from({ length: SAMPLE_LANES }, (_, lane) => seedXorshift((seed + lane * 0x632be5ab) | 0));
}

/** Edge streams a thread walks side by side: the SIMD kernel's vector lanes (KERNEL_LANES). */
export const SAMPLE_LANES = 4;

/** A non-zero xorshift32 state from any integer seed (splitmix-style mixing). */
export function seedXorshift(seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 0x6d2b79f5 : h;
}

/**
 * One epoch of this thread's edges at learning rate `alpha` (umap-learn's single_epoch), as
 * SAMPLE_LANES streams walked side by side: each lane walks its own contiguous run of vertices'
 * edges in the graph's order (t.lanes), and a group is the next due edge of every lane. Every
 * visit of a group reads the layout as it was when the group started; then the heads move, then
 * the tails' pulls are added. The lanes' heads are different vertices, so a group's visits are
 * independent — the WebAssembly kernel (sgdKernel.ts) runs them in the four lanes of its vectors,
 * and this is its reference: same groups, same random draws.
 */
export function sgdEpoch(t: SgdThread, epoch: number, alpha: number): void {
  const { n, vLo, vHi, edges, edgeEnds, negativeSampleRate, live, snap, delta, a, b, gamma, pow } = t;
  const twoAB = 2 * a * b;
  const twoGB = 2 * gamma * b;
  const nOver2to32 = n / 4294967296;
  const streams = t.rng;
  const cursor = t.lanes.slice(0, SAMPLE_LANES);
  const end = t.lanes.subarray(SAMPLE_LANES, 2 * SAMPLE_LANES);
  const active = new Uint8Array(SAMPLE_LANES);
  const heads = new Int32Array(SAMPLE_LANES);
  const tails = new Int32Array(SAMPLE_LANES);
  const negatives = new Int32Array(SAMPLE_LANES);
  const moved = new Float64Array(2 * SAMPLE_LANES);
  const pulls = new Float64Array(2 * SAMPLE_LANES);
  for (;;) {
    const maxNegatives = takeGroup(edges, edgeEnds, negativeSampleRate, epoch, cursor, end, { active, heads, tails, negatives });
    if (maxNegatives < 0) break;

    // Each lane's visit: the pull, then its negative samples. Step p of a group draws one vertex
    // per lane from the lane's own stream; lane l's head is pushed from its position after the
    // pull if p is below its sample count; a lane's other draws are discarded. Nothing is written
    // until every lane is done, so lanes (and the kernel's vector lanes) read the same layout.
    for (let l = 0; l < SAMPLE_LANES; l++) {
      let s = streams[l];
      if (!active[l]) {
        for (let p = 0; p < maxNegatives; p++) {
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
        }
        streams[l] = s;
        continue;
      }
      const j = heads[l];
      const k = tails[l];
      const own = k >= vLo && k < vHi;
      // The tail is read live when this thread owns it, else from the snapshot.
      const from = own ? live : snap;
      let cx = live[2 * j];
      let cy = live[2 * j + 1];
      const dx = cx - from[2 * k];
      const dy = cy - from[2 * k + 1];
      const d2 = dx * dx + dy * dy;
      let gx = 0;
      let gy = 0;
      if (d2 > 0) {
        const pb = tablePow(d2, pow);
        const gc = (-twoAB * pb) / (d2 * (a * pb + 1));
        gx = clip4(gc * dx) * alpha;
        gy = clip4(gc * dy) * alpha;
      }
      cx += gx;
      cy += gy;
      pulls[2 * l] = gx;
      pulls[2 * l + 1] = gy;
      let pushX = 0;
      let pushY = 0;
      const nNeg = negatives[l];
      for (let p = 0; p < maxNegatives; p++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        if (p >= nNeg) continue;
        // Multiply-shift instead of % n: an integer division per sample was a bottleneck.
        const r = Math.floor((s >>> 0) * nOver2to32);
        if (r === j) continue;
        // Samples read the snapshot even for own vertices (at most a slice old).
        const sx = cx - snap[2 * r];
        const sy = cy - snap[2 * r + 1];
        const s2 = sx * sx + sy * sy;
        if (s2 > 0) {
          const gc = twoGB / ((0.001 + s2) * (a * tablePow(s2, pow) + 1));
          pushX += clip4(gc * sx);
          pushY += clip4(gc * sy);
        }
      }
      streams[l] = s;
      moved[2 * l] = cx + pushX * alpha;
      moved[2 * l + 1] = cy + pushY * alpha;
    }

    // Heads first, then the tails' pulls, so a tail that is another lane's head (or two lanes'
    // common tail) receives every pull.
    for (let l = 0; l < SAMPLE_LANES; l++) {
      if (!active[l]) continue;
      const jx = 2 * heads[l];
      live[jx] = moved[2 * l];
      live[jx + 1] = moved[2 * l + 1];
    }
    for (let l = 0; l < SAMPLE_LANES; l++) {
      if (!active[l]) continue;
      const k = tails[l];
      const to = k >= vLo && k < vHi ? live : delta;
      const kx = 2 * k;
      to[kx] -= pulls[2 * l];
      to[kx + 1] -= pulls[2 * l + 1];
    }
  }
}

/** One group's lanes: taken or not, head, tail and negative-sample count per lane. */
interface Group {
  active: Uint8Array;
  heads: Int32Array;
  tails: Int32Array;
  negatives: Int32Array;
}

/**
 * The next group of an epoch: each lane's next due edge (its cursor moves past it), its schedule
 * advanced. Returns the group's largest negative-sample count — every lane draws that many — or
 * −1 when no lane has a due edge left.
 */
function takeGroup(
  edges: Float64Array,
  edgeEnds: Int32Array,
  negativeSampleRate: number,
  epoch: number,
  cursor: Int32Array,
  end: Int32Array,
  g: Group,
): number {
  let any = false;
  let maxNegatives = 0;
  for (let l = 0; l < SAMPLE_LANES; l++) {
    let e = cursor[l];
    while (e < end[l] && edges[EDGE_WORDS * e + NEXT_SAMPLE] > epoch) e++;
    g.active[l] = e < end[l] ? 1 : 0;
    if (!g.active[l]) continue;
    any = true;
    const at = EDGE_WORDS * e;
    g.heads[l] = edgeEnds[2 * at + HEAD];
    g.tails[l] = edgeEnds[2 * at + TAIL];
    const eps = edges[at + EPOCHS_PER_SAMPLE];
    edges[at + NEXT_SAMPLE] += eps;
    const epn = eps / negativeSampleRate;
    const nNeg = Math.trunc((epoch - edges[at + NEXT_NEGATIVE]) / epn);
    edges[at + NEXT_NEGATIVE] += nNeg * epn;
    g.negatives[l] = nNeg;
    if (nNeg > maxNegatives) maxNegatives = nNeg;
    cursor[l] = e + 1;
  }
  return any ? maxNegatives : -1;
}

/**
 * sgdEpoch's schedule without its geometry: the same edges fall due and their next-sample epochs
 * advance, and every lane's random stream moves by the same number of draws. Replaying epochs
 * [0, E) this way and then optimising from the layout a run had after E epochs continues that run
 * exactly as if it had never stopped (same groups, same draws, same learning rates) — the
 * WebAssembly kernel keeps the same schedule in the same records and streams, so it resumes too.
 */
export function skipEpoch(t: SgdThread, epoch: number): void {
  const cursor = t.lanes.slice(0, SAMPLE_LANES);
  const end = t.lanes.subarray(SAMPLE_LANES, 2 * SAMPLE_LANES);
  const g: Group = {
    active: new Uint8Array(SAMPLE_LANES),
    heads: new Int32Array(SAMPLE_LANES),
    tails: new Int32Array(SAMPLE_LANES),
    negatives: new Int32Array(SAMPLE_LANES),
  };
  const streams = t.rng;
  for (;;) {
    const draws = takeGroup(t.edges, t.edgeEnds, t.negativeSampleRate, epoch, cursor, end, g);
    if (draws < 0) break;
    for (let l = 0; l < SAMPLE_LANES; l++) {
      let s = streams[l];
      for (let p = 0; p < draws; p++) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
      }
      streams[l] = s;
    }
  }
}

/** umap-learn's gradient clipping. */
function clip4(g: number): number {
  return g > 4 ? 4 : g < -4 ? -4 : g;
}

/**
 * After every thread finished a slice: add the other threads' pulls on this thread's vertices, in
 * thread order (deltas are only read here; each writer clears its own, see umapJob runThread).
 */
export function addPulls(t: SgdThread, deltas: Float32Array[]): void {
  const live = t.live;
  for (const d of deltas) {
    for (let i = 2 * t.vLo; i < 2 * t.vHi; i++) live[i] += d[i];
  }
}

/**
 * Splits vertices [vLo, vHi) into `parts` contiguous ranges of about equal expected work (sum of
 * edge weights ~ samples per epoch): the threads of a run, and each thread's lanes. Edges are
 * grouped by head, so each range is also an edge range.
 */
export function partitionByWork(
  rowStart: Int32Array,
  weight: Float32Array,
  parts: number,
  vLo = 0,
  vHi = rowStart.length - 1,
): { eLo: number; eHi: number; vLo: number; vHi: number }[] {
  let total = 0;
  for (let e = rowStart[vLo]; e < rowStart[vHi]; e++) total += weight[e];
  const ranges: { eLo: number; eHi: number; vLo: number; vHi: number }[] = [];
  let v = vLo;
  let acc = 0;
  for (let t = 0; t < parts; t++) {
    const lo = v;
    const goal = (total * (t + 1)) / parts;
    if (t === parts - 1) v = vHi;
    else {
      while (v < vHi && acc < goal) {
        for (let e = rowStart[v]; e < rowStart[v + 1]; e++) acc += weight[e];
        v++;
      }
    }
    ranges.push({ vLo: lo, vHi: v, eLo: rowStart[lo], eHi: rowStart[v] });
  }
  return ranges;
}

/**
 * The lanes' edges for one pass: slice `slice` of `slices` of each lane's stream. `streams` holds
 * the SAMPLE_LANES + 1 edge bounds of a thread's lanes; `into` receives [lo × 4, hi × 4].
 */
export function laneSlice(streams: ArrayLike<number>, slice: number, slices: number, into: Int32Array): void {
  for (let l = 0; l < SAMPLE_LANES; l++) {
    const lo = streams[l];
    const len = streams[l + 1] - lo;
    into[l] = lo + Math.floor((len * slice) / slices);
    into[SAMPLE_LANES + l] = lo + Math.floor((len * (slice + 1)) / slices);
  }
}
