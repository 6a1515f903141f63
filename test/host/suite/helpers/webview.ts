import * as vscode from 'vscode';
import { waitFor } from './wait';

/**
 * Waits for an editor tab showing a webview panel whose viewType is `viewType` (VS Code prefixes
 * the registered type internally, so the match is by suffix) and returns it.
 */
export function waitForWebviewTab(viewType: string, timeoutMs = 60_000): Promise<vscode.Tab> {
  return waitFor(
    `a webview panel of type ${viewType}`,
    () => {
      for (const group of vscode.window.tabGroups.all) {
        for (const tab of group.tabs) {
          if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(viewType)) return tab;
        }
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** Closes every editor (panels included) so the next test starts from an empty editor area. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
