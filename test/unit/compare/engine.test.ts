import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import { computeEmbeddings } from '../../../src/core/embed';
import { writeNpy } from '../../../src/core/io/npy';
import { procrustes } from '../../../src/core/projection/procrustes';
import { CLASS_KEYS, runComparison, type ComparisonRun } from '../../../src/core/compare';
import type { ClassRow, CompareData, EetTermName } from '../../../src/protocol';
import { fastSettings, naiveJaccard, naivePrecision, tinyClassifier, tinyCnn, tmp } from './helpers';

let dir = '';
let dataset = '';

before(async () => {
  dir = tmp();
  dataset = (await makeProductImages(join(dir, 'products'), { classes: 4, perClass: 8, size: 16, seed: 3 })).root;
});
after(() => rmSync(dir, { recursive: true, force: true }));

function done(run: ComparisonRun): Extract<ComparisonRun, { cancelled: false }> {
  assert.equal(run.cancelled, false);
  return run as Extract<ComparisonRun, { cancelled: false }>;
}

/** Every delta exactly zero, every neighbourhood unchanged, B's map on top of A's. */
function assertUnchanged(d: CompareData): void {
  assert.ok(d.headline.length >= 10);
  for (const m of [...d.headline, ...d.eet, ...d.classes.flatMap((c) => c.metrics)]) {
    assert.ok(Number.isFinite(m.a), `${m.key} a`);
    assert.equal(m.delta, 0, `${m.key}: ${m.a} → ${m.b}`);
  }
  assert.equal(d.jaccard.length, d.a.items!.n);
  assert.ok(d.jaccard.every((j) => j === 1));
  assert.equal(d.meanJaccard, 1);
  assert.deepEqual([d.worse.length, d.better.length], [0, 0]);
  assert.ok(d.alignment.rmsd < 1e-4, `rmsd ${d.alignment.rmsd}`);
  assert.ok(Math.abs(d.alignment.scale - 1) < 1e-5, `scale ${d.alignment.scale}`);
  assert.equal(d.alignment.shared, d.a.items!.n);
}

test('a checkpoint compared with itself: every delta 0, Jaccard 1 everywhere, aligned maps coincide', async () => {
  const stages: string[] = [];
  const run = done(
    await runComparison(
      { checkpointA: tinyCnn, checkpointB: tinyCnn, dataset, settings: fastSettings },
      { patch: (side, stage) => stages.push(`${side}:${stage}`) },
    ),
  );
  assertUnchanged(run.data);
  assert.equal(run.match.by, 'path');
  assert.equal(run.data.k, fastSettings.neighborsK);
  assert.deepEqual(stages, ['a:embed', 'a:pca', 'a:metrics', 'a:eet', 'a:umap', 'b:embed', 'b:pca', 'b:metrics', 'b:eet', 'b:umap']);
  assert.deepEqual(
    run.data.headline.map((m) => m.key),
    ['recall@1', 'recall@2', 'recall@4', 'recall@8', 'precision@1', 'r_precision', 'map@r', 'mrr', 'nmi', 'ami'],
  );
  assert.deepEqual(
    run.data.eet.map((m) => m.key),
    ['mc', 'ec', 'm', 'e', 'edc', 'total', 'violation_rate'],
  );
  assert.equal(run.data.classes.length, 4);
});

test('two different checkpoints: deltas are the difference of the two runs; Jaccard, precision, lists and alignment check out', async () => {
  const run = done(
    await runComparison({ checkpointA: tinyCnn, checkpointB: tinyClassifier, dataset, settings: fastSettings, listSize: 4 }),
  );
  const d = run.data;
  const ma = run.a.data.metrics!;
  const mb = run.b.data.metrics!;
  const expected: Record<string, [number, number]> = {
    ...Object.fromEntries(ma.recallAtK.map((r, i) => [`recall@${r.k}`, [r.value, mb.recallAtK[i].value]])),
    'precision@1': [ma.precisionAt1, mb.precisionAt1],
    r_precision: [ma.rPrecision, mb.rPrecision],
    'map@r': [ma.mapAtR, mb.mapAtR],
    mrr: [ma.mrr!, mb.mrr!],
    nmi: [ma.nmi!, mb.nmi!],
    ami: [ma.ami!, mb.ami!],
  };
  assert.deepEqual(
    d.headline.map((m) => m.key),
    Object.keys(expected),
  );
  for (const m of d.headline) {
    assert.deepEqual([m.a, m.b], expected[m.key], m.key);
    assert.equal(m.delta, m.b - m.a);
  }
  assert.ok(
    d.headline.some((m) => m.delta !== 0),
    'two different models should differ somewhere',
  );

  const value = (r: ClassRow, key: string) =>
    ({
      'precision@1': r.precisionAt1,
      'map@r': r.mapAtR,
      mean_dist_to_centroid: r.meanDistToCentroid,
      p90_radius: r.p90Radius,
      nearest_class_distance: r.nearestDistance,
    })[key]!;
  for (const c of d.classes) {
    const ra = run.a.data.classes!.find((r) => r.classIndex === c.classIndex)!;
    const rb = run.b.data.classes!.find((r) => r.classIndex === c.classIndex)!;
    assert.deepEqual(
      c.metrics.map((m) => m.key),
      [...CLASS_KEYS],
    );
    for (const m of c.metrics)
      assert.deepEqual(
        [m.a, m.b, m.delta],
        [value(ra, m.key), value(rb, m.key), value(rb, m.key) - value(ra, m.key)],
        `${c.name} ${m.key}`,
      );
  }
  const retrievalChange = (i: number) => Math.max(...d.classes[i].metrics.slice(0, 2).map((m) => Math.abs(m.delta)));
  for (let i = 1; i < d.classes.length; i++)
    assert.ok(retrievalChange(i - 1) >= retrievalChange(i), 'classes sorted by the largest change');

  for (const m of d.eet.slice(0, 6)) {
    const t = m.key as EetTermName;
    assert.deepEqual([m.a, m.b], [run.a.data.eet!.terms[t].mean, run.b.data.eet!.terms[t].mean]);
  }

  const k = d.k;
  const ga = run.a.graph!;
  const gb = run.b.graph!;
  const labels = d.a.items!.labels;
  for (let i = 0; i < labels.length; i++) assert.ok(Math.abs(d.jaccard[i] - naiveJaccard(ga, gb, i, k)) < 1e-6, `jaccard ${i}`);
  assert.ok(Math.abs(d.meanJaccard - d.jaccard.reduce((s, x) => s + x, 0) / labels.length) < 1e-6);
  assert.ok(d.meanJaccard < 1);

  const change = (i: number) => naivePrecision(gb, labels, i, k) - naivePrecision(ga, labels, i, k);
  for (const [list, sign] of [
    [d.worse, -1],
    [d.better, 1],
  ] as const) {
    assert.ok(list.length <= 4);
    for (const c of list) {
      assert.ok(Math.abs(c.precisionA - naivePrecision(ga, labels, c.index, k)) < 1e-6);
      assert.ok(Math.abs(c.precisionB - naivePrecision(gb, labels, c.index, k)) < 1e-6);
      assert.ok(sign * change(c.index) > 0);
      assert.deepEqual(Array.from(c.topA), Array.from(ga.indices.subarray(c.index * ga.k, c.index * ga.k + k)));
      assert.deepEqual(Array.from(c.topB), Array.from(gb.indices.subarray(c.index * gb.k, c.index * gb.k + k)));
    }
    // Nothing left out of a full list changed more than its last entry.
    if (list.length === 4) {
      const last = sign * change(list[3].index);
      const listed = new Set(list.map((c) => c.index));
      for (let i = 0; i < labels.length; i++) if (!listed.has(i)) assert.ok(sign * change(i) <= last + 1e-9);
    }
    for (let r = 1; r < list.length; r++) assert.ok(sign * change(list[r - 1].index) >= sign * change(list[r].index) - 1e-9);
  }
  assert.ok(d.worse.length + d.better.length > 0);

  const ref = procrustes(run.b.data.layout!.umap!, run.a.data.layout!.umap!);
  assert.deepEqual(Array.from(d.b.layout!.umap!), Array.from(ref.aligned));
  assert.deepEqual([d.alignment.scale, d.alignment.rmsd, d.alignment.shared], [ref.scale, ref.rmsd, labels.length]);
  assert.deepEqual(Array.from(d.b.layout!.pca!), Array.from(procrustes(run.b.data.layout!.pca!, run.a.data.layout!.pca!).aligned));
  // A's own maps are left as they were.
  assert.equal(d.a.layout!.umap, run.a.data.layout!.umap);
});

test('a checkpoint against the .npy of its own embeddings (labels file, or the image folder): deltas 0', async () => {
  const emb = (await computeEmbeddings(tinyCnn, dataset)).embeddings;
  const npy = join(dir, 'cnn.npy');
  await writeNpy(npy, emb.vectors, [emb.n, emb.dim]);
  const labels = join(dir, 'labels.txt');
  writeFileSync(labels, Array.from(emb.labels, (l) => emb.classNames[l]).join('\n') + '\n');

  const byIndex = done(await runComparison({ checkpointA: tinyCnn, checkpointB: npy, dataset, datasetB: labels, settings: fastSettings }));
  assert.equal(byIndex.match.by, 'index');
  assert.equal(byIndex.b.embedding!.backend, 'precomputed');
  assertUnchanged(byIndex.data);
  assert.match(byIndex.data.b.notes!.join('\n'), /matched by position/);

  const byPath = done(await runComparison({ checkpointA: npy, checkpointB: tinyCnn, dataset, settings: fastSettings }));
  assert.equal(byPath.match.by, 'path');
  assertUnchanged(byPath.data);
});

test('items that cannot be matched: a clear error naming both sources and counts, before B is fully inspected', async () => {
  const short = join(dir, 'short.npy');
  await writeNpy(
    short,
    Float32Array.from({ length: 30 * 3 }, (_, i) => Math.sin(i)),
    [30, 3],
  );
  const labels = join(dir, 'short-labels.txt');
  writeFileSync(labels, Array.from({ length: 30 }, (_, i) => `c${i % 3}`).join('\n') + '\n');
  const stages: string[] = [];
  await assert.rejects(
    runComparison(
      { checkpointA: tinyCnn, checkpointB: short, dataset, datasetB: labels, settings: fastSettings },
      { patch: (s, stage) => stages.push(`${s}:${stage}`) },
    ),
    /cannot compare A \(tiny-cnn\.onnx on products\), 32 items, with B \(short\.npy on short-labels\.txt\), 30 items: B has no item paths/,
  );
  assert.deepEqual(
    stages.filter((s) => s.startsWith('b:')),
    ['b:embed'],
  );
});

test('cancelling during A returns cancelled with what A delivered, and never starts B', async () => {
  const ac = new AbortController();
  const stages: string[] = [];
  const run = await runComparison(
    { checkpointA: tinyCnn, checkpointB: tinyClassifier, dataset, settings: fastSettings },
    {
      patch: (side, stage) => {
        stages.push(`${side}:${stage}`);
        if (stage === 'pca') ac.abort();
      },
    },
    { signal: ac.signal },
  );
  assert.equal(run.cancelled, true);
  assert.equal(run.b, undefined);
  assert.ok(run.a.data.layout?.pca);
  assert.deepEqual(stages, ['a:embed', 'a:pca']);
});
