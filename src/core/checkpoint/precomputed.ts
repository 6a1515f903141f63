import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { LensError } from '../errors';
import { readNpy } from '../io/npy';
import { readRegularFile } from '../io/safeFile';
import { encodeLabels } from '../dataset/classes';
import type { PrecomputedKind } from './model';

/** Embeddings computed elsewhere: an N×D matrix, and labels when the file set carries them. */
export interface PrecomputedEmbeddings {
  kind: PrecomputedKind;
  path: string;
  vectors: Float32Array;
  n: number;
  dim: number;
  /** From a projector `metadata.tsv` beside `tensor.tsv`; absent for .npy (labels come from a dataset or labels file). */
  labels?: { labels: Int32Array; classNames: string[]; file: string };
}

export async function loadNpyEmbeddings(file: string): Promise<PrecomputedEmbeddings> {
  const arr = await readNpy(file);
  if (arr.shape.length !== 2) throw new LensError(`has shape (${arr.shape.join(', ')}); expected a 2-D N×D embeddings matrix`, file);
  if (arr.dtype !== 'f4' && arr.dtype !== 'f8') throw new LensError(`has dtype ${arr.dtype}; expected float32 or float64 embeddings`, file);
  const [n, dim] = arr.shape;
  if (n === 0 || dim === 0) throw new LensError(`is empty (shape ${n}×${dim}); expected at least one embedding`, file);
  // Always copy: the reader's array may be a view into a larger file buffer.
  const vectors = Float32Array.from(arr.data as Float32Array | Float64Array);
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i])) throw new LensError(`row ${Math.floor(i / dim)} holds a non-finite value (${vectors[i]})`, file);
  }
  return { kind: 'npy', path: file, vectors, n, dim };
}

/** TensorBoard projector: tensor.tsv (one tab-separated vector per line, no header) + optional metadata.tsv. */
export async function loadProjectorTsv(file: string): Promise<PrecomputedEmbeddings> {
  const text = (await readRegularFile(file, { expected: 'a projector tensor.tsv' })).toString('utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new LensError('is empty; expected one tab-separated vector per line', file);
  const dim = lines[0].split('\t').length;
  const vectors = new Float32Array(lines.length * dim);
  for (let i = 0; i < lines.length; i++) {
    // A projector export can hold millions of numbers: let the event loop breathe between chunks.
    if (i % 4096 === 4095) await new Promise((r) => setImmediate(r));
    const parts = lines[i].split('\t');
    if (parts.length !== dim) throw new LensError(`line ${i + 1} has ${parts.length} values; expected ${dim} like line 1`, file);
    for (let j = 0; j < dim; j++) {
      const x = Number(parts[j]);
      if (parts[j].trim() === '' || !Number.isFinite(x))
        throw new LensError(`line ${i + 1}, column ${j + 1}: "${parts[j]}" is not a finite number`, file);
      vectors[i * dim + j] = x;
    }
  }
  const out: PrecomputedEmbeddings = { kind: 'projector-tsv', path: file, vectors, n: lines.length, dim };
  const meta = projectorMetadataPath(file);
  if (existsSync(meta)) out.labels = { ...(await readProjectorMetadata(meta, lines.length)), file: meta };
  return out;
}

export function projectorMetadataPath(tensorFile: string): string {
  const name = basename(tensorFile);
  const guess = name.includes('tensor') ? name.replace('tensor', 'metadata') : 'metadata.tsv';
  return join(dirname(tensorFile), guess === name ? 'metadata.tsv' : guess);
}

/**
 * Projector metadata: a single column has no header; several columns have a header row, and the
 * column named label/class (else the first) is the label.
 */
export async function readProjectorMetadata(file: string, rows: number): Promise<{ labels: Int32Array; classNames: string[] }> {
  const lines = (await readRegularFile(file, { expected: 'a projector metadata.tsv' })).toString('utf8').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  let values: string[];
  if (lines.length && lines[0].includes('\t')) {
    const header = lines[0].split('\t').map((h) => h.trim().toLowerCase());
    let col = header.findIndex((h) => h === 'label' || h === 'class' || h === 'labels');
    if (col < 0) col = 0;
    values = lines.slice(1).map((l) => (l.split('\t')[col] ?? '').trim());
  } else values = lines.map((l) => l.trim());
  if (values.length !== rows)
    throw new LensError(`has ${values.length} labels but the tensor file has ${rows} rows; expected one label per row`, file);
  return encodeLabels(values);
}

export function precomputedKindOf(file: string): PrecomputedKind | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.npy') return 'npy';
  if (ext === '.tsv' && !/metadata/i.test(basename(file))) return 'projector-tsv';
  return undefined;
}

export function loadPrecomputed(file: string): Promise<PrecomputedEmbeddings> {
  const kind = precomputedKindOf(file);
  if (kind === 'npy') return loadNpyEmbeddings(file);
  if (kind === 'projector-tsv') return loadProjectorTsv(file);
  throw new LensError('is not a precomputed embeddings file; expected .npy or a projector tensor.tsv', file);
}
