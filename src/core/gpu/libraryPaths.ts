import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { statOrUndefined } from '../util/paths';
import { CUDA_LIBRARIES, type CudaLibrary } from './pinned';

export interface LibrarySearchInput {
  /** Prepended to every absolute path searched: "/" on a real machine, a fake tree in tests. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** A Python interpreter whose environment's nvidia-* wheels are searched (the Python extension's selection). */
  python?: string;
  libraries?: readonly CudaLibrary[];
}

export interface LibrarySearch {
  /** soname → the file found (without `root`), in the order of `libraries`. */
  found: Record<string, string>;
  missing: CudaLibrary[];
  /** The folders that hold the found libraries, in search order: the child's LD_LIBRARY_PATH. */
  dirs: string[];
  /** Every folder looked in (without `root`), for the message when something is missing. */
  searched: string[];
}

/** Folders named like <base>/<pattern> where pattern has one `*` segment, newest-looking names first. */
function globDirs(root: string, base: string, rest: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(root, base));
  } catch {
    return [];
  }
  return names.sort((a, b) => b.localeCompare(a, undefined, { numeric: true })).map((n) => join(base, n, rest));
}

/** site-packages folders of the environment an interpreter belongs to (venv, conda or system prefix). */
function sitePackages(root: string, python: string): string[] {
  // <prefix>/bin/python3 → <prefix>; the interpreter path is not resolved, so a venv's symlink keeps its venv.
  const prefix = dirname(dirname(python));
  return ['lib', 'lib64'].flatMap((lib) =>
    globDirs(root, join(prefix, lib), 'site-packages').filter((d) => basename(dirname(d)).startsWith('python')),
  );
}

/**
 * The candidate folders, most specific first: what the user put on LD_LIBRARY_PATH, the selected
 * Python environment's nvidia-* wheels (nvidia/<pkg>/lib; CUDA 13 wheels share nvidia/cu13/lib),
 * the active conda environment, CUDA_HOME/CUDA_PATH, the toolkit's default places, the system
 * library folders, then other conda environments and the user's pip --user site.
 */
export function candidateDirs(input: LibrarySearchInput = {}): string[] {
  const root = input.root ?? '/';
  const env = input.env ?? process.env;
  const home = input.home ?? homedir();
  const out: string[] = [];
  const add = (...dirs: string[]) => out.push(...dirs.filter((d) => isAbsolute(d)));
  add(...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean));
  const wheelsIn = (site: string) => globDirs(root, join(site, 'nvidia'), 'lib');
  if (input.python) {
    add(...sitePackages(root, input.python).flatMap(wheelsIn));
    add(join(dirname(dirname(input.python)), 'lib'));
  }
  if (env.CONDA_PREFIX)
    add(join(env.CONDA_PREFIX, 'lib'), ...sitePackages(root, join(env.CONDA_PREFIX, 'bin', 'python')).flatMap(wheelsIn));
  if (env.VIRTUAL_ENV) add(...sitePackages(root, join(env.VIRTUAL_ENV, 'bin', 'python')).flatMap(wheelsIn));
  for (const v of [env.CUDA_HOME, env.CUDA_PATH]) if (v) add(join(v, 'lib64'), join(v, 'lib'));
  add('/usr/local/cuda/lib64', ...globDirs(root, '/usr/local', 'lib64').filter((d) => basename(dirname(d)).startsWith('cuda-')));
  add('/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu');
  for (const conda of ['miniconda3', 'anaconda3', 'miniforge3', 'mambaforge'].map((c) => join(home, c)).concat('/opt/conda')) {
    add(join(conda, 'lib'), ...globDirs(root, join(conda, 'envs'), 'lib'));
  }
  add(...globDirs(root, join(home, '.local', 'lib'), 'site-packages').flatMap(wheelsIn));
  return [...new Set(out)];
}

/**
 * Finds each CUDA library the provider needs, by its exact soname (what the loader asks for), in the
 * first candidate folder that has it. Pure over `root`, so tests run it on fake trees.
 */
export function findCudaLibraries(input: LibrarySearchInput = {}): LibrarySearch {
  const root = input.root ?? '/';
  const libs = input.libraries ?? CUDA_LIBRARIES;
  const searched = candidateDirs(input);
  const found: Record<string, string> = {};
  const used = new Set<string>();
  for (const lib of libs) {
    for (const dir of searched) {
      const st = statOrUndefined(join(root, dir, lib.soname));
      if (st?.isFile()) {
        found[lib.soname] = join(dir, lib.soname);
        used.add(dir);
        break;
      }
    }
  }
  return { found, missing: libs.filter((l) => !found[l.soname]), dirs: searched.filter((d) => used.has(d)), searched };
}

/** "how to get it" for missing libraries: the pip wheels (into the selected environment) or the toolkit. */
export function howToGetLibraries(missing: readonly CudaLibrary[], python?: string): string {
  const wheels = [...new Set(missing.map((l) => l.wheel))].join(' ');
  const pip = python ? `${python} -m pip install ${wheels}` : `pip install ${wheels}`;
  return `install CUDA 13 and cuDNN 9 (NVIDIA's packages), or the wheels: ${pip}`;
}
