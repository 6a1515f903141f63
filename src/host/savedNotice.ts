import * as vscode from 'vscode';

export const OPEN = 'Open';
export const REVEAL = 'Reveal';

/**
 * "Saved — Open / Reveal": a file the user just exported is confirmed where it landed, with the two
 * things one does next. Reveal shows it in the Explorer when it lies in the workspace, else in the
 * system's file manager. Resolves with the action taken (tests read it), undefined when dismissed.
 */
export async function announceSaved(what: string, path: string): Promise<string | undefined> {
  const choice = await vscode.window.showInformationMessage(`Embedding Lens: ${what} saved — ${path}`, OPEN, REVEAL);
  const uri = vscode.Uri.file(path);
  if (choice === OPEN) await vscode.commands.executeCommand('vscode.open', uri);
  else if (choice === REVEAL)
    await vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(uri) ? 'revealInExplorer' : 'revealFileInOS', uri);
  return choice;
}
