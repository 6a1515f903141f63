/**
 * `embedding-lens` — the headless entry point over src/core.
 * Exit codes: 0 success, 1 failure (a clear message on stderr), 2 bad usage.
 */
import { commands } from './cli/commands';
import { cliAbort } from './cli/command';
import { UsageError } from './cli/args';
import { LensError, isCancelled } from './core/errors';
import { fsErrorReason } from './core/io/outputs';

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    'Usage: embedding-lens <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `embedding-lens <command> --help` for the options of one command.',
  ].join('\n');
}

/**
 * One line for what the user can act on: a LensError as is, a Node system error (a file that
 * cannot be read or written) as "<path>: <what> (<code>)". Anything else is a bug: its stack.
 */
export function errorLine(err: unknown): string {
  if (err instanceof LensError) return err.message;
  const sys = err as NodeJS.ErrnoException | undefined;
  if (err instanceof Error && typeof sys?.code === 'string' && typeof sys.syscall === 'string') {
    const what = fsErrorReason(sys.code, sys.message);
    return sys.path ? `${sys.path}: ${what} (${sys.code})` : `${what} (${sys.code}, ${sys.syscall})`;
  }
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`embedding-lens: unknown command "${name}"\n\n${mainHelp()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.usage + '\n');
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`embedding-lens ${name}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (isCancelled(err)) {
      process.stderr.write(`embedding-lens ${name}: cancelled\n`);
      return 1;
    }
    process.stderr.write(`embedding-lens ${name}: ${errorLine(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // First Ctrl-C asks the engine to stop cleanly (no partial cache or checkpoint); a second one kills.
  process.once('SIGINT', () => cliAbort.abort());
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`embedding-lens: ${errorLine(err)}\n`);
      process.exitCode = 1;
    },
  );
}
