import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeEmbeddings } from '../../../src/core/embed';
import { dealBatches, embedWorkerCount, mergeRuns } from '../../../src/core/embed/parallel';
import { CancelledError } from '../../../src/core/errors';
import { initTfjs } from '../../../src/core/runtime/tfjs';
import { makeImageFolder, modelsDir, tmp } from './helpers/make';
import { saveLayersModel } from './helpers/tfjs';

test('batches are dealt round-robin and every item goes to exactly one worker', () => {
  const shares = dealBatches(10, 3, 2).map((s) => Array.from(s));
  assert.deepEqual(shares, [
    [0, 1, 2, 6, 7, 8],
    [3, 4, 5, 9],
  ]);
  assert.deepEqual(
    dealBatches(2, 64, 3).map((s) => s.length),
    [2, 0, 0],
  );
});

test('only tfjs models on the JavaScript backends get several workers, never more than their batches or cores', () => {
  const base = { items: 1000, batchSize: 64, cores: 4, nativeTfjs: false } as const;
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-graph', backend: 'auto' }), 4);
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-layers', backend: 'wasm', nativeTfjs: true }), 4);
  // onnxruntime and tfjs-node already use every core for one batch.
  assert.equal(embedWorkerCount({ ...base, kind: 'onnx', backend: 'auto' }), 1);
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-layers', backend: 'auto', nativeTfjs: true }), 1);
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-layers', backend: 'tfjs-node', nativeTfjs: true }), 1);
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-layers', backend: 'auto', items: 100 }), 2, 'two batches: two workers');
  assert.equal(embedWorkerCount({ ...base, kind: 'tfjs-layers', backend: 'auto', cores: 64 }), 8, 'capped: each worker holds a model copy');
});

test('merging puts rows, flags and skipped items back at their dataset positions', () => {
  const shares = dealBatches(5, 2, 2); // [0,1,4] and [2,3]
  const info = {
    kind: 'tfjs-layers',
    backend: 'wasm',
    assumptions: [],
    runtimeNotes: [],
    dim: 1,
    outputName: 'x',
    output: { kind: 'last' },
    preprocess: {},
  } as never;
  const t = { workerStartMs: 1, loadModelMs: 2, decodeWaitMs: 3, inferMs: 4, totalMs: 10 };
  const r = mergeRuns(5, shares, [
    { info, vectors: Float32Array.from([10, 11, 14]), ok: Uint8Array.from([1, 1, 1]), skipped: [], timings: t },
    {
      info,
      vectors: Float32Array.from([0, 13]),
      ok: Uint8Array.from([0, 1]),
      skipped: [{ index: 0, reason: 'corrupt' }],
      timings: { ...t, totalMs: 12 },
    },
  ]);
  assert.deepEqual(Array.from(r.vectors), [10, 11, 0, 13, 14]);
  assert.deepEqual(Array.from(r.ok), [1, 1, 0, 1, 1]);
  assert.deepEqual(r.skipped, [{ index: 2, reason: 'corrupt' }]);
  assert.equal(r.timings.totalMs, 12);
  assert.equal(r.timings.inferMs, 8);
  assert.match(r.info.runtimeNotes.at(-1)!, /embedded by 2 workers in parallel/);
});

async function tfjsCheckpoint(): Promise<string> {
  const { tf } = await initTfjs('auto');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 3],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.randomNormal({ seed: 7 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.randomNormal({ seed: 8 }) }),
    ],
  });
  return saveLayersModel(tf, model, tmp());
}

test("three workers give the single worker's embeddings row for row (1e-5), with skipped images in place", async () => {
  const ckpt = await tfjsCheckpoint();
  const root = tmp();
  await makeImageFolder(root, { a: 7, b: 6, c: 5 });
  writeFileSync(join(root, 'b', 'broken.png'), 'not a png');
  const one = await computeEmbeddings(ckpt, root, { backend: 'wasm', batchSize: 4, embedWorkers: 1 });
  const progress: number[] = [];
  const three = await computeEmbeddings(ckpt, root, {
    backend: 'wasm',
    batchSize: 4,
    embedWorkers: 3,
    onProgress: (p) => p.stage === 'embed' && progress.push(p.done),
  });
  assert.equal(three.backend, 'wasm');
  assert.deepEqual(three.embeddings.paths, one.embeddings.paths);
  assert.deepEqual(Array.from(three.embeddings.labels), Array.from(one.embeddings.labels));
  assert.equal(three.skipped.count, 1);
  assert.equal(three.skipped.first[0].path, join(root, 'b', 'broken.png'));
  for (let i = 0; i < one.embeddings.vectors.length; i++) {
    assert.ok(
      Math.abs(three.embeddings.vectors[i] - one.embeddings.vectors[i]) <= 1e-5,
      `value ${i}: ${three.embeddings.vectors[i]} vs ${one.embeddings.vectors[i]}`,
    );
  }
  assert.equal(progress.at(-1), 19, 'progress sums the workers and ends at every item');
  assert.ok(
    three.details.some((d) => /embedded by 3 workers in parallel/.test(d)),
    three.details.join('\n'),
  );
});

test('cancelling a data-parallel run stops every worker with CancelledError', async () => {
  const ckpt = await tfjsCheckpoint();
  const root = tmp();
  // 12 px images for the 8 px model: each goes through sharp's resize, so the run lasts long enough
  // to be cancelled mid-way (plain PNGs at the model's size decode too fast to catch).
  await makeImageFolder(root, { a: 30, b: 30 }, 12);
  const ac = new AbortController();
  const run = computeEmbeddings(ckpt, root, {
    backend: 'wasm',
    batchSize: 2,
    embedWorkers: 2,
    signal: ac.signal,
    onProgress: (p) => p.stage === 'embed' && p.done > 0 && ac.abort(),
  });
  await assert.rejects(run, (e) => e instanceof CancelledError);
});

test('an ONNX model keeps one worker: onnxruntime already spreads a batch over the cores', async () => {
  const root = tmp();
  await makeImageFolder(root, { a: 3, b: 3 });
  const r = await computeEmbeddings(join(modelsDir, 'tiny-cnn.onnx'), root, { batchSize: 2 });
  assert.ok(!r.details.some((d) => /workers in parallel/.test(d)));
});
