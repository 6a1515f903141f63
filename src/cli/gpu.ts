import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { installProvider } from '../core/gpu/fetchProvider';
import { CUDA_PROVIDER_PACKAGE, ORT_GPU_VERSION } from '../core/gpu/pinned';
import { isGpuMode, type GpuPreference } from '../core/gpu/preference';
import { formatGpuStatus, gpuStatus } from '../core/gpu/status';
import { formatBytes } from '../core/io/safeFile';
import { checkKnown, numberFlag, parseArgs, stringFlag, UsageError, type ParsedArgs } from './args';
import { cliAbort, writeJson, type CliCommand } from './command';
import { stderrProgress } from './progress';

/**
 * Where the CLI keeps the downloaded GPU runtime: an XDG data folder (it is not a cache — deleting
 * it costs a 171 MiB download), shared by every checkout and by `npx embedding-lens`.
 * EMBEDDING_LENS_GPU_DIR overrides it for embed/inspect as --dir does for this command.
 */
export function defaultGpuDir(): string {
  if (process.env.EMBEDDING_LENS_GPU_DIR) return resolve(process.env.EMBEDDING_LENS_GPU_DIR);
  return join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'embedding-lens', 'onnxruntime-gpu');
}

/** The flags embed and inspect take for the GPU, and their help lines. */
export const GPU_FLAGS = ['gpu', 'gpu-device'] as const;
export const GPU_USAGE = `  --gpu auto|off        ONNX models on the GPU runtime that \`embedding-lens gpu enable\` installed (default auto)
  --gpu-device N        CUDA device index on a multi-GPU machine (default 0)`;

export function gpuPreferenceFromArgs(args: ParsedArgs): GpuPreference {
  const mode = stringFlag(args, 'gpu') ?? 'auto';
  if (!isGpuMode(mode)) throw new UsageError(`--gpu expects auto or off, got "${mode}"`);
  return { mode, device: numberFlag(args, 'gpu-device', 0, { integer: true, min: 0 }), root: defaultGpuDir() };
}

const usage = `embedding-lens gpu status [--dir DIR] [--python PY] [--json FILE]
embedding-lens gpu enable [--dir DIR] [--from FILE.tgz]

ONNX checkpoints run on an NVIDIA GPU through onnxruntime's CUDA provider, which the published
package does not carry (${formatBytes(CUDA_PROVIDER_PACKAGE.size)}). \`gpu enable\` downloads it once per onnxruntime
version (${ORT_GPU_VERSION}) from
  ${CUDA_PROVIDER_PACKAGE.url}
checks it against the SHA-512 pinned in this build, and keeps the provider libraries in DIR/${ORT_GPU_VERSION}.
CUDA 13 and cuDNN 9 come from your system, conda or the nvidia-* pip wheels (\`gpu status\` says
which were found and where).

  --dir DIR       where the runtime lives (default ${defaultGpuDir()})
  --from FILE     install from a copy of that .tgz (an offline machine: \`npm pack\` it elsewhere);
                  the same size and SHA-512 checks, nothing downloaded
  --python PY     also search this interpreter's environment for nvidia-* wheels (status)
  --json FILE     write the status as JSON to FILE ("-" for stdout)`;

export const gpuCommand: CliCommand = {
  name: 'gpu',
  summary: 'Show or enable the GPU runtime for ONNX checkpoints (onnxruntime CUDA provider)',
  usage,
  async run(argv) {
    const args = parseArgs(argv);
    const [action, ...rest] = args.positionals;
    if (rest.length || (action !== 'status' && action !== 'enable')) throw new UsageError('expected "gpu status" or "gpu enable"');
    checkKnown(args, action === 'status' ? ['dir', 'python', 'json'] : ['dir', 'from']);
    const root = resolve(stringFlag(args, 'dir') ?? defaultGpuDir());
    const pref: GpuPreference = { mode: 'auto', device: 0, root, python: stringFlag(args, 'python') };
    if (action === 'status') {
      const s = await gpuStatus(pref);
      const json = stringFlag(args, 'json');
      if (json === '-') await writeJson(s);
      else {
        process.stdout.write(formatGpuStatus(s).join('\n') + '\n');
        if (json) await writeJson(s, resolve(json));
      }
      return 0;
    }
    const from = stringFlag(args, 'from');
    process.stderr.write(
      from
        ? `Checking ${from} against the pinned ${CUDA_PROVIDER_PACKAGE.description}\n`
        : `Downloading ${formatBytes(CUDA_PROVIDER_PACKAGE.size)} from ${CUDA_PROVIDER_PACKAGE.url}\n`,
    );
    const progress = stderrProgress();
    const r = await installProvider({
      root,
      signal: cliAbort.signal,
      from: from ? resolve(from) : undefined,
      onProgress: (p) =>
        progress(
          p.stage === 'download'
            ? {
                stage: from ? 'check' : 'download',
                done: Math.round(p.done / 2 ** 20),
                total: Math.round(p.total / 2 ** 20),
                message: 'MiB',
              }
            : { stage: 'extract', done: p.done, total: p.total },
        ),
    });
    process.stdout.write(r.downloaded ? `GPU runtime installed in ${r.dir}\n` : `GPU runtime already installed in ${r.dir}\n`);
    const s = await gpuStatus(pref);
    process.stdout.write(formatGpuStatus(s).join('\n') + '\n');
    return 0;
  },
};
