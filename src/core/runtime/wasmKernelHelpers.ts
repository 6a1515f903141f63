/**
 * What the wasm training kernels (wasmConvGradKernels.ts, wasmTensorKernels.ts) share: running
 * another registered wasm kernel, releasing and reshaping TensorInfos, and heap views.
 *
 * Note on heap views: any wasm allocation may grow the heap and detach earlier typed-array views,
 * so each kernel allocates its outputs first and only then takes views with typedArrayFromHeap.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

export type KernelArgs = { inputs: NamedTensorInfoMap; backend: BackendWasm; attrs?: NamedAttrMap };

/** Runs another registered wasm kernel on TensorInfos (no tape, no engine bookkeeping). */
export function callWasm(name: string, inputs: NamedTensorInfoMap, backend: BackendWasm, attrs: NamedAttrMap = {}): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  const out = k.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

export function dispose(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const t of infos) backend.disposeData(t.dataId);
}

/** A view of an input that shares its memory under another shape (contiguous data, so always valid). */
export function asShape(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Output with the given shape owning `t`'s memory; `t` is released (Reshape takes its own reference). */
export function reshapeOwned(backend: BackendWasm, t: TensorInfo, shape: number[]): TensorInfo {
  const r = callWasm('Reshape', { x: t }, backend, { shape });
  dispose(backend, t);
  return r;
}

export function heap(backend: BackendWasm, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function assertFloat(kernel: string, ...infos: TensorInfo[]): void {
  for (const t of infos) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} on wasm expects float32 tensors, got ${t.dtype}`);
  }
}
