import { LensError } from '../errors';
import { mineEet, type EetChoices } from './mining';
import { resolveEetOptions, type EetOptions, type EetValues } from './options';

/**
 * The EET loss of one batch (SPEC §1) in float64 JS — the one implementation behind the breakdown
 * (eetTerms: every term with what each anchor and class contributes) and the fine-tune
 * (eetLossGrad: the terms and dL/dF). Mining reads the batch's distance matrix once and fixes every
 * arg-min/arg-max; each term is then a sum of pair distances with a fixed coefficient, so the
 * gradient is exact: each d(i,j) contributes coeff·(f_i − f_j)/d to row i and the opposite to row j
 * (zero where the 1e-12 floor is active, as autodiff through max() has it), then passes through the
 * normalisation f = F/‖F‖. A training step therefore needs only the network's own ops on the tape.
 * Checked against the golden values and gradients of ../shared/fixtures/eet.
 */
export interface EetBatchDetail extends EetValues {
  /** Per anchor (parallel to choices.anchors): d(a,p), d(a,n) and its MC and EC summands. */
  dap: Float64Array;
  dan: Float64Array;
  mcTerm: Float64Array;
  ecTerm: Float64Array;
  /** Per class (parallel to choices.classes): mean of exp(−D(c,c')) over c' ≠ c — its share of L_M, whose mean over classes is L_M — and its L_E summand. */
  mPairs: Float64Array;
  eTerm: Float64Array;
  choices: EetChoices;
}

export interface EetLossGrad extends EetValues {
  /** dL_EET/dF with respect to the raw (un-normalised) embeddings, B×D row-major. */
  grad: Float64Array;
}

/** The distance floor of SPEC §1: d = sqrt(max(Σ(u−v)², 1e-12)). */
const EPS = 1e-12;

/**
 * The breakdown's path: user-supplied embeddings, so non-finite values and all-zero rows (which
 * cannot be normalised) are reported as LensErrors naming the row.
 */
export function eetTerms(
  data: ArrayLike<number>,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  opts?: Partial<EetOptions>,
): EetBatchDetail {
  const o = resolveEetOptions(opts);
  if (labels.length !== n) throw new LensError(`${labels.length} labels for ${n} embeddings; there must be exactly one label per row`);
  if (data.length !== n * dim) throw new LensError(`expected ${n}×${dim} values, got ${data.length}`);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[i * dim + t];
      if (!Number.isFinite(v)) throw new LensError(`row ${i} has a non-finite value (${v}) in column ${t}; embeddings must be finite`);
      s += v * v;
    }
    if (o.normalize && s === 0)
      throw new LensError(`row ${i} is an all-zero vector, which cannot be L2-normalised (use --raw, or drop the row)`);
  }
  return evaluate(prepare(data, n, dim, labels, o), o, undefined);
}

/** The fine-tune's path: the terms and their exact gradient with respect to the raw embeddings. */
export function eetLossGrad(data: ArrayLike<number>, n: number, dim: number, labels: ArrayLike<number>, opts: EetOptions): EetLossGrad {
  const batch = prepare(data, n, dim, labels, opts);
  const gf = new Float64Array(n * dim);
  const { mc, ec, m, e, edc, total, anchors, classes } = evaluate(batch, opts, gf);
  return { mc, ec, m, e, edc, total, anchors, classes, grad: throughNormalisation(batch, gf, opts.normalize) };
}

interface PreparedBatch {
  n: number;
  dim: number;
  /** The embeddings as the loss sees them (L2-normalised when asked), and the raw rows' norms. */
  f: Float64Array;
  norms: Float64Array;
  /** Floored pair distances, and where the floor is active (no gradient there). */
  dist: Float64Array;
  floored: Uint8Array;
  choices: EetChoices;
}

function prepare(data: ArrayLike<number>, n: number, dim: number, labels: ArrayLike<number>, o: EetOptions): PreparedBatch {
  const f = new Float64Array(n * dim);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[i * dim + k] ** 2;
    norms[i] = Math.sqrt(s);
    const scale = o.normalize ? 1 / norms[i] : 1;
    for (let k = 0; k < dim; k++) f[i * dim + k] = data[i * dim + k] * scale;
  }
  const dist = new Float64Array(n * n);
  const floored = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const t = f[i * dim + k] - f[j * dim + k];
        s += t * t;
      }
      const fl = s <= EPS ? 1 : 0;
      dist[i * n + j] = dist[j * n + i] = Math.sqrt(fl ? EPS : s);
      floored[i * n + j] = floored[j * n + i] = fl;
    }
    dist[i * n + i] = Math.sqrt(EPS);
    floored[i * n + i] = 1;
  }
  return { n, dim, f, norms, dist, floored, choices: mineEet(dist, labels) };
}

/**
 * Every term and its per-anchor / per-class parts; when `gf` is given, also accumulates
 * dL_total/df (with respect to the normalised rows) into it.
 */
function evaluate(b: PreparedBatch, o: EetOptions, gf: Float64Array | undefined): EetBatchDetail {
  const { n, dim, f, dist, floored, choices: ch } = b;
  const [wMc, wEc, wEdc] = o.weights;
  /** Adds coef · ∂d(i,j)/∂f to the gradient. */
  const addPair = (i: number, j: number, coef: number) => {
    if (!gf || coef === 0 || floored[i * n + j]) return;
    const scale = coef / dist[i * n + j];
    for (let k = 0; k < dim; k++) {
      const g = scale * (f[i * dim + k] - f[j * dim + k]);
      gf[i * dim + k] += g;
      gf[j * dim + k] -= g;
    }
  };

  const na = ch.anchors.length;
  const dap = new Float64Array(na);
  const dan = new Float64Array(na);
  const mcTerm = new Float64Array(na);
  const ecTerm = new Float64Array(na);
  for (let x = 0; x < na; x++) {
    const a = ch.anchors[x];
    const p = ch.positive[x];
    const q = ch.negative[x];
    dap[x] = dist[a * n + p];
    dan[x] = dist[a * n + q];
    const hinge = dap[x] - dan[x] + o.margin;
    // relu and abs differentiate as autodiff does: step(x > 0) and sign(x).
    if (hinge > 0) {
      mcTerm[x] = hinge;
      addPair(a, p, wMc / na);
      addPair(a, q, -wMc / na);
    }
    const diff = dan[x] - dist[p * n + q];
    ecTerm[x] = Math.abs(diff);
    const sgn = Math.sign(diff);
    addPair(a, q, (wEc * sgn) / na);
    addPair(p, q, (-wEc * sgn) / na);
  }

  const m = ch.classes.length;
  const mPairs = new Float64Array(m);
  const eTerm = new Float64Array(m);
  if (m >= 2) {
    // L_M is the mean over ordered class pairs; D is symmetric, so each class's share is the mean over its partners.
    const ordered = m * (m - 1);
    for (let x = 0; x < m; x++) {
      let s = 0;
      for (let y = 0; y < m; y++) {
        if (x === y) continue;
        const k = x * m + y;
        const ex = Math.exp(-ch.classDist[k]);
        s += ex;
        addPair(ch.pairI[k], ch.pairJ[k], (-wEdc * ex) / ordered);
      }
      mPairs[x] = s / (m - 1);
    }
    for (let x = 0; x < m; x++) {
      const nx = ch.nearest[x];
      const k1 = x * m + nx;
      const k2 = nx * m + ch.nearestOfNearest[x];
      const diff = ch.classDist[k1] - ch.classDist[k2];
      eTerm[x] = Math.abs(diff);
      const sgn = Math.sign(diff);
      addPair(ch.pairI[k1], ch.pairJ[k1], (wEdc * sgn) / m);
      addPair(ch.pairI[k2], ch.pairJ[k2], (-wEdc * sgn) / m);
    }
  }
  const mc = mean(mcTerm);
  const ec = mean(ecTerm);
  const lm = m >= 2 ? mean(mPairs) : 0;
  const le = m >= 2 ? mean(eTerm) : 0;
  const edc = lm + le;
  const total = wMc * mc + wEc * ec + wEdc * edc;
  return { mc, ec, m: lm, e: le, edc, total, anchors: na, classes: m, dap, dan, mcTerm, ecTerm, mPairs, eTerm, choices: ch };
}

function mean(xs: Float64Array): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : 0;
}

/** dL/dF from dL/df through f = F/‖F‖: (g − f (f·g)) / ‖F‖ per row; the identity without normalisation. */
function throughNormalisation(b: PreparedBatch, gf: Float64Array, normalize: boolean): Float64Array {
  if (!normalize) return gf;
  const { n, dim, f, norms } = b;
  const grad = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += f[i * dim + k] * gf[i * dim + k];
    for (let k = 0; k < dim; k++) grad[i * dim + k] = (gf[i * dim + k] - f[i * dim + k] * dot) / norms[i];
  }
  return grad;
}
