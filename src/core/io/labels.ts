import { extname } from 'node:path';
import { LensError } from '../errors';
import { parseNpy } from './npy';
import { MAX_JSON_BYTES, readRegularFile } from './safeFile';

/**
 * Per-row class labels as indices into `classNames`. Integer labels keep their numeric order
 * (class "10" after class "9"); text labels are sorted as strings, so the same file always
 * gives the same indices.
 */
export interface Labels {
  labels: Int32Array;
  classNames: string[];
}

/**
 * Words that spreadsheet and dataframe tools write for a missing value. As a label they would
 * become a class of their own ("nan" with every unlabelled row in it), so they are refused.
 */
const MISSING_WORDS = new Set(['nan', '-nan', 'none', 'null', '<na>', 'n/a', '#n/a', 'undefined']);

/** Whether a label text is empty or a missing-value word (case-insensitive, trimmed). */
export function isMissingLabel(text: string): boolean {
  const t = text.trim();
  return t === '' || MISSING_WORDS.has(t.toLowerCase());
}

/** Reads labels from a .npy of integers, a .json array (numbers or strings) or a text file with one label per line. */
export async function readLabels(path: string): Promise<Labels> {
  // Checked read: a labels path naming a FIFO or a device fails at once instead of hanging.
  const bytes = await readRegularFile(path, {
    expected: 'a labels file (.npy of integers, .json array, or one label per line)',
    maxBytes: MAX_JSON_BYTES,
  });
  const ext = extname(path).toLowerCase();
  if (ext === '.npy') return labelsFromNpy(bytes, path);
  if (ext === '.json') return labelsFromJson(bytes.toString('utf8'), path);
  return labelsFromText(bytes.toString('utf8'), path);
}

function labelsFromNpy(bytes: Uint8Array, file: string): Labels {
  const arr = parseNpy(bytes, file);
  const rows = arr.shape[0] ?? 0;
  if (!(arr.shape.length === 1 || (arr.shape.length === 2 && arr.shape[1] === 1))) {
    throw new LensError(`labels must be a 1-D array (or N×1), got shape (${arr.shape.join(', ')})`, file);
  }
  if (arr.dtype !== 'i4' && arr.dtype !== 'i8' && arr.dtype !== 'u1') {
    throw new LensError(`labels must be integers (int32, int64 or uint8), got dtype ${arr.dtype}`, file);
  }
  const values: number[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = arr.data[i];
    const x = typeof v === 'bigint' ? Number(v) : v;
    if (!Number.isSafeInteger(x)) throw new LensError(`label ${i} (${v}) is outside the safe integer range`, file);
    values[i] = x;
  }
  return fromNumbers(values);
}

function labelsFromJson(text: string, file: string): Labels {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LensError(`invalid JSON (${(err as Error).message}); expected an array of labels`, file);
  }
  if (!Array.isArray(parsed)) throw new LensError('expected a JSON array of labels (numbers or strings)', file);
  if (parsed.every((v) => typeof v === 'number')) {
    parsed.forEach((v: number, i) => {
      if (!Number.isInteger(v)) throw new LensError(`label ${i} is ${v}; numeric labels must be integers`, file);
    });
    return fromNumbers(parsed as number[]);
  }
  if (parsed.every((v) => typeof v === 'string')) {
    parsed.forEach((v: string, i) => {
      if (isMissingLabel(v))
        throw new LensError(`label ${i} is ${JSON.stringify(v)}, a missing value; expected a class name for every row`, file);
    });
    return fromStrings(parsed as string[]);
  }
  const bad = parsed.findIndex((v) => typeof v !== 'number' && typeof v !== 'string');
  throw new LensError(
    bad >= 0
      ? `label ${bad} is ${JSON.stringify(parsed[bad])}; expected a number or a string`
      : 'labels mix numbers and strings; use one kind',
    file,
  );
}

function labelsFromText(text: string, file: string): Labels {
  const lines = text.split(/\r?\n/);
  // One trailing newline is normal; any other blank line is a missing label.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const values = lines.map((l, i) => {
    const t = l.trim();
    if (t.length === 0) throw new LensError(`line ${i + 1} is empty; expected one label per line`, file);
    if (isMissingLabel(t)) throw new LensError(`line ${i + 1} is "${t}", a missing value; expected a class name on every line`, file);
    return t;
  });
  if (values.length > 0 && values.every((v) => /^[+-]?\d+$/.test(v))) return fromNumbers(values.map(Number));
  return fromStrings(values);
}

function fromNumbers(values: number[]): Labels {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  return index(values, distinct, distinct.map(String));
}

function fromStrings(values: string[]): Labels {
  const distinct = [...new Set(values)].sort();
  return index(values, distinct, distinct);
}

function index<T>(values: T[], distinct: T[], classNames: string[]): Labels {
  const map = new Map<T, number>();
  distinct.forEach((v, i) => map.set(v, i));
  const labels = new Int32Array(values.length);
  values.forEach((v, i) => (labels[i] = map.get(v)!));
  return { labels, classNames };
}
