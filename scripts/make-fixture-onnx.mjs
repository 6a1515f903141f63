#!/usr/bin/env node
// Builds small CNNs as ONNX files by writing the protobuf by hand (no Python or onnx package
// needed), with seeded weights also written as <name>.weights.json + .bin so tests, the tfjs
// twin in bench/embed and the PyTorch peer can all run the very same weights.
//
//   node scripts/make-fixture-onnx.mjs                  → test/fixtures/models/{tiny-cnn,tiny-classifier}.*
//   node scripts/make-fixture-onnx.mjs --model bench-cnn --out DIR   → DIR/bench-cnn.*
//
// Models (NCHW input "image", dynamic batch "N"):
//   tiny-cnn        1×8×8 → Conv(4,3×3,pad 1) → Relu → GlobalAveragePool → Flatten → Gemm(6) = "embedding"
//   tiny-classifier tiny-cnn → Gemm(3) → Softmax = "probs" (penultimate = the Gemm(6) output "features")
//   vit-like        3×4×4 → Conv(8) = "patches" → tokens [N,16,8] = "last_hidden_state"; patches → GAP → Gemm(8) = "pooler_output"
//   token-encoder   3×4×4 → Conv(8) → tokens = "last_hidden_state" only;  conv-backbone: Conv(8) → Relu = "feature_map" [N,8,4,4]
//   multi-head      tiny-cnn trunk → Gemm(12) "hidden" → outputs gender (Sigmoid), age (Softmax), x6 (Gemm 6), hidden_out (Relu 12)
//   twin-heads      tiny trunk → Gemm(6) "trunk" → two Gemm(5) outputs "head_a", "head_b": equally plausible (a tie)
//   bench-cnn       1×28×28 → [Conv(16)→Relu→MaxPool2] → [Conv(32)→Relu→MaxPool2] → Conv(64)→Relu → GAP → Flatten → Gemm(64) = "embedding"
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// --- protobuf encoding (proto2 wire format; repeated scalars written unpacked) ---
function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}
const tag = (no, wire) => varint(no * 8 + wire);
const vint = (no, n) => Buffer.concat([tag(no, 0), varint(n)]);
const bytes = (no, b) => Buffer.concat([tag(no, 2), varint(b.length), b]);
const str = (no, s) => bytes(no, Buffer.from(s, 'utf8'));
const msg = (no, parts) => bytes(no, Buffer.concat(parts));
const f32 = (no, x) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return Buffer.concat([tag(no, 5), b]);
};

// AttributeProto: name=1, f=2, i=3, ints=8, type=20 (FLOAT=1, INT=2, INTS=7)
const attrInts = (name, xs) => msg(5, [str(1, name), ...xs.map((x) => vint(8, x)), vint(20, 7)]);
const attrInt = (name, x) => msg(5, [str(1, name), vint(3, x), vint(20, 2)]);
const attrFloat = (name, x) => msg(5, [str(1, name), f32(2, x), vint(20, 1)]);
// NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
const node = (op, inputs, outputs, attrs = []) =>
  msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attrs]);
// TensorProto: dims=1, data_type=2 (FLOAT=1), name=8, raw_data=9
const initializer = (name, shape, data) =>
  msg(5, [...shape.map((d) => vint(1, d)), vint(2, 1), str(8, name), bytes(9, Buffer.from(data.buffer, data.byteOffset, data.byteLength))]);
// An INT64 (data_type 7) tensor such as Reshape's target shape.
const initializer64 = (name, shape, values) =>
  msg(5, [...shape.map((d) => vint(1, d)), vint(2, 7), str(8, name), bytes(9, Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer))]);
// ValueInfoProto: name=1, type=2 → TypeProto.tensor_type=1 → elem_type=1, shape=2 → dim=1 → dim_value=1 | dim_param=2
const valueInfo = (field, name, dims) =>
  msg(field, [
    str(1, name),
    msg(2, [
      msg(1, [
        vint(1, 1),
        msg(
          2,
          dims.map((d) => msg(1, [typeof d === 'string' ? str(2, d) : vint(1, d)])),
        ),
      ]),
    ]),
  ]);

function model(graphParts) {
  // ModelProto: ir_version=1, producer_name=2, opset_import=8 (domain=1, version=2), graph=7
  return Buffer.concat([vint(1, 8), str(2, 'embedding-lens make-fixture-onnx'), msg(8, [str(1, ''), vint(2, 13)]), msg(7, graphParts)]);
}

// --- seeded weights (mulberry32 → uniform, He-style scale) ---
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function weights(rand, shape, fanIn) {
  const n = shape.reduce((a, b) => a * b, 1);
  const s = Math.sqrt(6 / fanIn);
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * s);
}

/** Layer specs → weights + ONNX graph. conv: OIHW weight; gemm: [out, in] weight with transB = 1 (PyTorch Linear layout). */
function build(name, spec, seed) {
  const rand = rng(seed);
  const tensors = [];
  const nodes = [];
  const inits = [];
  let cur = 'image';
  let ch = spec.input[0];
  const chOf = new Map([['image', ch]]);
  const declared = [];
  spec.layers.forEach((l, i) => {
    const out = l.name ?? `t${i}`;
    // `from` branches off an earlier tensor (several heads on one trunk); `output` declares a graph output.
    if (l.from) {
      cur = l.from;
      ch = chOf.get(l.from);
    }
    if (l.op === 'conv') {
      const w = weights(rand, [l.out, ch, 3, 3], ch * 9);
      const b = weights(rand, [l.out], ch * 9).map((x) => x * 0.1);
      tensors.push({ name: `conv${i}.weight`, shape: [l.out, ch, 3, 3], data: w }, { name: `conv${i}.bias`, shape: [l.out], data: b });
      inits.push(initializer(`conv${i}.weight`, [l.out, ch, 3, 3], w), initializer(`conv${i}.bias`, [l.out], b));
      nodes.push(
        node(
          'Conv',
          [cur, `conv${i}.weight`, `conv${i}.bias`],
          [out],
          [attrInts('kernel_shape', [3, 3]), attrInts('pads', [1, 1, 1, 1]), attrInts('strides', [1, 1])],
        ),
      );
      ch = l.out;
    } else if (l.op === 'relu') nodes.push(node('Relu', [cur], [out]));
    else if (l.op === 'maxpool') nodes.push(node('MaxPool', [cur], [out], [attrInts('kernel_shape', [2, 2]), attrInts('strides', [2, 2])]));
    else if (l.op === 'gap') nodes.push(node('GlobalAveragePool', [cur], [out]));
    else if (l.op === 'flatten') nodes.push(node('Flatten', [cur], [out], [attrInt('axis', 1)]));
    else if (l.op === 'gemm') {
      const w = weights(rand, [l.out, ch], ch);
      const b = weights(rand, [l.out], ch).map((x) => x * 0.1);
      tensors.push({ name: `fc${i}.weight`, shape: [l.out, ch], data: w }, { name: `fc${i}.bias`, shape: [l.out], data: b });
      inits.push(initializer(`fc${i}.weight`, [l.out, ch], w), initializer(`fc${i}.bias`, [l.out], b));
      nodes.push(
        node('Gemm', [cur, `fc${i}.weight`, `fc${i}.bias`], [out], [attrInt('transB', 1), attrFloat('alpha', 1), attrFloat('beta', 1)]),
      );
      ch = l.out;
    } else if (l.op === 'softmax') nodes.push(node('Softmax', [cur], [out], [attrInt('axis', 1)]));
    else if (l.op === 'sigmoid') nodes.push(node('Sigmoid', [cur], [out]));
    else if (l.op === 'tokens') {
      // [N,C,H,W] → Reshape [0 (= N), C, −1] → Transpose → [N, H·W tokens, C], as a ViT's patch sequence.
      inits.push(initializer64(`${out}_shape`, [3], [0, ch, -1]));
      nodes.push(
        node('Reshape', [cur, `${out}_shape`], [`${out}_ct`]),
        node('Transpose', [`${out}_ct`], [out], [attrInts('perm', [0, 2, 1])]),
      );
    }
    chOf.set(out, ch);
    if (l.output) declared.push(valueInfo(12, out, ['N', ...l.output]));
    cur = out;
  });
  const outputs = declared.length ? declared : [valueInfo(12, cur, ['N', ch])];
  const graph = [...nodes, str(2, name), ...inits, valueInfo(11, 'image', ['N', ...spec.input]), ...outputs];
  return { onnx: model(graph), tensors, output: cur };
}

const MODELS = {
  'tiny-cnn': {
    seed: 1,
    input: [1, 8, 8],
    layers: [{ op: 'conv', out: 4 }, { op: 'relu' }, { op: 'gap' }, { op: 'flatten' }, { op: 'gemm', out: 6, name: 'embedding' }],
  },
  'tiny-classifier': {
    seed: 2,
    input: [1, 8, 8],
    layers: [
      { op: 'conv', out: 4 },
      { op: 'relu' },
      { op: 'gap' },
      { op: 'flatten' },
      { op: 'gemm', out: 6, name: 'features' },
      { op: 'gemm', out: 3, name: 'logits' },
      { op: 'softmax', name: 'probs' },
    ],
  },
  // Output-choice fixtures (src/core/checkpoint/outputChoice.ts): shapes of real exports, tiny sizes.
  // vit-like: a HF ViT export's two outputs, token sequence first (3×4×4 → 16 tokens of 8, pooler 8).
  'vit-like': {
    seed: 4,
    onnxOnly: true,
    input: [3, 4, 4],
    layers: [
      { op: 'conv', out: 8, name: 'patches' },
      { op: 'tokens', name: 'last_hidden_state', output: [16, 8] },
      { op: 'gap', from: 'patches' },
      { op: 'flatten' },
      { op: 'gemm', out: 8, name: 'pooler_output', output: [8] },
    ],
  },
  'token-encoder': {
    seed: 5,
    onnxOnly: true,
    input: [3, 4, 4],
    layers: [
      { op: 'conv', out: 8 },
      { op: 'tokens', name: 'last_hidden_state', output: [16, 8] },
    ],
  },
  'conv-backbone': {
    seed: 6,
    onnxOnly: true,
    input: [3, 4, 4],
    layers: [
      { op: 'conv', out: 8 },
      { op: 'relu', name: 'feature_map', output: [8, 4, 4] },
    ],
  },
  // multi-head: like faceres — probability heads listed first, two plain rank-2 outputs, none named like an embedding.
  'multi-head': {
    seed: 7,
    onnxOnly: true,
    input: [1, 8, 8],
    layers: [
      { op: 'conv', out: 4 },
      { op: 'relu' },
      { op: 'gap' },
      { op: 'flatten' },
      { op: 'gemm', out: 12, name: 'hidden' },
      { op: 'gemm', out: 1, name: 'gender_logit' },
      { op: 'sigmoid', name: 'gender', output: [1] },
      { op: 'gemm', out: 5, from: 'hidden', name: 'age_logits' },
      { op: 'softmax', name: 'age', output: [5] },
      { op: 'gemm', out: 6, from: 'hidden', name: 'x6', output: [6] },
      { op: 'relu', from: 'hidden', name: 'hidden_out', output: [12] },
    ],
  },
  // twin-heads: two plain rank-2 outputs of the same width, neither named like an embedding — a tie
  // the extension asks the user about.
  'twin-heads': {
    seed: 8,
    onnxOnly: true,
    input: [1, 8, 8],
    layers: [
      { op: 'conv', out: 4 },
      { op: 'relu' },
      { op: 'gap' },
      { op: 'flatten' },
      { op: 'gemm', out: 6, name: 'trunk' },
      { op: 'gemm', out: 5, name: 'head_a', output: [5] },
      { op: 'gemm', out: 5, from: 'trunk', name: 'head_b', output: [5] },
    ],
  },
  'bench-cnn': {
    seed: 3,
    input: [1, 28, 28],
    layers: [
      { op: 'conv', out: 16 },
      { op: 'relu' },
      { op: 'maxpool' },
      { op: 'conv', out: 32 },
      { op: 'relu' },
      { op: 'maxpool' },
      { op: 'conv', out: 64 },
      { op: 'relu' },
      { op: 'gap' },
      { op: 'flatten' },
      { op: 'gemm', out: 64, name: 'embedding' },
    ],
  },
};

/** Writes <out>/<name>.onnx, <name>.weights.bin (float32 LE, concatenated) and <name>.weights.json (names, shapes, offsets, layer spec). */
export function writeModel(name, outDir) {
  const spec = MODELS[name];
  if (!spec) throw new Error(`unknown model ${name}; one of ${Object.keys(MODELS).join(', ')}`);
  const { onnx, tensors, output } = build(name, spec, spec.seed);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.onnx`), onnx);
  if (spec.onnxOnly) return join(outDir, `${name}.onnx`);
  let offset = 0;
  const index = tensors.map((t) => {
    const e = { name: t.name, shape: t.shape, offset };
    offset += t.data.length;
    return e;
  });
  const all = new Float32Array(offset);
  tensors.forEach((t, i) => all.set(t.data, index[i].offset));
  writeFileSync(join(outDir, `${name}.weights.bin`), Buffer.from(all.buffer));
  writeFileSync(
    join(outDir, `${name}.weights.json`),
    JSON.stringify({ model: name, input: spec.input, layers: spec.layers, output, tensors: index }, null, 1) + '\n',
  );
  return join(outDir, `${name}.onnx`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const get = (flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = get('--out') ?? join(root, 'test/fixtures/models');
  const names = get('--model')
    ? [get('--model')]
    : ['tiny-cnn', 'tiny-classifier', 'vit-like', 'token-encoder', 'conv-backbone', 'multi-head', 'twin-heads'];
  for (const n of names) console.log(writeModel(n, out));
}
