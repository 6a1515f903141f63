// Resume: a UMAP run stopped after E epochs and continued from the layout it streamed at E gives
// the uninterrupted run's layout bit for bit (the schedule, the random streams and the learning
// rates carry on), for both kernels and with several threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUmap } from '../../../src/core/projection/umap';
import { pca2d } from '../../../src/core/projection/pca';
import { CancelledError, LensError } from '../../../src/core/errors';
import { blobs, bruteKnn } from './helpers';

const { data, n, dim } = blobs(4, 50, 8, 5, 0.6);
const graph = bruteKnn(data, n, dim, 10);
const init = pca2d(data, n, dim);

test('resumed from a streamed frame == the uninterrupted run (js 1 thread, wasm-simd 1 and 3 threads)', async () => {
  for (const [optimizer, threads] of [
    ['js', 1],
    ['wasm-simd', 1],
    ['wasm-simd', 3],
  ] as const) {
    const opts = { seed: 11, threads, init, nEpochs: 60, layoutEvery: 5, optimizer };
    const frames = new Map<number, Float32Array>();
    const full = await runUmap(graph, { ...opts, onLayout: (xy, epoch) => frames.set(epoch, xy) });
    for (const at of [5, 35]) {
      const later: number[] = [];
      const resumed = await runUmap(graph, {
        ...opts,
        resume: { xy: frames.get(at)!, epoch: at },
        onLayout: (_xy, epoch) => later.push(epoch),
      });
      assert.deepEqual(resumed, full, `${optimizer}, ${threads} thread(s), resumed at epoch ${at}`);
      assert.equal(later[0], at + 5, 'frames carry on from the resume epoch');
    }
    // The schedule matters: the same layout optimised as if from epoch 0 ends elsewhere.
    const restarted = await runUmap(graph, { ...opts, init: frames.get(35)! });
    assert.notDeepEqual(restarted, full);
  }
});

test('a cancelled run continues from its last frame to the uninterrupted result', async () => {
  const opts = { seed: 3, threads: 2, init, nEpochs: 80, layoutEvery: 5 };
  const full = await runUmap(graph, opts);
  const ac = new AbortController();
  let last: { xy: Float32Array; epoch: number } | undefined;
  await assert.rejects(
    runUmap(graph, {
      ...opts,
      signal: ac.signal,
      onLayout: (xy, epoch) => {
        last = { xy, epoch };
        if (epoch === 25) ac.abort();
      },
    }),
    CancelledError,
  );
  assert.equal(last?.epoch, 25);
  const said: string[] = [];
  assert.deepEqual(await runUmap(graph, { ...opts, resume: last!, onProgress: (p) => p.message && said.push(p.message) }), full);
  assert.ok(said.includes('resuming: replaying the schedule of epoch 25 of 25'), said.join('\n'));
  // Resuming a finished run returns its layout as it is.
  assert.deepEqual(await runUmap(graph, { ...opts, resume: { xy: full, epoch: 80 } }), full);
});

test('a resume point that cannot belong to the run is refused', async () => {
  const xy = new Float32Array(n * 2);
  await assert.rejects(runUmap(graph, { nEpochs: 50, resume: { xy, epoch: 51 } }), LensError);
  await assert.rejects(runUmap(graph, { nEpochs: 50, resume: { xy, epoch: 2.5 } }), /resume epoch must be an integer in \[0, 50\]/);
  await assert.rejects(runUmap(graph, { nEpochs: 50, resume: { xy: new Float32Array(6), epoch: 5 } }), /has 6 values/);
});
