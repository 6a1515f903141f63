import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SGD_KERNEL_WASM } from '../../../src/core/projection/generated/sgdKernelWasm';
import { Wasm } from '../../../src/core/util/wasmApi';

// scripts/kernels.mjs compiles the .wat kernels with wabt at build time; these check the build
// step itself (the kernel's behaviour is checked against sgd.ts in sgdKernel.test.ts).
const kernels = import(resolve(__dirname, '../../../scripts/kernels.mjs')) as Promise<{ compileWat(file: string): Promise<Uint8Array> }>;

test('the generated module holds exactly what sgdKernel.wat compiles to', async () => {
  const { compileWat } = await kernels;
  const bytes = await compileWat(resolve(__dirname, '../../../src/core/projection/sgdKernel.wat'));
  assert.equal(Buffer.from(bytes).toString('base64'), SGD_KERNEL_WASM, 'stale generated kernel: run node scripts/kernels.mjs');
  const memory = new Wasm!.Memory({ initial: 1, maximum: 1, shared: true });
  const { exports } = new Wasm!.Instance(new Wasm!.Module(bytes), { env: { memory } });
  assert.deepEqual(Object.keys(exports).sort(), ['addPulls', 'epoch']);
});

test('a mistake in a kernel fails the build with the file and what is wrong, instead of a silent fallback', async () => {
  const { compileWat } = await kernels;
  const dir = mkdtempSync(join(tmpdir(), 'lens-wat-'));
  const syntax = join(dir, 'syntax.wat');
  writeFileSync(syntax, '(module (func (export "f") (result i32) (i32.const 1) (i32.frobnicate)))');
  await assert.rejects(compileWat(syntax), /syntax\.wat:1:\d+: error: unexpected token/);
  // Well-formed text that does not type-check (an f32 where i32 is expected): V8's message names the function.
  const types = join(dir, 'types.wat');
  writeFileSync(types, '(module (func $f (export "f") (result i32) (f32.const 1)))');
  await assert.rejects(compileWat(types), /types\.wat: .*Compiling function #0 failed: type error .*expected i32, got f32/);
});
