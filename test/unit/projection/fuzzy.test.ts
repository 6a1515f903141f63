import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkKnnGraph, epochsPerSample, fuzzySimplicialSet, smoothKnnDist } from '../../../src/core/projection/fuzzy';
import { LensError } from '../../../src/core/errors';

// umap-learn 0.5.3's own output for a small data set (fixtures/make_fuzzy_fixture.py).
const ref = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'umap-fuzzy.json'), 'utf8')) as {
  n: number;
  k: number;
  indices: number[];
  distances: number[];
  sigmas: number[];
  rhos: number[];
  rows: number[];
  cols: number[];
  weights: number[];
};
const graph = { n: ref.n, k: ref.k, indices: Int32Array.from(ref.indices), distances: Float32Array.from(ref.distances) };

test('σ and ρ match umap-learn smooth_knn_dist', () => {
  const { rho, sigma } = smoothKnnDist(graph);
  for (let i = 0; i < ref.n; i++) {
    assert.ok(Math.abs(rho[i] - ref.rhos[i]) < 1e-6, `rho ${i}: ${rho[i]} vs ${ref.rhos[i]}`);
    assert.ok(Math.abs(sigma[i] - ref.sigmas[i]) <= 1e-6 * Math.max(1, ref.sigmas[i]), `sigma ${i}: ${sigma[i]} vs ${ref.sigmas[i]}`);
  }
});

test('symmetrised fuzzy graph matches umap-learn fuzzy_simplicial_set edge for edge', () => {
  // nEpochs 0: no pruning, the raw union as umap-learn returns it.
  const fg = fuzzySimplicialSet(graph, 0);
  const want = new Map<string, number>();
  ref.rows.forEach((r, e) => want.set(`${r},${ref.cols[e]}`, ref.weights[e]));
  assert.equal(fg.head.length, want.size);
  for (let e = 0; e < fg.head.length; e++) {
    const w = want.get(`${fg.head[e]},${fg.tail[e]}`);
    assert.ok(w !== undefined, `edge ${fg.head[e]}→${fg.tail[e]} not in umap-learn's graph`);
    assert.ok(Math.abs(fg.weight[e] - w) < 1e-6, `weight ${fg.head[e]}→${fg.tail[e]}: ${fg.weight[e]} vs ${w}`);
  }
  // Grouped by head, with rowStart delimiting each head's edges.
  for (let i = 0; i < ref.n; i++) for (let e = fg.rowStart[i]; e < fg.rowStart[i + 1]; e++) assert.equal(fg.head[e], i);
});

test('pruning drops edges below max/nEpochs and the schedule samples the strongest edge every epoch', () => {
  const full = fuzzySimplicialSet(graph, 0);
  const pruned = fuzzySimplicialSet(graph, 5);
  const wMax = Math.max(...full.weight);
  const expected = Array.from(full.weight).filter((w) => w >= wMax / 5).length;
  assert.equal(pruned.head.length, expected);
  const eps = epochsPerSample(pruned.weight);
  assert.equal(Math.min(...eps), 1);
  pruned.weight.forEach((w, e) => assert.ok(Math.abs(eps[e] - wMax / w) < 1e-9));
});

test('checkKnnGraph refuses graphs that would give a wrong map', () => {
  assert.throws(
    () => checkKnnGraph({ n: 3, k: 3, indices: new Int32Array(9), distances: new Float32Array(9) }),
    /cannot have 3 neighbours/,
  );
  assert.throws(
    () => checkKnnGraph({ n: 3, k: 1, indices: Int32Array.from([1, 2, 0]), distances: Float32Array.from([1, Number.NaN, 1]) }),
    (e: unknown) => e instanceof LensError && /row 1.*NaN/.test(e.message),
  );
  assert.throws(
    () => checkKnnGraph({ n: 3, k: 1, indices: Int32Array.from([0, 2, 0]), distances: Float32Array.from([1, 1, 1]) }),
    /row 0 neighbour 0 is 0/,
  );
  assert.throws(
    () => checkKnnGraph({ n: 3, k: 1, indices: Int32Array.from([1, 7, 0]), distances: Float32Array.from([1, 1, 1]) }),
    /row 1 neighbour 0 is 7/,
  );
  assert.throws(
    () => checkKnnGraph({ n: 3, k: 1, indices: Int32Array.from([1, 2]), distances: Float32Array.from([1, 1, 1]) }),
    /expected 3×1/,
  );
  checkKnnGraph(graph);
});
