import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleModule, op, sleb, uleb, ValType, WasmFunction } from '../../../src/core/util/wasmAssembler';
import { Wasm } from '../../../src/core/util/wasmApi';

test('LEB128 encodings match the specification examples', () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-64), [0x40]);
});

test('an assembled module validates and runs: scalar loop, SIMD lanes, shared memory', () => {
  // sum(ptr, count): Σ of `count` f32 at ptr, four at a time (count a multiple of 4), and
  // scale(ptr, s): multiplies the four f32 at ptr by s in place.
  const sum = new WasmFunction('sum', [ValType.i32, ValType.i32], [ValType.f32]);
  const acc = sum.local(ValType.v128);
  const { get, set } = op;
  const sumBody = [
    op.f32x4(0), set(acc),
    op.block, op.loop,
    get(1), op.i32(0), op.i32GtS, op.i32Eqz, op.brIf(1),
    get(acc), get(0), op.v128Load(), op.f32x4Add, set(acc),
    get(0), op.i32(16), op.i32Add, set(0),
    get(1), op.i32(4), op.i32Sub, set(1),
    op.br(0),
    op.end, op.end,
    get(acc), op.f32x4ExtractLane(0), get(acc), op.f32x4ExtractLane(1), op.f32Add,
    get(acc), op.f32x4ExtractLane(2), op.f32Add, get(acc), op.f32x4ExtractLane(3), op.f32Add,
  ];
  const scale = new WasmFunction('scale', [ValType.i32, ValType.f32], []);
  const scaleBody = [get(0), get(0), op.v128Load(), get(1), op.f32x4Splat, op.f32x4Mul, op.v128Store()];
  const bytes = assembleModule({ minPages: 1, maxPages: 4, shared: true }, [{ fn: sum, body: sumBody }, { fn: scale, body: scaleBody }]);
  assert.ok(Wasm!.validate(bytes));
  const memory = new Wasm!.Memory({ initial: 1, maximum: 4, shared: true });
  assert.ok(memory.buffer instanceof SharedArrayBuffer);
  const exports = new Wasm!.Instance(new Wasm!.Module(bytes), { env: { memory } }).exports as { sum(p: number, c: number): number; scale(p: number, s: number): void };
  const values = new Float32Array(memory.buffer, 64, 8);
  values.set([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(exports.sum(64, 8), 36);
  exports.scale(80, 0.5);
  assert.deepEqual(Array.from(values), [1, 2, 3, 4, 2.5, 3, 3.5, 4]);
  // A memory without the declared maximum is refused by the import, not misused.
  assert.throws(() => new Wasm!.Instance(new Wasm!.Module(bytes), { env: { memory: new Wasm!.Memory({ initial: 1, maximum: 8, shared: true }) } }));
});
