import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { log } from './host/log';

/** Registers the commands and panel serializers; all work happens in src/commands on demand. */
export function activate(context: vscode.ExtensionContext): void {
  registerCommands(context);
  log.info(`Embedding Lens ${context.extension.packageJSON.version} activated (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, remote: ${vscode.env.remoteName ?? 'none'})`);
}

export function deactivate(): void {
  log.dispose();
}
