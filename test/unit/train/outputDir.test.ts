import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertWritableOutDir,
  earlierRun,
  FINE_TUNE_FILE,
  keepOrReplaceQuestion,
  replaceEarlierRun,
  runDirFor,
} from '../../../src/core/train/checkpointWriter';
import { swapIntoPlace } from '../../../src/core/util/atomicDir';
import { assertDemoOwned, claimDemoFolder, DEMO_MARKER, recordDemoPath } from '../../../src/demo/atomicDir';
import { LensError } from '../../../src/core/errors';

const root = mkdtempSync(join(tmpdir(), 'lens-outdir-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh case folder with a source checkpoint (model.json + shard + sidecar) and a dataset folder. */
function fixture(): { dir: string; src: string; model: string; data: string } {
  const dir = join(root, `case-${n++}`);
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  writeFileSync(
    join(src, 'model.json'),
    JSON.stringify({
      modelTopology: {},
      weightsManifest: [{ paths: ['model.weights.bin'], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }],
    }),
  );
  writeFileSync(join(src, 'model.weights.bin'), Buffer.alloc(16, 1));
  writeFileSync(join(src, 'embedding-lens.json'), '{}');
  mkdirSync(join(dir, 'data', 'a'), { recursive: true });
  writeFileSync(join(dir, 'data', 'a', '0.png'), 'png');
  return { dir, src, model: join(src, 'model.json'), data: join(dir, 'data') };
}

/** A fine-tune output as run.ts writes it: files listed in fine-tune.json. */
function fineTuneOutput(dir: string, mapAtR: number, extra: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), '{}');
  writeFileSync(join(dir, 'model.weights.bin'), Buffer.alloc(8));
  writeFileSync(
    join(dir, FINE_TUNE_FILE),
    JSON.stringify({
      dataset: '/d',
      validation: { description: 'v' },
      bestEpoch: 1,
      history: [
        { epoch: 0, val: { mapAtR: 0.1 } },
        { epoch: 1, val: { mapAtR } },
      ],
      files: ['model.json', 'model.weights.bin'],
      ...extra,
    }),
  );
}

const refuses = (fn: () => unknown, re: RegExp) =>
  assert.rejects(
    async () => fn(),
    (err: unknown) => err instanceof LensError && re.test(err.message),
  );

test('assertWritableOutDir: the source through a symlink, a hard link, the dataset — all refused', async () => {
  const { dir, src, model, data } = fixture();
  symlinkSync('src', join(dir, 'latest'));
  await refuses(() => assertWritableOutDir(src, join(dir, 'latest', 'model.json'), data), /is the source checkpoint's folder/);
  await refuses(() => assertWritableOutDir(join(dir, 'latest'), model, data), /is the source checkpoint's folder/);
  await refuses(() => assertWritableOutDir(dir, model, data), /holds .*model\.json, a file of the source checkpoint/);
  await refuses(() => assertWritableOutDir(join(data, 'tuned'), model, data), /is inside the dataset/);
  const out = join(dir, 'out');
  fineTuneOutput(out, 0.5);
  rmSync(join(out, 'model.weights.bin'));
  linkSync(join(src, 'model.weights.bin'), join(out, 'model.weights.bin'));
  await refuses(
    () => assertWritableOutDir(out, model, data),
    /holds model\.weights\.bin, which is the same file as .*src\/model\.weights\.bin/,
  );
  // New, empty, and an exact earlier output are fine.
  await assertWritableOutDir(join(dir, 'new'), model, data);
  mkdirSync(join(dir, 'empty'));
  await assertWritableOutDir(join(dir, 'empty'), model, data);
  fineTuneOutput(join(dir, 'earlier'), 0.5);
  await assertWritableOutDir(join(dir, 'earlier'), model, data);
});

test('assertWritableOutDir: an earlier output holding anything else, or without its file list, is refused by name', async () => {
  const { dir, model, data } = fixture();
  const out = join(dir, 'out');
  fineTuneOutput(out, 0.5);
  writeFileSync(join(out, 'thesis.tex'), 'x');
  await refuses(() => assertWritableOutDir(out, model, data), /holds thesis\.tex, which a fine-tune did not write/);
  const old = join(dir, 'old');
  fineTuneOutput(old, 0.5, { files: undefined });
  await refuses(() => assertWritableOutDir(old, model, data), /without the list of files it wrote/);
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'notes.txt'), 'x');
  await refuses(() => assertWritableOutDir(join(dir, 'other'), model, data), /not an earlier fine-tune output/);
});

test('replaceEarlierRun: swaps a verified run in; an earlier folder that gained a file is kept whole', async () => {
  const { dir } = fixture();
  const out = join(dir, 'out');
  fineTuneOutput(out, 0.5);
  assert.equal(earlierRun(out)?.mapAtR, 0.5);
  const run = runDirFor(out);
  assert.equal(run, `${out}-run-2`);
  fineTuneOutput(run, 0.7);
  await replaceEarlierRun(run, out);
  assert.equal(earlierRun(out)?.mapAtR, 0.7);
  assert.ok(!existsSync(run));
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes('.old-') || f.includes('.tmp-')),
    [],
  );

  fineTuneOutput(run, 0.9);
  writeFileSync(join(out, 'notes.txt'), 'mine');
  await assert.rejects(replaceEarlierRun(run, out), /holds notes\.txt/);
  assert.equal(readFileSync(join(out, 'notes.txt'), 'utf8'), 'mine');
  assert.equal(earlierRun(out)?.mapAtR, 0.7);
  assert.ok(existsSync(run));
});

test('swapIntoPlace: without an ownership check an existing folder is never replaced', async () => {
  const { dir } = fixture();
  mkdirSync(join(dir, 'ready'));
  mkdirSync(join(dir, 'target'));
  writeFileSync(join(dir, 'target', 'x'), 'x');
  await assert.rejects(swapIntoPlace(join(dir, 'ready'), join(dir, 'target')), /was not made by this run/);
  assert.equal(readFileSync(join(dir, 'target', 'x'), 'utf8'), 'x');
});

test('demo folder: claimed when new or empty, then only what was recorded may be there', async () => {
  const { dir } = fixture();
  const p = join(dir, 'P');
  await claimDemoFolder(p, { generator: 'test' });
  assert.ok(existsSync(join(p, DEMO_MARKER)));
  mkdirSync(join(p, 'checkpoint'));
  writeFileSync(join(p, 'checkpoint', 'model.json'), '{}');
  await recordDemoPath(p, 'checkpoint');
  await recordDemoPath(p, '.cache', { owned: true });
  mkdirSync(join(p, '.cache', 'x'), { recursive: true });
  writeFileSync(join(p, '.cache', 'x', 'entry'), '');
  assertDemoOwned(p);
  await claimDemoFolder(p, { generator: 'test' }); // a rerun keeps the record
  assertDemoOwned(p);
  writeFileSync(join(p, 'checkpoint', 'my.onnx'), 'mine');
  await refuses(() => assertDemoOwned(p), /holds checkpoint\/my\.onnx, which the demo did not create/);
  const user = join(dir, 'user');
  mkdirSync(user);
  writeFileSync(join(user, 'notes.txt'), '');
  await refuses(() => assertDemoOwned(user), /not a demo folder/);
  await assert.rejects(claimDemoFolder(user, {}), /not a demo folder/);
  assert.deepEqual(readdirSync(user), ['notes.txt']);
});

test('keepOrReplaceQuestion: asked only for a finished run that was kept beside an earlier result', () => {
  const base = { outDir: '/o-run-2', history: [], best: { epoch: 1, mapAtR: 0.4, recallAt1: 0.5 }, cancelled: false, backend: 'cpu' };
  const earlier = { outDir: '/o', runDir: '/o-run-2', mapAtR: 0.6, comparable: true, replaced: false };
  assert.equal(keepOrReplaceQuestion(base), undefined);
  assert.match(
    keepOrReplaceQuestion({ ...base, earlier })!,
    /did not beat the earlier result \(best map@r 0\.4000, earlier 0\.6000\)\. It is in \/o-run-2\. Replace the earlier result in \/o with it\?/,
  );
  assert.match(keepOrReplaceQuestion({ ...base, earlier: { ...earlier, comparable: false } })!, /different split/);
  assert.equal(keepOrReplaceQuestion({ ...base, earlier: { ...earlier, replaced: true } }), undefined);
  assert.equal(keepOrReplaceQuestion({ ...base, cancelled: true, earlier }), undefined);
});
