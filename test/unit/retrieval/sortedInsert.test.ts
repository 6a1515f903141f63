import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortedInsert } from '../../../src/core/retrieval/sortedInsert';

test('sortedInsert keeps the k smallest in ascending order, ties to the entry already there', () => {
  const dist = new Float64Array(3).fill(Infinity);
  const idx = new Int32Array(3).fill(-1);
  [
    [5, 0],
    [1, 1],
    [3, 2],
    [1, 3],
    [0.5, 4],
    [3, 5],
    [9, 6],
  ].forEach(([d, i]) => sortedInsert(dist, idx, d, i));
  assert.deepEqual(Array.from(dist), [0.5, 1, 1]);
  assert.deepEqual(Array.from(idx), [4, 1, 3], 'item 3 ties item 1 and comes after it; 2 and 5 fall off');
  sortedInsert(dist, idx, 1, 7);
  assert.deepEqual(Array.from(idx), [4, 1, 3], 'a tie with the k-th does not displace it');
  const none = new Float64Array(0);
  sortedInsert(none, new Int32Array(0), 1, 0);
  assert.equal(none.length, 0);
});
