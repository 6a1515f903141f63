import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { confinedPath } from '../io/safeFile';
import { initTfjs } from '../runtime/tfjs';
import { CONFIG_FILE, readCheckpointConfig } from './config';
import type { LoadCheckpointOptions, LoadedModel } from './model';
import { loadOnnxModel } from './onnxModel';
import { fileSystemLoadHandler } from './tfjsIo';
import { loadTfjsModel } from './tfjsModel';

/**
 * Loads a chained checkpoint folder (a head-only fine-tune of an ONNX or GraphModel backbone; the
 * format is described at HeadSpec in config.ts) as one LoadedModel: the backbone through the
 * ordinary loaders, the head through tfjs, embed = head ∘ backbone. loadCheckpoint delegates here
 * when the sidecar has "head".
 */
export async function loadChainedCheckpoint(dir: string, opts: LoadCheckpointOptions = {}): Promise<LoadedModel> {
  const folder = resolve(dir);
  const file = join(folder, CONFIG_FILE);
  if (!existsSync(file)) throw new LensError(`has no ${CONFIG_FILE}; expected a chained backbone + head checkpoint folder`, folder);
  const { config, head: spec } = readCheckpointConfig(folder);
  if (!spec) throw new LensError('has no "head" field; this is not a chained backbone + head checkpoint', file);
  // Both names must stay inside the folder after symlinks too: a checkpoint is untrusted input.
  const backbonePath = await confinedPath(folder, spec.backbone, file, `"head.backbone" ${JSON.stringify(spec.backbone)}`);
  const headPath = await confinedPath(folder, spec.model, file, `"head.model" ${JSON.stringify(spec.model)}`);
  const backbone =
    extname(backbonePath).toLowerCase() === '.onnx'
      ? await loadOnnxModel(backbonePath, config, file, opts)
      : await loadTfjsModel(backbonePath, config, file, opts);
  const { tf } = await initTfjs(opts.backend ?? 'auto');
  let head: tfTypes.LayersModel;
  try {
    head = await tf.loadLayersModel(fileSystemLoadHandler(headPath));
  } catch (err) {
    await backbone.dispose();
    throw err instanceof LensError
      ? err
      : new LensError(`cannot be loaded as the tfjs head model: ${(err as Error).message}`, join(folder, spec.model));
  }
  const inDim = head.inputs[0].shape[1];
  if (inDim !== backbone.dim) {
    await backbone.dispose();
    head.dispose();
    throw new LensError(
      `the head takes ${inDim}-d features but the backbone's ${backbone.output.kind} output is ${backbone.dim}-d`,
      join(folder, spec.model),
    );
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
