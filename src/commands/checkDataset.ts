import * as vscode from 'vscode';
import { loadDataset } from '../core/dataset';
import { LensError } from '../core/errors';
import { forgetDataset } from '../host/pickers';
import { logFailure } from './logFailure';

/**
 * Reads the dataset's listing (the scan the pipeline starts with: folder walk, manifest, IDX
 * headers — no image decoded) before a panel opens, so a dataset the user got wrong is refused
 * with its reason in a notification instead of leaving a panel stuck on "Waiting for items…".
 * The notification offers "Choose another dataset…", which runs `again` (the command with a fresh
 * dataset picker). Returns false when the dataset was refused; errors that are not the user's
 * (LensError) are left for the pipeline to report in its panel.
 */
export async function datasetIsUsable(
  context: vscode.ExtensionContext,
  checkpoint: vscode.Uri,
  dataset: string,
  what: string,
  again: () => unknown,
): Promise<boolean> {
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Embedding Lens: reading the dataset' }, () =>
      loadDataset(dataset),
    );
    return true;
  } catch (err) {
    if (!(err instanceof LensError)) return true;
    logFailure(`${what} failed`, err);
    await forgetDataset(context, checkpoint);
    void vscode.window.showErrorMessage(`Embedding Lens: ${err.message}`, 'Choose another dataset…').then((c) => c && again());
    return false;
  }
}
