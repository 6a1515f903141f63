import { LensError } from '../core/errors';

/**
 * What a panel's error banner is sent: the protocol's `error` message carries the file apart (the
 * webview shows "file: message"), while a LensError's message already begins with its file so a
 * notification can show it as is — sent unchanged, the banner printed the path twice.
 */
export function panelError(err: unknown): { message: string; file?: string } {
  if (err instanceof LensError && err.file) return { message: err.reason, file: err.file };
  return { message: err instanceof Error ? err.message : String(err) };
}
