import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { checkpointFiles, weightByteLength, weightShardFiles, readWeights } from '../../../src/core/checkpoint';
import { parseCheckpointConfig } from '../../../src/core/checkpoint/config';
import {
  MAX_BATCH_INPUT_BYTES,
  maxBatchForInput,
  probeFailure,
  resolvePreprocess,
  withMemoryErrors,
} from '../../../src/core/checkpoint/inputSpec';
import { checkExternalData } from '../../../src/core/checkpoint/onnxModel';
import { externalDataRefs, readOnnxGraph } from '../../../src/core/checkpoint/onnxProto';
import { LensError } from '../../../src/core/errors';
import { confinedPath, readJsonTextSync, readRegularFile } from '../../../src/core/io/safeFile';
import { modelsDir, tmp } from '../embed/helpers/make';

// A checkpoint is untrusted input: these are the files a malicious model.json, sidecar or .onnx
// can name. All real files, FIFOs (mkfifo) and symlinks; no mocks.

const mkfifo = (p: string) => assert.equal(spawnSync('mkfifo', [p]).status, 0, 'mkfifo must exist to test FIFOs');

/** A model.json with one float32 weight of `n` values in `shard` (written when `bytes` given). */
function modelJson(dir: string, paths: unknown, n = 4, bytes?: number): string {
  const file = join(dir, 'model.json');
  writeFileSync(
    file,
    JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths, weights: [{ name: 'w', shape: [n], dtype: 'float32' }] }] }),
  );
  if (bytes !== undefined) writeFileSync(join(dir, 'w.bin'), Buffer.alloc(bytes, 1));
  return file;
}

const w = (shape: unknown, dtype: unknown = 'float32') => ({ name: 'k', shape, dtype }) as unknown as io.WeightsManifestEntry;

test('weightByteLength: absurd shapes and dtypes are errors naming the weight, not NaN or 10¹⁸ bytes', () => {
  assert.equal(weightByteLength(w([3, 3, 3, 16])), 3 * 3 * 3 * 16 * 4);
  assert.equal(weightByteLength({ ...w([10]), quantization: { dtype: 'uint8', scale: 1, min: 0 } } as io.WeightsManifestEntry), 10);
  for (const [bad, msg] of [
    [w([3, -1]), /"k" has shape \[3, -1\]; expected non-negative integer/],
    [w([2.5]), /non-negative integer/],
    [w(['7']), /non-negative integer/],
    [w([1e6, 1e6]), /more than 2147483647 elements/],
    [w('3x3'), /no "shape" list/],
    [w([1], 'float128'), /unsupported weight dtype "float128" for "k"; expected one of float32/],
    [w([1], 'toString'), /unsupported weight dtype "toString"/],
  ] as const) {
    assert.throws(() => weightByteLength(bad), msg);
  }
});

test('weight shards: paths outside the folder are refused by name, before the outside file is touched', async () => {
  const dir = tmp();
  for (const p of ['/dev/zero', '../../etc/passwd', '/etc/passwd', '']) {
    const file = modelJson(dir, [p]);
    await assert.rejects(weightShardFiles(file, JSON.parse(readFileSync(file, 'utf8')).weightsManifest), (e: Error) => {
      assert.ok(e instanceof LensError && e.message.startsWith(file), e.message);
      assert.match(e.message, p ? /weightsManifest\[0\]\.paths\[0\] ".*" points outside the checkpoint folder/ : /is not a file name/);
      // Never the size of the outside file.
      if (p.endsWith('passwd')) assert.ok(!e.message.includes(String(readFileSync('/etc/passwd').length)));
      return true;
    });
  }
});

test('weight shards: a symlink out, a FIFO and a folder are refused naming the entry; a good shard passes', async () => {
  const dir = tmp();
  const outside = tmp();
  writeFileSync(join(outside, 'w.bin'), Buffer.alloc(16, 1));
  symlinkSync(join(outside, 'w.bin'), join(dir, 'link.bin'));
  mkfifo(join(dir, 'pipe.bin'));
  mkdirSync(join(dir, 'folder.bin'));
  const manifest = (p: string) => [{ paths: [p], weights: [w([4])] }];
  const file = modelJson(dir, ['w.bin'], 4, 16);
  await assert.rejects(
    weightShardFiles(file, manifest('link.bin')),
    /paths\[0\] "link\.bin" is a symlink that leads outside the checkpoint folder/,
  );
  await assert.rejects(
    weightShardFiles(file, manifest('pipe.bin')),
    /paths\[0\] "pipe\.bin" is a FIFO \(named pipe\); expected a weight shard file/,
  );
  await assert.rejects(weightShardFiles(file, manifest('folder.bin')), /paths\[0\] "folder\.bin" is a folder/);
  await assert.rejects(weightShardFiles(file, [{ paths: 'w.bin', weights: [] }]), /weightsManifest\[0\] lacks a "paths" or "weights" list/);
  // Inside symlinks are fine: they stay in the checkpoint.
  symlinkSync('w.bin', join(dir, 'alias.bin'));
  const ok = await weightShardFiles(file, manifest('alias.bin'));
  assert.deepEqual(
    ok.shards.map((s) => [s.bytes, s.entry]),
    [[16, 'weightsManifest[0].paths[0] "alias.bin"']],
  );
  const { data } = await readWeights(file, manifest('w.bin') as never);
  assert.equal(data.byteLength, 16);
  // A shard 4 bytes too long: refused with both counts, nothing read.
  writeFileSync(join(dir, 'w.bin'), Buffer.alloc(20));
  await assert.rejects(weightShardFiles(file, manifest('w.bin')), /hold 20 bytes but its weights need 16/);
});

test('readRegularFile: exact sizes are checked before reading; FIFOs do not block; atMostBytes reads a prefix', async () => {
  const dir = tmp();
  const f = join(dir, 'x.bin');
  writeFileSync(f, Buffer.from([1, 2, 3, 4, 5]));
  assert.deepEqual([...(await readRegularFile(f, { expected: 'x', atMostBytes: 3 }))], [1, 2, 3]);
  await assert.rejects(readRegularFile(f, { expected: 'a shard', exactBytes: 8 }), /holds 5 bytes but 8 are expected/);
  await assert.rejects(readRegularFile(f, { expected: 'a small file', maxBytes: 4 }), /more than the 4 bytes allowed for a small file/);
  mkfifo(join(dir, 'p'));
  await assert.rejects(readRegularFile(join(dir, 'p'), { expected: 'x' }), /is a FIFO/);
  assert.throws(() => readJsonTextSync(join(dir, 'p'), 'a sidecar'), /p: is a FIFO \(named pipe\); expected a sidecar/);
  await assert.rejects(readRegularFile('/dev/zero', { expected: 'x' }), /is a device file/);
  await assert.rejects(confinedPath(dir, 'a/../../x', 'owner.json', 'entry'), /owner\.json: entry points outside/);
  assert.equal(await confinedPath(dir, 'x.bin', 'owner.json', 'entry'), f);
});

// --- ONNX external data ---
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
const lenField = (no: number, payload: Buffer) => Buffer.concat([varint(no * 8 + 2), varint(payload.length), payload]);
/** A minimal ModelProto: graph { initializer { name, external_data: location/offset/length, data_location: EXTERNAL } }. */
function externalModel(location: string, length = 16): Buffer {
  const kv = (k: string, v: string) => lenField(13, Buffer.concat([lenField(1, Buffer.from(k)), lenField(2, Buffer.from(v))]));
  const tensor = Buffer.concat([
    lenField(8, Buffer.from('w')),
    kv('location', location),
    kv('offset', '0'),
    kv('length', String(length)),
    Buffer.from([14 * 8, 1]),
  ]);
  return lenField(7, lenField(5, tensor));
}

test('ONNX external data: found in initializers; outside, FIFO and short files refused before onnxruntime', async () => {
  assert.deepEqual(externalDataRefs(readFileSync(join(modelsDir, 'tiny-cnn.onnx'))), []);
  assert.deepEqual(externalDataRefs(externalModel('w.data')), [{ tensor: 'w', location: 'w.data', offset: 0, length: 16 }]);
  const dir = tmp();
  const model = join(dir, 'm.onnx');
  const check = (loc: string, len = 16) => checkExternalData(model, externalDataRefs(externalModel(loc, len)));
  await assert.rejects(
    check('../../etc/passwd'),
    /m\.onnx: tensor "w" external data location "\.\.\/\.\.\/etc\/passwd" points outside the checkpoint folder/,
  );
  await assert.rejects(check('/dev/zero'), /"\/dev\/zero" points outside/);
  mkfifo(join(dir, 'pipe.data'));
  await assert.rejects(check('pipe.data'), /"pipe\.data" is a FIFO/);
  writeFileSync(join(dir, 'w.data'), Buffer.alloc(8));
  await assert.rejects(check('w.data'), /asks for bytes 0…16 but that file holds 8/);
  assert.deepEqual(await check('w.data', 8), [join(dir, 'w.data')]);
  // The graph reader still reads such a model (the initializer's name is what it needs).
  assert.deepEqual([...readOnnxGraph(externalModel('w.data')).initializers], ['w']);
});

test('checkpointFiles: the model, its shards and sidecar — and a chained head symlinked out is refused', async () => {
  const dir = tmp();
  const file = modelJson(dir, ['w.bin'], 4, 16);
  writeFileSync(join(dir, 'embedding-lens.json'), '{"inputSize": 32}');
  assert.deepEqual(
    (await checkpointFiles(file)).map((f) => [f.file, f.bytes]),
    [
      [file, readFileSync(file).length],
      [join(dir, 'w.bin'), 16],
      [join(dir, 'embedding-lens.json'), 17],
    ],
  );

  const ft = tmp();
  copyFileSync(join(modelsDir, 'tiny-cnn.onnx'), join(ft, 'backbone.onnx'));
  symlinkSync(file, join(ft, 'head.json'));
  writeFileSync(join(ft, 'embedding-lens.json'), JSON.stringify({ head: { backbone: 'backbone.onnx', model: 'head.json', dim: 4 } }));
  await assert.rejects(
    checkpointFiles(join(ft, 'backbone.onnx')),
    /embedding-lens\.json: "head\.model" "head\.json" is a symlink that leads outside the checkpoint folder/,
  );
  rmSync(join(ft, 'head.json'));
  copyFileSync(file, join(ft, 'head.json'));
  copyFileSync(join(dir, 'w.bin'), join(ft, 'w.bin'));
  const names = (await checkpointFiles(join(ft, 'backbone.onnx'))).map((f) => f.file.slice(ft.length + 1));
  assert.deepEqual(names, ['backbone.onnx', 'embedding-lens.json', 'head.json', 'w.bin']);
});

test('inputSize: bounded at 4096 per side with the reason; batches shrink to fit the input memory cap', async () => {
  assert.deepEqual(parseCheckpointConfig({ inputSize: 4096 }, 'e.json'), { height: 4096, width: 4096 });
  assert.throws(
    () => parseCheckpointConfig({ inputSize: 8192 }, 'e.json'),
    /e\.json: "inputSize" 8192 is too large: at most 4096 pixels per side \(one 4096×4096 RGB input is 192 MiB/,
  );
  assert.throws(() => parseCheckpointConfig({ inputSize: [224, 5000] }, 'e.json'), /at most 4096/);
  // The same bound where sizes arrive as overrides (CLI flags, panel choices), not through the sidecar.
  assert.throws(
    () => resolvePreprocess([null, null, null, 3], { height: 5000, width: 64 }, { file: 'm', configFile: 'e.json', defaultLayout: 'NHWC' }),
    /e\.json: "inputSize" height 5000 is too large: at most 4096/,
  );
  assert.equal(
    resolvePreprocess([null, null, null, 3], { height: 4096, width: 64 }, { file: 'm', defaultLayout: 'NHWC' }).preprocess.height,
    4096,
  );
  assert.equal(maxBatchForInput({ height: 2048, width: 2048, channels: 1 }), MAX_BATCH_INPUT_BYTES / (2048 * 2048 * 4));
  assert.equal(maxBatchForInput({ height: 4096, width: 4096, channels: 3 }), 1);
  assert.equal(maxBatchForInput({ height: 8192, width: 8192, channels: 3 }), 1);
  assert.ok(maxBatchForInput({ height: 224, width: 224, channels: 3 }) >= 64);
  const pp = { height: 4096, width: 4096, channels: 3 as const, mean: [0], std: [1], resize: 'crop' as const, layout: 'NHWC' as const };
  const e = probeFailure(new RangeError('memory access out of bounds'), pp, 'm.json', 'dir/embedding-lens.json');
  assert.match(
    e.message,
    /^dir\/embedding-lens\.json: ran out of memory running one 4096×4096×3 input \(memory access out of bounds\); the input size comes from "inputSize"/,
  );
  // Later batches: an out-of-memory failure names the batch and what to lower; other errors pass unchanged.
  const failing = (err: Error) =>
    withMemoryErrors(
      async () => {
        throw err;
      },
      pp,
      'm.onnx',
      undefined,
    );
  await assert.rejects(
    failing(new RangeError('Array buffer allocation failed'))(new Float32Array(0), 8),
    /^LensError: m\.onnx: ran out of memory running a batch of 8 4096×4096×3 inputs \(Array buffer allocation failed\); use a smaller --batch-size$/,
  );
  const other = new TypeError('boom');
  await assert.rejects(failing(other)(new Float32Array(0), 8), (e: unknown) => e === other);
});
