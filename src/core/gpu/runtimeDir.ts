import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { statOrUndefined } from '../util/paths';
import { CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION, ORT_NODE_FILES, type PinnedPackage } from './pinned';

/** Written last into a runtime folder: its presence means the folder is complete. */
export const MANIFEST = 'embedding-lens-gpu.json';

export interface RuntimeManifest {
  version: string;
  source: string;
  integrity: string;
  files: { name: string; size: number; sha512: string }[];
  installedAt: string;
}

/** <root>/<version>: the provider libraries beside a copy of onnxruntime-node's addon and runtime. */
export function runtimeDir(root: string, version = ORT_GPU_VERSION): string {
  return join(root, version);
}

/**
 * `true` when <root>/<version> holds a complete runtime for the pinned package (manifest written
 * by installProvider naming the same hashes, every file present at its pinned size), else why
 * not — in words for the user. Sizes only: hashing 230 MB on every inspection would cost a second;
 * the hashes were checked when the files were written.
 */
export function installedRuntime(root: string, version = ORT_GPU_VERSION, pinned: PinnedPackage = CUDA_PROVIDER_PACKAGE): true | string {
  const dir = runtimeDir(root, version);
  if (!statOrUndefined(dir)?.isDirectory()) return `the CUDA provider for onnxruntime ${version} is not downloaded (no ${dir})`;
  let manifest: RuntimeManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as RuntimeManifest;
  } catch {
    return `${dir} is incomplete (no ${MANIFEST})`;
  }
  if (manifest.version !== version || manifest.integrity !== pinned.integrity)
    return `${dir} holds a build other than the pinned ${pinned.description}`;
  for (const f of pinned.files) {
    const st = statOrUndefined(join(dir, f.name));
    if (!st?.isFile() || st.size !== f.size) return `${join(dir, f.name)} is missing or damaged`;
  }
  for (const f of ORT_NODE_FILES) if (!statOrUndefined(join(dir, f))?.isFile()) return `${join(dir, f)} is missing`;
  return true;
}
