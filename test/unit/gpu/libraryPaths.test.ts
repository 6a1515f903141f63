// The CUDA/cuDNN library search on fake trees: every path is looked up below a temp root, so the
// system, conda and pip layouts are made here with empty files named like the real libraries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { candidateDirs, findCudaLibraries, howToGetLibraries } from '../../../src/core/gpu/libraryPaths';
import { CUDA_LIBRARIES } from '../../../src/core/gpu/pinned';
import { tmp } from '../embed/helpers/make';

function touch(root: string, dir: string, ...names: string[]) {
  mkdirSync(join(root, dir), { recursive: true });
  for (const n of names) writeFileSync(join(root, dir, n), '');
}
const ALL = CUDA_LIBRARIES.map((l) => l.soname);
const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fakeRoot = () => {
  const d = tmp('lens-libs-');
  made.push(d);
  return d;
};

test('a system CUDA toolkit + cuDNN: everything found, the folders become the library path', () => {
  const root = fakeRoot();
  touch(root, '/usr/local/cuda/lib64', 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10');
  touch(root, '/usr/lib/x86_64-linux-gnu', 'libcudnn.so.9');
  const r = findCudaLibraries({ root, env: {}, home: '/home/u' });
  assert.deepEqual(r.missing, []);
  assert.equal(r.found['libcudart.so.13'], '/usr/local/cuda/lib64/libcudart.so.13');
  assert.equal(r.found['libcudnn.so.9'], '/usr/lib/x86_64-linux-gnu/libcudnn.so.9');
  assert.deepEqual(r.dirs, ['/usr/local/cuda/lib64', '/usr/lib/x86_64-linux-gnu']);
});

test("the selected Python interpreter's nvidia-* wheels (CUDA 13 layout: nvidia/cu13/lib, nvidia/cudnn/lib) come before the system", () => {
  const root = fakeRoot();
  const site = '/home/u/proj/.venv/lib/python3.12/site-packages';
  touch(root, `${site}/nvidia/cu13/lib`, 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13', 'libcurand.so.10');
  touch(root, `${site}/nvidia/cudnn/lib`, 'libcudnn.so.9');
  touch(root, '/usr/local/cuda/lib64', 'libcudart.so.13');
  const r = findCudaLibraries({ root, env: {}, home: '/home/u', python: '/home/u/proj/.venv/bin/python' });
  assert.deepEqual(r.missing, []);
  assert.equal(r.found['libcudart.so.13'], `${site}/nvidia/cu13/lib/libcudart.so.13`);
  assert.deepEqual([...r.dirs].sort(), [`${site}/nvidia/cu13/lib`, `${site}/nvidia/cudnn/lib`]);
  assert.ok(!r.dirs.includes('/usr/local/cuda/lib64'), 'the system copy is not needed once the wheels have everything');
});

test('conda: the active environment (CONDA_PREFIX) and other environments under ~/miniconda3/envs', () => {
  const root = fakeRoot();
  touch(root, '/opt/envs/torch/lib', 'libcudart.so.13', 'libcublas.so.13', 'libcublasLt.so.13');
  touch(root, '/home/u/miniconda3/envs/cv/lib', 'libcurand.so.10', 'libcudnn.so.9');
  const r = findCudaLibraries({ root, env: { CONDA_PREFIX: '/opt/envs/torch' }, home: '/home/u' });
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.dirs, ['/opt/envs/torch/lib', '/home/u/miniconda3/envs/cv/lib']);
});

test('LD_LIBRARY_PATH is searched first; CUDA_HOME and versioned /usr/local/cuda-13.x too', () => {
  const root = fakeRoot();
  touch(root, '/mine/lib', 'libcudnn.so.9');
  touch(root, '/usr/lib/x86_64-linux-gnu', 'libcudnn.so.9');
  touch(root, '/opt/cuda/lib64', 'libcudart.so.13');
  touch(root, '/usr/local/cuda-13.1/lib64', 'libcublas.so.13', 'libcublasLt.so.13');
  touch(root, '/usr/local/cuda-12.4/lib64', 'libcublas.so.12');
  const r = findCudaLibraries({ root, env: { LD_LIBRARY_PATH: '/mine/lib:relative/ignored', CUDA_HOME: '/opt/cuda' }, home: '/home/u' });
  assert.equal(r.found['libcudnn.so.9'], '/mine/lib/libcudnn.so.9');
  assert.equal(r.found['libcudart.so.13'], '/opt/cuda/lib64/libcudart.so.13');
  assert.equal(r.found['libcublas.so.13'], '/usr/local/cuda-13.1/lib64/libcublas.so.13');
  assert.deepEqual(
    r.missing.map((l) => l.soname),
    ['libcurand.so.10'],
  );
  assert.ok(
    !candidateDirs({ root, env: { LD_LIBRARY_PATH: 'relative/ignored' }, home: '/h' }).includes('relative/ignored'),
    'relative entries are not searched',
  );
});

test('CUDA 12 libraries do not count for this CUDA 13 build; missing ones are named with the wheels that carry them', () => {
  const root = fakeRoot();
  touch(root, '/usr/local/cuda/lib64', 'libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcurand.so.10');
  const r = findCudaLibraries({ root, env: {}, home: '/home/u' });
  assert.deepEqual(
    r.missing.map((l) => l.soname),
    ALL.filter((s) => s !== 'libcurand.so.10'),
  );
  assert.ok(r.searched.includes('/usr/local/cuda/lib64'));
  const how = howToGetLibraries(r.missing, '/home/u/.venv/bin/python');
  assert.match(how, /\/home\/u\/\.venv\/bin\/python -m pip install nvidia-cuda-runtime nvidia-cublas nvidia-cudnn-cu13/);
});

test('an empty machine: everything missing, nothing on the library path', () => {
  const r = findCudaLibraries({ root: fakeRoot(), env: {}, home: '/home/u' });
  assert.deepEqual(
    r.missing.map((l) => l.soname),
    ALL,
  );
  assert.deepEqual(r.dirs, []);
});
