/**
 * The convolution and pooling gradients tfjs-backend-wasm lacks or runs slowly for training:
 * conv2d's filter and input gradients (im2col and one XNNPACK matmul when strided or dilated),
 * max-pool's, and depthwise conv2d's. Registered by wasmTrainingKernels.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { asShape, assertFloat, callWasm, dispose, heap, reshapeOwned, type ExplicitPadding, type KernelArgs } from './wasmKernelHelpers';

const { backend_util } = tf;

/**
 * The im2col walk shared by the strided filter gradient (gather: patch matrix ← image) and the
 * strided input gradient (scatter-add: image ← patch matrix): for every output position (row of
 * the [B·OH·OW, KH·KW·CI] patch matrix) and kernel tap whose input pixel lies inside the image
 * (padding taps are skipped), `visit(o, at)` with o = the tap's offset in the patch matrix and
 * at = the pixel's offset in the NHWC image; each covers CI consecutive floats.
 */
function forEachPatchTap(info: ReturnType<typeof backend_util.computeConv2DInfo>, visit: (o: number, at: number) => void): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const K = KH * KW * CI;
  let row = 0;
  for (let b = 0; b < B; b++) {
    const xb = b * H * W * CI;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row++) {
        let o = row * K;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh * dh - top;
          if (ih < 0 || ih >= H) {
            o += KW * CI;
            continue;
          }
          for (let kw = 0; kw < KW; kw++, o += CI) {
            const iw = ow * sw + kw * dw - left;
            if (iw >= 0 && iw < W) visit(o, xb + (ih * W + iw) * CI);
          }
        }
      }
    }
  }
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·sh + kh·dh − top, ow·sw + kw·dw − left, ci] · dy[b,oh,ow,co].
 * Strided or dilated: built as im2col(x) [N, KH·KW·CI] (N = B·OH·OW, zero rows for padding) and one matmul
 * dyᵀ [CO, N] · col → [CO, K], transposed back: a plain (non-transposed) XNNPACK matmul, since
 * wasm's transposeA path is an order of magnitude slower.
 */
export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  assertFloat('Conv2DBackpropFilter', x, dy);
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const N = B * OH * OW;
  const K = KH * KW * CI;

  // Stride 1: dW is a valid convolution of x (channels as the batch, the batch as channels) with
  // dy as the filter (kernel OH×OW), which XNNPACK runs as one GEMM — no JS im2col.
  const pb = KH - 1 + OH - H - top;
  const pr = KW - 1 + OW - W - left;
  if (sh === 1 && sw === 1 && dh === 1 && dw === 1 && pb >= 0 && pr >= 0) {
    const xs = callWasm('Transpose', { x }, backend, { perm: [3, 1, 2, 0] });
    const dys = callWasm('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] });
    const g = callWasm('Conv2D', { x: xs, filter: dys }, backend, {
      strides: 1,
      dilations: 1,
      dataFormat: 'NHWC',
      pad: [
        [0, 0],
        [top, pb],
        [left, pr],
        [0, 0],
      ],
    });
    dispose(backend, xs, dys);
    const out = callWasm('Transpose', { x: g }, backend, { perm: [1, 2, 0, 3] });
    dispose(backend, g);
    return out;
  }

  const col = backend.makeOutput([1, N, K], 'float32');
  const xv = heap(backend, x);
  const cv = heap(backend, col);
  cv.fill(0);
  // A plain loop: subarray()+set() allocates a view per patch row, slower for small CI.
  forEachPatchTap(info, (o, at) => {
    for (let ci = 0; ci < CI; ci++) cv[o + ci] = xv[at + ci];
  });
  const dyT = callWasm('Transpose', { x: asShape(dy, [N, CO]) }, backend, { perm: [1, 0] });
  const prod = callWasm('BatchMatMul', { a: asShape(dyT, [1, CO, N]), b: col }, backend, { transposeA: false, transposeB: false });
  dispose(backend, dyT, col);
  const dwT = callWasm('Transpose', { x: asShape(prod, [CO, K]) }, backend, { perm: [1, 0] });
  dispose(backend, prod);
  return reshapeOwned(backend, dwT, [KH, KW, CI, CO]);
}

/**
 * Strided: dx = col2im(dy · Wᵀ): one XNNPACK matmul dy [N, CO] · Wᵀ [CO, K] (W transposed explicitly — it
 * is small) gives every patch's gradient, then a JS scatter-add folds patches back into the image.
 * Replaces wasm's own kernel, a direct loop about 10× slower on a small CNN's training step.
 */
export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  assertFloat('Conv2DBackpropInput', dy, filter);
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const N = B * OH * OW;
  const K = KH * KW * CI;

  // Stride 1 (most CNN layers): the input gradient is itself a convolution of dy with the
  // spatially flipped filter (in/out channels swapped), padded so the output is H×W — one
  // XNNPACK Conv2D, no JS loop at all.
  const padBottom = H - OH - (KH - 1 - top) + KH - 1;
  const padRight = W - OW - (KW - 1 - left) + KW - 1;
  if (sh === 1 && sw === 1 && dh === 1 && dw === 1 && KH - 1 - top >= 0 && KW - 1 - left >= 0 && padBottom >= 0 && padRight >= 0) {
    const flipped = callWasm('Reverse', { x: filter }, backend, { dims: [0, 1] });
    const swapped = callWasm('Transpose', { x: flipped }, backend, { perm: [0, 1, 3, 2] });
    dispose(backend, flipped);
    const dx = callWasm('Conv2D', { x: dy, filter: swapped }, backend, {
      strides: 1,
      dilations: 1,
      dataFormat: 'NHWC',
      pad: [
        [0, 0],
        [KH - 1 - top, padBottom],
        [KW - 1 - left, padRight],
        [0, 0],
      ],
    });
    dispose(backend, swapped);
    return dx;
  }

  const wT = callWasm('Transpose', { x: asShape(filter, [K, CO]) }, backend, { perm: [1, 0] });
  const cols = callWasm('BatchMatMul', { a: asShape(dy, [1, N, CO]), b: asShape(wT, [1, CO, K]) }, backend, {
    transposeA: false,
    transposeB: false,
  });
  dispose(backend, wT);
  const out = backend.makeOutput(inputShape, 'float32');
  const cv = heap(backend, cols);
  const ov = heap(backend, out);
  ov.fill(0);
  forEachPatchTap(info, (o, at) => {
    for (let ci = 0; ci < CI; ci++) ov[at + ci] += cv[o + ci];
  });
  dispose(backend, cols);
  return out;
}

/**
 * Routes each output gradient to the first maximum of its pooling window in the input (the
 * cpu backend's tie rule). Replaces wasm's own kernel, several times slower on small CNNs.
 */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  assertFloat('MaxPoolGrad', dy, input);
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad as 'same',
    dimRoundingMode,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const out = backend.makeOutput(input.shape, 'float32');
  const xv = heap(backend, input);
  const dyv = heap(backend, dy);
  const ov = heap(backend, out);
  ov.fill(0);
  // Channels innermost, so every read and write walks contiguous memory.
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  for (let b = 0; b < B; b++) {
    const xb = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        at.fill(-1);
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw + kw * dw - left;
            if (iw < 0 || iw >= W) continue;
            const i = xb + (ih * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = xv[i + c];
              if (at[c] < 0 || v > best[c]) {
                best[c] = v;
                at[c] = i + c;
              }
            }
          }
        }
        const ds = ((b * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) if (at[c] >= 0) ov[at[c]] += dyv[ds + c];
      }
    }
  }
  return out;
}

/**
 * dW[kh,kw,ci,m] = Σ_{b,oh,ow} x[b, ih, iw, ci] · dy[b,oh,ow,ci·M+m]: no channel mixing, so the
 * work is small and a direct loop over the heap is enough.
 */
export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    dilations: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  assertFloat('DepthwiseConv2dNativeBackpropFilter', x, dy);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const M = CO / CI;
  const top = info.padInfo.top;
  const left = info.padInfo.left;

  const out = backend.makeOutput([KH, KW, CI, M], 'float32');
  const xv = heap(backend, x);
  const dyv = heap(backend, dy);
  const ov = heap(backend, out);
  ov.fill(0);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const obase = (kh * KW + kw) * CO;
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh + kh * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let ow = 0; ow < OW; ow++) {
            const iw = ow * sw + kw * dw - left;
            if (iw < 0 || iw >= W) continue;
            const xs = ((b * H + ih) * W + iw) * CI;
            const ds = ((b * OH + oh) * OW + ow) * CO;
            for (let ci = 0; ci < CI; ci++) {
              const xval = xv[xs + ci];
              const o = obase + ci * M;
              const d = ds + ci * M;
              for (let m = 0; m < M; m++) ov[o + m] += xval * dyv[d + m];
            }
          }
        }
      }
    }
  }
  return out;
}

/** dx[b,ih,iw,ci] = Σ_{kh,kw,m} w[kh,kw,ci,m] · dy[b,oh,ow,ci·M+m] over the outputs that read (ih,iw). */
export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as {
    strides: [number, number] | number;
    dilations: [number, number] | number;
    pad: 'valid' | 'same' | number | ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  assertFloat('DepthwiseConv2dNativeBackpropInput', dy, filter);
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const M = CO / CI;
  const top = info.padInfo.top;
  const left = info.padInfo.left;

  const out = backend.makeOutput(inputShape, 'float32');
  const dyv = heap(backend, dy);
  const wv = heap(backend, filter);
  const ov = heap(backend, out);
  ov.fill(0);
  // Scatter from each output position: the same index arithmetic as the forward pass.
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const ds = ((b * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh * dh - top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw + kw * dw - left;
            if (iw < 0 || iw >= W) continue;
            const xs = ((b * H + ih) * W + iw) * CI;
            const ws = (kh * KW + kw) * CO;
            for (let ci = 0; ci < CI; ci++) {
              let acc = 0;
              const base = ci * M;
              for (let m = 0; m < M; m++) acc += wv[ws + base + m] * dyv[ds + base + m];
              ov[xs + ci] += acc;
            }
          }
        }
      }
    }
  }
  return out;
}
