import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { LensError } from '../errors';

const gunzipAsync = promisify(gunzip);

/** An unsigned-byte IDX array (the MNIST file format): dims and the raw bytes after the header. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Reads an IDX file of unsigned bytes, gzipped or not (decided by the gzip magic, not the name).
 * Decompression runs on libuv's thread pool, so a 47 MB training set does not stall the event loop.
 */
export async function readIdxUbyte(file: string, expectDims: number): Promise<IdxArray> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    throw new LensError(`cannot read IDX file (${(err as Error).message})`, file);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzipAsync(buf);
    } catch (err) {
      throw new LensError(`is not a valid gzip file (${(err as Error).message}); expected a gzipped IDX file`, file);
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) {
    throw new LensError('is not an IDX file: expected the magic bytes 00 00 at the start', file);
  }
  if (buf[2] !== 0x08) {
    throw new LensError(`holds IDX type 0x${buf[2].toString(16)}, expected unsigned bytes (0x08)`, file);
  }
  const ndim = buf[3];
  if (ndim !== expectDims) throw new LensError(`has ${ndim} dimensions, expected ${expectDims}`, file);
  const header = 4 + 4 * ndim;
  if (buf.length < header) throw new LensError('is truncated inside its IDX header', file);
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buf.length - header !== expected) {
    throw new LensError(`holds ${buf.length - header} data bytes, expected ${expected} for shape ${dims.join('×')}`, file);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + header, expected) };
}
