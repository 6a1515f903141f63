import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { close, eetOptionsOf, flatten, loadEetFixtures } from '../helpers/fixtures';
import { eetLossTfjs } from '../helpers/eetTfjs';
import { denseHeadTrainer, tfjsTrainer } from '../../../src/core/train/trainers';
import { resolveSettings } from '../../../src/core/train/options';
import { toyImages } from './helpers';

function toyModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
    ],
  });
}

test('a tfjs training step through the JS gradient equals an Adam step through tfjs autodiff of the EET loss', async () => {
  await tf.setBackend('cpu');
  const { x, labels } = toyImages(4, 4, 9);
  const s = resolveSettings({ lr: 1e-2, margin: 0.2, weights: [1, 0.5, 2] });
  const a = toyModel();
  const b = toyModel();
  await tfjsTrainer(tf, a, s, [8, 8, 1]).step(x, 16, labels);
  const opt = tf.train.adam(s.lr);
  opt.minimize(() =>
    eetLossTfjs(b.apply(tf.tensor4d(x, [16, 8, 8, 1])) as tf.Tensor2D, labels, { normalize: true, margin: 0.2, weights: [1, 0.5, 2] }),
  );
  const wa = a.getWeights().map((t) => t.dataSync());
  const wb = b.getWeights().map((t) => t.dataSync());
  wa.forEach((w, i) => w.forEach((v, k) => assert.ok(close(v, wb[i][k], 1e-5), `weight ${i}[${k}]: ${v} vs ${wb[i][k]}`)));
});

test('the JS dense head step equals an Adam step of a tfjs identity-initialised Dense layer through tfjs autodiff of the EET loss', async () => {
  await tf.setBackend('cpu');
  const dim = 5;
  const n = 12;
  const feats = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7) + (i % dim === Math.floor(i / dim) % 3 ? 1 : 0));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const s = resolveSettings({ lr: 5e-3, train: 'head' });
  const js = denseHeadTrainer(dim, s);
  for (let k = 0; k < 3; k++) await js.step(feats, n, labels);
  const head = tf.sequential({ layers: [tf.layers.dense({ inputShape: [dim], units: dim, kernelInitializer: 'identity' })] });
  const opt = tf.train.adam(s.lr);
  for (let k = 0; k < 3; k++) opt.minimize(() => eetLossTfjs(head.apply(tf.tensor2d(feats, [n, dim])) as tf.Tensor2D, labels));
  const [w, b] = js.weights();
  const [tw, tb] = head.getWeights().map((t) => t.dataSync());
  w.forEach((v, k) => assert.ok(close(v, tw[k], 1e-5), `W[${k}]: ${v} vs ${tw[k]}`));
  b.forEach((v, k) => assert.ok(close(v, tb[k], 1e-5), `b[${k}]: ${v} vs ${tb[k]}`));
  const e = await js.embed(feats, n);
  const te = (head.predict(tf.tensor2d(feats, [n, dim])) as tf.Tensor).dataSync();
  e.data.forEach((v, k) => assert.ok(close(v, te[k], 1e-5)));
});

test('the tfjs autodiff oracle itself matches every golden fixture (values 1e-5, gradients 1e-4)', async () => {
  await tf.setBackend('cpu');
  for (const fx of loadEetFixtures()) {
    const x = tf.variable(tf.tensor2d(flatten(fx.embeddings), [fx.embeddings.length, fx.embeddings[0].length]));
    const { value, grads } = tf.variableGrads(() => eetLossTfjs(x, Int32Array.from(fx.labels), eetOptionsOf(fx)), [x]);
    assert.ok(close(value.dataSync()[0], fx.expected.total, 1e-5), `${fx.name} total ${value.dataSync()[0]} vs ${fx.expected.total}`);
    const g = grads[x.name].dataSync();
    flatten(fx.expected.grad).forEach((v, i) => assert.ok(close(g[i], v, 1e-4), `${fx.name} grad[${i}]: ${g[i]} vs ${v}`));
    tf.dispose([x, value, grads[x.name]]);
  }
});
