/**
 * Hand-encodes the one tiny ONNX model the retrieval engine needs, so no .onnx file ships and no
 * protobuf library is pulled in. Only the handful of fields onnxruntime reads are written.
 *
 * The model is a single Gemm: keys = −2·Q·Gᵀ + ‖g‖², i.e. the squared Euclidean distance minus the
 * query's own ‖q‖², which is constant along a row and so never changes a ranking. The gallery and
 * its squared norms are baked in as initializers: onnxruntime then packs the gallery for MLAS
 * once when the session is created, instead of on every block of queries (for 70k×64 that
 * repacking of 18 MB per call was the bulk of the product's cost).
 *
 * Fields are built as trees of pieces and written into one buffer at the end, so the gallery's
 * bytes are copied once. Concatenating at every nesting level copied them about nine times per
 * model — 4.6 GB of short-lived buffers for a 10^6 × 128 gallery, in every scan worker at once.
 */

/** Encoded bytes not yet joined: a buffer, or pieces in order. */
type Piece = Buffer | Piece[];

function pieceLength(p: Piece): number {
  return Buffer.isBuffer(p) ? p.length : p.reduce((a, q) => a + pieceLength(q), 0);
}

/** Writes the pieces into one buffer: each byte of the payload is copied exactly once. */
function join(p: Piece): Buffer {
  const out = Buffer.allocUnsafe(pieceLength(p));
  let at = 0;
  const write = (q: Piece): void => {
    if (Buffer.isBuffer(q)) at += q.copy(out, at);
    else q.forEach(write);
  };
  write(p);
  return out;
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** Field with wire type 2 (length-delimited): strings, bytes and nested messages. */
function bytesField(field: number, ...parts: Piece[]): Piece {
  return [varint((field << 3) | 2), varint(pieceLength(parts)), parts];
}
function strField(field: number, s: string): Piece {
  return bytesField(field, Buffer.from(s, 'utf8'));
}
function intField(field: number, v: number): Buffer {
  return Buffer.concat([varint(field << 3), varint(v)]);
}
function floatField(field: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v, 0);
  return Buffer.concat([varint((field << 3) | 5), b]);
}

const FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;

/** dims: a number is a fixed size, a string a symbolic (dynamic) one. */
function valueInfo(name: string, dims: (number | string)[]): Piece {
  const shape = dims.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : strField(2, d)));
  const tensorType = [intField(1, FLOAT), bytesField(2, shape)];
  return [strField(1, name), bytesField(2, bytesField(1, tensorType))];
}

/** A float32 TensorProto initializer: dims (1), data_type (2), name (8), raw_data (9, little-endian). */
function initializer(name: string, dims: number[], data: Float32Array): Piece {
  // A view on the caller's floats (shared memory too), not a copy: join() copies it, once.
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return [...dims.map((d) => intField(1, d)), intField(2, FLOAT), strField(8, name), bytesField(9, raw)];
}

function attrFloat(name: string, v: number): Piece {
  return [strField(1, name), floatField(2, v), intField(20, ATTR_FLOAT)];
}
function attrInt(name: string, v: number): Piece {
  return [strField(1, name), intField(3, v), intField(20, ATTR_INT)];
}

/** Model bytes: input Q [m, dim] → output K [m, n] = ‖g‖² − 2·Q·Gᵀ for the gallery G (n×dim) given here. */
export function distanceKeyModel(gallery: Float32Array, n: number, dim: number, gallerySq: Float32Array): Uint8Array {
  const node = [
    strField(1, 'Q'),
    strField(1, 'G'),
    strField(1, 'GN'),
    strField(2, 'K'),
    strField(3, 'gemm'),
    strField(4, 'Gemm'),
    bytesField(5, attrFloat('alpha', -2)),
    bytesField(5, attrFloat('beta', 1)),
    bytesField(5, attrInt('transB', 1)),
  ];
  const graph = [
    bytesField(1, node),
    strField(2, 'distance_keys'),
    bytesField(5, initializer('G', [n, dim], gallery.subarray(0, n * dim))),
    bytesField(5, initializer('GN', [n], gallerySq.subarray(0, n))),
    bytesField(11, valueInfo('Q', ['m', dim])),
    bytesField(12, valueInfo('K', ['m', n])),
  ];
  const opset = [strField(1, ''), intField(2, 13)];
  const model = join([intField(1, 8), strField(2, 'embedding-lens'), bytesField(7, graph), bytesField(8, opset)]);
  return new Uint8Array(model.buffer, model.byteOffset, model.byteLength);
}
