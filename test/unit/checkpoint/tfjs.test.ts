import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { loadCheckpoint, detectCheckpointKind, fileSystemLoadHandler, TfjsLoadedModel } from '../../../src/core/checkpoint';
import { initTfjs } from '../../../src/core/runtime/tfjs';
import { LensError } from '../../../src/core/errors';
import { tmp } from '../embed/helpers/make';
import { saveLayersModel, writeGraphModel } from '../embed/helpers/tfjs';
import { writeIdxPair } from '../embed/helpers/make';
import { embedItems } from '../../../src/core/embed/batches';

const idxFile = writeIdxPair(tmp(), 'fixed', [0, 1, 0, 1, 0], 4, 4).images;

async function classifier(dir: string) {
  const { tf } = await initTfjs('auto');
  const m = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 3],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv',
        kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 5, name: 'embed', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) }),
    ],
  });
  return { tf, model: m, path: await saveLayersModel(tf, m, dir) };
}

test('tfjs LayersModel from disk: NHWC input read from the model, penultimate layer of a softmax classifier by default', async () => {
  const { tf, model, path } = await classifier(tmp());
  assert.equal(await detectCheckpointKind(path), 'tfjs-layers');
  const m = (await loadCheckpoint(path)) as TfjsLoadedModel;
  try {
    assert.equal(m.kind, 'tfjs-layers');
    assert.deepEqual([m.preprocess.layout, m.preprocess.height, m.preprocess.width, m.preprocess.channels], ['NHWC', 6, 6, 3]);
    assert.deepEqual(m.output, { kind: 'penultimate' });
    assert.equal(m.outputName, 'embed');
    assert.deepEqual(m.availableOutputs, ['conv', 'flat', 'embed', 'head']);
    assert.equal(m.dim, 5);
    assert.equal(m.backend, 'wasm');
    assert.ok(m.assumptions.some((a) => a.includes('classifier head')));
    const x = Float32Array.from({ length: 2 * 108 }, (_, i) => ((i * 7) % 11) / 11);
    const got = await m.embed(x, 2);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('embed').output as never });
    const want = (sub.predict(tf.tensor(x, [2, 6, 6, 3])) as Tensor).dataSync();
    assert.equal(got.length, 10);
    for (let i = 0; i < 10; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5);
  } finally {
    await m.dispose();
  }
  const last = await loadCheckpoint(path, { output: { kind: 'last' } });
  assert.equal(last.dim, 3);
  await last.dispose();
  const named = await loadCheckpoint(path, { output: { kind: 'named', name: 'flat' } });
  assert.equal(named.dim, 64);
  await named.dispose();
  await assert.rejects(
    loadCheckpoint(path, { output: { kind: 'named', name: 'missing' } }),
    /has no layer "missing"; its layers are: conv, flat, embed, head/,
  );
});

test('fileSystemLoadHandler loads model.json + shards for plain tfjs (no file:// handler needed)', async () => {
  const { tf, path } = await classifier(tmp());
  const m = await tf.loadLayersModel(fileSystemLoadHandler(path));
  assert.deepEqual(m.inputs[0].shape, [null, 6, 6, 3]);
  m.dispose();
});

test('tfjs GraphModel: softmax output → the MatMul input is the penultimate layer; last output on request', async () => {
  const { tf } = await initTfjs('auto');
  const { path, W, b } = writeGraphModel(tmp());
  assert.equal(await detectCheckpointKind(path), 'tfjs-graph');
  const x = Float32Array.from({ length: 16 }, (_, i) => i / 16);
  const m = await loadCheckpoint(path);
  try {
    assert.equal(m.kind, 'tfjs-graph');
    assert.equal(m.outputName, 'flat');
    assert.equal(m.dim, 16);
    const got = await m.embed(x, 1);
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(got[i] - x[i]) < 1e-6);
  } finally {
    await m.dispose();
  }
  const last = await loadCheckpoint(path, { output: { kind: 'last' } });
  try {
    const logits = [0, 1, 2].map((j) => b[j] + W.reduce((acc, row, i) => acc + row[j] * x[i], 0));
    const e = logits.map((v) => Math.exp(v - Math.max(...logits)));
    const probs = e.map((v) => v / e.reduce((a, c) => a + c, 0));
    const got = await last.embed(x, 1);
    probs.forEach((p, j) => assert.ok(Math.abs(got[j] - p) < 1e-5));
  } finally {
    await last.dispose();
  }
  assert.ok(tf.memory().numTensors >= 0);
});

test('a graph exported with a fixed batch is padded to it, and the embed loop never exceeds it', async () => {
  const { path } = writeGraphModel(tmp(), 2);
  const m = await loadCheckpoint(path);
  try {
    assert.equal(m.maxBatch, 2);
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    assert.deepEqual(Array.from(await m.embed(x, 1)), Array.from(x));
    const items = Array.from({ length: 5 }, (_, i) => ({ path: `img${i}`, idx: { file: idxFile, index: i } }));
    const r = await embedItems(m, items, 64, () => undefined);
    assert.equal(r.skipped.length, 0);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(r.vectors[i * 16 + 3] - ((i * 7 + i * 16 + 3) % 256) / 255) < 1e-6);
  } finally {
    await m.dispose();
  }
});

test('corrupt model.json, truncated weight shard and wrong input rank each name the file and what was expected', async () => {
  const dir = tmp();
  const { path } = await classifier(dir);
  const json = readFileSync(path, 'utf8');
  writeFileSync(path, json.slice(0, json.length / 2));
  await assert.rejects(
    loadCheckpoint(path),
    (e: Error) => e instanceof LensError && e.message.startsWith(path) && /not valid JSON.*truncated/.test(e.message),
  );
  writeFileSync(path, json);
  const shard = join(dir, 'weights.bin');
  truncateSync(shard, statSync(shard).size - 8);
  // The message names the model.json and the manifest entry of the short shard.
  await assert.rejects(
    loadCheckpoint(path),
    (e: Error) =>
      e instanceof LensError && e.message.startsWith(path) && e.message.includes('paths[0] "weights.bin"') && /truncated/.test(e.message),
  );
  writeFileSync(path, JSON.stringify({ weightsManifest: [] }));
  await assert.rejects(loadCheckpoint(path), /no "modelTopology"/);

  const { tf } = await initTfjs('auto');
  const mlp = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 4 })] });
  const mlpPath = await saveLayersModel(tf, mlp, tmp());
  await assert.rejects(
    loadCheckpoint(mlpPath),
    (e: Error) => e instanceof LensError && e.message.startsWith(mlpPath) && /rank 2.*expected a 4-D image batch/.test(e.message),
  );
  const wide = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [4, 4, 5], filters: 2, kernelSize: 1 })] });
  const widePath = await saveLayersModel(tf, wide, tmp());
  await assert.rejects(loadCheckpoint(widePath), /has 5 channels; expected 1 \(grey\) or 3 \(RGB\)/);
});
