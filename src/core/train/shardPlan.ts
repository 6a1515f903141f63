/**
 * What the data-parallel trainer (shardedTrainer.ts) and its worker threads (workers/trainShard.ts)
 * share: the job description and the layout of the SharedArrayBuffer they exchange data through.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BackendSetting } from '../runtime/select';
import type { EetOptions } from '../eet/options';

/** Slots of the control block. */
export const SHARD_CTRL = { COUNT: 0, GEN: 1, FAILED: 2, SIZE: 4 } as const;

export interface ShardBuffers {
  ctrl: Int32Array;
  /** Up to maxRows items, row-major: the batch (or the rows to embed). */
  x: Float32Array;
  labels: Int32Array;
  /** maxRows × dim embeddings, each shard writing its own rows. */
  emb: Float32Array;
  /** shards × params: each shard's gradient of every trainable weight, flattened in weight order. */
  grads: Float32Array;
}

export interface ShardJob {
  shard: number;
  shards: number;
  backend: BackendSetting;
  /** The model as tf.io ModelArtifacts (topology with each layer's trainable flag, and weights). */
  artifacts: tfTypes.io.ModelArtifacts;
  itemShape: number[];
  dim: number;
  params: number;
  maxRows: number;
  lr: number;
  loss: EetOptions;
  buffers: ShardBuffers;
}

/** One SharedArrayBuffer carved into the shared arrays. */
export function allocateShardBuffers(maxRows: number, rowSize: number, dim: number, params: number, shards: number): ShardBuffers {
  const sizes = [SHARD_CTRL.SIZE, maxRows * rowSize, maxRows, maxRows * dim, shards * params];
  const sab = new SharedArrayBuffer(sizes.reduce((a, b) => a + b, 0) * 4);
  let at = 0;
  const take = <T>(make: (off: number, len: number) => T, len: number): T => {
    const v = make(at * 4, len);
    at += len;
    return v;
  };
  return {
    ctrl: take((o, l) => new Int32Array(sab, o, l), sizes[0]),
    x: take((o, l) => new Float32Array(sab, o, l), sizes[1]),
    labels: take((o, l) => new Int32Array(sab, o, l), sizes[2]),
    emb: take((o, l) => new Float32Array(sab, o, l), sizes[3]),
    grads: take((o, l) => new Float32Array(sab, o, l), sizes[4]),
  };
}

/** Shard `s` of `shards` takes rows [lo, hi) of an n-row batch (contiguous, sizes differ by ≤ 1). */
export function shardRows(n: number, s: number, shards: number): [number, number] {
  return [Math.floor((n * s) / shards), Math.floor((n * (s + 1)) / shards)];
}
