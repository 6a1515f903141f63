import { Worker } from 'node:worker_threads';
import { workerPath } from '../util/workerPath';

/**
 * Starts a worker from src/core/workers. Bundled it is plain JS. From source it is a .ts file:
 * on Node 20 a Worker does not get tsx's ESM hooks from an inherited `--import tsx` (the entry
 * fails with "Unknown file extension .ts"), so the worker starts from a tiny CommonJS shim that
 * registers tsx's require hook and then loads the entry.
 */
export function spawnWorker(name: string): Worker {
  const path = workerPath(name);
  if (!path.endsWith('.ts')) return new Worker(path);
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { eval: true });
}
