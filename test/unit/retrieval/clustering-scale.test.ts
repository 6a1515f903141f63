import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusteringScores, kmeans, CLUSTERING_STAGE } from '../../../src/core/retrieval/clustering';
import { CancelledError, LensError } from '../../../src/core/errors';
import type { Progress } from '../../../src/core/types';
import { sopShaped } from '../../../bench/metrics/clustering';
import { blobs } from './helpers';

// A shape that takes a few seconds here (SOP's class sizes, fewer items): 12,000 × 64 in 2,200
// classes of 2–12 — every pass runs on the retrieval scan's onnxruntime path, in workers.
const N = 12_000,
  DIM = 64,
  CLASSES = 2_200;

test('k-means at many classes reports progress at least every 2 s, on the scan fast path', async () => {
  const { data, labels } = sopShaped(N, CLASSES, DIM, 1);
  const events: { t: number; p: Progress }[] = [];
  const t0 = Date.now();
  const s = await clusteringScores(data, N, DIM, labels, { seed: 1, onProgress: (p) => events.push({ t: Date.now(), p }) });
  const end = Date.now();
  const times = [t0, ...events.map((e) => e.t), end];
  const maxGap = Math.max(...times.slice(1).map((t, i) => t - times[i]));
  assert.ok(maxGap <= 2000, `longest silence ${maxGap} ms`);
  assert.ok(events.every((e) => e.p.stage === CLUSTERING_STAGE));
  assert.ok(events.some((e) => /seeding/.test(e.p.message ?? '')) && events.some((e) => /iteration 1 of at most/.test(e.p.message ?? '')));
  const last = events[events.length - 1].p;
  assert.equal(last.done, last.total, 'the last event says the stage is complete');
  assert.equal(s.k, CLASSES);
  // Clustered Gaussians of 2–12 items: k-means recovers most classes.
  assert.ok(s.ami > 0.8 && s.nmi > 0.9, JSON.stringify(s));
});

test('a cancel in the middle of k-means ends it within 2 s', async () => {
  const { data, labels } = sopShaped(N, CLASSES, DIM, 2);
  const ac = new AbortController();
  let abortedAt = 0;
  let started = false;
  const run = clusteringScores(data, N, DIM, labels, {
    seed: 2,
    signal: ac.signal,
    onProgress: (p) => {
      // Cancel once the stage is well under way: in the first Lloyd iteration.
      if (!started && /iteration 1/.test(p.message ?? '')) {
        started = true;
        abortedAt = Date.now();
        ac.abort();
      }
    },
  });
  await assert.rejects(run, (e: unknown) => e instanceof CancelledError);
  assert.ok(started, 'the run reached the iterations before it was cancelled');
  const took = Date.now() - abortedAt;
  assert.ok(took <= 2000, `cancel took ${took} ms`);
});

test('the same seed gives the same clustering on the scan path; k-means recovers many separated blobs', async () => {
  const n = 3000,
    dim = 32,
    k = 300;
  const { data, labels } = blobs(n, dim, k, 5, 0.05);
  const a = await kmeans(data, n, dim, k, { seed: 4 });
  const b = await kmeans(data, n, dim, k, { seed: 4 });
  assert.deepEqual(a.assignment, b.assignment);
  assert.equal(a.inertia, b.inertia);
  const s = await clusteringScores(data, n, dim, labels, { seed: 4, normalize: false });
  assert.ok(s.ami > 0.9, JSON.stringify(s));
});

test('bad input: more classes than n/2 gives a note and AMI near chance, in bounded time', async () => {
  // 400 items, 300 classes (200 of them a single item), random points: no structure to find.
  const n = 400,
    dim = 8;
  const { data } = blobs(n, dim, 1, 7, 1);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 300 ? i : i % 100));
  const s = await clusteringScores(data, n, dim, labels, { seed: 1 });
  assert.ok(
    s.notes.some((x) => /300 classes for 400 items \(200 with a single item\).*read AMI/.test(x)),
    s.notes.join('\n'),
  );
  assert.ok(Math.abs(s.ami) < 0.1, String(s.ami));
});

test('bad input: all but one item alone in its class finishes promptly with the note', async () => {
  const n = 2000,
    dim = 8;
  const { data } = blobs(n, dim, 1, 9, 1);
  const labels = Int32Array.from({ length: n }, (_, i) => (i === n - 1 ? 0 : i));
  const t0 = Date.now();
  const s = await clusteringScores(data, n, dim, labels, { seed: 1 });
  assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
  assert.ok(
    s.notes.some((x) => /1,999 classes for 2,000 items \(1,998 with a single item\)/.test(x)),
    s.notes.join('\n'),
  );
  assert.ok(Number.isFinite(s.nmi) && Number.isFinite(s.ami));
});

test('bad input: every item its own class skips k-means with a note', async () => {
  const { data } = blobs(50, 4, 1, 1);
  const s = await clusteringScores(
    data,
    50,
    4,
    Int32Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual([s.nmi, s.ami, s.iterations], [1, 1, 0]);
  assert.match(s.notes[0], /every one of the 50 items is its own class/);
});

test('bad input: one giant class is noted', async () => {
  const n = 1000,
    dim = 8;
  const { data } = blobs(n, dim, 10, 3, 0.3);
  const labels = Int32Array.from({ length: n }, (_, i) => (i < 950 ? 0 : 1 + (i % 5)));
  const s = await clusteringScores(data, n, dim, labels, { seed: 1 });
  assert.ok(
    s.notes.some((x) => /one class holds 95\.0% of the items/.test(x)),
    s.notes.join('\n'),
  );
  assert.ok(Number.isFinite(s.nmi) && Number.isFinite(s.ami));
});

test('bad input: all points identical gives NMI/AMI 0 with a note, fast (also on the scan path)', async () => {
  for (const [n, dim, k] of [
    [60, 4, 3],
    [4000, 32, 400],
  ]) {
    const data = new Float32Array(n * dim).fill(0.25);
    const labels = Int32Array.from({ length: n }, (_, i) => i % k);
    const t0 = Date.now();
    const s = await clusteringScores(data, n, dim, labels, { seed: 1 });
    assert.ok(Date.now() - t0 < 10_000);
    assert.deepEqual([s.nmi, s.ami], [0, 0]);
    assert.ok(
      s.notes.some((x) => new RegExp(`all ${n.toLocaleString('en-US')} embeddings are identical`).test(x)),
      s.notes.join('\n'),
    );
  }
});

test('bad input: a NaN row is an error naming the row', async () => {
  const { data, labels } = blobs(100, 4, 3, 1);
  data[37 * 4 + 2] = NaN;
  await assert.rejects(
    clusteringScores(data, 100, 4, labels, { file: 'E.npy' }),
    (e: unknown) => e instanceof LensError && /E\.npy: row 37 has a non-finite value/.test(e.message),
  );
});
