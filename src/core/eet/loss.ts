import * as tf from '@tensorflow/tfjs';
import { mineEet, type EetChoices } from './mining';

/**
 * The EET loss of SPEC §1 as a differentiable tfjs expression, for any active backend.
 *
 * Mining reads the batch's distance matrix once and fixes every arg-min/arg-max; the terms are
 * then rebuilt from only the selected rows, by direct differences. Rows are selected by a gather
 * with its own gradient (a ScatterNd of the upstream rows): tfjs's built-in gather gradient is
 * UnsortedSegmentSum, which the wasm backend lacks, while GatherV2 and ScatterNd exist on every
 * backend. This keeps the backward pass O(selected rows × D) — a dense one-hot matMul would cost
 * O(rows × B × D) and, through transposeA, run ~15× slower on wasm.
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
  const distValues = miningDistances(f);
  const choices = mineEet(distValues, labels);
  const nA = choices.anchors.length;
  const m = choices.classes.length;
  const zero = () => tf.scalar(0);

  let mc: tf.Scalar = zero();
  let ec: tf.Scalar = zero();
  if (nA > 0) {
    const dap = pairDistances(f, choices.anchors, choices.positive);
    const dan = pairDistances(f, choices.anchors, choices.negative);
    const dpn = pairDistances(f, choices.positive, choices.negative);
    mc = dap.sub(dan).add(o.margin).relu().mean() as tf.Scalar;
    ec = dan.sub(dpn).abs().mean() as tf.Scalar;
  }

  let lm: tf.Scalar = zero();
  let le: tf.Scalar = zero();
  if (m >= 2) {
    lm = classPairTerm(f, choices);
    le = equidistributionTerm(f, choices);
  }
  const edc = lm.add(le) as tf.Scalar;
  const [wmc, wec, wedc] = o.weights;
  const total = mc.mul(wmc).add(ec.mul(wec)).add(edc.mul(wedc)) as tf.Scalar;
  return { mc, ec, m: lm, e: le, edc, total, anchors: nA, classes: m };
}

/**
 * The B×B distance values that mining reads; nothing differentiates through them. The Gram
 * product uses an explicit transpose because wasm's matMul is several times slower with
 * transposeB/transposeA than on a pre-transposed operand; the rest is one cheap JS pass.
 */
function miningDistances(f: tf.Tensor2D): Float32Array {
  const [b, dim] = f.shape;
  const [gram, rows] = tf.tidy(() => [tf.matMul(f, f.transpose()).dataSync() as Float32Array, f.dataSync() as Float32Array]);
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

/** Rows `idx` of f; the gradient scatters (sums) the upstream rows back, duplicates included. */
function selectRows(f: tf.Tensor2D, idx: Int32Array): tf.Tensor2D {
  const [b, dim] = f.shape;
  const select = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = inputs[0] as tf.Tensor;
    return {
      value: tf.gather(x, tf.tensor1d(idx, 'int32')),
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.tensor2d(idx, [idx.length, 1], 'int32'), dy, [b, dim]),
    };
  });
  return select(f) as tf.Tensor2D;
}

/** d(f_i, f_j) for the listed pairs, by direct differences (accurate for short distances too). */
function pairDistances(f: tf.Tensor2D, is: Int32Array, js: Int32Array): tf.Tensor1D {
  return selectRows(f, is).sub(selectRows(f, js)).square().sum(1).maximum(EPS).sqrt() as tf.Tensor1D;
}

/** L_M = mean over ordered class pairs of exp(−D(c,c')); D is symmetric, so the mean over unordered pairs. */
function classPairTerm(f: tf.Tensor2D, c: EetChoices): tf.Scalar {
  const m = c.classes.length;
  const is: number[] = [];
  const js: number[] = [];
  for (let x = 0; x < m; x++) {
    for (let y = x + 1; y < m; y++) {
      is.push(c.pairI[x * m + y]);
      js.push(c.pairJ[x * m + y]);
    }
  }
  return pairDistances(f, Int32Array.from(is), Int32Array.from(js)).neg().exp().mean() as tf.Scalar;
}

/** L_E = (1/M) Σ_c |D(c, n(c)) − D(n(c), n'(c))|. */
function equidistributionTerm(f: tf.Tensor2D, c: EetChoices): tf.Scalar {
  const m = c.classes.length;
  const i1 = new Int32Array(m);
  const j1 = new Int32Array(m);
  const i2 = new Int32Array(m);
  const j2 = new Int32Array(m);
  for (let x = 0; x < m; x++) {
    const n = c.nearest[x];
    const n2 = c.nearestOfNearest[x];
    i1[x] = c.pairI[x * m + n];
    j1[x] = c.pairJ[x * m + n];
    i2[x] = c.pairI[n * m + n2];
    j2[x] = c.pairJ[n * m + n2];
  }
  return pairDistances(f, i1, j1).sub(pairDistances(f, i2, j2)).abs().mean() as tf.Scalar;
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
