import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from workerPath()'s result. Bundled entries (.js) start directly. A TypeScript
 * entry (running from source under tsx: tests, benches) starts through a small CommonJS shim that
 * registers tsx first — on Node 20 a worker does not get the `--import tsx` hooks of its parent.
 */
export function startWorker(path: string, options: WorkerOptions = {}): Worker {
  if (!path.endsWith('.ts')) return new Worker(path, options);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { ...options, eval: true });
}
