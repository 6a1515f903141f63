import { LensError } from '../errors';
import { mineEet, type EetChoices } from './mining';
import { resolveEetOptions, type EetOptions, type EetValues } from './loss';

/**
 * The EET terms of one batch in float64 JS, with what each anchor and class contributes — the
 * numbers-only path for the breakdown and the CLI (no tfjs needed). Same mining as eetLoss.
 */
export interface EetBatchDetail extends EetValues {
  /** Per anchor (parallel to choices.anchors): d(a,p), d(a,n), d(p,n) and its MC and EC summands. */
  dap: Float64Array;
  dan: Float64Array;
  mcTerm: Float64Array;
  ecTerm: Float64Array;
  /** Per class (parallel to choices.classes): mean of exp(−D(c,c')) over c' ≠ c — its share of L_M, whose mean over classes is L_M — and its L_E summand. */
  mPairs: Float64Array;
  eTerm: Float64Array;
  choices: EetChoices;
}

export function eetTerms(data: Float32Array | Float64Array, n: number, dim: number, labels: ArrayLike<number>, opts?: Partial<EetOptions>): EetBatchDetail {
  const o = resolveEetOptions(opts);
  if (labels.length !== n) throw new LensError(`${labels.length} labels for ${n} embeddings; there must be exactly one label per row`);
  if (data.length !== n * dim) throw new LensError(`expected ${n}×${dim} values, got ${data.length}`);
  const f = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[i * dim + t];
      if (!Number.isFinite(v)) throw new LensError(`row ${i} has a non-finite value (${v}) in column ${t}; embeddings must be finite`);
      s += v * v;
    }
    if (o.normalize && s === 0) throw new LensError(`row ${i} is an all-zero vector, which cannot be L2-normalised (use --raw, or drop the row)`);
    const inv = o.normalize ? 1 / Math.sqrt(s) : 1;
    for (let t = 0; t < dim; t++) f[i * dim + t] = data[i * dim + t] * inv;
  }
  const d = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = f[i * dim + t] - f[j * dim + t];
      s += v * v;
    }
    return Math.sqrt(Math.max(s, 1e-12));
  };
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) dist[i * n + j] = dist[j * n + i] = d(i, j);
    dist[i * n + i] = 1e-6;
  }
  const ch = mineEet(dist, labels);
  const na = ch.anchors.length;
  const dap = new Float64Array(na);
  const dan = new Float64Array(na);
  const mcTerm = new Float64Array(na);
  const ecTerm = new Float64Array(na);
  for (let x = 0; x < na; x++) {
    const a = ch.anchors[x];
    const p = ch.positive[x];
    const ng = ch.negative[x];
    dap[x] = dist[a * n + p];
    dan[x] = dist[a * n + ng];
    mcTerm[x] = Math.max(0, dap[x] - dan[x] + o.margin);
    ecTerm[x] = Math.abs(dan[x] - dist[p * n + ng]);
  }
  const m = ch.classes.length;
  const mPairs = new Float64Array(m);
  const eTerm = new Float64Array(m);
  if (m >= 2) {
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let c2 = 0; c2 < m; c2++) if (c2 !== c) s += Math.exp(-ch.classDist[c * m + c2]);
      mPairs[c] = s / (m - 1);
      const nc = ch.nearest[c];
      eTerm[c] = Math.abs(ch.classDist[c * m + nc] - ch.classDist[nc * m + ch.nearestOfNearest[c]]);
    }
  }
  const mean = (xs: Float64Array) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const mc = mean(mcTerm);
  const ec = mean(ecTerm);
  const lm = m >= 2 ? mean(mPairs) : 0;
  const le = m >= 2 ? mean(eTerm) : 0;
  const edc = lm + le;
  const [wmc, wec, wedc] = o.weights;
  return {
    mc,
    ec,
    m: lm,
    e: le,
    edc,
    total: wmc * mc + wec * ec + wedc * edc,
    anchors: na,
    classes: m,
    dap,
    dan,
    mcTerm,
    ecTerm,
    mPairs,
    eTerm,
    choices: ch,
  };
}
