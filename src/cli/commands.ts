import type { CliCommand } from './command';
import { finetuneCommand } from './finetune';
import { embedCommand } from './embed';

/** Every subcommand of `embedding-lens`, in the order `--help` lists them. Each lives in its own file. */
export const commands: CliCommand[] = [
  finetuneCommand,
  embedCommand,
];
