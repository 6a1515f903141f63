/**
 * Deterministic panel data for the browser tests and the bench: Gaussian class blobs in D
 * dimensions, with every derived section (neighbours, metrics, per-class table, EET breakdown)
 * computed here from the vectors, so the tests can check the panel against known answers.
 * Nothing here depends on the engine: a failing panel test points at the panel.
 */
import type { ClassRow, EetBreakdown, EetTermName, HeaderMetrics, Histogram, InspectionData } from '../../src/protocol';
import { mulberry32 } from '../../src/core/util/random';

export interface FixtureOptions {
  classes?: number;
  perClass?: number;
  dim?: number;
  k?: number;
  seed?: number;
  /** Class-centre spread relative to the within-class noise; lower = more overlap and misses. */
  separation?: number;
  thumbnails?: boolean;
  /** Skip O(n²) sections (neighbours, metrics, classes, EET) — for the 200k-point bench. */
  layoutOnly?: boolean;
  /**
   * Present the metrics as estimated from a query sample: the fixture's n queries as a simple
   * random sample of this many, with each metric's 95% CI (±1.96·s/√n·√(1 − n/of)).
   */
  sampledOf?: number;
}

export interface Fixture {
  data: InspectionData;
  /** L2-normalised vectors, n×dim. */
  vectors: Float32Array;
  dim: number;
}

const CLASS_NAMES = ['ankle boot', 'bag', 'coat, long', 'sneaker', 'shirt', 'trouser', 'pullover', 'sandal', 'dress', 't-shirt'];

export { mulberry32 };

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

function dist(v: Float32Array, dim: number, i: number, j: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = v[i * dim + d] - v[j * dim + d];
    s += x * x;
  }
  return Math.sqrt(Math.max(s, 1e-12));
}

function thumb(color: string, i: number): string {
  // Tiny per-item SVG: class colour plus a position-dependent mark, so thumbnails differ.
  const a = (i * 37) % 360;
  const svgText = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="${color}" opacity="0.35"/><circle cx="${16 + 9 * Math.cos((a * Math.PI) / 180)}" cy="${16 + 9 * Math.sin((a * Math.PI) / 180)}" r="7" fill="${color}"/></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svgText).toString('base64')}`;
}

const THUMB_COLORS = ['#4e79a7', '#f28e2c', '#e15759', '#76b7b2', '#59a14f', '#edc949', '#af7aa1', '#ff9da7', '#9c755f', '#bab0ab'];

export function buildFixture(opts: FixtureOptions = {}): Fixture {
  const C = opts.classes ?? 4;
  const perClass = opts.perClass ?? 80;
  const dim = opts.dim ?? 8;
  const K = opts.k ?? 10;
  const rand = mulberry32(opts.seed ?? 7);
  const sep = opts.separation ?? 0.75;
  const n = C * perClass;

  const centres = Array.from({ length: C }, () => Array.from({ length: dim }, () => gaussian(rand) * sep));
  const labels = new Int32Array(n);
  const raw = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    // Interleaved classes, like a shuffled dataset, so draw order never groups a class.
    const c = i % C;
    labels[i] = c;
    for (let d = 0; d < dim; d++) raw[i * dim + d] = centres[c][d] + gaussian(rand);
  }
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += raw[i * dim + d] ** 2;
    const inv = 1 / Math.sqrt(s || 1);
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = raw[i * dim + d] * inv;
  }
  const classNames = Array.from({ length: C }, (_, c) => CLASS_NAMES[c] ?? `class ${c}`);
  const paths = Array.from({ length: n }, (_, i) => `/data/fashion/${classNames[labels[i]]}/img_${String(i).padStart(5, '0')}.png`);
  const pca = pca2(vectors, n, dim);
  const umap = clusterLayout(pca, labels, C, n);

  const data: InspectionData = {
    title: 'fashion-embedder / model.json',
    source: { checkpoint: '/work/models/fashion-embedder/model.json', dataset: '/data/fashion' },
    backend: 'tfjs wasm (SIMD, 1 thread)',
    distance: 'cosine',
    items: {
      n,
      labels,
      classNames,
      paths,
      ...(opts.thumbnails === false ? {} : { thumbnails: paths.map((_, i) => thumb(THUMB_COLORS[labels[i] % 10], i)) }),
    },
    layout: { pca, umap },
    timings: [
      { stage: 'scan', ms: 41 },
      { stage: 'embed', ms: 2310 },
      { stage: 'kNN', ms: 96 },
      { stage: 'metrics', ms: 35 },
      { stage: 'UMAP', ms: 4120 },
      { stage: 'EET', ms: 188 },
    ],
    skipped: [
      { path: '/data/fashion/bag/broken.png', reason: 'not a PNG: bad signature' },
      { path: '/data/fashion/coat, long/notes.txt', reason: 'not an image' },
    ],
    notes: ['input size inferred as 28×28×1 from the model'],
  };
  if (opts.layoutOnly) return { data, vectors, dim };

  // Full rankings (ties by index), leave-one-out.
  const order: Int32Array[] = [];
  const dists: Float64Array[] = [];
  for (let q = 0; q < n; q++) {
    const d = new Float64Array(n);
    for (let j = 0; j < n; j++) d[j] = j === q ? Infinity : dist(vectors, dim, q, j);
    const idx = Int32Array.from({ length: n - 1 }, (_, j) => (j < q ? j : j + 1));
    idx.sort((a, b) => d[a] - d[b] || a - b);
    order.push(idx);
    dists.push(d);
  }
  const indices = new Int32Array(n * K);
  const distances = new Float32Array(n * K);
  for (let q = 0; q < n; q++) {
    for (let j = 0; j < K; j++) {
      indices[q * K + j] = order[q][j];
      distances[q * K + j] = dists[q][order[q][j]];
    }
  }
  data.neighbours = { k: K, indices, distances };

  const perQuery = Array.from({ length: n }, (_, q) => {
    const R = perClass - 1;
    const rank = order[q];
    const rel = (j: number) => labels[rank[j]] === labels[q];
    let firstHit = -1;
    for (let j = 0; j < n - 1; j++)
      if (rel(j)) {
        firstHit = j;
        break;
      }
    let hitsR = 0;
    let ap = 0;
    for (let j = 0; j < R; j++)
      if (rel(j)) {
        hitsR++;
        ap += hitsR / (j + 1);
      }
    return { firstHit, rPrec: hitsR / R, mapR: ap / R, p1: rel(0) ? 1 : 0 };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const metrics: HeaderMetrics = {
    recallAtK: [1, 2, 4, 8].map((k) => ({ k, value: mean(perQuery.map((p) => (p.firstHit >= 0 && p.firstHit < k ? 1 : 0))) })),
    precisionAt1: mean(perQuery.map((p) => p.p1)),
    rPrecision: mean(perQuery.map((p) => p.rPrec)),
    mapAtR: mean(perQuery.map((p) => p.mapR)),
    mrr: mean(perQuery.map((p) => 1 / (p.firstHit + 1))),
    nmi: 0.8123,
    queries: n,
    excludedQueries: 0,
    protocol: 'leave-one-out',
  };
  if (opts.sampledOf) {
    const ci = (ys: number[]) => {
      const mu = mean(ys);
      const s2 = ys.reduce((a, y) => a + (y - mu) ** 2, 0) / Math.max(1, ys.length - 1);
      return 1.96 * Math.sqrt(((1 - n / opts.sampledOf!) * s2) / n);
    };
    metrics.queries = opts.sampledOf;
    metrics.sampled = {
      queries: n,
      of: opts.sampledOf,
      seed: 42,
      method: 'simple random sample (fixture)',
      ci95: {
        ...Object.fromEntries(
          [1, 2, 4, 8].map((k) => [`recall@${k}`, ci(perQuery.map((p) => (p.firstHit >= 0 && p.firstHit < k ? 1 : 0)))]),
        ),
        'precision@1': ci(perQuery.map((p) => p.p1)),
        r_precision: ci(perQuery.map((p) => p.rPrec)),
        'map@r': ci(perQuery.map((p) => p.mapR)),
        mrr: ci(perQuery.map((p) => 1 / (p.firstHit + 1))),
      },
    };
  }
  data.metrics = metrics;

  const members = Array.from({ length: C }, (_, c) => Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] === c));
  const minD = (a: number[], b: number[]) => {
    let m = Infinity;
    for (const i of a) for (const j of b) m = Math.min(m, dists[i][j]);
    return m;
  };
  const D = members.map((a, c) => members.map((b, c2) => (c === c2 ? Infinity : minD(a, b))));
  data.classes = members.map((m, c): ClassRow => {
    const centroid = new Float64Array(dim);
    for (const i of m) for (let d = 0; d < dim; d++) centroid[d] += vectors[i * dim + d] / m.length;
    const r = m
      .map((i) => Math.sqrt(Array.from(centroid, (x, d) => (vectors[i * dim + d] - x) ** 2).reduce((a, b) => a + b, 0)))
      .sort((a, b) => a - b);
    const nearest = D[c].indexOf(Math.min(...D[c]));
    return {
      classIndex: c,
      name: classNames[c],
      size: m.length,
      meanDistToCentroid: mean(r),
      p90Radius: r[Math.min(r.length - 1, Math.floor(0.9 * (r.length - 1)))],
      nearestClass: C > 1 ? nearest : -1,
      nearestDistance: C > 1 ? D[c][nearest] : Infinity,
      precisionAt1: mean(m.map((i) => perQuery[i].p1)),
      mapAtR: mean(m.map((i) => perQuery[i].mapR)),
      ...(opts.sampledOf ? { sampledQueries: m.length } : {}),
    };
  });
  data.eet = eetBreakdown(vectors, dim, labels, C, mulberry32(11));
  return { data, vectors, dim };
}

/** Top-2 principal components by power iteration with deflation. */
function pca2(v: Float32Array, n: number, dim: number): Float32Array {
  const mu = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mu[d] += v[i * dim + d] / n;
  const cov = Array.from({ length: dim }, () => new Float64Array(dim));
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < dim; a++) {
      const xa = v[i * dim + a] - mu[a];
      for (let b = 0; b < dim; b++) cov[a][b] += (xa * (v[i * dim + b] - mu[b])) / n;
    }
  }
  const comps: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let w = Float64Array.from({ length: dim }, (_, d) => 1 / (d + 1 + c));
    for (let it = 0; it < 200; it++) {
      const next = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[a] += cov[a][b] * w[b];
      for (const p of comps) {
        const dot = next.reduce((s, x, d) => s + x * p[d], 0);
        for (let d = 0; d < dim; d++) next[d] -= dot * p[d];
      }
      const norm = Math.hypot(...next) || 1;
      w = next.map((x) => x / norm);
    }
    comps.push(w);
  }
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (v[i * dim + d] - mu[d]) * comps[c][d];
      out[2 * i + c] = s;
    }
  }
  return out;
}

/**
 * A second layout standing in for UMAP (the tests check the panel, not the projection): each
 * class pulled towards its own spot on a ring, keeping its PCA shape, so the PCA→UMAP animation
 * visibly separates the blobs.
 */
function clusterLayout(pca: Float32Array, labels: Int32Array, C: number, n: number): Float32Array {
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * labels[i]) / C;
    out[2 * i] = Math.cos(a) * 1.2 + pca[2 * i] * 0.9;
    out[2 * i + 1] = Math.sin(a) * 1.2 + pca[2 * i + 1] * 0.9;
  }
  return out;
}

function histogram(xs: number[], lo: number, hi: number, bins: number): Histogram {
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]++;
  return { edges, counts };
}

/** SPEC §1 terms over seeded P×K batches of the (already normalised) vectors. */
function eetBreakdown(v: Float32Array, dim: number, labels: Int32Array, C: number, rand: () => number): EetBreakdown {
  const margin = 0.3;
  const P = Math.min(C, 4),
    Kp = 8,
    S = 6;
  const byClass = Array.from({ length: C }, (_, c) => Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === c));
  const per: Record<EetTermName, number[]> = { mc: [], ec: [], m: [], e: [], edc: [], total: [] };
  const attr = Array.from({ length: C }, () => ({ mc: [] as number[], ec: [] as number[], m: [] as number[], e: [] as number[] }));
  const pick = <T>(xs: T[], k: number) =>
    [...xs]
      .map((x) => [rand(), x] as const)
      .sort((a, b) => a[0] - b[0])
      .slice(0, k)
      .map((p) => p[1]);
  for (let s = 0; s < S; s++) {
    const classes = pick(
      Array.from({ length: C }, (_, c) => c),
      P,
    );
    const batch = classes.flatMap((c) => pick(byClass[c], Kp));
    const y = batch.map((i) => labels[i]);
    const d = (a: number, b: number) => dist(v, dim, batch[a], batch[b]);
    let mc = 0,
      ec = 0,
      anchors = 0;
    for (let a = 0; a < batch.length; a++) {
      let p = -1,
        nn = -1;
      for (let j = 0; j < batch.length; j++) {
        if (j === a) continue;
        if (y[j] === y[a]) {
          if (p < 0 || d(a, j) > d(a, p)) p = j;
        } else if (nn < 0 || d(a, j) < d(a, nn)) nn = j;
      }
      if (p < 0 || nn < 0) continue;
      anchors++;
      const tmc = Math.max(0, d(a, p) - d(a, nn) + margin);
      const tec = Math.abs(d(a, nn) - d(p, nn));
      mc += tmc;
      ec += tec;
      attr[y[a]].mc.push(tmc);
      attr[y[a]].ec.push(tec);
    }
    mc /= Math.max(1, anchors);
    ec /= Math.max(1, anchors);
    const M = classes.length;
    const Dc = classes.map((c) =>
      classes.map((c2) => {
        if (c === c2) return Infinity;
        let m = Infinity;
        for (let a = 0; a < batch.length; a++)
          for (let b = 0; b < batch.length; b++) if (y[a] === c && y[b] === c2) m = Math.min(m, d(a, b));
        return m;
      }),
    );
    let lm = 0;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++)
        if (i !== j) {
          lm += Math.exp(-Dc[i][j]);
          attr[classes[i]].m.push(Math.exp(-Dc[i][j]) / (M * (M - 1)));
        }
    lm /= M * (M - 1);
    let le = 0;
    for (let i = 0; i < M; i++) {
      const nI = Dc[i].indexOf(Math.min(...Dc[i]));
      const nn2 = Dc[nI].indexOf(Math.min(...Dc[nI]));
      const t = Math.abs(Dc[i][nI] - Dc[nI][nn2]);
      le += t / M;
      attr[classes[i]].e.push(t);
    }
    per.mc.push(mc);
    per.ec.push(ec);
    per.m.push(lm);
    per.e.push(le);
    per.edc.push(lm + le);
    per.total.push(mc + ec + lm + le);
  }
  const stat = (xs: number[]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean: m, std: Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length) };
  };
  // Whole-dataset batch-hard pairs for the histograms and the violation rate.
  const dap: number[] = [],
    dan: number[] = [];
  let violations = 0;
  const n = labels.length;
  for (let a = 0; a < n; a++) {
    let p = Infinity * -1,
      nn = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      const dj = dist(v, dim, a, j);
      if (labels[j] === labels[a]) p = Math.max(p, dj);
      else nn = Math.min(nn, dj);
    }
    dap.push(p);
    dan.push(nn);
    if (p + margin > nn) violations++;
  }
  const hi = Math.max(...dap, ...dan) * 1.02;
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    settings: { normalize: true, margin, lambdaMc: 1, lambdaEc: 1, lambdaEdc: 1, batches: S, p: P, k: Kp, seed: 11 },
    terms: { mc: stat(per.mc), ec: stat(per.ec), m: stat(per.m), e: stat(per.e), edc: stat(per.edc), total: stat(per.total) },
    perClass: attr.map((a, c) => ({ classIndex: c, mc: avg(a.mc), ec: avg(a.ec), m: avg(a.m), e: avg(a.e) })),
    dap: histogram(dap, 0, hi, 24),
    dan: histogram(dan, 0, hi, 24),
    violationRate: violations / n,
    anchors: n,
  };
}
