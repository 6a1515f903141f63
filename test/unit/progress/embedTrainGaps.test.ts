/**
 * Issue #15, "no stage is ever silent", for the two stages that run models: embedding a folder of
 * images in the worker(s), and a fine-tune in its worker. Real models, real PNG files; sized to run
 * a few seconds on 2 busy cores. As in gaps.test.ts the bound checked is the gap between events
 * (and the time a cancel takes to settle), never the total.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { computeEmbeddings } from '../../../src/core/embed';
import { isCancelled } from '../../../src/core/errors';
import { fineTune } from '../../../src/core/train/fineTune';
import { saveLayersModel } from '../../../src/core/train/checkpointWriter';

const RULE_MS = 2000;
const root = mkdtempSync(join(tmpdir(), 'lens-gaps-'));
const dataset = join(root, 'images');
const checkpoint = join(root, 'model');

/** Gaps between consecutive event times (ms since the first call), and the worst one. */
function worstGap(times: number[]): number {
  let worst = times[0] ?? Infinity;
  for (let i = 1; i < times.length; i++) worst = Math.max(worst, times[i] - times[i - 1]);
  return worst;
}

before(async () => {
  // 12 classes × 100 grey 32×32 PNGs for a 24 px model: each is resized through sharp (a plain PNG at
  // the model's size would skip it and finish too fast to cancel mid-run); a few seconds of decode +
  // inference, ~1.5 s of training per epoch.
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let c = 0; c < 12; c++) {
    mkdirSync(join(dataset, `class_${c}`), { recursive: true });
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => {
        const px = Buffer.from(
          Array.from({ length: 32 * 32 }, (_, p) => Math.round(255 * (0.5 + 0.3 * Math.sin(c + p / 32) + 0.2 * rnd())) % 256),
        );
        return sharp(px, { raw: { width: 32, height: 32, channels: 1 } })
          .png()
          .toFile(join(dataset, `class_${c}`, `img_${i}.png`));
      }),
    );
  }
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [24, 24, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  mkdirSync(checkpoint, { recursive: true });
  await saveLayersModel(tf, model, checkpoint, 'model');
});

test('embedding: progress at least every 2 s from the start to the last row; a cancel settles within 2 s', async () => {
  const t0 = performance.now();
  const times: number[] = [];
  const run = await computeEmbeddings(checkpoint, dataset, {
    backend: 'wasm',
    batchSize: 16,
    onProgress: () => times.push(performance.now() - t0),
  });
  times.push(performance.now() - t0);
  assert.equal(run.embeddings.n, 1200);
  assert.ok(times.length >= 3, `only ${times.length} progress events`);
  assert.ok(worstGap(times) <= RULE_MS, `silent for ${Math.round(worstGap(times))} ms`);

  const ac = new AbortController();
  let abortedAt = 0;
  const cancelled = computeEmbeddings(checkpoint, dataset, {
    backend: 'wasm',
    batchSize: 16,
    signal: ac.signal,
    onProgress: (p) => {
      if (!abortedAt && p.stage === 'embed' && p.done > 0) {
        abortedAt = performance.now();
        ac.abort();
      }
    },
  });
  await assert.rejects(cancelled, (e) => isCancelled(e));
  assert.ok(abortedAt > 0, 'the embed stage never reported');
  assert.ok(performance.now() - abortedAt <= RULE_MS, `cancel took ${Math.round(performance.now() - abortedAt)} ms`);
});

test('fine-tune: progress, steps or epochs at least every 2 s from the start to the result; a cancel settles within 2 s', async () => {
  const t0 = performance.now();
  const times: number[] = [];
  const mark = () => times.push(performance.now() - t0);
  const r = await fineTune({
    checkpoint,
    dataset,
    outDir: join(root, 'tuned'),
    epochs: 2,
    pk: [4, 4],
    backend: 'wasm',
    onProgress: mark,
    onStep: mark,
    onEpoch: mark,
  });
  mark();
  assert.equal(r.cancelled, false);
  assert.ok(worstGap(times) <= RULE_MS, `silent for ${Math.round(worstGap(times))} ms`);

  const ac = new AbortController();
  let abortedAt = 0;
  const stopped = await fineTune({
    checkpoint,
    dataset,
    outDir: join(root, 'tuned-cancelled'),
    epochs: 50,
    pk: [4, 4],
    backend: 'wasm',
    signal: ac.signal,
    onStep: (s) => {
      if (!abortedAt && s.epoch === 1 && s.step === 2) {
        abortedAt = performance.now();
        ac.abort();
      }
    },
  });
  assert.ok(abortedAt > 0, 'training never reached epoch 1');
  assert.equal(stopped.cancelled, true);
  assert.ok(performance.now() - abortedAt <= RULE_MS, `cancel took ${Math.round(performance.now() - abortedAt)} ms`);
});
