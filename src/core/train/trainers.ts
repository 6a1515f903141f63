import type * as tfTypes from '@tensorflow/tfjs';
import { eetLossGrad } from '../eet/batch';
import type { FineTuneSettings } from './options';

type Tf = typeof tfTypes;

export interface StepResult {
  loss: number;
  mc: number;
  ec: number;
  edc: number;
}

/** What the loop trains: one optimiser step per batch, and inference for validation. */
export interface Trainer {
  /** `x` holds `n` items of `itemShape`, row-major; one Adam step on their EET loss. */
  step(x: Float32Array, n: number, labels: Int32Array): Promise<StepResult>;
  /** Embeddings of `n` items (n×dim), inference mode. */
  embed(x: Float32Array, n: number): Promise<{ data: Float32Array; dim: number }>;
  dispose(): void;
}

const lossOpts = (s: FineTuneSettings) => ({ normalize: s.normalize, margin: s.margin, weights: s.weights });
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Trains a tfjs LayersModel (its trainable weights). The EET loss and its gradient G = dL/dE are
 * computed in JS from the batch embeddings E (eet/batch.ts eetLossGrad); the tape then only differentiates
 * Σ E ⊙ G, whose gradient with respect to every weight is exactly Jᵀ G = dL/dW — the network's
 * backward pass without the loss's hundreds of tiny kernels.
 */
export function tfjsTrainer(tf: Tf, model: tfTypes.LayersModel, s: FineTuneSettings, itemShape: number[]): Trainer {
  const optimizer = tf.train.adam(s.lr);
  const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const opts = lossOpts(s);
  return {
    async step(x, n, labels) {
      let r: ReturnType<typeof eetLossGrad> | undefined;
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const xb = tf.tensor(x, [n, ...itemShape]);
          const e = (model.apply(xb, { training: true }) as tfTypes.Tensor).reshape([n, -1]);
          const dim = e.shape[1]!;
          r = eetLossGrad(e.dataSync(), n, dim, labels, opts);
          return tf.sum(tf.mul(e, tf.tensor2d(Float32Array.from(r.grad), [n, dim]))) as tfTypes.Scalar;
        }, vars);
        optimizer.applyGradients(grads as unknown as tfTypes.NamedTensorMap as never);
      });
      return { loss: r!.total, mc: r!.mc, ec: r!.ec, edc: r!.edc };
    },
    async embed(x, n) {
      const y = tf.tidy(() => (model.predict(tf.tensor(x, [n, ...itemShape])) as tfTypes.Tensor).reshape([n, -1]));
      const data = (await y.data()) as Float32Array;
      const dim = y.shape[1]!;
      y.dispose();
      return { data, dim };
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

/** Adam as tfjs implements it (β1 0.9, β2 0.999, ε 1e-7), on plain arrays. */
class Adam {
  private t = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  constructor(
    private readonly lr: number,
    sizes: number[],
  ) {
    this.m = sizes.map((k) => new Float64Array(k));
    this.v = sizes.map((k) => new Float64Array(k));
  }
  update(params: Float64Array[], grads: Float64Array[]): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    params.forEach((p, i) => {
      const g = grads[i];
      const m = this.m[i];
      const v = this.v[i];
      for (let k = 0; k < p.length; k++) {
        m[k] = b1 * m[k] + (1 - b1) * g[k];
        v[k] = b2 * v[k] + (1 - b2) * g[k] * g[k];
        p[k] -= (this.lr * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + 1e-7);
      }
    });
  }
}

/**
 * The projection head (a dense D→D layer, identity-initialised) trained on cached features in
 * plain JS: forward XW + b, the EET gradient G from eet/batch.ts, dW = XᵀG, db = ΣG, Adam. A step
 * costs a few 64×64 products instead of hundreds of tensor ops. `weights()` gives [W, b] in the
 * layout of a tfjs Dense layer (kernel D×D, bias D) for saving.
 */
export function denseHeadTrainer(dim: number, s: FineTuneSettings): Trainer & { weights(): [Float32Array, Float32Array] } {
  const w = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) w[i * dim + i] = 1;
  const b = new Float64Array(dim);
  const adam = new Adam(s.lr, [w.length, b.length]);
  const opts = lossOpts(s);
  const forward = (x: Float32Array, n: number, out: Float64Array | Float32Array) => {
    for (let r = 0; r < n; r++) {
      const o = r * dim;
      for (let j = 0; j < dim; j++) out[o + j] = b[j];
      for (let k = 0; k < dim; k++) {
        const xv = x[o + k];
        if (xv === 0) continue;
        const wr = k * dim;
        for (let j = 0; j < dim; j++) out[o + j] += xv * w[wr + j];
      }
    }
  };
  return {
    async step(x, n, labels) {
      const e = new Float64Array(n * dim);
      forward(x, n, e);
      const r = eetLossGrad(e, n, dim, labels, opts);
      const gw = new Float64Array(dim * dim);
      const gb = new Float64Array(dim);
      for (let row = 0; row < n; row++) {
        const o = row * dim;
        for (let j = 0; j < dim; j++) gb[j] += r.grad[o + j];
        for (let k = 0; k < dim; k++) {
          const xv = x[o + k];
          if (xv === 0) continue;
          const gr = k * dim;
          for (let j = 0; j < dim; j++) gw[gr + j] += xv * r.grad[o + j];
        }
      }
      adam.update([w, b], [gw, gb]);
      return { loss: r.total, mc: r.mc, ec: r.ec, edc: r.edc };
    },
    async embed(x, n) {
      const out = new Float32Array(n * dim);
      // In slices, yielding between them: validation sets can be large.
      const slice = 2048;
      for (let s0 = 0; s0 < n; s0 += slice) {
        const m = Math.min(slice, n - s0);
        const part = new Float32Array(m * dim);
        forward(x.subarray(s0 * dim, (s0 + m) * dim), m, part);
        out.set(part, s0 * dim);
        if (s0 + slice < n) await yieldToLoop();
      }
      return { data: out, dim };
    },
    weights() {
      return [Float32Array.from(w), Float32Array.from(b)];
    },
    dispose() {},
  };
}
