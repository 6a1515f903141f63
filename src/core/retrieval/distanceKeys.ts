import { distanceKeyModel } from './onnxGraph';
import { loadOrt } from '../runtime/onnx';

/**
 * Ranking keys for a block of queries against a whole gallery: key(q, g) = ‖g‖² − 2·q·g, the
 * squared distance minus ‖q‖² (constant along a row, so rankings are unchanged).
 *
 * onnxruntime's Gemm (MLAS) runs this several times faster than tfjs-wasm or plain JS on the same
 * cores, so it is the engine; a blocked JS loop is the fallback where the native addon does not
 * load. Both are exact float32 products; only summation order differs.
 */
export interface KeyEngine {
  readonly kind: 'onnxruntime' | 'js';
  /** keys for queries rows [0, m) of `queries` (m×dim), row-major m×n. */
  keys(queries: Float32Array, m: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export async function createKeyEngine(
  gallery: Float32Array,
  n: number,
  dim: number,
  gallerySq: Float32Array,
  threads: number,
): Promise<KeyEngine> {
  try {
    return await createOrtEngine(gallery, n, dim, gallerySq, threads);
  } catch {
    return createJsEngine(gallery, n, dim, gallerySq);
  }
}

async function createOrtEngine(
  gallery: Float32Array,
  n: number,
  dim: number,
  gallerySq: Float32Array,
  threads: number,
): Promise<KeyEngine> {
  // Loaded lazily (the addon is large and only this engine needs it), through loadOrt: one copy of
  // onnxruntime per thread, whichever bundle asks — a second copy would abort the process.
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(distanceKeyModel(gallery, n, dim, gallerySq), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  // Two reusable output buffers: the scan ranks one block while the next is computed into the
  // other, and reusing them spares the page faults of a fresh multi-megabyte array per block.
  const outputs: Float32Array[] = [];
  let turn = 0;
  return {
    kind: 'onnxruntime',
    async keys(queries, m) {
      // onnxruntime-node rejects tensors over SharedArrayBuffer memory (what workers receive): copy.
      const qv = queries.subarray(0, m * dim);
      const q = new ort.Tensor('float32', qv.buffer instanceof SharedArrayBuffer ? Float32Array.from(qv) : qv, [m, dim]);
      const slot = turn++ & 1;
      if (!outputs[slot] || outputs[slot].length !== m * n) outputs[slot] = new Float32Array(m * n);
      const out = outputs[slot];
      await session.run({ Q: q }, { K: new ort.Tensor('float32', out, [m, n]) });
      return out;
    },
    async dispose() {
      await session.release();
    },
  };
}

export function createJsEngine(gallery: Float32Array, n: number, dim: number, gallerySq: Float32Array): KeyEngine {
  return {
    kind: 'js',
    async keys(queries, m) {
      const out = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        const qo = i * dim;
        for (let j = 0; j < n; j++) {
          const go = j * dim;
          let dot = 0;
          for (let k = 0; k < dim; k++) dot += queries[qo + k] * gallery[go + k];
          out[i * n + j] = gallerySq[j] - 2 * dot;
        }
        // A long fallback run yields now and then so the event loop is never held for long.
        if ((i & 15) === 15) await new Promise<void>((r) => setImmediate(r));
      }
      return out;
    },
    async dispose() {},
  };
}
