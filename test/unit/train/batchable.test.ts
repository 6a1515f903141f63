import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertBatchable, pkEpoch, rng } from '../../../src/core/train/batches';

test('assertBatchable agrees with pkEpoch: no batch → an error naming the dataset, before anything runs', () => {
  const labels = Int32Array.from([0, 1, 2, 3, 4, 4, 5, 5]);
  const oneEach = Int32Array.from([0, 1, 2, 3]);
  assert.equal(
    pkEpoch(
      Array.from(oneEach, (r) => labels[r]),
      8,
      4,
      rng(1),
    ).length,
    0,
  );
  assert.throws(
    () => assertBatchable(labels, oneEach, 8, 4, '/data/tiny'),
    /\/data\/tiny: cannot form one 8×4 training batch: .*4 item\(s\) in 4 class\(es\), 0 of them with 2 or more items/,
  );
  // One class with pairs is still not enough: a batch needs negatives.
  assert.throws(() => assertBatchable(labels, Int32Array.from([0, 4, 5]), 2, 2, 'd'), /1 of them with 2 or more/);
  const two = Int32Array.from([4, 5, 6, 7]);
  assert.ok(
    pkEpoch(
      Array.from(two, (r) => labels[r]),
      8,
      4,
      rng(1),
    ).length > 0,
  );
  assert.doesNotThrow(() => assertBatchable(labels, two, 8, 4, 'd'));
});
