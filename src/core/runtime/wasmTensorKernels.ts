/**
 * The tensor kernels tfjs-backend-wasm lacks for training dense and gather layers and the EET
 * loss: UnsortedSegmentSum (the gradient of gather) and Einsum. Registered by wasmTrainingKernels.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { callWasm, dispose, type KernelArgs } from './wasmKernelHelpers';

const { backend_util, util } = tf;

/** out[s, ...] = Σ_{i: ids[i] = s} x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32')
    throw new Error(`UnsortedSegmentSum on wasm expects float32 or int32 x, got ${x.dtype}`);
  const idsShape = segmentIds.shape;
  if (!util.arraysEqual(x.shape.slice(0, idsShape.length), idsShape)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape [${idsShape}] must be a prefix of x shape [${x.shape}]`);
  }
  const inner = x.shape.slice(idsShape.length);
  const innerSize = util.sizeFromShape(inner);
  const outShape = [numSegments, ...inner];
  const out = backend.makeOutput(outShape, x.dtype);
  const xv = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const ov = backend.typedArrayFromHeap(out);
  ov.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * innerSize;
    const dst = s * innerSize;
    for (let j = 0; j < innerSize; j++) ov[dst + j] += xv[src + j];
  }
  return out;
}

/**
 * Einsum as the cpu backend does it — transpose each operand into the common dim order, broadcast
 * multiply, sum out contracted dims along tfjs's compute path — but with wasm's own kernels.
 */
export function einsum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { equation } = attrs as { equation: string };
  const tensors = inputs as unknown as TensorInfo[];
  const { allDims, summedDims, idDims } = backend_util.decodeEinsumEquation(equation, tensors.length);
  backend_util.checkEinsumDimSizes(allDims.length, idDims, tensors as unknown as tf.Tensor[]);
  const { path, steps } = backend_util.getEinsumComputePath(summedDims, idDims);
  let out: TensorInfo | null = null;
  let remaining = allDims.length;
  const temps: TensorInfo[] = [];
  for (let i = 0; i < steps.length; i++) {
    for (const term of steps[i]) {
      const { permutationIndices: perm, expandDims } = backend_util.getEinsumPermutation(remaining, idDims[term]);
      let t = tensors[term];
      if (!backend_util.isIdentityPermutation(perm)) {
        t = callWasm('Transpose', { x: t }, backend, { perm });
        temps.push(t);
      }
      const shape = t.shape.slice();
      for (const d of expandDims) shape.splice(d, 0, 1);
      if (!util.arraysEqual(t.shape, shape)) {
        t = callWasm('Reshape', { x: t }, backend, { shape });
        temps.push(t);
      }
      if (out === null) {
        out = t;
      } else {
        out = callWasm('Multiply', { a: t, b: out }, backend);
        temps.push(out);
      }
    }
    if (i < steps.length - 1) {
      if (path[i] >= 0) {
        out = callWasm('Sum', { x: out! }, backend, { axis: path[i] - (allDims.length - remaining), keepDims: false });
        temps.push(out);
      }
      remaining--;
    }
  }
  if (out === null) throw new Error(`Einsum: nothing to compute for "${equation}"`);
  for (const t of temps) if (t !== out) dispose(backend, t);
  // A bare input (e.g. "ij->ij") must not be handed back as the output: the engine would then
  // hold two tensors on one buffer without a reference for the second.
  if (!temps.includes(out)) out = callWasm('Identity', { x: out }, backend);
  return out;
}
