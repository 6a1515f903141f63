import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemLoadHandler, loadCheckpoint } from '../../../src/core/checkpoint';
import { fineTune } from '../../../src/core/train/fineTune';
import { FINE_TUNE_FILE, saveLayersModel } from '../../../src/core/train/checkpointWriter';
import { CONFIG_FILE } from '../../../src/core/checkpoint/config';
import { isCancelled, LensError } from '../../../src/core/errors';
import { hashTree, writeToyDataset } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'el-finetune-'));
const srcDir = join(root, 'toy-model');
const dataDir = join(root, 'toy-data');

before(async () => {
  await tf.setBackend('cpu');
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const model = tf.sequential({
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
  mkdirSync(srcDir, { recursive: true });
  await saveLayersModel(tf, model, srcDir, 'model');
  writeFileSync(
    join(srcDir, CONFIG_FILE),
    JSON.stringify({ inputSize: [8, 8], channels: 1, mean: [0], std: [1], resize: 'stretch', resample: 'bilinear' }),
  );
  await writeToyDataset(dataDir, 8, 10);
});

function sidecar(dir: string): { inputSize: number[]; output: string } {
  return JSON.parse(readFileSync(join(dir, CONFIG_FILE), 'utf8'));
}

function record(dir: string): { history: unknown[]; bestEpoch: number; cancelled?: boolean; complete: boolean; trainingThreads?: number } {
  return JSON.parse(readFileSync(join(dir, FINE_TUNE_FILE), 'utf8'));
}

test('end-to-end fine-tune in the worker: writes a loadable checkpoint beside the source, never touching it', async () => {
  const before = await hashTree(srcDir);
  const epochs: number[] = [];
  let steps = 0;
  const r = await fineTune({
    checkpoint: join(srcDir, 'model.json'),
    dataset: dataDir,
    epochs: 2,
    lr: 3e-3,
    pk: [3, 4],
    backend: 'wasm',
    onEpoch: (e) => epochs.push(e.epoch),
    onStep: () => steps++,
  });
  assert.equal(r.cancelled, false);
  assert.equal(r.outDir, `${srcDir}-eet-1`);
  assert.deepEqual(epochs, [0, 1, 2]);
  assert.ok(steps > 0);
  assert.equal(r.history.length, 3);
  assert.equal(r.backend, 'wasm');
  const side = sidecar(r.outDir);
  assert.deepEqual(side.inputSize, [8, 8], 'preprocessing carried over');
  assert.equal(side.output, 'last');
  const rec = record(r.outDir);
  assert.equal(rec.complete, true);
  assert.equal(rec.history.length, 3);
  assert.equal(rec.bestEpoch, r.best.epoch);
  // On wasm with two or more cores each batch was split across two shard threads.
  assert.equal(rec.trainingThreads, availableParallelism() >= 2 ? 2 : 1);
  // Which classes training saw and which it never did (a later comparison scores the latter),
  // and what each epoch's validation was computed on: 20% of 8 classes is 2, 20 items.
  const v = (rec as unknown as { validation: { trainedClasses: string[]; heldOutClasses: string[] } }).validation;
  assert.equal(v.trainedClasses.length, 6);
  assert.equal(v.heldOutClasses.length, 2);
  assert.deepEqual(
    [...v.trainedClasses, ...v.heldOutClasses].sort(),
    Array.from({ length: 8 }, (_, c) => `class_${c}`),
  );
  assert.deepEqual(
    r.history.map((h) => [h.val.classes, h.val.items, h.val.totalClasses, h.val.totalItems]),
    Array(3).fill([2, 20, 8, 80]),
  );
  assert.deepEqual(r.validation, { mode: 'class-disjoint', classes: 2, items: 20, totalClasses: 8, totalItems: 80 });
  // Loaded like any other checkpoint by the app's own loader, with the carried-over preprocessing.
  const loaded = await loadCheckpoint(r.outDir, { backend: 'cpu' });
  assert.equal(loaded.kind, 'tfjs-layers');
  assert.equal(loaded.dim, 8);
  assert.deepEqual(
    [loaded.preprocess.height, loaded.preprocess.width, loaded.preprocess.channels, loaded.preprocess.resize, loaded.preprocess.resample],
    [8, 8, 1, 'stretch', 'bilinear'],
  );
  await loaded.dispose();
  assert.deepEqual(await hashTree(srcDir), before, 'source checkpoint bytes unchanged');
});

test('cancelling mid-training keeps the best epoch so far as a loadable checkpoint and says so', async () => {
  const before = await hashTree(srcDir);
  const ac = new AbortController();
  const outDir = join(root, 'cancelled-out');
  const r = await fineTune({
    checkpoint: srcDir,
    dataset: dataDir,
    outDir,
    epochs: 100,
    pk: [3, 4],
    backend: 'wasm',
    signal: ac.signal,
    onStep: (s) => {
      if (s.epoch === 2 && s.step === 1) ac.abort();
    },
  });
  assert.equal(r.cancelled, true);
  assert.ok(r.history.length >= 2 && r.history.length < 101);
  const rec = record(outDir);
  assert.equal(rec.cancelled, true);
  assert.equal(rec.complete, false);
  const model = await tf.loadLayersModel(fileSystemLoadHandler(join(outDir, 'model.json')));
  assert.equal(model.predict(tf.zeros([2, 8, 8, 1])).toString().length > 0, true);
  model.dispose();
  assert.deepEqual(await hashTree(srcDir), before, 'source checkpoint bytes unchanged');
});

test('refuses to write over the source folder or an unrelated folder, before any work', async () => {
  await assert.rejects(
    fineTune({ checkpoint: srcDir, dataset: dataDir, outDir: srcDir, backend: 'wasm' }),
    (e: unknown) => e instanceof LensError && /never over the source/.test(e.message),
  );
  const other = join(root, 'someone-elses');
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'keep me');
  await assert.rejects(
    fineTune({ checkpoint: srcDir, dataset: dataDir, outDir: other, backend: 'wasm' }),
    (e: unknown) => e instanceof LensError && /not an earlier fine-tune output/.test(e.message),
  );
  assert.equal(readFileSync(join(other, 'notes.txt'), 'utf8'), 'keep me');
});

test('an already-aborted signal rejects as cancelled without starting a worker', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(fineTune({ checkpoint: srcDir, dataset: dataDir, signal: ac.signal }), (e: unknown) => isCancelled(e));
  assert.equal(existsSync(`${srcDir}-eet-2`), false);
});

test('head-only on a tfjs LayersModel saves backbone + head as one ordinary LayersModel checkpoint', async () => {
  const before = await hashTree(srcDir);
  const outDir = join(root, 'head-out');
  const r = await fineTune({ checkpoint: srcDir, dataset: dataDir, outDir, train: 'head', epochs: 2, pk: [3, 4], backend: 'wasm' });
  assert.equal(r.cancelled, false);
  assert.equal(record(outDir).history.length, 3);
  const loaded = await loadCheckpoint(outDir, { backend: 'cpu' });
  assert.equal(loaded.kind, 'tfjs-layers');
  assert.equal(loaded.dim, 8);
  await loaded.dispose();
  assert.deepEqual(await hashTree(srcDir), before);
});
