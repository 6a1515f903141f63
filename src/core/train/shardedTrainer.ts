/**
 * Data-parallel training of a tfjs LayersModel on the wasm backend, which runs one thread per
 * engine: each batch is split across `shards` worker threads (workers/trainShard.ts), each with
 * its own copy of the model, which meet inside the step to share embeddings and gradients. On two
 * cores this nearly doubles end-to-end steps/s; the result is the single-thread step up to float
 * rounding (the gradient is summed in two parts).
 *
 * Not used for models whose training-mode forward pass depends on the whole batch
 * (BatchNormalization: each shard would normalise by its half), nor on the native backends,
 * which already use every core.
 */
import { availableParallelism } from 'node:os';
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendSetting } from '../runtime/select';
import { openWorker, type WorkerSession } from '../util/workerCall';
import type { openShard } from '../workers/trainShard';
import type { FineTuneSettings } from './options';
import { allocateShardBuffers, SHARD_CTRL, type ShardBuffers, type ShardJob } from './shardPlan';
import { tfjsTrainer, type StepResult, type Trainer } from './trainers';

type Tf = typeof tfTypes;

/** Rows embedded per request (validation batches are 256). */
const EMBED_ROWS = 256;

export interface ModelTrainer extends Trainer {
  /** Copies the trained weights into the caller's model (before saving it). */
  pullWeights(): Promise<void>;
}

export interface ShardedTrainer extends ModelTrainer {
  /** Every weight of one shard's model copy (all copies are identical after each step). */
  shardWeights(shard: number): Promise<Float32Array[]>;
}

function layersOf(model: tfTypes.LayersModel): tfTypes.layers.Layer[] {
  const out: tfTypes.layers.Layer[] = [];
  const visit = (l: tfTypes.layers.Layer) => {
    out.push(l);
    const inner = (l as unknown as { layers?: tfTypes.layers.Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  model.layers.forEach(visit);
  return out;
}

/** Why this model/backend is trained in one thread, or null when it can be sharded. */
export function shardingBlocker(model: tfTypes.LayersModel, backend: string, cores = availableParallelism()): string | null {
  if (backend !== 'wasm') return `the ${backend} backend already uses every core`;
  if (cores < 2) return 'one core';
  const bn = layersOf(model).find((l) => l.getClassName() === 'BatchNormalization');
  if (bn) return `layer ${bn.name} is BatchNormalization, whose training statistics span the whole batch`;
  return null;
}

/** The model as in-memory artifacts (topology with trainable flags, and weight values). */
async function toArtifacts(tf: Tf, model: tfTypes.LayersModel): Promise<tfTypes.io.ModelArtifacts> {
  let artifacts: tfTypes.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

export async function shardedTrainer(
  tf: Tf,
  model: tfTypes.LayersModel,
  s: FineTuneSettings,
  itemShape: number[],
  backend: BackendSetting,
  shards = Math.min(2, availableParallelism()),
): Promise<ShardedTrainer> {
  const rowSize = itemShape.reduce((a, b) => a * b, 1);
  const dim = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const params = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0);
  const maxRows = Math.max(s.pk[0] * s.pk[1], EMBED_ROWS);
  const buffers: ShardBuffers = allocateShardBuffers(maxRows, rowSize, dim, params, shards);
  const artifacts = await toArtifacts(tf, model);
  let failure: Error | undefined;
  const fail = (e: Error): Error => {
    failure ??= e;
    // Shards waiting at a barrier for the one that died give up instead of waiting forever.
    Atomics.store(buffers.ctrl, SHARD_CTRL.FAILED, 1);
    Atomics.notify(buffers.ctrl, SHARD_CTRL.GEN);
    return failure;
  };
  const opened = await Promise.allSettled(
    Array.from({ length: shards }, (_, shard) => {
      const job: ShardJob = {
        shard,
        shards,
        backend,
        artifacts,
        itemShape,
        dim,
        params,
        maxRows,
        lr: s.lr,
        loss: { normalize: s.normalize, margin: s.margin, weights: s.weights },
        buffers,
      };
      return openWorker<typeof openShard>('trainShard', job).catch((e: Error) => {
        throw fail(new Error(`training shard ${shard}: ${e.message}`));
      });
    }),
  );
  const workers = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  if (failure) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw failure;
  }
  type Shard = WorkerSession<Awaited<ReturnType<typeof openShard>>>;
  // Requests are strictly sequential; the first shard to fail fails every later request.
  const request = async <R>(i: number, run: (w: Shard) => Promise<R>): Promise<R> => {
    if (failure) throw failure;
    try {
      return await run(workers[i]);
    } catch (e) {
      throw fail(new Error(`training shard ${i}: ${(e as Error).message}`));
    }
  };
  const all = <R>(run: (w: Shard) => Promise<R>) => Promise.all(workers.map((_, i) => request(i, run)));

  const shardWeights = (shard: number): Promise<Float32Array[]> => request(shard, (w) => w.call('weights'));

  return {
    shardWeights,
    async step(x: Float32Array, n: number, labels: Int32Array): Promise<StepResult> {
      buffers.x.set(x.subarray(0, n * rowSize));
      buffers.labels.set(labels.subarray(0, n));
      const [first] = await all((w) => w.call('step', n));
      return { loss: first.loss, mc: first.mc, ec: first.ec, edc: first.edc };
    },
    async embed(x: Float32Array, n: number) {
      const data = new Float32Array(n * dim);
      for (let s0 = 0; s0 < n; s0 += maxRows) {
        const m = Math.min(maxRows, n - s0);
        buffers.x.set(x.subarray(s0 * rowSize, (s0 + m) * rowSize));
        await all((w) => w.call('embed', m));
        data.set(buffers.emb.subarray(0, m * dim), s0 * dim);
      }
      return { data, dim };
    },
    async pullWeights() {
      const values = await shardWeights(0);
      const current = model.getWeights();
      tf.tidy(() => model.setWeights(values.map((v, i) => tf.tensor(v, current[i].shape, current[i].dtype))));
    },
    dispose() {
      for (const w of workers) w.close();
    },
  };
}

/**
 * The end-to-end trainer for this model: sharded across the cores where that is exact, else one
 * thread. `shards` says which it is (1 = one thread), `why` why it is not sharded.
 */
export async function modelTrainer(
  tf: Tf,
  model: tfTypes.LayersModel,
  s: FineTuneSettings,
  itemShape: number[],
  backend: string,
): Promise<ModelTrainer & { shards: number; why?: string }> {
  const shards = Math.min(2, availableParallelism());
  const why =
    shardingBlocker(model, backend) ?? (s.pk[0] * s.pk[1] < 2 * shards ? `a batch of ${s.pk[0] * s.pk[1]} is too small to split` : null);
  if (why === null) return Object.assign(await shardedTrainer(tf, model, s, itemShape, backend as BackendSetting, shards), { shards });
  return Object.assign(tfjsTrainer(tf, model, s, itemShape), { pullWeights: async () => undefined, shards: 1, why });
}
