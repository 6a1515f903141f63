// The GPU runner process, driven with onnxruntime's CPU provider: no GPU exists on these machines,
// and the process boundary, the protocol and the session answers are the same for both providers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRemoteSession } from '../../../src/core/gpu/cudaRunner';
import { loadOrt } from '../../../src/core/runtime/onnx';
import { modelsDir } from '../embed/helpers/make';

const tiny = join(modelsDir, 'tiny-cnn.onnx');
const batch = (n: number) => Float32Array.from({ length: n * 64 }, (_, i) => ((i * 13 + 7) % 17) / 17);
// One thread on both sides: the same kernels in the same order, so the numbers are the same.
const options = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };

test('child process with the CPU provider: same names, metadata and embeddings as the in-process session', async () => {
  const ort = loadOrt();
  const bytes = new Uint8Array(readFileSync(tiny));
  const local = await ort.InferenceSession.create(bytes, { ...options, executionProviders: ['cpu'] });
  const remote = await openRemoteSession(bytes, options, { provider: 'cpu' });
  try {
    assert.deepEqual([...remote.inputNames], [...local.inputNames]);
    assert.deepEqual([...remote.outputNames], [...local.outputNames]);
    assert.deepEqual(
      remote.inputMetadata,
      local.inputMetadata.map((m) => ({ ...m })),
    );
    const input = batch(5);
    const want = (await local.run({ image: new ort.Tensor('float32', input, [5, 1, 8, 8]) }, ['embedding'])).embedding;
    const got = (await remote.run({ image: { type: 'float32', data: input, dims: [5, 1, 8, 8] } }, ['embedding'])).embedding;
    assert.equal(got.type, 'float32');
    assert.deepEqual(got.dims, [...want.dims]);
    const a = got.data as Float32Array;
    const b = want.data as Float32Array;
    assert.ok(a instanceof Float32Array, 'the typed array survives the process boundary');
    let maxDiff = 0;
    for (let i = 0; i < b.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    assert.ok(maxDiff <= 1e-6, `max |Δ| ${maxDiff}`);
    // What the child loaded, and from where: the header's "which onnxruntime, provider, CUDA" line reads this.
    const libs = await remote.libraries();
    assert.match(libs['libonnxruntime.so.1'] ?? '', /onnxruntime-node\/bin\/napi-v6\/linux\/x64\/libonnxruntime\.so\.1$/);
    assert.equal(libs['libonnxruntime_providers_cuda.so'], undefined, 'the CPU provider loads no CUDA provider');
  } finally {
    await local.release();
    await remote.release();
  }
});

test('a model path (external data is resolved beside it) works as well as bytes; a bad model is an error, not a hang', async () => {
  const remote = await openRemoteSession(tiny, options, { provider: 'cpu' });
  assert.deepEqual([...remote.outputNames], ['embedding']);
  await remote.release();
  await assert.rejects(openRemoteSession(new Uint8Array([1, 2, 3, 4]), options, { provider: 'cpu' }), /protobuf|parse|model/i);
});

test('after the child is gone, a request rejects with how it ended instead of waiting forever', async () => {
  const remote = await openRemoteSession(tiny, options, { provider: 'cpu' });
  await remote.release();
  await assert.rejects(
    remote.run({ image: { type: 'float32', data: batch(1), dims: [1, 1, 8, 8] } }, ['embedding']),
    /onnxruntime process exited with code 0/,
  );
});

test("asking the child for the CUDA provider without one: an error carrying the loader's words (no crash, no CPU session)", async () => {
  // Run from source, the child loads the checkout's onnxruntime-node, beside which no CUDA provider is installed.
  await assert.rejects(
    openRemoteSession(tiny, options, { provider: 'cuda' }),
    (e: Error) =>
      /cuda/i.test(e.message) &&
      /Failed to load library .*libonnxruntime_providers_(cuda|shared)\.so.*cannot open shared object file/.test(e.message) &&
      !/ONNXRuntimeError/.test(e.message),
  );
});
