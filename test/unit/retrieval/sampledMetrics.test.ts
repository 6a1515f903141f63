import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrievalMetrics, queryGalleryMetrics } from '../../../src/core/retrieval/metrics';
import { allocate, estimateMean, sampleQueries } from '../../../src/core/retrieval/sampledMetrics';
import { blobs } from './helpers';

const KEYS = ['recall@1', 'recall@4', 'precision@1', 'r_precision', 'map@r', 'mrr'];

/** How many of `seeds` sampled runs have a 95% CI that covers the exact value, per metric. */
async function coverage(data: Float32Array, n: number, dim: number, labels: Int32Array, m: number, seeds: number[]) {
  const exact = await retrievalMetrics(data, n, dim, labels, { ks: [1, 4] });
  assert.equal(exact.sampled, undefined);
  const covered = Object.fromEntries(KEYS.map((k) => [k, 0]));
  const designs = new Set<string>();
  for (const seed of seeds) {
    const rep = await retrievalMetrics(data, n, dim, labels, { ks: [1, 4], exactLimit: 0, sampleQueries: m, seed });
    assert.ok(rep.sampled, 'above the limit the metrics are sampled');
    assert.equal(rep.sampled.queries, m);
    assert.equal(rep.sampled.of, n);
    assert.equal(rep.overall.queries, n);
    designs.add(rep.sampled.method.split(' ')[0]);
    for (const k of KEYS) {
      const ci = rep.sampled.ci95[k];
      assert.ok(ci > 0 && ci < 0.2, `${k} ci ${ci}`);
      if (Math.abs((rep.overall[k] as number) - (exact.overall[k] as number)) <= ci) covered[k]++;
    }
  }
  return { covered, designs };
}

test('stratified sample: the 95% CI covers the exact value on most seeds', async () => {
  const n = 3000,
    dim = 8;
  const { data, labels } = blobs(n, dim, 10, 5, 2.2);
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const { covered, designs } = await coverage(data, n, dim, labels, 400, seeds);
  assert.deepEqual([...designs], ['stratified']);
  // Nominal 95%: 10 seeds may miss once by chance; two misses would mean a broken interval.
  for (const k of KEYS) assert.ok(covered[k] >= 9, `${k} covered on ${covered[k]} of 10 seeds`);
});

test('many small classes: the systematic design, its CI still covers the exact value', async () => {
  const n = 3000,
    dim = 8;
  const { data, labels } = blobs(n, dim, 600, 6, 1.0);
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const { covered, designs } = await coverage(data, n, dim, labels, 400, seeds);
  assert.deepEqual([...designs], ['systematic']);
  for (const k of KEYS) assert.ok(covered[k] >= 9, `${k} covered on ${covered[k]} of 10 seeds`);
});

test('a sample as large as the query set is the exact computation', async () => {
  const n = 900,
    dim = 6;
  const { data, labels } = blobs(n, dim, 9, 7, 1.5);
  const exact = await retrievalMetrics(data, n, dim, labels, { ks: [1, 2] });
  const all = await retrievalMetrics(data, n, dim, labels, { ks: [1, 2], exactLimit: 0, sampleQueries: n, seed: 3 });
  assert.equal(all.sampled, undefined);
  assert.deepEqual(all, exact);
});

test('the stratified estimator over a census is the exact mean with a zero-width interval', () => {
  const values = Float64Array.from([1, 0, 1, 1, 0.5, 0.25, 0, 1]);
  const strata = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2]);
  const sizes = new Map([
    [0, 3],
    [1, 3],
    [2, 2],
  ]);
  const est = estimateMean(values, strata, sizes, 'stratified');
  assert.ok(Math.abs(est.value - values.reduce((a, b) => a + b, 0) / 8) < 1e-12);
  assert.equal(est.ci95, 0);
});

test('the sample is seeded, stratified, at least two per class, and never picks excluded queries', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 10 ? 99 : i % 7));
  // Class 99 has no gallery partner (R = 0): excluded, never sampled.
  const r = Int32Array.from(labels, (l) => (l === 99 ? 0 : 141));
  const a = sampleQueries(labels, r, 50, 4)!;
  assert.deepEqual(a, sampleQueries(labels, r, 50, 4));
  assert.notDeepEqual(a.picks, sampleQueries(labels, r, 50, 5)!.picks);
  assert.equal(a.design, 'stratified');
  assert.equal(a.picks.length, 50);
  assert.equal(new Set(a.picks).size, 50);
  const per = new Map<number, number>();
  for (const q of a.picks) per.set(labels[q], (per.get(labels[q]) ?? 0) + 1);
  assert.equal(per.get(99), undefined);
  for (let c = 0; c < 7; c++) assert.ok((per.get(c) ?? 0) >= 7, `class ${c}: ${per.get(c)}`);
  assert.equal(sampleQueries(labels, r, 990, 1), null, 'a sample covering every scored query is no sample');
  assert.deepEqual(
    allocate([1, 5, 100], 20, (s) => Math.min(s, 2)),
    [1, 2, 17],
  );
  assert.throws(() => sampleQueries(labels, r, 0, 1), /at least 2 queries/);
});

test('sampled run: excluded queries counted exactly, per-class sampled counts, query-gallery too', async () => {
  const n = 1200,
    dim = 6;
  const { data, labels } = blobs(n, dim, 12, 8, 1.2);
  labels[0] = 500; // a singleton class: excluded in leave-one-out
  const rep = await retrievalMetrics(data, n, dim, labels, { ks: [1], exactLimit: 1000, sampleQueries: 240, seed: 2 });
  assert.ok(rep.sampled);
  assert.equal(rep.overall.excluded_queries, 1);
  assert.equal(rep.sampled.queries, 240);
  const counts = rep.perClass.map((c) => c.metrics.sampled_queries as number);
  assert.equal(
    counts.reduce((a, b) => a + b, 0),
    240,
  );
  assert.equal(rep.perClass.find((c) => c.label === 500)!.metrics.sampled_queries, 0);
  assert.equal(
    rep.perClass.reduce((a, c) => a + (c.metrics.queries as number), 0),
    n,
  );

  const q = blobs(300, dim, 6, 9, 1.0);
  const g = blobs(900, dim, 6, 9, 1.0);
  const exact = await queryGalleryMetrics({ ...q, n: 300, dim }, { ...g, n: 900, dim }, { ks: [1] });
  const sampled = await queryGalleryMetrics(
    { ...q, n: 300, dim },
    { ...g, n: 900, dim },
    { ks: [1], exactLimit: 0, sampleQueries: 120, seed: 1 },
  );
  assert.equal(sampled.sampled?.of, 300);
  assert.ok(Math.abs((sampled.overall['map@r'] as number) - (exact.overall['map@r'] as number)) <= sampled.sampled!.ci95['map@r'] * 1.5);
});

test('embedding-lens metrics: --exact-limit samples (JSON: sampled, *_ci95, per-class sampled_queries), --exact-metrics does not', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeNpy } = await import('../../../src/core/io/npy');
  const dir = mkdtempSync(join(tmpdir(), 'lens-sampled-cli-'));
  try {
    const n = 1500,
      dim = 8;
    const { data, labels } = blobs(n, dim, 15, 12, 1.4);
    const e = join(dir, 'E.npy');
    const l = join(dir, 'L.npy');
    await writeNpy(e, data, [n, dim]);
    await writeNpy(l, labels, [n]);
    const cli = (...extra: string[]) => {
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'metrics', '--embeddings', e, '--labels', l, '--k', '1,4', ...extra],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout);
    };
    const s = cli('--exact-limit', '1000', '--sample-queries', '300', '--seed', '3');
    assert.deepEqual(Object.keys(s.sampled), ['queries', 'of', 'seed', 'method']);
    assert.equal(s.sampled.queries, 300);
    assert.equal(s.sampled.of, n);
    assert.equal(s.sampled.seed, 3);
    for (const k of ['recall@1', 'recall@4', 'precision@1', 'r_precision', 'map@r', 'mrr'])
      assert.equal(typeof s[`${k}_ci95`], 'number', k);
    assert.equal(
      s.per_class.reduce((a: number, c: { sampled_queries: number }) => a + c.sampled_queries, 0),
      300,
    );
    const x = cli('--exact-limit', '1000', '--sample-queries', '300', '--exact-metrics');
    assert.equal(x.sampled, undefined);
    assert.equal(x['recall@1_ci95'], undefined);
    const exact = await retrievalMetrics(data, n, dim, labels, { ks: [1, 4] });
    assert.equal(x['map@r'], exact.overall['map@r']);
    assert.ok(Math.abs(s['map@r'] - (x['map@r'] as number)) <= s['map@r_ci95'] * 1.5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the inspection metrics stage: above exactLimit the header carries the sample and CIs, classes their sample counts, notes the method', async () => {
  const { metricsStage } = await import('../../../src/core/inspect/metricsStage');
  const { knnGraph } = await import('../../../src/core/retrieval/knn');
  const { DEFAULT_SETTINGS } = await import('../../../src/core/inspect/settings');
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
  const run = (exactLimit: number, exact = false, sampleQueries?: number) =>
    metricsStage(e, graph, { ...DEFAULT_SETTINGS, metrics: { exactLimit, exact, sampleQueries } }, {});
  const exact = await run(100_000);
  assert.equal(exact.patch.metrics!.sampled, undefined);
  assert.ok(exact.patch.classes!.every((c) => c.sampledQueries === undefined));
  // n = 800 > 500 but the default sample (10,000) covers every query: exact, nothing sampled.
  assert.equal((await run(500)).patch.metrics!.sampled, undefined);
  assert.equal((await run(0, true)).patch.metrics!.sampled, undefined);
  const s = (await run(500, false, 200)).patch;
  assert.deepEqual(
    { ...s.metrics!.sampled!, method: undefined, ci95: undefined },
    { queries: 200, of: n, seed: 42, method: undefined, ci95: undefined },
  );
  assert.ok(s.metrics!.sampled!.ci95['map@r'] > 0);
  assert.equal(
    s.classes!.reduce((a, c) => a + (c.sampledQueries ?? 0), 0),
    200,
  );
  assert.equal((await run(500, true, 200)).patch.metrics!.sampled, undefined, 'exact forces every query');
  const note = s.notes!.find((x) => x.startsWith('retrieval metrics from'))!;
  assert.match(
    note,
    /^retrieval metrics from 200 of 800 queries \(seed 42; more than 500 items\), each ranked exactly against the whole gallery; ± is a 95% confidence interval — stratified by class/,
  );
});
