import { LensError } from '../errors';
import { CAPS } from '../limits';
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
    throw new LensError(
      `the model input has rank ${shape.length} ${shapeText}; expected a 4-D image batch [N, H, W, C] or [N, C, H, W]`,
      opts.file,
    );
  }
  let layout: Layout;
  if (opts.layoutFixed) {
    layout = opts.defaultLayout;
    if (config.layout && config.layout !== layout)
      throw new LensError(`"layout" is ${config.layout} but this model kind only takes ${layout}`, where);
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
    throw new LensError(
      `channel mismatch: "channels" is ${config.channels} but the model input ${shapeText} (${layout}) takes ${modelC}`,
      where,
    );
  }
  let channels = (modelC ?? config.channels) as 1 | 3 | undefined;
  if (channels === undefined) {
    channels = 3;
    assumptions.push('3 input channels (RGB): the model input does not fix the channel count');
  }

  const sizes: number[] = [];
  for (const [name, d, c] of [
    ['height', hDim, config.height],
    ['width', wDim, config.width],
  ] as const) {
    const m = fixed(d);
    if (m !== undefined && c !== undefined && m !== c) {
      throw new LensError(
        `"inputSize" ${name} ${c} disagrees with the model input ${shapeText} (${layout}), which fixes it at ${m}`,
        where,
      );
    }
    // A size the model does not fix comes from the sidecar, a flag or a panel choice: bound it here
    // (not only where the sidecar is parsed) so every caller is covered — see CAPS.inputSide.
    if (m === undefined && c !== undefined && c > CAPS.inputSide.max) {
      throw new LensError(
        `"inputSize" ${name} ${c} is too large: at most ${CAPS.inputSide.max} pixels per side (${CAPS.inputSide.why})`,
        where,
      );
    }
    sizes.push(m ?? c ?? DEFAULT_SIZE);
  }
  if (fixed(hDim) === undefined && config.height === undefined)
    assumptions.push(`input size ${DEFAULT_SIZE}×${DEFAULT_SIZE}: the model input is dynamic`);

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
  const preprocess: Preprocess = { height: sizes[0], width: sizes[1], channels, mean, std, resize, layout };
  if (config.resample) preprocess.resample = config.resample;
  return { preprocess, assumptions };
}

/**
 * Most bytes of model input one batch may take (batch × H × W × C × 4). The input tensor is only
 * the start: a CNN's first activations (and onnxruntime's im2col buffers) are commonly 20–50× larger
 * — measured ~50× on the tiny test CNN at 2048² — so 64 MiB of input keeps a batch's peak at a few
 * GB whatever `--batch-size` and `inputSize` say. 224² RGB still runs 111 to a batch (the default 64
 * is untouched); 2048² grey runs 4; 4096² RGB one at a time.
 */
export const MAX_BATCH_INPUT_BYTES = 64 * 2 ** 20;

/** The largest batch whose input fits MAX_BATCH_INPUT_BYTES (at least 1: one image always runs). */
export function maxBatchForInput(pp: Pick<Preprocess, 'height' | 'width' | 'channels'>): number {
  return Math.max(1, Math.floor(MAX_BATCH_INPUT_BYTES / (pp.height * pp.width * pp.channels * 4)));
}

const MEMORY_ERROR = /memory|out of bounds|allocation|Array buffer|Invalid typed array length|too large/i;

/** True for the ways a backend says it ran out of memory (wasm's "memory access out of bounds" among them). */
export function isMemoryError(err: unknown): boolean {
  return MEMORY_ERROR.test((err as Error)?.message?.split('\n')[0] ?? String(err));
}

/**
 * A model that fails on its very first input (the load-time probe, n = 1) or runs out of memory on
 * a batch most often does so because of the input size: say which size, where it came from, and
 * what fixes it, instead of wasm's "memory access out of bounds" and a stack.
 */
export function probeFailure(err: unknown, pp: Preprocess, file: string, configFile: string | undefined, n = 1): LensError {
  if (err instanceof LensError) return err;
  const msg = (err as Error)?.message?.split('\n')[0] ?? String(err);
  const size = `${pp.height}×${pp.width}×${pp.channels}`;
  const from = configFile ? `; the input size comes from "inputSize" in ${configFile}` : '';
  if (isMemoryError(err)) {
    return n === 1
      ? new LensError(`ran out of memory running one ${size} input (${msg})${from} — use a smaller one`, configFile ?? file)
      : new LensError(
          `ran out of memory running a batch of ${n} ${size} inputs (${msg}); use a smaller --batch-size${from ? ` or a smaller "inputSize" in ${configFile}` : ''}`,
          file,
        );
  }
  return new LensError(
    `fails on a ${size} input (${msg}); check "inputSize", "channels" and "layout"${configFile ? ` in ${configFile}` : ''}`,
    file,
  );
}

/** Said when the input size alone lowers batches below the usual 64, so smaller batches are never silent. */
export function batchCapNote(pp: Pick<Preprocess, 'height' | 'width' | 'channels'>): string | undefined {
  const max = maxBatchForInput(pp);
  if (max >= 64) return undefined;
  const mib = (pp.height * pp.width * pp.channels * 4) / 2 ** 20;
  return `batches of at most ${max} image(s): one ${pp.height}×${pp.width}×${pp.channels} input is ${mib.toFixed(1)} MiB and a batch's input is capped at ${MAX_BATCH_INPUT_BYTES / 2 ** 20} MiB to bound memory`;
}

/** `embed` with out-of-memory failures turned into probeFailure's LensError (other errors pass as they are). */
export function withMemoryErrors(
  embed: (input: Float32Array, n: number) => Promise<Float32Array>,
  pp: Preprocess,
  file: string,
  configFile: string | undefined,
): (input: Float32Array, n: number) => Promise<Float32Array> {
  return async (input, n) => {
    try {
      return await embed(input, n);
    } catch (err) {
      throw isMemoryError(err) ? probeFailure(err, pp, file, configFile, n) : err;
    }
  };
}
