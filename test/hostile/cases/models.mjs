// Hostile checkpoints: garbage and lying tfjs model.json files, weight shards that point outside
// the checkpoint (absolute paths, ../, symlinks), at /dev/zero, a FIFO or a folder, garbage and
// truncated .onnx files, ONNX external data out of its folder, chained heads that escape, and
// lying .npy / tensor.tsv embeddings. Every one must end in one line naming the file (and the
// manifest entry), exit 1 (2 for flags), fast and in bounded memory — never hang, never grow.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const T = 20; // seconds: loading the small asset model takes ~2 s
const RSS = 700; // MB: node + tfjs + onnxruntime on a 32×32 model

/** Copies the asset tfjs model to dir/m and rewrites its model.json through `mutate` (object or text). */
function tfjsModel(dir, assets, h, mutate) {
  const m = join(dir, 'm');
  h.copy(assets.model, m);
  h.copy(assets.dataset, join(dir, 'images'));
  if (mutate) {
    const json = JSON.parse(readFileSync(join(m, 'model.json'), 'utf8'));
    const out = mutate(json, m);
    writeFileSync(join(m, 'model.json'), typeof out === 'string' ? out : JSON.stringify(out ?? json));
  }
  return m;
}

const embedArgs =
  (extra = []) =>
  () => ['embed', 'm', 'images', '--out', 'e.npy', '--no-cache', ...extra];

/** The asset ONNX model and the dataset copied into dir; returns the .onnx path. */
function onnxModel(dir, assets, h, name = 'cnn.onnx') {
  const file = join(dir, 'o', name);
  h.copy(assets.onnx, file);
  h.copy(assets.dataset, join(dir, 'images'));
  return file;
}

// --- a few lines of protobuf, to plant external-data references in a real ONNX file ---
function readVarint(buf, pos) {
  let result = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
}
function varint(n) {
  const out = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const lenField = (no, payload) => Buffer.concat([varint(no * 8 + 2), varint(payload.length), payload]);
/** The first length-delimited field `no` in buf[start, end): [fieldStart, dataStart, end]. */
function findField(buf, no, start = 0, end = buf.length) {
  let pos = start;
  while (pos < end) {
    const fStart = pos;
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const wire = tag & 7;
    let dataStart = pos;
    if (wire === 0) [, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else {
      const [len, p2] = readVarint(buf, pos);
      dataStart = p2;
      pos = p2 + len;
    }
    if (wire === 2 && tag >> 3 === no) return [fStart, dataStart, pos];
  }
  throw new Error(`no field ${no}`);
}
/** The ONNX file with its first initializer marked as external data at `location` (as onnx.save_model(..., save_as_external_data=True) writes). */
function withExternalData(onnx, location, length = 16) {
  const [gS, gD, gE] = findField(onnx, 7);
  const [iS, iD, iE] = findField(onnx, 5, gD, gE);
  const entry = (k, v) => lenField(13, Buffer.concat([lenField(1, Buffer.from(k)), lenField(2, Buffer.from(v))]));
  const init = Buffer.concat([
    onnx.subarray(iD, iE),
    entry('location', location),
    entry('offset', '0'),
    entry('length', String(length)),
    Buffer.from([14 * 8, 1]),
  ]);
  const graph = Buffer.concat([onnx.subarray(gD, iS), lenField(5, init), onnx.subarray(iE, gE)]);
  return Buffer.concat([onnx.subarray(0, gS), lenField(7, graph), onnx.subarray(gE)]);
}

/** The ONNX file with its (first) graph input's height and width made symbolic: a dynamic-size model. */
function withDynamicInput(onnx) {
  const [gS, gD, gE] = findField(onnx, 7);
  const [iS, iD, iE] = findField(onnx, 11, gD, gE);
  const [, nD, nE] = findField(onnx, 1, iD, iE);
  const name = onnx.subarray(nD, nE);
  const dim = (d) => lenField(1, typeof d === 'number' ? Buffer.concat([Buffer.from([0x08]), varint(d)]) : lenField(2, Buffer.from(d)));
  const shape = lenField(2, Buffer.concat([dim('N'), dim(1), dim('H'), dim('W')]));
  const tensorType = lenField(1, Buffer.concat([Buffer.from([0x08, 0x01]), shape]));
  const input = lenField(11, Buffer.concat([lenField(1, name), lenField(2, tensorType)]));
  const graph = Buffer.concat([onnx.subarray(gD, iS), input, onnx.subarray(iE, gE)]);
  return Buffer.concat([onnx.subarray(0, gS), lenField(7, graph), onnx.subarray(gE)]);
}

/** A v1 .npy file with a hand-written header (the lie) and `dataBytes` bytes of zeros. */
function rawNpy(header, dataBytes, { version = 1, headerLen } = {}) {
  const text = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const pre = Buffer.alloc(version === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(pre);
  if (version === 1) pre.writeUInt16LE(headerLen ?? text.length, 8);
  else pre.writeUInt32LE(headerLen ?? text.length, 8);
  return Buffer.concat([pre, Buffer.from(text, 'latin1'), Buffer.alloc(dataBytes)]);
}
const metricsArgs = () => ['metrics', '--embeddings', 'e.npy', '--labels', 'labels.json'];
const npyCase = (name, header, dataBytes, stderr, opts) => ({
  name: `metrics: .npy ${name}`,
  setup: ({ dir, assets, h }) => {
    h.write(join(dir, 'e.npy'), rawNpy(header, dataBytes, opts));
    h.copy(assets.labels, join(dir, 'labels.json'));
  },
  args: metricsArgs,
  expect: { code: 1, stderr, seconds: 10, rssMB: 400 },
});

export const cases = [
  // --- model.json itself: garbage of every kind ---
  {
    name: 'embed: an empty model.json is refused as not JSON, naming it',
    setup: ({ dir, assets, h }) => tfjsModel(dir, assets, h, () => ''),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: is not valid JSON/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a model.json holding JSON null has no modelTopology',
    setup: ({ dir, assets, h }) => tfjsModel(dir, assets, h, () => 'null'),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: has no "modelTopology" object/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a model.json whose modelTopology is an array is refused',
    setup: ({ dir, assets, h }) => tfjsModel(dir, assets, h, (j) => ({ ...j, modelTopology: [1, 2, 3] })),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: has no "modelTopology" object/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a model.json of 200,000 nested arrays fails as JSON, without a stack',
    setup: ({ dir, assets, h }) => tfjsModel(dir, assets, h, () => `{"modelTopology": ${'['.repeat(200000)}${']'.repeat(200000)}}`),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: (is not valid JSON|has no "modelTopology")/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a weightsManifest entry whose paths is a string names the entry',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = 'model.weights.bin';
      }),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: weightsManifest\[0\] lacks a "paths" or "weights" list/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: an unknown weight dtype names the weight and the known dtypes',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].weights[1].dtype = 'float128';
      }),
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /model\.json: weightsManifest\[0\]\.weights\[1\]: unsupported weight dtype "float128".*expected one of/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a negative weight shape is refused, naming the weight',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].weights[0].shape = [3, 3, -3, 16];
      }),
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\]\.weights\[0\]: weight "conv1\/kernel" has shape \[3, 3, -3, 16\]; expected non-negative integer/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a weight shape of 10^12 elements is refused before any allocation',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].weights[0].shape = [1000000, 1000000];
      }),
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\]\.weights\[0\]: weight "conv1\/kernel" has shape \[1000000, 1000000\], more than 2147483647 elements/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: weights that add up past 4 GiB are refused before any allocation',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        for (let i = 0; i < 4; i++) j.weightsManifest[0].weights.push({ name: `big${i}`, shape: [2 ** 28], dtype: 'float32' });
      }),
    args: embedArgs(),
    expect: { code: 1, stderr: /model\.json: the weights need more than 4\.0 GiB/, seconds: T, rssMB: RSS },
  },
  // --- shard paths: outside, endless, blocking ---
  {
    name: 'embed: a weight shard at /dev/zero is refused as outside the folder (once grew to 21 GB)',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = ['/dev/zero'];
      }),
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /model\.json: weightsManifest\[0\]\.paths\[0\] "\/dev\/zero" points outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed with the cache on: a /dev/zero shard is refused, not hashed for ever',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = ['/dev/zero'];
      }),
    args: () => ['embed', 'm', 'images', '--out', 'e.npy'],
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\]\.paths\[0\] "\/dev\/zero" points outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a ../../etc/passwd shard is refused without revealing its size',
    setup: ({ dir, assets, h }) =>
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = ['../../../../../../../../etc/passwd'];
      }),
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\]\.paths\[0\] "(\.\.\/)+etc\/passwd" points outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
    check: ({ result }) => {
      const size = String(readFileSync('/etc/passwd').length);
      if (result.stderr.includes(size)) throw new Error(`stderr mentions ${size}, the size of /etc/passwd`);
    },
  },
  {
    name: 'embed: a shard symlinked to an outside file of the right size is refused (once loaded silently)',
    setup: ({ dir, assets, h }) => {
      const m = tfjsModel(dir, assets, h);
      // The shard moves out of the folder (same bytes, so the size matches) and a symlink takes its place.
      h.copy(join(m, 'model.weights.bin'), join(dir, 'elsewhere/other.bin'));
      rmSync(join(m, 'model.weights.bin'));
      h.symlink('../elsewhere/other.bin', join(m, 'model.weights.bin'));
    },
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /model\.json: weightsManifest\[0\]\.paths\[0\] "model\.weights\.bin" is a symlink that leads outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a weight shard that is a FIFO is refused at once (once hung)',
    setup: ({ dir, assets, h }) => {
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = ['pipe.bin'];
      });
      h.mkfifo(join(dir, 'm/pipe.bin'));
    },
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /model\.json: weightsManifest\[0\]\.paths\[0\] "pipe\.bin" is a FIFO \(named pipe\); expected a weight shard file/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a weight shard that is a folder is refused naming the entry',
    setup: ({ dir, assets, h }) => {
      tfjsModel(dir, assets, h, (j) => {
        j.weightsManifest[0].paths = ['shards'];
      });
      h.write(join(dir, 'm/shards/readme.txt'), 'not a shard');
    },
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\]\.paths\[0\] "shards" is a folder; expected a weight shard file/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a truncated weight shard names its manifest entry and both byte counts',
    setup: ({ dir, assets, h }) => {
      const m = tfjsModel(dir, assets, h);
      const bin = readFileSync(join(m, 'model.weights.bin'));
      writeFileSync(join(m, 'model.weights.bin'), bin.subarray(0, bin.length - 100));
    },
    args: embedArgs(),
    expect: {
      code: 1,
      stderr: /weightsManifest\[0\] \(weightsManifest\[0\]\.paths\[0\] "model\.weights\.bin"\) hold \d+ bytes but its weights need \d+/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a model.json that is a FIFO is refused at once (once hung)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.mkfifo(join(dir, 'm/model.json'));
    },
    args: () => ['embed', 'm/model.json', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /model\.json: is a FIFO \(named pipe\); expected a tfjs model\.json/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: an embedding-lens.json sidecar that is a FIFO is refused at once (once hung)',
    setup: ({ dir, assets, h }) => {
      onnxModel(dir, assets, h);
      h.mkfifo(join(dir, 'o/embedding-lens.json'));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /embedding-lens\.json: is a FIFO \(named pipe\); expected a JSON sidecar/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a sidecar inputSize of 8192 is refused with the memory it would take',
    setup: ({ dir, assets, h }) => {
      onnxModel(dir, assets, h);
      h.write(join(dir, 'o/embedding-lens.json'), JSON.stringify({ inputSize: 8192 }));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: {
      code: 1,
      stderr: /embedding-lens\.json: "inputSize" 8192 is too large: at most 4096 pixels per side \(one 4096×4096 RGB input is 192 MiB/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a dynamic-size ONNX model with sidecar inputSize 8192 is refused at once (once 5 GB, no progress)',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withDynamicInput(readFileSync(f)));
      h.write(join(dir, 'o/embedding-lens.json'), JSON.stringify({ inputSize: 8192 }));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: {
      code: 1,
      stderr: /embedding-lens\.json: "inputSize" 8192 is too large: at most 4096 pixels per side/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed: a dynamic-size ONNX model at inputSize 2048 runs, its batches bounded by the input memory cap',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withDynamicInput(readFileSync(f)));
      h.write(join(dir, 'o/embedding-lens.json'), JSON.stringify({ inputSize: 2048 }));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache', '--batch-size', '4096'],
    changes: ['e.npy', 'e.meta.json'],
    // 2048² grey floats are 16 MiB an image: batches of 4 (64 MiB of input, ~3.3 GB peak), not all 24 at once (9 GB).
    expect: {
      code: 0,
      stderr: /embed: 24\/24/,
      stdout: /batches of at most 4 image\(s\): one 2048×2048×1 input is 16\.0 MiB/,
      seconds: 60,
      rssMB: 4500,
    },
  },
  {
    name: 'embed: --input-size 9000 is a usage error naming the cap',
    setup: ({ dir, assets, h }) => onnxModel(dir, assets, h),
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache', '--input-size', '9000'],
    expect: { code: 2, stderr: /--input-size 9000 is more than 4096/, seconds: T, rssMB: RSS },
  },
  // --- ONNX ---
  {
    name: 'embed: a zero-byte .onnx is refused as empty',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.write(join(dir, 'empty.onnx'), '');
    },
    args: () => ['embed', 'empty.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /empty\.onnx: is empty; expected an ONNX model/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a .onnx of random bytes is refused as not ONNX',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      let s = 7;
      h.write(join(dir, 'junk.onnx'), Buffer.from(Array.from({ length: 4096 }, () => (s = (s * 1103515245 + 12345) >>> 0) >>> 24)));
    },
    args: () => ['embed', 'junk.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /junk\.onnx: (is not a valid ONNX model|onnxruntime cannot load)/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a .onnx truncated to half its bytes is refused',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      const b = readFileSync(f);
      writeFileSync(f, b.subarray(0, b.length >> 1));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /cnn\.onnx: is not a valid ONNX model \(truncated/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a .onnx that is a FIFO is refused at once (once hung)',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.mkfifo(join(dir, 'pipe.onnx'));
    },
    args: () => ['embed', 'pipe.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /pipe\.onnx: is a FIFO \(named pipe\); expected an ONNX model/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: ONNX external data at ../../etc/passwd is refused before onnxruntime sees it',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withExternalData(readFileSync(f), '../../../../../../etc/passwd'));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: {
      code: 1,
      stderr: /cnn\.onnx: tensor "[^"]+" external data location "(\.\.\/)+etc\/passwd" points outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  {
    name: 'embed with the cache on: ONNX external data at /dev/zero is refused, not hashed',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withExternalData(readFileSync(f), '/dev/zero'));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy'],
    expect: { code: 1, stderr: /external data location "\/dev\/zero" points outside the checkpoint folder/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: ONNX external data that is a FIFO beside the model is refused at once',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withExternalData(readFileSync(f), 'weights.data'));
      h.mkfifo(join(dir, 'o/weights.data'));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /external data location "weights\.data" is a FIFO/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: ONNX external data symlinked out of the folder is refused',
    setup: ({ dir, assets, h }) => {
      const f = onnxModel(dir, assets, h);
      writeFileSync(f, withExternalData(readFileSync(f), 'weights.data'));
      h.write(join(dir, 'secret.bin'), Buffer.alloc(64, 7));
      h.symlink('../secret.bin', join(dir, 'o/weights.data'));
    },
    args: () => ['embed', 'o/cnn.onnx', 'images', '--out', 'e.npy', '--no-cache'],
    expect: {
      code: 1,
      stderr: /external data location "weights\.data" is a symlink that leads outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  // --- chained head + backbone checkpoints ---
  {
    name: 'embed: a chained sidecar whose head.model is a symlink out of the folder is refused',
    setup: ({ dir, assets, h }) => {
      h.copy(assets.dataset, join(dir, 'images'));
      h.copy(assets.onnx, join(dir, 'ft/backbone.onnx'));
      h.copy(assets.model, join(dir, 'elsewhere'));
      h.symlink('../elsewhere/model.json', join(dir, 'ft/head.json'));
      h.write(
        join(dir, 'ft/embedding-lens.json'),
        JSON.stringify({ output: 'last', head: { backbone: 'backbone.onnx', model: 'head.json', dim: 64 } }),
      );
    },
    args: () => ['embed', 'ft', 'images', '--out', 'e.npy'],
    expect: {
      code: 1,
      stderr: /embedding-lens\.json: "head\.model" "head\.json" is a symlink that leads outside the checkpoint folder/,
      seconds: T,
      rssMB: RSS,
    },
  },
  // --- precomputed embeddings: lying .npy headers, broken tensor.tsv ---
  npyCase(
    'whose shape promises more rows than the data holds',
    "{'descr': '<f4', 'fortran_order': False, 'shape': (24, 8), }",
    100,
    /e\.npy: truncated data: shape \(24, 8\) of f4 needs 768 bytes, file has 100/,
  ),
  npyCase('with a negative shape', "{'descr': '<f4', 'fortran_order': False, 'shape': (-24, 8), }", 768, /e\.npy: bad shape entry "-24"/),
  npyCase('holding a 3-D array', "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6, 8), }", 768, /e\.npy: .*2-D/),
  npyCase('of float16', "{'descr': '<f2', 'fortran_order': False, 'shape': (24, 8), }", 384, /e\.npy: unsupported dtype '<f2'/),
  npyCase('of big-endian float32', "{'descr': '>f4', 'fortran_order': False, 'shape': (24, 8), }", 768, /e\.npy: unsupported dtype '>f4'/),
  npyCase('of Python objects', "{'descr': '|O', 'fortran_order': False, 'shape': (24, 8), }", 768, /e\.npy: unsupported dtype '\|O'/),
  npyCase(
    'in Fortran order',
    "{'descr': '<f4', 'fortran_order': True, 'shape': (24, 8), }",
    768,
    /e\.npy: Fortran-ordered arrays are not supported/,
  ),
  npyCase(
    'whose header length runs past the end of the file',
    "{'descr': '<f4', 'fortran_order': False, 'shape': (24, 8), }",
    0,
    /e\.npy: truncated \.npy header/,
    { headerLen: 60000 },
  ),
  npyCase(
    '(v2) claiming a 4 GB header',
    "{'descr': '<f4', 'fortran_order': False, 'shape': (24, 8), }",
    768,
    /e\.npy: truncated \.npy header/,
    { version: 2, headerLen: 0xfffffff0 },
  ),
  {
    name: 'metrics: a .npy that is a FIFO is refused at once (once hung)',
    setup: ({ dir, assets, h }) => {
      h.mkfifo(join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
    },
    args: metricsArgs,
    expect: { code: 1, stderr: /e\.npy: is a FIFO \(named pipe\); expected a NumPy \.npy file/, seconds: 10, rssMB: 400 },
  },
  {
    name: 'metrics: a .npy symlinked to /dev/zero is refused as a device file (once grew without bound)',
    setup: ({ dir, assets, h }) => {
      h.symlink('/dev/zero', join(dir, 'e.npy'));
      h.copy(assets.labels, join(dir, 'labels.json'));
    },
    args: metricsArgs,
    expect: { code: 1, stderr: /e\.npy: is a device file; expected a NumPy \.npy file/, seconds: 10, rssMB: 400 },
  },
  {
    name: 'embed: a tensor.tsv with a ragged row names the line and both counts',
    setup: ({ dir, h }) => {
      h.write(join(dir, 'tensor.tsv'), '1\t2\t3\n4\t5\n');
      h.write(join(dir, 'labels.json'), '["a","b"]');
    },
    args: () => ['embed', 'tensor.tsv', 'labels.json', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /tensor\.tsv: line 2 has 2 values; expected 3 like line 1/, seconds: T, rssMB: RSS },
  },
  {
    name: 'embed: a tensor.tsv holding a non-number names the line and column',
    setup: ({ dir, h }) => {
      h.write(join(dir, 'tensor.tsv'), '1\t2\t3\n4\tfive\t6\n');
      h.write(join(dir, 'labels.json'), '["a","b"]');
    },
    args: () => ['embed', 'tensor.tsv', 'labels.json', '--out', 'e.npy', '--no-cache'],
    expect: { code: 1, stderr: /tensor\.tsv: line 2, column 2: "five" is not a finite number/, seconds: T, rssMB: RSS },
  },
];
