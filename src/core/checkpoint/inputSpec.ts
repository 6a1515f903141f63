import { LensError } from '../errors';
import type { CheckpointConfig, Layout, Preprocess } from './config';

/** A dimension as models report it: a number when fixed, null/−1/a symbol name when dynamic. */
export type Dim = number | string | null | undefined;

const fixed = (d: Dim): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
const isChan = (d: Dim) => d === 1 || d === 3;

export const DEFAULT_SIZE = 224;

/**
 * Resolves the preprocessing from the model's input shape and the optional config, checking
 * they agree. Everything taken neither from the model nor from the config is pushed to
 * `assumptions`, which the panel and CLI show, so a guessed size is never silent.
 */
export function resolvePreprocess(
  shape: readonly Dim[],
  config: CheckpointConfig,
  opts: { file: string; configFile?: string; defaultLayout: Layout; layoutFixed?: boolean },
): { preprocess: Preprocess; assumptions: string[] } {
  const assumptions: string[] = [];
  const where = opts.configFile ?? 'embedding-lens.json';
  const shapeText = `[${shape.map((d) => fixed(d) ?? '?').join(', ')}]`;
  if (shape.length !== 4) {
    throw new LensError(`the model input has rank ${shape.length} ${shapeText}; expected a 4-D image batch [N, H, W, C] or [N, C, H, W]`, opts.file);
  }
  let layout: Layout;
  if (opts.layoutFixed) {
    layout = opts.defaultLayout;
    if (config.layout && config.layout !== layout) throw new LensError(`"layout" is ${config.layout} but this model kind only takes ${layout}`, where);
  } else if (config.layout) layout = config.layout;
  else if (isChan(shape[1]) && !isChan(shape[3])) layout = 'NCHW';
  else if (isChan(shape[3]) && !isChan(shape[1])) layout = 'NHWC';
  else {
    layout = opts.defaultLayout;
    assumptions.push(`input layout ${layout} (the input shape ${shapeText} does not tell)`);
  }
  const [hDim, wDim, cDim] = layout === 'NHWC' ? [shape[1], shape[2], shape[3]] : [shape[2], shape[3], shape[1]];

  const modelC = fixed(cDim);
  if (modelC !== undefined && modelC !== 1 && modelC !== 3) {
    throw new LensError(`the model input ${shapeText} (${layout}) has ${modelC} channels; expected 1 (grey) or 3 (RGB)`, opts.file);
  }
  if (modelC !== undefined && config.channels !== undefined && config.channels !== modelC) {
    throw new LensError(`channel mismatch: "channels" is ${config.channels} but the model input ${shapeText} (${layout}) takes ${modelC}`, where);
  }
  let channels = (modelC ?? config.channels) as 1 | 3 | undefined;
  if (channels === undefined) {
    channels = 3;
    assumptions.push('3 input channels (RGB): the model input does not fix the channel count');
  }

  const sizes: number[] = [];
  for (const [name, d, c] of [['height', hDim, config.height], ['width', wDim, config.width]] as const) {
    const m = fixed(d);
    if (m !== undefined && c !== undefined && m !== c) {
      throw new LensError(`"inputSize" ${name} ${c} disagrees with the model input ${shapeText} (${layout}), which fixes it at ${m}`, where);
    }
    sizes.push(m ?? c ?? DEFAULT_SIZE);
  }
  if (fixed(hDim) === undefined && config.height === undefined) assumptions.push(`input size ${DEFAULT_SIZE}×${DEFAULT_SIZE}: the model input is dynamic`);

  const perChannel = (v: number[] | undefined, name: string, dflt: number): number[] => {
    if (!v) return Array(channels).fill(dflt);
    if (v.length === 1) return Array(channels).fill(v[0]);
    if (v.length !== channels) throw new LensError(`"${name}" has ${v.length} values but the model takes ${channels} channel(s)`, where);
    return v;
  };
  const mean = perChannel(config.mean, 'mean', 0);
  const std = perChannel(config.std, 'std', 1);
  if (!config.mean && !config.std) assumptions.push('pixels scaled to [0, 1] without mean/std normalisation');
  const resize = config.resize ?? 'crop';
  if (!config.resize) assumptions.push('resize: short side to the input size, then centre-crop');
  return { preprocess: { height: sizes[0], width: sizes[1], channels, mean, std, resize, layout }, assumptions };
}
