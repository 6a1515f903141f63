import * as vscode from 'vscode';
import { isCancelled } from '../core/errors';
import { installProvider } from '../core/gpu/fetchProvider';
import { CUDA_PROVIDER_PACKAGE, type PinnedPackage } from '../core/gpu/pinned';
import { formatBytes } from '../core/io/safeFile';
import { gpuRoot, logGpuStatus } from './gpu';
import { log } from './log';

/** Programmatic options (host tests): skip the confirmation, fetch another pinned package (a loopback server). */
export interface EnableGpuArgs {
  yes?: boolean;
  pinned?: PinnedPackage;
}

/**
 * "Embedding Lens: Enable GPU": after a modal that shows the size and the source, downloads the
 * pinned CUDA provider into global storage under a cancellable progress notification. Resolves
 * with the runtime folder, or undefined when the user declined, cancelled or it failed (said in a
 * message and the log).
 */
export async function run(context: vscode.ExtensionContext, arg?: unknown): Promise<string | undefined> {
  const opts = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as EnableGpuArgs;
  const pinned = opts.pinned ?? CUDA_PROVIDER_PACKAGE;
  const size = formatBytes(pinned.size);
  if (!opts.yes) {
    const ok = await vscode.window.showInformationMessage(
      `Download the GPU runtime for ONNX models (${size})?`,
      {
        modal: true,
        detail: `onnxruntime's CUDA provider, from ${pinned.url}\nChecked against the SHA-512 pinned in this version of Embedding Lens and kept in the extension's storage. CUDA 13 and cuDNN 9 come from your system, conda or the nvidia-* pip wheels.`,
      },
      `Download ${size}`,
    );
    if (!ok) return undefined;
  }
  const root = gpuRoot(context);
  log.info(`Enable GPU: downloading ${size} from ${pinned.url} into ${root}`);
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Embedding Lens: downloading the GPU runtime', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let shown = 0;
        let last = 0;
        try {
          return await installProvider({
            root,
            pinned,
            signal: controller.signal,
            onProgress: (p) => {
              const now = Date.now();
              if (p.stage === 'download' && now - last < 250 && p.done < p.total) return;
              last = now;
              const pct = p.stage === 'download' ? (95 * p.done) / p.total : 95 + (5 * p.done) / Math.max(1, p.total);
              progress.report({
                message: p.stage === 'download' ? `${formatBytes(p.done)} of ${formatBytes(p.total)}` : 'checking and unpacking',
                increment: Math.max(0, pct - shown),
              });
              shown = Math.max(shown, pct);
            },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    log.info(result.downloaded ? `Enable GPU: installed in ${result.dir}` : `Enable GPU: already installed in ${result.dir}`);
    await logGpuStatus();
    void vscode.window.showInformationMessage(
      `Embedding Lens: GPU runtime ${result.downloaded ? 'installed' : 'already installed'}. ONNX models use the GPU from the next inspection (the log lists the CUDA libraries found).`,
    );
    return result.dir;
  } catch (err) {
    if (isCancelled(err)) {
      log.info('Enable GPU: cancelled; nothing was kept');
      return undefined;
    }
    const message = err instanceof Error ? err.message : String(err);
    log.error('Enable GPU failed', err);
    void vscode.window.showErrorMessage(`Embedding Lens: Enable GPU failed — ${message}`, 'Show Log').then((c) => c && log.show());
    return undefined;
  }
}
