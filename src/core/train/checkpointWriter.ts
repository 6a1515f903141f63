import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { LensError } from '../errors';

/** The sidecar every checkpoint folder may hold (B's checkpoint/config.ts reads it). */
export const SIDECAR = 'embedding-lens.json';
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

function isInside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && r !== '..');
}

/**
 * The output may be new, an empty folder, or an earlier fine-tune output (it holds
 * fine-tune.json); never the source's folder, a folder holding the source, or anything else.
 */
export function assertWritableOutDir(outDir: string, checkpoint: string): void {
  const out = resolve(outDir);
  const src = resolve(checkpoint);
  const srcFolder = sourceFolder(checkpoint);
  if (out === srcFolder || isInside(src, out)) {
    throw new LensError(`is the source checkpoint's folder (or holds it); fine-tuning writes a new folder and never over the source — choose another --out`, out);
  }
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new LensError('exists and is not a folder; expected a new folder for the fine-tuned checkpoint', out);
  if (isFineTuneOutput(out)) return;
  const entries = readdirSync(out);
  if (entries.length > 0) {
    throw new LensError(`already exists and is not an earlier fine-tune output (no ${FINE_TUNE_FILE}); choose a new folder`, out);
  }
}

function isFineTuneOutput(dir: string): boolean {
  try {
    const j = JSON.parse(readFileSync(join(dir, FINE_TUNE_FILE), 'utf8')) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && Array.isArray(j.history);
  } catch {
    return false;
  }
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
      const bytes = data === undefined ? new Uint8Array(0) : Array.isArray(data) ? Buffer.concat(data.map((d) => Buffer.from(d))) : Buffer.from(data);
      await writeFile(join(dir, bin), bytes);
      await writeFile(join(dir, `${stem}.json`), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.length } };
    }),
  );
}

/** Lists everything under a folder (relative paths), for tests and for copying a GraphModel's files. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}
