/**
 * sgdEpoch (sgd.ts) as a WebAssembly SIMD function, written as WebAssembly text in sgdKernel.wat
 * and compiled by wabt at build time (scripts/kernels.mjs): the same lanes, groups, schedule, random
 * samples and clipping, in float32, with the four edge visits of a group in the four f32x4 lanes
 * — their pulls, and their negative samples step by step (about five each, so the lanes stay
 * full). x^b is computed in-lane (exponent bits + two polynomials, relative error < 1e-6)
 * because SIMD has no table lookups. On the 70,000-point bench one epoch takes about 37 ms on one
 * thread, against 62 ms for the JavaScript kernel of before (one visit at a time) and 72 ms for
 * sgd.ts's lane-by-lane reference.
 *
 * Tried and measured slower: two vectors of lanes interleaved (8 streams; more spills than the
 * extra independence gains), vector constants hoisted into locals (V8 already keeps the inner
 * loop's in stack slots), a separate 4-byte due epoch per edge for the search for due edges
 * (the records stream well enough; the extra writes cost more). Visiting edges rank-major (every vertex's first edge, then every
 * second…) ran 1.8× faster but lowered the map's kNN preservation by 0.005: each lane walks
 * whole vertices' edge lists, in the graph's order, as umap-learn does.
 *
 * It reads the run's arrays where they are — in the shared WebAssembly.Memory the run allocates
 * (umapJob.ts) — so every thread instantiates this module over the same memory. Each thread has a
 * header (HEADER_BYTES, 16-aligned) with its ranges, the arrays' byte offsets, the curve's
 * constants and its four random streams; sgdEpoch's `SgdThread` carries the same things.
 */
import { Wasm, type WasmMemory } from '../util/wasmApi';
import { SGD_KERNEL_WASM } from './generated/sgdKernelWasm';
import type { SgdThread } from './sgd';

/** Edge streams walked side by side, one per f32x4 lane (sgd.ts SAMPLE_LANES). */
export const KERNEL_LANES = 4;

/** Byte offsets inside a thread's header (the same table heads sgdKernel.wat). */
export const HEADER = {
  vLo: 0,
  vHi: 4,
  n: 8,
  /** Byte offsets of the run's arrays in the memory (edges: sgd.ts's 32-byte edge records). */
  edges: 12,
  live: 16,
  snap: 20,
  delta: 24,
  /** f32: the curve's a and b, 2ab and 2γb. */
  a: 28,
  b: 32,
  twoAB: 36,
  twoGB: 40,
  /** f64: negative samples per positive sample. */
  negativeSampleRate: 48,
  /** One xorshift32 state per lane (i32 × KERNEL_LANES). */
  rng: 64,
  /** Lane l walks edges [laneLo[l], laneHi[l]) (i32 × KERNEL_LANES each). */
  laneLo: 80,
  laneHi: 96,
} as const;
export const HEADER_BYTES = 112;

let moduleCache: object | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD or shared memory is unavailable. */
export function sgdKernelModule(): object | null {
  if (moduleCache !== undefined) return moduleCache;
  moduleCache = null;
  if (!Wasm || typeof SharedArrayBuffer === 'undefined') return null;
  const bytes = Uint8Array.from(atob(SGD_KERNEL_WASM), (c) => c.charCodeAt(0));
  try {
    // Fails only where the runtime lacks SIMD or threads (the build checked the module with V8).
    moduleCache = new Wasm.Module(bytes);
  } catch {
    moduleCache = null;
  }
  return moduleCache;
}

interface KernelExports {
  epoch(header: number, epoch: number, alpha: number): void;
  addPulls(live: number, delta: number, count: number): void;
}

/** One thread's optimiser: an epoch over its current lane slices, and adding others' pulls. */
export interface ThreadOptimizer {
  epoch(epoch: number, alpha: number): void;
  /** sgd.ts addPulls: add the `deltas` on this thread's vertices, in order. */
  addPulls(deltas: Float32Array[]): void;
}

/**
 * Thread `t`'s optimiser on the WebAssembly kernel. t's arrays must be views of `memory`; its
 * header goes at byte `at`. The lanes' random streams move into the header (t.rng becomes a view
 * of them), so either kernel can continue where the other stopped.
 */
export function bindSgdKernel(t: SgdThread, memory: WasmMemory, at: number): ThreadOptimizer {
  const module = sgdKernelModule();
  if (!module) throw new Error('this runtime has no WebAssembly SIMD with shared memory');
  const kernel = new Wasm!.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const words = new Int32Array(memory.buffer, at, HEADER_BYTES / 4);
  const floats = new Float32Array(memory.buffer, at, HEADER_BYTES / 4);
  const set = (field: number, value: number): void => {
    words[field / 4] = value;
  };
  set(HEADER.vLo, t.vLo);
  set(HEADER.vHi, t.vHi);
  set(HEADER.n, t.n);
  set(HEADER.edges, t.edges.byteOffset);
  new Float64Array(memory.buffer, at + HEADER.negativeSampleRate, 1)[0] = t.negativeSampleRate;
  set(HEADER.live, t.live.byteOffset);
  set(HEADER.snap, t.snap.byteOffset);
  set(HEADER.delta, t.delta.byteOffset);
  floats[HEADER.a / 4] = t.a;
  floats[HEADER.b / 4] = t.b;
  floats[HEADER.twoAB / 4] = 2 * t.a * t.b;
  floats[HEADER.twoGB / 4] = 2 * t.gamma * t.b;
  const streams = words.subarray(HEADER.rng / 4, HEADER.rng / 4 + KERNEL_LANES);
  streams.set(t.rng);
  t.rng = streams;
  const ownFrom = 8 * t.vLo;
  const ownFloats = 2 * (t.vHi - t.vLo);
  return {
    epoch(epoch, alpha) {
      const lanes = t.lanes.length / 2;
      words.set(t.lanes.subarray(0, lanes), HEADER.laneLo / 4);
      words.set(t.lanes.subarray(lanes), HEADER.laneHi / 4);
      kernel.epoch(at, epoch, alpha);
    },
    addPulls(deltas) {
      for (const d of deltas) kernel.addPulls(t.live.byteOffset + ownFrom, d.byteOffset + ownFrom, ownFloats);
    },
  };
}
