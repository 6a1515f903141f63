import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classGeometry, percentile } from '../../../src/core/retrieval/geometry';
import { LensError } from '../../../src/core/errors';
import { blobs } from './helpers';

test('class geometry on a hand-made layout (raw distances)', async () => {
  // class 0: (0,0), (2,0); class 1: (10,0), (10,2); class 2: (0,10)
  const data = new Float32Array([0, 0, 2, 0, 10, 0, 10, 2, 0, 10]);
  const labels = Int32Array.from([0, 0, 1, 1, 2]);
  const g = await classGeometry(data, 5, 2, labels, { normalize: false });
  const [c0, c1, c2] = g.classes;
  assert.deepEqual(Array.from(c0.centroid), [1, 0]);
  assert.deepEqual(Array.from(c1.centroid), [10, 1]);
  assert.equal(c0.meanDistance, 1);
  assert.equal(c0.p90Radius, 1);
  assert.equal(c2.meanDistance, 0);
  assert.equal(c0.nearestClass, 1);
  assert.equal(c0.minDistance, 8);
  assert.equal(c1.nearestClass, 0);
  assert.equal(c1.minDistance, 8);
  assert.equal(c2.nearestClass, 0);
  assert.equal(c2.minDistance, 10);
  const cd = g.centroidDistances!;
  assert.ok(Math.abs(cd[0 * 3 + 1] - Math.sqrt(82)) < 1e-6);
  assert.equal(cd[1 * 3 + 0], cd[0 * 3 + 1]);
  assert.ok(Math.abs(cd[0 * 3 + 2] - Math.sqrt(101)) < 1e-6);
  assert.equal(cd[4], 0);
});

test('percentile interpolates like numpy', () => {
  assert.equal(percentile([1, 2, 3, 4, 5], 0.9), 4.6);
  assert.equal(percentile([7], 0.9), 7);
});

test('geometry through worker threads agrees with a brute-force minimum distance', async () => {
  const n = 2100,
    dim = 4;
  const { data, labels } = blobs(n, dim, 5, 13, 1);
  const g = await classGeometry(data, n, dim, labels, { normalize: false });
  const best = new Array(5).fill(Infinity);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (labels[i] === labels[j]) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) d += (data[i * dim + t] - data[j * dim + t]) ** 2;
      best[labels[i]] = Math.min(best[labels[i]], Math.sqrt(d));
    }
  g.classes.forEach((c, s) => assert.ok(Math.abs((c.minDistance as number) - best[s]) < 1e-4, `class ${s}`));
});

test('geometry refuses a single class', async () => {
  await assert.rejects(
    classGeometry(new Float32Array([1, 2, 3, 4]), 2, 2, Int32Array.from([1, 1])),
    (e: unknown) => e instanceof LensError && /two classes/.test(e.message),
  );
});
