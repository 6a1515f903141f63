import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knnGraph } from '../../../src/core/retrieval/knn';
import { RECALL_SAMPLE } from '../../../src/core/retrieval/sampledRecall';
import { isCancelled, LensError } from '../../../src/core/errors';
import { blobs, bruteNeighbours } from './helpers';

function checkAgainstBrute(
  g: { indices: Int32Array; distances: Float32Array },
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  normalize: boolean,
  rows: number[],
) {
  for (const q of rows) {
    const want = bruteNeighbours(data, n, dim, q, normalize).slice(0, k);
    assert.deepEqual(
      Array.from(g.indices.subarray(q * k, (q + 1) * k)),
      want.map((w) => w.j),
      `row ${q}`,
    );
    want.forEach((w, t) => assert.ok(Math.abs(g.distances[q * k + t] - w.d) < 1e-4, `row ${q} distance ${t}`));
  }
}

test('knnGraph: exact neighbours equal a float64 brute force (normalised and raw)', async () => {
  const n = 300,
    dim = 8,
    k = 7;
  const { data } = blobs(n, dim, 5, 1);
  for (const normalize of [true, false]) {
    const g = await knnGraph(data, n, dim, k, { normalize, approximate: 'exact' });
    assert.equal(g.n, n);
    assert.equal(g.k, k);
    assert.equal(g.approximate, undefined);
    checkAgainstBrute(
      g,
      data,
      n,
      dim,
      k,
      normalize,
      Array.from({ length: n }, (_, i) => i),
    );
  }
});

test('knnGraph: duplicates are neighbours, the row itself never is; ties go to the lower index', async () => {
  const dim = 2;
  // rows 0, 1, 3 are the same point; row 2 is far away.
  const data = new Float32Array([1, 0, 1, 0, -1, 0, 1, 0]);
  const g = await knnGraph(data, 4, dim, 2, { normalize: false });
  assert.deepEqual(Array.from(g.indices), [1, 3, 0, 3, 0, 1, 0, 1]);
  assert.deepEqual(Array.from(g.distances).slice(0, 2), [0, 0]);
});

test('knnGraph: the worker-thread path gives the same graph as brute force', async () => {
  const n = 2100,
    dim = 6,
    k = 5;
  const { data } = blobs(n, dim, 12, 2);
  const seen: number[] = [];
  const g = await knnGraph(data, n, dim, k, { onProgress: (p) => seen.push(p.done) });
  checkAgainstBrute(g, data, n, dim, k, true, [0, 1, 777, 1049, 1050, 2099]);
  assert.equal(seen[seen.length - 1], n);
});

test('knnGraph: usearch path reports its measured recall and excludes self', async () => {
  const n = 1500,
    dim = 8,
    k = 10;
  const { data } = blobs(n, dim, 10, 3);
  const g = await knnGraph(data, n, dim, k, { approximate: 'usearch' });
  assert.equal(g.approximate?.method, 'usearch');
  assert.equal(g.approximate?.sampled, RECALL_SAMPLE);
  assert.ok(g.approximate!.recall > 0.9 && g.approximate!.recall <= 1, `recall ${g.approximate!.recall}`);
  for (let q = 0; q < n; q++) for (let t = 0; t < k; t++) assert.notEqual(g.indices[q * k + t], q);
});

test('knnGraph: bad input is a LensError', async () => {
  const data = new Float32Array([1, 2, NaN, 4, 5, 6]);
  await assert.rejects(knnGraph(data, 3, 2, 1), (e: unknown) => e instanceof LensError && /row 1 has a non-finite value/.test(e.message));
  await assert.rejects(knnGraph(new Float32Array([1, 2, 0, 0]), 2, 2, 1), /row 1 is an all-zero vector/);
  await assert.rejects(knnGraph(new Float32Array([1, 2, 3, 4]), 2, 2, 2), /only 1 other items/);
  await assert.rejects(knnGraph(new Float32Array([1, 2, 3]), 2, 2, 1), /expected 2×2 = 4 values, got 3/);
});

test('knnGraph: an aborted signal cancels', async () => {
  const ac = new AbortController();
  ac.abort();
  const { data } = blobs(50, 4, 3, 4);
  await assert.rejects(knnGraph(data, 50, 4, 3, { signal: ac.signal }), (e: unknown) => (e as Error).name === 'CancelledError');
});

test('knnGraph: aborting at the first progress report stops the run (in-process and worker paths)', async () => {
  for (const n of [300, 2100]) {
    const { data } = blobs(n, 4, 5, 6);
    const ac = new AbortController();
    await assert.rejects(
      knnGraph(data, n, 4, 3, { signal: ac.signal, onProgress: () => ac.abort() }),
      (e: unknown) => (e as Error).name === 'CancelledError',
      `n = ${n}`,
    );
  }
});

test('knnGraph: a cancel during the usearch build rejects with CancelledError, promptly', async () => {
  const n = 60_000,
    dim = 16;
  const { data } = blobs(n, dim, 20, 5);
  const ac = new AbortController();
  let abortedAt = 0;
  const run = knnGraph(data, n, dim, 10, {
    approximate: 'usearch',
    signal: ac.signal,
    onProgress: (p) => {
      if (!abortedAt && /usearch build/.test(p.stage) && p.done > 0) {
        abortedAt = performance.now();
        ac.abort();
      }
    },
  });
  await assert.rejects(run, (e) => isCancelled(e));
  assert.ok(abortedAt > 0, 'the build reported progress');
  assert.ok(performance.now() - abortedAt < 2000, `settled ${Math.round(performance.now() - abortedAt)} ms after the cancel`);
});
