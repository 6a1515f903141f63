import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { LensError } from '../errors';

/** The parts of a `model.json` this loader reads. */
export interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology?: Record<string, unknown>;
  trainingConfig?: unknown;
  weightsManifest?: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  signature?: unknown;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: unknown;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes one weight takes in its shard (quantised weights are stored in their quantised dtype). */
export function weightByteLength(w: io.WeightsManifestEntry): number {
  const size = w.shape.reduce((a, b) => a * b, 1);
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = BYTES[dtype];
  if (per === undefined) throw new Error(`unsupported weight dtype "${dtype}" for ${w.name}`);
  return size * per;
}

export async function readModelJson(modelJsonPath: string): Promise<ModelJson> {
  let text: string;
  try {
    text = await readFile(modelJsonPath, 'utf8');
  } catch (err) {
    throw new LensError(`cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected a tfjs model.json`, modelJsonPath);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LensError(`is not valid JSON (${(err as Error).message}); expected a tfjs model.json with "modelTopology" and "weightsManifest" — is it truncated?`, modelJsonPath);
  }
  const m = json as ModelJson;
  if (typeof m !== 'object' || m === null || typeof m.modelTopology !== 'object' || m.modelTopology === null) {
    throw new LensError('has no "modelTopology" object; expected a tfjs LayersModel or GraphModel model.json', modelJsonPath);
  }
  if (!Array.isArray(m.weightsManifest)) {
    throw new LensError('has no "weightsManifest" list; expected a tfjs model.json that names its weight shards', modelJsonPath);
  }
  return m;
}

/**
 * Reads the weight shards a model.json names (paths relative to it) and checks every byte the
 * manifest promises is there: a truncated shard must fail here, naming the shard, rather than
 * load as garbage weights.
 */
export async function readWeights(modelJsonPath: string, manifest: NonNullable<ModelJson['weightsManifest']>): Promise<{ specs: io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const dir = dirname(modelJsonPath);
  const specs: io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new LensError('a "weightsManifest" entry lacks "paths" or "weights"', modelJsonPath);
    }
    const parts: Buffer[] = [];
    for (const p of group.paths) {
      const file = resolve(dir, p);
      try {
        parts.push(await readFile(file));
      } catch (err) {
        throw new LensError(`weight shard cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${modelJsonPath} names it`, file);
      }
    }
    const got = parts.reduce((a, b) => a + b.length, 0);
    let want = 0;
    for (const w of group.weights) {
      try {
        want += weightByteLength(w);
      } catch (err) {
        throw new LensError((err as Error).message, modelJsonPath);
      }
    }
    if (got !== want) {
      const file = resolve(dir, group.paths[group.paths.length - 1] ?? '');
      throw new LensError(`weight shards hold ${got} bytes but the manifest in ${modelJsonPath} expects ${want}: the weights are truncated or belong to another model`, file);
    }
    specs.push(...group.weights);
    buffers.push(...parts);
  }
  const all = Buffer.concat(buffers);
  return { specs, data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/**
 * A tfjs IOHandler that loads `model.json` and its shards from the local disk — plain tfjs
 * (without tfjs-node) has no `file://` handler. Works for LayersModel and GraphModel:
 * `tf.loadLayersModel(fileSystemLoadHandler(p))` / `tf.loadGraphModel(fileSystemLoadHandler(p))`.
 */
export function fileSystemLoadHandler(modelJsonPath: string): io.IOHandler {
  return {
    load: async (): Promise<io.ModelArtifacts> => {
      const m = await readModelJson(modelJsonPath);
      const { specs, data } = await readWeights(modelJsonPath, m.weightsManifest!);
      const artifacts: io.ModelArtifacts = {
        modelTopology: m.modelTopology,
        weightSpecs: specs,
        weightData: data,
        format: m.format,
        generatedBy: m.generatedBy,
        convertedBy: m.convertedBy,
      };
      if (m.trainingConfig !== undefined) artifacts.trainingConfig = m.trainingConfig as io.TrainingConfig;
      if (m.signature !== undefined) artifacts.signature = m.signature as {};
      if (m.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = m.userDefinedMetadata as {};
      if (m.modelInitializer !== undefined) artifacts.modelInitializer = m.modelInitializer as {};
      return artifacts;
    },
  };
}

/** LayersModel topologies are Keras configs ({class_name, config}); GraphModel ones list `node`s. */
export function tfjsModelFormat(m: ModelJson): 'layers' | 'graph' {
  if (m.format === 'graph-model') return 'graph';
  if (m.format === 'layers-model') return 'layers';
  return Array.isArray((m.modelTopology as { node?: unknown }).node) ? 'graph' : 'layers';
}
