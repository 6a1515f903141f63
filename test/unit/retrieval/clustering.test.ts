import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAgreement, clusteringScores, kmeans } from '../../../src/core/retrieval/clustering';
import { LensError } from '../../../src/core/errors';
import { blobs } from './helpers';

// Reference values from scikit-learn 1.2.1 (normalized_mutual_info_score, adjusted_mutual_info_score).
const A300 =
  '4,0,3,3,3,1,3,2,4,0,0,4,2,1,0,1,1,0,1,4,3,0,3,0,2,3,0,1,3,3,3,0,1,1,1,0,2,4,3,3,2,4,2,0,0,4,0,4,1,4,1,2,2,0,1,1,1,1,3,3,2,3,0,3,4,1,2,4,3,4,4,4,3,4,4,4,0,4,3,2,0,1,1,3,0,0,1,2,4,2,0,3,2,2,0,1,0,2,2,3,2,3,2,1,2,3,3,3,2,3,4,1,2,3,1,2,1,4,2,3,0,3,2,3,0,0,0,3,2,3,0,4,0,0,2,3,2,3,0,0,0,3,0,2,2,0,4,3,4,0,4,3,3,4,1,3,0,0,0,1,0,4,1,3,1,0,0,4,3,3,1,0,0,1,2,0,3,1,1,4,0,0,3,2,3,2,4,3,3,0,3,0,4,2,3,4,0,2,3,3,1,3,4,3,3,1,1,1,3,2,2,4,3,1,2,3,1,4,2,2,0,1,0,4,0,3,2,0,0,1,1,0,3,0,3,0,4,4,0,1,3,4,3,2,1,1,2,1,4,2,4,4,2,3,3,1,2,4,3,3,1,1,1,1,2,0,3,1,4,3,1,1,2,0,0,2,4,0,4,3,3,0,0,3,3,0,3,0,2,1,0,4,0,3,4,4,1,0,2,4';
const B300 =
  '2,0,4,0,3,1,3,4,4,0,4,4,0,1,0,1,4,1,1,4,3,0,3,0,2,3,0,1,0,1,1,4,1,1,1,4,2,4,3,3,2,4,2,0,0,4,0,4,1,4,1,2,3,0,5,1,1,1,3,3,4,3,3,3,1,3,2,4,3,4,4,4,0,4,4,4,1,4,1,2,0,1,1,3,4,0,1,2,4,5,4,5,2,2,0,1,0,2,2,5,2,3,2,1,2,4,3,3,4,3,5,1,3,3,1,2,1,4,2,3,1,3,2,3,0,2,2,3,2,1,0,4,0,0,2,3,2,3,0,0,0,3,0,5,5,0,4,3,4,0,4,3,3,4,1,3,4,0,0,3,0,0,1,0,1,0,0,5,4,3,1,3,0,1,2,0,5,1,2,1,0,3,4,5,4,5,1,5,3,0,3,0,2,2,3,4,2,2,1,0,1,4,4,3,3,1,4,1,3,2,2,4,4,1,2,3,1,4,2,5,0,1,4,4,1,3,5,0,0,3,1,0,3,1,3,0,4,4,0,1,3,4,3,2,1,1,2,1,4,0,0,2,2,3,3,1,2,4,3,3,1,1,1,1,3,0,3,1,4,3,1,1,2,0,0,2,1,4,4,5,3,0,0,3,3,1,3,0,2,1,2,5,0,3,4,4,1,0,2,4';

test('NMI/AMI match scikit-learn on two hand-checked labelings', () => {
  const small = clusterAgreement(
    Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 1]),
    Int32Array.from([0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 1]),
  );
  assert.ok(Math.abs(small.nmi - 0.43343807741510365) < 1e-9, String(small.nmi));
  assert.ok(Math.abs(small.ami - 0.27896886162088314) < 1e-9, String(small.ami));
  const big = clusterAgreement(Int32Array.from(A300.split(',').map(Number)), Int32Array.from(B300.split(',').map(Number)));
  assert.ok(Math.abs(big.nmi - 0.49798092736874927) < 1e-9, String(big.nmi));
  assert.ok(Math.abs(big.ami - 0.4872803261089605) < 1e-9, String(big.ami));
});

test('NMI/AMI: identical up to renaming → 1; independent → AMI near 0', () => {
  const a = Int32Array.from({ length: 200 }, (_, i) => i % 4);
  const renamed = Int32Array.from(a, (x) => (x + 1) * 7);
  assert.deepEqual(clusterAgreement(a, renamed), { nmi: 1, ami: 1 });
  const other = Int32Array.from({ length: 200 }, (_, i) => Math.floor(i / 50));
  // i % 4 and ⌊i/50⌋ are exactly independent here (each block of 50 holds every residue almost equally).
  assert.ok(Math.abs(clusterAgreement(a, other).ami) < 0.02);
});

test('k-means is deterministic for a seed and recovers well separated blobs', async () => {
  const n = 300,
    dim = 5;
  const { data, labels } = blobs(n, dim, 4, 8, 0.05);
  const a = await kmeans(data, n, dim, 4, { seed: 3 });
  const b = await kmeans(data, n, dim, 4, { seed: 3 });
  assert.deepEqual(a.assignment, b.assignment);
  assert.equal(a.inertia, b.inertia);
  const s = await clusteringScores(data, n, dim, labels, { seed: 3 });
  assert.equal(s.k, 4);
  assert.ok(s.nmi > 0.99 && s.ami > 0.99, JSON.stringify(s));
});

test('clustering scores refuse one class and mismatched labels', async () => {
  const { data } = blobs(20, 3, 2, 1);
  await assert.rejects(
    clusteringScores(data, 20, 3, new Int32Array(20)),
    (e: unknown) => e instanceof LensError && /two classes/.test(e.message),
  );
  await assert.rejects(clusteringScores(data, 20, 3, new Int32Array(19), { file: 'l.json' }), /l\.json: 19 labels for 20 embeddings/);
});
