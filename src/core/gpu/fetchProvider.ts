import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { CancelledError, LensError, throwIfAborted } from '../errors';
import { formatBytes, regularFileSize } from '../io/safeFile';
import { writeJsonAtomic } from '../io/outputs';
import { unexpectedEntry, writeDirAtomically } from '../util/atomicDir';
import { packageFile } from '../runtime/packageFile';
import { statOrUndefined } from '../util/paths';
import { CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION, ORT_NODE_FILES, type PinnedPackage } from './pinned';
import { installedRuntime, MANIFEST, runtimeDir, type RuntimeManifest } from './runtimeDir';

const MAX_REDIRECTS = 5;
/** No byte for this long: the connection is dead (a stalled proxy), not slow. */
const STALL_MS = 60_000;

export interface FetchProgress {
  stage: 'download' | 'extract';
  done: number;
  total: number;
}

export interface InstallProviderOptions {
  /** <storage>/onnxruntime-gpu: one folder per onnxruntime version below it. */
  root: string;
  /** The package to fetch; tests inject one served from 127.0.0.1 with their own hashes. */
  pinned?: PinnedPackage;
  /** The onnxruntime version the folder is named after. */
  version?: string;
  /** Folder holding onnxruntime_binding.node and libonnxruntime.so.1 to copy beside the provider (default: the bundled onnxruntime-node's). */
  ortBinDir?: string;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
  /** A copy of the pinned .tgz on disk (an offline machine): checked the same way, nothing downloaded. */
  from?: string;
}

export interface InstallResult {
  dir: string;
  /** False when the folder was already complete (once per version). */
  downloaded: boolean;
}

/** The bundled onnxruntime-node's native folder (addon + libonnxruntime.so.1). */
export function bundledOrtBinDir(): string {
  const addon = packageFile(`onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`);
  return join(addon, '..');
}

/**
 * Downloads the pinned CUDA provider package, checks the tarball against its pinned size and
 * SHA-512 while it streams, extracts only the provider libraries (each checked against its own
 * pinned hash), copies the bundled onnxruntime addon and runtime beside them — onnxruntime loads a
 * provider from the folder libonnxruntime.so.1 was loaded from, and the install folder is never
 * written — and renames the complete folder into <root>/<version>. A folder already complete is
 * kept as is. Cancelled or failed, nothing is left but what was there before.
 */
export async function installProvider(opts: InstallProviderOptions): Promise<InstallResult> {
  const pinned = opts.pinned ?? CUDA_PROVIDER_PACKAGE;
  const version = opts.version ?? ORT_GPU_VERSION;
  const dir = runtimeDir(opts.root, version);
  // The pinned provider is a Linux x64 build; elsewhere onnxruntime-node lists no CUDA provider to pair it with.
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new LensError(`the GPU runtime is built for Linux x64 only; this machine is ${process.platform}/${process.arch}`);
  if (installedRuntime(opts.root, version, pinned) === true) return { dir, downloaded: false };
  const ortBin = opts.ortBinDir ?? bundledOrtBinDir();
  const expected = [...pinned.files.map((f) => f.name), ...ORT_NODE_FILES, MANIFEST];
  // A half-written or stale folder of ours is replaced; anything else under that name is the user's and stays.
  const owned = (d: string) => {
    const extra = unexpectedEntry(d, expected);
    if (extra !== undefined)
      throw new LensError(`holds "${extra}", which Enable GPU did not write; move the folder away to let it install there`, d);
  };
  // Checked before 171 MiB are fetched, and again by the swap.
  if (statOrUndefined(dir)) owned(dir);
  await mkdir(opts.root, { recursive: true });
  await writeDirAtomically(
    dir,
    async (tmp) => {
      const tarball = opts.from ?? join(tmp, 'download.tgz');
      try {
        const onBytes = (done: number) => opts.onProgress?.({ stage: 'download', done, total: pinned.size });
        if (opts.from) await verifyLocalTarball(pinned, opts.from, opts.signal, onBytes);
        else await downloadVerified(pinned, tarball, opts.signal, onBytes);
        opts.onProgress?.({ stage: 'extract', done: 0, total: pinned.files.length });
        await extractPinnedFiles(tarball, pinned, tmp, opts.signal);
      } finally {
        // Only our own download is removed; a file the user pointed at stays where it is.
        if (!opts.from) await rm(tarball, { force: true });
      }
      for (const f of ORT_NODE_FILES) await copyFile(join(ortBin, f), join(tmp, f));
      throwIfAborted(opts.signal);
      const manifest: RuntimeManifest = {
        version,
        source: pinned.url,
        integrity: pinned.integrity,
        files: pinned.files.map((f) => ({ name: f.name, size: f.size, sha512: f.sha512 })),
        installedAt: new Date().toISOString(),
      };
      // Written last: a folder without it is incomplete, whatever else it holds.
      await writeJsonAtomic(join(tmp, MANIFEST), manifest);
      opts.onProgress?.({ stage: 'extract', done: pinned.files.length, total: pinned.files.length });
    },
    owned,
  );
  return { dir, downloaded: true };
}

/** GET with redirects (http and https), resolving with a 200 response; anything else is a LensError naming the URL. */
export function getFollowingRedirects(url: string, signal?: AbortSignal, redirects = MAX_REDIRECTS): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return reject(new LensError(`"${url}" is not a URL`));
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return reject(new LensError(`"${url}" is not an http(s) URL`));
    const req = (parsed.protocol === 'https:' ? httpsGet : httpGet)(
      parsed,
      { signal, headers: { 'user-agent': 'embedding-lens' } },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          if (redirects <= 0) return reject(new LensError(`${url}: too many redirects`));
          return resolve(getFollowingRedirects(new URL(res.headers.location, parsed).toString(), signal, redirects - 1));
        }
        if (status !== 200) {
          res.resume();
          return reject(
            new LensError(
              `${url}: the server answered HTTP ${status}${status === 404 ? ' (not found: the package was removed or the URL is wrong)' : ''}`,
              undefined,
              'E_GPU_DOWNLOAD',
            ),
          );
        }
        resolve(res);
      },
    );
    req.on('error', (err) =>
      reject(signal?.aborted ? new CancelledError() : new LensError(`${url}: ${err.message}`, undefined, 'E_GPU_DOWNLOAD')),
    );
  });
}

/**
 * Streams `pinned.url` into `dest`, hashing as it goes. Refuses a server that announces another
 * size before reading the body, and checks byte count (truncation) and SHA-512 at the end.
 */
export async function downloadVerified(
  pinned: PinnedPackage,
  dest: string,
  signal?: AbortSignal,
  onBytes?: (done: number) => void,
): Promise<void> {
  const res = await getFollowingRedirects(pinned.url, signal);
  const announced = Number(res.headers['content-length']);
  if (Number.isFinite(announced) && res.headers['content-length'] !== undefined && announced !== pinned.size) {
    res.destroy();
    throw new LensError(
      `${pinned.url}: the server announces ${formatBytes(announced)} (${announced} bytes) but the pinned package is ${pinned.size} bytes; refusing a different file`,
      undefined,
      'E_GPU_HASH',
    );
  }
  const hash = createHash('sha512');
  let done = 0;
  const out = createWriteStream(dest);
  let lastByte = performance.now();
  const stall = setInterval(() => {
    if (performance.now() - lastByte > STALL_MS) res.destroy(new Error(`no data for ${STALL_MS / 1000} s`));
  }, 5_000);
  try {
    await pipeline(
      res,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          lastByte = performance.now();
          done += chunk.length;
          if (done > pinned.size)
            throw new LensError(
              `${pinned.url}: more than the pinned ${pinned.size} bytes arrived; refusing a different file`,
              undefined,
              'E_GPU_HASH',
            );
          hash.update(chunk);
          onBytes?.(done);
          yield chunk;
        }
      },
      out,
      { signal },
    );
  } catch (err) {
    if (signal?.aborted) throw new CancelledError();
    if (err instanceof LensError) throw err;
    throw new LensError(
      `${pinned.url}: the download broke off after ${formatBytes(done)} of ${formatBytes(pinned.size)} (${(err as Error).message})`,
      undefined,
      'E_GPU_TRUNCATED',
    );
  } finally {
    clearInterval(stall);
  }
  if (done !== pinned.size) {
    throw new LensError(
      `${pinned.url}: the download ended after ${done} of ${pinned.size} bytes (truncated); try again`,
      undefined,
      'E_GPU_TRUNCATED',
    );
  }
  const integrity = `sha512-${hash.digest('base64')}`;
  if (integrity !== pinned.integrity) {
    throw new LensError(
      `${pinned.url}: SHA-512 ${integrity} does not match the pinned ${pinned.integrity}; the file is not the one this version of Embedding Lens was checked with, so it is not used`,
      undefined,
      'E_GPU_HASH',
    );
  }
}

/** The offline path: a local copy of the package must have the pinned size and SHA-512. */
export async function verifyLocalTarball(
  pinned: PinnedPackage,
  file: string,
  signal?: AbortSignal,
  onBytes?: (done: number) => void,
): Promise<void> {
  const size = await regularFileSize(file, 'the GPU runtime package (.tgz)');
  if (size !== pinned.size)
    throw new LensError(`is ${size} bytes, not the ${pinned.size} of the pinned ${pinned.description}`, file, 'E_GPU_HASH');
  const hash = createHash('sha512');
  let done = 0;
  for await (const chunk of createReadStream(file, { signal }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    done += chunk.length;
    onBytes?.(done);
  }
  const integrity = `sha512-${hash.digest('base64')}`;
  if (integrity !== pinned.integrity)
    throw new LensError(`has SHA-512 ${integrity}, not the pinned ${pinned.integrity}; not used`, file, 'E_GPU_HASH');
}

/**
 * Reads a .tgz once and writes only the pinned entries into `dir` under their plain names, each
 * checked against its pinned size and hash. Handles ustar names (prefix + name), GNU long names and
 * pax `path` records — npm tarballs use the first; the others cost a few lines.
 */
export async function extractPinnedFiles(tarball: string, pinned: PinnedPackage, dir: string, signal?: AbortSignal): Promise<void> {
  const wanted = new Map(pinned.files.map((f) => [f.pathInArchive.replace(/^\.\//, ''), f]));
  const seen = new Set<string>();
  let buf: Buffer = Buffer.alloc(0);
  let body:
    | {
        remaining: number;
        pad: number;
        out?: WriteStream;
        hash?: ReturnType<typeof createHash>;
        file?: (typeof pinned.files)[number];
        longName?: Buffer[];
        pax?: Buffer[];
      }
    | undefined;
  let nextName: string | undefined;

  const finishEntry = async () => {
    const b = body!;
    body = undefined;
    if (b.out && b.file) {
      await new Promise<void>((res, rej) => b.out!.end((err?: Error | null) => (err ? rej(err) : res())));
      const digest = b.hash!.digest('hex');
      if (digest !== b.file.sha512)
        throw new LensError(
          `${pinned.url}: ${b.file.pathInArchive} has SHA-512 ${digest.slice(0, 16)}…, not the pinned ${b.file.sha512.slice(0, 16)}…; not used`,
          undefined,
          'E_GPU_HASH',
        );
      seen.add(b.file.pathInArchive);
    } else if (b.longName) nextName = Buffer.concat(b.longName).toString('utf8').replace(/\0.*$/s, '');
    else if (b.pax) {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(Buffer.concat(b.pax).toString('utf8'));
      if (m) nextName = m[1];
    }
  };

  const gunzip = createGunzip();
  const source = createReadStream(tarball).pipe(gunzip);
  const onAbort = () => source.destroy(new CancelledError());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (body) {
          if (body.remaining > 0) {
            const take = Math.min(body.remaining, buf.length);
            if (take === 0) break;
            const part = buf.subarray(0, take);
            if (body.out) {
              body.hash!.update(part);
              if (!body.out.write(part)) await new Promise<void>((r) => body!.out!.once('drain', () => r()));
            } else if (body.longName) body.longName.push(Buffer.from(part));
            else if (body.pax) body.pax.push(Buffer.from(part));
            body.remaining -= take;
            buf = buf.subarray(take);
            if (body.remaining > 0) break;
          }
          if (buf.length < body.pad) break;
          buf = buf.subarray(body.pad);
          await finishEntry();
          continue;
        }
        if (buf.length < 512) break;
        const header = buf.subarray(0, 512);
        buf = buf.subarray(512);
        if (header.every((x) => x === 0)) continue; // end-of-archive blocks
        const field = (off: number, len: number) =>
          header
            .subarray(off, off + len)
            .toString('utf8')
            .replace(/\0.*$/s, '');
        const size = parseInt(field(124, 12).trim() || '0', 8);
        if (!Number.isFinite(size) || size < 0)
          throw new LensError(`${pinned.url}: not a tar archive (bad entry size)`, undefined, 'E_GPU_HASH');
        const type = field(156, 1) || '0';
        const prefix = field(345, 155);
        let name = nextName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
        nextName = undefined;
        name = name.replace(/^\.\//, '');
        const pad = (512 - (size % 512)) % 512;
        body = { remaining: size, pad };
        if (type === 'L') body.longName = [];
        else if (type === 'x') body.pax = [];
        else if ((type === '0' || type === '\0') && wanted.has(name)) {
          const file = wanted.get(name)!;
          if (size !== file.size)
            throw new LensError(`${pinned.url}: ${name} is ${size} bytes, not the pinned ${file.size}; not used`, undefined, 'E_GPU_HASH');
          body.file = file;
          body.hash = createHash('sha512');
          body.out = createWriteStream(join(dir, file.name), { mode: 0o755 });
        }
      }
    }
  } catch (err) {
    body?.out?.destroy();
    if (signal?.aborted) throw new CancelledError();
    if (err instanceof LensError) throw err;
    throw new LensError(`${pinned.url}: cannot unpack the package (${(err as Error).message})`, undefined, 'E_GPU_HASH');
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (body && body.remaining > 0) {
    body.out?.destroy();
    throw new LensError(
      `${pinned.url}: the package ends inside ${body.file?.pathInArchive ?? 'an entry'} (truncated)`,
      undefined,
      'E_GPU_TRUNCATED',
    );
  }
  const missing = pinned.files.filter((f) => !seen.has(f.pathInArchive));
  if (missing.length)
    throw new LensError(`${pinned.url}: the package holds no ${missing.map((f) => f.pathInArchive).join(', ')}`, undefined, 'E_GPU_HASH');
}
