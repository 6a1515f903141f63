// A head-only fine-tune writes a "chained" folder: a copy of the backbone, a tfjs head, and a
// sidecar naming both. Every loader path must give head(backbone(x)) — never the backbone alone —
// and the embeddings cache must tell it apart from the untouched backbone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, resolveCheckpointPath } from '../../../src/core/checkpoint';
import { checkpointHash } from '../../../src/core/embed/cache';
import { initTfjs } from '../../../src/core/runtime/tfjs';
import { saveLayersModel } from '../../../src/core/train/checkpointWriter';

const backboneFile = join(__dirname, '../../fixtures/models/tiny-cnn.onnx');

async function makeChained(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-chained-'));
  copyFileSync(backboneFile, join(dir, 'backbone.onnx'));
  const original = await loadCheckpoint(backboneFile);
  const dim = original.dim;
  await original.dispose();
  const { tf } = await initTfjs('cpu');
  // A head that doubles every feature: easy to check exactly.
  const head = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [dim], units: dim, useBias: false, kernelInitializer: 'zeros', name: 'double' })],
  });
  head.setWeights([tf.mul(tf.eye(dim), 2)]);
  await saveLayersModel(tf, head, dir, 'head');
  head.dispose();
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ head: { backbone: 'backbone.onnx', model: 'head.json', dim } }));
  return dir;
}

test('a chained folder, or its backbone file, loads as head ∘ backbone', async () => {
  const dir = await makeChained();
  const plain = await loadCheckpoint(backboneFile);
  const input = new Float32Array(plain.preprocess.height * plain.preprocess.width * plain.preprocess.channels).map((_, i) => (i % 7) / 7);
  const base = await plain.embed(input, 1);
  await plain.dispose();
  assert.equal(resolveCheckpointPath(dir), join(dir, 'backbone.onnx'));
  for (const path of [dir, join(dir, 'backbone.onnx')]) {
    const chained = await loadCheckpoint(path);
    const out = await chained.embed(input, 1);
    await chained.dispose();
    assert.equal(out.length, base.length, path);
    out.forEach((v, i) => assert.ok(Math.abs(v - 2 * base[i]) < 1e-5, `${path}[${i}]: ${v} vs 2×${base[i]}`));
  }
});

test('the cache key of a chained checkpoint covers its head, not only the backbone bytes', async () => {
  const dir = await makeChained();
  const a = await checkpointHash(join(dir, 'backbone.onnx'));
  assert.notEqual(a, await checkpointHash(backboneFile));
  writeFileSync(join(dir, 'head.weights.bin'), Buffer.alloc(4 * 6 * 6));
  assert.notEqual(await checkpointHash(join(dir, 'backbone.onnx')), a, 'changed head weights change the key');
});
