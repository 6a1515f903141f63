import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, wasmTrainingKernelNames } from '../../../src/core/runtime/wasmTrainingKernels';

registerWasmTrainingKernels();

/** Deterministic pseudo-random values, identical on both backends. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Runs fn on a backend and returns every output as plain arrays. */
async function on(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const outs = tf.tidy(fn);
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    assert.ok(d <= tol || d <= tol * Math.abs(expected[i]), `${what}[${i}]: wasm ${actual[i]} vs cpu ${expected[i]}`);
  }
}

async function compare(what: string, fn: () => tf.Tensor[], tol?: number): Promise<void> {
  const cpu = await on('cpu', fn);
  const wasm = await on('wasm', fn);
  cpu.forEach((c, i) => assertClose(wasm[i], c, `${what} output ${i}`, tol));
}

test('the module registers exactly the kernels wasm lacks, once', () => {
  for (const name of wasmTrainingKernelNames) assert.ok(tf.getKernel(name, 'wasm'), name);
  assert.deepEqual(registerWasmTrainingKernels(), []);
});

const convCases: Array<{
  name: string;
  x: number[];
  w: number[];
  strides: number | [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  dilations?: number;
}> = [
  { name: '3x3 same, 1 channel', x: [2, 7, 7, 1], w: [3, 3, 1, 4], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 2, 3→5', x: [3, 9, 8, 3], w: [3, 3, 3, 5], strides: 2, pad: 'valid' },
  { name: '5x3 same stride [2,1]', x: [2, 10, 7, 4], w: [5, 3, 4, 6], strides: [2, 1], pad: 'same' },
  {
    name: 'explicit padding',
    x: [2, 6, 6, 2],
    w: [3, 3, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { name: 'dilation 2', x: [1, 9, 9, 2], w: [3, 3, 2, 2], strides: 1, pad: 'same', dilations: 2 },
  { name: '1x1 conv', x: [4, 5, 5, 8], w: [1, 1, 8, 16], strides: 1, pad: 'valid' },
];

for (const c of convCases) {
  test(`Conv2DBackpropFilter matches cpu: ${c.name}`, async () => {
    await compare(c.name, () => {
      const x = tf.tensor4d(
        values(
          c.x.reduce((a, b) => a * b),
          1,
        ),
        c.x as [number, number, number, number],
      );
      const w = tf.tensor4d(
        values(
          c.w.reduce((a, b) => a * b),
          2,
        ),
        c.w as [number, number, number, number],
      );
      const y = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations ?? 1);
      const dy = tf.tensor(values(y.size, 3), y.shape);
      const dw = tf.engine().runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          dilations: c.dilations ?? 1,
          filterShape: c.w,
        },
      ) as tf.Tensor;
      // And through autodiff, the way a training step reaches it (dilations > 1 has no tfjs gradient).
      const viaGrad =
        (c.dilations ?? 1) === 1
          ? tf.grad((wt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, wt as tf.Tensor4D, c.strides, c.pad), dy)))(w)
          : dw;
      return [dw, viaGrad];
    });
  });
}

for (const c of convCases.filter((k) => (k.dilations ?? 1) === 1)) {
  test(`Conv2DBackpropInput (replaced on wasm) matches cpu: ${c.name}`, async () => {
    await compare(c.name, () => {
      const x = tf.tensor4d(
        values(
          c.x.reduce((a, b) => a * b),
          1,
        ),
        c.x as [number, number, number, number],
      );
      const w = tf.tensor4d(
        values(
          c.w.reduce((a, b) => a * b),
          2,
        ),
        c.w as [number, number, number, number],
      );
      const y = tf.conv2d(x, w, c.strides, c.pad);
      const dy = tf.tensor(values(y.size, 3), y.shape);
      const dx = tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter: w },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
        ) as tf.Tensor;
      return [dx, tf.grad((xt: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt as tf.Tensor4D, w, c.strides, c.pad), dy)))(x)];
    });
  });
}

test('MaxPoolGrad (replaced on wasm) matches cpu: 2×2/2 valid, 3×3/1 same (overlapping), 3×3/2 same, ties after relu', async () => {
  const cases: Array<[number[], number, number, 'same' | 'valid']> = [
    [[2, 8, 8, 3], 2, 2, 'valid'],
    [[2, 7, 7, 4], 3, 1, 'same'],
    [[1, 9, 6, 2], 3, 2, 'same'],
  ];
  for (const [xs, size, stride, pad] of cases) {
    await compare(`maxpool ${xs} ${size}/${stride} ${pad}`, () => {
      const x = tf.tensor4d(
        values(
          xs.reduce((a, b) => a * b),
          11,
        ),
        xs as [number, number, number, number],
      );
      const f = (t: tf.Tensor) => tf.maxPool(tf.relu(t) as tf.Tensor4D, size, stride, pad);
      const dy = tf.tensor(values(f(x).size, 12), f(x).shape);
      return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x)];
    });
  }
});

const depthwiseCases: Array<[number[], number[], number, 'same' | 'valid', number]> = [
  [[2, 8, 8, 3], [3, 3, 3, 1], 1, 'same', 1],
  [[2, 9, 7, 4], [3, 3, 4, 2], 2, 'valid', 1],
  [[1, 10, 10, 2], [3, 3, 2, 2], 1, 'same', 2],
];

/**
 * Independent reference from cpu forward convolutions only: the conv is linear in its filter, so
 * dW[e] = Σ dy ⊙ conv(x, onehot_e). Needed for dilation > 1, where the cpu backward kernels ignore
 * dilations (tfjs's own gradient refuses dilation > 1, so training never reaches that case).
 */
async function depthwiseFilterGradByLinearity(
  xs: number[],
  ws: number[],
  stride: number,
  pad: 'same' | 'valid',
  dil: number,
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const size = ws.reduce((a, b) => a * b);
  const out = new Float32Array(size);
  tf.tidy(() => {
    const x = tf.tensor4d(
      values(
        xs.reduce((a, b) => a * b),
        4,
      ),
      xs as [number, number, number, number],
    );
    for (let e = 0; e < size; e++) {
      const onehot = new Float32Array(size);
      onehot[e] = 1;
      const y = tf.depthwiseConv2d(x, tf.tensor4d(onehot, ws as [number, number, number, number]), stride, pad, 'NHWC', dil);
      const dy = tf.tensor(values(y.size, 6), y.shape);
      out[e] = tf.sum(tf.mul(y, dy)).dataSync()[0];
    }
  });
  return out;
}

for (const [xs, ws, stride, pad, dil] of depthwiseCases) {
  test(`DepthwiseConv2dNative backprop filter and input match cpu: x ${xs}, w ${ws}, stride ${stride}, ${pad}, dilation ${dil}`, async () => {
    const fn = () => {
      const x = tf.tensor4d(
        values(
          xs.reduce((a, b) => a * b),
          4,
        ),
        xs as [number, number, number, number],
      );
      const w = tf.tensor4d(
        values(
          ws.reduce((a, b) => a * b),
          5,
        ),
        ws as [number, number, number, number],
      );
      const y = tf.depthwiseConv2d(x, w, stride, pad, 'NHWC', dil);
      const dy = tf.tensor(values(y.size, 6), y.shape);
      const attrs = { strides: stride, dilations: dil, pad };
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: ws }) as tf.Tensor;
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: xs }) as tf.Tensor;
      return [dw, dx];
    };
    const wasm = await on('wasm', fn);
    if (dil === 1) {
      const cpu = await on('cpu', fn);
      assertClose(wasm[0], cpu[0], 'filter grad');
      assertClose(wasm[1], cpu[1], 'input grad');
      // And through autodiff, the way a training step reaches both kernels.
      await compare('depthwise autodiff', () => {
        const x = tf.tensor4d(
          values(
            xs.reduce((a, b) => a * b),
            4,
          ),
          xs as [number, number, number, number],
        );
        const w = tf.tensor4d(
          values(
            ws.reduce((a, b) => a * b),
            5,
          ),
          ws as [number, number, number, number],
        );
        const dy = tf.tensor(values(tf.depthwiseConv2d(x, w, stride, pad).size, 6), tf.depthwiseConv2d(x, w, stride, pad).shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy)),
        )([x, w]);
      });
    } else {
      assertClose(wasm[0], await depthwiseFilterGradByLinearity(xs, ws, stride, pad, dil), 'filter grad (dilated)');
    }
  });
}

test('UnsortedSegmentSum matches cpu for float and int data, repeated and missing segments', async () => {
  await compare('segment sum', () => {
    const x = tf.tensor2d(values(6 * 4, 7), [6, 4]);
    const ids = tf.tensor1d([2, 0, 2, 4, 0, 2], 'int32');
    const xi = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'int32');
    const idsi = tf.tensor1d([1, 1, 0, 1], 'int32');
    return [
      tf.unsortedSegmentSum(x, ids, 5),
      tf.unsortedSegmentSum(xi, idsi, 3),
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 0, 1], 'int32'), 2),
    ];
  });
});

test('gather gradient (UnsortedSegmentSum) matches cpu, with repeated indices', async () => {
  await compare('gather grad', () => {
    const x = tf.tensor2d(values(5 * 3, 8), [5, 3]);
    const idx = tf.tensor1d([4, 0, 4, 2, 4], 'int32');
    const r = tf.tensor2d(values(5 * 3, 9), [5, 3]);
    return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx), r)))(x)];
  });
});

test('Einsum matches cpu on contractions, batch matmul, outer products and reductions', async () => {
  const eqs: Array<[string, number[][]]> = [
    [
      'ij,jk->ik',
      [
        [3, 4],
        [4, 5],
      ],
    ],
    [
      'bij,bjk->bik',
      [
        [2, 3, 4],
        [2, 4, 2],
      ],
    ],
    ['i,j->ij', [[3], [4]]],
    ['i,i->', [[6], [6]]],
    ['ij,j->i', [[3, 5], [5]]],
    ['ij->ji', [[3, 2]]],
    ['ij->i', [[4, 3]]],
    [
      'ij,ij->ij',
      [
        [2, 3],
        [2, 3],
      ],
    ],
  ];
  for (const [eq, shapes] of eqs) {
    await compare(`einsum ${eq}`, () => {
      const ts = shapes.map((s, i) =>
        tf.tensor(
          values(
            s.reduce((a, b) => a * b, 1),
            10 + i,
          ),
          s,
        ),
      );
      return [tf.einsum(eq, ...ts)];
    });
  }
});

test('a small CNN training step (conv, depthwise, pool, batch norm, dense, gather) has the same gradients on wasm and cpu', async () => {
  const grads = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          padding: 'same',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization(),
        tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.conv2d({
          filters: 6,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    const x = tf.tensor4d(values(6 * 12 * 12, 30), [6, 12, 12, 1]);
    const idx = tf.tensor1d([0, 1, 2, 3, 4, 5, 0, 3], 'int32');
    const { grads: g } = tf.variableGrads(
      () => {
        const e = model.apply(x, { training: true }) as tf.Tensor2D;
        const picked = tf.gather(e, idx);
        return tf.sum(tf.abs(tf.sub(picked, 0.1))).asScalar() as tf.Scalar;
      },
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const names = Object.keys(g).sort();
    const out = names.map((n) => Float32Array.from(g[n].dataSync()));
    tf.dispose(Object.values(g));
    model.dispose();
    tf.dispose([x, idx]);
    return out;
  };
  const cpu = await grads('cpu');
  const wasm = await grads('wasm');
  assert.equal(wasm.length, cpu.length);
  cpu.forEach((c, i) => assertClose(wasm[i], c, `weight ${i}`, 1e-3));
});
