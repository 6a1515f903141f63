import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectOrtProviders, selectTfjsBackend, tfjsCandidates, isBackendSetting } from '../../../src/core/runtime/select';
import { initTfjs } from '../../../src/core/runtime/tfjs';
import { ortSessionPlan, loadOrt, probeOrt } from '../../../src/core/runtime/onnx';
import { cpuCount } from '../../../src/core/runtime/device';

const all = { 'tfjs-node-gpu': true, 'tfjs-node': true, wasm: true, cpu: true } as const;

test('auto picks tfjs-node-gpu when CUDA tfjs loads (GPU machine, injected availability)', () => {
  const s = selectTfjsBackend('auto', { ...all });
  assert.equal(s.chosen, 'tfjs-node-gpu');
  assert.deepEqual(s.skipped, []);
});

test('auto falls back tfjs-node-gpu → tfjs-node → wasm → cpu, reporting why each was skipped', () => {
  assert.equal(selectTfjsBackend('auto', { ...all, 'tfjs-node-gpu': 'no NVIDIA GPU driver found' }).chosen, 'tfjs-node');
  const s = selectTfjsBackend('auto', { 'tfjs-node-gpu': 'not installed', 'tfjs-node': 'not installed', wasm: true, cpu: true });
  assert.equal(s.chosen, 'wasm');
  assert.deepEqual(s.skipped, [
    { backend: 'tfjs-node-gpu', reason: 'not installed' },
    { backend: 'tfjs-node', reason: 'not installed' },
  ]);
  assert.equal(selectTfjsBackend('auto', { 'tfjs-node-gpu': 'x', 'tfjs-node': 'x', wasm: 'no .wasm', cpu: true }).chosen, 'cpu');
});

test('a forced backend starts the chain there and never climbs to a faster one', () => {
  assert.deepEqual(tfjsCandidates('wasm'), ['wasm', 'cpu']);
  assert.equal(selectTfjsBackend('tfjs-node', { ...all }).chosen, 'tfjs-node');
  assert.equal(selectTfjsBackend('cpu', { ...all }).chosen, 'cpu');
  assert.ok(isBackendSetting('auto') && isBackendSetting('wasm') && !isBackendSetting('gpu'));
});

test('ONNX: CUDA provider first when a GPU and the provider exist, else CPU with the reason', () => {
  assert.deepEqual(selectOrtProviders('auto', { cudaProvider: true, gpu: true }).providers, ['cuda', 'cpu']);
  const noGpu = selectOrtProviders('auto', { cudaProvider: true, gpu: 'no NVIDIA GPU driver found' });
  assert.deepEqual(noGpu.providers, ['cpu']);
  assert.deepEqual(noGpu.skipped, [{ backend: 'cuda', reason: 'no NVIDIA GPU driver found' }]);
  const noLib = selectOrtProviders('auto', { cudaProvider: 'CUDA provider library not installed', gpu: true });
  assert.equal(noLib.chosen, 'cpu');
  assert.equal(noLib.skipped[0].reason, 'CUDA provider library not installed');
  assert.deepEqual(selectOrtProviders('wasm', { cudaProvider: true, gpu: true }).providers, ['cpu'], '"wasm"/"cpu" keep ONNX on the CPU');
});

test('onnxruntime session options: all cores, full graph optimisation', () => {
  const plan = ortSessionPlan('auto', { cudaProvider: 'none', gpu: 'none' });
  assert.equal(plan.options.intraOpNumThreads, cpuCount());
  assert.equal(plan.options.graphOptimizationLevel, 'all');
  assert.deepEqual(plan.options.executionProviders, ['cpu']);
  const gpu = ortSessionPlan('auto', { cudaProvider: true, gpu: true }, 3);
  assert.deepEqual(gpu.options.executionProviders, [{ name: 'cuda', deviceId: 0 }, 'cpu']);
  assert.equal(gpu.options.intraOpNumThreads, 3);
  // embeddingLens.gpu.device picks the card on a multi-GPU machine.
  assert.deepEqual(ortSessionPlan('auto', { cudaProvider: true, gpu: true }, 3, false, 2).options.executionProviders, [
    { name: 'cuda', deviceId: 2 },
    'cpu',
  ]);
});

const installed = (p: string) => {
  try {
    require.resolve(p);
    return true;
  } catch {
    return false;
  }
};

test('the real probe: missing native tfjs packages are skipped with a reason and the engine reports what runs', async () => {
  const probe = probeOrt(loadOrt());
  const rt = await initTfjs('auto');
  assert.equal(rt.tf.getBackend(), rt.backend === 'tfjs-node' || rt.backend === 'tfjs-node-gpu' ? 'tensorflow' : rt.backend);
  for (const s of rt.skipped) assert.ok(s.reason.length > 0);
  if (!installed('@tensorflow/tfjs-node-gpu') && !installed('@tensorflow/tfjs-node')) {
    // npm skipped their install scripts (MODULE_NOT_FOUND): the normal case on these machines.
    assert.equal(rt.backend, 'wasm');
    assert.deepEqual(
      rt.skipped.map((s) => s.backend),
      ['tfjs-node-gpu', 'tfjs-node'],
    );
  }
  assert.ok(probe.gpu === true || typeof probe.gpu === 'string');
});

test('probeOrt: a bundled CUDA provider counts as present; none listed, or its library missing, gives the reason', () => {
  const fake = (list: { name: string; bundled: boolean }[]) =>
    ({ listSupportedBackends: () => list }) as unknown as ReturnType<typeof loadOrt>;
  assert.equal(
    probeOrt(
      fake([
        { name: 'cpu', bundled: true },
        { name: 'cuda', bundled: true },
      ]),
    ).cudaProvider,
    true,
  );
  assert.match(String(probeOrt(fake([{ name: 'cpu', bundled: true }])).cudaProvider), /lists no CUDA provider/);
  // Here the CUDA provider is listed but unbundled and its install script did not run.
  const real = probeOrt(loadOrt());
  if (real.cudaProvider !== true) assert.match(real.cudaProvider, /CUDA provider/);
});
