import { LensError } from '../errors';
import { readRegularFile } from './safeFile';
import { writeFileAtomic } from './outputs';

/**
 * A small reader/writer for NumPy's .npy format (v1/v2/v3 headers, C order). It covers the dtypes
 * embeddings and labels actually arrive in; anything else is refused with the dtype named, so a
 * float16 or Fortran-ordered file never turns into silently wrong numbers.
 */
export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
  /** NumPy's descr without the byte-order mark, e.g. 'f4', 'f8', 'i4', 'i8', 'u1'. */
  dtype: string;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

const DTYPES: Record<string, { bytes: number; make: (buf: ArrayBuffer, off: number, len: number) => NpyData }> = {
  f4: { bytes: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  f8: { bytes: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  i4: { bytes: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  i8: { bytes: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  u1: { bytes: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
};

/** Parses the header and data of an in-memory .npy file; `file` only names the source in errors. */
export function parseNpy(bytes: Uint8Array, file = '<buffer>'): NpyArray {
  if (bytes.length < 10 || !MAGIC.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 6))) {
    throw new LensError('not a NumPy .npy file (missing the \\x93NUMPY magic)', file);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new LensError('truncated .npy header', file);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new LensError(`unsupported .npy format version ${major} (expected 1, 2 or 3)`, file);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new LensError('truncated .npy header', file);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + headerStart, headerLen).toString(major === 3 ? 'utf8' : 'latin1');

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new LensError(`malformed .npy header ${JSON.stringify(header.trim())}`, file);
  }
  if (fortran === 'True') throw new LensError('Fortran-ordered arrays are not supported; save with np.ascontiguousarray', file);
  const order = descr[0];
  const dtype = descr.slice(1);
  const spec = DTYPES[dtype];
  // '|' means byte order does not apply (1-byte types); '>' would need swapping on this platform.
  if (!spec || order === '>' || (order !== '<' && order !== '|' && order !== '=')) {
    throw new LensError(`unsupported dtype '${descr}' (expected little-endian float32, float64, int32, int64 or uint8)`, file);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new LensError(`bad shape entry "${s}" in .npy header`, file);
      return v;
    });
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * spec.bytes;
  if (bytes.length - dataStart < need) {
    throw new LensError(
      `truncated data: shape (${shape.join(', ')}) of ${dtype} needs ${need} bytes, file has ${bytes.length - dataStart}`,
      file,
    );
  }
  // Copy into a fresh aligned buffer: the header length makes the data offset arbitrary.
  const copy = new ArrayBuffer(need);
  new Uint8Array(copy).set(bytes.subarray(dataStart, dataStart + need));
  return { data: spec.make(copy, 0, count), shape, dtype };
}

export async function readNpy(path: string): Promise<NpyArray> {
  // Regular files only, read to the size stat gave: a FIFO or /dev/zero named .npy must not hang or grow.
  const bytes = await readRegularFile(path, { expected: 'a NumPy .npy file' });
  return parseNpy(bytes, path);
}

/** Serialises a C-ordered float32 or int32 array as a v1 .npy file (v2 when the header needs it). */
export function encodeNpy(data: Float32Array | Int32Array, shape: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const descr = data instanceof Float32Array ? '<f4' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Header (magic + version + length + dict + padding + '\n') is padded to a multiple of 64 bytes.
  let version = 1;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) {
    version = 2;
    prefix = 12;
    total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  }
  const headerLen = total - prefix;
  const out = Buffer.alloc(total + data.byteLength);
  MAGIC.copy(out, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) out.writeUInt16LE(headerLen, 8);
  else out.writeUInt32LE(headerLen, 8);
  out.write(dict.padEnd(headerLen - 1, ' ') + '\n', prefix, 'latin1');
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, total);
  return out;
}

/** Written atomically (temp + fsync + rename): a full disk leaves the previous file intact. */
export async function writeNpy(path: string, data: Float32Array | Int32Array, shape: number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

/** An N×D embeddings file as float32 rows (float64 files are converted), with its shape checked. */
export async function readEmbeddings(path: string): Promise<{ data: Float32Array; n: number; dim: number }> {
  const npy = await readNpy(path);
  if (npy.shape.length !== 2) throw new LensError(`expected a 2-D N×D array of embeddings, got shape (${npy.shape.join(', ')})`, path);
  if (npy.dtype !== 'f4' && npy.dtype !== 'f8') throw new LensError(`expected float32 or float64 embeddings, got dtype ${npy.dtype}`, path);
  const [n, dim] = npy.shape;
  if (n < 1 || dim < 1) throw new LensError(`expected at least one embedding of dimension ≥ 1, got ${n}×${dim}`, path);
  const data = npy.data instanceof Float32Array ? npy.data : Float32Array.from(npy.data as Float64Array);
  return { data, n, dim };
}
