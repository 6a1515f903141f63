import * as vscode from 'vscode';
import { looksLikeProjectorTsv, looksLikeTfjsModelJson } from '../core/checkpoint/sniff';
import { log } from './log';

/** The context key the Explorer menus test with `resourcePath in embeddingLens.checkpointFiles`. */
export const CHECKPOINT_FILES_KEY = 'embeddingLens.checkpointFiles';

/** Bounds the start-up scan: a monorepo with 100k JSON files must not stall the extension host. */
const MAX_SCANNED = 5000;
const EXCLUDE = '{**/node_modules/**,**/.git/**}';
/** The files worth sniffing: tfjs models (.json) and projector embeddings (.tsv), whatever their names. */
const PATTERN = '**/*.{json,tsv}';

/** Whether a .json is a tfjs model or a .tsv projector embeddings (not a manifest or metadata.tsv). */
const isCheckpoint = (path: string): Promise<boolean> =>
  /\.tsv$/i.test(path) ? looksLikeProjectorTsv(path) : looksLikeTfjsModelJson(path);

/**
 * Keeps `embeddingLens.checkpointFiles` (paths of workspace .json files that are tfjs models and
 * .tsv files that are projector embeddings, whatever their names: `vecs.tsv`, `tensors.tsv`) up to
 * date: one bounded scan at start-up, then a FileSystemWatcher over both. Each file is sniffed from
 * its first few KB only (core/checkpoint/sniff.ts), so a huge or special file costs nothing.
 * Returns the live set (the extension's API exposes it to tests and other extensions).
 */
export function watchCheckpointFiles(context: vscode.ExtensionContext): { files(): string[] } {
  const found = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const publish = () => {
    // Batched: a checkout that adds 1,000 files sets the context once, not 1,000 times.
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void vscode.commands.executeCommand('setContext', CHECKPOINT_FILES_KEY, [...found]);
    }, 100);
  };
  const check = async (uri: vscode.Uri) => {
    if (uri.scheme !== 'file') return;
    const was = found.has(uri.fsPath);
    const is = await isCheckpoint(uri.fsPath);
    if (is) found.add(uri.fsPath);
    else found.delete(uri.fsPath);
    if (is !== was) publish();
  };
  const watcher = vscode.workspace.createFileSystemWatcher(PATTERN);
  context.subscriptions.push(
    watcher,
    watcher.onDidCreate(check),
    watcher.onDidChange(check),
    watcher.onDidDelete((uri) => {
      if (found.delete(uri.fsPath)) publish();
    }),
    { dispose: () => timer && clearTimeout(timer) },
  );
  void (async () => {
    try {
      const uris = await vscode.workspace.findFiles(PATTERN, EXCLUDE, MAX_SCANNED);
      if (uris.length === MAX_SCANNED)
        log.info(`checkpoint menus: scanned the first ${MAX_SCANNED} .json and .tsv files of the workspace only`);
      for (const uri of uris) await check(uri);
      publish();
    } catch (err) {
      log.warn(`checkpoint menus: workspace scan failed: ${(err as Error).message}`);
    }
  })();
  return { files: () => [...found] };
}
