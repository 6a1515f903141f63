import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { LensError } from '../errors';
import { MAX_JSON_BYTES, readRegularFile } from '../io/safeFile';
import { isMissingLabel } from '../io/labels';
import { encodeLabels } from './classes';
import { dropDuplicateRows } from './duplicates';
import type { DatasetItem } from './types';

const PATH_COLS = ['path', 'file', 'filename', 'filepath', 'image', 'image_path', 'img'];
const LABEL_COLS = ['label', 'class', 'class_id', 'category', 'target', 'y'];
const SPLIT_COLS = ['split', 'subset', 'set', 'partition', 'evaluation_status'];

/** One CSV/TSV record per line, RFC 4180 quoting ("" inside quotes), quoted newlines included. */
export function parseDelimited(text: string, sep: string, file?: string): string[][] {
  return parseDelimitedRecords(text, sep, file).map((r) => r.fields);
}

/**
 * The records of a CSV/TSV text with the line each starts on. A quote left open at the end of the
 * text would swallow every later line into one field: that is an error naming the line where the
 * quote was opened, not a dataset of one garbled row.
 */
export function parseDelimitedRecords(text: string, sep: string, file?: string): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push({ fields: row, line: rowLine });
      row = [];
      field = '';
      line++;
      rowLine = line;
    } else field += ch;
  }
  if (quoted) {
    throw new LensError(
      `line ${quoteLine} opens a quote (") that is never closed; expected a closing quote on that line (or "" for a quote inside a field)`,
      file,
    );
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push({ fields: row, line: rowLine });
  }
  return rows.filter((r) => !(r.fields.length === 1 && r.fields[0].trim() === ''));
}

interface Row {
  path: string;
  label: string;
  split?: string;
  line: number;
}

/** A manifest: `.csv`/`.tsv` with a header naming path and label (and optionally split) columns, or `.jsonl` objects with the same keys. Relative paths are relative to the manifest. */
export async function readManifest(file: string): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
  const text = (await readRegularFile(file, { expected: 'a dataset manifest', maxBytes: MAX_JSON_BYTES })).toString('utf8');
  const ext = extname(file).toLowerCase();
  const rows: Row[] = ext === '.jsonl' ? jsonlRows(text, file) : delimitedRows(text, ext === '.tsv' ? '\t' : ',', file);
  const base = dirname(file);
  const resolved = rows.map((r) => ({
    ...r,
    path: isAbsolute(r.path) ? resolve(r.path) : resolve(base, r.path),
    split: r.split || undefined,
    file,
  }));
  const { rows: unique, notes } = dropDuplicateRows(resolved);
  const { labels, classNames } = encodeLabels(unique.map((r) => r.label));
  const items = unique.map((r, i): DatasetItem => {
    const item: DatasetItem = { path: r.path, label: labels[i] };
    if (r.split !== undefined) item.split = r.split;
    return item;
  });
  return { items, classNames, notes };
}

function delimitedRows(text: string, sep: string, file: string): Row[] {
  const records = parseDelimitedRecords(text.replace(/^\uFEFF/, ''), sep, file);
  const table = records.map((r) => r.fields);
  if (table.length === 0) throw new LensError('is empty; expected a header row with path and label columns', file);
  const header = table[0].map((h) => h.trim().toLowerCase());
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const p = col(PATH_COLS);
  const l = col(LABEL_COLS);
  const s = col(SPLIT_COLS);
  if (p < 0 || l < 0) {
    throw new LensError(
      `header "${table[0].join(sep === '\t' ? '\\t' : sep)}" lacks ${p < 0 ? 'a path column (path/file/filename/image)' : 'a label column (label/class/category)'}; expected e.g. "path${sep === '\t' ? '\\t' : sep}label${sep === '\t' ? '\\t' : sep}split"`,
      file,
    );
  }
  return records.slice(1).map(({ fields: r, line }) => {
    const path = (r[p] ?? '').trim();
    const label = (r[l] ?? '').trim();
    if (!path || !label) throw new LensError(`line ${line} has an empty ${!path ? 'path' : 'label'}`, file);
    if (isMissingLabel(label))
      throw new LensError(`line ${line} has the label "${label}", a missing value; expected a class for every image`, file);
    return { path, label, split: s >= 0 ? (r[s] ?? '').trim() : undefined, line };
  });
}

function jsonlRows(text: string, file: string): Row[] {
  const rows: Row[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw);
    } catch (err) {
      throw new LensError(`line ${i + 1} is not valid JSON (${(err as Error).message})`, file);
    }
    const pick = (names: string[]) => names.map((n) => o[n]).find((v) => v !== undefined && v !== null);
    const path = pick(PATH_COLS);
    const label = pick(LABEL_COLS);
    const split = pick(SPLIT_COLS);
    if (typeof path !== 'string' || path === '') throw new LensError(`line ${i + 1} has no "path" string`, file);
    if (typeof label !== 'string' && typeof label !== 'number')
      throw new LensError(`line ${i + 1} has no "label" (string or integer)`, file);
    if (typeof label === 'number' && !Number.isFinite(label))
      throw new LensError(`line ${i + 1} has the label ${label}; expected a class name or an integer`, file);
    if (typeof label === 'string' && isMissingLabel(label))
      throw new LensError(`line ${i + 1} has the label "${label}", a missing value; expected a class for every image`, file);
    rows.push({ path, label: String(label), split: split === undefined ? undefined : String(split), line: i + 1 });
  });
  return rows;
}
