import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '../../../../src/core/runtime/tfjs';

/** Saves a LayersModel as model.json + weights.bin in `dir` (what tfjs's file:// saver would write). */
export async function saveLayersModel(tf: Tf, model: LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      writeFileSync(join(dir, 'weights.bin'), Buffer.from(data));
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({
          format: 'layers-model',
          generatedBy: 'test',
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return join(dir, 'model.json');
}

/**
 * A hand-written tfjs GraphModel: x [batch,4,4,1] (batch −1 = dynamic) → Reshape [-1,16] → MatMul W [16,3] → BiasAdd b → Softmax.
 * W[i][j] = (i − j)/10, b = [0.1, 0, −0.1].
 */
export function writeGraphModel(dir: string, batch = -1): { path: string; W: number[][]; b: number[] } {
  mkdirSync(dir, { recursive: true });
  const W = Array.from({ length: 16 }, (_, i) => Array.from({ length: 3 }, (_, j) => (i - j) / 10));
  const b = [0.1, 0, -0.1];
  const shape = new Int32Array([-1, 16]);
  const floats = new Float32Array([...W.flat(), ...b]);
  writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.concat([Buffer.from(floats.buffer), Buffer.from(shape.buffer)]));
  const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
  const topology = {
    node: [
      node('x', 'Placeholder', [], {
        dtype: { type: 'DT_FLOAT' },
        shape: { shape: { dim: [{ size: String(batch) }, { size: '4' }, { size: '4' }, { size: '1' }] } },
      }),
      node('W', 'Const', [], {
        dtype: { type: 'DT_FLOAT' },
        value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '16' }, { size: '3' }] } } },
      }),
      node('b', 'Const', [], {
        dtype: { type: 'DT_FLOAT' },
        value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] } } },
      }),
      node('shape', 'Const', [], {
        dtype: { type: 'DT_INT32' },
        value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } },
      }),
      node('flat', 'Reshape', ['x', 'shape'], { T: { type: 'DT_FLOAT' } }),
      node('logits/MatMul', 'MatMul', ['flat', 'W'], { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('logits', 'BiasAdd', ['logits/MatMul', 'b'], { T: { type: 'DT_FLOAT' } }),
      node('probs', 'Softmax', ['logits'], { T: { type: 'DT_FLOAT' } }),
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
        { name: 'shape', shape: [2], dtype: 'int32' },
      ],
    },
  ];
  const path = join(dir, 'model.json');
  writeFileSync(
    path,
    JSON.stringify({ format: 'graph-model', generatedBy: 'test', convertedBy: 'hand', modelTopology: topology, weightsManifest: manifest }),
  );
  return { path, W, b };
}
