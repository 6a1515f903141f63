import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { log } from './host/log';
import { registerPanelRestore } from './host/restore';

/** Registers the commands and the panel serializer; all work happens in src/commands on demand. */
export function activate(context: vscode.ExtensionContext): void {
  registerCommands(context);
  context.subscriptions.push(
    registerPanelRestore(context, {
      inspect: async (checkpoint, dataset, panel) => (await import('./commands/inspect')).inspectInPanel(context, checkpoint, dataset, panel),
      compare: async (a, b, dataset, datasetB, panel) => (await import('./commands/compare')).compareInPanel(context, a, b, dataset, datasetB, undefined, panel),
    }),
  );
  log.info(`Embedding Lens ${context.extension.packageJSON.version} activated (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, remote: ${vscode.env.remoteName ?? 'none'})`);
}

export function deactivate(): void {
  log.dispose();
}
