import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrt } from '../../../src/core/runtime/onnx';

test('loadOrt: one onnxruntime-node per thread, even when a second copy of its JavaScript would load', async () => {
  const first = loadOrt();
  const model = new Uint8Array(readFileSync(join(__dirname, '../../fixtures/models/tiny-cnn.onnx')));
  await (await first.InferenceSession.create(model)).release();
  // A second bundle in the same thread has its own copy of the package's JavaScript: dropping the
  // module cache stands in for it. Initialising the addon again from that copy would abort the
  // process (onnxruntime 1.29); loadOrt hands back the copy already in use instead.
  for (const k of Object.keys(require.cache)) if (k.includes('/node_modules/onnxruntime-')) delete require.cache[k];
  const second = loadOrt();
  assert.equal(second, first);
  const s = await second.InferenceSession.create(model);
  assert.deepEqual([...s.outputNames], ['embedding']);
  await s.release();
});
