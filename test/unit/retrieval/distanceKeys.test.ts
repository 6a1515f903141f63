import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsEngine, createKeyEngine } from '../../../src/core/retrieval/distanceKeys';
import { squaredNorms } from '../../../src/core/retrieval/prepare';
import { blobs } from './helpers';

test('distance keys: onnxruntime Gemm and the JS fallback both give ‖g‖² − 2·q·g', async () => {
  const n = 70,
    dim = 9,
    m = 13;
  const { data } = blobs(n, dim, 3, 31);
  const sq = squaredNorms(data, n, dim);
  const ort = await createKeyEngine(data, n, dim, sq, 1);
  assert.equal(ort.kind, 'onnxruntime');
  const js = createJsEngine(data, n, dim, sq);
  const a = await ort.keys(data, m);
  const b = await js.keys(data, m);
  assert.equal(a.length, m * n);
  for (let q = 0; q < m; q++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let t = 0; t < dim; t++) dot += data[q * dim + t] * data[j * dim + t];
      const want = sq[j] - 2 * dot;
      assert.ok(Math.abs(a[q * n + j] - want) < 1e-4 * (1 + Math.abs(want)), `ort ${q},${j}`);
      assert.ok(Math.abs(b[q * n + j] - want) < 1e-4 * (1 + Math.abs(want)), `js ${q},${j}`);
    }
  }
  await ort.dispose();
  await js.dispose();
});
