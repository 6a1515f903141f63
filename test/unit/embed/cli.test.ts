import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedCommand } from '../../../src/cli/embed';
import { UsageError } from '../../../src/cli/args';
import { readNpy } from '../../../src/core/io/npy';
import { makeImageFolder, modelsDir, tmp } from './helpers/make';

test('embedding-lens embed: writes the matrix, its meta.json and a JSON summary; flags reach the engine', async () => {
  const root = tmp();
  const out = tmp();
  await makeImageFolder(root, { a: 4, b: 4 });
  const code = await embedCommand.run([
    join(modelsDir, 'tiny-classifier.onnx'),
    root,
    '--out',
    join(out, 'e.npy'),
    '--json',
    join(out, 's.json'),
    '--output',
    'logits',
    '--max-per-class',
    '3',
    '--seed',
    '1',
    '--resize',
    'stretch',
    '--cache-dir',
    join(out, 'cache'),
  ]);
  assert.equal(code, 0);
  const summary = JSON.parse(readFileSync(join(out, 's.json'), 'utf8'));
  assert.deepEqual([summary.n, summary.dim, summary.backend, summary.fromCache], [6, 3, 'onnxruntime-cpu', false]);
  assert.equal(summary.model.outputName, 'logits');
  assert.equal(summary.model.preprocess.resize, 'stretch');
  const npy = await readNpy(join(out, 'e.npy'));
  assert.deepEqual(npy.shape, [6, 3]);
  const meta = JSON.parse(readFileSync(join(out, 'e.meta.json'), 'utf8'));
  assert.deepEqual(meta.classNames, ['a', 'b']);
  assert.equal(meta.paths.length, 6);
});

test('embedding-lens embed: bad flags are usage errors', async () => {
  const ck = join(modelsDir, 'tiny-cnn.onnx');
  await assert.rejects(embedCommand.run([]), UsageError);
  await assert.rejects(embedCommand.run([ck, 'x', '--backend', 'gpu']), /--backend expects/);
  await assert.rejects(embedCommand.run([ck, 'x', '--out', 'e.csv']), /--out must name a \.npy file/);
  await assert.rejects(embedCommand.run([ck, 'x', '--channels', '2']), /--channels expects 1 or 3/);
  await assert.rejects(embedCommand.run([ck, 'x', '--bogus', '1']), /unknown option --bogus/);
});
