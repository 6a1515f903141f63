import type { CliCommand } from './command';

/** Every subcommand of `embedding-lens`, in the order `--help` lists them. Each lives in its own file. */
export const commands: CliCommand[] = [
];
