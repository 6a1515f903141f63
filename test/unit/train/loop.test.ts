import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../../src/core/runtime/wasmTrainingKernels';
import { trainLoop } from '../../../src/core/train/loop';
import { tfjsTrainer } from '../../../src/core/train/trainers';
import { resolveSettings } from '../../../src/core/train/options';
import { looMapAtR } from '../../../src/core/train/validation';
import { pkEpoch, rng } from '../../../src/core/train/batches';
import { toyImages } from './helpers';

registerWasmTrainingKernels();

function tinyCnn(): tf.LayersModel {
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
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 8, kernelInitializer: init(2) }),
    ],
  });
}

test('P×K epochs: every batch has P classes × K rows with positives, and the epoch covers the data', () => {
  const labels = Int32Array.from({ length: 103 }, (_, i) => i % 7);
  const batches = pkEpoch(labels, 4, 3, rng(3));
  const seen = new Set<number>();
  for (const b of batches) {
    const counts = new Map<number, number>();
    for (const r of b) {
      counts.set(labels[r], (counts.get(labels[r]) ?? 0) + 1);
      seen.add(r);
    }
    assert.ok(counts.size >= 2 && counts.size <= 4);
    for (const c of counts.values()) assert.equal(c, 3);
  }
  assert.ok(seen.size >= 0.9 * labels.length, `epoch covered ${seen.size} of ${labels.length}`);
  assert.deepEqual(pkEpoch(labels, 4, 3, rng(3)), batches, 'same seed, same batches');
});

test('the loop decreases the EET loss and raises map@r on a separable toy set (wasm backend)', async () => {
  await tf.setBackend('wasm');
  const data = toyImages(8, 12, 1);
  const val = toyImages(8, 6, 2);
  const model = tinyCnn();
  const s = resolveSettings({ epochs: 4, lr: 3e-3, pk: [4, 4], seed: 7 });
  const steps: number[] = [];
  const r = await trainLoop(
    tfjsTrainer(tf, model, s, [8, 8, 1]),
    { x: data.x, itemShape: [8, 8, 1], labels: data.labels },
    { x: val.x, itemShape: [8, 8, 1], labels: val.labels },
    s,
    (d, n, dim, l) => looMapAtR(d, n, dim, l),
    { onStep: (st) => steps.push(st.loss) },
  );
  assert.equal(r.cancelled, false);
  assert.equal(r.history.length, 5);
  const first = r.history[1].loss!.total;
  const last = r.history[4].loss!.total;
  assert.ok(last < 0.8 * first, `epoch loss ${first} → ${last}`);
  assert.ok(r.history[4].val.mapAtR > r.history[0].val.mapAtR, `map@r ${r.history[0].val.mapAtR} → ${r.history[4].val.mapAtR}`);
  assert.ok(steps.every(Number.isFinite));
  model.dispose();
});

test('aborting stops the loop at the next step and reports it as cancelled, keeping the history so far', async () => {
  await tf.setBackend('wasm');
  const data = toyImages(6, 10, 3);
  const model = tinyCnn();
  const ac = new AbortController();
  let stepsSeen = 0;
  const bests: number[] = [];
  const s = resolveSettings({ epochs: 50, pk: [3, 4] });
  const r = await trainLoop(
    tfjsTrainer(tf, model, s, [8, 8, 1]),
    { x: data.x, itemShape: [8, 8, 1], labels: data.labels },
    { x: data.x, itemShape: [8, 8, 1], labels: data.labels },
    s,
    (d, n, dim, l) => looMapAtR(d, n, dim, l),
    {
      signal: ac.signal,
      onStep: () => {
        if (++stepsSeen === 3) ac.abort();
      },
      onBest: async (e) => {
        bests.push(e);
      },
    },
  );
  assert.equal(r.cancelled, true);
  assert.equal(stepsSeen, 3);
  assert.equal(r.history.length, 1, 'only the epoch-0 validation finished');
  assert.deepEqual(bests, [0]);
  model.dispose();
});

test('items loaded per batch train exactly like items held in memory', async () => {
  await tf.setBackend('cpu');
  const data = toyImages(4, 6, 8);
  const s = resolveSettings({ epochs: 2, lr: 1e-2, pk: [2, 3], seed: 3 });
  const run = async (lazy: boolean) => {
    const model = tinyCnn();
    const set = lazy
      ? {
          load: async (rows: Int32Array) =>
            Float32Array.from({ length: rows.length * 64 }, (_, i) => data.x[rows[Math.floor(i / 64)] * 64 + (i % 64)]),
          itemShape: [8, 8, 1],
          labels: data.labels,
        }
      : { x: data.x, itemShape: [8, 8, 1], labels: data.labels };
    const r = await trainLoop(tfjsTrainer(tf, model, s, [8, 8, 1]), set, set, s, (d, n, dim, l) => looMapAtR(d, n, dim, l));
    model.dispose();
    return r.history.map((h) => [h.loss?.total ?? 0, h.val.mapAtR]);
  };
  assert.deepEqual(await run(true), await run(false));
});
