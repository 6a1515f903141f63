// makeDemoInputs: the demo's inputs alone (what VS Code's "Open Sample" writes) — the same class
// split, datasets and checkpoint as the full demo, in a claimed folder; a folder the demo did not
// make is refused before anything is written.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDemoInputs } from '../../../src/demo/run';
import { DEMO_MARKER } from '../../../src/demo';
import { productClassSplit } from '../../../src/demo/classSplit';
import { LensError } from '../../../src/core/errors';
import { scratch } from './helpers';

const tmp = scratch('demo-inputs');
after(tmp.cleanup);
const small = { source: 'products' as const, perClass: 4, heldOutPerClass: 2, seed: 1 };

test('writes the trained and held-out datasets and the untrained checkpoint, all recorded', async () => {
  const out = join(tmp.dir, 'sample');
  const stages: string[] = [];
  const inputs = await makeDemoInputs({ ...small, out }, { onStage: (s) => stages.push(s) });
  const split = productClassSplit();
  assert.equal(inputs.out, out);
  assert.deepEqual(inputs.trained.classNames, [...split.trained].sort());
  assert.deepEqual(inputs.heldOut.classNames, [...split.heldOut].sort());
  assert.equal(inputs.trained.count, 4 * split.trained.length);
  assert.equal(inputs.heldOut.count, 2 * split.heldOut.length);
  assert.equal(inputs.checkpoint, join(out, 'checkpoint', 'model.json'));
  assert.ok(existsSync(inputs.checkpoint) && existsSync(join(out, 'checkpoint', 'embedding-lens.json')));
  assert.deepEqual(
    readdirSync(inputs.heldOut.root)
      .filter((n) => !n.startsWith('.'))
      .sort(),
    inputs.heldOut.classNames,
  );
  // Nothing of the full demo: no reports, no fine-tune.
  assert.deepEqual(readdirSync(out).sort(), [DEMO_MARKER, 'checkpoint', 'dataset-held-out', 'dataset-train']);
  const record = JSON.parse(readFileSync(join(out, DEMO_MARKER), 'utf8')) as { files: string[] };
  for (const rel of ['checkpoint', 'checkpoint/model.json', 'dataset-train', 'dataset-held-out'])
    assert.ok(record.files.includes(rel), `${rel} is recorded`);
  assert.equal(stages.length, 2);
});

test('refuses a folder the demo did not make, and checkClaimed runs only after a claim', async () => {
  const mine = join(tmp.dir, 'mine');
  mkdirSync(mine);
  writeFileSync(join(mine, 'notes.txt'), 'my notes');
  let checked = false;
  await assert.rejects(
    makeDemoInputs({ ...small, out: mine }, {}, () => {
      checked = true;
    }),
    (err) => err instanceof LensError && /not a demo folder/.test(err.message),
  );
  assert.equal(checked, false);
  assert.deepEqual(readdirSync(mine), ['notes.txt']);
  assert.equal(readFileSync(join(mine, 'notes.txt'), 'utf8'), 'my notes');
});
