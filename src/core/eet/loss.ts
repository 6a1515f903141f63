import * as tf from '@tensorflow/tfjs';
import { mineEet } from './mining';

/**
 * The EET loss of SPEC §1 as a differentiable tfjs expression, for any active backend.
 *
 * Mining reads the batch's distance matrix once and fixes every arg-min/arg-max. Every term is
 * then a sum of distances between selected pairs with a fixed coefficient, so the terms and their
 * gradient are computed directly (float64 JS, direct differences) inside one tf.customGrad op:
 * each d(i,j) contributes coeff·(f_i − f_j)/d to row i and the opposite to row j. A tfjs
 * expression of the same loss needs hundreds of small kernels per step (and a gather gradient
 * the wasm backend lacks); this is one op whose cost is the Gram product for mining plus
 * O(pairs × D). Normalisation stays ordinary tfjs ops, so autodiff carries the gradient through it.
 */
export interface EetOptions {
  normalize: boolean;
  margin: number;
  weights: [number, number, number];
}

export interface EetTensors {
  mc: tf.Scalar;
  ec: tf.Scalar;
  m: tf.Scalar;
  e: tf.Scalar;
  edc: tf.Scalar;
  total: tf.Scalar;
  anchors: number;
  classes: number;
}

export const defaultEetOptions: EetOptions = { normalize: true, margin: 0.3, weights: [1, 1, 1] };

/** The distance floor of SPEC §1: d = sqrt(max(Σ(u−v)², 1e-12)). */
const EPS = 1e-12;

export function resolveEetOptions(opts?: Partial<EetOptions>): EetOptions {
  const o = { ...defaultEetOptions, ...opts };
  if (!Number.isFinite(o.margin)) throw new RangeError(`EET margin must be a finite number, got ${o.margin}`);
  if (o.weights.length !== 3 || o.weights.some((w) => !Number.isFinite(w))) {
    throw new RangeError(`EET weights must be three finite numbers [λ_mc, λ_ec, λ_edc], got [${o.weights.join(', ')}]`);
  }
  return o;
}

export function eetLoss(embeddings: tf.Tensor2D, labels: Int32Array, opts?: Partial<EetOptions>): EetTensors {
  const o = resolveEetOptions(opts);
  const [b] = embeddings.shape;
  if (labels.length !== b) throw new RangeError(`eetLoss: ${b} embeddings but ${labels.length} labels`);

  // Tensors made here that are not returned are intermediates of the autodiff tape; callers run
  // this inside tf.tidy / variableGrads, which disposes them.
  const f: tf.Tensor2D = o.normalize ? embeddings.div(embeddings.norm('euclidean', 1, true)) : embeddings;
  let anchors = 0;
  let classes = 0;
  const op = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor2D;
    const batch = eetBatch(x, labels, o.margin);
    anchors = batch.anchors;
    classes = batch.classes;
    return {
      value: tf.tensor1d(Float32Array.from(batch.values), 'float32'),
      gradFunc: (dy: tf.Tensor) => tf.tensor2d(batch.gradient(dy.dataSync()), x.shape),
    };
  });
  const v = op(f) as tf.Tensor1D;
  const pick = (w: number[]) => v.mul(tf.tensor1d(w)).sum() as tf.Scalar;
  const [wmc, wec, wedc] = o.weights;
  return {
    mc: pick([1, 0, 0, 0]),
    ec: pick([0, 1, 0, 0]),
    m: pick([0, 0, 1, 0]),
    e: pick([0, 0, 0, 1]),
    edc: pick([0, 0, 1, 1]),
    total: pick([wmc, wec, wedc, wedc]),
    anchors,
    classes,
  };
}

/** One batch's [L_MC, L_EC, L_M, L_E] and, given their upstream gradients, dL/df (B×D). */
interface EetBatch {
  values: Float64Array;
  anchors: number;
  classes: number;
  gradient(dy: ArrayLike<number>): Float32Array;
}

function eetBatch(f: tf.Tensor2D, labels: Int32Array, margin: number): EetBatch {
  const [b, dim] = f.shape;
  const rows = f.dataSync() as Float32Array;
  const choices = mineEet(miningDistances(f, rows), labels);

  // Every distance the terms use, as (i, j) pairs with one coefficient per term.
  const pi: number[] = [];
  const pj: number[] = [];
  const coef: [number, number, number, number][] = [];
  const dist = (i: number, j: number): number => {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = rows[i * dim + t] - rows[j * dim + t];
      s += v * v;
    }
    return Math.sqrt(Math.max(s, EPS));
  };
  const use = (i: number, j: number, c: [number, number, number, number]) => {
    pi.push(i);
    pj.push(j);
    coef.push(c);
  };

  let mc = 0;
  let ec = 0;
  const na = choices.anchors.length;
  for (let x = 0; x < na; x++) {
    const a = choices.anchors[x];
    const p = choices.positive[x];
    const n = choices.negative[x];
    const dap = dist(a, p);
    const dan = dist(a, n);
    const dpn = dist(p, n);
    const hinge = dap - dan + margin;
    // relu and abs differentiate as tfjs does: step(x > 0) and sign(x).
    if (hinge > 0) {
      mc += hinge;
      use(a, p, [1 / na, 0, 0, 0]);
      use(a, n, [-1 / na, 0, 0, 0]);
    }
    const s = Math.sign(dan - dpn);
    ec += Math.abs(dan - dpn);
    if (s !== 0) {
      use(a, n, [0, s / na, 0, 0]);
      use(p, n, [0, -s / na, 0, 0]);
    }
  }
  if (na > 0) {
    mc /= na;
    ec /= na;
  }

  let lm = 0;
  let le = 0;
  const m = choices.classes.length;
  if (m >= 2) {
    // D is symmetric, so the mean over ordered pairs is the mean over unordered ones.
    const pairs = (m * (m - 1)) / 2;
    for (let c1 = 0; c1 < m; c1++) {
      for (let c2 = c1 + 1; c2 < m; c2++) {
        const i = choices.pairI[c1 * m + c2];
        const j = choices.pairJ[c1 * m + c2];
        const ex = Math.exp(-dist(i, j));
        lm += ex / pairs;
        use(i, j, [0, 0, -ex / pairs, 0]);
      }
    }
    for (let c = 0; c < m; c++) {
      const n1 = choices.nearest[c];
      const n2 = choices.nearestOfNearest[c];
      const i1 = choices.pairI[c * m + n1];
      const j1 = choices.pairJ[c * m + n1];
      const i2 = choices.pairI[n1 * m + n2];
      const j2 = choices.pairJ[n1 * m + n2];
      const diff = dist(i1, j1) - dist(i2, j2);
      le += Math.abs(diff) / m;
      const s = Math.sign(diff);
      if (s !== 0) {
        use(i1, j1, [0, 0, 0, s / m]);
        use(i2, j2, [0, 0, 0, -s / m]);
      }
    }
  }

  return {
    values: Float64Array.from([mc, ec, lm, le]),
    anchors: na,
    classes: m,
    gradient(dy) {
      const g = new Float64Array(b * dim);
      for (let k = 0; k < pi.length; k++) {
        const c = coef[k];
        const w = c[0] * dy[0] + c[1] * dy[1] + c[2] * dy[2] + c[3] * dy[3];
        if (w === 0) continue;
        const i = pi[k];
        const j = pj[k];
        let s = 0;
        for (let t = 0; t < dim; t++) {
          const v = rows[i * dim + t] - rows[j * dim + t];
          s += v * v;
        }
        // Under the 1e-12 floor the distance is constant, as autodiff through max() has it.
        if (s <= EPS) continue;
        const scale = w / Math.sqrt(s);
        for (let t = 0; t < dim; t++) {
          const v = (rows[i * dim + t] - rows[j * dim + t]) * scale;
          g[i * dim + t] += v;
          g[j * dim + t] -= v;
        }
      }
      return Float32Array.from(g);
    },
  };
}

/**
 * The B×B distance values that mining reads. The Gram product uses an explicit transpose
 * because wasm's matMul is several times slower with transposeB than on a pre-transposed
 * operand; the rest is one cheap JS pass.
 */
function miningDistances(f: tf.Tensor2D, rows: Float32Array): Float32Array {
  const [b, dim] = f.shape;
  // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element.
  const ft = f.transpose();
  const g = tf.matMul(f, ft);
  const gram = g.dataSync() as Float32Array;
  tf.dispose([ft, g]);
  const sq = new Float64Array(b);
  for (let i = 0; i < b; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += rows[i * dim + k] * rows[i * dim + k];
    sq[i] = s;
  }
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) gram[i * b + j] = Math.sqrt(Math.max(sq[i] + sq[j] - 2 * gram[i * b + j], EPS));
  }
  return gram;
}

/** Plain numbers of one batch: the loss terms with no tensors left behind. */
export interface EetValues {
  mc: number;
  ec: number;
  m: number;
  e: number;
  edc: number;
  total: number;
  anchors: number;
  classes: number;
}

/** Numbers-only convenience over eetLoss for row-major embeddings (uses the active tfjs backend). */
export function eetLossValues(data: Float32Array, n: number, dim: number, labels: Int32Array, opts?: Partial<EetOptions>): EetValues {
  return tf.tidy(() => {
    const t = eetLoss(tf.tensor2d(data, [n, dim]), labels, opts);
    return {
      mc: t.mc.dataSync()[0],
      ec: t.ec.dataSync()[0],
      m: t.m.dataSync()[0],
      e: t.e.dataSync()[0],
      edc: t.edc.dataSync()[0],
      total: t.total.dataSync()[0],
      anchors: t.anchors,
      classes: t.classes,
    };
  });
}
