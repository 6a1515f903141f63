// Issue #15: above the exact-search limit a comparison's Jaccard overlaps are of usearch
// neighbourhoods; the comparison says so in its own notes (shown first in the compare view's notes,
// and written to the CLI's deltas JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approximateNeighbourhoodsNote } from '../../../src/core/compare/compare';
import { compareDeltasJson } from '../../../src/core/compare/export';
import { knnGraph } from '../../../src/core/retrieval/knn';
import type { CompareData } from '../../../src/core/model';
import { blobs } from '../retrieval/helpers';

test('exact graphs: no note; a usearch graph on either side: a note naming its side and recall', async () => {
  const n = 600,
    dim = 8;
  const { data } = blobs(n, dim, 6, 2, 1);
  const exact = await knnGraph(data, n, dim, 10);
  const approx = await knnGraph(data, n, dim, 10, { approximate: 'usearch' });
  assert.equal(approximateNeighbourhoodsNote(exact, exact, 10), undefined);
  const note = approximateNeighbourhoodsNote(exact, approx, 10)!;
  assert.match(
    note,
    /^Jaccard@10 and the per-item precisions compare approximate neighbourhoods \(usearch HNSW above the exact-search limit; B: recall@10 [01]\.\d{3} on \d+ sampled items\)/,
  );
  assert.doesNotMatch(note, /A: recall/);
});

test("the deltas JSON carries the comparison's notes when there are any", () => {
  const base = { title: 't', source: { checkpoint: 'a', dataset: 'd' } };
  const cmp = {
    title: 'a vs b',
    a: base,
    b: base,
    k: 10,
    jaccard: new Float32Array(0),
    meanJaccard: 1,
    headline: [],
    classes: [],
    eet: [],
    worse: [],
    better: [],
    alignment: { scale: 1, rmsd: 0, shared: 0 },
  } as CompareData;
  assert.equal(compareDeltasJson(cmp).notes, undefined);
  assert.deepEqual(compareDeltasJson({ ...cmp, notes: ['n'] }).notes, ['n']);
});
