import * as vscode from 'vscode';
import { isGpuMode, type GpuPreference } from '../core/gpu/preference';
import { formatGpuStatus, gpuStatus } from '../core/gpu/status';
import { log } from './log';

/**
 * The extension's side of the GPU runtime: where Enable GPU puts it (global storage, never the
 * install folder), the embeddingLens.gpu.mode and gpu.device settings, the Python interpreter whose nvidia-* wheels are
 * searched, and the offer to enable it.
 */

let storageRoot: string | undefined;
let offered = false;

/** <globalStorage>/onnxruntime-gpu. */
export function gpuRoot(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.globalStorageUri, 'onnxruntime-gpu').fsPath;
}

interface PythonApi {
  environments?: { getActiveEnvironmentPath(): { path: string } };
}

/** Called once at activation: remembers where Enable GPU puts the runtime. */
export function initGpu(context: vscode.ExtensionContext): void {
  storageRoot = gpuRoot(context);
}

/**
 * The interpreter whose nvidia-* wheels are searched: the Python extension's selection when that
 * extension is already active (it is never activated for this), else the user's
 * python.defaultInterpreterPath. Nothing in an untrusted workspace: its folders would go on a
 * library path.
 */
function pythonInterpreter(): string | undefined {
  if (!vscode.workspace.isTrusted) return undefined;
  const python = vscode.extensions.getExtension<PythonApi>('ms-python.python');
  if (python?.isActive) {
    try {
      const path = python.exports?.environments?.getActiveEnvironmentPath().path;
      if (path && path.includes('/')) return path;
    } catch {
      // An older Python extension without the environments API: the setting below.
    }
  }
  const configured = vscode.workspace.getConfiguration('python').inspect<string>('defaultInterpreterPath')?.globalValue;
  return configured && configured.includes('/') ? configured : undefined;
}

/** embeddingLens.gpu.mode and gpu.device with the storage root and interpreter, for the engine. */
export function readGpuPreference(c: vscode.WorkspaceConfiguration = vscode.workspace.getConfiguration('embeddingLens')): GpuPreference {
  const mode = c.get<string>('gpu.mode', 'auto');
  const device = c.get<number>('gpu.device', 0);
  return {
    mode: isGpuMode(mode) ? mode : 'auto',
    device: Number.isInteger(device) && device >= 0 ? device : 0,
    root: storageRoot,
    python: pythonInterpreter(),
  };
}

/**
 * After an ONNX run on the CPU: when an NVIDIA driver is present and the CUDA provider is not
 * downloaded, the log says so and a notification offers Enable GPU (once per session — a user who
 * said "Not now" is not asked again on every inspection).
 */
export async function offerGpuIfUseful(): Promise<void> {
  const pref = readGpuPreference();
  const s = await gpuStatus(pref);
  if (!s.offerEnable) return;
  log.info(
    `GPU: an NVIDIA driver is present but onnxruntime's CUDA provider is not downloaded, so ONNX models run on the CPU. "Embedding Lens: Enable GPU" downloads it (${s.download.sizeText} from ${new URL(s.download.url).host}).`,
  );
  if (offered) return;
  offered = true;
  const choice = await vscode.window.showInformationMessage(
    `Embedding Lens: this machine has an NVIDIA GPU, but ONNX models ran on the CPU — the GPU runtime is not downloaded (${s.download.sizeText}).`,
    'Enable GPU',
    'Not now',
  );
  if (choice === 'Enable GPU') await vscode.commands.executeCommand('embeddingLens.enableGpu');
}

/** The status lines, into the log (after Enable GPU, and on request). */
export async function logGpuStatus(): Promise<void> {
  for (const line of formatGpuStatus(await gpuStatus(readGpuPreference()))) log.info(`GPU: ${line}`);
}
