import * as vscode from 'vscode';
import { LensError } from '../core/errors';
import { log } from '../host/log';

/**
 * Logs why a command failed. A LensError is the user's input refused with its reason (a folder
 * with no images, a corrupt model): a warning with that one line. Anything else is our fault and
 * keeps its stack for the bug report.
 */
export function logFailure(what: string, err: unknown): void {
  if (err instanceof LensError) log.warn(`${what}: ${err.message}`);
  else log.error(what, err);
}

/** Logs the failure (logFailure) and tells the user in one notification with "Show Log". */
export function reportFailure(what: string, err: unknown): undefined {
  const message = err instanceof Error ? err.message : String(err);
  logFailure(what, err);
  void vscode.window.showErrorMessage(`Embedding Lens: ${message}`, 'Show Log').then((c) => c && log.show());
  return undefined;
}
