// Issue #15: the metrics' ranking pass also finds each ranked item's nearest other-class item, so
// class geometry does not scan the gallery a second time for the same items (≈35 s at 10^6 × 128).
// The answer must be the one geometry's own scan gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classGeometry } from '../../../src/core/retrieval/geometry';
import { retrievalMetrics } from '../../../src/core/retrieval/metrics';
import type { Progress } from '../../../src/core/types';
import { blobs } from './helpers';

/** Class geometry computed on its own, and with the metrics' negatives handed over; the scan's progress counts. */
async function bothWays(
  n: number,
  dim: number,
  labels: Int32Array,
  data: Float32Array,
  sampled: { exactLimit: number; sampleItems: number } | null,
) {
  const seed = 5;
  const own = await classGeometry(data, n, dim, labels, { normalize: true, seed, ...(sampled ?? {}) });
  const report = await retrievalMetrics(data, n, dim, labels, {
    normalize: true,
    seed,
    nearestNegatives: true,
    ...(sampled ? { exactLimit: sampled.exactLimit, sampleQueries: sampled.sampleItems } : { exact: true }),
  });
  const events: Progress[] = [];
  const reused = await classGeometry(data, n, dim, labels, {
    normalize: true,
    seed,
    ...(sampled ?? {}),
    known: report.nearestNegatives,
    onProgress: (p) => events.push(p),
  });
  // Scan events count scanned rows; the stage's closing report (done = total = n) is not one.
  const scanned = events.filter((p) => p.stage === 'Class geometry' && p.done > 0 && !(p.done === n && p.total === n)).length;
  return { own, reused, report, scanned };
}

function assertSameGeometry(a: Awaited<ReturnType<typeof classGeometry>>, b: Awaited<ReturnType<typeof classGeometry>>): void {
  assert.deepEqual(b.sampled, a.sampled);
  a.classes.forEach((c, s) => {
    const d = b.classes[s];
    assert.equal(d.nearestClass, c.nearestClass, `class ${c.label}`);
    assert.ok(Math.abs(d.minDistance! - c.minDistance!) < 1e-5, `class ${c.label}: ${d.minDistance} vs ${c.minDistance}`);
  });
}

test('leave-one-out, every item ranked: geometry takes every nearest negative from the metrics pass and scans nothing', async () => {
  // 2,100² pairs is above the in-process limit: the ranking runs in the retrieval workers.
  const n = 2100,
    dim = 6;
  const { data, labels } = blobs(n, dim, 7, 31, 1.3);
  const { own, reused, report, scanned } = await bothWays(n, dim, labels, data, null);
  assert.equal(report.nearestNegatives?.items.length, n);
  assertSameGeometry(own, reused);
  assert.equal(scanned, 0, 'no second scan');
});

test('both sampled with the same seed and size (no singleton class): the same items, so no second scan either', async () => {
  const n = 3000,
    dim = 6;
  const { data, labels } = blobs(n, dim, 9, 17, 1.1);
  const { own, reused, report, scanned } = await bothWays(n, dim, labels, data, { exactLimit: 1000, sampleItems: 400 });
  assert.equal(report.nearestNegatives?.items.length, 400);
  assert.equal(reused.sampled?.items, 400);
  assertSameGeometry(own, reused);
  assert.equal(scanned, 0);
});

test('with singleton classes the samples differ: geometry scans only the items the metrics did not rank, same answer', async () => {
  const n = 3000,
    dim = 6;
  const { data, labels } = blobs(n, dim, 9, 23, 1.1);
  // Ten singleton classes: the metrics exclude them from their sample, geometry does not.
  for (let i = 0; i < 10; i++) labels[i * 7] = 100 + i;
  const { own, reused, scanned } = await bothWays(n, dim, labels, data, { exactLimit: 1000, sampleItems: 400 });
  assertSameGeometry(own, reused);
  assert.ok(scanned > 0, 'the items not ranked by the metrics are scanned');
});

test('query-gallery metrics report no negatives (their queries are not the items geometry samples)', async () => {
  const n = 600,
    dim = 4;
  const { data, labels } = blobs(n, dim, 5, 3, 1);
  const report = await retrievalMetrics(data, n, dim, labels, {
    protocol: 'query-gallery',
    queryMask: Array.from({ length: n }, (_, i) => i % 3 === 0),
    nearestNegatives: true,
  });
  assert.equal(report.nearestNegatives, undefined);
});
