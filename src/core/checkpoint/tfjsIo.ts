import { dirname, resolve } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { LensError } from '../errors';
import { confinedPath, formatBytes, MAX_JSON_BYTES, readRegularFile, regularFileSize } from '../io/safeFile';

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

/** Largest weight tensor accepted, in elements (tfjs indexes tensors with 32-bit ints). */
export const MAX_WEIGHT_ELEMENTS = 2 ** 31 - 1;
/** Largest total of weight bytes a model.json may promise: all shards are loaded into one ArrayBuffer. */
export const MAX_WEIGHT_BYTES = 4 * 2 ** 30;

/**
 * Bytes one weight takes in its shard (quantised weights are stored in their quantised dtype).
 * The manifest is untrusted: a negative, fractional or astronomically large shape must be an error
 * naming the weight, not NaN or a 10¹⁸-byte allocation.
 */
export function weightByteLength(w: io.WeightsManifestEntry): number {
  if (typeof w !== 'object' || w === null) throw new Error('a weight entry is not an object; expected {"name", "shape", "dtype"}');
  const name = typeof w.name === 'string' ? `"${w.name}"` : '(unnamed)';
  if (!Array.isArray(w.shape)) throw new Error(`weight ${name} has no "shape" list`);
  let size = 1;
  for (const d of w.shape as unknown[]) {
    if (!Number.isInteger(d) || (d as number) < 0)
      throw new Error(`weight ${name} has shape [${w.shape.join(', ')}]; expected non-negative integer dimensions`);
    size *= d as number;
    if (size > MAX_WEIGHT_ELEMENTS)
      throw new Error(`weight ${name} has shape [${w.shape.join(', ')}], more than ${MAX_WEIGHT_ELEMENTS} elements`);
  }
  const dtype = w.quantization?.dtype ?? w.dtype;
  const per = typeof dtype === 'string' && Object.hasOwn(BYTES, dtype) ? BYTES[dtype] : undefined;
  if (per === undefined)
    throw new Error(`unsupported weight dtype ${JSON.stringify(dtype)} for ${name}; expected one of ${Object.keys(BYTES).join(', ')}`);
  return size * per;
}

export async function readModelJson(modelJsonPath: string): Promise<ModelJson> {
  const text = (await readRegularFile(modelJsonPath, { expected: 'a tfjs model.json', maxBytes: MAX_JSON_BYTES })).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LensError(
      `is not valid JSON (${(err as Error).message}); expected a tfjs model.json with "modelTopology" and "weightsManifest" — is it truncated?`,
      modelJsonPath,
    );
  }
  const m = json as ModelJson;
  if (
    typeof m !== 'object' ||
    m === null ||
    Array.isArray(m) ||
    typeof m.modelTopology !== 'object' ||
    m.modelTopology === null ||
    Array.isArray(m.modelTopology)
  ) {
    throw new LensError('has no "modelTopology" object; expected a tfjs LayersModel or GraphModel model.json', modelJsonPath);
  }
  if (!Array.isArray(m.weightsManifest)) {
    throw new LensError('has no "weightsManifest" list; expected a tfjs model.json that names its weight shards', modelJsonPath);
  }
  return m;
}

/** One weight shard a model.json names, checked: inside the checkpoint folder, a regular file. */
export interface WeightShard {
  /** Absolute path (inside the model.json's folder, also after following symlinks). */
  file: string;
  /** Its size, as stat saw it: the shards of a group add up to what the group's weights need. */
  bytes: number;
  /** The manifest entry, for messages: `weightsManifest[0].paths[1] "group1-shard2of2.bin"`. */
  entry: string;
}

/**
 * The weight shards a model.json names, validated without reading a byte of them: every path
 * resolves inside the model.json's folder (as written and after symlinks), is a regular file (a
 * FIFO or /dev/zero would block or never end), and each group's shards add up to exactly the bytes
 * its weights need. Everything that reads or hashes weights goes through here (the loader and the
 * embeddings cache key), so none of them can be pointed at an outside or endless file.
 */
export async function weightShardFiles(
  modelJsonPath: string,
  manifest: unknown,
): Promise<{ specs: io.WeightsManifestEntry[]; shards: WeightShard[]; totalBytes: number }> {
  const dir = dirname(resolve(modelJsonPath));
  if (!Array.isArray(manifest))
    throw new LensError('has no "weightsManifest" list; expected a tfjs model.json that names its weight shards', modelJsonPath);
  const specs: io.WeightsManifestEntry[] = [];
  const shards: WeightShard[] = [];
  let totalBytes = 0;
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g] as { paths?: unknown; weights?: unknown } | null;
    if (typeof group !== 'object' || group === null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new LensError(
        `weightsManifest[${g}] lacks a "paths" or "weights" list; expected {"paths": ["…bin"], "weights": [{"name", "shape", "dtype"}]}`,
        modelJsonPath,
      );
    }
    let want = 0;
    for (let i = 0; i < group.weights.length; i++) {
      try {
        want += weightByteLength(group.weights[i] as io.WeightsManifestEntry);
      } catch (err) {
        throw new LensError(`weightsManifest[${g}].weights[${i}]: ${(err as Error).message}`, modelJsonPath);
      }
      if (totalBytes + want > MAX_WEIGHT_BYTES) {
        throw new LensError(
          `the weights need more than ${formatBytes(MAX_WEIGHT_BYTES)}, the most a tfjs checkpoint may load; the manifest's shapes are wrong or the model is too big`,
          modelJsonPath,
        );
      }
    }
    let got = 0;
    const groupShards: WeightShard[] = [];
    for (let i = 0; i < group.paths.length; i++) {
      const p = group.paths[i] as unknown;
      const entry = `weightsManifest[${g}].paths[${i}] ${JSON.stringify(p)}`;
      const file = await confinedPath(dir, p, modelJsonPath, entry);
      const bytes = await regularFileSize(file, 'a weight shard file', modelJsonPath, entry);
      got += bytes;
      groupShards.push({ file, bytes, entry });
    }
    if (got !== want) {
      const last = groupShards[groupShards.length - 1];
      throw new LensError(
        `weight shards of weightsManifest[${g}]${last ? ` (${last.entry}${groupShards.length > 1 ? ' and the others' : ''})` : ''} hold ${got} bytes but its weights need ${want}: the weights are truncated or belong to another model`,
        modelJsonPath,
      );
    }
    totalBytes += want;
    specs.push(...(group.weights as io.WeightsManifestEntry[]));
    shards.push(...groupShards);
  }
  return { specs, shards, totalBytes };
}

/**
 * Reads the weight shards a model.json names (paths relative to it) into one buffer: each shard
 * checked by weightShardFiles first, then read exactly its byte count — a truncated shard fails
 * naming its entry rather than loading as garbage weights, and an endless one cannot be read.
 */
export async function readWeights(
  modelJsonPath: string,
  manifest: NonNullable<ModelJson['weightsManifest']>,
): Promise<{ specs: io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  const { specs, shards, totalBytes } = await weightShardFiles(modelJsonPath, manifest);
  const data = new ArrayBuffer(totalBytes);
  let offset = 0;
  for (const s of shards) {
    const part = await readRegularFile(s.file, {
      expected: 'a weight shard file',
      exactBytes: s.bytes,
      owner: modelJsonPath,
      what: s.entry,
    });
    new Uint8Array(data, offset, s.bytes).set(part);
    offset += s.bytes;
  }
  return { specs, data };
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
      if (m.signature !== undefined) artifacts.signature = m.signature as NonNullable<io.ModelArtifacts['signature']>;
      if (m.userDefinedMetadata !== undefined)
        artifacts.userDefinedMetadata = m.userDefinedMetadata as NonNullable<io.ModelArtifacts['userDefinedMetadata']>;
      if (m.modelInitializer !== undefined)
        artifacts.modelInitializer = m.modelInitializer as NonNullable<io.ModelArtifacts['modelInitializer']>;
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
