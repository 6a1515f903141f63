import type * as tfTypes from '@tensorflow/tfjs';
import { CancelledError, LensError } from '../errors';
import { pkEpoch, rng } from './batches';
import type { EpochReport, FineTuneSettings, StepReport } from './options';
import type { Trainer } from './trainers';

type Tf = typeof tfTypes;

/**
 * Items (images in the model's input layout, or feature vectors) with their labels: either all
 * in memory (`x`, row-major), or loaded on demand per batch (`load`) when they would not fit.
 */
export interface ItemSet {
  x?: Float32Array;
  load?(rows: Int32Array): Promise<Float32Array>;
  /** Shape of one item, e.g. [28, 28, 1] or [D]. */
  itemShape: number[];
  labels: Int32Array;
}

export interface ValidationMetrics {
  mapAtR: number;
  recallAt1: number;
  queries: number;
  /** What the figures were computed on (classes and items of the validation set), for the curves' caption. */
  classes?: number;
  items?: number;
  /** Classes and items of the whole dataset, for the split a too-small validation set is told to use. */
  totalClasses?: number;
  totalItems?: number;
}

/** Leave-one-out retrieval on the validation embeddings (n×dim row-major). */
export type Evaluate = (embeddings: Float32Array, n: number, dim: number, labels: Int32Array) => ValidationMetrics;

export interface LoopControl {
  signal?: AbortSignal;
  onStep?(s: StepReport): void;
  onEpoch?(e: EpochReport): void;
  /** Called whenever an epoch beats the best validation map@r so far (epoch 0 first): save it. */
  onBest?(epoch: number, history: EpochReport[]): Promise<void>;
}

export interface LoopResult {
  history: EpochReport[];
  bestEpoch: number;
  cancelled: boolean;
  /** Training stopped on this error after the best epoch so far was handed to onBest. */
  error?: Error;
}

const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/** The rows' items as one contiguous buffer, from memory or from the loader. */
async function rowsOf(set: ItemSet, rowSize: number, rows: Int32Array, into?: Float32Array): Promise<Float32Array> {
  if (set.x) return gatherRows(set.x, rowSize, rows, into);
  if (!set.load) throw new Error('ItemSet needs x or load');
  return set.load(rows);
}

/** Copies the chosen rows of a row-major set into one contiguous batch buffer. */
export function gatherRows(x: Float32Array, rowSize: number, rows: ArrayLike<number>, into?: Float32Array): Float32Array {
  const out = into && into.length === rows.length * rowSize ? into : new Float32Array(rows.length * rowSize);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i] * rowSize, (rows[i] + 1) * rowSize), i * rowSize);
  return out;
}

/** Embeds a whole set in inference mode, in batches, yielding between them. */
export async function embedSet(
  trainer: Pick<Trainer, 'embed'>,
  set: ItemSet,
  batch = 256,
  signal?: AbortSignal,
): Promise<{ data: Float32Array; dim: number }> {
  const rowSize = set.itemShape.reduce((a, b) => a * b, 1);
  const n = set.labels.length;
  let out: Float32Array | undefined;
  let dim = 0;
  for (let s = 0; s < n; s += batch) {
    if (signal?.aborted) throw new CancelledError();
    const m = Math.min(batch, n - s);
    const x = set.x
      ? set.x.subarray(s * rowSize, (s + m) * rowSize)
      : await rowsOf(
          set,
          rowSize,
          Int32Array.from({ length: m }, (_, i) => s + i),
        );
    const y = await trainer.embed(x, m);
    dim = y.dim;
    out ??= new Float32Array(n * dim);
    out.set(y.data, s * dim);
    await yieldToLoop();
  }
  return { data: out ?? new Float32Array(0), dim };
}

/** A tfjs model as an embedder (inference only), for embedSet. */
export function modelEmbedder(tf: Tf, model: tfTypes.LayersModel, itemShape: number[]): Pick<Trainer, 'embed'> {
  return {
    async embed(x, n) {
      const y = tf.tidy(() => (model.predict(tf.tensor(x, [n, ...itemShape])) as tfTypes.Tensor).reshape([n, -1]));
      const data = (await y.data()) as Float32Array;
      const dim = y.shape[1]!;
      y.dispose();
      return { data, dim };
    },
  };
}

/**
 * The EET training loop: P×K batches, Adam on the model's trainable weights, validation before
 * training (epoch 0) and after each epoch. It yields to the event loop after every step, so a
 * cancel message is seen at once; on cancel or error it returns what it has — the best epoch was
 * already handed to onBest when it happened.
 */
export async function trainLoop(
  trainer: Trainer,
  train: ItemSet,
  val: ItemSet,
  s: FineTuneSettings,
  evaluate: Evaluate,
  ctl: LoopControl = {},
): Promise<LoopResult> {
  const history: EpochReport[] = [];
  let bestEpoch = 0;
  let bestMap = -Infinity;
  const rand = rng(s.seed);
  const rowSize = train.itemShape.reduce((a, b) => a * b, 1);
  const [p, k] = s.pk;
  let batchBuf: Float32Array | undefined;

  const validate = async (epoch: number, started: number, loss?: EpochReport['loss']) => {
    const { data, dim } = await embedSet(trainer, val, 256, ctl.signal);
    const m = evaluate(data, val.labels.length, dim, val.labels);
    const report: EpochReport = { epoch, ...(loss ? { loss } : {}), val: m, seconds: (Date.now() - started) / 1000 };
    history.push(report);
    ctl.onEpoch?.(report);
    if (m.mapAtR > bestMap) {
      bestMap = m.mapAtR;
      bestEpoch = epoch;
      await ctl.onBest?.(epoch, history);
    }
  };

  try {
    await validate(0, Date.now());
    const t0 = Date.now();
    let stepsDone = 0;
    let totalSteps = 0;
    for (let epoch = 1; epoch <= s.epochs; epoch++) {
      const started = Date.now();
      const batches = pkEpoch(train.labels, p, k, rand);
      if (batches.length === 0)
        throw new LensError('the training split has fewer than 2 classes with 2+ items each; no P×K batch can be formed');
      if (epoch === 1) totalSteps = batches.length * s.epochs;
      const sums = { total: 0, mc: 0, ec: 0, edc: 0 };
      for (let step = 0; step < batches.length; step++) {
        if (ctl.signal?.aborted) throw new CancelledError();
        const rows = batches[step];
        const labels = Int32Array.from(rows, (r) => train.labels[r]);
        batchBuf = await rowsOf(train, rowSize, rows, batchBuf);
        const { loss, mc, ec, edc } = await trainer.step(batchBuf, rows.length, labels);
        const terms = [mc, ec, edc];
        if (!Number.isFinite(loss)) {
          throw new LensError(`the EET loss became ${loss} at epoch ${epoch}, step ${step + 1}; lower the learning rate (now ${s.lr})`);
        }
        sums.total += loss;
        sums.mc += terms[0];
        sums.ec += terms[1];
        sums.edc += terms[2];
        stepsDone++;
        const elapsed = (Date.now() - t0) / 1000;
        const sps = stepsDone / Math.max(elapsed, 1e-6);
        ctl.onStep?.({
          epoch,
          step: step + 1,
          stepsPerEpoch: batches.length,
          loss,
          mc: terms[0],
          ec: terms[1],
          edc: terms[2],
          etaSeconds: (totalSteps - stepsDone) / sps,
          stepsPerSecond: sps,
        });
        await yieldToLoop();
      }
      const n = batches.length;
      await validate(epoch, started, { total: sums.total / n, mc: sums.mc / n, ec: sums.ec / n, edc: sums.edc / n });
    }
    return { history, bestEpoch, cancelled: false };
  } catch (err) {
    if (err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError'))
      return { history, bestEpoch, cancelled: true };
    // An error before epoch 0 was validated has nothing to keep: it is the caller's to report.
    if (history.length === 0) throw err;
    return { history, bestEpoch, cancelled: false, error: err as Error };
  }
}
