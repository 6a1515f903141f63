import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InspectionItems } from '../../../src/protocol';
import { dataInAOrder, graphInAOrder, hasItemIdentities, matchItems } from '../../../src/core/compare';

const items = (paths: string[], labels: number[], classNames: string[]): InspectionItems => ({
  n: paths.length,
  paths,
  labels: Int32Array.from(labels),
  classNames,
});
const A = (it: InspectionItems) => ({ name: 'A (a.onnx on ds)', items: it });
const B = (it: InspectionItems) => ({ name: 'B (b.npy on labels.txt)', items: it });

test('row references of a precomputed file are positions; image paths and IDX rows are identities', () => {
  assert.equal(hasItemIdentities(['/d/e.npy#0', '/d/e.npy#1']), false);
  assert.equal(hasItemIdentities(['/d/labels.txt#0', '/d/labels.txt#7']), false);
  assert.equal(hasItemIdentities(['/d/a/1.png', '/d/b/2.png']), true);
  assert.equal(hasItemIdentities(['/d/t10k-images-idx3-ubyte#0', '/d/t10k-images-idx3-ubyte#1']), true);
  assert.equal(hasItemIdentities(['/d/x.npy#0', '/d/y.npy#1']), true);
  assert.equal(hasItemIdentities([]), false);
});

test('same paths in another order and another class numbering: matched by path, B restated in A order', () => {
  const a = items(['/p/0', '/p/1', '/p/2', '/p/3'], [0, 0, 1, 1], ['cat', 'dog']);
  // B lists the items reversed and numbers the classes the other way round.
  const b = items(['/p/3', '/p/2', '/p/1', '/p/0'], [0, 0, 1, 1], ['dog', 'cat']);
  const m = matchItems(A(a), B(b));
  assert.equal(m.by, 'path');
  assert.deepEqual(Array.from(m.aToB), [3, 2, 1, 0]);
  assert.deepEqual(Array.from(m.bToA), [3, 2, 1, 0]);
  assert.deepEqual(Array.from(m.classBToA), [1, 0]);
  assert.equal(m.identity, false);
  assert.deepEqual(m.notes, []);

  // B's neighbour of its row 0 (/p/3) is its row 1 (/p/2): in A numbering, A-row 3's neighbour is 2.
  const g = graphInAOrder({ n: 4, k: 1, indices: Int32Array.from([1, 0, 3, 2]), distances: Float32Array.from([0.1, 0.1, 0.2, 0.2]) }, m);
  assert.deepEqual(Array.from(g.indices), [1, 0, 3, 2]);
  assert.deepEqual(Array.from(g.distances), [0.2, 0.2, 0.1, 0.1].map(Math.fround));
  const data = dataInAOrder(
    {
      title: 'b',
      source: { checkpoint: 'b', dataset: 'd' },
      items: b,
      layout: { pca: Float32Array.from([3, 3, 2, 2, 1, 1, 0, 0]) },
      classes: [
        {
          classIndex: 0,
          name: 'dog',
          size: 2,
          meanDistToCentroid: 0.5,
          p90Radius: 0.6,
          nearestClass: 1,
          nearestDistance: 1,
          precisionAt1: 1,
          mapAtR: 1,
        },
        {
          classIndex: 1,
          name: 'cat',
          size: 2,
          meanDistToCentroid: 0.1,
          p90Radius: 0.2,
          nearestClass: 0,
          nearestDistance: 1,
          precisionAt1: 0.5,
          mapAtR: 0.5,
        },
      ],
    },
    a,
    m,
  );
  assert.deepEqual(data.items!.paths, a.paths);
  assert.deepEqual(Array.from(data.items!.labels), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(data.layout!.pca!), [0, 0, 1, 1, 2, 2, 3, 3]);
  assert.deepEqual(
    data.classes!.map((c) => [c.classIndex, c.name, c.meanDistToCentroid, c.nearestClass]),
    [
      [0, 'cat', 0.1, 1],
      [1, 'dog', 0.5, 0],
    ],
  );
});

test('a .npy with a labels file is matched by position; renamed classes are noted', () => {
  const a = items(['/ds/x/0.png', '/ds/x/1.png', '/ds/y/2.png'], [0, 0, 1], ['x', 'y']);
  const b = items(['/e.npy#0', '/e.npy#1', '/e.npy#2'], [0, 0, 1], ['3', '7']);
  const m = matchItems(A(a), B(b));
  assert.equal(m.by, 'index');
  assert.equal(m.identity, true);
  assert.match(m.notes.join('\n'), /matched by position/);
  assert.match(m.notes.join('\n'), /class names differ/);
});

test('items that cannot be matched one to one: a clear error naming both sides and the counts', () => {
  const a = items(['/ds/0.png', '/ds/1.png', '/ds/2.png'], [0, 0, 1], ['x', 'y']);
  assert.throws(
    () => matchItems(A(a), B(items(['/e.npy#0', '/e.npy#1'], [0, 1], ['x', 'y']))),
    /cannot compare A \(a\.onnx on ds\), 3 items, with B \(b\.npy on labels\.txt\), 2 items: B has no item paths .* same number of items/,
  );
  assert.throws(
    () => matchItems(A(a), B(items(['/ds/0.png', '/ds/1.png', '/other/9.png'], [0, 0, 1], ['x', 'y']))),
    /3 items, with .* 3 items: they share 2 item paths \(only in A: \/ds\/2\.png; only in B: \/other\/9\.png\)/,
  );
  assert.throws(
    () => matchItems(A(a), B(items(['/ds/0.png', '/ds/1.png'], [0, 0], ['x']))),
    /they share 2 item paths \(only in A: \/ds\/2\.png\)/,
  );
  assert.throws(
    () => matchItems(A(a), B(items(['/ds/0.png', '/ds/0.png', '/ds/2.png'], [0, 0, 1], ['x', 'y']))),
    /lists the item \/ds\/0\.png twice/,
  );
  assert.throws(
    () => matchItems(A(a), B(items(['/ds/0.png', '/ds/1.png', '/ds/2.png'], [0, 1, 1], ['x', 'y']))),
    /labels group the items differently: \/ds\/1\.png is "x" under A and "y" under B, but other items of A's "x" are B's "x"/,
  );
});
