import { promisify } from 'node:util';
import { constants, gunzip, gunzipSync } from 'node:zlib';
import { checkIdxHeader, IDX_MAX_BYTES } from '../dataset/idx';
import { LensError } from '../errors';
import { readRegularFile } from '../io/safeFile';

const gunzipAsync = promisify(gunzip);

/** An unsigned-byte IDX array (the MNIST file format): dims and the raw bytes after the header. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes, gzipped or not (decided by the gzip magic, not the name).
 * The header is unpacked and checked against the dataset reader's limits first (checkIdxHeader),
 * then the body is inflated with maxOutputLength = exactly what the header promises, so a gzip
 * bomb or a lying header costs at most that. Decompression runs on libuv's thread pool, so a
 * 47 MB training set does not stall the event loop.
 */
export async function readIdxUbyte(file: string, expectDims: number): Promise<IdxArray> {
  const packed = await readRegularFile(file, { expected: 'an IDX file', maxBytes: IDX_MAX_BYTES });
  const gz = packed.length >= 2 && packed[0] === 0x1f && packed[1] === 0x8b;
  let head: Buffer = packed;
  if (gz) {
    try {
      // Only the start: 4 KiB of gzip unpacks to at most ~4 MB, plenty for a 20-byte header.
      head = gunzipSync(packed.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch (err) {
      throw new LensError(`is not a valid gzip file (${(err as Error).message}); expected a gzipped IDX file`, file);
    }
  }
  if (head.length < 4 || head[0] !== 0 || head[1] !== 0) {
    throw new LensError('is not an IDX file: expected the magic bytes 00 00 at the start', file);
  }
  if (head[2] !== 0x08) {
    throw new LensError(`holds IDX type 0x${head[2].toString(16)}, expected unsigned bytes (0x08)`, file);
  }
  const ndim = head[3];
  if (ndim !== expectDims) throw new LensError(`has ${ndim} dimensions, expected ${expectDims}`, file);
  const header = 4 + 4 * ndim;
  if (head.length < header) throw new LensError('is truncated inside its IDX header', file);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(head.readUInt32BE(4 + 4 * i));
  checkIdxHeader({ dims, dataOffset: header }, file, { rank: expectDims });
  const expected = dims.reduce((a, b) => a * b, 1);
  let buf = packed;
  if (gz) {
    try {
      buf = await gunzipAsync(packed, { maxOutputLength: header + expected });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new LensError(`unpacks to more than the ${header + expected} bytes its header (${dims.join('×')}) promises`, file);
      }
      throw new LensError(`is not a valid gzip file (${(err as Error).message}); expected a gzipped IDX file`, file);
    }
  }
  if (buf.length - header !== expected) {
    throw new LensError(`holds ${buf.length - header} data bytes, expected ${expected} for shape ${dims.join('×')}`, file);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, expected) };
}
