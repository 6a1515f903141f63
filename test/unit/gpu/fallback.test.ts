// The ONNX loader with the downloaded GPU runtime on a machine without a GPU: every way the GPU
// path can fail ends in a CPU run with one line saying what was missing and how to get it, and the
// model is labelled with what really ran. The NVIDIA driver is a stand-in (EMBEDDING_LENS_FAKE_NVIDIA_SMI
// names a script): no GPU exists here. The "installed" runtime is sparse files of the pinned sizes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../../src/core/checkpoint';
import { CUDA_LIBRARIES, CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION, ORT_NODE_FILES } from '../../../src/core/gpu/pinned';
import { installedRuntime, MANIFEST } from '../../../src/core/gpu/runtimeDir';
import { findCudaLibraries } from '../../../src/core/gpu/libraryPaths';
import { gpuStatus } from '../../../src/core/gpu/status';
import { modelsDir, tmp } from '../embed/helpers/make';

const tiny = join(modelsDir, 'tiny-cnn.onnx');
const work = tmp('lens-gpu-fallback-');
const root = join(work, 'onnxruntime-gpu');
const saved = {
  smi: process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI,
  ld: process.env.LD_LIBRARY_PATH,
  noGpu: process.env.EMBEDDING_LENS_NO_GPU,
};

before(() => {
  const smi = join(work, 'nvidia-smi');
  writeFileSync(smi, '#!/bin/sh\necho "0, Stand-in GPU, 580.00, 81559 MiB"\n');
  chmodSync(smi, 0o755);
  process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI = smi;
  delete process.env.EMBEDDING_LENS_NO_GPU;
  const dir = join(root, ORT_GPU_VERSION);
  mkdirSync(dir, { recursive: true });
  for (const f of CUDA_PROVIDER_PACKAGE.files) {
    writeFileSync(join(dir, f.name), '');
    truncateSync(join(dir, f.name), f.size);
  }
  for (const f of ORT_NODE_FILES) writeFileSync(join(dir, f), '');
  writeFileSync(
    join(dir, MANIFEST),
    JSON.stringify({
      version: ORT_GPU_VERSION,
      source: CUDA_PROVIDER_PACKAGE.url,
      integrity: CUDA_PROVIDER_PACKAGE.integrity,
      files: [],
      installedAt: '',
    }),
  );
});
after(() => {
  // The sparse 230 MB stand-ins and everything else this file made.
  rmSync(work, { recursive: true, force: true });
  for (const [k, v] of [
    ['EMBEDDING_LENS_FAKE_NVIDIA_SMI', saved.smi],
    ['LD_LIBRARY_PATH', saved.ld],
    ['EMBEDDING_LENS_NO_GPU', saved.noGpu],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const input = Float32Array.from({ length: 2 * 64 }, (_, i) => ((i * 5 + 3) % 11) / 11);
async function cpuReference(): Promise<Float32Array> {
  const m = await loadCheckpoint(tiny, { backend: 'cpu' });
  try {
    return Float32Array.from(await m.embed(input, 2));
  } finally {
    await m.dispose();
  }
}

test('the runtime folder counts as installed; status offers nothing more to download and names the stand-in GPU', async () => {
  assert.equal(installedRuntime(root), true);
  const s = await gpuStatus({ mode: 'auto', device: 0, root });
  assert.equal(s.driver, true);
  assert.equal(s.provider, true);
  assert.equal(s.offerEnable, false);
  assert.deepEqual(s.gpus, ['0: Stand-in GPU, driver 580.00, 81559 MiB']);
  const none = await gpuStatus({ mode: 'auto', device: 0, root: join(work, 'empty') });
  assert.equal(none.offerEnable, true, 'a driver without the provider: the moment to offer Enable GPU');
  assert.equal((await gpuStatus({ mode: 'off', device: 0, root: join(work, 'empty') })).offerEnable, false, 'gpu: off never offers');
});

test('CUDA libraries found but the provider does not load: one "GPU not used" line, CPU backend, the same embeddings as a CPU run', async () => {
  // Empty files named like every CUDA library: the search finds them all; loading them fails.
  const libs = join(work, 'fake-cuda');
  mkdirSync(libs, { recursive: true });
  for (const l of CUDA_LIBRARIES) writeFileSync(join(libs, l.soname), '');
  process.env.LD_LIBRARY_PATH = libs;
  assert.deepEqual(findCudaLibraries().missing, []);
  const m = await loadCheckpoint(tiny, { backend: 'auto', gpu: { mode: 'auto', device: 0, root } });
  try {
    assert.equal(m.backend, 'onnxruntime-cpu');
    const lines = m.assumptions.filter((a) => a.startsWith('GPU not used'));
    assert.equal(lines.length, 1, m.assumptions.join('\n'));
    assert.match(lines[0], /could not be loaded.*Running on the CPU\.$/);
    assert.deepEqual(Array.from(await m.embed(input, 2)), Array.from(await cpuReference()));
  } finally {
    await m.dispose();
    delete process.env.LD_LIBRARY_PATH;
  }
});

test('CUDA libraries missing: the line names them and how to get them', async (t) => {
  process.env.LD_LIBRARY_PATH = '';
  const missing = findCudaLibraries().missing;
  if (missing.length === 0) {
    // A machine with the full CUDA 13 + cuDNN 9 stack installed has nothing missing to report.
    t.diagnostic('CUDA 13 and cuDNN 9 are installed on this machine; the missing-library line cannot be produced here');
    return;
  }
  const m = await loadCheckpoint(tiny, { backend: 'auto', gpu: { mode: 'auto', device: 0, root, python: '/home/u/.venv/bin/python' } });
  try {
    assert.equal(m.backend, 'onnxruntime-cpu');
    const line = m.assumptions.find((a) => a.startsWith('GPU not used'));
    assert.ok(line, m.assumptions.join('\n'));
    for (const l of missing) assert.ok(line.includes(l.soname), `${l.soname} named in: ${line}`);
    assert.match(line, /\/home\/u\/\.venv\/bin\/python -m pip install nvidia-/);
  } finally {
    await m.dispose();
  }
});

test('gpu: off — no GPU attempt, and the reason is the setting', async () => {
  const m = await loadCheckpoint(tiny, { backend: 'auto', gpu: { mode: 'off', device: 0, root } });
  try {
    assert.equal(m.backend, 'onnxruntime-cpu');
    assert.ok(!m.assumptions.some((a) => a.startsWith('GPU not used')));
    assert.ok(
      (m.runtimeNotes ?? []).some((n) => /turned off by the embeddingLens\.gpu\.mode setting/.test(n)),
      (m.runtimeNotes ?? []).join('\n'),
    );
  } finally {
    await m.dispose();
  }
});

test('driver present, runtime not downloaded: the notes say so and how to enable it', async () => {
  const m = await loadCheckpoint(tiny, { backend: 'auto', gpu: { mode: 'auto', device: 0, root: join(work, 'nothing-here') } });
  try {
    assert.equal(m.backend, 'onnxruntime-cpu');
    // With a driver present the CPU run is news: in the notes, not behind "details".
    assert.ok(
      m.assumptions.some((n) => /not downloaded.*Enable GPU.*embedding-lens gpu enable/.test(n)),
      m.assumptions.join('\n'),
    );
    assert.ok(!(m.runtimeNotes ?? []).some((n) => /not downloaded/.test(n)));
  } finally {
    await m.dispose();
  }
});
