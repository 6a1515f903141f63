import * as tf from '@tensorflow/tfjs';
import { mineEet } from '../../../src/core/eet/mining';

/**
 * Test oracle: SPEC §1's EET loss written as ordinary tfjs ops, so tfjs's autodiff derives the
 * gradient independently of the hand-derived one in src/core/eet/batch.ts. Only the discrete
 * choices (batch-hard mining, closest class pairs) come from the shared mineEet — they are held
 * fixed by the loss's definition and carry no gradient. Use inside tf.tidy / an optimizer closure.
 */
export function eetLossTfjs(
  embeddings: tf.Tensor2D,
  labels: Int32Array,
  o: { normalize: boolean; margin: number; weights: [number, number, number] } = { normalize: true, margin: 0.3, weights: [1, 1, 1] },
): tf.Scalar {
  const f = o.normalize ? embeddings.div(embeddings.norm('euclidean', 1, true)) : embeddings;
  const [n, dim] = f.shape;
  const rows = f.dataSync();
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += (rows[i * dim + k] - rows[j * dim + k]) ** 2;
      dist[i * n + j] = Math.sqrt(Math.max(s, 1e-12));
    }
  }
  const ch = mineEet(dist, labels);
  const d = (i: ArrayLike<number>, j: ArrayLike<number>): tf.Tensor1D =>
    tf.sqrt(tf.maximum(tf.sum(tf.square(tf.sub(tf.gather(f, Array.from(i), 0), tf.gather(f, Array.from(j), 0))), 1), 1e-12)) as tf.Tensor1D;
  const zero = tf.scalar(0);
  const [wMc, wEc, wEdc] = o.weights;
  let mc: tf.Scalar = zero;
  let ec: tf.Scalar = zero;
  if (ch.anchors.length) {
    const dan = d(ch.anchors, ch.negative);
    mc = tf.relu(d(ch.anchors, ch.positive).sub(dan).add(o.margin)).mean();
    ec = tf.abs(dan.sub(d(ch.positive, ch.negative))).mean();
  }
  let edc: tf.Scalar = zero;
  const m = ch.classes.length;
  if (m >= 2) {
    const pi: number[] = [];
    const pj: number[] = [];
    for (let x = 0; x < m; x++) {
      for (let y = 0; y < m; y++) {
        if (x === y) continue;
        pi.push(ch.pairI[x * m + y]);
        pj.push(ch.pairJ[x * m + y]);
      }
    }
    const lm = tf.exp(d(pi, pj).neg()).mean();
    const k1 = Array.from(ch.nearest, (nx, x) => x * m + nx);
    const k2 = Array.from(ch.nearest, (nx, x) => nx * m + ch.nearestOfNearest[x]);
    const at = (ks: number[], p: Int32Array) => ks.map((k) => p[k]);
    const le = tf.abs(d(at(k1, ch.pairI), at(k1, ch.pairJ)).sub(d(at(k2, ch.pairI), at(k2, ch.pairJ)))).mean();
    edc = lm.add(le);
  }
  return mc.mul(wMc).add(ec.mul(wEc)).add(edc.mul(wEdc)) as tf.Scalar;
}
