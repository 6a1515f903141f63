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
