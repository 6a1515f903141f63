import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Absolute path of a worker-thread entry in src/core/workers/<name>.ts.
 * Bundled (extension, CLI), every module's __dirname is dist/, and the worker was built to
 * dist/workers/<name>.js. Run from source (unit tests and benches under tsx), __dirname is this
 * folder and the entry is the .ts file, which startWorker() loads through tsx.
 * EMBEDDING_LENS_WORKER_DIR names a folder of built workers for code bundled elsewhere.
 */
export function workerPath(name: string): string {
  // Code bundled somewhere else (the host tests' bundles) points at the built workers explicitly.
  const override = process.env.EMBEDDING_LENS_WORKER_DIR;
  if (override && existsSync(join(override, `${name}.js`))) return join(override, `${name}.js`);
  const bundled = join(__dirname, 'workers', `${name}.js`);
  if (existsSync(bundled)) return bundled;
  // A worker that starts more workers (UMAP threads) is itself bundled in dist/workers/.
  const sibling = join(__dirname, `${name}.js`);
  if (basename(__dirname) === 'workers' && existsSync(sibling)) return sibling;
  const source = join(__dirname, '..', 'workers', `${name}.ts`);
  if (existsSync(source)) return source;
  throw new Error(`Worker entry "${name}" not found (looked for ${bundled} and ${source})`);
}

/**
 * Starts a worker from an entry name (resolved by workerPath) or an absolute path. Bundled entries
 * (.js) start directly. A TypeScript entry starts through a tiny CommonJS shim that registers tsx
 * first: on Node 20 a worker does not get its parent's `--import tsx` hooks ("Unknown file
 * extension .ts").
 */
export function startWorker(nameOrPath: string, options: WorkerOptions = {}): Worker {
  const path = nameOrPath.includes('/') || nameOrPath.includes('\\') ? nameOrPath : workerPath(nameOrPath);
  if (!path.endsWith('.ts')) return new Worker(path, options);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { ...options, eval: true });
}
