import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { LensError } from '../errors';
import { readJsonTextSync } from '../io/safeFile';
import { CAPS } from '../limits';

/** How a token sequence ([n, tokens, d]) or feature map ([n, C, H, W] / [n, H, W, C]) becomes one vector per image. */
export type OutputPool = 'cls' | 'mean' | 'gap';

/** Which tensor of the model is the embedding (`pool`: reduce it rather than flatten it). */
export type OutputChoice = { kind: 'last' } | { kind: 'penultimate' } | { kind: 'named'; name: string; pool?: OutputPool };

export type Layout = 'NHWC' | 'NCHW';
export type ResizeMode = 'crop' | 'stretch';
/**
 * The filter images are resized with. Left out, sharp's default (Lanczos-3) is used; a model
 * trained on bilinear or bicubic inputs (most Hugging Face image processors say which, as PIL's
 * `resample`) embeds measurably differently otherwise.
 */
export type Resample = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos';
export const RESAMPLES: readonly Resample[] = ['nearest', 'bilinear', 'bicubic', 'lanczos'];

/** Everything needed to turn an image file into the model's input, fully resolved. */
export interface Preprocess {
  height: number;
  width: number;
  channels: 1 | 3;
  /** Per channel, in [0,1] pixel units: x = (pixel/255 − mean) / std. */
  mean: number[];
  std: number[];
  /** crop: resize the short side then centre-crop; stretch: resize both sides, ignoring aspect. */
  resize: ResizeMode;
  layout: Layout;
  /** Absent: sharp's default filter (Lanczos-3), as before the setting existed. */
  resample?: Resample;
}

/** The optional `embedding-lens.json` beside a checkpoint; every field may be left out. */
export interface CheckpointConfig {
  output?: OutputChoice;
  height?: number;
  width?: number;
  channels?: 1 | 3;
  mean?: number[];
  std?: number[];
  resize?: ResizeMode;
  layout?: Layout;
  /** A token-sequence output ([n, tokens, d]) becomes token 0 (cls, the default) or the token mean. */
  pool?: 'cls' | 'mean';
  resample?: Resample;
}

export const CONFIG_FILE = 'embedding-lens.json';

/** The config file that applies to a checkpoint path (a file, or a folder holding model.json). */
export function configPathFor(checkpointPath: string): string {
  const dir = existsSync(checkpointPath) && statSync(checkpointPath).isDirectory() ? checkpointPath : dirname(checkpointPath);
  return join(dir, CONFIG_FILE);
}

/**
 * A head-only fine-tune of an ONNX or GraphModel backbone is saved as a "chained" checkpoint
 * folder (checkpoint/chained.ts loads it): the backbone file copied as is, the head as a tfjs
 * LayersModel, and in this sidecar, beside the backbone's preprocessing and `output`,
 *   "head": {"backbone": "<file in the folder>", "model": "head.json", "dim": D}
 */
export interface HeadSpec {
  backbone: string;
  model: string;
  dim: number;
}

/** The "head" field of a parsed sidecar, checked; undefined when there is none. The one reader of that field. */
export function headSpecOf(raw: unknown, file: string): HeadSpec | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const h = (raw as { head?: Partial<HeadSpec> }).head;
  if (h === undefined) return undefined;
  // Names only, inside the folder: the loaders also confine them after symlinks (confinedPath).
  const name = (x: unknown) => typeof x === 'string' && x.length > 0 && !x.includes('..') && !isAbsolute(x);
  if (typeof h !== 'object' || h === null || !name(h.backbone) || !name(h.model) || !(Number.isInteger(h.dim) && h.dim! > 0)) {
    throw new LensError('"head" must be {"backbone": "<file in this folder>", "model": "head.json", "dim": <int>}', file);
  }
  return { backbone: h.backbone!, model: h.model!, dim: h.dim! };
}

/** The sidecar that applies to a checkpoint path: its settings and, for a chained checkpoint, its head. */
export function readCheckpointConfig(checkpointPath: string): { config: CheckpointConfig; file?: string; head?: HeadSpec } {
  const file = configPathFor(checkpointPath);
  if (!existsSync(file)) return { config: {} };
  const text = readJsonTextSync(file, 'a JSON sidecar (embedding-lens.json)');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new LensError(
      `is not valid JSON (${(err as Error).message}); expected an object like {"inputSize": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "resize": "crop", "output": "penultimate"}`,
      file,
    );
  }
  return { config: parseCheckpointConfig(raw, file), file, head: headSpecOf(raw, file) };
}

/** An output choice as embedding-lens.json writes it: "last", "penultimate" or {"name", "pool"?}. */
export function outputChoiceJson(o: OutputChoice): string | { name: string; pool?: OutputPool } {
  return o.kind === 'named' ? { name: o.name, ...(o.pool ? { pool: o.pool } : {}) } : o.kind;
}

/** Validates the config strictly: a typo must be an error, not a silently different embedding. */
export function parseCheckpointConfig(raw: unknown, file: string): CheckpointConfig {
  const bad = (msg: string): never => {
    throw new LensError(msg, file);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('expected a JSON object');
  const o = raw as Record<string, unknown>;
  // "head" marks a chained backbone + head checkpoint written by a head-only fine-tune (headSpecOf checks it).
  const known = ['output', 'inputSize', 'channels', 'mean', 'std', 'resize', 'resample', 'layout', 'pool', 'head'];
  for (const k of Object.keys(o)) if (!known.includes(k)) bad(`unknown key "${k}"; expected only ${known.join(', ')}`);
  const c: CheckpointConfig = {};
  if (o.output !== undefined) {
    if (o.output === 'last' || o.output === 'penultimate') c.output = { kind: o.output };
    else if (typeof o.output === 'object' && o.output !== null && typeof (o.output as { name?: unknown }).name === 'string') {
      const { name, pool, ...rest } = o.output as { name: string; pool?: unknown };
      if (Object.keys(rest).length) bad(`"output" has unknown key "${Object.keys(rest)[0]}"; expected only "name" and "pool"`);
      if (pool !== undefined && pool !== 'cls' && pool !== 'mean' && pool !== 'gap')
        bad('"output.pool" must be "cls" (token 0), "mean" (mean over tokens) or "gap" (global average pooling of a feature map)');
      c.output = pool === undefined ? { kind: 'named', name } : { kind: 'named', name, pool: pool as OutputPool };
    } else
      bad('"output" must be "last", "penultimate" or {"name": "<output or layer name>"} (optionally with "pool": "cls" | "mean" | "gap")');
  }
  if (o.inputSize !== undefined) {
    const s = o.inputSize;
    // Bounded because every image becomes H×W×C floats before the first layer: 8192² RGB is 768 MiB
    // per image, which crashed wasm ("memory access out of bounds") and stalled the CPU backend.
    const side = CAPS.inputSide.max;
    const ok = (x: unknown) => Number.isInteger(x) && (x as number) > 0;
    const sides = ok(s)
      ? [s as number, s as number]
      : Array.isArray(s) && s.length === 2 && s.every(ok)
        ? (s as [number, number])
        : undefined;
    if (!sides) bad('"inputSize" must be a positive integer or [height, width]');
    if (sides!.some((x) => x > side))
      bad(`"inputSize" ${JSON.stringify(s)} is too large: at most ${side} pixels per side (${CAPS.inputSide.why})`);
    [c.height, c.width] = sides!;
  }
  if (o.channels !== undefined) {
    if (o.channels !== 1 && o.channels !== 3) bad('"channels" must be 1 (grey) or 3 (RGB)');
    c.channels = o.channels as 1 | 3;
  }
  for (const key of ['mean', 'std'] as const) {
    const v = o[key];
    if (v === undefined) continue;
    const list = typeof v === 'number' ? [v] : v;
    if (!Array.isArray(list) || list.length === 0 || list.length > 3 || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      bad(`"${key}" must be a number or a list of 1 or 3 numbers (per channel, pixels scaled to [0,1])`);
    }
    if (key === 'std' && (list as number[]).some((x) => x <= 0)) bad('"std" values must be > 0');
    c[key] = list as number[];
  }
  if (o.resize !== undefined) {
    if (o.resize !== 'crop' && o.resize !== 'stretch') bad('"resize" must be "crop" (centre-crop) or "stretch"');
    c.resize = o.resize as ResizeMode;
  }
  if (o.resample !== undefined) {
    if (!RESAMPLES.includes(o.resample as Resample))
      bad(`"resample" must be ${RESAMPLES.map((r) => `"${r}"`).join(', ')} (the filter images are resized with)`);
    c.resample = o.resample as Resample;
  }
  if (o.layout !== undefined) {
    if (o.layout !== 'NHWC' && o.layout !== 'NCHW') bad('"layout" must be "NHWC" or "NCHW"');
    c.layout = o.layout as Layout;
  }
  if (o.pool !== undefined) {
    if (o.pool !== 'cls' && o.pool !== 'mean')
      bad('"pool" must be "cls" (token 0 of a token-sequence output) or "mean" (the mean over tokens)');
    c.pool = o.pool as 'cls' | 'mean';
  }
  return c;
}
