import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveUmapParams, runUmap } from '../../../src/core/projection/umap';
import { pca2d } from '../../../src/core/projection/pca';
import { CancelledError, LensError } from '../../../src/core/errors';
import { blobs, bruteKnn, knnLabelAccuracy, knnPreservation } from './helpers';

const { data, labels, n, dim } = blobs(5, 60, 10, 11, 0.6);
const graph = bruteKnn(data, n, dim, 14);
const init = pca2d(data, n, dim);

test('UMAP separates classes and keeps neighbourhoods (1 and 2 threads, both optimizers)', async () => {
  for (const optimizer of ['wasm-simd', 'js'] as const) {
    for (const threads of [1, 2]) {
      const xy = await runUmap(graph, { seed: 7, threads, init, nEpochs: 200, optimizer });
      assert.equal(xy.length, n * 2);
      assert.ok(xy.every(Number.isFinite));
      const acc = knnLabelAccuracy(xy, labels, 15);
      const pres = knnPreservation(graph, xy, 14);
      assert.ok(acc > 0.97, `label accuracy with ${optimizer}, ${threads} thread(s): ${acc}`);
      // Random 2-D placement would keep ~14/300 ≈ 0.05 of the neighbours.
      assert.ok(pres > 0.4, `kNN preservation with ${optimizer}, ${threads} thread(s): ${pres}`);
    }
  }
});

test('the WebAssembly optimizer is the default here, and a seeded js run is reproducible too', async () => {
  assert.equal(resolveUmapParams(graph).optimizer, 'wasm-simd');
  const opts = { init, nEpochs: 40, seed: 5, threads: 2, optimizer: 'js' } as const;
  assert.deepEqual(await runUmap(graph, opts), await runUmap(graph, opts));
  await assert.rejects(runUmap(graph, { optimizer: 'gpu' as never }), /optimizer must be 'wasm-simd' or 'js'/);
});

test('a seeded run is reproducible for a given thread count, and the seed matters', async () => {
  const opts = { init, nEpochs: 60 };
  const a1 = await runUmap(graph, { ...opts, seed: 3, threads: 1 });
  const a2 = await runUmap(graph, { ...opts, seed: 3, threads: 1 });
  assert.deepEqual(a1, a2);
  const b1 = await runUmap(graph, { ...opts, seed: 3, threads: 3 });
  const b2 = await runUmap(graph, { ...opts, seed: 3, threads: 3 });
  assert.deepEqual(b1, b2);
  const c = await runUmap(graph, { ...opts, seed: 4, threads: 1 });
  assert.notDeepEqual(a1, c);
  // Without an init the random start is seeded too.
  assert.deepEqual(await runUmap(graph, { nEpochs: 20, seed: 9, threads: 2 }), await runUmap(graph, { nEpochs: 20, seed: 9, threads: 2 }));
});

test('intermediate layouts stream every few epochs, starting from the init', async () => {
  const frames: { epoch: number; first: number }[] = [];
  const stages = new Set<string>();
  const xy = await runUmap(graph, {
    seed: 1,
    threads: 2,
    init,
    nEpochs: 50,
    layoutEvery: 10,
    onLayout: (f, epoch, total) => {
      assert.equal(f.length, n * 2);
      assert.equal(total, 50);
      frames.push({ epoch, first: f[0] });
    },
    onProgress: (p) => stages.add(p.stage),
  });
  assert.deepEqual(
    frames.map((f) => f.epoch),
    [10, 20, 30, 40],
  );
  assert.ok(stages.has('UMAP'));
  // Streaming does not change the result.
  assert.deepEqual(xy, await runUmap(graph, { seed: 1, threads: 2, init, nEpochs: 50 }));
});

test('cancelling stops the run with CancelledError and no further layouts', async () => {
  for (const threads of [1, 2]) {
    const ac = new AbortController();
    let frames = 0;
    let framesAtAbort = -1;
    await assert.rejects(
      runUmap(graph, {
        seed: 1,
        threads,
        init,
        nEpochs: 10000 /* the most accepted (CAPS.umapEpochs) */,
        layoutEvery: 5,
        signal: ac.signal,
        onLayout: () => {
          frames++;
          if (frames === 2) {
            framesAtAbort = frames;
            ac.abort();
          }
        },
      }),
      CancelledError,
    );
    assert.equal(frames, framesAtAbort);
  }
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(runUmap(graph, { signal: pre.signal }), CancelledError);
});

test('bad graphs and options are refused with a LensError, tiny inputs still work', async () => {
  await assert.rejects(runUmap({ ...graph, distances: graph.distances.map((d, i) => (i === 20 ? Number.NaN : d)) }), LensError);
  await assert.rejects(runUmap(graph, { minDist: -1 }), /min_dist/);
  await assert.rejects(runUmap(graph, { init: new Float32Array(4) }), /init layout has 4 values/);
  await assert.rejects(runUmap(graph, { init: init.map((v, i) => (i === 3 ? Number.NaN : v)) }), /row 1 is not finite/);
  assert.deepEqual(await runUmap({ n: 1, k: 0, indices: new Int32Array(0), distances: new Float32Array(0) }), new Float32Array(2));
  const two = await runUmap({ n: 2, k: 1, indices: Int32Array.from([1, 0]), distances: Float32Array.from([1, 1]) }, { nEpochs: 30 });
  assert.ok(two.every(Number.isFinite));
});

test('duplicate points (zero distances) give finite layouts', async () => {
  const dup = new Float32Array(data);
  for (let i = 1; i < 20; i++) dup.set(dup.subarray(0, dim), i * dim); // rows 0..19 identical
  const g = bruteKnn(dup, n, dim, 14);
  const xy = await runUmap(g, { seed: 2, threads: 2, init: pca2d(dup, n, dim), nEpochs: 100 });
  assert.ok(xy.every(Number.isFinite));
  // The duplicates stay together relative to the map's extent.
  let maxSpread = 0;
  for (let i = 1; i < 20; i++) maxSpread = Math.max(maxSpread, Math.hypot(xy[2 * i] - xy[0], xy[2 * i + 1] - xy[1]));
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, xy[2 * i]);
    hi = Math.max(hi, xy[2 * i]);
  }
  assert.ok(maxSpread < 0.2 * (hi - lo), `duplicates spread ${maxSpread} on a map of width ${hi - lo}`);
});
