import * as vscode from 'vscode';
import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { readSettings } from './settings';

/**
 * Where embeddings and layouts are cached: the `embeddingLens.cacheLocation` setting when it is an
 * absolute path (VS Code drops a workspace value of it in untrusted workspaces: it is restricted in
 * package.json), else the extension's global storage, which is per machine and survives reloads.
 */
export async function cacheDir(context: vscode.ExtensionContext): Promise<string> {
  const configured = readSettings().cacheLocation.trim();
  const dir = configured && isAbsolute(configured) ? configured : vscode.Uri.joinPath(context.globalStorageUri, 'cache').fsPath;
  await mkdir(dir, { recursive: true });
  return dir;
}
