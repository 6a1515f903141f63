import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stratifiedIndices } from '../../../src/core/dataset';
import { loadDataset } from '../../../src/core/dataset';
import { makeImageFolder, tmp } from '../embed/helpers/make';

const count = (labels: number[], idx: number[]) =>
  idx.reduce<Record<number, number>>((m, i) => ((m[labels[i]] = (m[labels[i]] ?? 0) + 1), m), {});

test('max per class: each class capped, seeded, not the first N files, indices in dataset order', () => {
  const labels = [...Array(100).fill(0), ...Array(50).fill(1), ...Array(5).fill(2)];
  const a = stratifiedIndices(labels, { maxPerClass: 10, seed: 7 });
  assert.deepEqual(count(labels, a), { 0: 10, 1: 10, 2: 5 });
  assert.deepEqual(
    a,
    [...a].sort((x, y) => x - y),
  );
  assert.deepEqual(stratifiedIndices(labels, { maxPerClass: 10, seed: 7 }), a, 'same seed, same subsample');
  assert.notDeepEqual(stratifiedIndices(labels, { maxPerClass: 10, seed: 8 }), a, 'another seed, another subsample');
  assert.notDeepEqual(
    a.filter((i) => labels[i] === 0),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    'never simply the first files',
  );
});

test('max total: proportional to class size, every class kept while the budget allows', () => {
  const labels = [...Array(600).fill(0), ...Array(300).fill(1), ...Array(100).fill(2), 3];
  const idx = stratifiedIndices(labels, { maxTotal: 100, seed: 1 });
  assert.equal(idx.length, 100);
  const c = count(labels, idx);
  assert.equal(c[3], 1, 'a one-item class survives');
  assert.ok(Math.abs(c[0] - 60) <= 1 && Math.abs(c[1] - 30) <= 1 && Math.abs(c[2] - 10) <= 1, JSON.stringify(c));
  assert.equal(stratifiedIndices(labels, { maxTotal: 2, seed: 1 }).length, 2);
  const both = stratifiedIndices(labels, { maxPerClass: 20, maxTotal: 30, seed: 1 });
  assert.equal(both.length, 30);
  assert.ok(Object.values(count(labels, both)).every((n) => n <= 20));
  assert.equal(stratifiedIndices(labels, { maxTotal: 5000 }).length, labels.length);
});

test('loadDataset applies the subsample and notes it', async () => {
  const root = tmp();
  await makeImageFolder(root, { a: 6, b: 4 });
  const ds = await loadDataset(root, { maxPerClass: 2, seed: 3 });
  assert.equal(ds.items.length, 4);
  assert.equal(ds.totalItems, 10);
  assert.ok(ds.notes.some((n) => n.includes('4 of 10')));
});
