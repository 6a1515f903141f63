import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DEMO_DEFAULTS, runDemo, type DemoSummary } from '../../../src/demo/run';
import { FASHION_MNIST_HELD_OUT, PRODUCT_HELD_OUT } from '../../../src/demo/classSplit';
import { FASHION_MNIST_CLASSES, fashionMnistFolderName, PRODUCT_CLASSES } from '../../../src/demo';
import { layoutSeparation } from '../../../src/demo/separation';
import { runInspection } from '../../../src/core/inspect/pipeline';
import { DEFAULT_SETTINGS } from '../../../src/core/inspect/settings';
import { LensError } from '../../../src/core/errors';
import { scratch, writeTinyIdx } from './helpers';

const tmp = scratch('demo-heldout');
after(tmp.cleanup);

/** Every image file under root, as absolute paths. */
function images(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.png'))
    .map((p) => join(root, p));
}

// A reduced demo (60 images per trained class, 20 per held-out class, the demo's 20 epochs and
// seed): about 10 s here. Measured held-out R@1 0.281 → 0.825 with these seeds, so the "at least
// doubles" assertion has margin and is not a coin toss.
const out = join(tmp.dir, 'P');
let summary: DemoSummary;
const ready = (async () => {
  summary = await runDemo({
    out,
    source: 'products',
    perClass: 60,
    heldOutPerClass: 20,
    epochs: DEMO_DEFAULTS.epochs,
    lr: DEMO_DEFAULTS.lr,
    seed: DEMO_DEFAULTS.seed,
  });
})();
ready.catch(() => undefined); // each test awaits it and reports the failure itself

test('the classes split into trained and held-out halves that share nothing', async () => {
  await ready;
  assert.deepEqual(summary.heldOut.classes, [...PRODUCT_HELD_OUT].sort());
  assert.deepEqual([...summary.trainedOn.classes, ...summary.heldOut.classes].sort(), PRODUCT_CLASSES.map((c) => c.name).sort());
  assert.equal(summary.heldOut.items, PRODUCT_HELD_OUT.length * 20);
  assert.equal(summary.trainedOn.items, (PRODUCT_CLASSES.length - PRODUCT_HELD_OUT.length) * 60);
  const trainedImages = images(summary.trainedOn.root);
  const heldImages = images(summary.heldOut.root);
  assert.equal(trainedImages.length, summary.trainedOn.items);
  assert.equal(heldImages.length, summary.heldOut.items);
  // No held-out image lies inside the trained folder, and no class folder appears in both.
  for (const p of trainedImages) assert.ok(!p.startsWith(summary.heldOut.root + sep), p);
  const classOf = (root: string, p: string) => relative(root, p).split(sep)[0];
  const trainedClasses = new Set(trainedImages.map((p) => classOf(summary.trainedOn.root, p)));
  for (const p of heldImages) assert.ok(!trainedClasses.has(classOf(summary.heldOut.root, p)), `${p} is of a trained class`);
});

test('the fine-tune read the trained folder only: never a held-out item', async () => {
  await ready;
  // The fine-tune's own record of what it trained on (written by the training worker).
  const record = JSON.parse(readFileSync(join(out, 'checkpoint-eet', 'fine-tune.json'), 'utf8'));
  assert.equal(record.dataset, summary.trainedOn.root);
  // Its training plus its own validation items are exactly the trained folder's images: the
  // held-out classes played no part, not even in picking the best epoch.
  assert.equal(record.validation.trainItems + record.validation.valItems, images(summary.trainedOn.root).length);
  assert.ok(!readFileSync(join(out, 'checkpoint-eet', 'fine-tune.json'), 'utf8').includes(summary.heldOut.root));
});

test("summary's held-out figures are the before / after inspections of the held-out set", async () => {
  await ready;
  const settings = { ...DEFAULT_SETTINGS, umap: { ...DEFAULT_SETTINGS.umap, seed: DEMO_DEFAULTS.seed } };
  for (const [side, checkpoint] of [
    ['before', summary.checkpoints.before],
    ['after', summary.checkpoints.after],
  ] as const) {
    // Recomputed from scratch (no cache) on the held-out folder.
    const run = await runInspection({ checkpoint, dataset: summary.heldOut.root, settings }, {});
    assert.equal(run.embeddings!.n, summary.heldOut.items);
    for (const p of run.embeddings!.paths) assert.ok(p.startsWith(summary.heldOut.root + sep), p);
    const m = run.data.metrics!;
    const row = (k: string) => summary.headline.find((r) => r.metric === k)![side];
    assert.ok(Math.abs(row('recall@1') - m.recallAtK.find((r) => r.k === 1)!.value) < 1e-6, `${side} recall@1`);
    assert.ok(Math.abs(row('map@r') - m.mapAtR) < 1e-6, `${side} map@r`);
    const sep2 = layoutSeparation(run.data.layout!.umap!, run.embeddings!.labels);
    assert.ok(Math.abs(summary.separation[side].knnAccuracy - sep2.knnAccuracy) < 1e-9, `${side} map kNN accuracy`);
  }
  // The reports say what they are about.
  for (const file of ['before.html', 'after.html', 'compare.html']) {
    const html = readFileSync(join(out, file), 'utf8');
    assert.match(html, /held-out classes \(never trained on\)/, file);
  }
  assert.match(summary.protocol, /never saw/);
});

test('held-out R@1 at least doubles and the held-out classes separate on the map', async () => {
  await ready;
  const r1 = summary.headline.find((r) => r.metric === 'recall@1')!;
  assert.ok(r1.after >= 2 * r1.before, `held-out R@1 ${r1.before.toFixed(3)} → ${r1.after.toFixed(3)}`);
  assert.ok(summary.recallAt1Gain >= 2);
  const { before, after: a } = summary.separation;
  assert.ok(a.knnAccuracy >= before.knnAccuracy + 0.2, `map kNN accuracy ${before.knnAccuracy} → ${a.knnAccuracy}`);
  assert.ok(a.silhouette > before.silhouette + 0.1, `map silhouette ${before.silhouette} → ${a.silhouette}`);
});

test('--fashion-mnist without the data says so before any folder is made', async () => {
  const target = join(tmp.dir, 'FM');
  await assert.rejects(
    runDemo({
      out: target,
      source: 'fashion-mnist',
      perClass: 4,
      heldOutPerClass: 4,
      epochs: 1,
      lr: 1e-3,
      seed: 1,
      fashionMnistDir: join(tmp.dir, 'no-such-folder'),
    }),
    (err) => err instanceof LensError && /Fashion-MNIST/.test(err.message),
  );
  assert.ok(!existsSync(target));
});

test('--fashion-mnist runs the same held-out protocol (IDX files standing in for the Debian package)', async () => {
  // Synthetic pixels: this checks the split and the plumbing, not how well Fashion-MNIST trains.
  const src = join(tmp.dir, 'fmnist-src');
  writeTinyIdx(src, 't10k', 6, false);
  const s = await runDemo({
    out: join(tmp.dir, 'FMOK'),
    source: 'fashion-mnist',
    perClass: 6,
    heldOutPerClass: 6,
    epochs: 1,
    lr: 1e-3,
    seed: 1,
    fashionMnistDir: src,
  });
  const held = FASHION_MNIST_HELD_OUT.map((c) => fashionMnistFolderName(FASHION_MNIST_CLASSES[c])).sort();
  assert.deepEqual(s.heldOut.classes, held);
  assert.equal(s.heldOut.items, held.length * 6);
  assert.equal(s.trainedOn.classes.length, 10 - held.length);
  assert.ok(s.trainedOn.classes.every((c) => !held.includes(c)));
  const record = JSON.parse(readFileSync(join(s.output, 'checkpoint-eet', 'fine-tune.json'), 'utf8'));
  assert.equal(record.dataset, s.trainedOn.root);
});

test('layoutSeparation: perfect clusters score 1, identical points of two classes do not', () => {
  const apart = new Float32Array([0, 0, 0.1, 0, 0, 0.1, 10, 10, 10.1, 10, 10, 10.1]);
  const labels = [0, 0, 0, 1, 1, 1];
  const s = layoutSeparation(apart, labels, 2);
  assert.equal(s.knnAccuracy, 1);
  assert.ok(s.silhouette > 0.95);
  const mixed = layoutSeparation(new Float32Array([0, 0, 0, 1, 0, 2, 0, 3]), [0, 1, 0, 1], 1);
  assert.equal(mixed.knnAccuracy, 0);
  assert.ok(mixed.silhouette < 0);
});
