/**
 * A minimal WebAssembly binary writer: enough to build small numeric kernels (scalar and SIMD)
 * from TypeScript, so a kernel lives in the repository as readable source — no toolchain, no
 * checked-in binary. A kernel is a list of functions over one imported memory ("env"."memory").
 * Only the instructions kernels here use are named; the encoding follows the WebAssembly core
 * specification (2.0, with the fixed-width SIMD proposal).
 */

export type Code = (number | Code)[];

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function flatten(code: Code): number[] {
  const out: number[] = [];
  const walk = (c: Code): void => {
    for (const x of c) {
      if (typeof x === 'number') out.push(x);
      else walk(x);
    }
  };
  walk(code);
  return out;
}

const bytesOf = (a: Float32Array | Float64Array | Int32Array): number[] => Array.from(new Uint8Array(a.buffer));
const memarg = (alignLog2: number, offset: number): number[] => [alignLog2, ...uleb(offset)];
const simd = (opcode: number): number[] => [0xfd, ...uleb(opcode)];

/** Instructions. Memory offsets are static byte offsets added to the address operand. */
export const op = {
  // control
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: 0x05,
  end: 0x0b,
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  select: 0x1b,
  // locals
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  // memory
  i32Load: (offset = 0) => [0x28, ...memarg(2, offset)],
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  f64Load: (offset = 0) => [0x2b, ...memarg(3, offset)],
  f32Store: (offset = 0) => [0x38, ...memarg(2, offset)],
  f64Store: (offset = 0) => [0x39, ...memarg(3, offset)],
  // constants
  i32: (v: number) => [0x41, ...sleb(v | 0)],
  f32: (v: number) => [0x43, ...bytesOf(new Float32Array([v]))],
  f64: (v: number) => [0x44, ...bytesOf(new Float64Array([v]))],
  // i32
  i32Eqz: 0x45,
  i32GtS: 0x4a,
  i32Eq: 0x46,
  i32Or: 0x72,
  i32And: 0x71,
  i32LtU: 0x49,
  i32LtS: 0x48,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
  // f32 / f64
  f32Gt: 0x5e,
  f64Gt: 0x64,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Min: 0x96,
  f32Max: 0x97,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f64Div: 0xa3,
  f64ConvertI32S: 0xb7,
  i32TruncSatF64S: [0xfc, 0x02],
  // v128
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(4, offset)],
  v128Load64Zero: (offset = 0) => [...simd(0x5d), ...memarg(3, offset)],
  v128Load64Lane: (lane: number, offset = 0) => [...simd(0x57), ...memarg(3, offset), lane],
  v128Store64Lane: (lane: number, offset = 0) => [...simd(0x5b), ...memarg(3, offset), lane],
  i32x4: (a: number, b: number, c: number, d: number) => [...simd(0x0c), ...bytesOf(new Int32Array([a, b, c, d]))],
  f32x4: (v: number) => [...simd(0x0c), ...bytesOf(new Float32Array([v, v, v, v]))],
  i32x4Const: (v: number) => [...simd(0x0c), ...bytesOf(new Int32Array([v, v, v, v]))],
  shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  i32x4Splat: simd(0x11),
  f32x4Splat: simd(0x13),
  i32x4ExtractLane: (lane: number) => [...simd(0x1b), lane],
  i32x4ReplaceLane: (lane: number) => [...simd(0x1c), lane],
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  i32x4Eq: simd(0x37),
  i32x4Ne: simd(0x38),
  i32x4GtS: simd(0x3b),
  f32x4Gt: simd(0x44),
  v128And: simd(0x4e),
  v128AndNot: simd(0x4f),
  v128Xor: simd(0x51),
  f32x4Nearest: simd(0x6a),
  i32x4Neg: simd(0xa1),
  i32x4Shl: simd(0xab),
  i32x4ShrS: simd(0xac),
  i32x4ShrU: simd(0xad),
  i32x4Add: simd(0xae),
  i32x4Sub: simd(0xb1),
  i64x2ExtmulLowI32x4U: simd(0xde),
  i64x2ExtmulHighI32x4U: simd(0xdf),
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  f32x4Div: simd(0xe7),
  f32x4Pmin: simd(0xea),
  f32x4Pmax: simd(0xeb),
  i32x4TruncSatF32x4S: simd(0xf8),
  f32x4ConvertI32x4S: simd(0xfa),
};

/** One function: its signature and its locals, allocated by name as the body is written. */
export class WasmFunction {
  private readonly localTypes: ValType[] = [];
  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[],
  ) {}
  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }
  encode(body: Code): number[] {
    // Locals are declared as runs of equal type, in index order.
    const runs: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const decl = [...uleb(runs.length), ...runs.flatMap(([count, t]) => [...uleb(count), t])];
    const bytes = [...decl, ...flatten(body), op.end];
    return [...uleb(bytes.length), ...bytes];
  }
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}
function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}
function name(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...uleb(b.length), ...b];
}

/**
 * A module that imports one memory as env.memory (shared when `shared`; a shared memory needs a
 * maximum, in 64 KiB pages) and exports each function under its name.
 */
export function assembleModule(memory: { minPages: number; maxPages: number; shared: boolean }, functions: { fn: WasmFunction; body: Code }[]): Uint8Array {
  const types = functions.map(({ fn }) => [0x60, ...vec(fn.params.map((t) => [t])), ...vec(fn.results.map((t) => [t]))]);
  const limits = [memory.shared ? 0x03 : 0x01, ...uleb(memory.minPages), ...uleb(memory.maxPages)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map(({ fn }, i) => [...name(fn.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map(({ fn, body }) => fn.encode(body)))),
  ];
  return new Uint8Array(bytes);
}
