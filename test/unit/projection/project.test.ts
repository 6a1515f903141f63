import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { countDuplicateRows, projectEmbeddings } from '../../../src/core/projection/project';
import { pca2d } from '../../../src/core/projection/pca';
import { encodeNpy, readNpy } from '../../../src/core/io/npy';
import { LensError } from '../../../src/core/errors';
import { blobs, bruteKnn, knnLabelAccuracy } from './helpers';
import { writeFileSync } from 'node:fs';

const { data, labels, n, dim } = blobs(4, 40, 6, 5, 0.5);

test('projectEmbeddings: umap over the retrieval graph, pca, and the documented fallbacks', async () => {
  const graph = bruteKnn(data, n, dim, 20);
  const u = await projectEmbeddings(data, n, dim, { graph, nNeighbors: 10, seed: 1, threads: 1, nEpochs: 100 });
  assert.equal(u.params?.nNeighbors, 10);
  assert.ok(knnLabelAccuracy(u.xy, labels, 10) > 0.95);
  assert.deepEqual((await projectEmbeddings(data, n, dim, { method: 'pca' })).xy, pca2d(data, n, dim));

  const nan = new Float32Array(data);
  nan[3 * dim + 2] = Number.NaN;
  nan[9 * dim] = Number.POSITIVE_INFINITY;
  await assert.rejects(
    projectEmbeddings(nan, n, dim, { source: 'E.npy' }),
    (e: unknown) => e instanceof LensError && /E\.npy: 2 row\(s\) contain NaN or Inf \(first: 3, 9\)/.test(e.message),
  );

  const tiny = await projectEmbeddings(data.subarray(0, 6 * dim), 6, dim, { nNeighbors: 15, threads: 1, approximate: 'exact' });
  assert.match(tiny.warnings.join(), /n_neighbors lowered from 15 to 6/);
  assert.ok(tiny.xy.every(Number.isFinite));

  const same = await projectEmbeddings(new Float32Array(10 * dim).fill(1), 10, dim);
  assert.ok(same.xy.every((v) => v === 0));
  assert.match(same.warnings.join(), /same point/);

  const dup = new Float32Array(data);
  dup.set(dup.subarray(0, dim), dim);
  const d = await projectEmbeddings(dup, n, dim, { graph: bruteKnn(dup, n, dim, 14), threads: 1, nEpochs: 30 });
  assert.match(d.warnings.join(), /1 row\(s\) repeat an earlier row/);

  await assert.rejects(projectEmbeddings(new Float32Array(0), 0, dim), /0 rows/);
  await assert.rejects(projectEmbeddings(data, n, dim, { nNeighbors: 1 }), /n_neighbors/);
});

test('CLI: embedding-lens project writes an N×2 .npy and refuses NaN rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'el-project-'));
  try {
    writeFileSync(join(dir, 'E.npy'), encodeNpy(data, [n, dim]));
    const cli = join(__dirname, '../../../src/cli.ts');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, 'project', ...args], { encoding: 'utf8' });
    const ok = run(
      '--embeddings',
      join(dir, 'E.npy'),
      '--out',
      join(dir, 'XY.npy'),
      '--seed',
      '3',
      '--neighbors',
      '8',
      '--min-dist',
      '0.2',
      '--epochs',
      '50',
      '--threads',
      '1',
    );
    assert.equal(ok.status, 0, ok.stderr);
    const summary = JSON.parse(ok.stdout);
    assert.equal(summary.params.nNeighbors, 8);
    assert.equal(summary.params.minDist, 0.2);
    const xy = await readNpy(join(dir, 'XY.npy'));
    assert.deepEqual(xy.shape, [n, 2]);
    const pca = run('--embeddings', join(dir, 'E.npy'), '--out', join(dir, 'P.npy'), '--method', 'pca');
    assert.equal(pca.status, 0, pca.stderr);
    const bad = new Float32Array(data);
    bad[0] = Number.NaN;
    writeFileSync(join(dir, 'bad.npy'), encodeNpy(bad, [n, dim]));
    const fail = run('--embeddings', join(dir, 'bad.npy'), '--out', join(dir, 'B.npy'));
    assert.equal(fail.status, 1);
    assert.match(fail.stderr, /bad\.npy: 1 row\(s\) contain NaN/);
    assert.equal(run('--embeddings', join(dir, 'E.npy'), '--out', join(dir, 'B.npy'), '--method', 'tsne').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('countDuplicateRows counts rows that repeat an earlier row bit for bit, and nothing else', () => {
  const dim = 3;
  const rows = [
    [1, 2, 3],
    [1, 2, 3],
    [3, 2, 1],
    [1, 2, 3],
    [3, 2, 1],
    [1, 2, 3.0000002],
    [0, 0, 0],
    [-0, 0, 0],
  ];
  const data = Float32Array.from(rows.flat());
  // Rows 1 and 3 repeat row 0, row 4 repeats row 2; 3.0000002 and -0 differ in their bits.
  assert.equal(countDuplicateRows(data, rows.length, dim), 3);
  assert.equal(countDuplicateRows(new Float32Array(0), 0, dim), 0);
});
