/**
 * The body of a UMAP run, independent of how it is hosted: graph preparation (fuzzy set,
 * schedule, initial layout) and the per-thread epoch loop with its barriers. The worker entries
 * src/core/workers/umap.ts (thread 0) and umapThread.ts (the others) run them; tests can call
 * them directly.
 */
import { epochsPerSample, fuzzySimplicialSet, type KnnGraph } from './fuzzy';
import { barrierWait } from '../util/barrier';
import {
  addPulls,
  EDGE_WORDS,
  edgeRecords,
  EPOCHS_PER_SAMPLE,
  HEAD,
  laneSlice,
  makeSgdThread,
  partitionByWork,
  SAMPLE_LANES,
  seedXorshift,
  sgdEpoch,
  skipEpoch,
  TAIL,
} from './sgd';
import { bindSgdKernel, HEADER_BYTES, sgdKernelModule, type ThreadOptimizer } from './sgdKernel';
import { Wasm, WASM_MAX_PAGES, WASM_PAGE_BYTES, type WasmMemory } from '../util/wasmApi';
import { LensError } from '../errors';

/**
 * Which epoch kernel optimises: the WebAssembly SIMD one (sgdKernel.ts) or its JavaScript
 * reference (sgd.ts). Same groups and random draws; the layouts differ by float rounding (float32
 * vs float64 arithmetic), so the choice is part of a layout's identity.
 */
export type SgdOptimizer = 'wasm-simd' | 'js';

/** What the host thread sends to the UMAP worker. */
export interface UmapJob {
  graph: KnnGraph;
  a: number;
  b: number;
  nEpochs: number;
  seed: number;
  /** n×2 starting layout (e.g. PCA); absent → uniform random in [-10, 10]² like umap-learn's 'random'. */
  init?: Float32Array;
  /**
   * Continue a run of this very job (same graph, seed, threads, optimizer) that stopped after
   * `epoch` epochs, from its layout then (a frame it streamed): `init` is then not used, and the
   * result is the layout the uninterrupted run gives.
   */
  resume?: { xy: Float32Array; epoch: number };
  threads: number;
  negativeSampleRate: number;
  repulsionStrength: number;
  learningRate: number;
  /** A frame (progress, and the layout when sendLayouts) every this many epochs; 0 = none. */
  layoutEvery: number;
  sendLayouts: boolean;
  optimizer: SgdOptimizer;
}

/** Indices into the shared control block. */
export const CTRL = { COUNT: 0, GEN: 1, ABORT_REQ: 2, STOP: 3, FAILED: 4, SIZE: 5 } as const;

/** Buffers shared by all optimising threads of one run (SharedArrayBuffer-backed). */
export interface SharedRun {
  n: number;
  threads: number;
  nEpochs: number;
  a: number;
  b: number;
  gamma: number;
  learningRate: number;
  negativeSampleRate: number;
  layoutEvery: number;
  seed: number;
  /** Epochs already done (a resumed run); the loop starts here. */
  startEpoch: number;
  /** The edge records (sgd.ts SgdThread.edges), in the fuzzy graph's order. */
  edges: Float64Array;
  edgeEnds: Int32Array;
  live: Float32Array;
  /** The layout as of the last merge, each thread publishing its own range (see runThread). */
  snap: Float32Array;
  /** threads × n × 2: each thread's private copy of `snap`, read by its kernel (empty with one thread, which reads `live`). */
  snaps: Float32Array;
  /** threads × n × 2 */
  deltas: Float32Array;
  ctrl: Int32Array;
  ranges: { eLo: number; eHi: number; vLo: number; vHi: number }[];
  /** Thread t's lanes' edge streams: bounds [t·(SAMPLE_LANES + 1), (t + 1)·(SAMPLE_LANES + 1)). */
  lanes: Int32Array;
  /** The memory every array above lives in, when the WebAssembly kernel optimises. */
  memory?: WasmMemory;
  /** Byte offset of thread 0's kernel header (thread t's at + t·HEADER_BYTES). */
  headers: number;
}

/** Carves 16-byte-aligned typed arrays (16: the kernel's vector loads) out of one shared buffer. */
class Arena {
  private at = 0;
  reserve(bytes: number): number {
    const off = this.at;
    this.at += Math.ceil(bytes / 16) * 16;
    return off;
  }
  get bytes(): number {
    return Math.max(this.at, 16);
  }
}

/**
 * Bytes of shared memory a run of n points, `edges` fuzzy edges and `threads` threads needs at
 * most (prepareRun's regions, each rounded up to 16 bytes: the last term).
 */
export function runMemoryBytes(n: number, edges: number, threads: number): number {
  return edges * EDGE_WORDS * 8 + n * 8 * (2 + 2 * threads) + threads * HEADER_BYTES + CTRL.SIZE * 4 + 16 * 12;
}

/**
 * The kernel a run of n points with k neighbours per point gets: the WebAssembly one where the
 * runtime has it and the run fits a 32-bit memory (the fuzzy graph has at most 2·n·k edges).
 */
export function defaultOptimizer(n: number, k: number, threads: number): SgdOptimizer {
  const fits = runMemoryBytes(n, 2 * n * k, threads) <= WASM_MAX_PAGES * WASM_PAGE_BYTES;
  return fits && sgdKernelModule() ? 'wasm-simd' : 'js';
}

/** Gaussian-ish noise from the seeded generator (sum of uniforms; only used for tiny jitter). */
function jitter(state: { s: number }): number {
  let acc = 0;
  for (let i = 0; i < 4; i++) {
    let s = state.s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    state.s = s;
    acc += (s >>> 0) / 4294967296;
  }
  return (acc - 2) * Math.sqrt(3);
}

/**
 * The starting layout, as umap-learn prepares it: scaled so the largest coordinate is 10, a
 * 1e-4 jitter (it separates duplicate points, whose identical positions would otherwise never
 * move apart), then each axis rescaled to [0, 10].
 */
export function initialLayout(n: number, seed: number, init?: Float32Array): Float32Array {
  const out = new Float32Array(n * 2);
  const rng = { s: seedXorshift(seed ^ 0x51ed270b) };
  if (!init) {
    for (let i = 0; i < n * 2; i++) {
      let s = rng.s;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      rng.s = s;
      out[i] = ((s >>> 0) / 4294967296) * 20 - 10;
    }
  } else {
    let maxAbs = 0;
    for (let i = 0; i < n * 2; i++) maxAbs = Math.max(maxAbs, Math.abs(init[i]));
    const expansion = maxAbs > 0 ? 10 / maxAbs : 1;
    for (let i = 0; i < n * 2; i++) out[i] = init[i] * expansion + 1e-4 * jitter(rng);
  }
  for (let d = 0; d < 2; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, out[2 * i + d]);
      hi = Math.max(hi, out[2 * i + d]);
    }
    const range = hi - lo;
    for (let i = 0; i < n; i++) out[2 * i + d] = range > 0 ? (10 * (out[2 * i + d] - lo)) / range : 5;
  }
  return out;
}

/** Fuzzy graph, schedule, starting layout and partition, all in shared memory. */
/** `afterPhase(done)` marks its PREPARE_PHASES steps (the fuzzy graph's four, then edges and layout), so the worker is never silent for seconds at 10^6 points. */
export const PREPARE_PHASES = 6;
export function prepareRun(job: UmapJob, afterPhase?: (done: number) => void): SharedRun {
  const { graph } = job;
  const n = graph.n;
  const fg = fuzzySimplicialSet(graph, job.nEpochs, afterPhase);
  const m = fg.head.length;
  const threads = Math.max(1, Math.min(job.threads, Math.max(1, n)));
  const ranges = partitionByWork(fg.rowStart, fg.weight, threads);
  const arena = new Arena();
  const snapCopies = threads > 1 ? threads : 0;
  const o = {
    edges: arena.reserve(m * EDGE_WORDS * 8),
    live: arena.reserve(n * 8),
    snap: arena.reserve(n * 8),
    snaps: arena.reserve(snapCopies * n * 8),
    deltas: arena.reserve(threads * n * 8),
    ctrl: arena.reserve(CTRL.SIZE * 4),
    headers: arena.reserve(threads * HEADER_BYTES),
  };
  let memory: WasmMemory | undefined;
  let buffer: SharedArrayBuffer;
  if (job.optimizer === 'wasm-simd') {
    const pages = Math.ceil(arena.bytes / WASM_PAGE_BYTES);
    if (pages > WASM_MAX_PAGES || !Wasm) {
      throw new LensError(
        `UMAP needs ${(arena.bytes / 2 ** 30).toFixed(1)} GiB for ${n} points and ${m} edges, more than the WebAssembly optimizer can address (4 GiB); use the 'js' optimizer`,
      );
    }
    memory = new Wasm.Memory({ initial: pages, maximum: pages, shared: true });
    buffer = memory.buffer as SharedArrayBuffer;
  } else {
    buffer = new SharedArrayBuffer(arena.bytes);
  }
  const { edges, edgeEnds } = edgeRecords(buffer, o.edges, m);
  const eps = epochsPerSample(fg.weight);
  for (let e = 0; e < m; e++) {
    edges[EDGE_WORDS * e + EPOCHS_PER_SAMPLE] = eps[e];
    edgeEnds[2 * EDGE_WORDS * e + HEAD] = fg.head[e];
    edgeEnds[2 * EDGE_WORDS * e + TAIL] = fg.tail[e];
  }
  afterPhase?.(5);
  // Each thread's vertices split again, into its lanes' streams (see sgdEpoch).
  const lanes = new Int32Array(threads * (SAMPLE_LANES + 1));
  ranges.forEach((range, t) => {
    const streams = partitionByWork(fg.rowStart, fg.weight, SAMPLE_LANES, range.vLo, range.vHi);
    streams.forEach((stream, l) => (lanes[t * (SAMPLE_LANES + 1) + l] = stream.eLo));
    lanes[t * (SAMPLE_LANES + 1) + SAMPLE_LANES] = range.eHi;
  });
  const live = new Float32Array(buffer, o.live, n * 2);
  // A resumed run starts from the stopped run's own coordinates: already scaled and jittered.
  live.set(job.resume ? job.resume.xy : initialLayout(n, job.seed, job.init));
  const snap = new Float32Array(buffer, o.snap, n * 2);
  snap.set(live);
  const snaps = new Float32Array(buffer, o.snaps, snapCopies * n * 2);
  for (let t = 0; t < snapCopies; t++) snaps.set(live, t * n * 2);
  return {
    n,
    threads,
    nEpochs: job.nEpochs,
    a: job.a,
    b: job.b,
    gamma: job.repulsionStrength,
    learningRate: job.learningRate,
    negativeSampleRate: job.negativeSampleRate,
    layoutEvery: job.layoutEvery,
    seed: job.seed,
    startEpoch: job.resume ? Math.min(job.resume.epoch, job.nEpochs) : 0,
    edges,
    edgeEnds,
    live,
    snap,
    snaps,
    deltas: new Float32Array(buffer, o.deltas, threads * n * 2),
    ctrl: new Int32Array(buffer, o.ctrl, CTRL.SIZE),
    ranges,
    lanes,
    memory,
    headers: o.headers,
  };
}

/** Merges per epoch in multi-thread runs (see runThread). */
export const SYNCS_PER_EPOCH = 8;

export class RunStopped extends Error {
  constructor(readonly reason: 'aborted' | 'failed') {
    super(reason === 'aborted' ? 'UMAP run cancelled' : 'another UMAP thread failed');
  }
}

/** All threads meet here; an abort or a dead thread stops every waiting thread (RunStopped). */
export function barrier(ctrl: Int32Array, threads: number): void {
  barrierWait(ctrl, threads, { count: CTRL.COUNT, gen: CTRL.GEN }, () => {
    if (Atomics.load(ctrl, CTRL.FAILED)) throw new RunStopped('failed');
    if (Atomics.load(ctrl, CTRL.ABORT_REQ)) throw new RunStopped('aborted');
  });
}

/**
 * Thread `t`'s whole optimisation. Thread 0 additionally decides when to stop (so every thread
 * stops after the same epoch) and hands out layouts through `onFrame`, called while the other
 * threads wait, so each frame is a consistent picture.
 */
export function runThread(
  run: SharedRun,
  t: number,
  onFrame?: (live: Float32Array, epochsDone: number) => void,
  onReplayed?: (epochs: number) => void,
): 'done' | 'stopped' {
  const { n, threads, nEpochs, ctrl } = run;
  const deltas = Array.from({ length: threads }, (_, i) => run.deltas.subarray(i * n * 2, (i + 1) * n * 2));
  const th = makeSgdThread(
    {
      n,
      edges: run.edges,
      edgeEnds: run.edgeEnds,
      negativeSampleRate: run.negativeSampleRate,
      // One thread has no merges: its "snapshot" is the live layout, so it reads current positions.
      live: run.live,
      snap: threads > 1 ? run.snaps.subarray(t * n * 2, (t + 1) * n * 2) : run.live,
      delta: deltas[t],
      a: run.a,
      b: run.b,
      gamma: run.gamma,
    },
    run.ranges[t],
    // Per-thread streams: thread 0 of a 1-thread run and of a 4-thread run draw differently on purpose.
    (run.seed * 0x2545f491 + (t + 1) * 0x9e3779b9 + threads) | 0,
  );
  const optimizer: ThreadOptimizer = run.memory
    ? bindSgdKernel(th, run.memory, run.headers + t * HEADER_BYTES)
    : { epoch: (epoch, alpha) => sgdEpoch(th, epoch, alpha), addPulls: (deltas) => addPulls(th, deltas) };
  // With several threads each epoch is cut into SYNCS_PER_EPOCH slices of every lane's edges,
  // with a merge after each: other threads' vertices are then at most a slice old, which keeps
  // the map's quality at the single-thread level (one merge per epoch measurably lowered it).
  // A merge: (barrier) add the others' pulls on my vertices, publish my range to the shared
  // snapshot; (barrier) copy the whole snapshot into my own, clear my delta buffer. Each thread's
  // kernel then reads only memory it wrote itself or copied in bulk: reading the shared snapshot
  // at random, just after another core wrote it, cost a cache miss per line per slice (~15% of a
  // two-thread run), and so did the owner clearing the writer's delta buffer.
  const others = deltas.filter((_, i) => i !== t);
  const own = { lo: 2 * run.ranges[t].vLo, hi: 2 * run.ranges[t].vHi };
  const slices = threads > 1 ? SYNCS_PER_EPOCH : 1;
  const streams = run.lanes.subarray(t * (SAMPLE_LANES + 1), (t + 1) * (SAMPLE_LANES + 1));
  // A resumed run first replays the schedule of the epochs done (no geometry: a fraction of an
  // epoch's cost), so its edges fall due and its random streams draw exactly as the uninterrupted
  // run's would. Each thread replays only its own edges and streams: no barrier needed. Thread 0
  // reports how far it got (at 10^6 points the replay of hundreds of epochs takes seconds).
  for (let epoch = 0; epoch < run.startEpoch; epoch++) {
    for (let sl = 0; sl < slices; sl++) {
      laneSlice(streams, sl, slices, th.lanes);
      skipEpoch(th, epoch);
    }
    if (t === 0) onReplayed?.(epoch + 1);
  }
  for (let epoch = run.startEpoch; epoch < nEpochs; epoch++) {
    const alpha = run.learningRate * (1 - epoch / nEpochs);
    for (let sl = 0; sl < slices; sl++) {
      laneSlice(streams, sl, slices, th.lanes);
      optimizer.epoch(epoch, alpha);
      barrier(ctrl, threads);
      if (threads > 1) {
        optimizer.addPulls(others);
        run.snap.set(run.live.subarray(own.lo, own.hi), own.lo);
      }
      if (sl === slices - 1 && t === 0 && Atomics.load(ctrl, CTRL.ABORT_REQ)) Atomics.store(ctrl, CTRL.STOP, 1);
      barrier(ctrl, threads);
      if (threads > 1) {
        th.snap.set(run.snap);
        deltas[t].fill(0, 0, own.lo);
        deltas[t].fill(0, own.hi);
      }
    }
    if (Atomics.load(ctrl, CTRL.STOP)) return 'stopped';
    const last = epoch === nEpochs - 1;
    if (run.layoutEvery > 0 && !last && (epoch + 1) % run.layoutEvery === 0) {
      if (t === 0) onFrame?.(run.live, epoch + 1);
      barrier(ctrl, threads);
    }
  }
  return 'done';
}
