/**
 * Retrieval metrics from a seeded, class-stratified sample of queries, each ranked exactly against
 * the whole gallery (SPEC §2's rules: ties by index, the query removed by index), with 95%
 * confidence intervals. Above a size limit an exact leave-one-out pass is quadratic (200,000 items:
 * minutes; 1,000,000: hours) while 10,000 sampled queries pin every mean to about ±0.01.
 *
 * Which queries count is known before any ranking: a query is excluded (R = 0) exactly when its
 * class has no other gallery item, so exclusion is a property of the whole class. The population
 * sampled is therefore the scored queries only; excluded ones are counted exactly, never sampled.
 *
 * Two designs, chosen by how many classes there are for the sample size:
 *  - stratified: every class gets its proportional share of the sample and at least two queries
 *    (or all of them, when it has fewer), so each class's own variance can be estimated; the
 *    estimate is the stratified mean Σ W_h·ȳ_h with variance Σ W_h²·(1 − m_h/N_h)·s_h²/m_h.
 *  - systematic: with more classes than half the sample (SOP: 11,316 classes of 2–12), two per
 *    class does not fit. Queries are ordered by class (randomly within a class) and every
 *    (N/m)-th is taken from a random start: every query has the same inclusion probability m/N,
 *    classes are spread evenly, and the plain mean is unbiased. Its variance is estimated as for
 *    simple random sampling without replacement, s²/m·(1 − m/N), which is conservative when
 *    classes differ (the implicit stratification only removes variance).
 * Both are normal approximations: ± is 1.96 standard errors.
 */
import { LensError } from '../errors';
import { mulberry32 } from '../util/random';

/** Above this many items, metrics come from a query sample unless exact ones are asked for. */
export const DEFAULT_EXACT_LIMIT = 100_000;
/** Queries sampled above the limit: about ±0.01 on a metric near 0.5. */
export const DEFAULT_SAMPLE_QUERIES = 10_000;

const Z95 = 1.959963984540054;

export type SampleDesign = 'stratified' | 'systematic';

export interface QuerySample {
  /** Query positions (indices into the query set), ascending. */
  picks: Int32Array;
  design: SampleDesign;
}

/**
 * m of the scored queries (r > 0), stratified by label, seeded. Returns null when m covers every
 * scored query: then the exact pass is the answer and nothing is sampled.
 */
export function sampleQueries(labels: Int32Array, r: Int32Array, m: number, seed: number): QuerySample | null {
  if (!Number.isInteger(m) || m < 2) throw new LensError(`a query sample needs at least 2 queries (an integer), got ${m}`);
  const members = new Map<number, number[]>();
  let total = 0;
  for (let q = 0; q < labels.length; q++) {
    if (r[q] === 0) continue;
    total++;
    let list = members.get(labels[q]);
    if (!list) members.set(labels[q], (list = []));
    list.push(q);
  }
  if (m >= total) return null;
  const rand = mulberry32(seed);
  const classes = [...members.keys()].sort((a, b) => a - b);
  const floorOf = (size: number) => Math.min(size, 2);
  const design: SampleDesign = classes.reduce((a, c) => a + floorOf(members.get(c)!.length), 0) <= m ? 'stratified' : 'systematic';
  const picks: number[] = [];
  if (design === 'stratified') {
    const sizes = classes.map((c) => members.get(c)!.length);
    const alloc = allocate(sizes, m, floorOf);
    classes.forEach((c, h) => picks.push(...pickRandom(members.get(c)!, alloc[h], rand)));
  } else {
    // Class order, shuffled within each class, then every (total/m)-th from a random start.
    const ordered: number[] = [];
    for (const c of classes) ordered.push(...shuffle(members.get(c)!.slice(), rand));
    const u = rand();
    for (let i = 0; i < total; i++) {
      if (Math.floor(((i + 1) * m) / total + u) > Math.floor((i * m) / total + u)) picks.push(ordered[i]);
    }
  }
  return { picks: Int32Array.from(picks).sort(), design };
}

/**
 * Proportional allocation of m over strata of the given sizes, each at least `floorOf(size)` and at
 * most its size, summing to m (callers guarantee Σ floorOf ≤ m < Σ sizes). Largest remainders
 * decide the rounding, lower stratum index first on ties, so the result is deterministic.
 */
export function allocate(sizes: number[], m: number, floorOf: (size: number) => number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const target = sizes.map((s) => (m * s) / total);
  const alloc = sizes.map((s, h) => Math.min(s, Math.max(floorOf(s), Math.floor(target[h]))));
  let sum = alloc.reduce((a, b) => a + b, 0);
  const byNeed = (sign: 1 | -1) => sizes.map((_, h) => h).sort((a, b) => sign * (target[b] - alloc[b] - (target[a] - alloc[a])) || a - b);
  while (sum < m) {
    // Every stratum short of its target (or below its size) gets one more, neediest first.
    for (const h of byNeed(1)) {
      if (sum === m) break;
      if (alloc[h] < sizes[h]) {
        alloc[h]++;
        sum++;
      }
    }
  }
  while (sum > m) {
    for (const h of byNeed(-1)) {
      if (sum === m) break;
      if (alloc[h] > floorOf(sizes[h])) {
        alloc[h]--;
        sum--;
      }
    }
  }
  return alloc;
}

function shuffle(xs: number[], rand: () => number): number[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

function pickRandom(xs: number[], k: number, rand: () => number): number[] {
  if (k >= xs.length) return xs;
  return shuffle(xs.slice(), rand).slice(0, k);
}

export interface Estimate {
  value: number;
  /** Half-width of the 95% confidence interval. */
  ci95: number;
}

/**
 * The population mean of a per-query value from the sample. `strata[i]` is the sampled query's
 * class, `sizes` each class's number of scored queries in the population.
 */
export function estimateMean(values: Float64Array, strata: Int32Array, sizes: Map<number, number>, design: SampleDesign): Estimate {
  const m = values.length;
  let population = 0;
  for (const s of sizes.values()) population += s;
  if (design === 'systematic') {
    const { mean, variance } = moments(values);
    const v = m > 1 ? ((1 - m / population) * variance) / m : 0;
    return { value: mean, ci95: Z95 * Math.sqrt(Math.max(0, v)) };
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < m; i++) {
    let g = groups.get(strata[i]);
    if (!g) groups.set(strata[i], (g = []));
    g.push(values[i]);
  }
  let value = 0;
  let v = 0;
  for (const [h, ys] of groups) {
    const nh = sizes.get(h)!;
    const w = nh / population;
    const { mean, variance } = moments(Float64Array.from(ys));
    value += w * mean;
    // A class taken whole (m_h = N_h) contributes no sampling error.
    if (ys.length < nh) v += (w * w * (1 - ys.length / nh) * variance) / ys.length;
  }
  return { value, ci95: Z95 * Math.sqrt(Math.max(0, v)) };
}

/** Mean and unbiased sample variance (0 for fewer than two values). */
function moments(ys: Float64Array): { mean: number; variance: number } {
  const m = ys.length;
  let mean = 0;
  for (const y of ys) mean += y;
  mean /= Math.max(1, m);
  let ss = 0;
  for (const y of ys) ss += (y - mean) * (y - mean);
  return { mean, variance: m > 1 ? ss / (m - 1) : 0 };
}

/** One line for the JSON and the assumptions: how the numbers were estimated. */
export function designMethod(design: SampleDesign): string {
  return design === 'stratified'
    ? 'stratified by class (proportional, at least 2 per class), stratified mean; 95% CI = ±1.96·√(Σ W_h²(1−m_h/N_h)s_h²/m_h)'
    : 'systematic over class-sorted queries (equal inclusion probability, classes spread evenly), sample mean; 95% CI = ±1.96·√((1−m/N)s²/m), conservative';
}
