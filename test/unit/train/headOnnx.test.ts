import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fineTune } from '../../../src/core/train/fineTune';
import { loadChainedCheckpoint } from '../../../src/core/checkpoint/chained';
import { loadTrainingData } from '../../../src/core/train/data';
import { classDisjointSplit, stratifiedCap } from '../../../src/core/train/split';
import { looMapAtR } from '../../../src/core/train/validation';
import { FINE_TUNE_FILE } from '../../../src/core/train/checkpointWriter';
import { CONFIG_FILE } from '../../../src/core/checkpoint/config';
import { listEntries } from '../../../src/core/util/atomicDir';
import { LensError } from '../../../src/core/errors';
import { hashTree, writeToyDataset } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'el-head-'));
const srcDir = join(root, 'onnx-src');
const onnx = join(srcDir, 'tiny-cnn.onnx');
const dataDir = join(root, 'toy-data');

before(async () => {
  mkdirSync(srcDir);
  copyFileSync(resolve(__dirname, '../../fixtures/models/tiny-cnn.onnx'), onnx);
  await writeToyDataset(dataDir, 8, 10, 5);
});

test('a head trained on a frozen ONNX backbone reloads as a chained checkpoint with the same embeddings as at the end of training', async () => {
  const before = await hashTree(srcDir);
  const r = await fineTune({ checkpoint: onnx, dataset: dataDir, train: 'head', epochs: 4, pk: [3, 4], backend: 'wasm' });
  assert.equal(r.cancelled, false);
  assert.equal(r.outDir, join(srcDir, 'tiny-cnn-eet-1'));
  assert.deepEqual(listEntries(r.outDir), [CONFIG_FILE, FINE_TUNE_FILE, 'head.json', 'head.weights.bin', 'tiny-cnn.onnx']);
  assert.deepEqual(readFileSync(join(r.outDir, 'tiny-cnn.onnx')), readFileSync(onnx), 'backbone copied byte for byte');
  const side = JSON.parse(readFileSync(join(r.outDir, CONFIG_FILE), 'utf8'));
  assert.deepEqual(side.head, { backbone: 'tiny-cnn.onnx', model: 'head.json', dim: 6 });
  assert.equal(JSON.parse(readFileSync(join(r.outDir, FINE_TUNE_FILE), 'utf8')).settings.train, 'head');

  // Re-embed the validation items through the reloaded chain: the score must be the best epoch's.
  const chained = await loadChainedCheckpoint(r.outDir);
  try {
    assert.equal(chained.dim, 6);
    const data = await loadTrainingData(dataDir);
    const split = classDisjointSplit(data.labels, 0.2, 42);
    const rows = stratifiedCap(split.val, data.labels, 2000, 42);
    const x = await data.inputs(rows, chained.preprocess, {});
    const emb = await chained.embed(x, rows.length);
    const m = looMapAtR(
      emb,
      rows.length,
      6,
      Int32Array.from(rows, (i) => data.labels[i]),
    );
    assert.ok(Math.abs(m.mapAtR - r.best.mapAtR) < 1e-6, `reloaded map@r ${m.mapAtR} vs best epoch ${r.best.mapAtR}`);
    assert.ok(Math.abs(m.recallAt1 - r.best.recallAt1) < 1e-6);
  } finally {
    await chained.dispose();
  }
  assert.deepEqual(
    await hashTree(srcDir).then((h) => Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith('tiny-cnn-eet-1')))),
    before,
    'source bytes unchanged',
  );
});

test('an ONNX checkpoint cannot be trained end to end: the error says to train a head', async () => {
  await assert.rejects(
    fineTune({ checkpoint: onnx, dataset: dataDir, train: 'all', outDir: join(root, 'never'), backend: 'wasm' }),
    (e: unknown) => e instanceof LensError && /tfjs cannot train/.test(e.message) && /head/.test(e.message),
  );
});
