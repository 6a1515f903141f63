import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classDisjointSplit, datasetSplit, stratifiedCap } from '../../../src/core/train/split';
import { LensError } from '../../../src/core/errors';

const labels = Int32Array.from({ length: 100 }, (_, i) => i % 10);

test('class-disjoint split: seeded, a fraction of whole classes held out, no class on both sides', () => {
  const a = classDisjointSplit(labels, 0.2, 42);
  assert.equal(a.valClasses, 2);
  assert.equal(a.train.length + a.val.length, 100);
  const trainClasses = new Set(Array.from(a.train, (i) => labels[i]));
  const valClasses = new Set(Array.from(a.val, (i) => labels[i]));
  assert.equal(valClasses.size, 2);
  for (const c of valClasses) assert.ok(!trainClasses.has(c));
  assert.deepEqual(classDisjointSplit(labels, 0.2, 42), a);
  assert.throws(
    () => classDisjointSplit(Int32Array.from([0, 1, 2, 0, 1, 2]), 0.2, 1, 'd'),
    (e: unknown) => e instanceof LensError && /at least 4/.test(e.message),
  );
});

test('dataset split: train rows train, val/test/query/gallery rows validate; unknown names are an error', () => {
  const split = Array.from({ length: 100 }, (_, i) => (i < 70 ? 'train' : i < 85 ? 'query' : 'gallery'));
  const s = datasetSplit(labels, split);
  assert.equal(s.train.length, 70);
  assert.equal(s.val.length, 30);
  assert.throws(() => datasetSplit(labels, undefined, 'd'), /no train\/test split/);
  assert.throws(
    () =>
      datasetSplit(
        labels,
        split.map((x, i) => (i === 3 ? 'holdout' : x)),
        'd',
      ),
    /"holdout"/,
  );
});

test('stratified cap keeps every class in proportion (at least 2 each) and the rows sorted', () => {
  const rows = Int32Array.from(labels.keys());
  const c = stratifiedCap(rows, labels, 30, 1);
  assert.equal(c.length, 30);
  const per = new Map<number, number>();
  for (const r of c) per.set(labels[r], (per.get(labels[r]) ?? 0) + 1);
  assert.deepEqual([...per.values()], Array(10).fill(3));
  assert.deepEqual(
    Array.from(c),
    Array.from(c).sort((a, b) => a - b),
  );
  assert.equal(stratifiedCap(rows, labels, 1000, 1), rows);
});
