import { writeJsonAtomic } from '../core/io/outputs';

/** One CLI subcommand. `run` returns the exit code: 0 success, 1 failure (UsageError → 2 is handled by the dispatcher). */
export interface CliCommand {
  name: string;
  summary: string;
  /** Full help text printed by `embedding-lens <name> --help` and on a usage error. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/**
 * Writes a result as pretty JSON to `--out` when given (atomically: a full disk leaves the previous
 * file intact), else to stdout.
 */
export async function writeJson(value: unknown, out?: string): Promise<void> {
  if (out) await writeJsonAtomic(out, value);
  else process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Aborted on Ctrl-C: every long-running subcommand passes this signal to the engine. */
export const cliAbort = new AbortController();
