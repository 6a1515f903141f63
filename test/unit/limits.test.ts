import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { CAPS, capProblem, checkInspectionCaps, clampThreads } from '../../src/core/limits';
import { DEFAULT_SETTINGS } from '../../src/core/inspect/settings';
import { resolveUmapParams } from '../../src/core/projection/umap';
import { projectEmbeddings } from '../../src/core/projection/project';
import { eetBreakdown } from '../../src/core/eet/breakdown';
import { LensError } from '../../src/core/errors';

test('caps: the defaults pass; each absurd count is named with its cap and reason', () => {
  checkInspectionCaps(DEFAULT_SETTINGS);
  assert.equal(capProblem('umapEpochs', CAPS.umapEpochs.max), undefined);
  assert.match(capProblem('umapEpochs', 1e9)!, /^UMAP epochs 1000000000 is more than 10000, the most accepted \(umap-learn uses/);
  const over = (patch: (s: typeof DEFAULT_SETTINGS) => void) => {
    const s = structuredClone(DEFAULT_SETTINGS);
    patch(s);
    return () => checkInspectionCaps(s);
  };
  assert.throws(
    over((s) => (s.umap.epochs = 1e9)),
    (e: Error) => e instanceof LensError && /embeddingLens settings: UMAP epochs/.test(e.message),
  );
  assert.throws(
    over((s) => (s.eet.batches = 1e9)),
    /EET breakdown batches 1000000000 is more than 100000/,
  );
  assert.throws(
    over((s) => (s.batchSize = 1e9)),
    /images per inference batch/,
  );
  assert.throws(
    over((s) => (s.neighborsK = 1e9)),
    /neighbours kept per item/,
  );
  assert.throws(
    over((s) => (s.recallAtK = [1, 1e9])),
    /Recall@K 1000000000/,
  );
  assert.throws(
    over((s) => (s.umap.nNeighbors = 1e6)),
    /UMAP n_neighbors 1000000/,
  );
});

test('threads: more than the cores are clamped with a note naming both; UMAP never starts more', () => {
  const cores = availableParallelism();
  assert.deepEqual(clampThreads(1), { threads: 1 });
  const c = clampThreads(1000);
  assert.equal(c.threads, cores);
  assert.equal(c.note, `1000 threads requested but this machine has ${cores} cores; using ${cores}`);
  assert.equal(resolveUmapParams({ n: 5000, k: 14 }, { threads: 1000 }).threads, Math.min(1000, cores));
  assert.throws(() => resolveUmapParams({ n: 50, k: 14 }, { nEpochs: 1e9 }), /UMAP option UMAP epochs 1000000000 is more than 10000/);
});

test('projectEmbeddings and eetBreakdown refuse absurd counts before any work', async () => {
  const data = Float32Array.from({ length: 40 * 4 }, (_, i) => Math.sin(i));
  await assert.rejects(projectEmbeddings(data, 40, 4, { nEpochs: 1e9 }), /UMAP epochs 1000000000 is more than 10000/);
  await assert.rejects(projectEmbeddings(data, 40, 4, { nNeighbors: 1e6 }), /UMAP n_neighbors 1000000 is more than 1000/);
  const r = await projectEmbeddings(data, 40, 4, { threads: 1000, nEpochs: 5 });
  assert.ok(r.warnings.some((w) => /1000 threads requested/.test(w)));
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
  await assert.rejects(
    eetBreakdown(data, 40, 4, labels, { batches: 1e9, p: 2, k: 2, seed: 1 }),
    /EET breakdown batches 1000000000 is more than 100000/,
  );
});
