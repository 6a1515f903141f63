import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointFiles, loadCheckpoint } from '../../../src/core/checkpoint';
import { rankOutputs, reduceOutput } from '../../../src/core/checkpoint/outputChoice';
import { modelsDir, tmp } from '../embed/helpers/make';
import { saveLayersModel } from '../embed/helpers/tfjs';
import { initTfjs } from '../../../src/core/runtime/tfjs';

// Fixtures: scripts/make-fixture-onnx.mjs (vit-like, token-encoder, conv-backbone, multi-head) — shapes of real exports, tiny sizes.
const rgb = (seed: number) => Float32Array.from({ length: 48 }, (_, i) => ((i * 7 + seed * 11) % 13) / 13 - 0.4);
const grey = (seed: number) => Float32Array.from({ length: 64 }, (_, i) => ((i * 13 + seed * 29) % 17) / 17);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

/** Embeds two images with the default choice and with the raw output named explicitly (flattened). */
async function defaultAndRaw(file: string, raw: string, image: (s: number) => Float32Array) {
  const batch = new Float32Array(2 * image(0).length);
  batch.set(image(1), 0);
  batch.set(image(2), image(0).length);
  const m = await loadCheckpoint(file);
  const r = await loadCheckpoint(file, { output: { kind: 'named', name: raw } });
  try {
    return { m, got: await m.embed(batch, 2), rawDim: r.dim, flat: await r.embed(batch, 2) };
  } finally {
    await m.dispose();
    await r.dispose();
  }
}

test('ViT-like export: the rank-2 pooler_output wins over the token sequence, and the header lists every output', async () => {
  const { m, got, flat } = await defaultAndRaw(join(modelsDir, 'vit-like.onnx'), 'pooler_output', rgb);
  assert.equal(m.outputName, 'pooler_output');
  assert.deepEqual(m.output, { kind: 'named', name: 'pooler_output' });
  assert.equal(m.dim, 8);
  close(got, flat);
  const a = m.assumptions.find((x) => x.startsWith('embedding = output "pooler_output"'));
  assert.ok(a, m.assumptions.join('\n'));
  assert.match(a!, /named like an embedding/);
  assert.match(a!, /last_hidden_state \[n,16,8\] \(Transpose\), pooler_output \[n,8\] \(Gemm\)/);
});

test('token sequence without a pooled output → its CLS token (row 0); "pool": "mean" → the mean over tokens', async () => {
  const file = join(modelsDir, 'token-encoder.onnx');
  const { m, got, rawDim, flat } = await defaultAndRaw(file, 'last_hidden_state', rgb);
  assert.equal(rawDim, 128, 'named explicitly, the sequence is still flattened: an explicit output wins');
  assert.equal(m.dim, 8);
  assert.deepEqual(
    m.output,
    { kind: 'named', name: 'last_hidden_state', pool: 'cls' },
    'the pool travels with the choice (a fine-tune sidecar reloads the same embedding)',
  );
  close(got, [...flat.subarray(0, 8), ...flat.subarray(128, 136)]);
  assert.ok(
    m.assumptions.some((x) => /token 0 \(CLS\) of 16/.test(x) && /"pool": "mean"/.test(x) && /last_hidden_state \[n,16,8\]/.test(x)),
    m.assumptions.join('\n'),
  );

  const dir = tmp();
  copyFileSync(file, join(dir, 'encoder.onnx'));
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ pool: 'mean' }));
  const mean = await loadCheckpoint(join(dir, 'encoder.onnx'));
  try {
    const batch = new Float32Array(96);
    batch.set(rgb(1), 0);
    batch.set(rgb(2), 48);
    const want = new Float32Array(16);
    for (let i = 0; i < 2; i++) for (let t = 0; t < 16; t++) for (let k = 0; k < 8; k++) want[i * 8 + k] += flat[i * 128 + t * 8 + k] / 16;
    close(await mean.embed(batch, 2), want);
    assert.ok(mean.assumptions.some((x) => /averaged over its 16 tokens/.test(x)));
  } finally {
    await mean.dispose();
  }
});

test('rank-4 feature map → global average pooling over H,W per channel', async () => {
  const { m, got, rawDim, flat } = await defaultAndRaw(join(modelsDir, 'conv-backbone.onnx'), 'feature_map', rgb);
  assert.equal(rawDim, 128);
  assert.equal(m.dim, 8);
  const want = Array.from({ length: 16 }, (_, j) => flat.subarray(j * 16, j * 16 + 16).reduce((s, x) => s + x, 0) / 16);
  close(got, want);
  assert.ok(
    m.assumptions.some((x) => /global average pooling/.test(x) && /feature_map \[n,8,4,4\] \(Relu\)/.test(x)),
    m.assumptions.join('\n'),
  );

  // Named with its pool in embedding-lens.json (what a head-only fine-tune writes): the same vectors.
  const dir = tmp();
  copyFileSync(join(modelsDir, 'conv-backbone.onnx'), join(dir, 'b.onnx'));
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ output: { name: 'feature_map', pool: 'gap' } }));
  const again = await loadCheckpoint(join(dir, 'b.onnx'));
  try {
    const batch = new Float32Array(96);
    batch.set(rgb(1), 0);
    batch.set(rgb(2), 48);
    close(await again.embed(batch, 2), want);
  } finally {
    await again.dispose();
  }
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ output: { name: 'feature_map', pool: 'max' } }));
  await assert.rejects(loadCheckpoint(join(dir, 'b.onnx')), /embedding-lens\.json: "output\.pool" must be "cls"/);
});

test('several heads, probability heads first: the widest rank-2 output that is not sigmoid/softmax is the embedding', async () => {
  const { m, got, flat } = await defaultAndRaw(join(modelsDir, 'multi-head.onnx'), 'hidden_out', grey);
  assert.equal(m.outputName, 'hidden_out');
  assert.equal(m.dim, 12);
  close(got, flat);
  assert.ok(
    m.assumptions.some(
      (x) =>
        /widest rank-2 output that is not a probability head/.test(x) &&
        /gender \[n,1\] \(Sigmoid\), age \[n,5\] \(Softmax\), x6 \[n,6\] \(Gemm\), hidden_out \[n,12\] \(Relu\)/.test(x),
    ),
    m.assumptions.join('\n'),
  );
  const x6 = await loadCheckpoint(join(modelsDir, 'multi-head.onnx'), { output: { kind: 'named', name: 'x6' } });
  try {
    assert.equal(x6.dim, 6, '--output still wins');
  } finally {
    await x6.dispose();
  }
});

test('a single softmax output still means the penultimate layer', async () => {
  const m = await loadCheckpoint(join(modelsDir, 'tiny-classifier.onnx'));
  try {
    assert.deepEqual(m.output, { kind: 'penultimate' });
    assert.ok(
      m.assumptions.some((x) => /probability head \(outputs: probs \[n,3\] \(Softmax\)\)/.test(x)),
      m.assumptions.join('\n'),
    );
  } finally {
    await m.dispose();
  }
});

/** Like faceres.json: x [n,4,4,1] → flat; outputs probs (Softmax), gender (Sigmoid), hidden/Relu = relu(flat · W2) [n,8]. */
function writeMultiOutputGraph(dir: string, file: string): { path: string; W2: number[][] } {
  mkdirSync(dir, { recursive: true });
  const W = Array.from({ length: 16 }, (_, i) => Array.from({ length: 3 }, (_, j) => (i - j) / 10));
  const W2 = Array.from({ length: 16 }, (_, i) => Array.from({ length: 8 }, (_, j) => ((i * 3 + j * 5) % 7) / 7 - 0.4));
  const floats = new Float32Array([...W.flat(), 0.1, 0, -0.1, ...W2.flat()]);
  const shape = new Int32Array([-1, 16]);
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat([Buffer.from(floats.buffer), Buffer.from(shape.buffer)]));
  const f = { T: { type: 'DT_FLOAT' } };
  const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = f) => ({ name, op, input, attr });
  const konst = (name: string, dtype: string, dims: number[]) =>
    node(name, 'Const', [], {
      dtype: { type: dtype },
      value: { tensor: { dtype, tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } } },
    });
  const topology = {
    node: [
      node('x', 'Placeholder', [], {
        dtype: { type: 'DT_FLOAT' },
        shape: { shape: { dim: [{ size: '-1' }, { size: '4' }, { size: '4' }, { size: '1' }] } },
      }),
      konst('W', 'DT_FLOAT', [16, 3]),
      konst('b', 'DT_FLOAT', [3]),
      konst('W2', 'DT_FLOAT', [16, 8]),
      konst('shape', 'DT_INT32', [2]),
      node('flat', 'Reshape', ['x', 'shape']),
      node('logits/MatMul', 'MatMul', ['flat', 'W'], { ...f, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('logits', 'BiasAdd', ['logits/MatMul', 'b']),
      node('probs', 'Softmax', ['logits']),
      node('gender', 'Sigmoid', ['logits']),
      node('hidden/MatMul', 'MatMul', ['flat', 'W2'], { ...f, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('hidden/Relu', 'Relu', ['hidden/MatMul']),
    ],
    library: {},
    versions: {},
  };
  const manifest = [
    {
      paths: ['group1-shard1of1.bin'],
      weights: [
        { name: 'W', shape: [16, 3], dtype: 'float32' },
        { name: 'b', shape: [3], dtype: 'float32' },
        { name: 'W2', shape: [16, 8], dtype: 'float32' },
        { name: 'shape', shape: [2], dtype: 'int32' },
      ],
    },
  ];
  const path = join(dir, file);
  writeFileSync(
    path,
    JSON.stringify({ format: 'graph-model', generatedBy: 'test', convertedBy: 'hand', modelTopology: topology, weightsManifest: manifest }),
  );
  return { path, W2 };
}

test('tfjs GraphModel with sigmoid, softmax and a plain output (not named model.json): the plain output, no hint needed', async () => {
  const { path, W2 } = writeMultiOutputGraph(tmp(), 'faceres.json');
  const m = await loadCheckpoint(path);
  try {
    assert.equal(m.kind, 'tfjs-graph');
    assert.equal(m.outputName, 'hidden/Relu');
    assert.equal(m.dim, 8);
    const x = grey(3).subarray(0, 16);
    const want = Array.from({ length: 8 }, (_, j) =>
      Math.max(
        0,
        x.reduce((s, v, i) => s + v * W2[i][j], 0),
      ),
    );
    close(await m.embed(x, 1), want);
    const a = m.assumptions.find((s) => s.startsWith('embedding = output "hidden/Relu"'));
    assert.ok(a, m.assumptions.join('\n'));
    assert.match(a!, /probs \[n,3\] \(Softmax\)/);
    assert.match(a!, /gender \[n,3\] \(Sigmoid\)/);
  } finally {
    await m.dispose();
  }
});

test('rankOutputs and reduceOutput: the ranking order, CLS = row 0, NHWC and NCHW global average pooling', () => {
  const o = (name: string, shape: number[], op?: string) => ({ name, shape, op });
  assert.equal(rankOutputs([o('a', [1, 512]), o('image_embeds', [1, 64])], undefined)?.name, 'image_embeds');
  assert.equal(rankOutputs([o('global_pooling/Mean', [1, 1024]), o('a', [1, 2048])], undefined)?.name, 'global_pooling/Mean');
  assert.equal(rankOutputs([o('p', [1, 1000], 'Softmax'), o('seq', [1, 5, 4])], undefined)?.reduce, 'cls');
  assert.equal(rankOutputs([o('map', [1, 8, 2, 2]), o('seq', [1, 5, 4])], 'mean')?.reduce, 'mean');
  assert.equal(rankOutputs([o('p', [1, 10], 'Softmax')], undefined), undefined);
  // NHWC [1, 2, 2, 3]: channel c at positions p*3+c.
  const nhwc = Float32Array.from({ length: 12 }, (_, i) => i);
  close(reduceOutput(nhwc, 1, [1, 2, 2, 3], 'gap', 'NHWC'), [4.5, 5.5, 6.5]);
  close(reduceOutput(nhwc, 1, [1, 3, 2, 2], 'gap', 'NCHW'), [1.5, 5.5, 9.5]);
  close(reduceOutput(nhwc, 2, [2, 3, 2], 'cls', 'NCHW'), [0, 1, 6, 7]);
  close(reduceOutput(nhwc, 2, [2, 3, 2], 'mean', 'NCHW'), [2, 3, 8, 9]);
  assert.throws(() => reduceOutput(nhwc, 1, [1, 12], 'gap', 'NCHW'), /"pool": "gap" needs a rank-4 output, but it is \[1,12\]/);
});

test('HF preprocessor_config.json beside the model: mean, std, size and resize read; embedding-lens.json still wins; bad values name the file', async () => {
  const dir = tmp();
  const file = join(dir, 'model.onnx');
  copyFileSync(join(modelsDir, 'vit-like.onnx'), file);
  const hf = {
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.25, 0.25, 0.25],
    size: { height: 4, width: 4 },
    resample: 3,
    do_rescale: true,
    rescale_factor: 1 / 255,
  };
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(hf));
  const m = await loadCheckpoint(file);
  try {
    assert.deepEqual(m.preprocess.mean, [0.5, 0.5, 0.5]);
    assert.deepEqual(m.preprocess.std, [0.25, 0.25, 0.25]);
    assert.equal(m.preprocess.resize, 'stretch', 'a fixed height × width is a plain resize, as transformers does');
    assert.ok(!m.assumptions.some((a) => /without mean\/std/.test(a)));
    assert.ok(
      (await checkpointFiles(file)).some((f) => f.file === join(dir, 'preprocessor_config.json')),
      'part of the checkpoint: the embedding cache key hashes it',
    );
    assert.equal(m.preprocess.resample, 'bicubic', 'PIL resample 3 is applied as the bicubic filter');
    assert.ok(
      m.assumptions.some((a) =>
        /preprocessor_config\.json \(image_mean, image_std, size, resample, resize stretch, bicubic filter\)$/.test(a),
      ),
      m.assumptions.join('\n'),
    );
  } finally {
    await m.dispose();
  }
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...hf, resample: 4 }));
  const box = await loadCheckpoint(file);
  try {
    assert.equal(box.preprocess.resample, undefined);
    assert.ok(
      box.assumptions.some((a) => /its resample box has no sharp equivalent, images are resized with Lanczos-3/.test(a)),
      box.assumptions.join('\n'),
    );
  } finally {
    await box.dispose();
  }
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(hf));
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ mean: [0.1, 0.2, 0.3], resample: 'nearest' }));
  const over = await loadCheckpoint(file);
  try {
    assert.deepEqual(over.preprocess.mean, [0.1, 0.2, 0.3]);
    assert.deepEqual(over.preprocess.std, [0.25, 0.25, 0.25]);
    assert.equal(over.preprocess.resample, 'nearest', 'embedding-lens.json wins over the HF resample too');
  } finally {
    await over.dispose();
  }
  writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...hf, image_std: [0, 1, 1] }));
  await assert.rejects(loadCheckpoint(file), /preprocessor_config\.json: "std" values must be > 0/);
});

test('tfjs LayersModel ending in a conv feature map (NHWC) → global average pooling per channel, not 144 flattened values', async () => {
  const { tf } = await initTfjs('auto');
  const net = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 3],
        filters: 4,
        kernelSize: 1,
        name: 'backbone',
        kernelInitializer: tf.initializers.randomNormal({ seed: 4 }),
      }),
    ],
  });
  const path = await saveLayersModel(tf, net, tmp());
  const m = await loadCheckpoint(path);
  try {
    assert.equal(m.dim, 4);
    const x = Float32Array.from({ length: 108 }, (_, i) => ((i * 5) % 11) / 11);
    const map = (await (net.predict(tf.tensor(x, [1, 6, 6, 3])) as import('@tensorflow/tfjs').Tensor).data()) as Float32Array;
    const want = [0, 1, 2, 3].map((c) => Array.from({ length: 36 }, (_, p) => map[p * 4 + c]).reduce((a, b) => a + b, 0) / 36);
    close(await m.embed(x, 1), want);
    assert.ok(
      m.assumptions.some((a) => /global average pooling/.test(a) && /backbone \[n,6,6,4\]/.test(a)),
      m.assumptions.join('\n'),
    );
  } finally {
    await m.dispose();
    net.dispose();
  }
});
