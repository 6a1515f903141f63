import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Absolute path of a worker-thread entry in src/core/workers/<name>.ts.
 * Bundled (extension, CLI), every module's __dirname is dist/, and the worker was built to
 * dist/workers/<name>.js. Run from source (unit tests under tsx), __dirname is this folder and
 * the worker is the .ts file, which tsx compiles because workers inherit process.execArgv.
 */
export function workerPath(name: string): string {
  const bundled = join(__dirname, 'workers', `${name}.js`);
  if (existsSync(bundled)) return bundled;
  // A worker that starts more workers (UMAP threads) is itself bundled in dist/workers/.
  const sibling = join(__dirname, `${name}.js`);
  if (basename(__dirname) === 'workers' && existsSync(sibling)) return sibling;
  const source = join(__dirname, '..', 'workers', `${name}.ts`);
  if (existsSync(source)) return source;
  throw new Error(`Worker entry "${name}" not found (looked for ${bundled} and ${source})`);
}
