import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOptimizer, prepareRun, type SgdOptimizer } from '../../../src/core/projection/umapJob';
import { addPulls, laneSlice, makeSgdThread, SAMPLE_LANES, sgdEpoch } from '../../../src/core/projection/sgd';
import { bindSgdKernel, HEADER_BYTES, KERNEL_LANES, type ThreadOptimizer } from '../../../src/core/projection/sgdKernel';
import { findAbParams } from '../../../src/core/projection/abParams';
import { pca2d } from '../../../src/core/projection/pca';
import { blobs, bruteKnn } from './helpers';

const blob = blobs(4, 50, 8, 3, 0.5);
const { n, dim } = blob;
// Rows interleaved (i → 37·i mod n) so each thread's vertices have neighbours in the other's range.
const data = new Float32Array(blob.data.length);
for (let i = 0; i < n; i++) data.set(blob.data.subarray(i * dim, (i + 1) * dim), ((37 * i) % n) * dim);
const graph = bruteKnn(data, n, dim, 10);
const init = pca2d(data, n, dim);
const { a, b } = findAbParams(1, 0.1);

/**
 * Thread 0 of a 2-thread run, three epochs, on one kernel. Its snapshot is perturbed so reads of
 * the other thread's vertices (from the snapshot) and of its own (live) differ, and its pulls on
 * the other thread's vertices land in its delta buffer — every path of the kernel is used.
 */
function threadZero(optimizer: SgdOptimizer, alpha: number) {
  const run = prepareRun({
    graph,
    a,
    b,
    nEpochs: 50,
    seed: 3,
    init,
    threads: 2,
    negativeSampleRate: 5,
    repulsionStrength: 1,
    learningRate: 1,
    layoutEvery: 0,
    sendLayouts: false,
    optimizer,
  });
  for (let i = 0; i < run.snap.length; i++) run.snap[i] += 0.05 * Math.sin(i);
  const delta = run.deltas.subarray(0, 2 * n);
  const threadsOf = (t: number, seed: number) => {
    const th = makeSgdThread(
      {
        n,
        edges: run.edges,
        edgeEnds: run.edgeEnds,
        negativeSampleRate: 5,
        live: run.live,
        snap: run.snap,
        delta: run.deltas.subarray(t * 2 * n, (t + 1) * 2 * n),
        a,
        b,
        gamma: 1,
      },
      run.ranges[t],
      seed,
    );
    const opt: ThreadOptimizer =
      optimizer === 'wasm-simd'
        ? bindSgdKernel(th, run.memory!, run.headers + t * HEADER_BYTES)
        : { epoch: (e, al) => sgdEpoch(th, e, al), addPulls: (d) => addPulls(th, d) };
    return { th, opt };
  };
  const zero = threadsOf(0, 11);
  const one = threadsOf(1, 12);
  laneSlice(run.lanes.subarray(0, SAMPLE_LANES + 1), 0, 1, zero.th.lanes);
  for (let e = 1; e <= 3; e++) zero.opt.epoch(e, alpha);
  const before = {
    live: run.live.slice(),
    delta: delta.slice(),
    rng: zero.th.rng.slice(),
    schedule: run.edges.slice(),
    vHi: run.ranges[0].vHi,
  };
  // Thread 1 takes thread 0's pulls on its vertices.
  one.opt.addPulls([delta]);
  return { ...before, merged: { live: run.live.slice(), delta: delta.slice() } };
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

test("the WebAssembly kernel makes the reference kernel's visits, draws and moves (float32 vs float64)", () => {
  assert.equal(KERNEL_LANES, SAMPLE_LANES);
  for (const alpha of [0.02, 1]) {
    const ref = threadZero('js', alpha);
    const simd = threadZero('wasm-simd', alpha);
    // Same groups and negative-sample steps: the schedules match exactly and every random
    // stream has advanced the same number of times.
    assert.deepEqual(simd.schedule, ref.schedule);
    assert.deepEqual(simd.rng, ref.rng);
    const moved = maxAbsDiff(ref.live, threadZero('js', 0).live);
    assert.ok(moved > 0.01, `the layout moved (${moved})`);
    // Own vertices moved, other threads' vertices were only pulled through the delta buffer.
    assert.ok(ref.delta.some((v) => v !== 0));
    assert.ok(ref.delta.subarray(0, 2 * ref.vHi).every((v) => v === 0));
    // float32 against float64 arithmetic (and a 1e-6 pow): small steps agree to 1e-4 of a
    // unit; full-size early steps are chaotic (clipped pushes of ±4), so only loosely.
    const tolerance = alpha < 0.1 ? 1e-4 : 0.05;
    assert.ok(maxAbsDiff(simd.live, ref.live) < tolerance, `live differs by ${maxAbsDiff(simd.live, ref.live)} at alpha ${alpha}`);
    assert.ok(maxAbsDiff(simd.delta, ref.delta) < tolerance, `delta differs by ${maxAbsDiff(simd.delta, ref.delta)} at alpha ${alpha}`);
    // Merging: thread 1's vertices (and only they) received thread 0's pulls, on both kernels;
    // the buffer is left for its writer to clear.
    for (const r of [ref, simd]) {
      assert.deepEqual(r.merged.delta, r.delta);
      for (let i = 0; i < 2 * n; i++) assert.equal(r.merged.live[i], i < 2 * r.vHi ? r.live[i] : Math.fround(r.live[i] + r.delta[i]));
    }
  }
});

test('runs that fit a 32-bit WebAssembly memory get the SIMD kernel, larger ones the JavaScript reference', () => {
  assert.equal(defaultOptimizer(70_000, 14, 2), 'wasm-simd');
  assert.equal(defaultOptimizer(1_000_000, 14, 4), 'wasm-simd');
  // 6M points × 15 neighbours: up to 180M edges of 32 bytes, beyond 4 GiB.
  assert.equal(defaultOptimizer(6_000_000, 14, 2), 'js');
});

test("adding another thread's pulls covers ranges of any length and alignment", () => {
  const run = prepareRun({
    graph,
    a,
    b,
    nEpochs: 50,
    seed: 3,
    init,
    threads: 2,
    negativeSampleRate: 5,
    repulsionStrength: 1,
    learningRate: 1,
    layoutEvery: 0,
    sendLayouts: false,
    optimizer: 'wasm-simd',
  });
  const other = run.deltas.subarray(2 * n, 4 * n);
  for (let i = 0; i < other.length; i++) other[i] = (i % 7) - 3;
  const live = run.live.slice();
  // Vertices 3..9: 14 floats from byte 24 — a 16-byte misaligned start and a 2-float tail.
  const th = makeSgdThread(
    {
      n,
      edges: run.edges,
      edgeEnds: run.edgeEnds,
      negativeSampleRate: 5,
      live: run.live,
      snap: run.snap,
      delta: run.deltas.subarray(0, 2 * n),
      a,
      b,
      gamma: 1,
    },
    { eLo: 0, eHi: 0, vLo: 3, vHi: 10 },
    1,
  );
  bindSgdKernel(th, run.memory!, run.headers).addPulls([other]);
  for (let i = 0; i < 2 * n; i++) {
    const own = i >= 6 && i < 20;
    assert.equal(run.live[i], own ? Math.fround(live[i] + ((i % 7) - 3)) : live[i], `live[${i}]`);
  }
});
