import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** `true` when an NVIDIA driver is loaded on this machine, else why not. */
export function probeGpu(): true | string {
  if (process.env.EMBEDDING_LENS_NO_GPU) return 'disabled by EMBEDDING_LENS_NO_GPU';
  // A stand-in nvidia-smi script: tests of the GPU offer and fallback messages on machines without a GPU.
  const fake = process.env.EMBEDDING_LENS_FAKE_NVIDIA_SMI;
  if (fake && existsSync(fake)) return true;
  if (existsSync('/proc/driver/nvidia/version')) return true;
  if (existsSync('/dev/nvidia0')) return true;
  return 'no NVIDIA GPU driver found';
}

export function cpuCount(): number {
  return typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
}

/** One line describing the machine, for reports. */
export function deviceSummary(): string {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  let gpu = '';
  try {
    if (existsSync('/proc/driver/nvidia/version'))
      gpu = `; NVIDIA driver ${readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0].trim()}`;
  } catch {
    /* unreadable driver file: report CPU only */
  }
  return `${cpuCount()} × ${cpu}${gpu}`;
}
