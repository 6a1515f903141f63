// The GPU runtime in a real extension host (issue #18), on a machine without a GPU. The NVIDIA
// driver is a stand-in: EMBEDDING_LENS_FAKE_NVIDIA_SMI names a script that prints what nvidia-smi
// would — no GPU exists here, and this is the one part of the flow that cannot be real. Enable GPU
// downloads from a loopback HTTP server in this test (a generated package with its own hashes);
// nothing leaves the machine. The runner process, its library search and the CPU fallback are real.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { makeProductImages } from '../../../src/demo';
import type { InspectionRun } from '../../../src/core/inspect/pipeline';
import { CUDA_LIBRARIES, CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION, type PinnedPackage } from '../../../src/core/gpu/pinned';
import { MANIFEST } from '../../../src/core/gpu/runtimeDir';
import { outputChannelLog } from './helpers/extension';
import { clearNotifications, waitForNotification } from './helpers/notifications';
import { harness } from './helpers/runner';
import { closeAllEditors } from './helpers/webview';
import { waitFor } from './helpers/wait';
import { workspaceDir } from './helpers/workspace';

describe('GPU runtime (Enable GPU, offer and CPU fallback)', function () {
  this.timeout(300_000);
  const dir = join(workspaceDir(), 'gpu');
  let onnx: string;
  let server: Server | undefined;
  let runtimeDir: string | undefined;
  const saved = { smi: process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI, ld: process.env.LD_LIBRARY_PATH };

  before(async () => {
    mkdirSync(dir, { recursive: true });
    onnx = join(dir, 'tiny-cnn.onnx');
    copyFileSync(join(harness().extensionPath, 'test/fixtures/models/tiny-cnn.onnx'), onnx);
    const smi = join(dir, 'nvidia-smi');
    writeFileSync(smi, '#!/bin/sh\necho "0, Stand-in GPU, 580.00, 81559 MiB"\n');
    chmodSync(smi, 0o755);
    process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI = smi;
  });
  after(() => {
    server?.closeAllConnections();
    server?.close();
    // The runtime folder this suite had Enable GPU write: ours to remove.
    if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
    for (const [k, v] of [
      ['EMBEDDING_LENS_FAKE_NVIDIA_SMI', saved.smi],
      ['LD_LIBRARY_PATH', saved.ld],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterEach(closeAllEditors);

  const inspect = async (name: string): Promise<InspectionRun> => {
    // A dataset of its own for each run: no embeddings cache hit hides what this run did.
    const dataset = (await makeProductImages(join(dir, name), { classes: 3, perClass: 6, size: 32 })).root;
    const run = await vscode.commands.executeCommand<InspectionRun | undefined>('embeddingLens.inspect', vscode.Uri.file(onnx), {
      dataset,
    });
    assert.ok(run && !run.cancelled, 'the inspection ran');
    return run;
  };

  it('driver present, CUDA provider not downloaded: the run is on the CPU, the panel says why, the log and a notification offer Enable GPU', async () => {
    await clearNotifications();
    const run = await inspect('offer');
    assert.equal(run.data.backend, 'onnxruntime-cpu');
    const said = [...(run.data.notes ?? []), ...(run.data.details ?? [])];
    assert.ok(
      said.some((n) => /CUDA provider for onnxruntime [\d.]+ is not downloaded .*Enable GPU/.test(n)),
      said.join('\n'),
    );
    const offer = await waitForNotification('the Enable GPU offer', (t) => t.includes('NVIDIA GPU, but ONNX models ran on the CPU'));
    assert.match(offer, /GPU runtime is not downloaded \(170\.8 MiB\)/);
    await waitFor('the offer in the log', () =>
      outputChannelLog().includes("GPU: an NVIDIA driver is present but onnxruntime's CUDA provider is not downloaded") ? true : undefined,
    );
    await clearNotifications();
  });

  it('Enable GPU fetches the pinned package (loopback server here), checks it and installs it into global storage', async () => {
    // A package laid out like the real one, with this test's own hashes injected as the pin.
    const src = join(dir, 'pkg-src', 'package/Plugins/Linux/x64');
    mkdirSync(src, { recursive: true });
    const cuda = Buffer.alloc(70_001, 7);
    const shared = Buffer.from('bridge'.repeat(100));
    writeFileSync(join(src, 'libonnxruntime_providers_cuda.so'), cuda);
    writeFileSync(join(src, 'libonnxruntime_providers_shared.so'), shared);
    const tgzFile = join(dir, 'pkg.tgz');
    execFileSync('tar', ['czf', tgzFile, '-C', join(dir, 'pkg-src'), 'package']);
    const tgz = readFileSync(tgzFile);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': tgz.length });
      res.end(tgz);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const hex = (b: Buffer) => createHash('sha512').update(b).digest('hex');
    const pinned: PinnedPackage = {
      description: 'fixture',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pkg.tgz`,
      size: tgz.length,
      integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
      files: [
        {
          pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so',
          name: 'libonnxruntime_providers_shared.so',
          size: shared.length,
          sha512: hex(shared),
        },
        {
          pathInArchive: 'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so',
          name: 'libonnxruntime_providers_cuda.so',
          size: cuda.length,
          sha512: hex(cuda),
        },
      ],
    };
    runtimeDir = await vscode.commands.executeCommand<string | undefined>('embeddingLens.enableGpu', { yes: true, pinned });
    assert.ok(runtimeDir, 'the command returns the runtime folder');
    assert.equal(runtimeDir.split('/').slice(-2).join('/'), `onnxruntime-gpu/${ORT_GPU_VERSION}`);
    assert.ok(!runtimeDir.startsWith(harness().extensionPath), 'never into the install folder');
    assert.deepEqual(
      readdirSync(runtimeDir).sort(),
      [
        MANIFEST,
        'libonnxruntime.so.1',
        'libonnxruntime_providers_cuda.so',
        'libonnxruntime_providers_shared.so',
        'onnxruntime_binding.node',
      ].sort(),
    );
    assert.deepEqual(readFileSync(join(runtimeDir, 'libonnxruntime_providers_cuda.so')), cuda);
    await waitFor('the install in the log', () =>
      outputChannelLog().includes(`Enable GPU: installed in ${runtimeDir}`) ? true : undefined,
    );
    await waitForNotification('the success message', (t) => t.includes('GPU runtime installed'));
    await clearNotifications();
  });

  it('runtime installed but the provider cannot load: one "GPU not used" line in the panel, the run on the CPU', async () => {
    assert.ok(runtimeDir && existsSync(runtimeDir), 'the previous test installed the runtime');
    // Turn the fixture install into what the real pin describes (sparse files of the pinned sizes):
    // the extension now takes it for the real provider and starts the runner process with it.
    for (const f of CUDA_PROVIDER_PACKAGE.files) {
      writeFileSync(join(runtimeDir, f.name), '');
      truncateSync(join(runtimeDir, f.name), f.size);
    }
    writeFileSync(
      join(runtimeDir, MANIFEST),
      JSON.stringify({
        version: ORT_GPU_VERSION,
        source: CUDA_PROVIDER_PACKAGE.url,
        integrity: CUDA_PROVIDER_PACKAGE.integrity,
        files: [],
        installedAt: '',
      }),
    );
    // Empty files named like every CUDA library, first on the library path: the search finds them, the loader refuses them.
    const libs = join(dir, 'fake-cuda');
    mkdirSync(libs, { recursive: true });
    for (const l of CUDA_LIBRARIES) writeFileSync(join(libs, l.soname), '');
    process.env.LD_LIBRARY_PATH = libs;
    const run = await inspect('fallback');
    assert.equal(run.data.backend, 'onnxruntime-cpu', 'labelled with what ran');
    const lines = (run.data.notes ?? []).filter((n) => n.startsWith('GPU not used'));
    assert.equal(lines.length, 1, (run.data.notes ?? []).join('\n'));
    assert.match(lines[0], /could not be loaded.*Running on the CPU\.$/);
    assert.ok(run.data.items && run.data.items.n === 18, 'every image embedded on the CPU');
    await waitFor('the fallback in the log', () => (outputChannelLog().includes('note: GPU not used') ? true : undefined));
    assert.ok(dirname(runtimeDir).endsWith('onnxruntime-gpu'));
  });

  it('embeddingLens.gpu.mode and gpu.device read side by side; gpu.mode off keeps ONNX on the CPU and says it was the setting', async () => {
    const c = () => vscode.workspace.getConfiguration('embeddingLens');
    assert.equal(c().get('gpu.mode'), 'auto');
    assert.equal(c().get('gpu.device'), 0);
    await c().update('gpu.device', 1, vscode.ConfigurationTarget.Global);
    await c().update('gpu.mode', 'off', vscode.ConfigurationTarget.Global);
    try {
      assert.equal(c().get('gpu.device'), 1);
      assert.equal(c().get('gpu.mode'), 'off');
      const run = await inspect('off');
      assert.equal(run.data.backend, 'onnxruntime-cpu');
      const said = [...(run.data.notes ?? []), ...(run.data.details ?? [])];
      assert.ok(
        said.some((n) => /turned off by the embeddingLens\.gpu\.mode setting/.test(n)),
        said.join('\n'),
      );
      assert.ok(!said.some((n) => n.startsWith('GPU not used')), 'no GPU attempt, so no fallback line');
    } finally {
      await c().update('gpu.device', undefined, vscode.ConfigurationTarget.Global);
      await c().update('gpu.mode', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
