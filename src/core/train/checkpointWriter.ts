import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { LensError } from '../errors';
import type { FineTuneResult } from './options';
import { checkpointFiles, resolveCheckpointPath } from '../checkpoint';
import { sameFile } from '../io/outputs';
import { readJsonTextSync } from '../io/safeFile';
import { isInside, realPathOf } from '../util/paths';
import { listEntries, swapIntoPlace, unexpectedEntry } from '../util/atomicDir';

/** How a fine-tuned checkpoint was made: source, dataset, settings, split, per-epoch history. */
export const FINE_TUNE_FILE = 'fine-tune.json';

/** The folder that is "the checkpoint": model.json's folder, or the .onnx file's own folder. */
export function sourceFolder(checkpoint: string): string {
  const p = resolve(checkpoint);
  return existsSync(p) && statSync(p).isDirectory() ? p : dirname(p);
}

/**
 * A new folder beside the source, never over it: for a model.json checkpoint the sibling
 * `<folder>-eet-N`; for a single .onnx file `<file stem>-eet-N` next to it. N is the first free.
 */
export function defaultOutDir(checkpoint: string): string {
  const p = resolve(checkpoint);
  const isModelFile = !(existsSync(p) && statSync(p).isDirectory()) && extname(p).toLowerCase() === '.onnx';
  const base = isModelFile ? join(dirname(p), basename(p, extname(p))) : sourceFolder(p);
  for (let n = 1; ; n++) {
    const candidate = `${base}-eet-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

interface Involved {
  path: string;
  real: string;
  stats?: Stats;
}

function involvedOf(path: string): Involved {
  const p = resolve(path);
  let stats: Stats | undefined;
  try {
    stats = statSync(p);
  } catch {
    // Missing: compared by path only.
  }
  return { path: p, real: realPathOf(p), stats };
}

/**
 * The output may be new, an empty folder, or an earlier fine-tune output that holds exactly what a
 * fine-tune writes (its fine-tune.json lists the files); never the source's folder, a folder that
 * holds any file of the source checkpoint or the dataset, a folder inside the dataset, or anything
 * else. Paths are compared as real paths (symlinks followed) and every file as (device, inode),
 * so `latest → src` or a hard link cannot smuggle the source in.
 */
export async function assertWritableOutDir(outDir: string, checkpoint: string, dataset?: string): Promise<void> {
  const out = resolve(outDir);
  const outReal = realPathOf(out);
  const srcFolder = involvedOf(sourceFolder(checkpoint));
  const files = (await checkpointFiles(resolveCheckpointPath(resolve(checkpoint)))).map((f) => involvedOf(f.file));
  const data = dataset ? involvedOf(dataset) : undefined;
  const refuseSource = (what: string) =>
    new LensError(`${what}; fine-tuning writes a new folder and never over the source — choose another --out`, out);
  let outStats: Stats | undefined;
  try {
    outStats = statSync(out);
  } catch {
    // A new folder.
  }
  if (outReal === srcFolder.real || sameFile(outStats, srcFolder.stats))
    throw refuseSource(`is the source checkpoint's folder ${srcFolder.path}`);
  for (const f of files) {
    if (f.stats && isInside(outReal, f.real)) throw refuseSource(`holds ${f.path}, a file of the source checkpoint`);
  }
  if (data) {
    if (isInside(outReal, data.real))
      throw new LensError(`holds the dataset ${data.path}; choose a new folder for the fine-tuned checkpoint`, out);
    if (data.stats?.isDirectory() && isInside(data.real, outReal))
      throw new LensError(`is inside the dataset ${data.path}; the dataset is never written — choose another --out`, out);
  }
  if (!outStats) return;
  if (!outStats.isDirectory()) throw new LensError('exists and is not a folder; expected a new folder for the fine-tuned checkpoint', out);
  if (readdirSync(out).length === 0) return;
  assertFineTuneOutput(out);
  // A hard link to a source file (or the dataset) inside the output would be dropped with it.
  const inputs = [...files, ...(data && !data.stats?.isDirectory() ? [data] : [])].filter((f) => f.stats);
  for (const rel of listEntries(out)) {
    let st: Stats;
    try {
      st = statSync(join(out, rel));
    } catch {
      continue;
    }
    const same = inputs.find((f) => sameFile(st, f.stats));
    if (same) throw refuseSource(`holds ${rel}, which is the same file as ${same.path}`);
  }
}

/** The record of an earlier fine-tune output, when `dir` holds a readable one. */
function readRecord(dir: string): Record<string, unknown> | undefined {
  try {
    // Checked read: a fine-tune.json planted as a FIFO or a huge file must not hang the check.
    const j = JSON.parse(readJsonTextSync(join(dir, FINE_TUNE_FILE), 'a fine-tune record (fine-tune.json)')) as unknown;
    return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Throws unless `dir` holds exactly what a fine-tune wrote there: a fine-tune.json whose `files`
 * list names every entry in the folder. Anything else (a dataset, thesis.tex) is named; an older
 * output without the list is refused, since what else it holds cannot be told.
 */
export function assertFineTuneOutput(dir: string): void {
  const record = readRecord(dir);
  if (!record || !Array.isArray(record.history)) {
    throw new LensError(`already exists and is not an earlier fine-tune output (no ${FINE_TUNE_FILE}); choose a new folder`, dir);
  }
  const files = record.files;
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) {
    throw new LensError(
      `is an earlier fine-tune output without the list of files it wrote (an older version); nothing there is replaced — move it away or choose a new folder`,
      dir,
    );
  }
  const stray = unexpectedEntry(dir, [...(files as string[]), FINE_TUNE_FILE]);
  if (stray !== undefined) {
    throw new LensError(
      `holds ${stray}, which a fine-tune did not write; nothing there is replaced — move it away or choose a new folder`,
      dir,
    );
  }
}

/** Empty (or missing), or a verified fine-tune output: what the atomic swap may replace. */
export function assertReplaceableOutput(dir: string): void {
  if (!existsSync(dir) || readdirSync(dir).length === 0) return;
  assertFineTuneOutput(dir);
}

/** What an earlier output at `dir` achieved, for deciding whether a new run replaces it. */
export interface EarlierRun {
  dir: string;
  mapAtR: number;
  dataset?: string;
  validation?: unknown;
}

/** The earlier fine-tune output at `dir` (already verified), or undefined when `dir` is new or empty. */
export function earlierRun(dir: string): EarlierRun | undefined {
  if (!existsSync(dir) || readdirSync(dir).length === 0) return undefined;
  const r = readRecord(dir)!;
  const history = (r.history ?? []) as { epoch?: number; val?: { mapAtR?: number } }[];
  const best = history.find((h) => h.epoch === r.bestEpoch) ?? history[0];
  const mapAtR = typeof best?.val?.mapAtR === 'number' ? best.val.mapAtR : -Infinity;
  return { dir, mapAtR, dataset: typeof r.dataset === 'string' ? r.dataset : undefined, validation: r.validation };
}

/** Where a new run goes when `outDir` holds an earlier result: the first free `<out>-run-N`, N ≥ 2. */
export function runDirFor(outDir: string): string {
  for (let n = 2; ; n++) {
    const candidate = `${resolve(outDir)}-run-${n}`;
    if (!existsSync(candidate)) return candidate;
  }
}

/**
 * Puts the finished run at `runDir` in place of the earlier output at `outDir`: both are verified
 * as fine-tune outputs, the earlier one is moved aside, verified again and only then dropped.
 */
export async function replaceEarlierRun(runDir: string, outDir: string): Promise<void> {
  assertFineTuneOutput(runDir);
  await swapIntoPlace(runDir, outDir, assertReplaceableOutput);
}

export { writeDirAtomically } from '../util/atomicDir';

/**
 * Saves a LayersModel as `<stem>.json` + `<stem>.bin` in `dir` (tfjs's own format: topology plus
 * one weight shard). Plain tfjs has no file:// saver in Node, hence the save handler.
 */
export async function saveLayersModel(tf: typeof tfTypes, model: tfTypes.LayersModel, dir: string, stem = 'model'): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const bin = `${stem}.weights.bin`;
      const json = {
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: [bin], weights: a.weightSpecs ?? [] }],
      };
      const data = a.weightData;
      const bytes =
        data === undefined ? new Uint8Array(0) : Array.isArray(data) ? Buffer.concat(data.map((d) => Buffer.from(d))) : Buffer.from(data);
      await writeFile(join(dir, bin), bytes);
      await writeFile(join(dir, `${stem}.json`), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
    }),
  );
}

/**
 * What to ask the user (VS Code: keep the earlier result, or replace it) when a finished run was
 * written beside an earlier result and did not replace it; undefined when there is nothing to ask
 * (no earlier result, it was replaced, or the run was cancelled or failed — those never replace).
 */
export function keepOrReplaceQuestion(result: FineTuneResult): string | undefined {
  const e = result.earlier;
  if (!e || e.replaced || result.cancelled || result.error) return undefined;
  const now = result.best.mapAtR.toFixed(4);
  const why = e.comparable
    ? `did not beat the earlier result (best map@r ${now}, earlier ${e.mapAtR.toFixed(4)})`
    : `was validated on a different split than the earlier result, so the two cannot be compared (best map@r ${now}, earlier ${e.mapAtR.toFixed(4)})`;
  return `The new fine-tune ${why}. It is in ${e.runDir}. Replace the earlier result in ${e.outDir} with it?`;
}
