/**
 * UMAP's layout optimisation (umap-learn's optimize_layout_euclidean, 2-D): per epoch, every edge
 * whose turn has come pulls its two ends together (attractive gradient of 1/(1 + a·d^2b)), then its
 * head is pushed away from a few uniformly drawn points (negative sampling; the pushes of one edge
 * visit are summed and applied together, see sgdEpoch); the learning rate decays linearly to 0.
 * Everything lives in flat typed arrays, the 2-D case is unrolled and x^b comes from a table built
 * for the run's b (powTable.ts), which is where the speed over umap-js comes from.
 *
 * Several threads share the work without giving up reproducibility: vertices are split into
 * contiguous ranges, one per thread, and each thread processes the edges whose head it owns. A
 * thread reads and writes its own vertices live; it reads other threads' vertices (and every
 * negative sample) from a snapshot taken at the last merge — with one thread the snapshot is the
 * live layout itself — and its pulls on others go to a per-thread delta buffer that the owner
 * adds at the next merge (a barrier; several per epoch, see runThread) in a fixed thread order.
 * No value depends on thread timing, so a seeded run is deterministic for a given thread count —
 * and one thread is plain sequential SGD: every position it reads is current.
 */

import { makePowTable, tablePow, type PowTable } from './powTable';

/** Everything one optimising thread needs; the typed arrays may live in SharedArrayBuffers. */
export interface SgdThread {
  n: number;
  /** This thread's edges are [eLo, eHi) of head/tail/eps; its vertices are [vLo, vHi). */
  eLo: number;
  eHi: number;
  vLo: number;
  vHi: number;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  /** Per-edge schedule (all edges; this thread only touches [eLo, eHi)). */
  nextSample: Float64Array;
  nextNegative: Float64Array;
  epochsPerNegative: Float64Array;
  /** n×2 positions, updated in place. */
  live: Float32Array;
  /** n×2 positions at the start of the epoch (only read for vertices of other threads). */
  snap: Float32Array;
  /** n×2 pulls on other threads' vertices this epoch (this thread's buffer). */
  delta: Float32Array;
  a: number;
  b: number;
  gamma: number;
  /** xorshift32 state, never 0. */
  rng: number;
  /** x^b for this run's b. */
  pow: PowTable;
}

export function makeSgdThread(
  base: Pick<SgdThread, 'n' | 'head' | 'tail' | 'epochsPerSample' | 'nextSample' | 'nextNegative' | 'epochsPerNegative' | 'live' | 'snap' | 'delta' | 'a' | 'b' | 'gamma'>,
  range: { eLo: number; eHi: number; vLo: number; vHi: number },
  negativeSampleRate: number,
  seed: number,
): SgdThread {
  for (let e = range.eLo; e < range.eHi; e++) {
    const eps = base.epochsPerSample[e];
    base.nextSample[e] = eps;
    base.epochsPerNegative[e] = eps / negativeSampleRate;
    base.nextNegative[e] = base.epochsPerNegative[e];
  }
  return { ...base, ...range, rng: seedXorshift(seed), pow: makePowTable(base.b) };
}

/** A non-zero xorshift32 state from any integer seed (splitmix-style mixing). */
export function seedXorshift(seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h === 0 ? 0x6d2b79f5 : h;
}

/** One epoch of this thread's edges at learning rate `alpha` (umap-learn's single_epoch). */
export function sgdEpoch(t: SgdThread, epoch: number, alpha: number): void {
  const { n, eLo, eHi, vLo, vHi, head, tail, epochsPerSample, nextSample, nextNegative, epochsPerNegative, live, snap, delta, a, b, gamma, pow } = t;
  const twoAB = 2 * a * b;
  const twoGB = 2 * gamma * b;
  const nOver2to32 = n / 4294967296;
  let s = t.rng;
  for (let e = eLo; e < eHi; e++) {
    if (nextSample[e] > epoch) continue;
    const j = head[e];
    const k = tail[e];
    const jx = 2 * j;
    const kx = 2 * k;
    let cx = live[jx];
    let cy = live[jx + 1];
    const kOwn = k >= vLo && k < vHi;
    const ox = kOwn ? live[kx] : snap[kx];
    const oy = kOwn ? live[kx + 1] : snap[kx + 1];
    let dx = cx - ox;
    let dy = cy - oy;
    let d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const pb = tablePow(d2, pow);
      const gc = (-twoAB * (pb / d2)) / (a * pb + 1);
      let gx = gc * dx;
      let gy = gc * dy;
      gx = (gx > 4 ? 4 : gx < -4 ? -4 : gx) * alpha;
      gy = (gy > 4 ? 4 : gy < -4 ? -4 : gy) * alpha;
      cx += gx;
      cy += gy;
      if (kOwn) {
        live[kx] -= gx;
        live[kx + 1] -= gy;
      } else {
        delta[kx] -= gx;
        delta[kx + 1] -= gy;
      }
    }
    nextSample[e] += epochsPerSample[e];

    const epn = epochsPerNegative[e];
    const nNeg = Math.trunc((epoch - nextNegative[e]) / epn);
    // The edge's negative samples all push from the head's position after the pull and are
    // applied together (each clipped on its own, as in umap-learn). Chaining each push into the
    // next sample's distance made every sample wait for the previous one's pow and division;
    // independent, they overlap, and the loop runs about 1.5× faster with the same maps.
    let pushX = 0;
    let pushY = 0;
    for (let p = 0; p < nNeg; p++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      // Multiply-shift instead of % n: an integer division per sample was the next bottleneck.
      const r = Math.floor((s >>> 0) * nOver2to32);
      if (r === j) continue;
      const rx = 2 * r;
      // Negative samples read the snapshot even for own vertices (at most a slice old): a random
      // vertex's owner is a coin toss the branch predictor loses half the time.
      dx = cx - snap[rx];
      dy = cy - snap[rx + 1];
      d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const gc = twoGB / ((0.001 + d2) * (a * tablePow(d2, pow) + 1));
        const gx = gc * dx;
        const gy = gc * dy;
        pushX += gx > 4 ? 4 : gx < -4 ? -4 : gx;
        pushY += gy > 4 ? 4 : gy < -4 ? -4 : gy;
      }
    }
    cx += pushX * alpha;
    cy += pushY * alpha;
    nextNegative[e] += nNeg * epn;
    live[jx] = cx;
    live[jx + 1] = cy;
  }
  t.rng = s;
}

/**
 * Epoch boundary for one thread, after every thread finished the epoch: add all threads' pulls on
 * its vertices in thread order, clear them, and refresh the snapshot of its range.
 */
export function mergeOwned(t: SgdThread, deltas: Float32Array[]): void {
  const lo = 2 * t.vLo;
  const hi = 2 * t.vHi;
  const live = t.live;
  for (const d of deltas) {
    for (let i = lo; i < hi; i++) {
      const v = d[i];
      if (v !== 0) {
        live[i] += v;
        d[i] = 0;
      }
    }
  }
  t.snap.set(live.subarray(lo, hi), lo);
}

/**
 * Splits vertices into `threads` contiguous ranges of about equal expected work (sum of edge
 * weights ~ samples per epoch). Edges are grouped by head, so each range is also an edge range.
 */
export function partitionByWork(rowStart: Int32Array, weight: Float32Array, threads: number): { eLo: number; eHi: number; vLo: number; vHi: number }[] {
  const n = rowStart.length - 1;
  let total = 0;
  for (let e = 0; e < weight.length; e++) total += weight[e];
  const ranges: { eLo: number; eHi: number; vLo: number; vHi: number }[] = [];
  let v = 0;
  let acc = 0;
  for (let t = 0; t < threads; t++) {
    const vLo = v;
    const goal = (total * (t + 1)) / threads;
    if (t === threads - 1) v = n;
    else {
      while (v < n && acc < goal) {
        for (let e = rowStart[v]; e < rowStart[v + 1]; e++) acc += weight[e];
        v++;
      }
    }
    ranges.push({ vLo, vHi: v, eLo: rowStart[vLo], eHi: rowStart[v] });
  }
  return ranges;
}
