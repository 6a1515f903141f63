import * as vscode from 'vscode';

export async function run(_context: vscode.ExtensionContext, ..._args: unknown[]): Promise<void> {
  // TODO(foundation): replaced by the flow's own issue.
  void vscode.window.showWarningMessage('Embedding Lens: this command is not built yet.');
}
