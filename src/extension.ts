import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { log } from './host/log';
import { watchCheckpointFiles } from './host/checkpointFiles';
import { registerPanelRestore } from './host/restore';
import { initGpu } from './host/gpu';

/** What the extension exposes to other extensions (and the host tests). */
export interface EmbeddingLensApi {
  /** Workspace .json files recognised as tfjs models and .tsv files as projector embeddings (the `embeddingLens.checkpointFiles` context key). */
  checkpointFiles(): string[];
  /**
   * What VS Code runs to bring a panel of `viewType` back after a window reload, given the state
   * its webview saved. The host tests call it: their extension host cannot reload its own window.
   */
  restorePanel(viewType: string, panel: vscode.WebviewPanel, state: unknown): Promise<void>;
}

/**
 * Registers the commands, the panel serializer and the checkpoint-file watcher behind the Explorer
 * menus; all other work happens in src/commands on demand.
 */
export function activate(context: vscode.ExtensionContext): EmbeddingLensApi {
  registerCommands(context);
  initGpu(context);
  const checkpoints = watchCheckpointFiles(context);
  const restore = registerPanelRestore(context, {
    inspect: async (checkpoint, dataset, panel) => (await import('./commands/inspect')).inspectInPanel(context, checkpoint, dataset, panel),
    compare: async (a, b, dataset, datasetB, panel) =>
      (await import('./commands/compare')).compareInPanel(context, a, b, dataset, datasetB, undefined, panel),
  });
  context.subscriptions.push(restore.disposable);
  log.info(
    `Embedding Lens ${context.extension.packageJSON.version} activated (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, remote: ${vscode.env.remoteName ?? 'none'})`,
  );
  return {
    checkpointFiles: checkpoints.files,
    restorePanel: async (viewType, panel, state) => {
      const restorer = restore.restorers[viewType];
      if (!restorer) throw new Error(`Embedding Lens has no panel of type ${viewType}`);
      await restorer(panel, state);
    },
  };
}

export function deactivate(): void {
  log.dispose();
}
