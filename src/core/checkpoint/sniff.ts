import { basename } from 'node:path';
import { readRegularFile } from '../io/safeFile';

/** How much of a .json is read to decide whether it is a tfjs model: its format and topology keys come first. */
export const SNIFF_BYTES = 8192;

const TFJS_KEYS = /"(modelTopology|weightsManifest)"\s*:|"format"\s*:\s*"(layers|graph)-model"/;

/**
 * Whether a .json looks like a tfjs model (any name: mobilefacenet.json, faceres.json, model.json),
 * from its first few KB only. Regular files only (a FIFO or device never blocks), never throws:
 * an unreadable file is simply not a checkpoint. Used to light up the Explorer menus.
 */
export async function looksLikeTfjsModelJson(file: string): Promise<boolean> {
  try {
    const head = (await readRegularFile(file, { expected: 'a tfjs model.json', atMostBytes: SNIFF_BYTES })).toString('utf8');
    return /^\uFEFF?\s*\{/.test(head) && TFJS_KEYS.test(head);
  } catch {
    return false;
  }
}

/**
 * Whether a .tsv file is a TensorBoard-projector embeddings file (`tensor.tsv`, `tensors.tsv`,
 * `vecs.tsv`…: one vector per line, numbers only, no header) rather than a manifest or a
 * metadata.tsv, from its first few KB — so the Explorer offers Inspect on it whatever its name.
 */
export async function looksLikeProjectorTsv(file: string): Promise<boolean> {
  if (!/\.tsv$/i.test(file) || /metadata/i.test(basename(file))) return false;
  try {
    const head = (await readRegularFile(file, { expected: 'a projector tensor.tsv', atMostBytes: SNIFF_BYTES })).toString('utf8');
    const first = head
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/, 1)[0]
      .trim();
    const fields = first.split('\t');
    return fields.length >= 2 && fields.every((f) => NUMBER.test(f.trim()));
  } catch {
    return false;
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The two Python lines that turn a PyTorch model into an ONNX file this extension runs. */
export const TORCH_EXPORT_RECIPE = [
  'model.eval()',
  'torch.onnx.export(model, torch.randn(1, 3, 224, 224), "model.onnx", input_names=["image"], output_names=["embedding"], dynamic_axes={"image": {0: "n"}, "embedding": {0: "n"}})',
];

/** embedding-lens.json beside model.onnx, for inputs other than 224 px ImageNet-normalised RGB. */
export const SIDECAR_EXAMPLE =
  '{"inputSize": [224, 224], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "resize": "crop", "output": {"name": "embedding"}}';

export const TORCH_EXTENSIONS = ['.pt', '.pth', '.safetensors'];

/** PyTorch files cannot be run here; what to do instead (the Explorer command and the CLI error say this). */
export function torchCheckpointHelp(): string {
  return `is a PyTorch checkpoint; Embedding Lens runs ONNX and tfjs models. Export it to ONNX once, in Python with the model built and its weights loaded: ${TORCH_EXPORT_RECIPE.join('; ')} — then use model.onnx, with embedding-lens.json beside it when the input is not 224 px ImageNet-normalised, e.g. ${SIDECAR_EXAMPLE}`;
}
