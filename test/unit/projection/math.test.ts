import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findAbParams } from '../../../src/core/projection/abParams';
import { fastPow } from '../../../src/core/projection/fastPow';
import { makePowTable, tablePow } from '../../../src/core/projection/powTable';
import { pca2d, pca2dAsync, pcaAxes, symmetricEigen } from '../../../src/core/projection/pca';
import { CancelledError } from '../../../src/core/errors';
import { blobs } from './helpers';

test('a/b curve fit matches scipy curve_fit (umap-learn find_ab_params)', () => {
  // Reference values: scipy.optimize.curve_fit exactly as umap-learn calls it.
  const cases: [number, number, number, number][] = [
    [1, 0.1, 1.57694346, 0.89506088],
    [1, 0.001, 1.9290734, 0.79150453],
    [1, 0.5, 0.58303002, 1.33416699],
    [2, 0.3, 0.37949469, 0.94881522],
    [0.5, 0, 5.78248339, 0.79049511],
  ];
  for (const [spread, minDist, a, b] of cases) {
    const got = findAbParams(spread, minDist);
    assert.ok(Math.abs(got.a - a) / a < 2e-6, `a for spread ${spread}, min_dist ${minDist}: ${got.a} vs ${a}`);
    assert.ok(Math.abs(got.b - b) / b < 2e-6, `b for spread ${spread}, min_dist ${minDist}: ${got.b} vs ${b}`);
  }
  assert.throws(() => findAbParams(0, 0.1), RangeError);
  assert.throws(() => findAbParams(1, Number.NaN), RangeError);
});

test("fastPow agrees with Math.pow to 1e-10 relative over the optimiser's range", () => {
  let s = 12345;
  for (let i = 0; i < 20000; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const x = Math.exp((s / 4294967296 - 0.5) * 80);
    for (const p of [0.8950608, -0.1049392, 1.3341, 0.79]) {
      const want = Math.pow(x, p);
      assert.ok(Math.abs(fastPow(x, p) / want - 1) < 1e-10, `fastPow(${x}, ${p})`);
    }
  }
  assert.equal(fastPow(0, 0.9), 0);
  assert.equal(fastPow(Infinity, 0.9), Infinity);
  assert.ok(Number.isNaN(fastPow(-1, 0.9)));
  assert.ok(Math.abs(fastPow(5e-324, 0.9) / Math.pow(5e-324, 0.9) - 1) < 1e-12);
});

test('tablePow agrees with Math.pow to 1e-7 relative, in and outside its table range', () => {
  let s = 777;
  for (const b of [0.8950608, 0.79150453, 1.33416699]) {
    const table = makePowTable(b);
    for (let i = 0; i < 50000; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      // e^-40 .. e^40 covers the table's [2^-16, 2^15) and both fallbacks.
      const x = Math.exp((s / 4294967296 - 0.5) * 80);
      assert.ok(Math.abs(tablePow(x, table) / Math.pow(x, b) - 1) < 1e-7, `tablePow(${x}, ${b})`);
    }
    for (const x of [2 ** -16, 2 ** 15, 1, 2, 32767.99])
      assert.ok(Math.abs(tablePow(x, table) / Math.pow(x, b) - 1) < 1e-7, `tablePow(${x}, ${b}) at an edge`);
    assert.equal(tablePow(0, table), 0);
  }
});

test('symmetricEigen diagonalises a symmetric matrix', () => {
  const m = new Float64Array([4, 1, 2, 1, 3, 0.5, 2, 0.5, 5]);
  const { values, vectors } = symmetricEigen(m, 3);
  assert.ok(values[0] >= values[1] && values[1] >= values[2]);
  for (let j = 0; j < 3; j++) {
    for (let r = 0; r < 3; r++) {
      let mv = 0;
      for (let c = 0; c < 3; c++) mv += m[r * 3 + c] * vectors[c * 3 + j];
      assert.ok(Math.abs(mv - values[j] * vectors[r * 3 + j]) < 1e-10);
    }
  }
});

test('pca2d finds the two largest-variance axes (matches a full eigendecomposition)', () => {
  const dim = 12;
  const { data, n } = blobs(6, 80, dim, 7, 0.8);
  const axes = pcaAxes(data, n, dim, 2);
  // Reference: Jacobi on the full covariance.
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += data[i * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++) cov[a * dim + b] += ((data[i * dim + a] - mean[a]) * (data[i * dim + b] - mean[b])) / (n - 1);
  const ref = symmetricEigen(cov, dim);
  for (let j = 0; j < 2; j++) {
    assert.ok(Math.abs(axes.variances[j] - ref.values[j]) / ref.values[j] < 1e-9, `variance ${j}`);
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += axes.axes[j * dim + d] * ref.vectors[d * dim + j];
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-7, `axis ${j} |cos| = ${Math.abs(dot)}`);
  }
  const xy = pca2d(data, n, dim);
  assert.equal(xy.length, n * 2);
  // Projected coordinates are centred and carry the axis variances.
  let mx = 0,
    vx = 0;
  for (let i = 0; i < n; i++) mx += xy[2 * i] / n;
  for (let i = 0; i < n; i++) vx += (xy[2 * i] - mx) ** 2 / (n - 1);
  assert.ok(Math.abs(mx) < 1e-4);
  assert.ok(Math.abs(vx - ref.values[0]) / ref.values[0] < 1e-4);
});

test('pca2d is deterministic and copes with degenerate input', () => {
  const { data, n, dim } = blobs(3, 50, 5, 3);
  assert.deepEqual(pca2d(data, n, dim), pca2d(data, n, dim));
  assert.deepEqual(pca2d(new Float32Array([1, 2, 3]), 1, 3), new Float32Array([0, 0]));
  const line = pca2d(new Float32Array([1, 2, 3, 4]), 4, 1);
  assert.deepEqual(Array.from(line.filter((_, i) => i % 2 === 1)), [0, 0, 0, 0]);
  const same = pca2d(new Float32Array(40).fill(3), 10, 4);
  assert.ok(same.every((v) => v === 0));
  assert.throws(() => pca2d(new Float32Array(5), 2, 3));
});

test("pca2dAsync yields to the event loop and gives pca2d's result bit for bit; it is cancellable", async () => {
  // 6000 rows × 200 dims: the covariance runs in 3 slices of 2500 rows, then one projection slice.
  const { data, n, dim } = blobs(6, 1000, 200, 9);
  let ticks = 0;
  let done = false;
  const tick = (): void => {
    ticks++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  const viaAsync = await pca2dAsync(data, n, dim);
  done = true;
  assert.ok(ticks >= 3, `other callbacks ran ${ticks} times while PCA was computed`);
  assert.deepEqual(viaAsync, pca2d(data, n, dim));
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(pca2dAsync(data, n, dim, ac.signal), CancelledError);
});
