import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeEmbeddings } from '../../../src/core/embed';
import { CancelledError, LensError } from '../../../src/core/errors';
import type { Progress } from '../../../src/core/types';
import { expectedGrey, makeImageFolder, modelsDir, referenceForward, tmp, writeIdxPair } from './helpers/make';
import { initTfjs } from '../../../src/core/runtime/tfjs';
import { saveLayersModel } from './helpers/tfjs';

const tiny = join(modelsDir, 'tiny-cnn.onnx');

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('ONNX over an ImageFolder in the worker: rows match a plain-JS forward pass; corrupt images skipped and listed', async () => {
  const root = tmp();
  await makeImageFolder(root, { a: 5, b: 4, c: 3 });
  writeFileSync(join(root, 'b', 'broken.png'), 'not a png');
  writeFileSync(join(root, 'c', 'empty.jpg'), '');
  const progress: Progress[] = [];
  const r = await computeEmbeddings(tiny, root, { batchSize: 4, onProgress: (p) => progress.push(p) });
  assert.equal(r.fromCache, false);
  assert.equal(r.backend, 'onnxruntime-cpu');
  assert.equal(r.embeddings.n, 12);
  assert.equal(r.embeddings.dim, 6);
  assert.equal(r.skipped.count, 2);
  assert.deepEqual(r.skipped.first.map((s) => s.path).sort(), [join(root, 'b', 'broken.png'), join(root, 'c', 'empty.jpg')]);
  assert.ok(r.skipped.first.every((s) => s.reason.length > 0));
  assert.deepEqual(r.embeddings.classNames, ['a', 'b', 'c']);
  assert.deepEqual(Array.from(r.embeddings.labels), [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  // makeImageFolder numbers its seeds 1..12 in class order; the paths tell which image each row is.
  const seeds = new Map<string, number>();
  let s = 1;
  for (const [cls, n] of [
    ['a', 5],
    ['b', 4],
    ['c', 3],
  ] as const)
    for (let i = 0; i < n; i++) seeds.set(join(root, cls, `${i % 3 === 2 ? 'deeper/' : ''}img${i}.png`), s++);
  r.embeddings.paths.forEach((p, row) => {
    const want = referenceForward('tiny-cnn', expectedGrey(8, 8, seeds.get(p)!)).embedding;
    close(r.embeddings.vectors.subarray(row * 6, row * 6 + 6), want);
  });
  const embed = progress.filter((p) => p.stage === 'embed');
  assert.equal(embed[embed.length - 1].done, 14);
  assert.equal(embed[embed.length - 1].total, 14);
  assert.ok(embed.some((p) => p.rate !== undefined && p.rate > 0 && p.etaSeconds !== undefined));
  assert.ok(r.assumptions.some((a) => a.includes('mean/std')));
});

test('cache: a second run loads from disk with identical vectors; keyed by content, not mtime', async () => {
  const root = tmp();
  const cacheDir = tmp('lens-cache-');
  await makeImageFolder(root, { a: 3, b: 3 });
  const first = await computeEmbeddings(tiny, root, { cacheDir });
  const again = await computeEmbeddings(tiny, root, { cacheDir });
  assert.equal(first.fromCache, false);
  assert.equal(again.fromCache, true);
  assert.deepEqual(Array.from(again.embeddings.vectors), Array.from(first.embeddings.vectors));
  assert.deepEqual(again.embeddings.paths, first.embeddings.paths);
  assert.deepEqual(Array.from(again.embeddings.labels), Array.from(first.embeddings.labels));
  assert.equal(again.backend, first.backend);
  assert.deepEqual(again.model, first.model);
  // Touching a file keeps its content: still the same entry.
  utimesSync(join(root, 'a', 'img0.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal((await computeEmbeddings(tiny, root, { cacheDir })).fromCache, true);
  // Another image's bytes under the same name (mtime put back) is another dataset.
  writeFileSync(join(root, 'a', 'img0.png'), readFileSync(join(root, 'b', 'img0.png')));
  utimesSync(join(root, 'a', 'img0.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal((await computeEmbeddings(tiny, root, { cacheDir })).fromCache, false);
  const other = await computeEmbeddings(tiny, root, { cacheDir, config: { resize: 'stretch' } });
  assert.equal(other.fromCache, false, 'other preprocessing, other entry');
  assert.equal(readdirSync(join(cacheDir, 'embeddings')).length, 3);
});

test('cancelling mid-run rejects with CancelledError and leaves no cache entry behind', async () => {
  const root = tmp();
  const cacheDir = tmp('lens-cache-');
  await makeImageFolder(root, { a: 20, b: 20 });
  const ac = new AbortController();
  await assert.rejects(
    computeEmbeddings(tiny, root, { cacheDir, batchSize: 2, signal: ac.signal, onProgress: (p) => p.stage === 'embed' && ac.abort() }),
    (e: Error) => e instanceof CancelledError,
  );
  const entries = existsSync(join(cacheDir, 'embeddings')) ? readdirSync(join(cacheDir, 'embeddings')) : [];
  assert.deepEqual(entries, []);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(computeEmbeddings(tiny, root, { cacheDir, signal: pre.signal }), CancelledError);
});

test('a run where no image decodes fails clearly and caches nothing', async () => {
  const root = tmp();
  const cacheDir = tmp('lens-cache-');
  for (const c of ['x', 'y']) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(root, c));
    writeFileSync(join(root, c, 'bad.png'), 'garbage');
  }
  await assert.rejects(
    computeEmbeddings(tiny, root, { cacheDir }),
    (e: Error) => e instanceof LensError && /no image could be decoded \(2 skipped/.test(e.message),
  );
  assert.ok(!existsSync(join(cacheDir, 'embeddings')) || readdirSync(join(cacheDir, 'embeddings')).length === 0);
});

test('tfjs LayersModel over IDX files (wasm backend in the worker), subsampled and split-filtered', async () => {
  const { tf } = await initTfjs('auto');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 3,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.randomNormal({ seed: 5 }),
      }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.randomNormal({ seed: 6 }) }),
    ],
  });
  const path = await saveLayersModel(tf, model, tmp());
  const dir = tmp();
  const labels = Array.from({ length: 30 }, (_, i) => i % 3);
  const { pixels } = writeIdxPair(dir, 't10k', labels, 8, 8, true);
  writeIdxPair(dir, 'train', [0, 1], 8, 8, true);
  const r = await computeEmbeddings(path, dir, { dataset: { split: 'test', maxPerClass: 4, seed: 2 } });
  assert.equal(r.backend, 'wasm');
  assert.equal(r.embeddings.n, 12);
  assert.equal(r.embeddings.dim, 4);
  assert.ok(r.embeddings.split!.every((s) => s === 'test'));
  const rows = r.embeddings.paths.map((p) => Number(p.slice(p.lastIndexOf('#') + 1)));
  const x = tf.tensor(Float32Array.from(rows.flatMap((i) => Array.from(pixels.subarray(i * 64, (i + 1) * 64), (v) => v / 255))), [
    rows.length,
    8,
    8,
    1,
  ]);
  close(r.embeddings.vectors, (model.predict(x) as import('@tensorflow/tfjs').Tensor).dataSync(), 1e-4);
  assert.deepEqual(
    Array.from(r.embeddings.labels),
    rows.map((i) => labels[i]),
  );
});

test('an unwritable cache folder does not fail the run; it is reported', async () => {
  const root = tmp();
  await makeImageFolder(root, { a: 2, b: 2 });
  const blocker = join(tmp(), 'not-a-folder');
  writeFileSync(blocker, 'a file where the cache folder should be');
  const r = await computeEmbeddings(tiny, root, { cacheDir: blocker });
  assert.equal(r.embeddings.n, 4);
  assert.ok(r.details.some((a) => a.startsWith('cache off for this run') && a.includes('it is not a folder')));
});

test('a model checkpoint with a labels file instead of images is refused', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'labels.txt'), '1\n2\n');
  await assert.rejects(computeEmbeddings(tiny, join(dir, 'labels.txt')), /labels file without images/);
  await assert.rejects(computeEmbeddings(tiny, undefined), /needs a dataset of images/);
});
