import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckpointConfig, readCheckpointConfig } from '../../../src/core/checkpoint/config';
import { resolvePreprocess } from '../../../src/core/checkpoint/inputSpec';
import { penultimateTensor, GraphNode } from '../../../src/core/checkpoint/graphWalk';
import { LensError } from '../../../src/core/errors';
import { tmp } from '../embed/helpers/make';

const F = 'embedding-lens.json';

test('embedding-lens.json: all fields parse; inputSize as one number or [h, w]', () => {
  assert.deepEqual(
    parseCheckpointConfig(
      { output: 'penultimate', inputSize: [32, 48], channels: 3, mean: [0.485, 0.456, 0.406], std: 0.5, resize: 'stretch', layout: 'NCHW' },
      F,
    ),
    {
      output: { kind: 'penultimate' },
      height: 32,
      width: 48,
      channels: 3,
      mean: [0.485, 0.456, 0.406],
      std: [0.5],
      resize: 'stretch',
      layout: 'NCHW',
    },
  );
  assert.deepEqual(parseCheckpointConfig({ output: { name: 'pool' }, inputSize: 64 }, F), {
    output: { kind: 'named', name: 'pool' },
    height: 64,
    width: 64,
  });
  assert.deepEqual(parseCheckpointConfig({ resample: 'bilinear' }, F), { resample: 'bilinear' });
});

test('embedding-lens.json: typos and bad values are errors naming the file', () => {
  for (const [bad, msg] of [
    [{ ouptut: 'last' }, /unknown key "ouptut"/],
    [{ output: 'first' }, /"output" must be/],
    [{ channels: 4 }, /"channels" must be 1/],
    [{ std: [0] }, /"std" values must be > 0/],
    [{ inputSize: [0, 3] }, /"inputSize"/],
    [{ resize: 'pad' }, /"resize"/],
    [{ resample: 'area' }, /"resample" must be "nearest", "bilinear", "bicubic", "lanczos"/],
    [[1, 2], /expected a JSON object/],
  ] as const) {
    assert.throws(
      () => parseCheckpointConfig(bad, F),
      (e: Error) => e instanceof LensError && e.message.startsWith(F) && msg.test(e.message),
    );
  }
  const dir = tmp();
  writeFileSync(join(dir, F), '{"output": ');
  assert.throws(() => readCheckpointConfig(join(dir, 'model.onnx')), /embedding-lens\.json: is not valid JSON/);
});

test('input layout, channels and size: read from the model when fixed, assumed and reported when dynamic', () => {
  const r = resolvePreprocess([null, 224, 224, 3], {}, { file: 'm', defaultLayout: 'NCHW' });
  assert.deepEqual([r.preprocess.layout, r.preprocess.height, r.preprocess.channels], ['NHWC', 224, 3]);
  assert.deepEqual(resolvePreprocess(['N', 1, 28, 28], {}, { file: 'm', defaultLayout: 'NHWC' }).preprocess.layout, 'NCHW');
  const dyn = resolvePreprocess(['N', 'C', 'H', 'W'], {}, { file: 'm', defaultLayout: 'NCHW' });
  assert.deepEqual([dyn.preprocess.height, dyn.preprocess.width, dyn.preprocess.channels, dyn.preprocess.layout], [224, 224, 3, 'NCHW']);
  assert.ok(dyn.assumptions.some((a) => a.includes('224×224')));
  assert.ok(dyn.assumptions.some((a) => a.includes('3 input channels')));
  assert.ok(dyn.assumptions.some((a) => a.includes('layout')));
  const cfg = resolvePreprocess(
    ['N', 3, 'H', 'W'],
    { height: 96, width: 128, mean: [0.5], std: [0.25] },
    { file: 'm', defaultLayout: 'NCHW' },
  );
  assert.deepEqual(
    [cfg.preprocess.height, cfg.preprocess.width, cfg.preprocess.mean, cfg.preprocess.std],
    [96, 128, [0.5, 0.5, 0.5], [0.25, 0.25, 0.25]],
  );
  assert.throws(
    () => resolvePreprocess([null, 28, 28, 1], { height: 32 }, { file: 'm', defaultLayout: 'NHWC' }),
    /"inputSize" height 32 disagrees/,
  );
  assert.throws(() => resolvePreprocess([null, 28, 28, 1], { channels: 3 }, { file: 'm', defaultLayout: 'NHWC' }), /channel mismatch/);
  assert.throws(
    () => resolvePreprocess([null, 10], {}, { file: 'm.onnx', defaultLayout: 'NHWC' }),
    (e: Error) => e.message.startsWith('m.onnx') && /rank 2/.test(e.message),
  );
  assert.throws(
    () => resolvePreprocess([null, 3, 8, 8], { mean: [0.1, 0.2] }, { file: 'm', defaultLayout: 'NCHW' }),
    /"mean" has 2 values/,
  );
});

test('penultimate layer: walks back over Softmax and BiasAdd to the dense op input', () => {
  const nodes: GraphNode[] = [
    { name: 'pool', op: 'Mean', inputs: ['x'], outputs: ['pool'] },
    { name: 'mm', op: 'MatMul', inputs: ['pool', 'W'], outputs: ['mm'] },
    { name: 'add', op: 'BiasAdd', inputs: ['mm:0', 'b'], outputs: ['add'] },
    { name: 'sm', op: 'Softmax', inputs: ['add'], outputs: ['sm'] },
  ];
  assert.equal(penultimateTensor(nodes, 'sm', new Set(['W', 'b'])), 'pool');
  assert.equal(penultimateTensor(nodes, 'pool', new Set(['W', 'b'])), undefined);
});
