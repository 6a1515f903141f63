import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayName, distinguishingNames } from '../../../src/core/util/displayName';

test('displayName keeps the folder of a model.json and nothing else', () => {
  assert.equal(displayName('/w/models/tiny-cnn.onnx'), 'tiny-cnn.onnx');
  assert.equal(displayName('/w/checkpoint/model.json'), 'checkpoint/model.json');
  assert.equal(displayName('model.json'), 'model.json');
  assert.equal(displayName('C:\\w\\run1\\model.json'), 'run1/model.json');
});

test('an original and its fine-tune read differently: the path below their common folder', () => {
  assert.deepEqual(distinguishingNames(['/w/cnn.onnx', '/w/cnn-eet-1/cnn.onnx']), ['cnn.onnx', 'cnn-eet-1/cnn.onnx']);
  assert.deepEqual(distinguishingNames(['/w/a/model.json', '/w/a/eet-1/model.json']), ['a/model.json', 'eet-1/model.json']);
});

test('siblings with the same file name get their folders', () => {
  assert.deepEqual(distinguishingNames(['/w/run1/model.json', '/w/run2/model.json']), ['run1/model.json', 'run2/model.json']);
  assert.deepEqual(distinguishingNames(['/x/run1/m.onnx', '/x/run2/m.onnx']), ['run1/m.onnx', 'run2/m.onnx']);
});

test('far-apart paths take the shortest distinct suffix, not the whole path', () => {
  assert.deepEqual(distinguishingNames(['/home/u/a/deep/m.onnx', '/home/u/b/deep/m.onnx']), ['a/deep/m.onnx', 'b/deep/m.onnx']);
  assert.deepEqual(distinguishingNames(['/p/q/r/a/deep/m.onnx', '/z/b/deep/m.onnx']), ['a/deep/m.onnx', 'b/deep/m.onnx']);
});

test('names that already differ, and the same path twice, are left alone', () => {
  assert.deepEqual(distinguishingNames(['/w/a.onnx', '/v/b.onnx']), ['a.onnx', 'b.onnx']);
  assert.deepEqual(distinguishingNames(['/w/a.onnx', '/w/a.onnx']), ['a.onnx', 'a.onnx']);
  assert.deepEqual(distinguishingNames(['/w/a.onnx', '/w//a.onnx', '/v/a.onnx']), ['w/a.onnx', 'w/a.onnx', 'v/a.onnx']);
  assert.deepEqual(distinguishingNames([]), []);
});

test('only the clashing names grow', () => {
  assert.deepEqual(distinguishingNames(['/w/x.onnx', '/w/cnn.onnx', '/w/t/cnn.onnx']), ['x.onnx', 'cnn.onnx', 't/cnn.onnx']);
});
