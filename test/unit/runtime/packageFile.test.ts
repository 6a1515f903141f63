import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { packageFile } from '../../../src/core/runtime/packageFile';

test('packageFile finds a file a package ships in the nearest node_modules above the module, without reading package.json', () => {
  // The checkout's own node_modules, found by walking up from src/core/runtime/.
  const wasm = packageFile('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
  assert.ok(isAbsolute(wasm));
  assert.ok(existsSync(wasm));
  assert.equal(wasm, join(__dirname, '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  // A path no "main" or "exports" names (onnxruntime's addon) is found all the same: the packaged
  // extension ships no package.json to consult.
  const addon = packageFile(`onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`);
  assert.ok(existsSync(addon));
});

test('a file no node_modules holds throws MODULE_NOT_FOUND naming it, as a missing optional package does', () => {
  assert.throws(
    () => packageFile('@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node-not-there'),
    (e: NodeJS.ErrnoException) =>
      e.code === 'MODULE_NOT_FOUND' && e.message.includes('@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node-not-there'),
  );
});
