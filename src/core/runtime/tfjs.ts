import { dirname } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { BackendSetting, TfjsBackend, Availability, Selection, selectTfjsBackend, tfjsCandidates } from './select';
import { probeGpu } from './device';
import { packageFile } from './packageFile';

export type Tf = typeof tfTypes;

export interface TfjsRuntime {
  tf: Tf;
  backend: TfjsBackend;
  skipped: Selection<TfjsBackend>['skipped'];
}

const NATIVE_PACKAGE: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

let current: Promise<TfjsRuntime> | undefined;
let currentSetting: BackendSetting | undefined;

/**
 * Loads tfjs on the fastest backend the setting allows and reports which one ran. The native
 * packages are optional dependencies whose install script often did not run: requiring them
 * then throws MODULE_NOT_FOUND (or a missing .so), which here only means "try the next one".
 * The process has one tfjs engine, so the first call's choice holds for later calls with the same setting.
 */
export function initTfjs(setting: BackendSetting = 'auto'): Promise<TfjsRuntime> {
  if (!current || currentSetting !== setting) {
    currentSetting = setting;
    current = load(setting);
  }
  return current;
}

async function load(setting: BackendSetting): Promise<TfjsRuntime> {
  const available: Partial<Availability<TfjsBackend>> = {};
  let tf: Tf | undefined;
  for (const b of tfjsCandidates(setting)) {
    const r = await tryBackend(b);
    if (typeof r === 'string') {
      available[b] = r;
      continue;
    }
    available[b] = true;
    tf = r;
    break;
  }
  for (const b of tfjsCandidates(setting)) if (!(b in available)) available[b] = 'not tried';
  const sel = selectTfjsBackend(setting, available as Availability<TfjsBackend>);
  return { tf: tf!, backend: sel.chosen, skipped: sel.skipped };
}

async function tryBackend(b: TfjsBackend): Promise<Tf | string> {
  try {
    if (b === 'tfjs-node-gpu' || b === 'tfjs-node') {
      if (b === 'tfjs-node-gpu') {
        const gpu = probeGpu();
        if (gpu !== true) return gpu;
      }
      const tf = require(NATIVE_PACKAGE[b]) as Tf;
      await tf.setBackend('tensorflow');
      await tf.ready();
      return tf;
    }
    const tf = require('@tensorflow/tfjs') as Tf;
    if (b === 'wasm') {
      const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
      // The package's JavaScript is bundled; its .wasm files stay in node_modules (the .vsix ships
      // that folder: scripts/unbundled.mjs WASM_DIRS), where packageFile finds them.
      let simd: string;
      try {
        simd = packageFile('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
      } catch {
        return 'no .wasm files in node_modules/@tensorflow/tfjs-backend-wasm/dist';
      }
      wasm.setWasmPaths(dirname(simd) + '/');
    }
    const ok = await tf.setBackend(b);
    if (!ok) return `tf.setBackend("${b}") failed`;
    await tf.ready();
    return tf;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND') return 'not installed';
    return `failed to load: ${e.message.split('\n')[0]}`;
  }
}

/**
 * One plain line for the panel when a tfjs model runs on the CPU on a machine that has an NVIDIA
 * driver: why the GPU is not used and what would use it. undefined when there is no GPU to miss or
 * tfjs-node-gpu runs.
 */
export function tfjsGpuNote(
  backend: TfjsBackend,
  skipped: Selection<TfjsBackend>['skipped'],
  gpu: true | string = probeGpu(),
): string | undefined {
  if (gpu !== true || backend === 'tfjs-node-gpu') return undefined;
  const why = skipped.find((s) => s.backend === 'tfjs-node-gpu')?.reason ?? 'not selected by embeddingLens.backend';
  return `GPU not used for this tfjs model — tfjs-node-gpu: ${why}. It needs CUDA 11.2 and cuDNN 8.1, which current drivers (CUDA 12/13) and GPUs such as the H100 do not pair with; export the model to ONNX (tf2onnx) to run it on the GPU runtime (Enable GPU). Running on ${backend}.`;
}
