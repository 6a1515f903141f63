// Issue #15: class geometry, the EET breakdown and the neighbour table stay sub-quadratic above
// embeddingLens.metrics.exactLimit, and say so in the assumptions; below it nothing changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classGeometry } from '../../../src/core/retrieval/geometry';
import { sampleQueries } from '../../../src/core/retrieval/sampledMetrics';
import { knnGraph } from '../../../src/core/retrieval/knn';
import { metricsStage } from '../../../src/core/inspect/metricsStage';
import { eetStage } from '../../../src/core/inspect/eetStage';
import { DEFAULT_SETTINGS } from '../../../src/core/inspect/settings';
import type { Progress } from '../../../src/core/types';
import { blobs, rng } from './helpers';

test('geometry at or below exactLimit (or with a sample covering every item) is the exact one, unchanged', async () => {
  const n = 2100,
    dim = 4;
  const { data, labels } = blobs(n, dim, 5, 13, 1);
  const exact = await classGeometry(data, n, dim, labels, { normalize: true });
  assert.equal(exact.sampled, undefined);
  assert.deepEqual(await classGeometry(data, n, dim, labels, { normalize: true, exactLimit: n, sampleItems: 100 }), exact);
  assert.deepEqual(await classGeometry(data, n, dim, labels, { normalize: true, exactLimit: 10, sampleItems: n }), exact);
});

test('above exactLimit the nearest class comes from the seeded sample, scanned exactly; everything else from every item', async () => {
  const n = 2100,
    dim = 4,
    m = 300,
    seed = 9;
  const { data, labels } = blobs(n, dim, 6, 21, 1.4);
  const exact = await classGeometry(data, n, dim, labels, { normalize: false });
  const g = await classGeometry(data, n, dim, labels, { normalize: false, exactLimit: 1000, sampleItems: m, seed });
  assert.deepEqual(g.sampled, { items: m, of: n, seed, design: 'stratified' });
  // The sample is the sampled metrics' own helper, every item a candidate.
  const picks = sampleQueries(labels, new Int32Array(n).fill(1), m, seed)!.picks;
  const best = new Map<number, { d: number; c: number }>();
  for (const i of picks) {
    for (let j = 0; j < n; j++) {
      if (labels[i] === labels[j]) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) d += (data[i * dim + t] - data[j * dim + t]) ** 2;
      const b = best.get(labels[i]);
      if (!b || Math.sqrt(d) < b.d) best.set(labels[i], { d: Math.sqrt(d), c: labels[j] });
    }
  }
  g.classes.forEach((c, s) => {
    const e = exact.classes[s];
    assert.deepEqual(
      [c.label, c.count, Array.from(c.centroid), c.meanDistance, c.p90Radius],
      [e.label, e.count, Array.from(e.centroid), e.meanDistance, e.p90Radius],
    );
    const b = best.get(c.label)!;
    assert.ok(Math.abs(c.minDistance! - b.d) < 1e-4, `class ${c.label}: ${c.minDistance} vs ${b.d}`);
    assert.equal(c.nearestClass, b.c);
    assert.ok(c.minDistance! >= e.minDistance! - 1e-6, 'a sample can only miss the closest pair');
  });
  assert.deepEqual(g.centroidDistances, exact.centroidDistances);
});

test('above exactLimit the nearest-class scan ranks only the sample: 300,000 items in seconds, not the hours of n²', async () => {
  const n = 300_000,
    dim = 8,
    m = 400;
  const { data, labels } = blobs(n, dim, 40, 5, 1);
  const events: Progress[] = [];
  const g = await classGeometry(data, n, dim, labels, { exactLimit: 100_000, sampleItems: m, seed: 3, onProgress: (p) => events.push(p) });
  assert.equal(g.sampled?.items, m);
  assert.equal(g.sampled?.of, n);
  // The scan reports its queries: every event past the set-up heartbeats and before the stage's
  // closing report (done = total = n) counts the m sampled rows.
  const last = events.at(-1)!;
  assert.deepEqual([last.stage, last.done, last.total], ['Class geometry', n, n]);
  const scan = scanEvents(events, n);
  assert.ok(scan.length > 0);
  assert.ok(
    scan.every((p) => p.total === m),
    `scan totals ${[...new Set(scan.map((p) => p.total))]}`,
  );
  assert.equal(scan.at(-1)!.done, m);
  assert.equal(
    g.classes.reduce((a, c) => a + c.count, 0),
    n,
  );
  assert.ok(
    g.classes.every((c) => c.nearestClass !== null),
    'stratified: every class has sampled items',
  );
});

test("the kNN graph follows the inspection's exactLimit (never below 5,000 rows)", async () => {
  const n = 6000,
    dim = 8;
  const { data } = blobs(n, dim, 10, 2, 1);
  assert.equal((await knnGraph(data, n, dim, 5, { exactLimit: 100_000 })).approximate, undefined);
  const approx = await knnGraph(data, n, dim, 5, { exactLimit: 5000 });
  assert.equal(approx.approximate?.method, 'usearch');
  assert.equal((await knnGraph(data.subarray(0, 3000 * dim), 3000, dim, 5, { exactLimit: 0 })).approximate, undefined);
});

test('the inspection stages say how they sampled above exactLimit, and nothing new below it', async () => {
  const n = 800,
    dim = 6;
  const { data, labels } = blobs(n, dim, 8, 13, 1.2);
  const e = {
    vectors: data,
    n,
    dim,
    labels,
    classNames: Array.from({ length: 8 }, (_, c) => `c${c}`),
    paths: Array.from({ length: n }, (_, i) => `p${i}`),
  };
  const graph = await knnGraph(data, n, dim, 10);
  const settings = (exactLimit: number, exact = false) => ({ ...DEFAULT_SETTINGS, metrics: { exactLimit, exact, sampleQueries: 200 } });
  const geometryNote = (notes?: string[]) => notes?.find((x) => x.startsWith('class geometry'));
  const eetNote = (notes?: string[]) => notes?.find((x) => x.startsWith('EET breakdown'));

  const below = await metricsStage(e, graph, settings(100_000), {});
  assert.equal(below.geometry.sampled, undefined);
  assert.equal(geometryNote(below.patch.notes), undefined);
  assert.equal(eetNote((await eetStage(e, settings(100_000), { geometry: below.geometry })).notes), undefined);

  const above = await metricsStage(e, graph, settings(500), {});
  assert.equal(above.geometry.sampled?.items, 200);
  assert.match(
    geometryNote(above.patch.notes)!,
    /^class geometry: nearest class and its distance D\(c,c′\) from 200 of 800 items \(more than 500; seed 42, stratified by class\)/,
  );
  const eet = await eetStage(e, settings(500), { geometry: above.geometry });
  assert.match(eetNote(eet.notes)!, /^EET breakdown from 20 seeded P×K batches of 8×4 \(seed 42\): at most 640 of 800 items/);

  const forced = await metricsStage(e, graph, settings(500, true), {});
  assert.equal(forced.geometry.sampled, undefined, '--exact-metrics makes the geometry exact too');
  assert.deepEqual(forced.geometry, below.geometry);
});

test('the EET breakdown on its own (embedding-lens eet) samples its geometry above 100,000 items too', async () => {
  const { eetBreakdown } = await import('../../../src/core/eet/breakdown');
  const n = 100_500,
    dim = 4;
  const { data, labels } = blobs(n, dim, 20, 8, 1);
  const events: Progress[] = [];
  const b = await eetBreakdown(data, n, dim, labels, { batches: 2, p: 4, k: 2, seed: 6, onProgress: (p) => events.push(p) });
  assert.deepEqual(b.geometry.sampled, { items: 10_000, of: n, seed: 6, design: 'stratified' });
  assert.ok(scanEvents(events, n).every((p) => p.total === 10_000));
});

/** The nearest-class scan's progress: 'Class geometry' events counting scanned rows, not the stage's closing report (n of n). */
function scanEvents(events: Progress[], n: number): Progress[] {
  return events.filter((p) => p.stage === 'Class geometry' && p.done > 0 && !(p.done === n && p.total === n));
}

/** SOP-like labels: `classes` classes of 2–12 items, in a seeded random row order. */
function smallClasses(classes: number, seed: number): Int32Array {
  const r = rng(seed);
  const out: number[] = [];
  for (let c = 0; c < classes; c++) for (let t = 2 + Math.floor(r() * 11); t > 0; t--) out.push(c);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return Int32Array.from(out);
}

test('an exact kNN graph answers the nearest class without the n² scan when every item has another class among its neighbours (SOP)', async () => {
  const labels = smallClasses(400, 3);
  const n = labels.length,
    dim = 8;
  const r = rng(4);
  const centres = Float32Array.from({ length: 400 * dim }, () => r() * 2 - 1);
  const data = Float32Array.from({ length: n * dim }, (_, x) => centres[labels[Math.floor(x / dim)] * dim + (x % dim)] + 0.4 * (r() - 0.5));
  const graph = await knnGraph(data, n, dim, 14);
  const events: Progress[] = [];
  const viaGraph = await classGeometry(data, n, dim, labels, { graph, onProgress: (p) => events.push(p) });
  assert.equal(scanEvents(events, n).length, 0, 'no query was scanned');
  assert.deepEqual(viaGraph, await classGeometry(data, n, dim, labels));
});

test('with large classes the graph answers some items and the scan the rest: the same geometry; an approximate graph is not used', async () => {
  const n = 2100,
    dim = 4;
  const { data, labels } = blobs(n, dim, 5, 13, 1);
  const exact = await classGeometry(data, n, dim, labels);
  const graph = await knnGraph(data, n, dim, 10);
  const events: Progress[] = [];
  const mixed = await classGeometry(data, n, dim, labels, { graph, onProgress: (p) => events.push(p) });
  const scanned = Math.max(0, ...scanEvents(events, n).map((p) => p.total));
  assert.ok(scanned > 0 && scanned < n, `only the items the graph could not answer are scanned (${scanned} of ${n})`);
  mixed.classes.forEach((c, s) => {
    assert.equal(c.nearestClass, exact.classes[s].nearestClass);
    assert.ok(Math.abs(c.minDistance! - exact.classes[s].minDistance!) < 1e-6);
  });
  const approx = await knnGraph(data, n, dim, 10, { approximate: 'usearch' });
  assert.deepEqual(await classGeometry(data, n, dim, labels, { graph: approx }), exact);
});
