import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, detectCheckpointKind } from '../../../src/core/checkpoint';
import { LensError } from '../../../src/core/errors';
import { readOnnxGraph, addGraphOutput } from '../../../src/core/checkpoint/onnxProto';
import { modelsDir, referenceForward, tmp } from '../embed/helpers/make';

const tiny = join(modelsDir, 'tiny-cnn.onnx');
const classifier = join(modelsDir, 'tiny-classifier.onnx');
const image = (seed: number) => Float32Array.from({ length: 64 }, (_, i) => ((i * 13 + seed * 29) % 17) / 17);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `index ${i}: ${a[i]} vs ${b[i]}`);
}

test('ONNX: input name, NCHW layout and size come from the model; the output matches a plain-JS forward pass', async () => {
  assert.equal(await detectCheckpointKind(tiny), 'onnx');
  const m = await loadCheckpoint(tiny, { backend: 'auto' });
  try {
    assert.equal(m.kind, 'onnx');
    assert.equal(m.inputName, 'image');
    assert.deepEqual(m.inputShape, ['N', 1, 8, 8]);
    assert.equal(m.preprocess.layout, 'NCHW');
    assert.equal(m.preprocess.channels, 1);
    assert.equal(m.preprocess.height, 8);
    assert.equal(m.outputName, 'embedding');
    assert.deepEqual(m.availableOutputs, ['embedding']);
    assert.equal(m.dim, 6);
    assert.equal(m.backend, 'onnxruntime-cpu');
    assert.ok(
      m.assumptions.some((a) => a.includes('mean/std')),
      'missing config → the normalisation is reported as assumed',
    );
    const batch = new Float32Array(3 * 64);
    [0, 1, 2].forEach((s) => batch.set(image(s), s * 64));
    const out = await m.embed(batch, 3);
    for (const s of [0, 1, 2]) close(out.subarray(s * 6, s * 6 + 6), referenceForward('tiny-cnn', image(s)).embedding);
  } finally {
    await m.dispose();
  }
});

test('ONNX classifier: softmax head → penultimate layer by default, via an added graph output', async () => {
  const m = await loadCheckpoint(classifier);
  try {
    assert.deepEqual(m.output, { kind: 'penultimate' });
    assert.equal(m.outputName, 'features');
    assert.equal(m.dim, 6);
    assert.ok(m.assumptions.some((a) => a.includes('penultimate')));
    const out = await m.embed(image(4), 1);
    close(out, referenceForward('tiny-classifier', image(4)).features);
  } finally {
    await m.dispose();
  }
  const last = await loadCheckpoint(classifier, { output: { kind: 'last' } });
  try {
    assert.equal(last.dim, 3);
    close(await last.embed(image(4), 1), referenceForward('tiny-classifier', image(4)).probs);
  } finally {
    await last.dispose();
  }
  const named = await loadCheckpoint(classifier, { output: { kind: 'named', name: 'logits' } });
  try {
    close(await named.embed(image(5), 1), referenceForward('tiny-classifier', image(5)).logits);
  } finally {
    await named.dispose();
  }
});

test('embedding-lens.json: the output choice and mean/std are read from beside the checkpoint', async () => {
  const dir = tmp();
  const file = join(dir, 'm.onnx');
  copyFileSync(classifier, file);
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ output: 'last', mean: 0.5, std: 0.25, resize: 'stretch' }));
  const m = await loadCheckpoint(file);
  try {
    assert.equal(m.dim, 3);
    assert.deepEqual(m.preprocess.mean, [0.5]);
    assert.deepEqual(m.preprocess.std, [0.25]);
    assert.equal(m.preprocess.resize, 'stretch');
    assert.ok(!m.assumptions.some((a) => a.includes('mean/std')));
  } finally {
    await m.dispose();
  }
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ channels: 3 }));
  await assert.rejects(
    loadCheckpoint(file),
    (e: Error) => e instanceof LensError && /channel mismatch/.test(e.message) && e.message.includes('embedding-lens.json'),
  );
  writeFileSync(join(dir, 'embedding-lens.json'), JSON.stringify({ output: { name: 'nope' } }));
  await assert.rejects(loadCheckpoint(file), (e: Error) => e instanceof LensError && /no output or inner tensor "nope"/.test(e.message));
});

test('a corrupt or truncated .onnx fails with a LensError naming the file', async () => {
  const dir = tmp();
  const bytes = readFileSync(tiny);
  const truncated = join(dir, 'truncated.onnx');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  await assert.rejects(
    loadCheckpoint(truncated),
    (e: Error) => e instanceof LensError && e.message.startsWith(truncated) && /ONNX/.test(e.message),
  );
  const garbage = join(dir, 'garbage.onnx');
  writeFileSync(garbage, 'this is not a protobuf at all, just text');
  await assert.rejects(loadCheckpoint(garbage), (e: Error) => e instanceof LensError && e.message.startsWith(garbage));
  const empty = join(dir, 'empty.onnx');
  writeFileSync(empty, '');
  await assert.rejects(loadCheckpoint(empty), /is empty; expected an ONNX model/);
});

test('onnxProto: reads nodes and initializers; an added output is visible to a re-read', () => {
  const bytes = readFileSync(classifier);
  const g = readOnnxGraph(bytes);
  assert.deepEqual(
    g.nodes.map((n) => n.op),
    ['Conv', 'Relu', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Gemm', 'Softmax'],
  );
  assert.ok(g.initializers.has('conv0.weight'));
  assert.deepEqual(g.outputs, ['probs']);
  assert.deepEqual(readOnnxGraph(addGraphOutput(bytes, 'features')).outputs, ['probs', 'features']);
});
