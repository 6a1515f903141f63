import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION } from '../../../src/core/gpu/pinned';
import { tmp } from '../embed/helpers/make';

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const scratch = () => {
  const d = tmp('lens-gpu-cli-');
  made.push(d);
  return d;
};

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('embedding-lens gpu status: driver, provider, libraries and what Enable GPU would download; JSON on request', () => {
  const dir = scratch();
  const r = cli(['gpu', 'status', '--dir', dir], { EMBEDDING_LENS_NO_GPU: '1' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NVIDIA driver: disabled by EMBEDDING_LENS_NO_GPU$/m);
  assert.match(
    r.stdout,
    new RegExp(
      `CUDA provider \\(onnxruntime ${ORT_GPU_VERSION.replace(/\./g, '\\.')}\\): the CUDA provider for onnxruntime [\\d.]+ is not downloaded`,
    ),
  );
  assert.match(r.stdout, /^ONNX models on the GPU: no — disabled by EMBEDDING_LENS_NO_GPU$/m);
  assert.ok(r.stdout.includes(`Enable GPU downloads 170.8 MiB from ${CUDA_PROVIDER_PACKAGE.url}`));
  const out = join(dir, 'status.json');
  assert.equal(cli(['gpu', 'status', '--dir', dir, '--json', out], { EMBEDDING_LENS_NO_GPU: '1' }).code, 0);
  const json = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(json.download.size, CUDA_PROVIDER_PACKAGE.size);
  assert.equal(json.offerEnable, false);
  assert.ok(Array.isArray(json.libraries.missing));
});

test('embedding-lens gpu: bad usage exits 2; enable --from a file that is not the package is refused and nothing is installed', () => {
  assert.equal(cli(['gpu']).code, 2);
  assert.equal(cli(['gpu', 'status', '--from', 'x']).code, 2);
  assert.equal(cli(['embed', 'm.onnx', 'd', '--gpu', 'maybe']).code, 2);
  const dir = scratch();
  const r = cli(['gpu', 'enable', '--dir', dir, '--from', join(__dirname, 'cli.test.ts')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /cli\.test\.ts: is \d+ bytes, not the 179145956 of the pinned/);
});
