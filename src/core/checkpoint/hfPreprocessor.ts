import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LensError } from '../errors';
import { readJsonTextSync } from '../io/safeFile';
import { CheckpointConfig, parseCheckpointConfig, RESAMPLES, type Resample } from './config';

/** Hugging Face exports (optimum, transformers) keep the input recipe beside the model in this file. */
export const HF_PREPROCESSOR_FILE = 'preprocessor_config.json';

/** PIL resample codes as transformers writes them; box (4) and hamming (5) have no sharp kernel. */
const PIL_RESAMPLE: Record<number, string> = { 0: 'nearest', 1: 'lanczos', 2: 'bilinear', 3: 'bicubic', 4: 'box', 5: 'hamming' };

type Size = number | { height?: number; width?: number; shortest_edge?: number };

/** [h, w] from an HF size field: 224, {"height": 224, "width": 224} or {"shortest_edge": 224}. */
function sideOf(s: Size | undefined): [number, number] | undefined {
  if (typeof s === 'number') return [s, s];
  if (s && typeof s === 'object') {
    if (typeof s.height === 'number' && typeof s.width === 'number') return [s.height, s.width];
    if (typeof s.shortest_edge === 'number') return [s.shortest_edge, s.shortest_edge];
  }
  return undefined;
}

/**
 * Reads preprocessor_config.json beside a model (image_mean, image_std, size / crop_size,
 * do_center_crop, resample) as the lowest-priority settings: embedding-lens.json and flags still win.
 * Validated like embedding-lens.json (same bounds), so a hostile one is an error naming it.
 * `undefined` when there is none.
 */
export function readHfPreprocessorConfig(modelFile: string): { config: CheckpointConfig; file: string; note: string } | undefined {
  const file = join(dirname(modelFile), HF_PREPROCESSOR_FILE);
  if (!existsSync(file)) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readJsonTextSync(file, 'a Hugging Face preprocessor_config.json'));
  } catch (err) {
    if (err instanceof LensError) throw err;
    throw new LensError(`is not valid JSON (${(err as Error).message}); expected a Hugging Face image processor config`, file);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new LensError('expected a JSON object (a Hugging Face image processor config)', file);
  const mapped: Record<string, unknown> = {};
  const used: string[] = [];
  if (raw.do_normalize !== false) {
    if (raw.image_mean !== undefined) {
      mapped.mean = raw.image_mean;
      used.push('image_mean');
    }
    if (raw.image_std !== undefined) {
      mapped.std = raw.image_std;
      used.push('image_std');
    }
  }
  const crop = raw.do_center_crop === true ? sideOf(raw.crop_size as Size) : undefined;
  const size = sideOf(raw.size as Size);
  if (crop) {
    mapped.inputSize = crop;
    mapped.resize = 'crop';
    used.push('crop_size');
  } else if (size) {
    mapped.inputSize = size;
    // {"shortest_edge"} without a crop keeps the aspect ratio; a fixed height × width is a plain resize.
    mapped.resize = typeof raw.size === 'object' && raw.size !== null && 'shortest_edge' in raw.size ? 'crop' : 'stretch';
    used.push('size');
  }
  const pil = typeof raw.resample === 'number' ? (PIL_RESAMPLE[raw.resample] ?? `code ${raw.resample}`) : undefined;
  let unmatched: string | undefined;
  if (pil && RESAMPLES.includes(pil as Resample)) {
    mapped.resample = pil;
    used.push('resample');
  } else if (pil)
    unmatched = `; its resample ${pil} has no sharp equivalent, images are resized with Lanczos-3 (set "resample" in embedding-lens.json to choose)`;
  const config = parseCheckpointConfig(mapped, file);
  const note = `input from ${HF_PREPROCESSOR_FILE} (${used.join(', ') || 'no usable fields'}${config.resize ? `, resize ${config.resize}` : ''}${config.resample ? `, ${config.resample} filter` : ''})${unmatched ?? ''}`;
  return { config, file, note };
}
