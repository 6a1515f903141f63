import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { LensError } from '../errors';
import { confinedPath, readJsonText, readRegularFile, regularFileSize } from '../io/safeFile';
import { configPathFor, headSpecOf } from './config';
import { HF_PREPROCESSOR_FILE } from './hfPreprocessor';
import { checkExternalData, MAX_ONNX_BYTES } from './onnxModel';
import { externalDataRefs } from './onnxProto';
import { readModelJson, weightShardFiles } from './tfjsIo';

/** What the checkpoint's own file should be, by extension, for messages (the loaders say the same). */
const MODEL_FILE_KIND: Record<string, string> = { '.json': 'a tfjs model.json', '.onnx': 'an ONNX model', '.npy': 'a NumPy .npy file' };

/** A file that is part of a checkpoint, with its size as checked (read at most that many bytes). */
export interface CheckpointFile {
  file: string;
  bytes: number;
}

async function tfjsFiles(modelJson: string, out: CheckpointFile[]): Promise<void> {
  const m = await readModelJson(modelJson);
  for (const s of (await weightShardFiles(modelJson, m.weightsManifest)).shards) out.push({ file: s.file, bytes: s.bytes });
}

/**
 * Every file whose bytes make up a checkpoint — the model file, its weight shards or ONNX external
 * data, embedding-lens.json and a chained head's model and shards — each validated the way the
 * loaders validate it: inside the checkpoint's folder (symlinks followed), a regular file, of a
 * known size. The embeddings cache hashes exactly these, so a model.json naming /dev/zero or a
 * FIFO fails here with the entry named instead of hashing for ever.
 */
export async function checkpointFiles(checkpoint: string): Promise<CheckpointFile[]> {
  const ext = extname(checkpoint).toLowerCase();
  const out: CheckpointFile[] = [
    { file: checkpoint, bytes: await regularFileSize(checkpoint, MODEL_FILE_KIND[ext] ?? 'a checkpoint file') },
  ];
  if (ext === '.json') await tfjsFiles(checkpoint, out);
  else if (ext === '.onnx') {
    const bytes = await readRegularFile(checkpoint, { expected: 'an ONNX model', maxBytes: MAX_ONNX_BYTES });
    let refs;
    try {
      refs = externalDataRefs(bytes);
    } catch (err) {
      throw new LensError(`is not a valid ONNX model (${(err as Error).message}) — truncated or not ONNX`, checkpoint);
    }
    for (const f of await checkExternalData(checkpoint, refs))
      out.push({ file: f, bytes: await regularFileSize(f, 'an external data file') });
  }
  // A Hugging Face export's preprocessor_config.json sets mean/std/size (hfPreprocessor.ts): part of the checkpoint.
  const hf = join(dirname(checkpoint), HF_PREPROCESSOR_FILE);
  if (ext !== '.npy' && ext !== '.tsv' && existsSync(hf))
    out.push({ file: hf, bytes: await regularFileSize(hf, 'a Hugging Face preprocessor_config.json') });
  const cfg = configPathFor(checkpoint);
  if (!existsSync(cfg)) return out;
  out.push({ file: cfg, bytes: await regularFileSize(cfg, 'a JSON sidecar (embedding-lens.json)') });
  let raw: unknown;
  try {
    raw = JSON.parse(await readJsonText(cfg, 'a JSON sidecar (embedding-lens.json)'));
  } catch (err) {
    if (err instanceof LensError) throw err;
    throw new LensError(`is not valid JSON (${(err as Error).message})`, cfg);
  }
  const head = headSpecOf(raw, cfg);
  if (head) {
    // A chained backbone + head: the head's topology and weights are part of the checkpoint too.
    const dir = dirname(cfg);
    const headJson = await confinedPath(dir, head.model, cfg, `"head.model" ${JSON.stringify(head.model)}`);
    out.push({ file: headJson, bytes: await regularFileSize(headJson, 'a tfjs head model.json') });
    await tfjsFiles(headJson, out);
    const backbone = await confinedPath(dir, head.backbone, cfg, `"head.backbone" ${JSON.stringify(head.backbone)}`);
    if (!out.some((f) => f.file === backbone))
      out.push({ file: backbone, bytes: await regularFileSize(backbone, 'a backbone model file') });
  }
  return out;
}
