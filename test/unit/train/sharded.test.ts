import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/core/runtime/wasmTrainingKernels';
import { tfjsTrainer } from '../../../src/core/train/trainers';
import { modelTrainer, shardedTrainer, shardingBlocker } from '../../../src/core/train/shardedTrainer';
import { resolveSettings } from '../../../src/core/train/options';
import { gatherRows } from '../../../src/core/train/loop';
import { pkEpoch, rng } from '../../../src/core/train/batches';
import { toyImages } from './helpers';

registerWasmTrainingKernels();

function tinyCnn(batchNorm = false): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      }),
      ...(batchNorm ? [tf.layers.batchNormalization()] : []),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 8, kernelInitializer: init(2) }),
    ],
  });
}

const maxAbsDiff = (a: Float32Array[], b: Float32Array[]) =>
  Math.max(...a.map((w, i) => w.reduce((m, v, k) => Math.max(m, Math.abs(v - b[i][k])), 0)));
const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Float32Array.from(w.dataSync()));

test('two shards train like one thread on the whole batch, and their model copies stay identical', async () => {
  await tf.setBackend('wasm');
  const data = toyImages(8, 12, 1);
  const s = resolveSettings({ epochs: 1, lr: 3e-3, pk: [4, 4], seed: 7 });
  const single = tinyCnn();
  const split = tinyCnn();
  const one = tfjsTrainer(tf, single, s, [8, 8, 1]);
  const two = await shardedTrainer(tf, split, s, [8, 8, 1], 'wasm', 2);
  try {
    const batches = pkEpoch(data.labels, 4, 4, rng(3)).slice(0, 6);
    for (const rows of batches) {
      const x = gatherRows(data.x, 64, rows);
      const labels = Int32Array.from(rows, (r) => data.labels[r]);
      const a = await one.step(x, rows.length, labels);
      const b = await two.step(x, rows.length, labels);
      // Same weights going in, so the same loss; after the step only summation order differs.
      assert.ok(Math.abs(a.loss - b.loss) <= 1e-4 * Math.max(1, Math.abs(a.loss)), `loss ${a.loss} vs ${b.loss}`);
      for (const t of ['mc', 'ec', 'edc'] as const)
        assert.ok(Math.abs(a[t] - b[t]) <= 1e-4 * Math.max(1, Math.abs(a[t])), `${t} ${a[t]} vs ${b[t]}`);
    }
    const [w0, w1] = [await two.shardWeights(0), await two.shardWeights(1)];
    assert.equal(maxAbsDiff(w0, w1), 0, 'both shards hold bit-identical weights');
    await two.pullWeights();
    const drift = maxAbsDiff(weightsOf(single), weightsOf(split));
    assert.ok(drift < 1e-4, `weights after 6 steps differ by ${drift}`);
    assert.ok(maxAbsDiff(weightsOf(split), weightsOf(tinyCnn())) > 1e-3, 'the steps changed the weights');

    // Inference through the shards equals the pulled model's own predict.
    const x = data.x.subarray(0, 37 * 64);
    const got = await two.embed(x, 37);
    const want = tf.tidy(() => (split.predict(tf.tensor(x, [37, 8, 8, 1])) as tf.Tensor).dataSync() as Float32Array);
    assert.equal(got.dim, 8);
    assert.ok(got.data.every((v, i) => Math.abs(v - want[i]) < 1e-5));
  } finally {
    one.dispose();
    two.dispose();
  }
});

test('models with batch-wide statistics, native backends and tiny batches train in one thread, and say why', async () => {
  assert.match(shardingBlocker(tinyCnn(true), 'wasm', 2) ?? '', /BatchNormalization/);
  assert.match(shardingBlocker(tinyCnn(), 'tfjs-node', 2) ?? '', /already uses every core/);
  assert.match(shardingBlocker(tinyCnn(), 'wasm', 1) ?? '', /one core/);
  assert.equal(shardingBlocker(tinyCnn(), 'wasm', 2), null);
  const t = await modelTrainer(tf, tinyCnn(true), resolveSettings({ pk: [4, 4] }), [8, 8, 1], 'wasm');
  assert.equal(t.shards, 1);
  assert.match(t.why ?? '', /BatchNormalization/);
  t.dispose();
});
