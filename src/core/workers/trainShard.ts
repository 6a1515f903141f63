/**
 * One shard of the data-parallel trainer (train/shardedTrainer.ts): a full copy of the model on
 * its own tfjs engine, training on its slice of every batch. The EET loss couples all items of a
 * batch, so the shards meet twice inside a step (Atomics barriers over shared memory; the tape's
 * closure is synchronous, so they cannot await): once to see every shard's embeddings and compute
 * the loss gradient of the whole batch, once to add up each other's weight gradients. Every shard
 * then applies the same summed gradient, in the same order, with its own Adam — so all copies stay
 * bit-identical, and the step equals one step on the whole batch up to float rounding.
 * Served by serveWorkerSession: the trainer opens each shard with its ShardJob, then calls its
 * step/embed/weights methods (typed by openShard's return) and closes it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { initTfjs } from '../runtime/tfjs';
import { registerWasmTrainingKernels } from '../runtime/wasmTrainingKernels';
import { eetLossGrad } from '../eet/batch';
import { SHARD_CTRL, shardRows, type ShardJob } from '../train/shardPlan';
import { barrierWait } from '../util/barrier';
import { serveWorkerSession, type SessionControl } from '../util/workerCall';

class PeerFailed extends Error {
  constructor() {
    super('another training shard failed');
  }
}

/** One step's loss and its EET terms, as every shard computed them on the whole batch. */
export interface ShardStep {
  loss: number;
  mc: number;
  ec: number;
  edc: number;
}

/** Opens a shard: loads its model copy from the job; the trainer then calls its methods in turn. */
export async function openShard(job: ShardJob, control: SessionControl) {
  const { ctrl, x, labels, emb, grads } = job.buffers;
  const rowSize = job.itemShape.reduce((a, b) => a * b, 1);
  // Wake the other shards out of their barrier; the trainer reports the first real error.
  const failed = () => {
    Atomics.store(ctrl, SHARD_CTRL.FAILED, 1);
    Atomics.notify(ctrl, SHARD_CTRL.GEN);
  };
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        failed();
        throw err;
      }
    };
  const meet = () =>
    barrierWait(ctrl, job.shards, { count: SHARD_CTRL.COUNT, gen: SHARD_CTRL.GEN }, () => {
      if (Atomics.load(ctrl, SHARD_CTRL.FAILED)) throw new PeerFailed();
    });

  try {
    const { tf } = await initTfjs(job.backend);
    registerWasmTrainingKernels();
    const model = await tf.loadLayersModel(tf.io.fromMemory(job.artifacts));
    const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
    const optimizer = tf.train.adam(job.lr);
    const { dim } = job;
    return {
      /** One training step on rows [0, n) of the shared batch; every shard returns the same loss. */
      step: guarded((n: number): ShardStep => {
        const [lo, hi] = shardRows(n, job.shard, job.shards);
        const m = hi - lo;
        let r: ReturnType<typeof eetLossGrad> | undefined;
        tf.tidy(() => {
          const { grads: g } = tf.variableGrads(() => {
            const xb = tf.tensor(x.subarray(lo * rowSize, hi * rowSize), [m, ...job.itemShape]);
            const e = (model.apply(xb, { training: true }) as tfTypes.Tensor).reshape([m, dim]);
            emb.set(e.dataSync() as Float32Array, lo * dim);
            meet(); // every shard's embeddings are in
            r = eetLossGrad(emb.subarray(0, n * dim), n, dim, labels.subarray(0, n), job.loss);
            const mine = Float32Array.from(r.grad.subarray(lo * dim, hi * dim));
            return tf.sum(tf.mul(e, tf.tensor2d(mine, [m, dim]))) as tfTypes.Scalar;
          }, vars);
          let at = job.shard * job.params;
          for (const v of vars) {
            const d = g[v.name].dataSync() as Float32Array;
            grads.set(d, at);
            at += d.length;
          }
          meet(); // every shard's gradients are in
          const summed: Record<string, tfTypes.Tensor> = {};
          let off = 0;
          for (const v of vars) {
            const size = v.size;
            const total = new Float32Array(size);
            for (let s = 0; s < job.shards; s++) {
              const part = grads.subarray(s * job.params + off, s * job.params + off + size);
              for (let i = 0; i < size; i++) total[i] += part[i];
            }
            summed[v.name] = tf.tensor(total, v.shape);
            off += size;
          }
          meet(); // everyone has read the shared gradients: the next step may overwrite them
          optimizer.applyGradients(summed as never);
        });
        return { loss: r!.total, mc: r!.mc, ec: r!.ec, edc: r!.edc };
      }),
      /** Embeds this shard's part of rows [0, n) of the shared batch into the shared embeddings. */
      embed: guarded((n: number): void => {
        const [lo, hi] = shardRows(n, job.shard, job.shards);
        if (hi > lo) {
          const y = tf.tidy(() =>
            (model.predict(tf.tensor(x.subarray(lo * rowSize, hi * rowSize), [hi - lo, ...job.itemShape])) as tfTypes.Tensor).reshape([
              hi - lo,
              dim,
            ]),
          );
          emb.set(y.dataSync() as Float32Array, lo * dim);
          y.dispose();
        }
      }),
      /** Every weight of this copy (moved, not copied, to the trainer). */
      weights: guarded((): Float32Array[] => {
        const values = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
        control.transferOnReply(values.map((v) => v.buffer as ArrayBuffer));
        return values;
      }),
      dispose: () => {
        optimizer.dispose();
        model.dispose();
      },
    };
  } catch (err) {
    failed();
    throw err;
  }
}

serveWorkerSession(openShard);
