import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readModelJson } from '../checkpoint/tfjsIo';
import { configPathFor } from '../checkpoint/config';
import { throwIfAborted } from '../errors';
import type { LabelledEmbeddings } from '../types';
import type { DatasetItem } from '../dataset/types';

/** Bump when the entry format or anything that changes the numbers for the same key changes. */
const CACHE_VERSION = 1;

async function hashFile(h: ReturnType<typeof createHash>, file: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('end', () => res())
      .on('error', rej);
  });
}

/** sha256 over the checkpoint's bytes: the model file, every weight shard, and embedding-lens.json if present. */
export async function checkpointHash(file: string): Promise<string> {
  const h = createHash('sha256');
  const files = [file];
  if (basename(file).endsWith('.json')) {
    const m = await readModelJson(file);
    for (const g of m.weightsManifest ?? []) for (const p of g.paths ?? []) files.push(resolve(dirname(file), p));
  }
  const cfg = configPathFor(file);
  if (existsSync(cfg)) {
    files.push(cfg);
    // A chained backbone + head: the head's topology and weights are part of the checkpoint too.
    const head = JSON.parse(await readFile(cfg, 'utf8')).head as { model?: string } | undefined;
    if (head?.model) {
      const headJson = resolve(dirname(cfg), head.model);
      files.push(headJson);
      const m = await readModelJson(headJson);
      for (const g of m.weightsManifest ?? []) for (const p of g.paths ?? []) files.push(resolve(dirname(headJson), p));
    }
  }
  for (const f of files) {
    h.update(`\0${basename(f)}\0`);
    await hashFile(h, f);
  }
  return h.digest('hex');
}

/**
 * Identity of the items to embed: path, size and mtime of every image file (stat'ed in parallel
 * chunks), or for IDX items the IDX file's stat plus the indices. Content is not read: a changed
 * file changes its mtime or size.
 */
export async function datasetFingerprint(items: DatasetItem[], signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const statLine = async (p: string) => {
    try {
      const s = await stat(p);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  // IDX items share one file: stat it once and hash (index, label) pairs as binary, no strings.
  const idxFiles = [...new Set(items.filter((it) => it.idx).map((it) => it.idx!.file))].sort();
  const idxStats = await Promise.all(idxFiles.map(statLine));
  const CHUNK = 4096;
  const pairs = new Int32Array(CHUNK * 3);
  for (let i = 0; i < items.length; i += CHUNK) {
    throwIfAborted(signal);
    const chunk = items.slice(i, i + CHUNK);
    const files = chunk.filter((it) => !it.idx);
    const stats = await Promise.all(files.map((it) => statLine(it.path)));
    let text = '';
    files.forEach((it, k) => (text += `${it.path}\t${it.label}\t${stats[k]}\n`));
    h.update(text);
    let m = 0;
    for (const it of chunk) {
      if (!it.idx) continue;
      pairs[m++] = idxFiles.indexOf(it.idx.file);
      pairs[m++] = it.idx.index;
      pairs[m++] = it.label;
    }
    h.update(new Uint8Array(pairs.buffer, 0, m * 4));
  }
  idxFiles.forEach((f, k) => h.update(`${f}\t${idxStats[k]}\n`));
  return h.digest('hex');
}

export function cacheKey(parts: { checkpoint: string; dataset: string; settings: unknown }): string {
  return createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, ...parts })).digest('hex').slice(0, 40);
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
}

const entryDir = (cacheDir: string, key: string) => join(cacheDir, 'embeddings', key);

/** A complete entry or nothing: only finished writes are renamed into place. */
export async function readCache(cacheDir: string, key: string): Promise<CachedRun | undefined> {
  const dir = entryDir(cacheDir, key);
  if (!existsSync(join(dir, 'meta.json'))) return undefined;
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
    if (meta.version !== CACHE_VERSION) return undefined;
    const vec = await readFile(join(dir, 'vectors.f32'));
    const lab = await readFile(join(dir, 'labels.i32'));
    if (vec.length !== meta.n * meta.dim * 4 || lab.length !== meta.n * 4 || meta.paths.length !== meta.n) return undefined;
    const vectors = vec.byteOffset % 4 === 0 ? new Float32Array(vec.buffer, vec.byteOffset, meta.n * meta.dim) : new Float32Array(new Uint8Array(vec).buffer);
    const labels = lab.byteOffset % 4 === 0 ? new Int32Array(lab.buffer, lab.byteOffset, meta.n) : new Int32Array(new Uint8Array(lab).buffer);
    const embeddings: LabelledEmbeddings = { vectors, n: meta.n, dim: meta.dim, labels, classNames: meta.classNames, paths: meta.paths };
    if (meta.split) embeddings.split = meta.split;
    return { embeddings, backend: meta.backend, assumptions: meta.assumptions, skipped: meta.skipped, extra: meta.extra };
  } catch {
    // A damaged entry is a miss; the fresh run rewrites it.
    return undefined;
  }
}

export async function writeCache(cacheDir: string, key: string, run: CachedRun): Promise<void> {
  const final = entryDir(cacheDir, key);
  const tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    const e = run.embeddings;
    const meta: Meta = {
      version: CACHE_VERSION, n: e.n, dim: e.dim, classNames: e.classNames, paths: e.paths, split: e.split,
      backend: run.backend, assumptions: run.assumptions, skipped: run.skipped, extra: run.extra,
    };
    await writeFile(join(tmp, 'vectors.f32'), new Uint8Array(e.vectors.buffer, e.vectors.byteOffset, e.vectors.byteLength));
    await writeFile(join(tmp, 'labels.i32'), new Uint8Array(e.labels.buffer, e.labels.byteOffset, e.labels.byteLength));
    // meta.json last: readCache treats its presence as "entry complete".
    await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta));
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The CLI's cache folder: $XDG_CACHE_HOME/embedding-lens, else ~/.cache/embedding-lens. (The extension passes its global storage instead.) */
export function defaultCacheDir(): string {
  const { homedir } = require('node:os') as typeof import('node:os');
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'embedding-lens');
}
