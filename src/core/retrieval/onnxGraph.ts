/**
 * Hand-encodes the one tiny ONNX model the retrieval engine needs, so no .onnx file ships and no
 * protobuf library is pulled in. Only the handful of fields onnxruntime reads are written.
 *
 * The model is a single Gemm: keys = −2·Q·Gᵀ + ‖g‖², i.e. the squared Euclidean distance minus the
 * query's own ‖q‖², which is constant along a row and so never changes a ranking. Gemm with
 * transB lets MLAS use its packed kernels on the gallery as stored (row-major n×d).
 */

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** Field with wire type 2 (length-delimited): strings, bytes and nested messages. */
function bytesField(field: number, payload: number[]): number[] {
  return [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
}
function strField(field: number, s: string): number[] {
  return bytesField(field, [...Buffer.from(s, 'utf8')]);
}
function intField(field: number, v: number): number[] {
  return [...varint(field << 3), ...varint(v)];
}
function floatField(field: number, v: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v, 0);
  return [...varint((field << 3) | 5), ...b];
}

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

/** dims: a number is a fixed size, a string a symbolic (dynamic) one. */
function valueInfo(name: string, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : strField(2, d)));
  const tensorType = [...intField(1, FLOAT), ...bytesField(2, shape)];
  return [...strField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

function attrFloat(name: string, v: number): number[] {
  return [...strField(1, name), ...floatField(2, v), ...intField(20, ATTR_FLOAT)];
}
function attrInt(name: string, v: number): number[] {
  return [...strField(1, name), ...intField(3, v), ...intField(20, ATTR_INT)];
}

/** Model bytes: inputs Q [m, dim], G [n, dim], GN [n] (‖g‖²) → output K [m, n] = GN − 2·Q·Gᵀ. */
export function distanceKeyModel(dim: number): Uint8Array {
  const node = [
    ...strField(1, 'Q'),
    ...strField(1, 'G'),
    ...strField(1, 'GN'),
    ...strField(2, 'K'),
    ...strField(3, 'gemm'),
    ...strField(4, 'Gemm'),
    ...bytesField(5, attrFloat('alpha', -2)),
    ...bytesField(5, attrFloat('beta', 1)),
    ...bytesField(5, attrInt('transB', 1)),
  ];
  const graph = [
    ...bytesField(1, node),
    ...strField(2, 'distance_keys'),
    ...bytesField(11, valueInfo('Q', ['m', dim])),
    ...bytesField(11, valueInfo('G', ['n', dim])),
    ...bytesField(11, valueInfo('GN', ['n'])),
    ...bytesField(12, valueInfo('K', ['m', 'n'])),
  ];
  const opset = [...strField(1, ''), ...intField(2, 13)];
  const model = [...intField(1, 8), ...strField(2, 'embedding-lens'), ...bytesField(7, graph), ...bytesField(8, opset)];
  return Uint8Array.from(model);
}
