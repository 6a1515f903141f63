import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exactNeighbours, recallSample, sampledRecall } from '../../../src/core/retrieval/sampledRecall';
import { blobs, bruteNeighbours, rng } from './helpers';

/** The exact graph (raw L2) of every row, from the float64 brute force. */
function exactGraph(data: Float32Array, n: number, dim: number, k: number): { indices: Int32Array; distances: Float32Array } {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  for (let q = 0; q < n; q++) {
    bruteNeighbours(data, n, dim, q, false)
      .slice(0, k)
      .forEach((w, t) => {
        indices[q * k + t] = w.j;
        distances[q * k + t] = w.d;
      });
  }
  return { indices, distances };
}

test('sampledRecall: 1 for the exact graph, and exactly the share of neighbours left in a damaged one', async () => {
  const n = 400,
    dim = 9,
    k = 6;
  const { data } = blobs(n, dim, 6, 11);
  const g = exactGraph(data, n, dim, k);
  const sample = recallSample(n, 80);
  assert.equal(sample.length, 80);
  assert.equal(await sampledRecall(data, n, dim, k, g.indices, g.distances, sample), 1);

  // Replace one true neighbour of every other sampled row by a far row, pushed to the end with a
  // larger distance, as an approximate index that missed it would report.
  const r = rng(3);
  const indices = g.indices.slice();
  const distances = g.distances.slice();
  let removed = 0;
  sample.forEach((q, i) => {
    if (i % 2) return;
    const t = Math.floor(r() * k);
    const far = bruteNeighbours(data, n, dim, q, false)[n - 2];
    for (let u = t; u < k - 1; u++) {
      indices[q * k + u] = indices[q * k + u + 1];
      distances[q * k + u] = distances[q * k + u + 1];
    }
    indices[q * k + k - 1] = far.j;
    distances[q * k + k - 1] = far.d;
    removed++;
  });
  const want = 1 - removed / (sample.length * k);
  assert.ok(Math.abs((await sampledRecall(data, n, dim, k, indices, distances, sample)) - want) < 1e-12);
});

test("sampledRecall finds exactly exactNeighbours' neighbours through the Gemm pre-filter, on tied and unnormalised rows", async () => {
  // Rows on a coarse grid (many exactly tied distances) and far from unit length.
  const n = 3000,
    dim = 16,
    k = 8;
  const r = rng(5);
  const data = Float32Array.from({ length: n * dim }, () => Math.floor(r() * 6) * 40);
  const sample = recallSample(n, 50);
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (const q of sample) {
    exactNeighbours(data, n, dim, q, bestD, bestI);
    indices.set(bestI, q * k);
    distances.set(Float32Array.from(bestD, Math.sqrt), q * k);
  }
  assert.equal(await sampledRecall(data, n, dim, k, indices, distances, sample), 1);
  // One neighbour of each sampled row swapped for a row that is not one: exactly that share is lost.
  for (const q of sample) indices[q * k + k - 1] = q === 0 ? 1 : 0;
  const lost = sample.filter((q) => {
    exactNeighbours(data, n, dim, q, bestD, bestI);
    return !bestI.includes(q === 0 ? 1 : 0);
  }).length;
  assert.ok(Math.abs((await sampledRecall(data, n, dim, k, indices, distances, sample)) - (1 - lost / (sample.length * k))) < 1e-12);
});

test('recallSample: evenly spread, never more rows than exist', () => {
  assert.deepEqual(Array.from(recallSample(10, 4)), [0, 2, 5, 7]);
  assert.deepEqual(Array.from(recallSample(3, 500)), [0, 1, 2]);
});
