import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import { FINE_TUNE_FILE, saveLayersModel, SIDECAR } from '../../../src/core/train/checkpointWriter';
import { writeToyDataset } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'el-cli-ft-'));
const model = join(root, 'model');
const data = join(root, 'data');

before(async () => {
  await tf.setBackend('cpu');
  const m = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
  mkdirSync(model);
  await saveLayersModel(tf, m, model);
  writeFileSync(join(model, SIDECAR), JSON.stringify({ inputSize: 8, channels: 1, resize: 'stretch' }));
  await writeToyDataset(data, 6, 8);
});

test('finetune CLI: usage errors exit 2 before any work', async () => {
  assert.equal(await main(['finetune', model, data]), 2, '--out is required');
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'x'), '--pk', '8']), 2);
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'x'), '--head-only', '--last-layers', '1']), 2);
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'x'), '--bogus', '1']), 2);
  assert.equal(existsSync(join(root, 'x')), false);
});

test('finetune CLI: trains, writes the checkpoint and a JSON summary, exit 0', async () => {
  const out = join(root, 'out');
  const json = join(root, 'summary.json');
  const code = await main(['finetune', model, data, '--out', out, '--epochs', '1', '--pk', '3,4', '--weights', '1,0.5,1', '--backend', 'wasm', '--json', json]);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(summary.outDir, out);
  assert.equal(summary.history.length, 2);
  assert.deepEqual(JSON.parse(readFileSync(join(out, FINE_TUNE_FILE), 'utf8')).settings.weights, [1, 0.5, 1]);
  assert.ok(existsSync(join(out, 'model.json')));
  // An earlier fine-tune output may be replaced (atomically, by the new run's best epoch).
  assert.equal(await main(['finetune', model, data, '--out', out, '--epochs', '1', '--pk', '3,4', '--backend', 'wasm', '--seed', '5', '--json', json]), 0);
  assert.equal(JSON.parse(readFileSync(join(out, FINE_TUNE_FILE), 'utf8')).settings.seed, 5);
});
