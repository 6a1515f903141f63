import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { LensError } from '../errors';
import { encodeLabels } from './classes';
import type { DatasetItem } from './types';

const PATH_COLS = ['path', 'file', 'filename', 'filepath', 'image', 'image_path', 'img'];
const LABEL_COLS = ['label', 'class', 'class_id', 'category', 'target', 'y'];
const SPLIT_COLS = ['split', 'subset', 'set', 'partition', 'evaluation_status'];

/** One CSV/TSV record per line, RFC 4180 quoting ("" inside quotes), quoted newlines included. */
export function parseDelimited(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === sep) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

interface Row {
  path: string;
  label: string;
  split?: string;
  line: number;
}

/** A manifest: `.csv`/`.tsv` with a header naming path and label (and optionally split) columns, or `.jsonl` objects with the same keys. Relative paths are relative to the manifest. */
export async function readManifest(file: string): Promise<{ items: DatasetItem[]; classNames: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LensError(`cannot be read (${(err as Error).message}); expected a dataset manifest`, file);
  }
  const ext = extname(file).toLowerCase();
  const rows: Row[] = ext === '.jsonl' ? jsonlRows(text, file) : delimitedRows(text, ext === '.tsv' ? '\t' : ',', file);
  const base = dirname(file);
  const { labels, classNames } = encodeLabels(rows.map((r) => r.label));
  const items = rows.map((r, i): DatasetItem => {
    const item: DatasetItem = { path: isAbsolute(r.path) ? r.path : resolve(base, r.path), label: labels[i] };
    if (r.split !== undefined && r.split !== '') item.split = r.split;
    return item;
  });
  return { items, classNames };
}

function delimitedRows(text: string, sep: string, file: string): Row[] {
  const table = parseDelimited(text.replace(/^\uFEFF/, ''), sep);
  if (table.length === 0) throw new LensError('is empty; expected a header row with path and label columns', file);
  const header = table[0].map((h) => h.trim().toLowerCase());
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const p = col(PATH_COLS);
  const l = col(LABEL_COLS);
  const s = col(SPLIT_COLS);
  if (p < 0 || l < 0) {
    throw new LensError(`header "${table[0].join(sep === '\t' ? '\\t' : sep)}" lacks ${p < 0 ? 'a path column (path/file/filename/image)' : 'a label column (label/class/category)'}; expected e.g. "path${sep === '\t' ? '\\t' : sep}label${sep === '\t' ? '\\t' : sep}split"`, file);
  }
  return table.slice(1).map((r, i) => {
    const line = i + 2;
    const path = (r[p] ?? '').trim();
    const label = (r[l] ?? '').trim();
    if (!path || !label) throw new LensError(`line ${line} has an empty ${!path ? 'path' : 'label'}`, file);
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
    if (typeof label !== 'string' && typeof label !== 'number') throw new LensError(`line ${i + 1} has no "label" (string or integer)`, file);
    rows.push({ path, label: String(label), split: split === undefined ? undefined : String(split), line: i + 1 });
  });
  return rows;
}
