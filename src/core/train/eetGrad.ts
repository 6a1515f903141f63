import { mineEet } from '../eet/mining';

/** What the EET loss needs besides the embeddings and labels. */
export interface EetLossOptions {
  normalize: boolean;
  margin: number;
  weights: [number, number, number];
}

export interface EetLossGrad {
  mc: number;
  ec: number;
  m: number;
  e: number;
  edc: number;
  total: number;
  /** dL_EET/dF, B×D row-major. */
  grad: Float64Array;
}

const EPS = 1e-12;

/**
 * The EET loss (SPEC §1) and its exact gradient with respect to the raw embeddings, in plain
 * float64 JS. A training step then needs only the network's own ops on the tape: the loss's
 * ~300 tiny tfjs kernels (each with fixed per-op overhead) collapse into one multiply by this
 * gradient. Mining is the shared mineEet, so the arg-min/arg-max choices are the tfjs loss's own;
 * each term is a sum of pair distances with a fixed coefficient, and each distance's gradient is
 * (f_i − f_j)/d (zero where the 1e-12 floor is active, as with autodiff through max()).
 * Checked against the golden gradients of ../shared/fixtures/eet.
 */
export function eetLossGrad(
  data: ArrayLike<number>,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  opts: EetLossOptions,
): EetLossGrad {
  const f = new Float64Array(n * dim);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[i * dim + k] ** 2;
    norms[i] = Math.sqrt(s);
    const scale = opts.normalize ? 1 / norms[i] : 1;
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
      const d = Math.sqrt(fl ? EPS : s);
      dist[i * n + j] = dist[j * n + i] = d;
      floored[i * n + j] = floored[j * n + i] = fl;
    }
    dist[i * n + i] = Math.sqrt(EPS);
    floored[i * n + i] = 1;
  }
  const c = mineEet(dist, labels);
  const [wMc, wEc, wEdc] = opts.weights;
  const gf = new Float64Array(n * dim);
  /** Adds coef · ∂d(i,j)/∂f to the gradient. */
  const addPair = (i: number, j: number, coef: number) => {
    if (coef === 0 || floored[i * n + j]) return;
    const d = dist[i * n + j];
    for (let k = 0; k < dim; k++) {
      const g = (coef * (f[i * dim + k] - f[j * dim + k])) / d;
      gf[i * dim + k] += g;
      gf[j * dim + k] -= g;
    }
  };

  let mc = 0;
  let ec = 0;
  const na = c.anchors.length;
  for (let t = 0; t < na; t++) {
    const a = c.anchors[t];
    const p = c.positive[t];
    const q = c.negative[t];
    const h = dist[a * n + p] - dist[a * n + q] + opts.margin;
    if (h > 0) {
      mc += h / na;
      addPair(a, p, wMc / na);
      addPair(a, q, -wMc / na);
    }
    const diff = dist[a * n + q] - dist[p * n + q];
    ec += Math.abs(diff) / na;
    const sgn = Math.sign(diff);
    addPair(a, q, (wEc * sgn) / na);
    addPair(p, q, (-wEc * sgn) / na);
  }

  let lm = 0;
  let le = 0;
  const m = c.classes.length;
  if (m >= 2) {
    const norm = m * (m - 1);
    for (let x = 0; x < m; x++) {
      for (let y = 0; y < m; y++) {
        if (x === y) continue;
        const k = x * m + y;
        const ex = Math.exp(-c.classDist[k]);
        lm += ex / norm;
        addPair(c.pairI[k], c.pairJ[k], (-wEdc * ex) / norm);
      }
    }
    for (let x = 0; x < m; x++) {
      const nx = c.nearest[x];
      const k1 = x * m + nx;
      const k2 = nx * m + c.nearestOfNearest[x];
      const diff = c.classDist[k1] - c.classDist[k2];
      le += Math.abs(diff) / m;
      const sgn = Math.sign(diff);
      addPair(c.pairI[k1], c.pairJ[k1], (wEdc * sgn) / m);
      addPair(c.pairI[k2], c.pairJ[k2], (-wEdc * sgn) / m);
    }
  }

  // Through the normalisation f = F/‖F‖: dL/dF = (g − f (f·g)) / ‖F‖.
  const grad = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (!opts.normalize) {
      for (let k = 0; k < dim; k++) grad[i * dim + k] = gf[i * dim + k];
      continue;
    }
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += f[i * dim + k] * gf[i * dim + k];
    for (let k = 0; k < dim; k++) grad[i * dim + k] = (gf[i * dim + k] - f[i * dim + k] * dot) / norms[i];
  }
  const edc = lm + le;
  return { mc, ec, m: lm, e: le, edc, total: wMc * mc + wEc * ec + wEdc * edc, grad };
}
