import { extname, join, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { fileSystemLoadHandler, parseCheckpointConfig, type LoadCheckpointOptions, type LoadedModel } from '../checkpoint';
import { loadOnnxModel } from '../checkpoint/onnxModel';
import { loadTfjsModel } from '../checkpoint/tfjsModel';
import { LensError } from '../errors';
import { confinedPath, readJsonTextSync } from '../io/safeFile';
import { initTfjs } from '../runtime/tfjs';
import { SIDECAR } from './checkpointWriter';

/**
 * A head-only fine-tune of an ONNX or GraphModel backbone is saved as a "chained" checkpoint
 * folder: the backbone file copied as is, the head as a tfjs LayersModel (head.json +
 * head.weights.bin), and embedding-lens.json with the backbone's preprocessing and `output`, plus
 *   "head": {"backbone": "<file in the folder>", "model": "head.json", "dim": D}
 * (fine-tune.json beside it records how it was trained). The embedding is head(backbone(x) at `output`).
 */
export interface HeadSpec {
  backbone: string;
  model: string;
  dim: number;
}

/** The "head" field of a sidecar, checked; undefined when there is none. */
export function headSpecOf(raw: Record<string, unknown>, file: string): HeadSpec | undefined {
  const h = raw.head as Partial<HeadSpec> | undefined;
  if (h === undefined) return undefined;
  const name = (x: unknown) => typeof x === 'string' && x.length > 0 && !x.includes('..') && !x.startsWith('/');
  if (typeof h !== 'object' || h === null || !name(h.backbone) || !name(h.model) || !(Number.isInteger(h.dim) && h.dim! > 0)) {
    throw new LensError('"head" must be {"backbone": "<file in this folder>", "model": "head.json", "dim": <int>}', file);
  }
  return h as HeadSpec;
}

/** The sidecar without "head": what the ordinary checkpoint config parser reads. */
export function splitSidecar(raw: Record<string, unknown>): { config: Record<string, unknown>; head?: unknown } {
  const { head, ...config } = raw;
  return { config, head };
}

/**
 * Loads a chained checkpoint folder as one LoadedModel: the backbone through the ordinary
 * loaders, the head through tfjs, embed = head ∘ backbone. (checkpoint/loadCheckpoint should
 * delegate here when the sidecar has "head"; see the fine-tune report.)
 */
export async function loadChainedCheckpoint(dir: string, opts: LoadCheckpointOptions = {}): Promise<LoadedModel> {
  const folder = resolve(dir);
  const file = join(folder, SIDECAR);
  const text = readJsonTextSync(file, 'the sidecar of a chained backbone + head checkpoint');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new LensError(`cannot be read as JSON (${(err as Error).message}); expected the sidecar of a chained backbone + head checkpoint`, file);
  }
  const spec = headSpecOf(raw, file);
  if (!spec) throw new LensError('has no "head" field; this is not a chained backbone + head checkpoint', file);
  const config = parseCheckpointConfig(splitSidecar(raw).config, file);
  // Both names must stay inside the folder after symlinks too: a checkpoint is untrusted input.
  const backbonePath = await confinedPath(folder, spec.backbone, file, `"head.backbone" ${JSON.stringify(spec.backbone)}`);
  const headPath = await confinedPath(folder, spec.model, file, `"head.model" ${JSON.stringify(spec.model)}`);
  const backbone = extname(backbonePath).toLowerCase() === '.onnx'
    ? await loadOnnxModel(backbonePath, config, file, opts)
    : await loadTfjsModel(backbonePath, config, file, opts);
  const { tf } = await initTfjs(opts.backend ?? 'auto');
  let head: tfTypes.LayersModel;
  try {
    head = await tf.loadLayersModel(fileSystemLoadHandler(headPath));
  } catch (err) {
    await backbone.dispose();
    throw err instanceof LensError ? err : new LensError(`cannot be loaded as the tfjs head model: ${(err as Error).message}`, join(folder, spec.model));
  }
  const inDim = head.inputs[0].shape[1];
  if (inDim !== backbone.dim) {
    await backbone.dispose();
    head.dispose();
    throw new LensError(`the head takes ${inDim}-d features but the backbone's ${backbone.output.kind} output is ${backbone.dim}-d`, join(folder, spec.model));
  }
  const embed = async (x: Float32Array, n: number): Promise<Float32Array> => {
    const f = await backbone.embed(x, n);
    const y = tf.tidy(() => head.predict(tf.tensor2d(f, [n, backbone.dim])) as tfTypes.Tensor);
    try {
      return (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
  };
  return {
    ...backbone,
    path: folder,
    dim: spec.dim,
    outputName: `${backbone.outputName} → ${head.name}`,
    embed,
    dispose: async () => {
      head.dispose();
      await backbone.dispose();
    },
  };
}
