/**
 * An error meant for the user: it names the file (when there is one) and what was expected,
 * so the CLI can print it as is and the extension can show it in a notification.
 */
export class LensError extends Error {
  /** The message without the file in front, for places that show the file apart (a panel's banner). */
  readonly reason: string;
  constructor(
    message: string,
    readonly file?: string,
    readonly code: string = 'E_LENS',
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'LensError';
    this.reason = message;
  }
}

/** Thrown when an AbortSignal fired; callers treat it as "stopped by the user", not a failure. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError');
}
