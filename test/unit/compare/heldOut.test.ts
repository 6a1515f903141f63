// The comparison after a fine-tune scores the classes it never trained on by default: which rows
// those are, what the header says, when it falls back to every item, and the engine and CLI
// end to end on precomputed embeddings beside a real fine-tune.json record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../../src/core/io/npy';
import {
  heldOutRows,
  runComparison,
  scopeEmbeddings,
  scopeHeadline,
  seenItems,
  subsetEmbeddings,
  trainedClassesOf,
  type ComparisonRun,
} from '../../../src/core/compare';
import type { LabelledEmbeddings } from '../../../src/core/types';
import { fastSettings, tmp } from './helpers';

const NAMES = ['shoe', 'bag', 'mug', 'hat', 'cup', 'pen'];
/** 6 classes × 8 items, class = row % 6; dim 3. */
function embeddings(): LabelledEmbeddings {
  const n = 48;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 6);
  const vectors = Float32Array.from({ length: n * 3 }, (_, t) => labels[Math.floor(t / 3)] + Math.sin(t * 1.3) * 0.3);
  return { vectors, n, dim: 3, labels, classNames: NAMES.slice(), paths: Array.from({ length: n }, (_, i) => `/d/${i}.png`) };
}
const trained = (classes: string[], fineTunes = ['cnn-eet-1']) => ({ fineTunes, classes: new Set(classes), notes: [] });

test('heldOutRows: the rows whose class name was never trained on, and the class counts', () => {
  const e = embeddings();
  const r = heldOutRows(e, new Set(['shoe', 'bag', 'mug', 'hat']));
  assert.equal(r.rows.length, 16);
  assert.ok(r.rows.every((i) => i % 6 >= 4));
  assert.deepEqual([r.classes, r.totalClasses], [2, 6]);
});

test('subsetEmbeddings: rows copied in order, labels renumbered onto the kept classes only', () => {
  const e = embeddings();
  const s = subsetEmbeddings(e, [4, 5, 10, 11]);
  assert.equal(s.n, 4);
  assert.deepEqual(s.classNames, ['cup', 'pen']);
  assert.deepEqual(Array.from(s.labels), [0, 1, 0, 1]);
  assert.deepEqual(s.paths, ['/d/4.png', '/d/5.png', '/d/10.png', '/d/11.png']);
  assert.deepEqual(Array.from(s.vectors.subarray(3, 6)), Array.from(e.vectors.subarray(15, 18)));
});

test('scopeEmbeddings: held-out by default with the header "2 held-out classes, 16 items" and the small-split warning', () => {
  const { embeddings: held, scope } = scopeEmbeddings(embeddings(), trained(['shoe', 'bag', 'mug', 'hat']), 'held-out');
  assert.equal(held.n, 16);
  assert.deepEqual(held.classNames, ['cup', 'pen']);
  assert.equal(scope.items, 'held-out');
  assert.deepEqual([scope.totalItems, scope.heldOutItems, seenItems(scope), scope.heldOutClasses, scope.totalClasses], [48, 16, 32, 2, 6]);
  assert.equal(scopeHeadline(scope), 'Evaluated on the 2 held-out classes, 16 items — the classes cnn-eet-1 never trained on');
  assert.match(scope.warning ?? '', /^Only 2 classes, 16 items held out/);
  // 6 classes cannot hold out 5 and keep 2 to train on: the dataset's own split is suggested.
  assert.match(scope.warning ?? '', /--validation split/);
  assert.equal(scope.fallback, undefined);
});

test('scopeEmbeddings: "all" keeps every item and says how many were seen in training', () => {
  const e = embeddings();
  const { embeddings: all, scope } = scopeEmbeddings(e, trained(['shoe', 'bag', 'mug', 'hat']), 'all');
  assert.equal(all, e);
  assert.equal(scope.items, 'all');
  assert.equal(scopeHeadline(scope), 'All 48 items — 32 of them seen in training (the classes cnn-eet-1 trained on)');
});

test('scopeEmbeddings: too little held out to score alone falls back to every item and says why', () => {
  const one = scopeEmbeddings(embeddings(), trained(['shoe', 'bag', 'mug', 'hat', 'cup']), 'held-out');
  assert.equal(one.scope.items, 'all');
  assert.equal(one.embeddings.n, 48);
  assert.match(one.scope.fallback ?? '', /only 1 class .* held out/);
  const none = scopeEmbeddings(embeddings(), trained(NAMES), 'held-out');
  assert.equal(none.scope.items, 'all');
  assert.match(none.scope.fallback ?? '', /trained on every one/);
  assert.equal(seenItems(none.scope), 48);
});

test('a held-out part of at least 5 classes and 200 items gets no warning', () => {
  const n = 1000;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  const e: LabelledEmbeddings = {
    vectors: new Float32Array(n),
    n,
    dim: 1,
    labels,
    classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
    paths: [],
  };
  const { scope } = scopeEmbeddings(e, trained(['c0', 'c1', 'c2', 'c3', 'c4']), 'held-out');
  assert.deepEqual([scope.heldOutClasses, scope.heldOutItems], [5, 500]);
  assert.equal(scope.warning, undefined);
});

let dir = '';
let original = '';
let fineTuned = '';
let older = '';
let labels = '';

before(async () => {
  dir = tmp();
  const e = embeddings();
  original = join(dir, 'a.npy');
  await writeNpy(original, e.vectors, [e.n, e.dim]);
  // The fine-tune's folder and its record, as src/core/train/run.ts writes it.
  mkdirSync(join(dir, 'a-eet-1'));
  fineTuned = join(dir, 'a-eet-1', 'a.npy');
  await writeNpy(
    fineTuned,
    e.vectors.map((v, t) => v * 1.5 + Math.cos(t) * 0.2),
    [e.n, e.dim],
  );
  writeFileSync(
    join(dir, 'a-eet-1', 'fine-tune.json'),
    JSON.stringify({ validation: { trainedClasses: ['shoe', 'bag', 'mug', 'hat'], heldOutClasses: ['cup', 'pen'] } }),
  );
  // A record from before the classes were written.
  mkdirSync(join(dir, 'old-eet-1'));
  older = join(dir, 'old-eet-1', 'a.npy');
  await writeNpy(older, e.vectors, [e.n, e.dim]);
  writeFileSync(join(dir, 'old-eet-1', 'fine-tune.json'), JSON.stringify({ validation: { description: 'class-disjoint' } }));
  labels = join(dir, 'labels.txt');
  writeFileSync(labels, Array.from({ length: e.n }, (_, i) => NAMES[i % 6]).join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('trainedClassesOf: the fine-tune beside either checkpoint; an older record is named in the notes', () => {
  assert.equal(trainedClassesOf([original, original]), undefined);
  const t = trainedClassesOf([original, fineTuned])!;
  assert.deepEqual(t.fineTunes, ['a-eet-1']);
  assert.deepEqual([...t.classes].sort(), ['bag', 'hat', 'mug', 'shoe']);
  const o = trainedClassesOf([older, original])!;
  assert.deepEqual(o.fineTunes, []);
  assert.match(o.notes[0], /old-eet-1 is a fine-tune whose fine-tune\.json does not name the classes/);
});

function done(run: ComparisonRun): Extract<ComparisonRun, { cancelled: false }> {
  assert.equal(run.cancelled, false);
  return run as Extract<ComparisonRun, { cancelled: false }>;
}

test('runComparison after a fine-tune scores the held-out classes by default, every item when asked', async () => {
  const held = done(await runComparison({ checkpointA: original, checkpointB: fineTuned, dataset: labels, settings: fastSettings }));
  assert.equal(held.data.a.items!.n, 16);
  assert.equal(held.data.b.items!.n, 16);
  assert.deepEqual(held.data.a.items!.classNames, ['cup', 'pen']);
  assert.equal(held.data.scope?.items, 'held-out');
  assert.deepEqual(held.data.classes.map((c) => c.name).sort(), ['cup', 'pen']);
  const all = done(
    await runComparison({ checkpointA: original, checkpointB: fineTuned, dataset: labels, settings: fastSettings, items: 'all' }),
  );
  assert.equal(all.data.a.items!.n, 48);
  assert.equal(all.data.scope?.items, 'all');
  assert.equal(seenItems(all.data.scope!), 32);
  // Without a fine-tune record nothing changes: every item, no scope.
  const plain = done(await runComparison({ checkpointA: original, checkpointB: original, dataset: labels, settings: fastSettings }));
  assert.equal(plain.data.a.items!.n, 48);
  assert.equal(plain.data.scope, undefined);
  // An older record: every item, and the note says why.
  const old = done(await runComparison({ checkpointA: original, checkpointB: older, dataset: labels, settings: fastSettings }));
  assert.equal(old.data.scope, undefined);
  assert.ok(old.data.b.notes?.some((n) => n.includes('does not name the classes')));
});

test('embedding-lens compare: held-out by default (JSON "items", stderr line and warning), --items all, bad --items', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'compare', ...args], { encoding: 'utf8' });
  const fast = ['--no-cache', '--epochs', '10', '--batches', '2', '--pk', '2,3', '--k', '4'];
  const r = cli([original, fineTuned, labels, ...fast]);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.items.items, 'held-out');
  assert.equal(json.items.heldOutItems, 16);
  assert.equal(json.items.seenItems, 32);
  assert.match(json.items.summary, /^Evaluated on the 2 held-out classes, 16 items/);
  assert.match(r.stderr, /Evaluated on the 2 held-out classes, 16 items/);
  assert.match(r.stderr, /warning: Only 2 classes, 16 items held out/);
  const all = cli([original, fineTuned, labels, ...fast, '--items', 'all']);
  assert.equal(all.status, 0, all.stderr);
  assert.equal(JSON.parse(all.stdout).items.items, 'all');
  assert.match(all.stderr, /All 48 items — 32 of them seen in training/);
  const bad = cli([original, fineTuned, labels, '--items', 'some']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--items expects held-out or all/);
});

test("the compare panel's items toggle message is checked like every webview message", async () => {
  const { validateWebviewMessage, ProtocolError } = await import('../../../src/protocol');
  assert.deepEqual(validateWebviewMessage({ type: 'compareItems', items: 'all' }), { type: 'compareItems', items: 'all' });
  assert.deepEqual(validateWebviewMessage({ type: 'compareItems', items: 'held-out', extra: 1 }), {
    type: 'compareItems',
    items: 'held-out',
  });
  assert.throws(() => validateWebviewMessage({ type: 'compareItems', items: 'train' }), ProtocolError);
  assert.throws(() => validateWebviewMessage({ type: 'compareItems' }), ProtocolError);
});
