import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { eetLoss, eetLossValues, type EetOptions } from '../../../src/core/eet/loss';
import { loadEetFixtures, close, flatten, type EetFixture } from '../helpers/fixtures';

function optionsOf(f: EetFixture): EetOptions {
  const w = f.options.weights as unknown;
  const weights: [number, number, number] = Array.isArray(w)
    ? [w[0], w[1], w[2]]
    : [(w as Record<string, number>).mc, (w as Record<string, number>).ec, (w as Record<string, number>).edc];
  return { normalize: f.options.normalize, margin: f.options.margin, weights };
}

const TERMS = ['mc', 'ec', 'm', 'e', 'edc', 'total'] as const;

for (const backend of ['cpu', 'wasm']) {
  test(`EET loss matches every fixture on the ${backend} backend (values 1e-5, gradients 1e-4)`, async () => {
    assert.ok(await tf.setBackend(backend), `backend ${backend} failed to initialise`);
    await tf.ready();
    for (const f of loadEetFixtures()) {
      const labels = Int32Array.from(f.labels);
      const x = tf.tensor2d(flatten(f.embeddings), [f.embeddings.length, f.embeddings[0].length]);
      const opts = optionsOf(f);
      // The way the fine-tune uses it: gradients of the total with respect to a variable.
      const v = tf.variable(x, true);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => eetLoss(v, labels, opts).total, [v]);
      const g = grads[v.name];
      const grad = g.arraySync() as number[][];
      f.expected.grad.forEach((row, i) =>
        row.forEach((v, j) => assert.ok(close(grad[i][j], v, 1e-4), `${backend} ${f.name} grad[${i}][${j}] = ${grad[i][j]}, expected ${v}`)),
      );
      const vals = eetLossValues(flatten(f.embeddings), f.embeddings.length, f.embeddings[0].length, labels, opts);
      for (const k of TERMS) assert.ok(close(vals[k], f.expected[k], 1e-5), `${backend} ${f.name}.${k} = ${vals[k]}, expected ${f.expected[k]}`);
      assert.equal(vals.anchors, f.expected.anchors, `${f.name}.anchors`);
      assert.equal(vals.classes, f.expected.classes, `${f.name}.classes`);
      tf.dispose([value, g]);
      assert.equal(tf.memory().numTensors, before, `${backend} ${f.name}: variableGrads leaked tensors`);
      tf.dispose([x, v]);
    }
  });
}
