// The staged inspection that both the panel and `embedding-lens inspect` run: every stage delivers
// its patch in order, the numbers are the engines' own, one kNN graph serves neighbours and UMAP,
// and cancelling keeps what was already delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { makeProductImages } from '../../../src/demo';
import { resumeUmap, runInspection, type StageName } from '../../../src/core/inspect/pipeline';
import { DEFAULT_SETTINGS } from '../../../src/core/inspect/settings';
import { retrievalMetrics } from '../../../src/core/retrieval/metrics';
import { eetBreakdown } from '../../../src/core/eet/breakdown';
import { decodeInspection } from '../../../src/protocol';

const onnx = join(__dirname, '../../fixtures/models/tiny-cnn.onnx');
const root = mkdtempSync(join(tmpdir(), 'lens-inspect-'));
const datasetReady = makeProductImages(join(root, 'products'), { classes: 4, perClass: 8, size: 24 });
const settings = {
  ...DEFAULT_SETTINGS,
  neighborsK: 5,
  umap: { ...DEFAULT_SETTINGS.umap, epochs: 50 },
  eet: { ...DEFAULT_SETTINGS.eet, batches: 4, pk: [3, 4] as [number, number] },
};

test("stages arrive in order with the engines' own numbers", async () => {
  const { root: dataset } = await datasetReady;
  const stages: StageName[] = [];
  let frames = 0;
  const run = await runInspection(
    { checkpoint: onnx, dataset, settings },
    {
      patch: (stage) => stages.push(stage),
      frame: () => frames++,
    },
  );
  assert.equal(run.cancelled, false);
  assert.deepEqual(stages, ['embed', 'pca', 'metrics', 'eet', 'umap']);
  assert.ok(frames > 0, 'UMAP streamed intermediate layouts');
  const d = run.data;
  const e = run.embeddings!;
  assert.equal(d.items!.n, 32);
  assert.deepEqual(d.items!.classNames, ['boot', 'bottle', 'mug', 'sneaker']);
  assert.equal(d.layout!.pca!.length, 64);
  assert.equal(d.layout!.umap!.length, 64);
  // Neighbours: K per item, self excluded, from the same graph UMAP used.
  assert.equal(d.neighbours!.k, 5);
  for (let i = 0; i < 32; i++) assert.ok(!d.neighbours!.indices.subarray(i * 5, i * 5 + 5).includes(i));
  assert.ok(run.graph!.k >= settings.umap.nNeighbors - 1);
  // Metrics and EET equal the engines run directly on the same embeddings.
  const own = await retrievalMetrics(e.vectors, e.n, e.dim, e.labels, { ks: settings.recallAtK });
  for (const r of d.metrics!.recallAtK) assert.equal(r.value, own.overall[`recall@${r.k}`]);
  assert.equal(d.metrics!.mapAtR, own.overall['map@r']);
  assert.equal(d.classes!.length, 4);
  for (const c of d.classes!) assert.equal(c.mapAtR, own.perClass.find((p) => p.label === c.classIndex)!.metrics['map@r']);
  const eet = await eetBreakdown(e.vectors, e.n, e.dim, e.labels, {
    batches: 4,
    p: 3,
    k: 4,
    seed: settings.umap.seed,
    eet: { margin: 0.3, weights: [1, 1, 1], normalize: true },
  });
  assert.equal(d.eet!.terms.total.mean, eet.terms.total.mean);
  assert.deepEqual(
    d.timings!.map((t) => t.stage),
    stages,
  );
});

test('cancelling after the metrics keeps the delivered stages and reports cancelled', async () => {
  const { root: dataset } = await datasetReady;
  const controller = new AbortController();
  const stages: StageName[] = [];
  const run = await runInspection(
    { checkpoint: onnx, dataset, settings },
    {
      patch: (stage) => {
        stages.push(stage);
        if (stage === 'metrics') controller.abort();
      },
    },
    { signal: controller.signal },
  );
  assert.equal(run.cancelled, true);
  assert.deepEqual(stages, ['embed', 'pca', 'metrics']);
  assert.ok(run.data.metrics && run.data.items && run.data.layout?.pca, 'what was done is kept');
  assert.equal(run.data.layout?.umap, undefined);
});

test('a second run with a cache reuses the embeddings and the layout', async () => {
  const { root: dataset } = await datasetReady;
  const cacheDir = join(root, 'cache');
  const first = await runInspection({ checkpoint: onnx, dataset, settings, cacheDir }, {});
  const second = await runInspection({ checkpoint: onnx, dataset, settings, cacheDir }, {});
  assert.equal(second.embedding!.fromCache, true);
  assert.ok(second.data.details!.includes('embeddings loaded from the cache'));
  assert.ok(second.data.details!.includes('metrics, EET breakdown and map loaded from the cache'));
  assert.deepEqual(second.data.layout!.umap, first.data.layout!.umap);
  assert.deepEqual(second.data.metrics, first.data.metrics);
  assert.deepEqual(second.data.classes, first.data.classes);
  assert.deepEqual(second.data.eet, first.data.eet);
  assert.deepEqual(second.data.neighbours, first.data.neighbours);
  assert.equal(second.graph!.k, settings.neighborsK, 'the neighbour table stands in for the graph');
  // A setting that changes a number is a different entry: the EET stage runs again.
  const other = await runInspection(
    { checkpoint: onnx, dataset, settings: { ...settings, eet: { ...settings.eet, margin: 0.5 } }, cacheDir },
    {},
  );
  assert.ok(!other.data.details?.includes('metrics, EET breakdown and map loaded from the cache'));
  assert.equal(other.data.eet!.settings.margin, 0.5);
});

test('a cancelled run leaves no cached result behind', async () => {
  const { root: dataset } = await datasetReady;
  const cacheDir = join(root, 'cache-cancel');
  const controller = new AbortController();
  await runInspection(
    { checkpoint: onnx, dataset, settings, cacheDir },
    { patch: (stage) => stage === 'eet' && controller.abort() },
    { signal: controller.signal },
  );
  const again = await runInspection({ checkpoint: onnx, dataset, settings, cacheDir }, {});
  assert.ok(!again.data.details?.includes('metrics, EET breakdown and map loaded from the cache'));
  assert.ok(again.data.layout!.umap);
});

test('a UMAP cancelled mid-way leaves its last layout marked partial; Resume finishes it as if never stopped', async () => {
  const { root: dataset } = await datasetReady;
  const cacheDir = join(root, 'cache-partial');
  const long = { ...settings, umap: { ...settings.umap, epochs: 200 } };
  const full = await runInspection({ checkpoint: onnx, dataset, settings: long }, {});
  const controller = new AbortController();
  const run = await runInspection(
    { checkpoint: onnx, dataset, settings: long, cacheDir },
    { frame: (_xy, epoch) => epoch >= 40 && controller.abort() },
    { signal: controller.signal },
  );
  assert.equal(run.cancelled, true);
  const partial = run.data.layout!.umapPartial!;
  assert.ok(partial.epoch >= 40 && partial.epoch < 200, `stopped at ${partial.epoch}`);
  assert.equal(partial.epochs, 200);
  assert.equal(run.data.layout!.umap!.length, 64);
  // A restored panel shows it as it was left (from the cache, no UMAP run).
  let frames = 0;
  const shown = await runInspection(
    { checkpoint: onnx, dataset, settings: long, cacheDir, stoppedUmap: 'show' },
    { frame: () => frames++ },
  );
  assert.deepEqual(shown.data.layout!.umapPartial, partial);
  assert.deepEqual(shown.data.layout!.umap, run.data.layout!.umap);
  assert.equal(frames, 0);
  // Resume continues the same schedule: the uninterrupted run's layout, bit for bit.
  const stages: StageName[] = [];
  const resumed = await resumeUmap(
    shown,
    { checkpoint: onnx, dataset, settings: long, cacheDir },
    { patch: (stage) => stages.push(stage) },
  );
  assert.deepEqual(stages, ['umap']);
  assert.equal(resumed.data.layout!.umapPartial, undefined);
  assert.deepEqual(resumed.data.layout!.umap, full.data.layout!.umap);
  assert.equal(resumed.data.timings!.filter((t) => t.stage === 'umap').length, 1);
  // …and cached as finished: the next run takes everything from the cache.
  const again = await runInspection({ checkpoint: onnx, dataset, settings: long, cacheDir }, {});
  assert.ok(again.data.details!.includes('metrics, EET breakdown and map loaded from the cache'));
  assert.deepEqual(again.data.layout!.umap, full.data.layout!.umap);
  await assert.rejects(resumeUmap(again, { checkpoint: onnx, dataset, settings: long, cacheDir }, {}), /no stopped UMAP layout to resume/);
});

test('a new inspection resumes a stopped UMAP it finds in the cache', async () => {
  const { root: dataset } = await datasetReady;
  const cacheDir = join(root, 'cache-partial-2');
  const long = { ...settings, umap: { ...settings.umap, epochs: 150 } };
  const controller = new AbortController();
  await runInspection(
    { checkpoint: onnx, dataset, settings: long, cacheDir },
    { frame: (_xy, epoch) => epoch >= 30 && controller.abort() },
    { signal: controller.signal },
  );
  const epochs: number[] = [];
  const next = await runInspection({ checkpoint: onnx, dataset, settings: long, cacheDir }, { frame: (_xy, epoch) => epochs.push(epoch) });
  assert.ok(epochs[0] > 30, `frames start after the stop, got ${epochs[0]}`);
  assert.equal(next.data.layout!.umapPartial, undefined);
  const full = await runInspection({ checkpoint: onnx, dataset, settings: long }, {});
  assert.deepEqual(next.data.layout!.umap, full.data.layout!.umap);
});

test('embedding-lens inspect: JSON summary and a self-contained report; bad usage exits 2', async () => {
  const { root: dataset } = await datasetReady;
  const out = join(root, 'report.html');
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, '../../../src/cli.ts'), ...args], {
      encoding: 'utf8',
      timeout: 240_000,
    });
  const ok = cli(['inspect', onnx, dataset, '--out', out, '--no-cache', '--epochs', '30', '--batches', '3', '--pk', '3,4', '--k', '4']);
  assert.equal(ok.status, 0, ok.stderr);
  const summary = JSON.parse(ok.stdout);
  assert.equal(summary.items, 32);
  assert.equal(summary.classes, 4);
  for (const k of ['recall@1', 'recall@2', 'recall@4', 'recall@8', 'map@r', 'r_precision', 'precision@1', 'mrr', 'nmi', 'ami'])
    assert.equal(typeof summary.metrics[k], 'number', k);
  assert.ok(existsSync(out));
  const html = readFileSync(out, 'utf8');
  assert.match(html, /Content-Security-Policy/);
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org)/, 'no remote origins');
  const data = decodeInspection(/<script type="application\/json" id="lens-data">([\s\S]*?)<\/script>/.exec(html)![1]);
  assert.equal(data.items!.n, 32);
  assert.ok(
    data.items!.thumbnails!.every((t) => t.startsWith('data:image/')),
    'thumbnails inlined',
  );
  assert.equal(data.metrics!.mapAtR, summary.metrics['map@r']);
  const bad = cli(['inspect']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /checkpoint is required/);
  assert.equal(cli(['inspect', onnx, dataset, '--theme', 'purple']).status, 2);
});
