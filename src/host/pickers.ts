import * as vscode from 'vscode';
import { basename } from 'node:path';

const CHECKPOINT_FILTERS = { 'Checkpoints and embeddings': ['json', 'onnx', 'npy', 'tsv'] };

/** The checkpoint the command was invoked on (explorer), or one the user picks. */
export async function pickCheckpoint(arg: unknown, title = 'Choose a checkpoint (model.json, .onnx) or embeddings (.npy, tensor.tsv)'): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    canSelectFiles: true,
    canSelectFolders: false,
    filters: CHECKPOINT_FILTERS,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

/** Two checkpoints: the explorer's multi-selection when it has exactly two, else two picks. */
export async function pickTwoCheckpoints(arg: unknown, all: unknown): Promise<[vscode.Uri, vscode.Uri] | undefined> {
  if (Array.isArray(all) && all.length === 2 && all.every((u) => u instanceof vscode.Uri)) return [all[0], all[1]];
  const a = arg instanceof vscode.Uri ? arg : await pickCheckpoint(undefined, 'Compare: choose checkpoint A (the baseline)');
  if (!a) return undefined;
  const b = await pickCheckpoint(undefined, `Compare ${basename(a.fsPath)} with: choose checkpoint B`);
  return b ? [a, b] : undefined;
}

const lastDatasetKey = (checkpoint: vscode.Uri) => `embeddingLens.lastDataset:${checkpoint.toString()}`;

/**
 * The dataset for a checkpoint: a folder (ImageFolder, IDX, SOP/In-Shop lists) or a file
 * (manifest .csv/.tsv/.jsonl, or a labels file for precomputed embeddings). The last choice per
 * checkpoint is remembered in workspace state and offered first.
 */
export async function pickDataset(context: vscode.ExtensionContext, checkpoint: vscode.Uri, preferFile = false): Promise<vscode.Uri | undefined> {
  const last = context.workspaceState.get<string>(lastDatasetKey(checkpoint));
  if (last) {
    const lastUri = vscode.Uri.parse(last);
    const choice = await vscode.window.showQuickPick(
      [
        { label: `$(history) ${basename(lastUri.fsPath)}`, description: lastUri.fsPath, uri: lastUri },
        { label: '$(folder-opened) Choose a dataset folder…', uri: undefined, folder: true },
        { label: '$(file) Choose a manifest or labels file…', uri: undefined, folder: false },
      ],
      { title: `Dataset for ${basename(checkpoint.fsPath)}`, placeHolder: 'Use the last dataset, or choose another' },
    );
    if (!choice) return undefined;
    if (choice.uri) return choice.uri;
    return openDataset(context, checkpoint, 'folder' in choice && choice.folder === false ? 'file' : 'folder');
  }
  // Precomputed embeddings usually come with a labels file rather than an image folder.
  return openDataset(context, checkpoint, preferFile ? 'file' : 'folder');
}

async function openDataset(context: vscode.ExtensionContext, checkpoint: vscode.Uri, kind: 'folder' | 'file'): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: kind === 'folder'
      ? 'Choose the dataset folder (class subfolders, IDX files, or SOP / In-Shop lists)'
      : 'Choose a manifest (.csv, .tsv, .jsonl) or a labels file (.npy, .json, .txt)',
    canSelectFiles: kind === 'file',
    canSelectFolders: kind === 'folder',
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const uri = picked?.[0];
  if (uri) await context.workspaceState.update(lastDatasetKey(checkpoint), uri.toString());
  return uri;
}

/** Remembers a dataset chosen some other way (e.g. passed by a test or another command). */
export async function rememberDataset(context: vscode.ExtensionContext, checkpoint: vscode.Uri, dataset: vscode.Uri): Promise<void> {
  await context.workspaceState.update(lastDatasetKey(checkpoint), dataset.toString());
}
