/**
 * Training kernels that @tensorflow/tfjs-backend-wasm 4.22 does not register, so that a
 * LayersModel (conv, depthwise conv, dense, gather) and the EET loss can be differentiated on wasm.
 *
 * Heavy work is handed to the wasm backend's own kernels (BatchMatMul is XNNPACK, ~20× the cpu
 * backend); only data movement (im2col, scatter) is plain JS over the wasm heap. Every kernel here
 * is checked against the cpu backend in test/unit/train/wasmKernels.test.ts.
 *
 * This module registers them; the kernels live by job in wasmConvGradKernels.ts (conv, pooling)
 * and wasmTensorKernels.ts (segment sum, einsum), sharing wasmKernelHelpers.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import {
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
  maxPoolGrad,
} from './wasmConvGradKernels';
import { einsum, unsortedSegmentSum } from './wasmTensorKernels';
import type { KernelArgs } from './wasmKernelHelpers';

/** `replaces`: wasm has this kernel, but ours is much faster for training (and tested the same). */
const kernels: Array<{ name: string; func: (args: KernelArgs) => TensorInfo; replaces?: boolean }> = [
  { name: 'Conv2DBackpropFilter', func: conv2DBackpropFilter },
  { name: 'Conv2DBackpropInput', func: conv2DBackpropInput, replaces: true },
  { name: 'MaxPoolGrad', func: maxPoolGrad, replaces: true },
  { name: 'DepthwiseConv2dNativeBackpropFilter', func: depthwiseConv2dNativeBackpropFilter },
  { name: 'DepthwiseConv2dNativeBackpropInput', func: depthwiseConv2dNativeBackpropInput },
  { name: 'UnsortedSegmentSum', func: unsortedSegmentSum },
  { name: 'Einsum', func: einsum },
];

/** Kernel names this module adds to or replaces on wasm (reported by the runtime's device report). */
export const wasmTrainingKernelNames: readonly string[] = kernels.map((k) => k.name);

const ours = new WeakSet<object>();

/**
 * Registers the missing wasm training kernels and swaps in the faster ones. Idempotent; a missing
 * kernel that wasm (a future tfjs) already has is left alone. Safe before the backend initialises.
 * Returns the names it registered on this call.
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const k of kernels) {
    const existing = tf.getKernel(k.name, 'wasm');
    if (existing && (ours.has(existing) || !k.replaces)) continue;
    if (existing) tf.unregisterKernel(k.name, 'wasm');
    const config: KernelConfig = { kernelName: k.name, backendName: 'wasm', kernelFunc: k.func as unknown as KernelFunc };
    ours.add(config);
    tf.registerKernel(config);
    added.push(k.name);
  }
  return added;
}
