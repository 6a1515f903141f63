/**
 * On-disk cache of 2-D layouts, keyed by the caller's embeddings cache key plus every parameter
 * that shapes the layout, so reopening a panel shows the same map without recomputing it.
 * Entry file: 8-byte magic, u32 header length, JSON header {key, n}, then n×2 float32.
 * Writes are atomic (temp file + rename); a cancelled computation never reaches put.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunControl } from '../types';

const MAGIC = Buffer.from('ELLAYOUT', 'latin1');

/** Parameters are serialised with sorted keys so {a, b} and {b, a} are one entry. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).filter((k) => obj[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`;
}

/** Any JSON-serialisable object of the parameters that shape the layout (e.g. UmapParams + method). */
export type LayoutParams = object;

/** The full identity of a layout: embeddings key + method parameters. */
export function layoutKey(embeddingsKey: string, params: LayoutParams): string {
  return `${embeddingsKey}\n${stableJson(params)}`;
}

function entryPath(dir: string, key: string): string {
  return join(dir, `layout-${createHash('sha256').update(key).digest('hex').slice(0, 32)}.bin`);
}

/** The cached n×2 layout, or undefined when absent, unreadable, or for a different key (hash collision). */
export async function getCachedLayout(dir: string, embeddingsKey: string, params: LayoutParams): Promise<Float32Array | undefined> {
  const key = layoutKey(embeddingsKey, params);
  let bytes: Buffer;
  try {
    bytes = await readFile(entryPath(dir, key));
  } catch {
    return undefined;
  }
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(MAGIC)) return undefined;
  const hlen = bytes.readUInt32LE(8);
  if (12 + hlen > bytes.length) return undefined;
  let header: { key?: string; n?: number };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + hlen).toString('utf8'));
  } catch {
    return undefined;
  }
  const n = header.n;
  if (header.key !== key || typeof n !== 'number' || bytes.length - 12 - hlen !== n * 8) return undefined;
  const out = new Float32Array(n * 2);
  new Uint8Array(out.buffer).set(bytes.subarray(12 + hlen));
  return out;
}

/** Stores a finished layout atomically; returns the entry's path. */
export async function putCachedLayout(dir: string, embeddingsKey: string, params: LayoutParams, xy: Float32Array): Promise<string> {
  if (xy.length % 2 !== 0) throw new Error(`putCachedLayout: expected n×2 values, got ${xy.length}`);
  const key = layoutKey(embeddingsKey, params);
  await mkdir(dir, { recursive: true });
  const header = Buffer.from(JSON.stringify({ key, n: xy.length / 2 }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const path = entryPath(dir, key);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([MAGIC, len, header, Buffer.from(xy.buffer, xy.byteOffset, xy.byteLength)]));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return path;
}

/**
 * Cached layout or a freshly computed one, stored on success. If `compute` throws (cancelled,
 * bad input) nothing is written and the error propagates.
 */
export async function cachedLayout(
  dir: string,
  embeddingsKey: string,
  params: LayoutParams,
  compute: (ctl: RunControl) => Promise<Float32Array>,
  ctl: RunControl = {},
): Promise<{ xy: Float32Array; cached: boolean }> {
  const hit = await getCachedLayout(dir, embeddingsKey, params);
  if (hit) return { xy: hit, cached: true };
  const xy = await compute(ctl);
  if (ctl.signal?.aborted) return { xy, cached: false };
  await putCachedLayout(dir, embeddingsKey, params, xy);
  return { xy, cached: false };
}
