import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes } from '../io/safeFile';
import { probeGpu } from '../runtime/device';
import { findCudaLibraries, howToGetLibraries, type LibrarySearch } from './libraryPaths';
import { CUDA_LIBRARIES, CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION } from './pinned';
import { ENABLE_GPU_HINT, type GpuPreference } from './preference';
import { installedRuntime, runtimeDir } from './runtimeDir';

/** What the runner process had mapped, in words for the header: "CUDA provider from …; CUDA runtime from …". */
export function describeLoaded(libs: Record<string, string>, device: number): string {
  const where = (prefix: string) => {
    const name = Object.keys(libs).find((k) => k === prefix || k.startsWith(`${prefix}.`));
    return name ? `${name} from ${dirname(libs[name])}` : undefined;
  };
  const parts = [
    ['onnxruntime', where('libonnxruntime.so')],
    ['CUDA provider', where('libonnxruntime_providers_cuda.so')],
    ['CUDA runtime', where('libcudart.so')],
    ['cuBLAS', where('libcublas.so')],
    ['cuDNN', where('libcudnn.so')],
    ['driver', where('libcuda.so')],
  ].filter((p): p is [string, string] => p[1] !== undefined);
  return `GPU: onnxruntime ${ORT_GPU_VERSION} CUDA provider on device ${device} — ${parts.map(([k, v]) => `${k} ${v}`).join('; ')}`;
}

/** The library a loader error names and the loader's reason ("libcublasLt.so.13: cannot open shared object file"). */
function loaderFailure(message: string): { lib: string; reason: string } | undefined {
  const m =
    /(lib[\w+-]+?\.so(?:\.\d+)*): (cannot open shared object file|file too short|invalid ELF header|wrong ELF class|version `[^']+' not found)/.exec(
      message,
    );
  return m ? { lib: m[1], reason: m[2] } : undefined;
}

/**
 * One line for a GPU attempt that failed and fell back to the CPU: what was missing or went wrong,
 * and how to get it. Reads onnxruntime's and the loader's wording; anything unrecognised is quoted.
 */
export function explainGpuFailure(message: string, python?: string): string {
  const first = message.split('\n').find((l) => l.trim()) ?? message;
  const failure = loaderFailure(message);
  const lib = failure?.lib;
  let what: string;
  if (lib && /cudnn/i.test(lib))
    what = `${lib} (cuDNN 9) could not be loaded; ${howToGetLibraries([{ soname: lib, what: 'cuDNN 9', wheel: 'nvidia-cudnn-cu13' }], python)}`;
  else if (lib && /^libcuda\.so/.test(lib))
    what = `${lib} (the NVIDIA driver library) could not be loaded; install or repair the NVIDIA driver`;
  else if (lib && /onnxruntime/.test(lib))
    what = `the downloaded ${lib} could not be loaded (${failure!.reason}); ${ENABLE_GPU_HINT} again`;
  else if (lib) {
    const known = CUDA_LIBRARIES.find((l) => l.soname === lib);
    what = `${lib}${known ? ` (${known.what})` : ''} could not be loaded; ${known ? howToGetLibraries([known], python) : 'install CUDA 13 and cuDNN 9 (or the nvidia-* pip wheels)'}`;
  } else if (/out of memory|OUT_OF_MEMORY|cudaErrorMemoryAllocation|Failed to allocate memory/i.test(message))
    what = `the GPU ran out of memory (${first.trim().slice(0, 160)}); lower embeddingLens.batchSize or free the GPU`;
  else if (/insufficient driver|cudaErrorInsufficientDriver|driver version is insufficient|CUDA driver version/i.test(message))
    what = `the NVIDIA driver is too old for CUDA 13; update the driver (580 or newer)`;
  else if (/no CUDA-capable device|cudaErrorNoDevice|invalid device ordinal|cudaErrorInvalidDevice/i.test(message))
    what = `no usable CUDA device at that index (${first.trim().slice(0, 160)}); check embeddingLens.gpu.device and nvidia-smi`;
  else what = `the CUDA provider failed: ${first.trim().slice(0, 240)}`;
  return `GPU not used — ${what}. Running on the CPU.`;
}

export interface GpuStatus {
  /** `true` when an NVIDIA driver is visible, else why not. */
  driver: true | string;
  /** GPUs nvidia-smi lists ("0: NVIDIA H100 80GB HBM3, driver 580.65, 81559 MiB"); empty when it is absent. */
  gpus: string[];
  version: string;
  /** Where Enable GPU puts (or put) the provider. */
  dir?: string;
  provider: true | string;
  libraries: LibrarySearch;
  /** `true` when an ONNX inspection would run on the GPU (short of a failure inside CUDA), else why not. */
  usable: true | string;
  /** The driver is there but the provider is not: the moment to offer Enable GPU. */
  offerEnable: boolean;
  download: { url: string; size: number; sizeText: string; integrity: string };
}

/** nvidia-smi's list of GPUs, or [] (no driver, no tool, or it hung). EMBEDDING_LENS_FAKE_NVIDIA_SMI stands in for it in tests. */
export function listGpus(timeoutMs = 5_000): Promise<string[]> {
  const tool = process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI || 'nvidia-smi';
  return new Promise((resolve) => {
    execFile(
      tool,
      ['--query-gpu=index,name,driver_version,memory.total', '--format=csv,noheader'],
      { timeout: timeoutMs },
      (err, stdout) => {
        if (err) return resolve([]);
        resolve(
          stdout
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .map((l) => {
              const [index, name, driver, memory] = l.split(',').map((x) => x.trim());
              return `${index}: ${name}${driver ? `, driver ${driver}` : ''}${memory ? `, ${memory}` : ''}`;
            }),
        );
      },
    );
  });
}

/** The NVIDIA driver's own version line, when its /proc file is there. */
export function driverVersion(): string | undefined {
  try {
    return existsSync('/proc/driver/nvidia/version')
      ? readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0].trim()
      : undefined;
  } catch {
    return undefined;
  }
}

/** Everything `gpu status` and the Enable GPU offer need to know, probed without loading anything. */
export async function gpuStatus(pref: GpuPreference): Promise<GpuStatus> {
  const driver = probeGpu();
  const provider = pref.root ? installedRuntime(pref.root) : 'no storage folder for the GPU runtime';
  const libraries = findCudaLibraries({ python: pref.python });
  const gpus = driver === true ? await listGpus() : [];
  let usable: true | string = true;
  if (pref.mode === 'off') usable = 'turned off by the embeddingLens.gpu.mode setting (or --gpu off)';
  else if (driver !== true) usable = driver;
  else if (provider !== true) usable = `${provider} — ${ENABLE_GPU_HINT}`;
  else if (libraries.missing.length)
    usable = `${libraries.missing.map((l) => `${l.soname} (${l.what})`).join(', ')} not found; ${howToGetLibraries(libraries.missing, pref.python)}`;
  return {
    driver,
    gpus,
    version: ORT_GPU_VERSION,
    dir: pref.root ? runtimeDir(pref.root) : undefined,
    provider,
    libraries,
    usable,
    offerEnable: pref.mode !== 'off' && driver === true && provider !== true,
    download: {
      url: CUDA_PROVIDER_PACKAGE.url,
      size: CUDA_PROVIDER_PACKAGE.size,
      sizeText: formatBytes(CUDA_PROVIDER_PACKAGE.size),
      integrity: CUDA_PROVIDER_PACKAGE.integrity,
    },
  };
}

/** The status as lines for the CLI and the log. */
export function formatGpuStatus(s: GpuStatus): string[] {
  const lines = [
    `NVIDIA driver: ${s.driver === true ? (driverVersion() ?? 'present') : s.driver}`,
    ...s.gpus.map((g) => `  GPU ${g}`),
    `CUDA provider (onnxruntime ${s.version}): ${s.provider === true ? `installed in ${s.dir}` : s.provider}`,
    ...Object.entries(s.libraries.found).map(([k, v]) => `  found ${k}: ${v}`),
    ...s.libraries.missing.map((l) => `  missing ${l.soname} (${l.what})`),
    `ONNX models on the GPU: ${s.usable === true ? 'yes' : `no — ${s.usable}`}`,
  ];
  if (s.provider !== true)
    lines.push(
      `Enable GPU downloads ${s.download.sizeText} from ${s.download.url} (checked against SHA-512 ${s.download.integrity.slice(0, 22)}…)`,
    );
  return lines;
}
