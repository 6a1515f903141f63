import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { main } from '../../../src/cli';
import { FINE_TUNE_FILE, saveLayersModel } from '../../../src/core/train/checkpointWriter';
import { CONFIG_FILE } from '../../../src/core/checkpoint/config';
import { writeToyDataset } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'el-cli-ft-'));
const model = join(root, 'model');
const data = join(root, 'data');

before(async () => {
  await tf.setBackend('cpu');
  const m = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [8, 8, 1] }),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  mkdirSync(model);
  await saveLayersModel(tf, m, model);
  writeFileSync(join(model, CONFIG_FILE), JSON.stringify({ inputSize: 8, channels: 1, resize: 'stretch' }));
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
  const code = await main([
    'finetune',
    model,
    data,
    '--out',
    out,
    '--epochs',
    '1',
    '--pk',
    '3,4',
    '--weights',
    '1,0.5,1',
    '--val-fraction',
    '0.5',
    '--backend',
    'wasm',
    '--json',
    json,
  ]);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(summary.outDir, out);
  assert.equal(summary.history.length, 2);
  const record = JSON.parse(readFileSync(join(out, FINE_TUNE_FILE), 'utf8'));
  assert.deepEqual(record.settings.weights, [1, 0.5, 1]);
  // --val-fraction 0.5 of 6 classes: 3 held out, 3 trained on, named in the record.
  assert.equal(record.settings.valFraction, 0.5);
  assert.deepEqual([record.validation.trainedClasses.length, record.validation.heldOutClasses.length], [3, 3]);
  assert.deepEqual(summary.validation, { mode: 'class-disjoint', classes: 3, items: 24, totalClasses: 6, totalItems: 48 });
  assert.ok(existsSync(join(out, 'model.json')));
  // A rerun into an earlier output is written beside it and replaces it only when it finished with
  // a better best map@r on the same validation rows (another seed may hold out other classes).
  const first = JSON.parse(readFileSync(join(out, FINE_TUNE_FILE), 'utf8'));
  const firstBest = first.history.find((h: { epoch: number }) => h.epoch === first.bestEpoch).val.mapAtR;
  assert.equal(
    await main(['finetune', model, data, '--out', out, '--epochs', '1', '--pk', '3,4', '--backend', 'wasm', '--seed', '5', '--json', json]),
    0,
  );
  const again = JSON.parse(readFileSync(json, 'utf8'));
  const second = JSON.parse(readFileSync(join(again.outDir, FINE_TUNE_FILE), 'utf8'));
  assert.equal(second.settings.seed, 5);
  const comparable = JSON.stringify(second.validation) === JSON.stringify(first.validation);
  const replaced = comparable && again.best.mapAtR > firstBest;
  assert.deepEqual(again.earlier, { outDir: out, runDir: `${out}-run-2`, mapAtR: firstBest, comparable, replaced });
  assert.equal(again.outDir, replaced ? out : `${out}-run-2`);
  assert.equal(JSON.parse(readFileSync(join(out, FINE_TUNE_FILE), 'utf8')).settings.seed, replaced ? 5 : 42);
});

test('finetune CLI: --lr 0 is a usage error (exit 2); an unwritable --json fails before any work', async () => {
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'y'), '--lr', '0']), 2);
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'y'), '--val-fraction', '0']), 2);
  assert.equal(
    await main(['finetune', model, data, '--out', join(root, 'y'), '--val-fraction', '1.5']),
    1,
    'a share of the classes, below 1',
  );
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'y'), '--json', join(root, 'no', 'such', 's.json')]), 1);
  assert.equal(await main(['finetune', model, data, '--out', join(root, 'y'), '--json', join(model, 'model.json')]), 1);
  assert.equal(existsSync(join(root, 'y')), false);
});
