/**
 * One shard of the data-parallel trainer (train/shardedTrainer.ts): a full copy of the model on
 * its own tfjs engine, training on its slice of every batch. The EET loss couples all items of a
 * batch, so the shards meet twice inside a step (Atomics barriers over shared memory; the tape's
 * closure is synchronous, so they cannot await): once to see every shard's embeddings and compute
 * the loss gradient of the whole batch, once to add up each other's weight gradients. Every shard
 * then applies the same summed gradient, in the same order, with its own Adam — so all copies stay
 * bit-identical, and the step equals one step on the whole batch up to float rounding.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as tfTypes from '@tensorflow/tfjs';
import { initTfjs } from '../runtime/tfjs';
import { registerWasmTrainingKernels } from '../runtime/wasmTrainingKernels';
import { eetLossGrad } from '../eet/batch';
import { SHARD_CTRL, shardRows, type ShardJob, type ShardReply, type ShardRequest } from '../train/shardPlan';
import { barrierWait } from '../util/barrier';

const port = parentPort!;
const job = workerData as ShardJob;
const { ctrl, x, labels, emb, grads } = job.buffers;
const rowSize = job.itemShape.reduce((a, b) => a * b, 1);
const post = (m: ShardReply, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);

class PeerFailed extends Error {
  constructor() {
    super('another training shard failed');
  }
}

const meet = () =>
  barrierWait(ctrl, job.shards, { count: SHARD_CTRL.COUNT, gen: SHARD_CTRL.GEN }, () => {
    if (Atomics.load(ctrl, SHARD_CTRL.FAILED)) throw new PeerFailed();
  });

async function main(): Promise<void> {
  const { tf } = await initTfjs(job.backend);
  registerWasmTrainingKernels();
  const model = await tf.loadLayersModel(tf.io.fromMemory(job.artifacts));
  const vars = model.trainableWeights.map((w) => w.read() as tfTypes.Variable);
  const optimizer = tf.train.adam(job.lr);
  const { dim } = job;

  const step = (n: number): ShardReply => {
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
    return { type: 'stepped', loss: r!.total, mc: r!.mc, ec: r!.ec, edc: r!.edc };
  };

  const embed = (n: number): ShardReply => {
    const [lo, hi] = shardRows(n, job.shard, job.shards);
    if (hi > lo) {
      const y = tf.tidy(() => (model.predict(tf.tensor(x.subarray(lo * rowSize, hi * rowSize), [hi - lo, ...job.itemShape])) as tfTypes.Tensor).reshape([hi - lo, dim]));
      emb.set(y.dataSync() as Float32Array, lo * dim);
      y.dispose();
    }
    return { type: 'embedded' };
  };

  port.on('message', (req: ShardRequest) => {
    try {
      if (req.type === 'step') post(step(req.n));
      else if (req.type === 'embed') post(embed(req.n));
      else if (req.type === 'weights') {
        const values = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
        post({ type: 'weights', values }, values.map((v) => v.buffer as ArrayBuffer));
      } else if (req.type === 'close') {
        optimizer.dispose();
        model.dispose();
        port.close();
      }
    } catch (err) {
      // Wake the other shards out of their barrier; the trainer reports the first real error.
      Atomics.store(ctrl, SHARD_CTRL.FAILED, 1);
      Atomics.notify(ctrl, SHARD_CTRL.GEN);
      post({ type: 'error', message: err instanceof PeerFailed ? err.message : ((err as Error).stack ?? String(err)) });
    }
  });
  post({ type: 'ready' });
}

main().catch((err: unknown) => {
  Atomics.store(ctrl, SHARD_CTRL.FAILED, 1);
  Atomics.notify(ctrl, SHARD_CTRL.GEN);
  post({ type: 'error', message: (err as Error).stack ?? String(err) });
});
