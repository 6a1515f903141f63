import { existsSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { LensError } from '../errors';
import { isReallyInside } from '../io/safeFile';
import { loadChainedCheckpoint } from './chained';
import { CONFIG_FILE, readCheckpointConfig, CheckpointConfig } from './config';
import type { CheckpointKind, LoadCheckpointOptions, LoadedModel } from './model';
import { loadOnnxModel } from './onnxModel';
import { precomputedKindOf } from './precomputed';
import { loadTfjsModel } from './tfjsModel';
import { readModelJson, tfjsModelFormat } from './tfjsIo';
import { torchCheckpointHelp, TORCH_EXTENSIONS } from './sniff';
import { readHfPreprocessorConfig } from './hfPreprocessor';

export * from './config';
export * from './model';
export {
  fileSystemLoadHandler,
  readModelJson,
  readWeights,
  tfjsModelFormat,
  weightByteLength,
  weightShardFiles,
  type WeightShard,
} from './tfjsIo';
export { checkpointFiles, type CheckpointFile } from './files';
export { rememberOutputChoice } from './rememberOutput';
export type { OutputCandidate } from './outputChoice';
export { loadChainedCheckpoint } from './chained';
export { loadPrecomputed, PrecomputedEmbeddings } from './precomputed';
export {
  looksLikeProjectorTsv,
  looksLikeTfjsModelJson,
  torchCheckpointHelp,
  TORCH_EXPORT_RECIPE,
  SIDECAR_EXAMPLE,
  TORCH_EXTENSIONS,
} from './sniff';
export type { TfjsLoadedModel } from './tfjsModel';

/** A folder holding model.json stands for that model.json. */
export function resolveCheckpointPath(path: string): string {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const mj = join(path, 'model.json');
    if (existsSync(mj)) return mj;
    const backbone = chainedBackbone(path);
    if (backbone) return backbone;
    throw new LensError('is a folder without model.json; expected a model.json, an .onnx file, or embeddings (.npy / tensor.tsv)', path);
  }
  return path;
}

/** The kind of checkpoint from its name (and, for .json, its format field). */
export async function detectCheckpointKind(path: string): Promise<CheckpointKind> {
  const file = resolveCheckpointPath(path);
  if (!existsSync(file))
    throw new LensError('does not exist; expected a model.json, an .onnx file, or embeddings (.npy / tensor.tsv)', file);
  const ext = extname(file).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  const pre = precomputedKindOf(file);
  if (pre) return pre;
  if (ext === '.json') return tfjsModelFormat(await readModelJson(file)) === 'graph' ? 'tfjs-graph' : 'tfjs-layers';
  if (TORCH_EXTENSIONS.includes(ext)) throw new LensError(torchCheckpointHelp(), file);
  throw new LensError(`has an unknown checkpoint type "${ext}"; expected model.json (tfjs), .onnx, .npy or tensor.tsv`, file);
}

export function isPrecomputedKind(kind: CheckpointKind): kind is 'npy' | 'projector-tsv' {
  return kind === 'npy' || kind === 'projector-tsv';
}

/**
 * Loads an image model (tfjs LayersModel/GraphModel or ONNX) ready to embed preprocessed batches.
 * Settings come from `opts` over `embedding-lens.json` over what the model's input implies;
 * everything guessed is listed in `assumptions`. Precomputed embeddings are not models: use
 * loadPrecomputed (computeEmbeddings handles both).
 */
export async function loadCheckpoint(path: string, opts: LoadCheckpointOptions = {}): Promise<LoadedModel> {
  const file = resolveCheckpointPath(path);
  const kind = await detectCheckpointKind(file);
  if (isPrecomputedKind(kind)) throw new LensError('holds precomputed embeddings, not a model; it needs no images to embed', file);
  const { config: fileConfig, file: configFile, head } = readCheckpointConfig(file);
  // A head-only fine-tune: the embedding is head(backbone(x)), never the backbone alone.
  if (head && configFile) return loadChainedCheckpoint(dirname(configFile), opts);
  // A Hugging Face export's preprocessor_config.json is the lowest layer: embedding-lens.json and flags win.
  const hf = readHfPreprocessorConfig(file);
  const config: CheckpointConfig = { ...(hf?.config ?? {}), ...fileConfig, ...definedOnly(opts.config ?? {}) };
  const from = configFile ?? hf?.file;
  const model = kind === 'onnx' ? await loadOnnxModel(file, config, from, opts) : await loadTfjsModel(file, config, from, opts);
  if (hf) model.assumptions.push(hf.note);
  return model;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The backbone file named by a chained checkpoint folder's sidecar ("head": {"backbone": …}), if any. */
export function chainedBackbone(folder: string): string | undefined {
  if (!existsSync(join(folder, CONFIG_FILE))) return undefined;
  let head;
  try {
    head = readCheckpointConfig(folder).head;
  } catch {
    // An unreadable sidecar is reported by the loader, with the file named; here it only means "no backbone".
    return undefined;
  }
  if (!head) return undefined;
  // A symlinked backbone leading out of the folder is not this checkpoint's (loadChainedCheckpoint refuses it by name).
  const file = join(folder, head.backbone);
  return isReallyInside(folder, file) ? file : undefined;
}
