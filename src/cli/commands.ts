import type { CliCommand } from './command';
import { projectCommand } from './project';
import { finetuneCommand } from './finetune';
import { embedCommand } from './embed';
import { metricsCommand } from './metrics';
import { eetCommand } from './eet';

/** Every subcommand of `embedding-lens`, in the order `--help` lists them. Each lives in its own file. */
export const commands: CliCommand[] = [
  projectCommand,
  finetuneCommand,
  embedCommand,
  metricsCommand,
  eetCommand,
];
