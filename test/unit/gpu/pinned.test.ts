import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION } from '../../../src/core/gpu/pinned';
import { explainGpuFailure, describeLoaded } from '../../../src/core/gpu/status';
import { tfjsGpuNote } from '../../../src/core/runtime/tfjs';

const repo = join(__dirname, '../../..');

test('the pinned CUDA provider belongs to the onnxruntime-node release package.json pins exactly', () => {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  assert.equal(
    pkg.dependencies['onnxruntime-node'],
    ORT_GPU_VERSION,
    'an exact pin: the provider must match libonnxruntime to the release',
  );
  const installed = JSON.parse(readFileSync(join(repo, 'node_modules/onnxruntime-node/package.json'), 'utf8'));
  assert.equal(installed.version, ORT_GPU_VERSION);
  assert.match(CUDA_PROVIDER_PACKAGE.integrity, /^sha512-[A-Za-z0-9+/]{86}==$/);
  for (const f of CUDA_PROVIDER_PACKAGE.files) assert.match(f.sha512, /^[0-9a-f]{128}$/);
  assert.ok(CUDA_PROVIDER_PACKAGE.url.startsWith('https://'));
});

test('fallback lines name what was missing and how to get it', () => {
  const lib = explainGpuFailure(
    'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library (Failed to load library /x/libonnxruntime_providers_cuda.so with error: libcublasLt.so.13: cannot open shared object file: No such file or directory)',
    '/p/bin/python',
  );
  assert.equal(
    lib,
    "GPU not used — libcublasLt.so.13 (cuBLASLt 13) could not be loaded; install CUDA 13 and cuDNN 9 (NVIDIA's packages), or the wheels: /p/bin/python -m pip install nvidia-cublas. Running on the CPU.",
  );
  assert.match(
    explainGpuFailure('Could not load library libcudnn.so.9: cannot open shared object file'),
    /libcudnn\.so\.9 \(cuDNN 9\).*pip install nvidia-cudnn-cu13/,
  );
  assert.equal(
    explainGpuFailure(
      'Failed to load shared library (Failed to load library /s/1.29.0/libonnxruntime_providers_shared.so with error: /s/1.29.0/libonnxruntime_providers_shared.so: file too short)',
    ),
    'GPU not used — the downloaded libonnxruntime_providers_shared.so could not be loaded (file too short); run "Embedding Lens: Enable GPU" (CLI: embedding-lens gpu enable) again. Running on the CPU.',
  );
  assert.match(explainGpuFailure('CUDA failure 2: out of memory ; GPU=0'), /ran out of memory.*batchSize/);
  assert.match(explainGpuFailure('CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version'), /driver is too old/);
  assert.match(explainGpuFailure('CUDA failure 101: invalid device ordinal'), /embeddingLens\.gpu\.device/);
  assert.match(
    explainGpuFailure('the onnxruntime process was killed by SIGSEGV'),
    /^GPU not used — the CUDA provider failed: the onnxruntime process was killed by SIGSEGV\. Running on the CPU\.$/,
  );
});

test('the loaded-libraries line says which CUDA, cuDNN and provider, and from where', () => {
  const line = describeLoaded(
    {
      'libonnxruntime.so.1': '/s/1.29.0/libonnxruntime.so.1',
      'libonnxruntime_providers_cuda.so': '/s/1.29.0/libonnxruntime_providers_cuda.so',
      'libcudart.so.13': '/v/nvidia/cu13/lib/libcudart.so.13',
      'libcudnn.so.9': '/v/nvidia/cudnn/lib/libcudnn.so.9',
      'libcuda.so.1': '/usr/lib/x86_64-linux-gnu/libcuda.so.1',
    },
    1,
  );
  assert.equal(
    line,
    'GPU: onnxruntime 1.29.0 CUDA provider on device 1 — onnxruntime libonnxruntime.so.1 from /s/1.29.0; CUDA provider libonnxruntime_providers_cuda.so from /s/1.29.0; CUDA runtime libcudart.so.13 from /v/nvidia/cu13/lib; cuDNN libcudnn.so.9 from /v/nvidia/cudnn/lib; driver libcuda.so.1 from /usr/lib/x86_64-linux-gnu',
  );
});

test('tfjs on a GPU machine says plainly why the GPU is not used; without a GPU, or on tfjs-node-gpu, nothing is said', () => {
  const note = tfjsGpuNote(
    'wasm',
    [
      { backend: 'tfjs-node-gpu', reason: 'not installed' },
      { backend: 'tfjs-node', reason: 'not installed' },
    ],
    true,
  );
  assert.match(
    note ?? '',
    /^GPU not used for this tfjs model — tfjs-node-gpu: not installed\. It needs CUDA 11\.2 and cuDNN 8\.1.*ONNX.*Running on wasm\.$/,
  );
  assert.equal(tfjsGpuNote('wasm', [], 'no NVIDIA GPU driver found'), undefined);
  assert.equal(tfjsGpuNote('tfjs-node-gpu', [], true), undefined);
});
