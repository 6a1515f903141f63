// Issue #15 "Memory": an inspection prepares its rows once, in shared memory, and every stage and
// worker reads that one array — no normalised copy per stage, no copy per worker message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { holdPreparedRows, prepareEmbeddings } from '../../../src/core/retrieval/prepare';
import { runInspection } from '../../../src/core/inspect/pipeline';
import { DEFAULT_SETTINGS } from '../../../src/core/inspect/settings';
import { writeNpy } from '../../../src/core/io/npy';
import { LensError } from '../../../src/core/errors';
import { blobs } from './helpers';

test('held rows: one shared normalised array returned to every stage until released', () => {
  const n = 50,
    dim = 6;
  const { data } = blobs(n, dim, 5, 1);
  const fresh = prepareEmbeddings(data, n, dim, true);
  assert.ok(fresh.buffer instanceof SharedArrayBuffer, 'normalised rows are born shared: workers take them as they are');
  const held = holdPreparedRows(data, n, dim, true);
  assert.ok(held.rows.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(held.rows), Array.from(fresh), 'the same numbers as an unheld preparation');
  assert.equal(prepareEmbeddings(data, n, dim, true), held.rows);
  assert.equal(prepareEmbeddings(data, n, dim, false), data, 'raw rows are not the held normalised ones');
  held.release();
  const after = prepareEmbeddings(data, n, dim, true);
  assert.notEqual(after, held.rows);
  assert.deepEqual(Array.from(after), Array.from(fresh));
});

test('held raw rows are one shared copy of the input; a bad row is refused before anything is held', () => {
  const n = 20,
    dim = 3;
  const { data } = blobs(n, dim, 2, 4);
  const held = holdPreparedRows(data, n, dim, false);
  assert.ok(held.rows.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(Array.from(held.rows), Array.from(data));
  assert.equal(prepareEmbeddings(data, n, dim, false), held.rows);
  held.release();
  assert.equal(prepareEmbeddings(data, n, dim, false), data);
  const bad = data.slice();
  bad[7] = NaN;
  assert.throws(
    () => holdPreparedRows(bad, n, dim, true),
    (e: unknown) => e instanceof LensError && /row 2 has a non-finite value/.test(e.message),
  );
  assert.throws(() => prepareEmbeddings(bad, n, dim, true), LensError);
});

test('an inspection hands its kNN, metrics, k-means and geometry workers one and the same shared array', async () => {
  // Big enough that every stage goes to worker threads: 6,000² pairs for the scans, n·k·dim > 2·10⁷ for k-means.
  const n = 6000,
    dim = 32,
    classes = 120;
  const { data, labels } = blobs(n, dim, classes, 11, 1);
  const dir = mkdtempSync(join(tmpdir(), 'lens-shared-rows-'));
  const original = Worker.prototype.postMessage;
  const posted: { buffer: ArrayBufferLike; length: number }[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (v instanceof Float32Array) posted.push({ buffer: v.buffer, length: v.length });
    else if (v && typeof v === 'object' && depth < 3 && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) collect(x, depth + 1);
  };
  // A spy, not a mock: every message still goes to the real worker.
  Worker.prototype.postMessage = function (this: Worker, value: unknown, transfer?: readonly never[]) {
    collect(value, 0);
    return original.call(this, value, transfer);
  };
  try {
    const checkpoint = join(dir, 'E.npy');
    const labelFile = join(dir, 'labels.npy');
    await writeNpy(checkpoint, data, [n, dim]);
    await writeNpy(labelFile, labels, [n]);
    const settings = { ...DEFAULT_SETTINGS, umap: { ...DEFAULT_SETTINGS.umap, epochs: 5 } };
    const run = await runInspection({ checkpoint, dataset: labelFile, settings }, {});
    assert.equal(run.cancelled, false);
    assert.ok(run.data.metrics && run.data.classes && run.data.eet, 'every stage ran');
    const rows = posted.filter((p) => p.length === n * dim);
    assert.ok(rows.length >= 4, `the stages' workers received the rows (${rows.length} messages)`);
    const buffers = new Set(rows.map((p) => p.buffer));
    assert.equal(buffers.size, 1, `one array for every stage and worker, not ${buffers.size}`);
    assert.ok([...buffers][0] instanceof SharedArrayBuffer);
    // Released with the stage: a later preparation is a fresh array, so the run holds no extra copy.
    assert.notEqual(prepareEmbeddings(run.embeddings!.vectors, n, dim, true).buffer, [...buffers][0]);
  } finally {
    Worker.prototype.postMessage = original;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan workers are capped by the gallery copies their onnxruntime sessions hold', async () => {
  const { workersForGallery } = await import('../../../src/core/retrieval/parallel');
  const mb = (rows: number, dim: number) => rows * dim * 4;
  assert.ok(workersForGallery(mb(60_502, 128)) >= 16, 'SOP: every core of a 16-core machine');
  assert.equal(workersForGallery(mb(200_000, 128)), 6);
  assert.equal(workersForGallery(mb(1_000_000, 128)), 1, '10^6 × 128: one session, all cores as its threads');
  assert.equal(workersForGallery(mb(4_000_000, 512)), 1, 'never fewer than one');
});
