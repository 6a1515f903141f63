import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eetTerms } from '../../../src/core/eet/batch';
import { PKSampler } from '../../../src/core/eet/sampler';
import { eetBreakdown } from '../../../src/core/eet/breakdown';
import { LensError } from '../../../src/core/errors';
import { loadEetFixtures, close, flatten } from '../helpers/fixtures';
import { blobs } from '../retrieval/helpers';

test('float64 eetTerms matches every fixture to 1e-5, and its attributions average back to the terms', () => {
  for (const f of loadEetFixtures()) {
    const w = f.options.weights as unknown as Record<string, number> | number[];
    const weights: [number, number, number] = Array.isArray(w) ? [w[0], w[1], w[2]] : [w.mc, w.ec, w.edc];
    const t = eetTerms(flatten(f.embeddings), f.embeddings.length, f.embeddings[0].length, f.labels, {
      normalize: f.options.normalize,
      margin: f.options.margin,
      weights,
    });
    for (const k of ['mc', 'ec', 'm', 'e', 'edc', 'total'] as const)
      assert.ok(close(t[k], f.expected[k], 1e-5), `${f.name}.${k} = ${t[k]}, expected ${f.expected[k]}`);
    assert.equal(t.anchors, f.expected.anchors);
    assert.equal(t.classes, f.expected.classes);
    const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(mean(t.mcTerm) - t.mc) < 1e-12);
    assert.ok(Math.abs(mean(t.mPairs) - t.m) < 1e-12);
    assert.ok(Math.abs(mean(t.eTerm) - t.e) < 1e-12);
  }
});

test('P×K sampler: deterministic per seed, P distinct classes, K distinct items each, short classes give what they have', () => {
  const labels = Int32Array.from([...Array(40)].map((_, i) => i % 8).concat([9, 9]));
  const a = new PKSampler(labels, 4, 3, 42);
  const b = new PKSampler(labels, 4, 3, 42);
  const c = new PKSampler(labels, 4, 3, 43);
  const batchesA = [a.next(), a.next(), a.next()];
  assert.deepEqual(batchesA, [b.next(), b.next(), b.next()]);
  assert.notDeepEqual(batchesA, [c.next(), c.next(), c.next()]);
  for (const batch of batchesA) {
    assert.equal(new Set(batch).size, batch.length);
    const perClass = new Map<number, number>();
    for (const r of batch) perClass.set(labels[r], (perClass.get(labels[r]) ?? 0) + 1);
    assert.equal(perClass.size, 4);
    for (const [label, count] of perClass) assert.equal(count, label === 9 ? 2 : 3);
  }
  assert.throws(() => new PKSampler(new Int32Array(5), 2, 2, 1), /at least two classes/);
  assert.throws(() => new PKSampler(labels, 0, 2, 1), /P ≥ 2 classes and K ≥ 2/);
  assert.throws(() => new PKSampler(labels, 1, 1, 1), /P ≥ 2 classes and K ≥ 2/);
  assert.throws(() => new PKSampler(Int32Array.from([0, 1, 2]), 2, 2, 1), /a class with at least 2 items/);
});

test('EET breakdown: shape, determinism, and consistency of its parts', async () => {
  const n = 200,
    dim = 6;
  const { data, labels } = blobs(n, dim, 10, 17, 0.8);
  const opts = { batches: 6, p: 4, k: 3, seed: 7 };
  const r = await eetBreakdown(data, n, dim, labels, opts);
  const again = await eetBreakdown(data, n, dim, labels, opts);
  assert.deepEqual(r.perBatch, again.perBatch);
  assert.equal(r.perBatch.length, 6);
  for (const key of ['mc', 'ec', 'm', 'e', 'edc', 'total'] as const) {
    const xs = r.perBatch.map((b) => b[key]);
    assert.ok(Math.abs(r.terms[key].mean - xs.reduce((a, b) => a + b, 0) / xs.length) < 1e-12, key);
    assert.ok(r.terms[key].std >= 0 && r.terms[key].min <= r.terms[key].mean && r.terms[key].mean <= r.terms[key].max);
  }
  assert.equal(
    r.triplets,
    r.perBatch.reduce((a, b) => a + b.anchors, 0),
  );
  assert.equal(
    r.histograms.positive.counts.reduce((a, b) => a + b, 0),
    r.triplets,
  );
  assert.equal(
    r.histograms.negative.counts.reduce((a, b) => a + b, 0),
    r.triplets,
  );
  assert.equal(r.histograms.positive.edges.length, 31);
  assert.ok(r.marginViolationRate >= 0 && r.marginViolationRate <= 1);
  assert.equal(
    r.perClass.reduce((a, c) => a + c.batches, 0),
    6 * 4,
  );
  assert.equal(
    r.perClass.reduce((a, c) => a + c.anchors, 0),
    r.triplets,
  );
  assert.equal(r.geometry.classes.length, 10);
  assert.equal(r.geometry.normalize, true);
});

test('EET breakdown rejects bad input with LensErrors', async () => {
  const { data, labels } = blobs(20, 3, 2, 1);
  await assert.rejects(
    eetBreakdown(data, 20, 3, labels.subarray(0, 10), { batches: 2, p: 2, k: 2, seed: 1, file: 'e.npy' }),
    (e: unknown) => e instanceof LensError && /e\.npy: 10 labels for 20/.test(e.message),
  );
  const bad = data.slice();
  bad[4] = NaN;
  await assert.rejects(eetBreakdown(bad, 20, 3, labels, { batches: 2, p: 2, k: 2, seed: 1 }), /row 1 has a non-finite value/);
});
