import type { CliCommand } from './command';
import { projectCommand } from './project';
import { finetuneCommand } from './finetune';
import { embedCommand } from './embed';

/** Every subcommand of `embedding-lens`, in the order `--help` lists them. Each lives in its own file. */
export const commands: CliCommand[] = [
  projectCommand,
  finetuneCommand,
  embedCommand,
];
