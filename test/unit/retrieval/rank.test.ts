// queryStats must give SPEC §2's numbers — ranks by (distance, index), the query removed by index —
// on both of its paths: the sorted buffer for small R and the histogram for large R. Rows here have
// many exact ties (keys on a coarse grid), where an ordering slip would show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryStats, RankScratch, topKByHeap, topKRow } from '../../../src/core/retrieval/rank';
import { mulberry32 } from '../../../src/core/util/random';

/** The definition, by sorting the whole row. */
function reference(row: Float32Array, self: number, label: number, labels: Int32Array) {
  const order = Array.from(row.keys())
    .filter((j) => j !== self)
    .sort((a, b) => row[a] - row[b] || a - b);
  const r = order.filter((j) => labels[j] === label).length;
  let hits = 0;
  let ap = 0;
  for (let i = 0; i < r; i++) {
    if (labels[order[i]] === label) {
      hits++;
      ap += hits / (i + 1);
    }
  }
  const firstHit = order.findIndex((j) => labels[j] === label) + 1;
  return { r, stats: { firstHit, ap: ap / r, rPrecision: hits / r, nearestNegative: order.find((j) => labels[j] !== label) ?? -1 } };
}

for (const { name, n, classes } of [
  { name: 'small R (sorted buffer)', n: 3000, classes: 400 },
  { name: 'middling R (heap)', n: 3000, classes: 15 },
  { name: 'large R (histogram)', n: 3000, classes: 6 },
]) {
  test(`queryStats equals the sort-based definition: ${name}, tied keys, self excluded`, () => {
    const rand = mulberry32(7);
    const labels = Int32Array.from({ length: n }, () => Math.floor(rand() * classes));
    const s = new RankScratch(n);
    let checked = 0;
    for (let q = 0; q < 60; q++) {
      // Keys on a grid of 50 values: hundreds of exact ties per row.
      const row = Float32Array.from({ length: n }, () => Math.floor(rand() * 50) / 10 - 1);
      const self = Math.floor(rand() * n);
      const ref = reference(row, self, labels[self], labels);
      if (ref.r === 0) continue;
      assert.deepEqual(queryStats(row, self, labels[self], labels, ref.r, s), ref.stats, `query ${q} (R = ${ref.r})`);
      // Query-gallery rows have no self (-1).
      const free = reference(row, -1, labels[self], labels);
      assert.deepEqual(queryStats(row, -1, labels[self], labels, free.r, s), free.stats, `query ${q} without self`);
      checked++;
    }
    assert.ok(checked > 40);
  });
}

test('queryStats says -1 for the nearest negative when its whole top R are hits (the caller scans then)', () => {
  // Items 1 and 2 share the query's label and are the closest; R = 2.
  const labels = Int32Array.from([0, 0, 0, 1, 2, 1]);
  const row = Float32Array.from([0, 0.1, 0.2, 0.3, 0.3, 0.9]);
  const s = new RankScratch(row.length);
  assert.deepEqual(queryStats(row, 0, 0, labels, 2, s), { firstHit: 1, ap: 1, rPrecision: 1, nearestNegative: -1 });
});

test("topKByHeap keeps topKRow's contract: the k smallest by (key, index), self excluded, ties by index", () => {
  const rand = mulberry32(3);
  for (const k of [1, 2, 7, 150, 999]) {
    const row = Float32Array.from({ length: 2000 }, () => Math.floor(rand() * 40) / 8);
    const a = { idx: new Int32Array(k + 3), key: new Float32Array(k + 3) };
    const b = { idx: new Int32Array(k + 3), key: new Float32Array(k + 3) };
    assert.equal(topKByHeap(row, 17, k, a.idx, a.key, 3), topKRow(row, 17, k, b.idx, b.key, 3));
    assert.deepEqual([...a.idx.subarray(3)], [...b.idx.subarray(3)], `k = ${k}`);
  }
});
