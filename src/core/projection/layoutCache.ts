/**
 * On-disk cache of 2-D layouts, keyed by the caller's embeddings cache key plus every parameter
 * that shapes the layout, so reopening a panel shows the same map without recomputing it.
 * Entry file: 8-byte magic, u32 header length, JSON header {key, n, sum}, then n×2 float32, where
 * sum is the sha256 of the header's key and the float bytes: a flipped byte that keeps the file's
 * size is caught on read, the entry removed and recomputed with a note.
 * Writes are atomic (temp file + rename); a cancelled computation never reaches put.
 * A cancelled UMAP's last layout goes to a separate "partial" entry of the same parameters, with
 * the epochs it had done in its header (inside the checksum), so a later run or a restored panel
 * can resume it; the finished layout's put removes it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Format 2 added the checksum; format-1 files have another magic and are plain misses. */
const MAGIC = Buffer.from('ELLAYOU2', 'latin1');
const MAGIC_V1 = Buffer.from('ELLAYOUT', 'latin1');

/** Parameters are serialised with sorted keys so {a, b} and {b, a} are one entry. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
    .join(',')}}`;
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

const payloadSum = (key: string, payload: Uint8Array) => createHash('sha256').update(key).update(payload).digest('hex');

/**
 * The cached n×2 layout, or nothing: absent, another format, another key (a hash collision), or
 * damaged — then `damaged` says why and the entry (the cache's own file) has been removed.
 */
export async function readLayoutEntry(
  dir: string,
  embeddingsKey: string,
  params: LayoutParams,
): Promise<{ xy?: Float32Array; damaged?: string }> {
  const { xy, damaged } = await readEntry(dir, layoutKey(embeddingsKey, params));
  return { xy, damaged };
}

/** The checksummed text of an entry: the key, and for a partial layout the epochs it had done. */
const summedKey = (key: string, epoch?: number) => (epoch === undefined ? key : `${key}\nepoch ${epoch}`);
const partialKey = (embeddingsKey: string, params: LayoutParams) => `${layoutKey(embeddingsKey, params)}\npartial`;

async function readEntry(dir: string, key: string): Promise<{ xy?: Float32Array; epoch?: number; damaged?: string }> {
  const path = entryPath(dir, key);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return {};
  }
  const damaged = async (why: string) => {
    await unlink(path).catch(() => undefined);
    return { damaged: `the layout cache entry ${path} was damaged (${why}); dropped and recomputed` };
  };
  // A format-1 entry (no checksum) is only out of date: the fresh layout replaces it.
  if (bytes.subarray(0, 8).equals(MAGIC_V1)) return {};
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(MAGIC)) return damaged('not a layout entry');
  if (bytes.length < 12) return damaged('truncated header');
  const hlen = bytes.readUInt32LE(8);
  if (12 + hlen > bytes.length) return damaged('truncated header');
  let header: { key?: string; n?: number; sum?: string; epoch?: number };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + hlen).toString('utf8'));
  } catch {
    return damaged('unreadable header');
  }
  const n = header.n;
  if (typeof header.key !== 'string' || typeof n !== 'number' || typeof header.sum !== 'string') return damaged('unreadable header');
  if (header.key !== key) return {};
  const epoch = header.epoch;
  if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0)) return damaged('unreadable header');
  const payload = bytes.subarray(12 + hlen);
  if (payload.length !== n * 8 || payloadSum(summedKey(key, epoch), payload) !== header.sum)
    return damaged('the layout does not match its checksum');
  const out = new Float32Array(n * 2);
  new Uint8Array(out.buffer).set(payload);
  return { xy: out, epoch };
}

/** The cached n×2 layout, or undefined when absent, damaged, or for a different key (hash collision). */
export async function getCachedLayout(dir: string, embeddingsKey: string, params: LayoutParams): Promise<Float32Array | undefined> {
  return (await readLayoutEntry(dir, embeddingsKey, params)).xy;
}

/** Stores a finished layout atomically; returns the entry's path. */
export async function putCachedLayout(dir: string, embeddingsKey: string, params: LayoutParams, xy: Float32Array): Promise<string> {
  const path = await writeEntry(dir, layoutKey(embeddingsKey, params), xy);
  // The finished layout supersedes a stopped run's (the cache's own file).
  await unlink(entryPath(dir, partialKey(embeddingsKey, params))).catch(() => undefined);
  return path;
}

/** A cancelled run's layout after `epoch` epochs, kept so it can be resumed (readPartialLayout). */
export async function putPartialLayout(
  dir: string,
  embeddingsKey: string,
  params: LayoutParams,
  xy: Float32Array,
  epoch: number,
): Promise<string> {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`putPartialLayout: epoch must be a non-negative integer, got ${epoch}`);
  return writeEntry(dir, partialKey(embeddingsKey, params), xy, epoch);
}

/** The stopped run's layout and its epochs done, or nothing (absent, damaged: then removed). */
export async function readPartialLayout(
  dir: string,
  embeddingsKey: string,
  params: LayoutParams,
): Promise<{ xy: Float32Array; epoch: number } | undefined> {
  const { xy, epoch } = await readEntry(dir, partialKey(embeddingsKey, params));
  return xy && epoch !== undefined ? { xy, epoch } : undefined;
}

async function writeEntry(dir: string, key: string, xy: Float32Array, epoch?: number): Promise<string> {
  if (xy.length % 2 !== 0) throw new Error(`putCachedLayout: expected n×2 values, got ${xy.length}`);
  await mkdir(dir, { recursive: true });
  const payload = new Uint8Array(xy.buffer, xy.byteOffset, xy.byteLength);
  const header = Buffer.from(
    JSON.stringify({ key, n: xy.length / 2, sum: payloadSum(summedKey(key, epoch), payload), ...(epoch === undefined ? {} : { epoch }) }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const path = entryPath(dir, key);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([MAGIC, len, header, payload]));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return path;
}
