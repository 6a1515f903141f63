import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeHead, setTrainable } from '../../../src/core/train/models';
import { LensError } from '../../../src/core/errors';
import { resolveSettings } from '../../../src/core/train/options';

function model(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4 }),
      tf.layers.dense({ units: 3 }),
    ],
  });
}

test('setTrainable: all layers, or only the last N layers that have weights', () => {
  const m = model();
  assert.equal(setTrainable(m, 'all'), 6);
  assert.equal(setTrainable(m, { lastLayers: 1 }), 2);
  assert.deepEqual(
    m.trainableWeights.map((w) => w.originalName),
    [`${m.layers[4].name}/kernel`, `${m.layers[4].name}/bias`],
  );
  assert.equal(setTrainable(m, { lastLayers: 2 }), 4);
  assert.throws(
    () => setTrainable(m, { lastLayers: 4 }),
    (e: unknown) => e instanceof LensError && /has 3 layers with weights/.test(e.message),
  );
});

test('a fresh head reproduces the backbone embedding exactly (identity, zero bias)', () => {
  const head = makeHead(tf, 5);
  const x = tf.tensor2d([
    [1, -2, 3, 0.5, 7],
    [0, 0, 1, 2, -1],
  ]);
  assert.deepEqual(Array.from((head.predict(x) as tf.Tensor).dataSync()), Array.from(x.dataSync()));
});

test('settings: defaults for Enter-Enter-Enter, head lr default, and clear errors for bad values', () => {
  const d = resolveSettings({});
  assert.deepEqual([d.epochs, d.margin, d.weights, d.pk, d.train, d.validation], [5, 0.3, [1, 1, 1], [8, 4], 'all', 'class-disjoint']);
  assert.equal(resolveSettings({ train: 'head' }).lr, 1e-3);
  assert.equal(resolveSettings({ train: 'head', lr: 0.01 }).lr, 0.01);
  assert.throws(() => resolveSettings({ pk: [1, 4] }), /P ≥ 2/);
  assert.throws(() => resolveSettings({ weights: [0, 0, 0] }), /not all 0/);
  assert.throws(() => resolveSettings({ epochs: 0 }), /epochs/);
  assert.throws(() => resolveSettings({ lr: -1 }), /learning rate/);
});
