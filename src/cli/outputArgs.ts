/**
 * Output flags (--out, --json, --csv) checked before any work starts: the right extension (a usage
 * error, exit 2), then — through the one shared checker in core/io/outputs — not an input of the
 * run, not a folder or device, and a folder that exists and is writable (exit 1, naming the file).
 */
import { dirname, join, resolve } from 'node:path';
import { LensError } from '../core/errors';
import { checkpointFiles, resolveCheckpointPath } from '../core/checkpoint';
import { assertOutputFile, assertWritableFolder, outputExtensionProblem } from '../core/io/outputs';
import { isInside, lstatOrUndefined, realPathOf } from '../core/util/paths';
import { stringFlag, UsageError, type ParsedArgs } from './args';

/** The resolved path of an output flag, or undefined when absent; a wrong extension is a usage error. */
export function outputFlag(args: ParsedArgs, name: string, exts: readonly string[]): string | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  if (v.trim() === '') throw new UsageError(`--${name} needs a file name`);
  const problem = outputExtensionProblem(v, exts);
  if (problem) throw new UsageError(`--${name} ${problem}`);
  return resolve(v);
}

/**
 * What a checkpoint argument stands for: the argument itself (a folder given as the checkpoint is
 * never written inside) and every file of the checkpoint — model, shards or external data, sidecar,
 * a chained head — as the loaders validate them, so a malicious checkpoint fails here, before work.
 */
export async function checkpointInputs(checkpoint: string | undefined): Promise<string[]> {
  if (!checkpoint) return [];
  const arg = resolve(checkpoint);
  return [arg, ...(await checkpointFiles(resolveCheckpointPath(arg))).map((f) => f.file)];
}

export interface PlannedOutput {
  flag: string;
  file: string | undefined;
}

/**
 * Checks every output of a run against its inputs and against each other, before any work: two
 * outputs may not be the same file either (`embed --out x.npy --json x.meta.json`).
 */
export async function checkOutputs(outputs: readonly PlannedOutput[], inputs: readonly (string | undefined)[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const o of outputs) {
    if (!o.file) continue;
    const real = realPathOf(o.file);
    const other = seen.get(real);
    if (other) throw new LensError(`is named by both ${other} and ${o.flag}; each output needs its own file`, o.file);
    seen.set(real, o.flag);
    await assertOutputFile({ file: o.file, inputs, flag: o.flag });
  }
}

/**
 * A folder output (compare --csv DIR): an existing DIR must be a folder, a new one needs an
 * existing writable parent, and each file written into it is checked like any output.
 */
export async function checkOutputFolder(
  flag: string,
  dir: string | undefined,
  names: readonly string[],
  inputs: readonly (string | undefined)[],
): Promise<void> {
  if (!dir) return;
  const st = lstatOrUndefined(dir);
  const isDir = !!st;
  if (st) {
    if (!st.isDirectory()) throw new LensError(`${flag} exists and is not a folder; expected a folder for the CSV files`, dir);
  } else {
    await assertWritableFolder(dirname(dir), dir, `${flag} `);
  }
  if (isDir)
    await checkOutputs(
      names.map((n) => ({ flag, file: join(dir, n) })),
      inputs,
    );
  else {
    for (const input of inputs) {
      if (input && lstatOrUndefined(input)?.isDirectory() && isInside(realPathOf(input), realPathOf(dir))) {
        throw new LensError(
          `${flag} is inside ${input}, an input of this run; outputs are never written among the inputs — choose another place`,
          dir,
        );
      }
    }
  }
}
