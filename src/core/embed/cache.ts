import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkpointFiles } from '../checkpoint/files';
import { throwIfAborted } from '../errors';
import { NotRegularFileError, openRegularFile } from '../io/safeFile';
import type { LabelledEmbeddings } from '../types';
import type { DatasetItem } from '../dataset/types';

/**
 * Bump when the entry format or anything that changes the numbers for the same key changes.
 * (2: content-keyed, checksummed. 3: the default output choice ranks outputs and pools token
 * sequences / feature maps, so a model's default embedding may differ from a v2 entry's.)
 */
const CACHE_VERSION = 3;

/** Files hashed at once, and the read size: enough to keep the disk busy without holding many buffers. */
const HASH_CONCURRENCY = 8;
const HASH_CHUNK = 1 << 20;

/**
 * sha256 of a dataset file's bytes, read through openRegularFile (a FIFO or device is not read and
 * hashes as what it is; a missing file as "missing"), at most the size fstat gave.
 */
async function fileContentHash(path: string, buf: Buffer = Buffer.alloc(HASH_CHUNK)): Promise<string> {
  let opened;
  try {
    opened = await openRegularFile(path);
  } catch (err) {
    if (err instanceof NotRegularFileError) return 'not-regular';
    return 'missing';
  }
  const { fh, size } = opened;
  try {
    const h = createHash('sha256');
    let pos = 0;
    while (pos < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return `${size}:${h.digest('hex')}`;
  } finally {
    await fh.close();
  }
}

/** Hashes exactly `bytes` bytes of a file checkpointFiles validated (regular, inside its folder). */
async function hashFile(h: ReturnType<typeof createHash>, file: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  await new Promise<void>((res, rej) => {
    createReadStream(file, { start: 0, end: bytes - 1 })
      .on('data', (c) => h.update(c))
      .on('end', () => res())
      .on('error', rej);
  });
}

/**
 * sha256 over the checkpoint's bytes: the model file, every weight shard (or ONNX external data),
 * embedding-lens.json and a chained head — the files checkpointFiles confines and checks, so a
 * model.json naming /dev/zero or a FIFO is refused instead of hashed for ever.
 */
export async function checkpointHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of await checkpointFiles(file)) {
    h.update(`\0${basename(f.file)}\0`);
    await hashFile(h, f.file, f.bytes);
  }
  return h.digest('hex');
}

/**
 * Identity of the items to embed, by content: path, label and a sha256 of every image file's
 * bytes; for IDX items a sha256 of each IDX file (once) plus the (index, label) pairs. Size and
 * mtime alone miss a file replaced by another of the same size with its mtime restored (rsync -t,
 * cp -p, tar x, a checkout), which gave stale metrics. Measured: 10,000 images of 100 KB (1 GB)
 * hash in 1.2 s from the page cache (stat alone: 0.08 s) — small beside the minutes decoding and
 * embedding them take, and only a cold disk's read speed adds to it — so every byte is hashed
 * rather than sampled blocks that a same-size edit could slip between.
 */
export async function datasetFingerprint(
  items: DatasetItem[],
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<string> {
  const h = createHash('sha256');
  const files = items.filter((it) => !it.idx);
  const digests = new Array<string>(files.length);
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: Math.min(HASH_CONCURRENCY, files.length) }, async () => {
    const buf = Buffer.alloc(HASH_CHUNK);
    while (next < files.length) {
      throwIfAborted(signal);
      const i = next++;
      digests[i] = await fileContentHash(files[i].path, buf);
      if (++done % 256 === 0) onProgress?.(done, files.length);
    }
  });
  await Promise.all(workers);
  throwIfAborted(signal);
  const LINES = 4096;
  for (let i = 0; i < files.length; i += LINES) {
    let text = '';
    for (let k = i; k < Math.min(files.length, i + LINES); k++) text += `${files[k].path}\t${files[k].label}\t${digests[k]}\n`;
    h.update(text);
  }
  // IDX items share one file: hash its content once and the (file, index, label) triples as binary.
  const idxFiles = [...new Set(items.filter((it) => it.idx).map((it) => it.idx!.file))].sort();
  const fileIndex = new Map(idxFiles.map((f, k) => [f, k]));
  const CHUNK = 4096;
  const triples = new Int32Array(CHUNK * 3);
  let m = 0;
  for (const it of items) {
    if (!it.idx) continue;
    triples[m++] = fileIndex.get(it.idx.file)!;
    triples[m++] = it.idx.index;
    triples[m++] = it.label;
    if (m === triples.length) {
      h.update(new Uint8Array(triples.buffer, 0, m * 4));
      m = 0;
    }
  }
  h.update(new Uint8Array(triples.buffer, 0, m * 4));
  for (const f of idxFiles) {
    throwIfAborted(signal);
    h.update(`${f}\t${await fileContentHash(f)}\n`);
  }
  return h.digest('hex');
}

export function cacheKey(parts: { checkpoint: string; dataset: string; settings: unknown }): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: CACHE_VERSION, ...parts }))
    .digest('hex')
    .slice(0, 40);
}

export interface CachedRun {
  embeddings: LabelledEmbeddings;
  backend: string;
  assumptions: string[];
  skipped: { count: number; first: { path: string; reason: string }[] };
  extra?: Record<string, unknown>;
}

interface Meta {
  version: number;
  n: number;
  dim: number;
  classNames: string[];
  paths: string[];
  split?: string[];
  backend: string;
  assumptions: string[];
  skipped: CachedRun['skipped'];
  extra?: Record<string, unknown>;
  /** sha256 of vectors.f32 and labels.i32: a flipped byte that keeps the size is caught on read. */
  sums: { vectors: string; labels: string };
  /** sha256 of this JSON without the field itself: a damaged class name or path is caught too. */
  metaSum?: string;
}

const entryDir = (cacheDir: string, key: string) => join(cacheDir, 'embeddings', key);
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** What reading an entry found: a verified run, nothing, or a damaged entry (with why) that was removed. */
export interface CacheLookup {
  run?: CachedRun;
  /** Set when an entry existed but failed its checks; it has been deleted so the fresh run replaces it. */
  damaged?: string;
}

/**
 * Reads and verifies one entry. Only finished writes are renamed into place, so a missing
 * meta.json is a plain miss; an entry whose bytes do not match its checksums (a bad disk, a
 * truncated copy, an edit) is removed and reported, never used and never blamed on the data.
 */
export async function lookupCache(cacheDir: string, key: string): Promise<CacheLookup> {
  const dir = entryDir(cacheDir, key);
  if (!existsSync(join(dir, 'meta.json'))) return {};
  let damaged: string;
  try {
    const metaText = await readFile(join(dir, 'meta.json'), 'utf8');
    const meta = JSON.parse(metaText) as Meta;
    // An entry of an older format is not damaged, only unreadable here: the fresh run replaces it.
    if (meta.version !== CACHE_VERSION) return {};
    const { metaSum, ...rest } = meta;
    const vec = await readFile(join(dir, 'vectors.f32'));
    const lab = await readFile(join(dir, 'labels.i32'));
    if (metaSum !== sha256(JSON.stringify(rest))) damaged = 'meta.json does not match its checksum';
    else if (vec.length !== meta.n * meta.dim * 4 || sha256(vec) !== meta.sums.vectors) damaged = 'vectors.f32 does not match its checksum';
    else if (lab.length !== meta.n * 4 || sha256(lab) !== meta.sums.labels) damaged = 'labels.i32 does not match its checksum';
    else if (meta.paths.length !== meta.n) damaged = 'meta.json lists the wrong number of paths';
    else {
      const vectors =
        vec.byteOffset % 4 === 0
          ? new Float32Array(vec.buffer, vec.byteOffset, meta.n * meta.dim)
          : new Float32Array(new Uint8Array(vec).buffer);
      const labels =
        lab.byteOffset % 4 === 0 ? new Int32Array(lab.buffer, lab.byteOffset, meta.n) : new Int32Array(new Uint8Array(lab).buffer);
      const embeddings: LabelledEmbeddings = { vectors, n: meta.n, dim: meta.dim, labels, classNames: meta.classNames, paths: meta.paths };
      if (meta.split) embeddings.split = meta.split;
      return { run: { embeddings, backend: meta.backend, assumptions: meta.assumptions, skipped: meta.skipped, extra: meta.extra } };
    }
  } catch (err) {
    damaged = `it cannot be read (${(err as Error).message.split('\n')[0]})`;
  }
  // The entry is the cache's own file, not the user's: removing it lets the fresh run rewrite it.
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  return { damaged: `the embeddings cache entry ${dir} was damaged (${damaged}); dropped and recomputed` };
}

/** The verified entry, or undefined (absent, older format, or damaged and removed). */
export async function readCache(cacheDir: string, key: string): Promise<CachedRun | undefined> {
  return (await lookupCache(cacheDir, key)).run;
}

export async function writeCache(cacheDir: string, key: string, run: CachedRun): Promise<void> {
  const final = entryDir(cacheDir, key);
  const tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    const e = run.embeddings;
    const vec = new Uint8Array(e.vectors.buffer, e.vectors.byteOffset, e.vectors.byteLength);
    const lab = new Uint8Array(e.labels.buffer, e.labels.byteOffset, e.labels.byteLength);
    const meta: Meta = {
      version: CACHE_VERSION,
      n: e.n,
      dim: e.dim,
      classNames: e.classNames,
      paths: e.paths,
      split: e.split,
      backend: run.backend,
      assumptions: run.assumptions,
      skipped: run.skipped,
      extra: run.extra,
      sums: { vectors: sha256(vec), labels: sha256(lab) },
    };
    // Round-tripped so the checksum is over exactly the text a reader re-serialises (undefined fields dropped).
    const body = JSON.parse(JSON.stringify(meta)) as Meta;
    await writeFile(join(tmp, 'vectors.f32'), vec);
    await writeFile(join(tmp, 'labels.i32'), lab);
    // meta.json last: readCache treats its presence as "entry complete".
    await writeFile(join(tmp, 'meta.json'), JSON.stringify({ ...body, metaSum: sha256(JSON.stringify(body)) }));
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Checks that `dir` can hold the cache before any work starts: creates it and writes and removes
 * a probe file. A read-only folder, or a path naming a file, used to fail the run at its very end
 * with a raw EACCES/EEXIST after all the work; now the run goes on without a cache and says so.
 */
export async function usableCacheDir(dir: string): Promise<{ dir?: string; note?: string }> {
  const probe = join(dir, `.probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
    return { dir };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EEXIST' || e.code === 'ENOTDIR'
        ? 'it is not a folder'
        : e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS'
          ? 'it is not writable'
          : e.message.split('\n')[0];
    return {
      note: `cache off for this run: ${dir} cannot hold the cache (${why}${e.code ? `, ${e.code}` : ''}); everything is computed afresh`,
    };
  }
}

/** The CLI's cache folder: $XDG_CACHE_HOME/embedding-lens, else ~/.cache/embedding-lens. (The extension passes its global storage instead.) */
export function defaultCacheDir(): string {
  const { homedir } = require('node:os') as typeof import('node:os');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'embedding-lens');
}
