import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Absolute path of a file an npm package ships that cannot live inside a JavaScript bundle — a
 * native addon, the shared library it loads, a .wasm — named as `<package>/<path in the package>`,
 * e.g. `onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node`.
 *
 * Looks for node_modules/<file> in this module's folder and every folder above it, as Node's own
 * lookup does, but without reading package.json ("main", "exports"): the packaged extension ships
 * only these files under node_modules (the packages' JavaScript is bundled into dist/), so there is
 * no manifest to read. Bundled, __dirname is dist/ or dist/workers/, and the lookup finds the
 * extension's (or the checkout's) node_modules; run from source it starts at src/core/runtime/.
 *
 * A file that is not there throws with code MODULE_NOT_FOUND, as requiring a missing optional
 * package does, so callers that fall back on a missing package treat both alike.
 */
export function packageFile(file: string): string {
  // The GPU runner process (workers/ortRunner.ts) loads onnxruntime's addon from the folder Enable
  // GPU filled, where the CUDA provider sits beside libonnxruntime.so.1; see core/gpu/cudaRunner.ts.
  const ortBin = process.env.EMBEDDING_LENS_ORT_BIN_DIR;
  if (ortBin && file.startsWith('onnxruntime-node/bin/')) {
    const candidate = join(ortBin, basename(file));
    if (existsSync(candidate)) return candidate;
  }
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  const err: NodeJS.ErrnoException = new Error(`Cannot find ${file} in any node_modules folder at or above ${__dirname}`);
  err.code = 'MODULE_NOT_FOUND';
  throw err;
}
