import * as vscode from 'vscode';
import { basename } from 'node:path';
import { existsSync } from 'node:fs';
import { looksLikeProjectorTsv, looksLikeTfjsModelJson } from '../core/checkpoint/sniff';
import { distinguishingNames } from '../core/util/displayName';
import { InspectionPanel } from './inspectionPanel';

const CHECKPOINT_FILTERS = { 'Checkpoints and embeddings': ['json', 'onnx', 'npy', 'tsv'] };
const RECENT_CHECKPOINTS_KEY = 'embeddingLens.recentCheckpoints';
const MAX_RECENT = 8;
/** Bounds the palette's workspace scan: a monorepo must not stall the quick pick. */
const MAX_FOUND = 200;
const EXCLUDE = '{**/node_modules/**,**/.git/**}';

/**
 * The checkpoint the command was invoked on (explorer), or one the user picks: from the palette a
 * quick pick of the checkpoints open in panels, the recent ones and those found in the workspace
 * (tfjs model.json by the Explorer menus' own sniff, .onnx, .npy), with "Browse…" last; a path
 * typed into it is taken as is. With nothing to offer it opens the file dialog straight away.
 */
export async function pickCheckpoint(
  context: vscode.ExtensionContext,
  arg: unknown,
  title = 'Choose a checkpoint (model.json, .onnx) or embeddings (.npy, tensor.tsv)',
): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) {
    await rememberCheckpoint(context, arg);
    return arg;
  }
  const candidates = await checkpointCandidates(context);
  const picked = candidates.length ? await quickPickCheckpoint(candidates, title) : 'browse';
  const uri = picked === 'browse' ? await browseCheckpoint(title) : picked;
  if (uri) await rememberCheckpoint(context, uri);
  return uri;
}

/** Two checkpoints: the explorer's multi-selection when it has exactly two, else two picks. */
export async function pickTwoCheckpoints(
  context: vscode.ExtensionContext,
  arg: unknown,
  all: unknown,
): Promise<[vscode.Uri, vscode.Uri] | undefined> {
  if (Array.isArray(all) && all.length === 2 && all.every((u) => u instanceof vscode.Uri)) return [all[0], all[1]];
  const a = await pickCheckpoint(context, arg, 'Compare: choose checkpoint A (the baseline)');
  if (!a) return undefined;
  const b = await pickCheckpoint(context, undefined, `Compare ${basename(a.fsPath)} with: choose checkpoint B`);
  return b ? [a, b] : undefined;
}

interface Candidate {
  path: string;
  why: 'open' | 'recent' | 'workspace';
}

/** Open in a panel first, then recent, then the rest of the workspace; each path once. */
async function checkpointCandidates(context: vscode.ExtensionContext): Promise<Candidate[]> {
  const out = new Map<string, Candidate>();
  const add = (path: string, why: Candidate['why']) => {
    if (!out.has(path) && existsSync(path)) out.set(path, { path, why });
  };
  for (const p of InspectionPanel.all().reverse()) add(p.data.source.checkpoint, 'open');
  for (const p of context.workspaceState.get<string[]>(RECENT_CHECKPOINTS_KEY) ?? []) add(p, 'recent');
  for (const p of await workspaceCheckpoints()) add(p, 'workspace');
  return [...out.values()];
}

async function workspaceCheckpoints(): Promise<string[]> {
  if (!vscode.workspace.workspaceFolders?.length) return [];
  const uris = await vscode.workspace.findFiles('**/*.{json,onnx,npy,tsv}', EXCLUDE, MAX_FOUND);
  const found: string[] = [];
  for (const uri of uris) {
    if (uri.scheme !== 'file') continue;
    const p = uri.fsPath;
    // A .npy beside a labels file is embeddings; a .json only when it sniffs as a tfjs model, a .tsv as projector vectors.
    if (
      p.endsWith('.onnx') ||
      (p.endsWith('.npy') && !/labels?\.npy$/i.test(p)) ||
      (p.endsWith('.json') && (await looksLikeTfjsModelJson(p))) ||
      (p.endsWith('.tsv') && (await looksLikeProjectorTsv(p)))
    )
      found.push(p);
  }
  return found.sort();
}

type CheckpointItem = vscode.QuickPickItem & { path?: string };

function quickPickCheckpoint(candidates: Candidate[], title: string): Promise<vscode.Uri | 'browse' | undefined> {
  const names = distinguishingNames(candidates.map((c) => c.path));
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const icon = { open: '$(preview)', recent: '$(history)', workspace: '$(file)' } as const;
  const note = { open: 'open in a panel', recent: 'recent', workspace: '' } as const;
  const items: CheckpointItem[] = candidates.map((c, i) => ({
    label: `${icon[c.why]} ${names[i]}`,
    description: [note[c.why], root && c.path.startsWith(root) ? c.path.slice(root.length + 1) : c.path].filter(Boolean).join(' · '),
    path: c.path,
  }));
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Browse…', description: 'choose a file' });
  const qp = vscode.window.createQuickPick<CheckpointItem>();
  qp.title = title;
  qp.placeholder = 'A checkpoint from this workspace, or type a path';
  qp.matchOnDescription = true;
  qp.items = items;
  return new Promise((done) => {
    let settled = false;
    const finish = (v: vscode.Uri | 'browse' | undefined) => {
      if (!settled) {
        settled = true;
        done(v);
        qp.dispose();
      }
    };
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      const typed = qp.value.trim();
      if (!item && typed && existsSync(typed)) return finish(vscode.Uri.file(typed));
      if (!item) return;
      finish(item.path ? vscode.Uri.file(item.path) : 'browse');
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

async function browseCheckpoint(title: string): Promise<vscode.Uri | undefined> {
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

async function rememberCheckpoint(context: vscode.ExtensionContext, uri: vscode.Uri): Promise<void> {
  if (uri.scheme !== 'file') return;
  const recent = (context.workspaceState.get<string[]>(RECENT_CHECKPOINTS_KEY) ?? []).filter((p) => p !== uri.fsPath);
  await context.workspaceState.update(RECENT_CHECKPOINTS_KEY, [uri.fsPath, ...recent].slice(0, MAX_RECENT));
}

const lastDatasetKey = (checkpoint: vscode.Uri) => `embeddingLens.lastDataset:${checkpoint.toString()}`;

/**
 * The dataset for a checkpoint: a folder (ImageFolder, IDX, SOP/In-Shop lists) or a file
 * (manifest .csv/.tsv/.jsonl, or a labels file for precomputed embeddings). The last choice per
 * checkpoint is remembered in workspace state and offered first. The first time offers the same
 * two ways (folder, manifest / labels file) as later ones, the likelier first.
 */
export async function pickDataset(
  context: vscode.ExtensionContext,
  checkpoint: vscode.Uri,
  preferFile = false,
): Promise<vscode.Uri | undefined> {
  const last = context.workspaceState.get<string>(lastDatasetKey(checkpoint));
  const lastUri = last ? vscode.Uri.parse(last) : undefined;
  const folder = {
    label: '$(folder-opened) Choose a dataset folder…',
    description: 'class subfolders, IDX files, SOP / In-Shop lists',
    uri: undefined,
    folder: true,
  };
  const file = {
    label: '$(file) Choose a manifest or labels file…',
    description: '.csv, .tsv, .jsonl; labels .npy / .json / .txt',
    uri: undefined,
    folder: false,
  };
  // Precomputed embeddings usually come with a labels file rather than an image folder.
  const ways = preferFile ? [file, folder] : [folder, file];
  const choice = await vscode.window.showQuickPick(
    [
      ...(lastUri
        ? [{ label: `$(history) ${basename(lastUri.fsPath)}`, description: lastUri.fsPath, uri: lastUri, folder: undefined }]
        : []),
      ...ways,
    ],
    {
      title: `Dataset for ${basename(checkpoint.fsPath)}`,
      placeHolder: lastUri ? 'Use the last dataset, or choose another' : 'Where are the items and their labels?',
    },
  );
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  return openDataset(context, checkpoint, choice.folder === false ? 'file' : 'folder');
}

/** Drops the remembered dataset (it failed its check), so the next picker does not offer it first. */
export async function forgetDataset(context: vscode.ExtensionContext, checkpoint: vscode.Uri): Promise<void> {
  await context.workspaceState.update(lastDatasetKey(checkpoint), undefined);
}

async function openDataset(
  context: vscode.ExtensionContext,
  checkpoint: vscode.Uri,
  kind: 'folder' | 'file',
): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title:
      kind === 'folder'
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
