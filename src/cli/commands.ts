import type { CliCommand } from './command';
import { inspectCommand } from './inspect';
import { compareCommand } from './compare';
import { demoCommand } from './demo';
import { projectCommand } from './project';
import { finetuneCommand } from './finetune';
import { embedCommand } from './embed';
import { metricsCommand } from './metrics';
import { eetCommand } from './eet';
import { gpuCommand } from './gpu';

/** Every subcommand of `embedding-lens`, in the order `--help` lists them. Each lives in its own file. */
export const commands: CliCommand[] = [
  inspectCommand,
  compareCommand,
  demoCommand,
  projectCommand,
  finetuneCommand,
  embedCommand,
  metricsCommand,
  eetCommand,
  gpuCommand,
];
